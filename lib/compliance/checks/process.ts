import { COMPONENT_TAG, COMPONENTS } from '../../config/naming';
import { CONTROL_IDS, CONTROLS } from '../controls';
import { NAG_PACKS } from '../nag-packs';
import { Collector, notFromTemplates } from './collector';
import { verifyPointer } from './lookups';
import { keyValues, prop, resourcesOf } from './template';
import type { CheckContext, CheckResult } from './types';

/** SDLC-1: the packs every synth runs (one list, in ../nag-packs). */
export const REQUIRED_NAG_PACKS = NAG_PACKS;

/** An acknowledgment reason must start with the control it relates to: `NET-2: ...`. */
export const REASON_PATTERN = /^([A-Z]+-\d+): \S/;

/** SDLC-1: the four packs ran, found no unacknowledged error, and every acknowledgment names a control. */
export function checkSdlc1(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const report = ctx.nag;
  if (!report) {
    c.problem('no validation-report.json in the cloud assembly: the cdk-nag packs did not run');
    return c.finish('SDLC-1', '');
  }
  const row = (pack: string, value: string, ok: boolean, expected: string) =>
    c.fact({
      stack: '(validation-report.json)',
      logicalId: pack,
      type: 'cdk-nag pack',
      path: 'pluginReports',
      value,
      ok,
      expected,
    });
  for (const name of REQUIRED_NAG_PACKS) {
    // aws-cdk-lib leaves out a plugin with nothing to report, so a clean pack without acknowledgments
    // would be absent too; absence still fails, because the report cannot show that it ran.
    if (!report.packs.some((p) => p.pack === name)) row(name, 'absent from the report', false, 'ran on every synth');
  }
  for (const p of report.packs) {
    const errors = p.violations.filter((v) => v.severity !== 'warning');
    row(
      p.pack,
      `${p.conclusion}: ${errors.length} unacknowledged errors, ${p.violations.length - errors.length} warnings, ${p.acknowledged.length} acknowledged`,
      errors.length === 0,
      'no unacknowledged error',
    );
    for (const f of p.acknowledged) {
      const control = REASON_PATTERN.exec(f.reason ?? '')?.[1];
      if (control === undefined || !CONTROL_IDS.has(control)) {
        c.fact(
          {
            stack: '(validation-report.json)',
            logicalId: f.acknowledgedAt ?? f.constructPaths.join(', '),
            type: p.pack,
            path: f.rule,
            value: f.reason ?? '(no reason)',
            ok: false,
            expected: 'a reason starting with a control ID of the catalog',
          },
          `acknowledgment of ${f.rule} at ${f.acknowledgedAt ?? '?'} does not start with a control ID: "${f.reason ?? ''}"`,
        );
      }
    }
  }
  return c.finish(
    'SDLC-1',
    `${REQUIRED_NAG_PACKS.join(', ')} ran with no unacknowledged error; every acknowledgment names the control it relates to`,
  );
}

/** SDLC-3: dependency monitoring runs in CI, which no template shows. */
export function checkSdlc3(): CheckResult {
  return notFromTemplates(
    'SDLC-3',
    'MANUAL',
    'dependency vulnerability monitoring is a property of CI, not of the templates',
    'CI runs `npm run audit:deps` (high/critical advisories fail, allowlist entries need a reason and expire); check its latest result',
  );
}

/** SDLC-4: this report: every control has a computed row, every PASS shows evidence, every template is identified by hash. */
export function checkSdlc4(ctx: CheckContext, results: readonly CheckResult[]): CheckResult {
  const c = new Collector(ctx);
  // The environment's templates and the delivery templates its SDLC-2 rows cite.
  for (const s of [...ctx.stacks, ...(ctx.delivery ?? [])]) {
    c.fact({
      stack: s.stackName,
      logicalId: '(template)',
      type: 'template',
      path: s.templateFile ?? '(in memory)',
      value: s.sha256 ? `sha256 ${s.sha256}` : '(not hashed)',
      ok: s.sha256 !== undefined,
      expected: 'the SHA-256 of the template the evidence was read from',
    });
  }
  for (const control of CONTROLS) {
    if (control.id === 'SDLC-4') continue;
    const r = results.find((x) => x.control === control.id);
    if (!r) c.problem(`no check result for ${control.id}`);
    else if (r.status === 'PASS' && r.evidence.length === 0) c.problem(`${control.id} passes without evidence rows`);
  }
  return c.finish(
    'SDLC-4',
    `every control of the catalog has a status computed from ${ctx.stacks.length} hashed templates${ctx.delivery?.length ? ` (and ${ctx.delivery.length} of the delivery pipeline)` : ''}, and every PASS lists its evidence`,
  );
}

/** OPS-1: the verify command checks the running account; templates cannot. */
export function checkOps1(ctx: CheckContext): CheckResult {
  return notFromTemplates(
    'OPS-1',
    'MANUAL',
    'verifies the deployed environment through the AWS APIs, not the templates',
    verifyPointer(ctx.environment),
  );
}

/** OPS-2: rotate/rollback commands; the templates show only the hooks they rely on. */
export function checkOps2(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  for (const asg of resourcesOf(ctx.stacks, 'AWS::AutoScaling::AutoScalingGroup')) {
    const tag = keyValues(prop(asg, 'Tags'))[COMPONENT_TAG];
    c.check(
      asg,
      `Properties.Tags[${COMPONENT_TAG}]`,
      tag,
      tag === COMPONENTS.fleet,
      `${COMPONENTS.fleet} (how the operations CLI finds the fleet)`,
    );
  }
  c.manual('the rotate and rollback commands act on the running account');
  return c.finish(
    'OPS-2',
    'the fleet carries the tag the operations CLI finds it by',
    `\`npm run rotate -- --env ${ctx.environment}\` replaces every node; \`npm run rollback -- --env ${ctx.environment}\` returns to the previous image`,
  );
}

/**
 * OPS-3: live evidence and drift are facts of the running account, so the
 * templates cannot show them: MANUAL, pointing at the command that does
 * (lib/ops/live, `npm run verify -- --report DIR`). Not PASS: a template
 * proves nothing about what is deployed today.
 */
export function checkOps3(ctx: CheckContext): CheckResult {
  return notFromTemplates(
    'OPS-3',
    'MANUAL',
    'live evidence and drift come from the running account, not from the templates',
    `\`npm run verify -- --env ${ctx.environment} --assembly cdk.out --report DIR\` writes DIR/${ctx.environment}.live.md and .json: every control the AWS APIs show, and per stack whether the deployed template matches the synthesized one`,
  );
}
