/**
 * Properties no single stack owns: they hold for every stack of every
 * environment (and the delivery stacks), so they are asserted over the whole
 * demo assembly. What independent scanners (cfn-guard's Control Tower rules,
 * the Guard Rules Registry) found in the demo's templates is kept fixed here
 * (issue 18): untagged resources, a queue without a customer key, and a
 * deprecation warning in the synth output (the default database admin name is
 * asserted in data-stack.test.ts).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { type App, Aspects, type CfnElement, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { keyValues } from '../../lib/compliance/checks/template';
import { isKeyAdministrationStatement } from '../../lib/compliance/explicit-actions';
import { LogGroupPolicy } from '../../lib/compliance/log-group-policy';
import { DELIVERY_ENVIRONMENT_TAG, deliveryTags } from '../../lib/compliance/required-tags';
import { loadConfig } from '../../lib/config/load';
import { newTestApp, type Props, resourcesOf, synthConfig, type Synthesized } from '../helpers/app';

const config = loadConfig();
const REQUIRED = ['application', 'environment', 'owner', 'data-classification'];

interface Json {
  Resources?: Record<string, { Type: string; Properties?: Props }>;
  Outputs?: Record<string, { Value?: unknown; Export?: { Name?: unknown } }>;
}
let synth: Synthesized;
let printed = '';
/** Every template of the demo with its stack and the environment tag it must carry. */
let templates: { stack: Stack; json: Json; environment: string }[];
beforeAll(() => {
  // What a synth prints: jsii deprecation notices go to console.warn, other notices to stderr.
  const spies = [
    jest.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => void (printed += `${a.join(' ')}\n`)),
    jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void (printed += `${a.join(' ')}\n`)),
    jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void (printed += `${a.join(' ')}\n`)),
  ];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    printed += String(chunk);
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
  try {
    synth = synthConfig(config);
  } finally {
    process.stderr.write = write;
    for (const s of spies) s.mockRestore();
  }
  templates = [
    ...synth.all().map(({ stage, stack, template }) => ({
      stack,
      json: template.toJSON() as Json,
      environment: stage.stageName,
    })),
    ...synth.delivery().map(({ stack, template }) => ({
      stack,
      json: template.toJSON() as Json,
      environment: DELIVERY_ENVIRONMENT_TAG,
    })),
  ];
});

describe('(d) no deprecation warning', () => {
  test('the synth prints nothing deprecated', () => {
    // The demo synth prints bundling lines; none may announce a deprecated API.
    expect(printed.split('\n').filter((l) => /deprecat/i.test(l))).toEqual([]);
  });

  test('and the cloud assembly carries no deprecation warning for the CLI to print', () => {
    const assembly = synth.app.synth();
    const messages = [assembly, ...assembly.nestedAssemblies.map((n) => n.nestedAssembly)]
      .flatMap((a) => a.stacks)
      .flatMap((s) => s.messages)
      .filter((m) => /deprecat/i.test(JSON.stringify(m.entry.data)));
    expect(messages.map((m) => `${m.id}: ${String(m.entry.data)}`)).toEqual([]);
  });
});

