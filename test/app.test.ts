import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Stack, Stage } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { addEnvironments } from '../lib/app';
import { CONTROL_IDS } from '../lib/compliance/controls';
import { NAG_PACKS } from '../lib/compliance/nag-packs';
import { loadConfig } from '../lib/config/load';
import { newTestApp, resourcesOf, synthConfig, type Synthesized } from './helpers/app';

const config = loadConfig();
let synth: Synthesized;
beforeAll(() => {
  // The one test synth with aws-cdk-lib's built-in CloudFormation schema check on
  // (`npm run synth` relies on cfn-lint instead).
  synth = synthConfig(config, { validation: true });
});

interface Violation {
  ruleName: string;
  violatingConstructs: { constructPath: string }[];
  acknowledgedId?: string;
  reason?: string;
  acknowledgedAt?: string;
}
interface Report {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: Violation[];
    suppressedViolations?: Violation[];
  }[];
}
const report = (): Report => JSON.parse(readFileSync(path.join(synth.outdir, 'validation-report.json'), 'utf8'));

describe('SDLC-1: cdk-nag', () => {
  test('all four packs ran over every environment and found no unacknowledged error', () => {
    const r = report();
    // The built-in CloudFormation schema check reports here too, when it is on.
    expect(r.pluginReports.map((p) => p.pluginName).sort()).toEqual([...NAG_PACKS, 'CloudFormation Validate'].sort());
    for (const p of r.pluginReports) {
      const errors = p.violations.filter((v) => (v as { severity?: string }).severity !== 'warning');
      expect([p.pluginName, p.conclusion, errors]).toEqual([p.pluginName, 'success', []]);
    }
  });

  test('every acknowledgment names a control of the catalog, has a real reason and sits on a construct, not a stack', () => {
    const catalog = CONTROL_IDS;
    const suppressed = report().pluginReports.flatMap((p) => p.suppressedViolations ?? []);
    expect(suppressed.length).toBeGreaterThan(0);
    const stackPaths = new Set(
      synth.stages.flatMap((s) => s.node.children.filter(Stack.isStack).map((st) => st.node.path)),
    );
    for (const v of suppressed) {
      const control = /^([A-Z]+-\d+): /.exec(v.reason ?? '')?.[1];
      expect([v.acknowledgedId, control && catalog.has(control)]).toEqual([v.acknowledgedId, true]);
      expect((v.reason ?? '').length).toBeGreaterThan(40);
      expect(stackPaths.has(v.acknowledgedAt ?? '')).toBe(false);
    }
  });

  test('the packs are really active: an unencrypted, unlogged bucket fails synthesis', () => {
    const app = newTestApp();
    const [stage] = addEnvironments(app, { environments: [config.environments[0]] });
    new s3.Bucket(stage.logArchive, 'Careless');
    expect(() => app.synth()).toThrow(/Careless[\s\S]*AwsSolutions-S10/);
  });
});

describe('IAM-3 and DATA-7: one stage per environment', () => {
  test('each environment is its own stage in its own account and region', () => {
    expect(synth.stages.map((s) => [s.stageName, s.account, s.region])).toEqual(
      config.environments.map((e) => [e.name, e.account, e.region]),
    );
    for (const stage of synth.stages) {
      for (const stack of stage.node.children.filter(Stack.isStack)) {
        expect([stack.stackName, stack.account]).toEqual([stack.stackName, stage.account]);
        expect(Stage.of(stack)).toBe(stage);
      }
    }
  });

  test('production stacks, and only those, have termination protection', () => {
    for (const stage of synth.stages) {
      const prod = config.environments.find((e) => e.name === stage.stageName)!.production;
      for (const stack of stage.node.children.filter(Stack.isStack)) {
        expect([stack.stackName, stack.terminationProtection]).toEqual([stack.stackName, prod]);
      }
    }
  });

  test('nothing stateful is lost on stack deletion: keys, buckets and log groups are retained', () => {
    const stateful = [
      'AWS::KMS::Key',
      'AWS::S3::Bucket',
      'AWS::Logs::LogGroup',
      'AWS::RDS::DBInstance',
      'AWS::Backup::BackupVault',
    ];
    let count = 0;
    for (const { stack, template } of synth.all()) {
      for (const type of stateful) {
        for (const [id, r] of resourcesOf(template, type)) {
          count++;
          expect([stack.stackName, id, r.DeletionPolicy, r.UpdateReplacePolicy]).toEqual([
            stack.stackName,
            id,
            'Retain',
            'Retain',
          ]);
        }
      }
    }
    // Per environment at least: 6 keys, 6 buckets, 4 log groups, 1 database, 2 vaults.
    expect(count).toBeGreaterThanOrEqual(synth.stages.length * 19);
  });
});

test('DATA-8: every tagged resource carries application, environment, owner and data classification', () => {
  for (const { stage, stack, template } of synth.all()) {
    const env = config.environments.find((e) => e.name === stage.stageName)!;
    const expected = {
      application: env.tags.application,
      environment: env.name,
      owner: env.tags.owner,
      'data-classification': env.tags.dataClassification,
    };
    let tagged = 0;
    for (const [id, r] of Object.entries(
      template.toJSON().Resources as Record<string, { Properties?: { Tags?: unknown } }>,
    )) {
      const tags = r.Properties?.Tags;
      if (!Array.isArray(tags)) continue;
      tagged++;
      const got = Object.fromEntries((tags as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value]));
      expect([stack.stackName, id, got]).toEqual([stack.stackName, id, expect.objectContaining(expected)]);
    }
    expect(tagged).toBeGreaterThan(0);
  }
});
