import { saasRule } from '../checks/construct';
import { assessDbForceSsl } from '../checks/data';

/** DATA-1: the database refuses plaintext connections. */
export const RdsForceSsl = saasRule('RdsForceSsl', {
  control: 'DATA-1',
  type: 'AWS::RDS::DBInstance',
  assess: assessDbForceSsl,
  // Instances of a cluster take their parameters from the cluster's group.
  whole: true,
  appliesTo: (ref) => ref.resource.Properties?.DBClusterIdentifier === undefined,
  info: 'The RDS instance does not use a parameter group of its stack with rds.force_ssl=1 (DATA-1).',
  explanation:
    'Without rds.force_ssl the server accepts unencrypted client connections. The parameter group must be in the same stack so the value can be checked.',
});
