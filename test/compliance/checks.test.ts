import { productionSignals, runChecks } from '../../lib/compliance/checks';
import type { NagReport } from '../../lib/compliance/checks/nag-report';
import { nagForEnvironment, parseNagReport } from '../../lib/compliance/checks/nag-report';
import { hoursBetweenRuns, resolveTarget, runsAtLeastMonthly, show } from '../../lib/compliance/checks/template';
import type { CheckContext, CheckResult, Status } from '../../lib/compliance/checks/types';
import { CONTROLS } from '../../lib/compliance/controls';
import { context, ENV, type FixtureEditor, stacks } from './fixture';

type Json = Record<string, unknown>;
const statuses = (results: readonly CheckResult[]) => Object.fromEntries(results.map((r) => [r.control, r.status]));
const baseline = statuses(runChecks(context()));

/** The controls whose status differs from the untouched fixture, with their new status. */
function changed(edit?: (e: FixtureEditor) => void, options: Partial<CheckContext> = {}): Record<string, Status> {
  const now = statuses(runChecks(context(edit, options)));
  return Object.fromEntries(Object.entries(now).filter(([id, s]) => baseline[id] !== s)) as Record<string, Status>;
}

const withNag = (edit: (nag: { packs: Json[] }) => void): Partial<CheckContext> => {
  const nag = structuredClone(context().nag) as unknown as { packs: Json[] };
  edit(nag);
  return { nag: nag as unknown as NagReport };
};

describe('the hand-written fixture', () => {
  test('every template control passes; the others are never PASS', () => {
    expect(baseline).toEqual(
      Object.fromEntries(
        CONTROLS.map((c) => [
          c.id,
          (
            {
              'NET-7': 'NOT_APPLICABLE',
              'SDLC-2': 'NOT_IMPLEMENTED',
              'SDLC-3': 'MANUAL',
              'OPS-1': 'MANUAL',
              'OPS-2': 'MANUAL',
              'OPS-3': 'MANUAL',
            } as Record<string, string>
          )[c.id] ?? 'PASS',
        ]),
      ),
    );
  });

  test('every PASS lists evidence rows naming stack, logical ID, type, property and value', () => {
    for (const r of runChecks(context()).filter((x) => x.status === 'PASS')) {
      expect([r.control, r.evidence.length > 0]).toEqual([r.control, true]);
      for (const e of r.evidence) {
        expect(e).toEqual({
          stack: expect.any(String),
          logicalId: expect.any(String),
          type: expect.any(String),
          path: expect.any(String),
          value: expect.any(String),
          expected: expect.any(String),
          ok: true,
        });
      }
    }
  });
});