describe('(a) DATA-8: every taggable resource of every stack carries the four tags', () => {
  /** Resource type -> its tag property, for types CloudFormation can tag (cfn-lint's resource schemas). */
  let tagProperty: Record<string, string>;
  beforeAll(() => {
    const types = [...new Set(templates.flatMap((t) => Object.values(t.json.Resources ?? {}).map((r) => r.Type)))];
    const script = [
      'import json, sys',
      'from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as m',
      'out = {}',
      'for t in json.load(sys.stdin):',
      '    try: s = m.get_resource_schema("eu-west-1", t).schema',
      '    except Exception: continue',
      '    g = s.get("tagging", {})',
      '    if g.get("taggable", True) and g.get("tagProperty"): out[t] = g["tagProperty"]',
      '    elif g.get("taggable", True) and "Tags" in s.get("properties", {}): out[t] = "/properties/Tags"',
      'print(json.dumps(out))',
    ].join('\n');
    const shims = path.join(process.env.HOME ?? '', '.pyenv', 'shims');
    const run = spawnSync('python3', ['-c', script], {
      input: JSON.stringify(types),
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, PATH: `${shims}${path.delimiter}${process.env.PATH}` },
    });
    if (run.status !== 0)
      throw new Error(`cfn-lint's schemas could not be read (python3 with cfn-lint): ${run.stderr}`);
    tagProperty = JSON.parse(run.stdout);
  });

  test("cfn-lint's schemas know the types, including the provider's role and function", () => {
    expect(tagProperty['AWS::Lambda::Function']).toBe('/properties/Tags');
    expect(tagProperty['AWS::IAM::Role']).toBe('/properties/Tags');
    expect(Object.keys(tagProperty).length).toBeGreaterThan(30);
  });

  test('every taggable resource: application, environment, owner, data-classification', () => {
    const untagged: string[] = [];
    let checked = 0;
    for (const t of templates) {
      for (const [id, r] of Object.entries(t.json.Resources ?? {})) {
        const property = tagProperty[r.Type];
        if (!property) continue;
        checked++;
        const tags = keyValues(r.Properties?.[property.replace('/properties/', '')]);
        const missing = REQUIRED.filter((k) => typeof tags[k] !== 'string' || tags[k] === '');
        if (missing.length) untagged.push(`${t.stack.stackName}/${id} (${r.Type}): missing ${missing.join(', ')}`);
        else if (tags.environment !== t.environment)
          untagged.push(
            `${t.stack.stackName}/${id}: environment=${String(tags.environment)}, expected ${t.environment}`,
          );
      }
    }
    expect(untagged).toEqual([]);
    expect(checked).toBeGreaterThan(400);
  });

  test("the CDK custom-resource provider's role and function (Custom::VpcRestrictDefaultSG) are among them", () => {
    const network = templates.find((t) => t.stack.stackName === 'prod-Network')!;
    const provider = Object.entries(network.json.Resources!).filter(([id]) =>
      id.startsWith('CustomVpcRestrictDefaultSGCustomResourceProvider'),
    );
    expect(provider.map(([, r]) => r.Type).sort()).toEqual(['AWS::IAM::Role', 'AWS::Lambda::Function']);
    for (const [, r] of provider) expect(keyValues(r.Properties!.Tags)).toMatchObject({ environment: 'prod' });
  });

  test('the delivery stacks carry the most restrictive classification of the environments they deploy', () => {
    expect(deliveryTags(config.environments)).toEqual({
      application: 'acme-saas',
      environment: 'delivery',
      owner: 'platform-team',
      'data-classification': 'restricted',
    });
    const delivery = templates.filter((t) => t.environment === DELIVERY_ENVIRONMENT_TAG);
    expect(delivery.length).toBeGreaterThanOrEqual(2);
  });
});

