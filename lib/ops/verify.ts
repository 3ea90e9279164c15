import { type EC2Client, GetEbsEncryptionByDefaultCommand } from '@aws-sdk/client-ec2';
import type { EnvironmentConfig } from '../config/schema';
import type { OpsClients } from './clients';
import { fleetTags, showTags } from './fleet';
import { attempt } from './live/check';
import type { ControlId } from '../compliance/controls';
import { checkFleet } from './verify/fleet';
import { checkNetwork, networkTags } from './verify/network';
import {
  type CheckId,
  type CheckResult,
  DEFAULT_MAX_DELIVERY_AGE_HOURS,
  fail,
  pass,
  CHECKS,
  type VerifyOptions,
} from './verify/result';
import { checkTrail } from './verify/trail';

export * from './verify/result';
export { evaluateTrail } from './verify/trail';
export {
  evaluateInstance,
  fleetLifetime,
  imageBuilderArn,
  type InstanceContext,
  releaseOfInstance,
} from './verify/fleet';
export { internetIngress } from './verify/network';

/** Runs one group of checks; an error becomes an ERROR row (naming the call that failed) instead of ending the run. */
const guarded = (check: CheckId, resource: string, endpoint: string, run: () => Promise<CheckResult[]>) =>
  attempt({ endpoint }, [[check, CHECKS[check] as ControlId]], resource, run);

/** Every check of OPS-1 against the live environment; the order of the rows is stable. */
export async function verifyEnvironment(
  clients: OpsClients,
  env: EnvironmentConfig,
  options: VerifyOptions = {},
): Promise<CheckResult[]> {
  const now = options.now ?? new Date();
  const endpoint = options.endpoint ?? `the AWS endpoints of ${env.region}`;
  const maxAgeHours = options.maxDeliveryAgeHours ?? DEFAULT_MAX_DELIVERY_AGE_HOURS;
  const groups = await Promise.all([
    guarded('trail.exists', options.trailName ?? '(account)', endpoint, () =>
      checkTrail(clients.cloudtrail, env.region, { maxAgeHours, trailName: options.trailName, now }),
    ),
    guarded('fleet.exists', showTags(fleetTags(env)), endpoint, () => checkFleet(clients, env, now, endpoint)),
    guarded('ebs.encryption-by-default', env.region, endpoint, () => checkEbsDefault(clients.ec2, env.region)),
    guarded('network.vpc', showTags(networkTags(env)), endpoint, () => checkNetwork(clients.ec2, env)),
  ]);
  return groups.flat();
}

/** EBS encryption by default (IMM-6). */
async function checkEbsDefault(ec2: EC2Client, region: string): Promise<CheckResult[]> {
  const on = (await ec2.send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault === true;
  return [
    on
      ? pass('ebs.encryption-by-default', region, 'on: every new EBS volume is encrypted')
      : fail(
          'ebs.encryption-by-default',
          region,
          `off: new volumes may be unencrypted; turn it on (aws ec2 enable-ebs-encryption-by-default --region ${region})`,
        ),
  ];
}
