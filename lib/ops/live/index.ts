import type { OpsClients } from '../clients';
import { type CheckResult, verifyEnvironment, type VerifyOptions } from '../verify';
import { backups, restoreTests } from './backup';
import { type LiveContext, type LiveFamily, runFamily } from './check';
import { buckets, database, keys } from './data';
import { drift } from './drift';
import { iam } from './iam';
import { images, fleetShape } from './images';
import { ingress } from './ingress';
import { alarms, detection, logGroups, sessions } from './logging';
import { network } from './network';

/** Every family of live checks, one per concern (lib/ops/live/<family>.ts); the report keeps this order. */
export const FAMILIES: readonly LiveFamily[] = [
  ingress,
  network,
  fleetShape,
  images,
  database,
  buckets,
  keys,
  backups,
  restoreTests,
  logGroups,
  alarms,
  detection,
  sessions,
  iam,
  drift,
];

/** The rows verify has always produced (trail, fleet, EBS default, internet ingress) plus every live family. */
export async function verifyLive(
  ctx: LiveContext,
  account: string,
  options: VerifyOptions = {},
): Promise<CheckResult[]> {
  const ops: OpsClients = ctx.ops;
  const [base, ...families] = await Promise.all([
    verifyEnvironment(ops, ctx.env, { ...options, now: ctx.now, endpoint: ctx.endpoint }),
    ...FAMILIES.map((f) => runFamily(f, ctx)),
  ]);
  const iam3: CheckResult = {
    check: 'account.separate',
    control: 'IAM-3',
    resource: ctx.env.name,
    status: 'PASS',
    detail: `the credentials are for account ${account}, the environment's own (checked before any other call)`,
    property: 'caller account (STS GetCallerIdentity)',
    found: account,
    required: `${ctx.env.account} (account of environment ${ctx.env.name})`,
  };
  return [iam3, ...base, ...families.flat()];
}
