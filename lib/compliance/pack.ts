import type { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, type NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { SaasRule } from './checks/construct';
import { AlbDefaultActionNotFound } from './rules/AlbDefaultActionNotFound';
import { AlbHstsOneYear } from './rules/AlbHstsOneYear';
import { AlbTlsPolicyStrict } from './rules/AlbTlsPolicyStrict';
import { AsgMaxInstanceLifetime } from './rules/AsgMaxInstanceLifetime';
import { BackupCopyToOtherRegion } from './rules/BackupCopyToOtherRegion';
import { BackupRestoreTestingPlan } from './rules/BackupRestoreTestingPlan';
import { BackupVaultLocked } from './rules/BackupVaultLocked';
import { RdsForceSsl } from './rules/RdsForceSsl';
import { TrailObjectLockFiveYears } from './rules/TrailObjectLockFiveYears';

/** Plugin and rule prefix in the validation report: `SaasControls-AlbTlsPolicyStrict`. */
export const SAAS_PACK_NAME = 'SaasControls';

/** Promises of CONTROLS.md that the AwsSolutions, NIST, HIPAA and PCI packs do not check. */
export const SAAS_RULES: readonly SaasRule[] = [
  AlbTlsPolicyStrict,
  AlbHstsOneYear,
  AlbDefaultActionNotFound,
  RdsForceSsl,
  BackupCopyToOtherRegion,
  BackupVaultLocked,
  BackupRestoreTestingPlan,
  AsgMaxInstanceLifetime,
  TrailObjectLockFiveYears,
];

/**
 * Our cdk-nag pack. Each rule runs a check function of lib/compliance/checks
 * (the same one the evidence report runs), so the build and the auditor's
 * report cannot disagree. Every rule is an error: a finding fails synthesis
 * unless acknowledged with a control-named reason.
 *
 * Register with `Validations.of(app).addPlugins(new SaasControlsChecks(app))`.
 */
export class SaasControlsChecks extends NagPack {
  readonly name = SAAS_PACK_NAME;
  readonly ruleIds = SAAS_RULES.map((r) => `${SAAS_PACK_NAME}-${r.rule.name}`);

  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = SAAS_PACK_NAME;
  }

  protected checkResource(node: CfnResource): void {
    for (const r of SAAS_RULES) {
      this.applyRule({ info: r.info, explanation: r.explanation, level: NagMessageLevel.ERROR, rule: r.rule, node });
    }
  }
}
