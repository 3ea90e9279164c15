import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type App, CfnResource, Validations } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { addEnvironments } from '../../lib/app';
import { SAAS_PACK_NAME, SAAS_RULES, SaasControlsChecks } from '../../lib/compliance/pack';
import { loadConfig } from '../../lib/config/load';
import { newTestApp } from '../helpers/app';

interface PluginReport {
  pluginName: string;
  conclusion: string;
  violations: { ruleName: string }[];
}

// What registering the pack in lib/compliance/nag-packs.ts does to `npm run synth`: the
// demo configuration must still synthesize, and the pack must find nothing to acknowledge.
let app: App;
let outdir: string;
beforeAll(() => {
  app = newTestApp();
  addEnvironments(app, loadConfig());
  Validations.of(app).addPlugins(new SaasControlsChecks(app));
  outdir = app.synth().directory;
});

test('the demo configuration synthesizes with the SaasControls pack registered', () => {
  const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: PluginReport[];
  };
  // aws-cdk-lib omits a plugin that has nothing to report; present, it must be clean.
  const ours = report.pluginReports.filter((p) => p.pluginName === SAAS_PACK_NAME);
  expect(ours.flatMap((p) => p.violations)).toEqual([]);
  expect(report.pluginReports.map((p) => p.pluginName)).toEqual(
    expect.arrayContaining(['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']),
  );
});

test('every rule of the pack ran over the demo app and found no violation', () => {
  const result = new SaasControlsChecks().validateScope(app);
  expect(result.violations).toEqual([]);
  expect(result.success).toBe(true);
});

test('every rule applies to the demo app (a rule that is never applicable proves nothing)', () => {
  const resources = app.node.findAll().filter(CfnResource.isCfnResource);
  const verdicts = Object.fromEntries(
    SAAS_RULES.map((r) => {
      const results = resources.map((node) => r.rule(node));
      return [
        r.rule.name,
        {
          compliant: results.filter((x) => x === NagRuleCompliance.COMPLIANT).length,
          failing: results.filter((x) => x === NagRuleCompliance.NON_COMPLIANT).length,
        },
      ];
    }),
  );
  for (const [name, v] of Object.entries(verdicts)) {
    // Three environments: at least one compliant resource each.
    expect([name, v.failing, v.compliant >= 3]).toEqual([name, 0, true]);
  }
});
