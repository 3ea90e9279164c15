import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { SaasControlsChecks } from './pack';

/**
 * The standard cdk-nag packs every synth runs (SDLC-1), by the name the
 * validation report gives them; our own SaasControls pack runs beside them.
 * The one list: registration, the SDLC-1 check and the tests read it.
 */
const STANDARD_PACKS = {
  AwsSolutions: (app: App) => new AwsSolutionsChecks(app),
  'NIST.800.53.R5': (app: App) => new NIST80053R5Checks(app),
  'HIPAA.Security': (app: App) => new HIPAASecurityChecks(app),
  'PCI.DSS.321': (app: App) => new PCIDSS321Checks(app),
} as const;

export const NAG_PACKS = Object.keys(STANDARD_PACKS) as readonly (keyof typeof STANDARD_PACKS)[];

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
    ...NAG_PACKS.map((name) => STANDARD_PACKS[name](app)),
    ...((options.ownPack ?? true) ? [new SaasControlsChecks(app)] : []),
  );
}
