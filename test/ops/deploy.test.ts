import { runDeployCli, type Step } from '../../lib/ops/deploy';

/** npm run deploy: the gate runs first, and only its success lets cdk deploy run, from the same cdk.out. */

function run(argv: string[], codes: number[] = [0, 0]) {
  const steps: Step[] = [];
  let out = '';
  let err = '';
  const code = runDeployCli(argv, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    run: (step) => {
      steps.push(step);
      return codes[steps.length - 1] ?? 0;
    },
  });
  return { code, steps, out, err };
}

describe('npm run deploy', () => {
  test('--help names both steps', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/usage: npm run deploy -- --env NAME \[--config PATH\] \[--dry-run\]/);
    expect(r.out).toMatch(/bash scripts\/synth\.sh -c config=PATH/);
    expect(r.out).toMatch(/cdk deploy --app cdk\.out 'NAME\/\*'/);
    expect(r.steps).toEqual([]);
  });

  test('runs the synth gate, then cdk deploy of that environment from cdk.out', () => {
    const r = run(['--env', 'staging', '--config', 'config/demo.yaml']);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.steps).toEqual([
      { command: 'bash', args: ['scripts/synth.sh', '-c', 'config=config/demo.yaml'] },
      { command: 'node_modules/.bin/cdk', args: ['deploy', '--app', 'cdk.out', 'staging/*'] },
    ]);
  });

  test('a failing gate deploys nothing and exits 1', () => {
    const r = run(['--env', 'prod'], [1]);
    expect(r.code).toBe(1);
    expect(r.steps).toHaveLength(1);
    expect(r.err).toMatch(/the gate failed \(exit 1\); nothing was deployed/);
  });

  test('a failing cdk deploy exits 1', () => {
    const r = run(['--env', 'dev'], [0, 3]);
    expect([r.code, r.steps.length]).toEqual([1, 2]);
    expect(r.err).toMatch(/cdk deploy exited 3/);
  });

  test('--dry-run prints the exact commands and runs neither', () => {
    const r = run(['--env', 'dev', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.steps).toEqual([]);
    expect(r.out).toMatch(
      /\n {2}bash scripts\/synth\.sh -c config=config\/demo\.yaml\n {2}node_modules\/\.bin\/cdk deploy --app cdk\.out 'dev\/\*'\n$/,
    );
  });

  test('an unknown environment or flag is refused before the gate starts', () => {
    const a = run(['--env', 'qa']);
    expect([a.code, a.steps.length]).toEqual([2, 0]);
    expect(a.err).toMatch(/unknown environment "qa" in .*demo\.yaml; allowed: dev, staging, prod/);
    const b = run(['--env', 'dev', '--force']);
    expect([b.code, b.steps.length]).toEqual([2, 0]);
    expect(b.err).toMatch(/unknown flag --force for "deploy"/);
  });
});
