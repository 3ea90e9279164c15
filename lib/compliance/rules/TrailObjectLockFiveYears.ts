import { saasRule } from '../checks/construct';
import { assessTrailBucketLock } from '../checks/logging';

/** LOG-1: the audit trail cannot be altered or purged for five years. */
export const TrailObjectLockFiveYears = saasRule('TrailObjectLockFiveYears', {
  control: 'LOG-1',
  type: 'AWS::CloudTrail::Trail',
  assess: assessTrailBucketLock,
  whole: true,
  info: "The trail's bucket is not in this stack with Object Lock of at least 1827 days (COMPLIANCE mode in termination-protected stacks), or expires logs earlier (LOG-1).",
  explanation:
    'Log-file validation detects tampering; Object Lock prevents it. The bucket must be in the same stack so its lock can be checked.',
});