describe('(c) DATA-6: every queue under a customer key', () => {
  /** The export name -> the value it exports, over every template. */
  const exported = () =>
    new Map(
      templates.flatMap((t) =>
        Object.values(t.json.Outputs ?? {}).map(
          (o) => [JSON.stringify(o.Export?.Name), { t, value: o.Value }] as const,
        ),
      ),
    );
  /** The KMS key resource a KmsMasterKeyId points to (same template or through an import), or why not. */
  const keyOf = (t: (typeof templates)[number], v: unknown, exports: ReturnType<typeof exported>): string => {
    const target = (x: unknown, in_: (typeof templates)[number]): string => {
      const o = x as Record<string, unknown>;
      const id = (o?.Ref as string) ?? (o?.['Fn::GetAtt'] as string[] | undefined)?.[0];
      if (id) {
        const r = in_.json.Resources?.[id];
        return r?.Type === 'AWS::KMS::Key' ? `${in_.stack.stackName}/${id}` : `not a key: ${id} (${r?.Type})`;
      }
      if (o && 'Fn::ImportValue' in o) {
        const e = exports.get(JSON.stringify(o['Fn::ImportValue']));
        return e ? target(e.value, e.t) : `unknown import ${JSON.stringify(o['Fn::ImportValue'])}`;
      }
      return `not a customer key: ${JSON.stringify(x)}`;
    };
    return target(v, t);
  };

  test('every AWS::SQS::Queue in every template has a KmsMasterKeyId that is a customer key', () => {
    const exports = exported();
    const queues = templates.flatMap((t) =>
      Object.entries(t.json.Resources ?? {})
        .filter(([, r]) => r.Type === 'AWS::SQS::Queue')
        .map(([id, r]) => ({ t, id, r })),
    );
    expect(queues.length).toBeGreaterThanOrEqual(config.environments.length);
    for (const { t, id, r } of queues) {
      const key = keyOf(t, r.Properties?.KmsMasterKeyId, exports);
      expect([`${t.stack.stackName}/${id}`, key]).toEqual([
        `${t.stack.stackName}/${id}`,
        expect.stringMatching(/^[\w-]+\/\w+$/),
      ]);
      expect(r.Properties?.SqsManagedSseEnabled).toBeUndefined();
    }
  });

  test("the rollout's queue is under the alerts key, and the function may use it for that queue only as it must", () => {
    for (const stage of synth.stages) {
      const app = synth.template(stage.app).toJSON() as Json;
      const [, queue] = Object.entries(app.Resources!).find(([id]) => id.startsWith('RolloutDeadLetters'))!;
      const alertsKeyId = stage.alerting.getLogicalId(stage.alerting.alertsKey.key.node.defaultChild as CfnElement);
      const key = keyOf(
        templates.find((t) => t.stack === stage.app)!,
        queue.Properties!.KmsMasterKeyId,
        exported(),
      );
      expect(key).toBe(`${stage.alerting.stackName}/${stage.alerting.resolve(alertsKeyId)}`);
      // Least privilege: the role names only GenerateDataKey and Decrypt on that key, no wildcard.
      const statements = Object.values(app.Resources!)
        .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties!.Roles).includes('RolloutFunction'))
        .flatMap((r) => r.Properties!.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
      const onKey = statements.filter(
        (s) => JSON.stringify(s.Resource) === JSON.stringify(queue.Properties!.KmsMasterKeyId),
      );
      expect(onKey.flatMap((s) => [s.Action].flat()).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      expect(statements.flatMap((s) => [s.Action].flat()).filter((a) => a.includes('*'))).toEqual([]);
    }
  });
});

test('LOG-3: every log group of every stack is encrypted and kept as configured (at least 365 days)', () => {
  let count = 0;
  for (const { stage, stack, template } of synth.all()) {
    const env = config.environments.find((e) => e.name === stage.stageName)!;
    for (const [id, g] of resourcesOf(template, 'AWS::Logs::LogGroup')) {
      count++;
      expect([
        stack.stackName,
        id,
        (g.Properties as Props).RetentionInDays,
        Boolean((g.Properties as Props).KmsKeyId),
        // DATA-10: erasure records are kept two years, longer than the last backup that can hold the data.
      ]).toEqual([stack.stackName, id, id.startsWith('ErasureLog') ? 731 : env.audit.logRetentionDays, true]);
    }
  }
  expect(count).toBeGreaterThanOrEqual(synth.stages.length * 10);
});

test('LOG-3: a log group without a customer key fails synthesis', () => {
  const stack = new Stack(newTestApp(), 'S');
  new logs.LogGroup(stack, 'Plain');
  Aspects.of(stack).add(new LogGroupPolicy(365));
  expect(() => newTestAppSynth(stack)).toThrow(/Log group S\/Plain\/Resource has no KMS key/);
});

test('LOG-3: the policy sets the configured retention on encrypted groups', () => {
  const stack = new Stack(newTestApp(), 'S');
  new logs.LogGroup(stack, 'Encrypted', { encryptionKey: new kms.Key(stack, 'K') });
  Aspects.of(stack).add(new LogGroupPolicy(545));
  newTestAppSynth(stack);
  expect((stack.node.findChild('Encrypted').node.defaultChild as logs.CfnLogGroup).retentionInDays).toBe(545);
});

function newTestAppSynth(stack: Stack) {
  return (stack.node.root as App).synth();
}

