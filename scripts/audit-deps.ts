/**
 * SDLC-3: fails on a known high or critical vulnerability in production
 * dependencies, unless audit-allowlist.json accepts that advisory for that
 * package with a reason and an expiry date (at most 90 days).
 *
 * Exit codes: 0 clean (or every finding accepted), 1 blocking findings or a
 * bad/expired allowlist, 3 the registry's audit endpoint could not be reached
 * (reported loudly; .ci/run decides what to do with it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AllowlistSchema, evaluateAudit } from '../lib/sdlc/dependency-audit';

const root = path.join(__dirname, '..');
const allowlistFile = path.join(root, 'audit-allowlist.json');

const raw = existsSync(allowlistFile) ? JSON.parse(readFileSync(allowlistFile, 'utf8')) : [];
const parsed = AllowlistSchema.safeParse(raw);
if (!parsed.success) {
  for (const i of parsed.error.issues) console.error(`audit-allowlist.json: [${i.path.join('.')}] ${i.message}`);
  process.exit(1);
}

const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: root, encoding: 'utf8' });
let report: Record<string, unknown>;
try {
  report = JSON.parse(run.stdout);
} catch {
  console.error(
    `dependency audit: npm audit printed no JSON (exit ${run.status}): ${run.stderr.trim().split('\n').pop()}`,
  );
  process.exit(3);
}
if (!('vulnerabilities' in report)) {
  console.error(
    `dependency audit: the registry's advisory endpoint did not answer (${String(report.message ?? 'no message')}); no verdict. ` +
      'Run `npm run audit:deps` where the npm registry is reachable.',
  );
  process.exit(3);
}

const today = new Date().toISOString().slice(0, 10);
const verdict = evaluateAudit(report as Parameters<typeof evaluateAudit>[0], parsed.data, today);
for (const a of verdict.accepted)
  console.log(`accepted until ${a.expires}: ${a.severity} ${a.advisory} in ${a.package} (${a.reason})`);
for (const p of verdict.allowlistProblems) console.error(`allowlist: ${p}`);
for (const b of verdict.blocking) console.error(`BLOCKING ${b.severity} ${b.advisory} in ${b.package}: ${b.title}`);
if (verdict.blocking.length > 0 || verdict.allowlistProblems.length > 0) process.exit(1);
console.log(
  `dependency audit: no unaccepted high or critical advisories in production dependencies (${verdict.accepted.length} accepted)`,
);
