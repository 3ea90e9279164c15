import { assessTrailBucketLock } from '../checks/logging';
import { type SaasRule, verdict } from '../checks/construct';

/** LOG-1: the audit trail cannot be altered or purged for five years. */
export const TrailObjectLockFiveYears: SaasRule = {
  control: 'LOG-1',
  info: "The trail's bucket is not in this stack with Object Lock of at least 1827 days (COMPLIANCE mode in termination-protected stacks), or expires logs earlier (LOG-1).",
  explanation:
    'Log-file validation detects tampering; Object Lock prevents it. The bucket must be in the same stack so its lock can be checked.',
  rule: function TrailObjectLockFiveYears(node) {
    return verdict(node, 'AWS::CloudTrail::Trail', assessTrailBucketLock, { whole: true });
  },
};