test('IAM-2: no IAM, bucket, topic, queue, vault or key policy statement anywhere allows a wildcard action', () => {
  const offenders: string[] = [];
  // The delivery stacks too: CDK Pipelines' own grants are rewritten to explicit actions there.
  const everyStack = [...synth.all(), ...synth.delivery()];
  expect(synth.delivery().length).toBeGreaterThan(0);
  for (const { stack, template } of everyStack) {
    const docs: [string, Props][] = [];
    for (const [id, p] of resourcesOf(template, 'AWS::IAM::Policy'))
      docs.push([id, (p.Properties as Props).PolicyDocument]);
    for (const [id, p] of resourcesOf(template, 'AWS::IAM::ManagedPolicy'))
      docs.push([id, (p.Properties as Props).PolicyDocument]);
    for (const [id, r] of resourcesOf(template, 'AWS::IAM::Role'))
      for (const p of ((r.Properties as Props).Policies ?? []) as Props[]) docs.push([id, p.PolicyDocument]);
    // Resource policies too: cross-account and service grants land there.
    for (const [id, p] of resourcesOf(template, 'AWS::S3::BucketPolicy'))
      docs.push([id, (p.Properties as Props).PolicyDocument]);
    for (const [id, p] of resourcesOf(template, 'AWS::SNS::TopicPolicy'))
      docs.push([id, (p.Properties as Props).PolicyDocument]);
    for (const [id, p] of resourcesOf(template, 'AWS::SQS::QueuePolicy'))
      docs.push([id, (p.Properties as Props).PolicyDocument]);
    for (const [id, v] of resourcesOf(template, 'AWS::Backup::BackupVault'))
      if ((v.Properties as Props).AccessPolicy) docs.push([id, (v.Properties as Props).AccessPolicy]);
    for (const [id, k] of resourcesOf(template, 'AWS::KMS::Key')) {
      const policy = (k.Properties as Props).KeyPolicy as Props;
      // The one kept: kms:* for the account root, which hands the key's access control to IAM.
      const admin = (st: Props) => isKeyAdministrationStatement(st, stack.account);
      docs.push([id, { Statement: (policy.Statement as Props[]).filter((st) => !admin(st)) }]);
      expect((policy.Statement as Props[]).filter(admin).length).toBeLessThanOrEqual(1);
    }
    for (const [id, doc] of docs) {
      for (const st of doc.Statement as Props[]) {
        if (st.Effect !== 'Allow') continue;
        for (const a of [st.Action].flat())
          if (String(a).includes('*')) offenders.push(`${stack.stackName}/${id}: ${a}`);
      }
    }
  }
  expect(offenders).toEqual([]);
});

test('IMM-2: no in-place patching path anywhere: no patch baselines, associations or maintenance windows', () => {
  for (const { template } of synth.all()) {
    for (const type of [
      'AWS::SSM::PatchBaseline',
      'AWS::SSM::Association',
      'AWS::SSM::MaintenanceWindow',
      'AWS::SSM::MaintenanceWindowTask',
    ]) {
      expect(resourcesOf(template, type)).toEqual([]);
    }
  }
});

test('NET-2: no security group in any stack opens anything else to the internet, nor SSH or RDP at all', () => {
  const offenders: string[] = [];
  for (const { stack, template } of synth.all()) {
    const rules: [string, Props][] = [];
    for (const [id, sg] of resourcesOf(template, 'AWS::EC2::SecurityGroup')) {
      for (const r of (sg.Properties!.SecurityGroupIngress as Props[] | undefined) ?? [])
        rules.push([`${id}(${sg.Properties!.GroupDescription})`, r]);
    }
    for (const [id, r] of resourcesOf(template, 'AWS::EC2::SecurityGroupIngress'))
      rules.push([id, r.Properties as Props]);
    for (const [id, r] of rules) {
      const from = r.FromPort ?? 0;
      const to = r.ToPort ?? 65535;
      const open = r.CidrIp === '0.0.0.0/0' || r.CidrIpv6 === '::/0';
      const isAlbPublic = id.includes('Public ALB') && (from === 443 || from === 80) && from === to;
      if (open && !isAlbPublic) offenders.push(`${stack.stackName}/${id} opens ${from}-${to} to the internet`);
      if (r.IpProtocol === '-1' || [22, 3389].some((p) => from <= p && p <= to))
        offenders.push(`${stack.stackName}/${id} allows ${from}-${to}/${r.IpProtocol}`);
    }
  }
  expect(offenders).toEqual([]);
});