/** One broken property and exactly the controls it must fail. */
const FAILURES: [string, Record<string, Status>, (e: FixtureEditor) => void][] = [
  [
    'a subnet maps public IPs on launch',
    { 'NET-1': 'FAIL' },
    (e) => (e.find('Network', 'Privb').Properties.MapPublicIpOnLaunch = true),
  ],
  [
    'the database sits in private subnets',
    { 'NET-1': 'FAIL' },
    (e) => (e.find('Data', 'DbSubnets').Properties.SubnetIds = [{ 'Fn::ImportValue': 'prod-Network:Priva' }]),
  ],
  ['the default security group keeps its rules', { 'NET-1': 'FAIL' }, (e) => e.remove('Network', 'RestrictDefaultSg')],
  [
    'the private subnets route through the internet gateway',
    { 'NET-1': 'FAIL' },
    (e) => (e.find('Network', 'RoutePriv').Properties = { RouteTableId: { Ref: 'RtPriv' }, GatewayId: { Ref: 'Igw' } }),
  ],
  [
    'SSH is allowed from inside the VPC',
    { 'NET-2': 'FAIL' },
    (e) =>
      (e.find('Network', 'EndpointSg').Properties.SecurityGroupIngress = [
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '10.0.0.0/16' },
      ]),
  ],
  [
    'the app port is open to the internet',
    { 'NET-2': 'FAIL' },
    (e) =>
      (e.find('Ingress', 'FleetFromAlb').Properties = {
        GroupId: { 'Fn::GetAtt': ['FleetSg', 'GroupId'] },
        IpProtocol: 'tcp',
        FromPort: 8443,
        ToPort: 8443,
        CidrIp: '0.0.0.0/0',
      }),
  ],
  [
    'port 80 forwards instead of redirecting',
    { 'NET-2': 'FAIL' },
    (e) => (e.find('Ingress', 'Http').Properties.DefaultActions = [{ Type: 'forward', TargetGroupArn: { Ref: 'Tg' } }]),
  ],
  [
    'a weak TLS policy',
    { 'NET-3': 'FAIL' },
    (e) => (e.find('Ingress', 'Https').Properties.SslPolicy = 'ELBSecurityPolicy-2016-08'),
  ],
  [
    'HSTS of five minutes',
    { 'NET-3': 'FAIL' },
    (e) =>
      (e.find('Ingress', 'Https').Properties.ListenerAttributes = [
        { Key: 'routing.http.response.strict_transport_security.header_value', Value: 'max-age=300' },
      ]),
  ],
  [
    'the default action forwards',
    { 'NET-4': 'FAIL' },
    (e) =>
      (e.find('Ingress', 'Https').Properties.DefaultActions = [{ Type: 'forward', TargetGroupArn: { Ref: 'Tg' } }]),
  ],
  [
    'desync mitigation defensive',
    { 'NET-4': 'FAIL' },
    (e) => ((e.find('Ingress', 'Alb').Properties.LoadBalancerAttributes as Json[])[1].Value = 'defensive'),
  ],
  [
    'a route for any host',
    { 'NET-4': 'FAIL' },
    (e) =>
      (e.find('Ingress', 'Route').Properties.Conditions = [
        { Field: 'host-header', HostHeaderConfig: { Values: ['*.example.com'] } },
      ]),
  ],
  ['no saved review query', { 'NET-4': 'FAIL' }, (e) => e.remove('Ingress', 'Review')],
  [
    'a managed rule group only counts',
    { 'NET-5': 'FAIL' },
    (e) => ((e.find('Ingress', 'WebAcl').Properties.Rules as Json[])[3].OverrideAction = { Count: {} }),
  ],
  [
    'no web ACL in front of the ALB',
    { 'NET-4': 'FAIL', 'NET-5': 'FAIL' },
    (e) => e.remove('Ingress', 'WebAclAssociation'),
  ],
  [
    'pgaudit not preloaded',
    { 'DATA-9': 'FAIL' },
    (e) => ((e.find('Data', 'Pg').Properties.Parameters as Json).shared_preload_libraries = 'pg_stat_statements'),
  ],
  [
    'pgaudit logs nothing',
    { 'DATA-9': 'FAIL' },
    (e) => ((e.find('Data', 'Pg').Properties.Parameters as Json)['pgaudit.log'] = 'none'),
  ],
  [
    'the postgresql log is not exported',
    { 'DATA-9': 'FAIL' },
    (e) => (e.find('Data', 'Db').Properties.EnableCloudwatchLogsExports = ['upgrade']),
  ],
  [
    'the data bucket lets the app role reach objects outside tenants/',
    { 'DATA-9': 'FAIL' },
    (e) => {
      const doc = e.find('Data', 'DataBucketPolicy').Properties.PolicyDocument as { Statement: Json[] };
      doc.Statement = doc.Statement.filter((st) => st.NotResource === undefined);
    },
  ],
  [
    'a release boot script without the migration',
    { 'DATA-9': 'FAIL' },
    (e) => {
      const lt = e.find('App', 'Lt').Properties as Json;
      const join = ((lt.LaunchTemplateData as Json).UserData as { 'Fn::Base64': { 'Fn::Join': [string, unknown[]] } })[
        'Fn::Base64'
      ]['Fn::Join'];
      join[1][3] = String(join[1][3]).replace('/usr/bin/node "$dir/migrate.js"\n', '');
    },
  ],
  [
    'a backup rule that never expires',
    { 'DATA-10': 'FAIL', 'DATA-3': 'FAIL' },
    (e) => {
      const rules = (e.find('Data', 'Plan').Properties.BackupPlan as { BackupPlanRule: Json[] }).BackupPlanRule;
      delete rules[1]!.Lifecycle;
    },
  ],
  [
    'no vault lock maximum',
    { 'DATA-10': 'FAIL' },
    (e) => delete (e.find('Data', 'Vault').Properties.LockConfiguration as Json).MaxRetentionDays,
  ],
  [
    'Object Lock on the data bucket (versions could not be erased)',
    { 'DATA-10': 'FAIL' },
    (e) => (e.find('Data', 'DataBucket').Properties.ObjectLockEnabled = true),
  ],
  ['no erasure log group', { 'DATA-10': 'FAIL' }, (e) => e.remove('Data', 'ErasureLog')],
  [
    'erasure records kept a year only',
    { 'DATA-10': 'FAIL' },
    (e) => (e.find('Data', 'ErasureLog').Properties.RetentionInDays = 365),
  ],
  [
    'WAF logs kept 30 days',
    { 'NET-5': 'FAIL', 'LOG-2': 'FAIL', 'LOG-3': 'FAIL' },
    (e) => (e.find('Ingress', 'WafLogs').Properties.RetentionInDays = 30),
  ],
  [
    'flow logs of rejected traffic only',
    { 'NET-6': 'FAIL' },
    (e) => (e.find('Network', 'FlowLog').Properties.TrafficType = 'REJECT'),
  ],
  ['no STS endpoint', { 'NET-6': 'FAIL' }, (e) => e.remove('Network', 'Epsts')],
  [
    'images are not scanned',
    { 'IMM-1': 'FAIL', 'LOG-5': 'FAIL' },
    (e) => (e.find('Image', 'Pipeline').Properties.ImageScanningConfiguration = { ImageScanningEnabled: false }),
  ],
  [
    'no component tests the image',
    { 'IMM-1': 'FAIL' },
    (e) => (e.find('Image', 'Test').Properties.Data = 'phases:\n  - name: build\n    steps: []\n'),
  ],
  [
    'the fleet follows $Latest',
    { 'IMM-2': 'FAIL' },
    (e) => ((e.find('App', 'Asg').Properties.LaunchTemplate as Json).Version = '$Latest'),
  ],
  [
    'a refresh terminates before launching',
    { 'IMM-2': 'FAIL' },
    (e) =>
      Object.assign(e.find('App', 'Asg'), {
        UpdatePolicy: {
          AutoScalingInstanceRefresh: { Preferences: { MinHealthyPercentage: 90, MaxHealthyPercentage: 100 } },
        },
      }),
  ],
  [
    'a patch baseline exists',
    { 'IMM-2': 'FAIL' },
    (e) => e.add('App', 'Patches', { Type: 'AWS::SSM::PatchBaseline', Properties: {} }),
  ],
  ['no automatic rollout', { 'IMM-2': 'FAIL', 'IMM-4': 'FAIL' }, (e) => e.remove('App', 'OnNewImage')],
  [
    'nodes live 30 days',
    { 'IMM-3': 'FAIL' },
    (e) => (e.find('App', 'Asg').Properties.MaxInstanceLifetime = 30 * 86_400),
  ],
  [
    'images build weekly',
    { 'IMM-4': 'FAIL' },
    (e) => ((e.find('Image', 'Pipeline').Properties.Schedule as Json).ScheduleExpression = 'cron(0 2 ? * MON *)'),
  ],
  [
    'images build only when the base changes',
    { 'IMM-4': 'FAIL' },
    (e) =>
      ((e.find('Image', 'Pipeline').Properties.Schedule as Json).PipelineExecutionStartCondition =
        'EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE'),
  ],
  [
    'only the newest image is kept',
    { 'IMM-5': 'FAIL' },
    (e) =>
      (e.find('Image', 'Lifecycle').Properties.PolicyDetails = [
        {
          Action: { Type: 'DELETE', IncludeResources: { Amis: true, Snapshots: true } },
          Filter: { Type: 'COUNT', Value: 1 },
        },
      ]),
  ],
  [
    'IMDSv1 allowed',
    { 'IMM-6': 'FAIL' },
    (e) =>
      (((e.find('App', 'Lt').Properties.LaunchTemplateData as Json).MetadataOptions as Json).HttpTokens = 'optional'),
  ],
  [
    'an unencrypted root volume',
    { 'IMM-6': 'FAIL' },
    (e) =>
      ((e.find('App', 'Lt').Properties.LaunchTemplateData as Json).BlockDeviceMappings = [
        { Ebs: { Encrypted: false } },
      ]),
  ],
  ['EC2 health checks only', { 'IMM-7': 'FAIL' }, (e) => (e.find('App', 'Asg').Properties.HealthCheckType = 'EC2')],
  [
    'one AZ',
    { 'IMM-7': 'FAIL' },
    (e) => (e.find('App', 'Asg').Properties.VPCZoneIdentifier = [{ 'Fn::ImportValue': 'prod-Network:Priva' }]),
  ],
  [
    'images stay in one region',
    { 'IMM-8': 'FAIL' },
    (e) =>
      (e.find('Image', 'Dist').Properties.Distributions = [
        (e.find('Image', 'Dist').Properties.Distributions as Json[])[0],
      ]),
  ],
  [
    'rds.force_ssl=0',
    { 'DATA-1': 'FAIL' },
    (e) => ((e.find('Data', 'Pg').Properties.Parameters as Json)['rds.force_ssl'] = '0'),
  ],
  ['single-AZ in production', { 'DATA-1': 'FAIL' }, (e) => (e.find('Data', 'Db').Properties.MultiAZ = false)],
  [
    'three days of point-in-time recovery',
    { 'DATA-1': 'FAIL' },
    (e) => (e.find('Data', 'Db').Properties.BackupRetentionPeriod = 3),
  ],
  [
    'no deletion protection',
    { 'DATA-1': 'FAIL', 'DATA-7': 'FAIL' },
    (e) => (e.find('Data', 'Db').Properties.DeletionProtection = false),
  ],
  [
    'a bucket without versioning',
    { 'DATA-2': 'FAIL' },
    (e) => (e.find('DisasterRecovery', 'Replica').Properties.VersioningConfiguration = { Status: 'Suspended' }),
  ],
  [
    'a bucket without its TLS-only policy (the data bucket: its tenant-prefix Deny goes with it)',
    { 'DATA-2': 'FAIL', 'DATA-9': 'FAIL' },
    (e) => e.remove('Data', 'DataBucketPolicy'),
  ],
  [
    'a backup rule without its DR copy',
    { 'DATA-3': 'FAIL' },
    (e) => delete ((e.find('Data', 'Plan').Properties.BackupPlan as Json).BackupPlanRule as Json[])[1].CopyActions,
  ],
  [
    'backups kept 400 days',
    { 'DATA-3': 'FAIL' },
    (e) =>
      (((e.find('Data', 'Plan').Properties.BackupPlan as Json).BackupPlanRule as Json[])[1].Lifecycle = {
        DeleteAfterDays: 400,
      }),
  ],
  [
    'no 12-hour rule',
    { 'DATA-3': 'FAIL' },
    (e) =>
      (((e.find('Data', 'Plan').Properties.BackupPlan as Json).BackupPlanRule as Json[])[0].ScheduleExpression =
        'cron(0 1 * * ? *)'),
  ],
  [
    'the DR vault is not locked (nothing caps its recovery points for the erasure bound)',
    { 'DATA-3': 'FAIL', 'DATA-10': 'FAIL' },
    (e) => delete e.find('DisasterRecovery', 'DrVault').Properties.LockConfiguration,
  ],
  [
    'replication disabled',
    { 'DATA-4': 'FAIL' },
    (e) =>
      (((e.find('Data', 'DataBucket').Properties.ReplicationConfiguration as Json).Rules as Json[])[0].Status =
        'Disabled'),
  ],
  ['no restore drills', { 'DATA-5': 'FAIL' }, (e) => (e.remove('Data', 'Drills'), e.remove('Data', 'DrillDb'))],
  [
    'restore drills once a year',
    { 'DATA-5': 'FAIL' },
    (e) => (e.find('Data', 'Drills').Properties.ScheduleExpression = 'cron(0 5 1 1 ? *)'),
  ],
  [
    'a key that never rotates',
    { 'DATA-6': 'FAIL' },
    (e) => (e.find('Data', 'DbKey').Properties.EnableKeyRotation = false),
  ],
  [
    'the vault shares the database key',
    { 'DATA-6': 'FAIL' },
    (e) => (e.find('Data', 'Vault').Properties.EncryptionKeyArn = { 'Fn::GetAtt': ['DbKey', 'Arn'] }),
  ],
  [
    'a bucket deleted with its stack',
    { 'DATA-7': 'FAIL' },
    (e) => Object.assign(e.find('Data', 'DataBucket'), { DeletionPolicy: 'Delete' }),
  ],
  [
    'a production stack without termination protection',
    { 'DATA-7': 'FAIL' },
    (e) => (e.stack('Data').terminationProtection = false),
  ],
  [
    'a resource without the owner tag',
    { 'DATA-8': 'FAIL' },
    (e) =>
      (e.find('Ingress', 'Alb').Properties.Tags = [
        { Key: 'application', Value: 'app' },
        { Key: 'environment', Value: ENV },
        { Key: 'data-classification', Value: 'internal' },
      ]),
  ],
  [
    'the trail without log-file validation',
    { 'LOG-1': 'FAIL' },
    (e) => (e.find('Audit', 'Trail').Properties.EnableLogFileValidation = false),
  ],
  [
    'the trail bucket in governance mode in production',
    { 'LOG-1': 'FAIL' },
    (e) =>
      ((e.find('Audit', 'TrailBucket').Properties.ObjectLockConfiguration as Json).Rule = {
        DefaultRetention: { Mode: 'GOVERNANCE', Days: 1827 },
      }),
  ],
  [
    'S3 access logs never purged',
    { 'LOG-2': 'FAIL' },
    (e) => delete e.find('Ingress', 'AccessLogs').Properties.LifecycleConfiguration,
  ],
  ['no group for the fleet application logs', { 'LOG-3': 'FAIL' }, (e) => e.remove('App', 'FleetApp')],
  [
    'a log group kept 30 days',
    { 'LOG-3': 'FAIL' },
    (e) => (e.find('App', 'FleetSystem').Properties.RetentionInDays = 30),
  ],
  [
    'an alarm that notifies nobody',
    { 'LOG-4': 'FAIL' },
    (e) => (e.find('Ingress', 'Unhealthy').Properties.AlarmActions = []),
  ],
  ['no alarm on root account use', { 'LOG-4': 'FAIL' }, (e) => e.remove('Audit', 'Filter0')],
  [
    'an unencrypted alarm topic',
    { 'LOG-4': 'FAIL' },
    (e) => delete e.find('Alerting', 'Topic').Properties.KmsMasterKeyId,
  ],
  ['GuardDuty disabled', { 'LOG-5': 'FAIL' }, (e) => (e.find('Audit', 'GuardDuty').Properties.Enable = false)],
  ['no CIS standard', { 'LOG-5': 'FAIL' }, (e) => e.remove('Audit', 'Cis')],
  [
    'session transcripts unencrypted',
    { 'LOG-6': 'FAIL' },
    (e) => (((e.find('Audit', 'SessionPrefs').Properties.Content as Json).inputs as Json).s3EncryptionEnabled = false),
  ],
  [
    'an administrator role without MFA',
    { 'IAM-1': 'FAIL' },
    (e) =>
      delete ((e.find('Audit', 'Admin').Properties.AssumeRolePolicyDocument as Json).Statement as Json[])[0].Condition,
  ],
  ['no auditor role', { 'IAM-1': 'FAIL' }, (e) => e.remove('Audit', 'Auditor')],
  [
    'a wildcard action on the instance role',
    { 'IAM-2': 'FAIL', 'IMM-6': 'FAIL' },
    (e) =>
      (e.find('App', 'RolePolicy').Properties.PolicyDocument = {
        Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::data/key' }],
      }),
  ],
  [
    'a wildcard resource nobody justified',
    { 'IAM-2': 'FAIL' },
    (e) =>
      (e.find('App', 'RolePolicy').Properties.PolicyDocument = {
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }],
      }),
  ],
  ['a template without its hash', { 'SDLC-4': 'FAIL' }, (e) => (e.stack('App').sha256 = undefined)],
  [
    'the fleet without the tag the operations CLI finds it by',
    { 'OPS-2': 'FAIL' },
    (e) =>
      (e.find('App', 'Asg').Properties.Tags = [
        { Key: 'application', Value: 'app' },
        { Key: 'environment', Value: ENV },
        { Key: 'owner', Value: 'team' },
        { Key: 'data-classification', Value: 'internal' },
      ]),
  ],
];

