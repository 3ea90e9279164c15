/**
 * The synth gate's checks after synthesis, run inside the CDK app's own
 * process: cfn-lint over every template (parallel, cached: lint/lint.ts), then
 * the evidence report, which fails when a production environment has a FAILing
 * control (compliance/evidence/cli.ts). `npm run synth` (scripts/synth.sh)
 * turns it on with SAAS_SYNTH_GATE=1; a plain `cdk synth` does not run it.
 *
 * Why in the app: as a separate step each check paid its own Node + tsx
 * start-up and module loading (about 0.6 s for the lint cache lookup and 2 s
 * for the evidence report, most of it loading what the app has already
 * loaded), so a gate where nothing changed cost about 1.5x the synth alone.
 * In the app the same checks cost the work they do. The order and the output
 * are those of the separate steps: cfn-lint first (any error stops the gate
 * before the report is written), then the report.
 */
import * as os from 'node:os';
import { runEvidenceCli } from '../compliance/evidence/cli';
import { LintSetupError } from './lint/cfn-lint';
import { lintCacheDir, lintJobs, lintTemplates } from './lint/lint';

/** The environment variable that turns the gate on in the app (scripts/synth.sh sets it). */
export const SYNTH_GATE_ENV = 'SAAS_SYNTH_GATE';

export interface GateOptions {
  /** The cloud assembly the app has just written. */
  readonly outdir: string;
  /** The repository root: cfn-lint's configuration and the default lint cache live there. */
  readonly root: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Whether this process should run the gate after synthesis. */
export function gateRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[SYNTH_GATE_ENV] === '1';
}

/** Lints, then writes the evidence report; the exit code of the first step that fails (1 findings, 2 cannot run). */
export async function runSynthGate(o: GateOptions): Promise<number> {
  const env = o.env ?? process.env;
  let lintCode: number;
  try {
    const jobs = lintJobs(env.CFN_LINT_JOBS, 'CFN_LINT_JOBS') ?? os.availableParallelism();
    lintCode = (
      await lintTemplates({
        outdir: o.outdir,
        cacheDir: lintCacheDir(o.root, env),
        jobs,
        cwd: o.root,
        env,
        stdout: o.stdout,
        stderr: o.stderr,
      })
    ).exitCode;
  } catch (e) {
    if (!(e instanceof LintSetupError)) throw e;
    o.stderr(`lint-templates: ${e.message}\n`);
    return 2;
  }
  if (lintCode !== 0) return lintCode;
  return runEvidenceCli([o.outdir], { stdout: o.stdout, stderr: o.stderr });
}
