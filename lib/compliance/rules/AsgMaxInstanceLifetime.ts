import { assessMaxInstanceLifetime } from '../checks/compute';
import { saasRule } from '../checks/construct';

/** IMM-3: nodes are rebuilt every few days even without a new image. */
export const AsgMaxInstanceLifetime = saasRule('AsgMaxInstanceLifetime', {
  control: 'IMM-3',
  type: 'AWS::AutoScaling::AutoScalingGroup',
  assess: assessMaxInstanceLifetime,
  info: 'The Auto Scaling group has no MaxInstanceLifetime between 1 and 7 days (IMM-3).',
  explanation:
    'Long-lived nodes accumulate drift and give an intruder time. A lifetime of 86400-604800 seconds replaces every node within a week.',
});