describe.each(FAILURES)('%s', (_what, expected, edit) => {
  test(`turns exactly ${Object.keys(expected).join(', ')} to FAIL`, () => {
    expect(changed(edit)).toEqual(expected);
  });
});

describe('from the nag report and the manifest', () => {
  test('SDLC-1 fails on an unacknowledged error, a missing pack, or a reason without a control', () => {
    expect(
      changed(
        undefined,
        withNag(
          (n) =>
            (n.packs[3].violations = [
              { pack: 'PCI.DSS.321', rule: 'PCI.DSS.321-X', severity: 'error', constructPaths: ['prod/X'] },
            ]),
        ),
      ),
    ).toEqual({ 'SDLC-1': 'FAIL' });
    expect(
      changed(
        undefined,
        withNag((n) => n.packs.splice(2, 1)),
      ),
    ).toEqual({ 'SDLC-1': 'FAIL' });
    expect(
      changed(
        undefined,
        withNag((n) => ((n.packs[0].acknowledged as Json[])[0].reason = 'the ALB is the front door')),
      ),
    ).toEqual({ 'SDLC-1': 'FAIL' });
    expect(
      changed(
        undefined,
        withNag((n) => ((n.packs[0].acknowledged as Json[])[0].reason = 'XYZ-1: not a control')),
      ),
    ).toEqual({ 'SDLC-1': 'FAIL' });
  });

  test('without a validation report, SDLC-1 fails and SSE-S3 or unreplicated buckets lose their recorded reasons', () => {
    expect(changed(undefined, { nag: undefined })).toEqual({ 'SDLC-1': 'FAIL', 'DATA-2': 'FAIL', 'DATA-4': 'FAIL' });
  });

  test('a bucket whose reason for not replicating was never acknowledged fails DATA-4', () => {
    const drop = withNag(
      (n) =>
        ((n.packs[1] as { acknowledged: Json[] }).acknowledged = (n.packs[1].acknowledged as Json[]).filter(
          (a) => !String(a.acknowledgedAt).endsWith('TrailBucket'),
        )),
    );
    expect(changed(undefined, drop)).toEqual({ 'DATA-4': 'FAIL' });
  });

  test('IAM-3: production must not share its account with another environment', () => {
    expect(
      changed(undefined, { otherEnvironments: [{ name: 'staging', accounts: ['111111111111'], production: false }] }),
    ).toEqual({ 'IAM-3': 'FAIL' });
    // Two test environments may share an account.
    expect(
      changed(undefined, {
        production: false,
        otherEnvironments: [{ name: 'staging', accounts: ['111111111111'], production: false }],
      }),
    ).toEqual({});
  });
});

