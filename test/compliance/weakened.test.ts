import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { App } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as backup from 'aws-cdk-lib/aws-backup';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { addEnvironments } from '../../lib/app';
import { applyNagPacks } from '../../lib/compliance/nag-packs';
import { runEvidenceCli } from '../../lib/compliance/evidence/cli';
import type { EvidenceReport } from '../../lib/compliance/evidence/report';
import { SAAS_PACK_NAME, SaasControlsChecks } from '../../lib/compliance/pack';
import { loadConfig } from '../../lib/config/load';
import { HSTS_ATTRIBUTE } from '../../lib/compliance/checks/lookups';
import { newTestApp, tempDir } from '../helpers/app';

// The production environment of the demo, weakened after construction the way an
// escape hatch or a careless edit would: every row the report computes must notice.
const prod = loadConfig().environments.find((e) => e.production)!;

let app: App;
let out: string;
let result: { code: number; stdout: string; stderr: string };
beforeAll(() => {
  app = newTestApp();
  // The standard packs only: with our own pack, synthesis itself stops at the weakening
  // (the last test shows that); here the report must find it in the templates.
  const [stage] = addEnvironments(app, { environments: [prod] }, { nag: false });
  applyNagPacks(app, { ownPack: false });

  // NET-3: no HSTS header.
  const listener = stage.ingress.entry.httpsListener.node.defaultChild as elbv2.CfnListener;
  listener.listenerAttributes = (listener.listenerAttributes as elbv2.CfnListener.ListenerAttributeProperty[]).filter(
    (a) => a.key !== HSTS_ATTRIBUTE,
  );
  // IMM-3: nodes live a month.
  (stage.app.fleet.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup).maxInstanceLifetime =
    30 * 86_400;
  // DATA-1: the server accepts plaintext.
  const parameters = stage.data.node
    .findAll()
    .find((c): c is rds.CfnDBParameterGroup => c instanceof rds.CfnDBParameterGroup)!;
  parameters.addPropertyOverride('Parameters.rds\\.force_ssl', '0');
  // DATA-3: the daily backups stay in the primary region.
  (stage.data.backup.plan.node.defaultChild as backup.CfnBackupPlan).addPropertyDeletionOverride(
    'BackupPlan.BackupPlanRule.1.CopyActions',
  );

  const outdir = app.synth().directory;
  out = tempDir();
  let stdout = '';
  let stderr = '';
  const code = runEvidenceCli([outdir, '--out', out], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  result = { code, stdout, stderr };
});

const report = (): EvidenceReport => JSON.parse(readFileSync(path.join(out, `${prod.name}.json`), 'utf8'));

test('exactly the weakened controls turn FAIL', () => {
  expect(report().summary.failing).toEqual(['NET-3', 'IMM-3', 'DATA-1', 'DATA-3']);
});

test('the failing rows show the weakened values', () => {
  const failing = (id: string) =>
    report()
      .controls.find((c) => c.control === id)!
      .evidence.filter((e) => !e.ok)
      .map((e) => [e.stack, e.path, e.value]);
  expect(failing('NET-3')).toEqual([
    [`${prod.name}-Ingress`, `Properties.ListenerAttributes[${HSTS_ATTRIBUTE}]`, '(absent)'],
  ]);
  expect(failing('IMM-3')).toEqual([[`${prod.name}-App`, 'Properties.MaxInstanceLifetime', '2592000 s (30 days)']]);
  expect(failing('DATA-1')).toEqual([[`${prod.name}-Data`, 'Properties.Parameters.rds.force_ssl', '0']]);
  expect(failing('DATA-3')).toEqual([
    [`${prod.name}-Data`, 'Properties.BackupPlan.BackupPlanRule.1.CopyActions', 'none'],
  ]);
});

test('the report exits 1 for a failing production environment, naming it and its controls', () => {
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`evidence: production environment ${prod.name} fails NET-3, IMM-3, DATA-1, DATA-3;`);
});

test('the SaasControls pack flags the same weakening at synth time', () => {
  const found = new SaasControlsChecks().validateScope(app).violations.map((v) => v.ruleName);
  expect(found.sort()).toEqual(
    ['AlbHstsOneYear', 'AsgMaxInstanceLifetime', 'BackupCopyToOtherRegion', 'RdsForceSsl'].map(
      (r) => `${SAAS_PACK_NAME}-${r}`,
    ),
  );
});

test('with the default packs, the same weakening stops synthesis (SDLC-1)', () => {
  const strict = newTestApp();
  const [stage] = addEnvironments(strict, { environments: [prod] });
  const listener = stage.ingress.entry.httpsListener.node.defaultChild as elbv2.CfnListener;
  listener.listenerAttributes = (listener.listenerAttributes as elbv2.CfnListener.ListenerAttributeProperty[]).filter(
    (a) => a.key !== HSTS_ATTRIBUTE,
  );
  expect(() => strict.synth()).toThrow(/SaasControls-AlbHstsOneYear/);
});
