/**
 * Where the CPU time of one synth goes: runs bench/synth-app.ts under V8's
 * sampling profiler and sums the samples by package and by function.
 *
 *   node --import tsx bench/profile.ts [--envs N] [--no-nag] [--validation] [--top N]
 *
 * --envs N synthesizes a generated config with N environments instead of the
 * demo config. The raw profile is kept in bench/results/profiles/ for Chrome
 * DevTools or speedscope.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type CommandSpec, HELP_FLAG, helpText, parseFlags, UsageError, usageMessage } from '../lib/cli/args';
import { cliContext } from './cdk-context';
import { writeGeneratedConfig } from './generate-config';
import { cleanEnv } from './measure';

const ROOT = path.join(__dirname, '..');
const PROFILES = path.join(ROOT, 'bench', 'results', 'profiles');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

interface Options {
  envs?: number;
  nag: boolean;
  validation: boolean;
  top: number;
}

export const PROFILE_COMMAND: CommandSpec = {
  name: 'profile',
  summary: 'where the CPU time of one synth goes (V8 sampling profiler over bench/synth-app.ts)',
  flags: [
    { name: 'envs', type: 'number', integer: true, min: 1, value: 'N', help: 'a generated config with N environments' },
    { name: 'no-nag', type: 'boolean', help: 'synthesize without the nag packs' },
    { name: 'validation', type: 'boolean', help: "with aws-cdk-lib's built-in CloudFormation validation" },
    { name: 'top', type: 'number', integer: true, min: 1, value: 'N', help: 'how many functions to list (default 20)' },
    HELP_FLAG,
  ],
};

function profileOptions(argv: readonly string[]): Options | 'help' {
  const f = parseFlags(PROFILE_COMMAND, argv);
  if (f.help) return 'help';
  return {
    envs: f.envs as number | undefined,
    nag: !f['no-nag'],
    validation: f.validation === true,
    top: (f.top as number | undefined) ?? 20,
  };
}

/** Which part of the code a script URL belongs to. */
function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes(`${ROOT}/lib/`)) return 'the app (lib/)';
  return path.relative(ROOT, url.replace(/^file:\/\//, ''));
}

/**
 * The call tree below the nodes `isRoot` picks, as indented lines of
 * inclusive seconds: construction vs synthesis vs nag, stack by stack. Nodes
 * of the same function under one parent are merged; under 1% is left out.
 */
function callTree(profile: CpuProfile, isRoot: (n: ProfileNode) => boolean, depth: number, total: number): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + profile.timeDeltas[i] / 1e6));
  const inclusive = new Map<number, number>();
  const incl = (id: number): number => {
    let t = inclusive.get(id);
    if (t === undefined) {
      t = (self.get(id) ?? 0) + (byId.get(id)!.children ?? []).reduce((sum, c) => sum + incl(c), 0);
      inclusive.set(id, t);
    }
    return t;
  };
  const label = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} (${path.basename(n.callFrame.url)})`;
  const lines: string[] = [];
  const walk = (ids: number[], level: number) => {
    const merged = new Map<string, { seconds: number; children: number[] }>();
    for (const id of ids) {
      const n = byId.get(id)!;
      const m = merged.get(label(n)) ?? { seconds: 0, children: [] };
      m.seconds += incl(id);
      m.children.push(...(n.children ?? []));
      merged.set(label(n), m);
    }
    for (const [name, m] of [...merged].sort((a, b) => b[1].seconds - a[1].seconds)) {
      if (m.seconds / total < 0.01) continue;
      lines.push(`  ${m.seconds.toFixed(2).padStart(6)} s  ${'  '.repeat(level)}${name}`);
      if (level < depth) walk(m.children, level + 1);
    }
  };
  walk(
    profile.nodes.filter(isRoot).map((n) => n.id),
    0,
  );
  return lines;
}

/** Self time in seconds per key, biggest first. */
function selfTimes(profile: CpuProfile, key: (n: ProfileNode) => string): [string, number][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const k = key(byId.get(id)!);
    totals.set(k, (totals.get(k) ?? 0) + profile.timeDeltas[i] / 1e6);
  });
  return [...totals.entries()].sort((a, b) => b[1] - a[1]);
}

function main(): void {
  let o: Options | 'help';
  try {
    o = profileOptions(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(usageMessage('profile', e, 'Run "node --import tsx bench/profile.ts --help" for its flags.'));
    process.exitCode = e.exitCode;
    return;
  }
  if (o === 'help') {
    process.stdout.write(helpText(PROFILE_COMMAND, { usage: 'node --import tsx bench/profile.ts [flags]' }));
    return;
  }
  mkdirSync(PROFILES, { recursive: true });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hardened-saas-profile-'));
  try {
    const context = cliContext(ROOT);
    if (o.envs) context.config = writeGeneratedConfig(o.envs, path.join(tmp, `envs-${o.envs}.yaml`));
    const before = new Set(readdirSync(PROFILES));
    const run = spawnSync(
      'node',
      ['--cpu-prof', '--cpu-prof-dir', PROFILES, '--import', 'tsx', 'bench/synth-app.ts', o.nag ? '--nag' : '--no-nag'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: cleanEnv({
          CDK_OUTDIR: path.join(tmp, 'cdk.out'),
          CDK_CONTEXT_JSON: JSON.stringify(context),
          CDK_VALIDATION: o.validation ? undefined : 'false',
        }),
      },
    );
    if (run.status !== 0) throw new Error(`synth failed (exit ${run.status}):\n${run.stderr.slice(-3000)}`);
    // One profile per thread (tsx runs its loader in a worker): the main thread's has thread id 0.
    const written = readdirSync(PROFILES).filter((f) => !before.has(f) && f.endsWith('.cpuprofile'));
    const file = written.find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f));
    if (!file) throw new Error(`no main-thread profile among ${JSON.stringify(written)} in ${PROFILES}`);
    for (const other of written) if (other !== file) rmSync(path.join(PROFILES, other));
    const profile = JSON.parse(readFileSync(path.join(PROFILES, file), 'utf8')) as CpuProfile;
    const total = profile.timeDeltas.reduce((a, b) => a + b, 0) / 1e6;
    const pct = (s: number) => `${((100 * s) / total).toFixed(1)}%`.padStart(6);

    console.log(
      `profile of one synth: ${o.envs ? `${o.envs} generated environments` : 'demo config'}, ` +
        `nag ${o.nag ? 'on' : 'off'}, validation ${o.validation ? 'on' : 'off'}; ${total.toFixed(2)} s sampled on the main thread`,
    );
    console.log(`raw profile: ${path.relative(ROOT, path.join(PROFILES, file))}\n\nself time by package:`);
    for (const [pkg, s] of selfTimes(profile, (n) => packageOf(n.callFrame.url, n.callFrame.functionName))) {
      if (s / total >= 0.005) console.log(`  ${s.toFixed(2).padStart(6)} s ${pct(s)}  ${pkg}`);
    }
    // synth-app's main() holds everything after the imports: config, construction, synthesis.
    console.log('\ninclusive time below bench/synth-app.ts main() (what is not here is start-up and imports):');
    const isMain = (n: ProfileNode) => n.callFrame.functionName === 'main' && n.callFrame.url.endsWith('synth-app.ts');
    for (const line of callTree(profile, isMain, 4, total)) console.log(line);
    console.log(`\ntop ${o.top} functions by self time:`);
    const fn = (n: ProfileNode) => {
      const where = n.callFrame.url ? `${packageOf(n.callFrame.url, '')}:${path.basename(n.callFrame.url)}` : '';
      return `${n.callFrame.functionName || '(anonymous)'} ${where}:${n.callFrame.lineNumber + 1}`;
    };
    for (const [name, s] of selfTimes(profile, fn).slice(0, o.top)) {
      console.log(`  ${s.toFixed(2).padStart(6)} s ${pct(s)}  ${name}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  process.stderr.write(`profile: ${(e as Error).message}\n`);
  process.exit(1);
}