describe('controls the templates cannot show are never PASS', () => {
  test('without the account trail (owned by another environment of the account), LOG-1 and LOG-4 need a manual check', () => {
    expect(changed((e) => e.remove('Audit', 'Trail'))).toEqual({ 'LOG-1': 'MANUAL', 'LOG-4': 'MANUAL' });
  });

  test('detection services enabled elsewhere and account-wide Session Manager preferences are MANUAL', () => {
    expect(
      changed((e) => ['GuardDuty', 'Hub', 'Fsbp', 'Cis', 'Recorder', 'Channel'].forEach((id) => e.remove('Audit', id))),
    ).toEqual({ 'LOG-5': 'MANUAL' });
    expect(changed((e) => e.remove('Audit', 'SessionPrefs'))).toEqual({ 'LOG-6': 'MANUAL' });
  });

  test('MANUAL and NOT_IMPLEMENTED results carry a pointer to where the evidence is', () => {
    const results = runChecks(context((e) => e.remove('Audit', 'Trail')));
    for (const r of results.filter((x) => x.status !== 'PASS' && x.status !== 'FAIL')) {
      expect([r.control, r.pointer]).toEqual([r.control, expect.stringMatching(/.{20,}/)]);
    }
    expect(results.find((r) => r.control === 'OPS-1')!.pointer).toMatch(/npm run verify -- --env prod/);
  });

  test('NET-7 is checked once a CDN exists', () => {
    const cdn = (version: string) => (e: FixtureEditor) =>
      e.add('Ingress', 'Cdn', {
        Type: 'AWS::CloudFront::Distribution',
        Properties: {
          DistributionConfig: {
            ViewerCertificate: { MinimumProtocolVersion: version },
            Origins: [{ S3OriginConfig: {}, OriginAccessControlId: 'oac' }],
          },
        },
      });
    expect(changed(cdn('TLSv1.2_2021'))).toEqual({ 'NET-7': 'PASS' });
    expect(changed(cdn('TLSv1'))).toEqual({ 'NET-7': 'FAIL' });
  });
});

