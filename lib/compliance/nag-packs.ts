import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { SaasControlsChecks } from './pack';

/** The standard cdk-nag packs every synth runs (SDLC-1); our own SaasControls pack runs beside them. */
export const NAG_PACKS = ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'] as const;

export interface NagPackOptions {
  /**
   * Also run our SaasControls pack (TLS policy, HSTS, force_ssl, vault lock, ...).
   * @default true
   */
  readonly ownPack?: boolean;
}

/**
 * Registers the four cdk-nag packs, and our own, on the app. Any
 * unacknowledged error fails synthesis; findings are written to
 * `validation-report.json` in the assembly.
 */
export function applyNagPacks(app: App, options: NagPackOptions = {}): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
    new PCIDSS321Checks(app),
    ...((options.ownPack ?? true) ? [new SaasControlsChecks(app)] : []),
  );
}
