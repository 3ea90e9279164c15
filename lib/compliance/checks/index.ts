import { CONTROLS, type ControlId } from '../controls';
import { checkIam1, checkIam2, checkIam3 } from './access';
import { checkData3, checkData4, checkData5 } from './backup';
import { checkImm1, checkImm2, checkImm3, checkImm4, checkImm5, checkImm6, checkImm7, checkImm8 } from './compute';
import { checkImm10, checkImm9 } from './release';
import { checkData1, checkData2, checkData6, checkData7, checkData8 } from './data';
import { checkData9, checkData10 } from './tenant-data';
import { checkLog1, checkLog2, checkLog3, checkLog4, checkLog5, checkLog6 } from './logging';
import { checkNet3, checkNet4, checkNet5 } from './edge';
import { checkNet1, checkNet2, checkNet6, checkNet7 } from './network';
import { checkSdlc2 } from './delivery';
import { checkOps1, checkOps2, checkOps3, checkSdlc1, checkSdlc3, checkSdlc4 } from './process';
import { get, resourcesOf } from './template';
import type { CheckContext, CheckResult, ControlCheck, StackTemplate } from './types';

export * from './types';
export { parseNagReport, nagForEnvironment, type NagReport, type NagFinding, type NagPackResult } from './nag-report';

/**
 * One check per control of the catalog (SDLC-4 is computed from the others
 * in {@link runChecks}). The type makes a new catalog entry without a check a
 * compile error.
 */
export const CONTROL_CHECKS: Readonly<Record<Exclude<ControlId, 'SDLC-4'>, ControlCheck>> = {
  'NET-1': checkNet1,
  'NET-2': checkNet2,
  'NET-3': checkNet3,
  'NET-4': checkNet4,
  'NET-5': checkNet5,
  'NET-6': checkNet6,
  'NET-7': checkNet7,
  'IMM-1': checkImm1,
  'IMM-2': checkImm2,
  'IMM-3': checkImm3,
  'IMM-4': checkImm4,
  'IMM-5': checkImm5,
  'IMM-6': checkImm6,
  'IMM-7': checkImm7,
  'IMM-8': checkImm8,
  'IMM-9': checkImm9,
  'IMM-10': checkImm10,
  'DATA-1': checkData1,
  'DATA-2': checkData2,
  'DATA-3': checkData3,
  'DATA-4': checkData4,
  'DATA-5': checkData5,
  'DATA-6': checkData6,
  'DATA-7': checkData7,
  'DATA-8': checkData8,
  'DATA-9': checkData9,
  'DATA-10': checkData10,
  'LOG-1': checkLog1,
  'LOG-2': checkLog2,
  'LOG-3': checkLog3,
  'LOG-4': checkLog4,
  'LOG-5': checkLog5,
  'LOG-6': checkLog6,
  'IAM-1': checkIam1,
  'IAM-2': checkIam2,
  'IAM-3': checkIam3,
  'SDLC-1': checkSdlc1,
  'SDLC-2': checkSdlc2,
  'SDLC-3': checkSdlc3,
  'OPS-1': checkOps1,
  'OPS-2': checkOps2,
  'OPS-3': checkOps3,
};

/** Runs every check, in catalog order. A check that throws fails its control instead of hiding it. */
export function runChecks(ctx: CheckContext): CheckResult[] {
  const results: CheckResult[] = [];
  for (const control of CONTROLS) {
    if (control.id === 'SDLC-4') continue;
    results.push(runOne(control.id, () => CONTROL_CHECKS[control.id](ctx)));
  }
  const sdlc4 = runOne('SDLC-4', () => checkSdlc4(ctx, results));
  return CONTROLS.map((c) => (c.id === 'SDLC-4' ? sdlc4 : results.find((r) => r.control === c.id)!));
}

function runOne(control: ControlId, check: () => CheckResult): CheckResult {
  try {
    return check();
  } catch (e) {
    const message = `the check itself failed: ${e instanceof Error ? e.message : String(e)}`;
    return { control, status: 'FAIL', summary: message, problems: [message], evidence: [] };
  }
}

/** Why an environment is treated as production: any one signal is enough. */
export interface ProductionSignals {
  readonly production: boolean;
  readonly signals: readonly string[];
}

/**
 * Whether an environment is production, from its artifacts only:
 * termination-protected stacks (the manifest), or the compliance-mode locks
 * only production uses. Several signals, so that dropping termination
 * protection alone does not make production look like a test environment.
 */
export function productionSignals(stacks: readonly StackTemplate[]): ProductionSignals {
  const signals: string[] = [];
  const protectedStacks = stacks.filter((s) => s.terminationProtection === true);
  if (protectedStacks.length > 0)
    signals.push(`termination protection on ${protectedStacks.length} of ${stacks.length} stacks`);
  const compliantVaults = resourcesOf(stacks, 'AWS::Backup::BackupVault').filter(
    (v) => get(v.resource.Properties, 'LockConfiguration.ChangeableForDays') !== undefined,
  );
  if (compliantVaults.length > 0)
    signals.push(
      `${compliantVaults.length} backup ${compliantVaults.length === 1 ? 'vault' : 'vaults'} locked in compliance mode`,
    );
  const lockedBuckets = resourcesOf(stacks, 'AWS::S3::Bucket').filter(
    (b) => get(b.resource.Properties, 'ObjectLockConfiguration.Rule.DefaultRetention.Mode') === 'COMPLIANCE',
  );
  if (lockedBuckets.length > 0)
    signals.push(
      `${lockedBuckets.length} ${lockedBuckets.length === 1 ? 'bucket' : 'buckets'} with compliance-mode Object Lock`,
    );
  return { production: signals.length > 0, signals };
}
