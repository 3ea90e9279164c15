import { partitionOf } from '../../lib/ops/partition';

test('ARNs the CLI builds take the partition of their region', () => {
  expect(partitionOf('eu-west-1')).toBe('aws');
  expect(partitionOf('cn-north-1')).toBe('aws-cn');
  expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
});
