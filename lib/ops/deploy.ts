import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { DEMO_CONFIG_PATH } from '../config/load';
import { type CommandSpec, HELP_FLAG, helpText, parseFlags } from '../cli/args';
import { CONFIG_FLAG, ENV_FLAG } from './args';
import { type CliIo, failure, flagsHint } from './command';
import { selectEnvironment } from './environment';
import { EXIT, type ExitCode, UsageError } from './errors';

/**
 * `npm run deploy -- --env NAME [--config PATH]`: the gate, then the deploy,
 * from one cloud assembly. The gate is `npm run synth`'s script
 * (scripts/synth.sh: synth with the cdk-nag packs, cfn-lint over every
 * template, the evidence report that fails on any FAIL of a production
 * environment); only when it passes does `cdk deploy --app cdk.out` deploy the
 * stacks of that one environment from the templates the gate checked, so
 * nothing is synthesized twice and nothing unchecked is deployed.
 */

const ROOT = path.join(__dirname, '..', '..');

export const DEPLOY_COMMAND: CommandSpec = {
  name: 'deploy',
  summary: 'run the synth gate (cdk-nag, cfn-lint, evidence), then deploy one environment from the same cloud assembly',
  flags: [
    ENV_FLAG,
    CONFIG_FLAG,
    { name: 'dry-run', type: 'boolean', help: 'print the two commands and run neither' },
    HELP_FLAG,
  ],
};

export const deployHelp = (): string =>
  helpText(DEPLOY_COMMAND, {
    usage: 'npm run deploy -- --env NAME [--config PATH] [--dry-run]',
    description: [
      '  1. bash scripts/synth.sh -c config=PATH   (what npm run synth runs; any failure stops here)',
      "  2. cdk deploy --app cdk.out 'NAME/*'      (the environment's stacks, from the checked templates)",
    ],
    footer: [
      "Needs credentials for the environment's account for step 2 (cdk deploy asks to approve IAM",
      'and security-group changes). Exit codes: 0 deployed, 1 the gate or the deploy failed, 2 usage.',
    ],
  });

/** One step: the program, its arguments, and how it is shown. */
export interface Step {
  readonly command: string;
  readonly args: readonly string[];
}

export function deploySteps(envName: string, configPath: string): { gate: Step; deploy: Step } {
  return {
    gate: { command: 'bash', args: ['scripts/synth.sh', '-c', `config=${configPath}`] },
    deploy: {
      command: path.join('node_modules', '.bin', 'cdk'),
      args: ['deploy', '--app', 'cdk.out', `${envName}/*`],
    },
  };
}

const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);
export const showStep = (s: Step) => [s.command, ...s.args].map(quote).join(' ');

export interface DeployDeps extends Pick<CliIo, 'stdout' | 'stderr'> {
  /** Runs a step in the repository root with the terminal attached; returns its exit code. */
  readonly run?: (step: Step) => number;
}

const runStep = (step: Step): number => {
  const r = spawnSync(step.command, step.args, { cwd: ROOT, stdio: 'inherit' });
  if (r.error) throw new UsageError(`cannot run ${step.command}: ${r.error.message}`);
  return r.status ?? 1;
};

/** Runs `deploy`; never throws. */
export function runDeployCli(argv: readonly string[], deps: DeployDeps): ExitCode {
  try {
    const flags = parseFlags(DEPLOY_COMMAND, argv);
    if (flags.help) {
      deps.stdout(deployHelp());
      return EXIT.ok;
    }
    const config = (flags.config as string | undefined) ?? DEMO_CONFIG_PATH;
    // A wrong name or a bad file is refused before the minute-long gate starts.
    const env = selectEnvironment(flags.env as string | undefined, config);
    const { gate, deploy } = deploySteps(env.name, path.relative(ROOT, path.resolve(config)) || config);
    if (flags['dry-run']) {
      deps.stdout(`deploy: would run, in ${ROOT}:\n  ${showStep(gate)}\n  ${showStep(deploy)}\n`);
      return EXIT.ok;
    }
    const run = deps.run ?? runStep;
    deps.stdout(`deploy: gate for ${env.name}: ${showStep(gate)}\n`);
    const gateCode = run(gate);
    if (gateCode !== 0) {
      deps.stderr(
        `deploy: the gate failed (exit ${gateCode}); nothing was deployed. Fix what it reports (cdk-nag, cfn-lint or the evidence report in cdk.out/evidence/) and run again.\n`,
      );
      return EXIT.failed;
    }
    deps.stdout(
      `deploy: gate passed; deploying ${env.name} (${env.account}, ${env.region} and ${env.drRegion}): ${showStep(deploy)}\n`,
    );
    const deployCode = run(deploy);
    if (deployCode !== 0) {
      deps.stderr(`deploy: cdk deploy exited ${deployCode}; see its output above\n`);
      return EXIT.failed;
    }
    deps.stdout(
      `deploy: ${env.name} deployed from the checked cloud assembly (cdk.out/evidence/${env.name}.md is its evidence)\n`,
    );
    return EXIT.ok;
  } catch (e) {
    return failure(deps.stderr, 'deploy', e, flagsHint('npm run deploy -- --help'));
  }
}