describe('IMM-9 and IMM-10: weakening a release or rebuild property fails exactly its control', () => {
  const lt = (e: FixtureEditor) => e.find('App', 'Lt').Properties.LaunchTemplateData as Record<string, unknown>;
  const bootText = (e: FixtureEditor) => {
    const join = (lt(e).UserData as { 'Fn::Base64': { 'Fn::Join': [string, unknown[]] } })['Fn::Base64']['Fn::Join'];
    return join[1];
  };
  test.each([
    [
      'the boot script no longer checks the checksum',
      (e: FixtureEditor) => {
        const parts = bootText(e);
        parts[3] = '/usr/bin/node "$dir/migrate.js"\nsystemctl start app\n';
      },
    ],
    [
      'a mismatch does not stop the boot',
      (e: FixtureEditor) => {
        const parts = bootText(e);
        parts[3] = String(parts[3]).replace('exit 1', 'true');
      },
    ],
    [
      'the release is a literal instead of the SSM record',
      (e: FixtureEditor) => {
        bootText(e)[1] = 'v1 ' + 'a'.repeat(64);
      },
    ],
    ['nodes are not tagged with their release', (e: FixtureEditor) => delete lt(e).TagSpecifications],
    [
      'refreshes watch no alarm',
      (e: FixtureEditor) => {
        const env = (e.find('App', 'RolloutFn').Properties.Environment as { Variables: Record<string, string> })
          .Variables;
        env.ALARM_NAMES = '';
      },
    ],
    [
      'a refresh alarm does not exist',
      (e: FixtureEditor) => delete e.find('Ingress', 'Unhealthy').Properties.AlarmName,
    ],
  ] as const)('IMM-9: %s', (_what, edit) => {
    expect(changed(edit)).toEqual({ 'IMM-9': 'FAIL' });
  });

  test.each([
    [
      'only CRITICAL findings start a rebuild',
      (e: FixtureEditor) => {
        (e.find('Image', 'OnFinding').Properties.EventPattern as { detail: { severity: string[] } }).detail.severity = [
          'CRITICAL',
        ];
      },
    ],
    [
      'the function may run twice at once',
      (e: FixtureEditor) => delete e.find('Image', 'RebuildFn').Properties.ReservedConcurrentExecutions,
    ],
    [
      'the test timeout makes the worst case longer than 6 h',
      (e: FixtureEditor) => {
        (e.find('Image', 'Pipeline').Properties.ImageTestsConfiguration as { TimeoutMinutes: number }).TimeoutMinutes =
          120;
      },
    ],
  ] as const)('IMM-10: %s', (_what, edit) => {
    expect(changed(edit)).toEqual({ 'IMM-10': 'FAIL' });
  });

  test('IMM-9 (and DATA-2, for every bucket): an unversioned release bucket fails', () => {
    const edit = (e: FixtureEditor) => delete e.find('Image', 'Releases').Properties.VersioningConfiguration;
    expect(changed(edit)).toEqual({ 'IMM-9': 'FAIL', 'DATA-2': 'FAIL' });
  });

  test("IAM-1: a role only another account's pipeline roles may assume is a machine role; without that condition it needs MFA", () => {
    const role = (condition?: Record<string, unknown>) => (e: FixtureEditor) =>
      e.add('App', 'ReleaseRole', {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Statement: [
              {
                Effect: 'Allow',
                Action: 'sts:AssumeRole',
                Principal: { AWS: 'arn:aws:iam::999999999999:root' },
                ...(condition ? { Condition: condition } : {}),
              },
            ],
          },
        },
      });
    expect(changed(role({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::999999999999:role/app-delivery-*' } }))).toEqual(
      {},
    );
    expect(changed(role())).toEqual({ 'IAM-1': 'FAIL' });
    expect(changed(role({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::999999999999:user/*' } }))).toEqual({
      'IAM-1': 'FAIL',
    });
  });

  test('DATA-2: a data bucket without the signature-age limit fails', () => {
    const edit = (e: FixtureEditor) => {
      const doc = e.find('Data', 'DataBucketPolicy').Properties.PolicyDocument as { Statement: unknown[] };
      doc.Statement = doc.Statement.filter((x) => !JSON.stringify(x).includes('signatureAge'));
    };
    expect(changed(edit)).toEqual({ 'DATA-2': 'FAIL' });
  });
});

describe('removing what implements a control fails it', () => {
  test.each([
    [
      'the backup plan',
      { 'DATA-3': 'FAIL', 'DATA-5': 'FAIL', 'DATA-10': 'FAIL' },
      (e: FixtureEditor) => (e.remove('Data', 'Plan'), e.remove('Data', 'Selection')),
    ],
    ['the database', { 'DATA-1': 'FAIL', 'DATA-9': 'FAIL' }, (e: FixtureEditor) => e.remove('Data', 'Db')],
    [
      'the image pipeline',
      { 'IMM-1': 'FAIL', 'IMM-4': 'FAIL', 'IMM-10': 'FAIL', 'LOG-5': 'FAIL' },
      (e: FixtureEditor) => e.remove('Image', 'Pipeline'),
    ],
    ['the release bucket parameter', { 'IMM-9': 'FAIL' }, (e: FixtureEditor) => e.remove('Image', 'ReleaseBucketName')],
    ['the rule on Inspector findings', { 'IMM-10': 'FAIL' }, (e: FixtureEditor) => e.remove('Image', 'OnFinding')],
    [
      'the rule on ended builds (coalescing)',
      { 'IMM-10': 'FAIL' },
      (e: FixtureEditor) => e.remove('Image', 'OnBuildEnded'),
    ],
    [
      'the HTTPS listener',
      { 'NET-3': 'FAIL', 'NET-4': 'FAIL' },
      (e: FixtureEditor) => (e.remove('Ingress', 'Https'), e.remove('Ingress', 'Route')),
    ],
  ] as const)('%s', (_what, expected, edit) => {
    expect(changed(edit)).toEqual(expected);
  });

  test('a check that throws fails its control instead of disappearing', () => {
    const results = runChecks(
      context((e) => (e.find('Ingress', 'WebAcl').Properties.Rules = 'not a list' as unknown as Json[])),
    );
    expect(results.find((r) => r.control === 'NET-5')!.status).toBe('FAIL');
  });
});

describe('helpers', () => {
  test('hoursBetweenRuns reads every-N-hours and daily schedules', () => {
    expect(hoursBetweenRuns('cron(0 0/12 * * ? *)')).toBe(12);
    expect(hoursBetweenRuns('cron(0 3 * * ? *)')).toBe(24);
    expect(hoursBetweenRuns('cron(0 0,12 * * ? *)')).toBe(12);
    expect(hoursBetweenRuns('rate(6 hours)')).toBe(6);
    expect(hoursBetweenRuns('cron(0 3 ? * MON *)')).toBeUndefined();
    expect(hoursBetweenRuns({ Ref: 'X' })).toBeUndefined();
  });

  test('runsAtLeastMonthly', () => {
    expect(runsAtLeastMonthly('cron(0 5 1 * ? *)')).toBe(true);
    expect(runsAtLeastMonthly('cron(0 5 ? * SUN *)')).toBe(true);
    expect(runsAtLeastMonthly('rate(7 days)')).toBe(true);
    expect(runsAtLeastMonthly('cron(0 5 1 1 ? *)')).toBe(false);
    expect(runsAtLeastMonthly('rate(90 days)')).toBe(false);
  });

  test('show renders intrinsics the way an auditor reads them', () => {
    expect(show({ 'Fn::GetAtt': ['DatabaseKey', 'Arn'] })).toBe('GetAtt(DatabaseKey.Arn)');
    expect(show({ 'Fn::Join': ['', ['arn:aws:s3:::', { Ref: 'B' }, '/*']] })).toBe('arn:aws:s3:::${Ref(B)}/*');
    expect(show(undefined)).toBe('(absent)');
  });

  test('resolveTarget follows Fn::ImportValue to the exporting stack', () => {
    const all = stacks();
    const app = all.find((s) => s.stackName === 'prod-App')!;
    expect(resolveTarget({ stacks: all }, app, { 'Fn::ImportValue': 'prod-Network:Priva' })?.logicalId).toBe('Priva');
    expect(resolveTarget({ stacks: all }, app, { 'Fn::ImportValue': 'elsewhere:X' })).toBeUndefined();
  });

  test('production is recognised by termination protection or by compliance-mode locks', () => {
    const all = stacks();
    expect(productionSignals(all).production).toBe(true);
    const unprotected = all.map((s) => ({ ...s, terminationProtection: false }));
    expect(productionSignals(unprotected)).toEqual({
      production: true,
      signals: ['2 backup vaults locked in compliance mode', '1 bucket with compliance-mode Object Lock'],
    });
    expect(
      productionSignals(
        all.filter((s) => s.stackName === 'prod-App').map((s) => ({ ...s, terminationProtection: false })),
      ).production,
    ).toBe(false);
  });

  test('parseNagReport reads CDK validation reports and names what is wrong with other files', () => {
    const parsed = parseNagReport({
      pluginReports: [
        {
          pluginName: 'AwsSolutions',
          conclusion: 'success',
          violations: [],
          suppressedViolations: [
            {
              ruleName: 'AwsSolutions-EC23',
              severity: 'error',
              violatingConstructs: [{ constructPath: 'dev/Ingress/Sg/Resource' }],
              reason: 'NET-2: x',
              acknowledgedAt: 'dev/Ingress/Sg',
            },
          ],
        },
      ],
    });
    expect(parsed.packs[0].acknowledged[0]).toMatchObject({
      pack: 'AwsSolutions',
      rule: 'AwsSolutions-EC23',
      reason: 'NET-2: x',
    });
    expect(nagForEnvironment(parsed, 'prod', ['dev', 'prod']).packs[0].acknowledged).toEqual([]);
    expect(nagForEnvironment(parsed, 'dev', ['dev', 'prod']).packs[0].acknowledged).toHaveLength(1);
    expect(() => parseNagReport({ pluginReports: [{ conclusion: 'success' }] })).toThrow(
      /pluginReports\.0\.pluginName/,
    );
  });
});
