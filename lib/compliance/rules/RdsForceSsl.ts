import { assessDbForceSsl } from '../checks/data';
import { type SaasRule, verdict } from '../checks/construct';

/** DATA-1: the database refuses plaintext connections. */
export const RdsForceSsl: SaasRule = {
  control: 'DATA-1',
  info: 'The RDS instance does not use a parameter group of its stack with rds.force_ssl=1 (DATA-1).',
  explanation:
    'Without rds.force_ssl the server accepts unencrypted client connections. The parameter group must be in the same stack so the value can be checked.',
  rule: function RdsForceSsl(node) {
    // Instances of a cluster take their parameters from the cluster's group.
    return verdict(node, 'AWS::RDS::DBInstance', assessDbForceSsl, {
      whole: true,
      appliesTo: (ref) => ref.resource.Properties?.DBClusterIdentifier === undefined,
    });
  },
};
