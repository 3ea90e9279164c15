/** The console tables of bench/run.ts. */
import { type FigureResult } from './results';
import { CFN_LIMITS, type StackUsage } from './limits';

export const fmt = (n: number, digits = 2) => n.toFixed(digits);

export function table(header: string[], rows: string[][], rightAligned: (i: number) => boolean): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAligned(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function printFigures(results: FigureResult[]): void {
  const rows = results.map((r) =>
    r.status === 'ok'
      ? [
          r.name,
          String(r.runs),
          `${fmt(r.wallSeconds!.min)} / ${fmt(r.wallSeconds!.median)} / ${fmt(r.wallSeconds!.max)}`,
          fmt(r.cpuSeconds!.median),
          `${Math.round(r.peakMiB!.min)} / ${Math.round(r.peakMiB!.median)} / ${Math.round(r.peakMiB!.max)}`,
          r.ratioToFloor ? `${fmt(r.ratioToFloor.wall)}x` : '-',
          r.ratioToFloor ? `${fmt(r.ratioToFloor.cpu)}x` : '-',
          r.ratioToFloor ? `${fmt(r.ratioToFloor.peak)}x` : '-',
        ]
      : [r.name, '0', 'FAILED', '-', '-', '-', '-', '-'],
  );
  console.log(
    table(
      [
        'figure',
        'runs',
        'wall s min / median / max',
        'cpu s',
        'peak MiB min / median / max',
        'wall/floor',
        'cpu/floor',
        'MiB/floor',
      ],
      rows,
      (i) => i > 0,
    ),
  );
  for (const r of results) if (r.note) console.log(`  ${r.name}: ${r.note}`);
}

export function printPhases(results: FigureResult[]): void {
  const withPhases = results.filter((r) => r.phases);
  if (withPhases.length === 0) return;
  console.log('\nWhere a synth spends its time (median seconds; bench/synth-app.ts):');
  console.log(
    table(
      ['figure', 'start (node, tsx, imports)', 'config', 'construct', 'synth (aspects, nag, validation, write)'],
      withPhases.map((r) => [
        r.name,
        fmt(r.phases!.start),
        fmt(r.phases!.config),
        fmt(r.phases!.construct),
        fmt(r.phases!.synth),
      ]),
      (i) => i > 0,
    ),
  );
}

export function printTestFiles(results: FigureResult[]): void {
  const withFiles = results.filter((r) => r.testFiles);
  if (withFiles.length === 0) return;
  const last = withFiles[withFiles.length - 1].testFiles!;
  const files = [...new Set(withFiles.flatMap((r) => Object.keys(r.testFiles!)))].sort(
    (a, b) => (last[b] ?? 0) - (last[a] ?? 0),
  );
  console.log('\nTime per test file (median seconds, from start to end of the file in its worker):');
  console.log(
    table(
      ['test file', ...withFiles.map((r) => r.name)],
      files.map((f) => [f, ...withFiles.map((r) => (r.testFiles![f] === undefined ? '-' : fmt(r.testFiles![f])))]),
      (i) => i > 0,
    ),
  );
}

export function printLimits(usage: StackUsage[]): void {
  console.log(
    `\nDemo synth against CloudFormation limits (${CFN_LIMITS.resources} resources, ${CFN_LIMITS.outputs} outputs, 1 MiB template):`,
  );
  console.log(
    table(
      ['stack', 'resources', '% of 500', 'outputs', '% of 200', 'template KiB', '% of 1 MiB'],
      usage.map((u) => [
        u.stack,
        String(u.resources),
        `${fmt(u.percent.resources, 1)}%`,
        String(u.outputs),
        `${fmt(u.percent.outputs, 1)}%`,
        fmt(u.templateBytes / 1024, 1),
        `${fmt(u.percent.templateBytes, 1)}%`,
      ]),
      (i) => i > 0,
    ),
  );
}
