import { assessMaxInstanceLifetime } from '../checks/compute';
import { type SaasRule, verdict } from '../checks/construct';

/** IMM-3: nodes are rebuilt every few days even without a new image. */
export const AsgMaxInstanceLifetime: SaasRule = {
  control: 'IMM-3',
  info: 'The Auto Scaling group has no MaxInstanceLifetime between 1 and 7 days (IMM-3).',
  explanation:
    'Long-lived nodes accumulate drift and give an intruder time. A lifetime of 86400-604800 seconds replaces every node within a week.',
  rule: function AsgMaxInstanceLifetime(node) {
    return verdict(node, 'AWS::AutoScaling::AutoScalingGroup', assessMaxInstanceLifetime);
  },
};
