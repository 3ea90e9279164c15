import { type App, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { SAAS_PACK_NAME, SAAS_RULES, SaasControlsChecks } from '../../lib/compliance/pack';
import { newTestApp } from '../helpers/app';

const EU = { account: '111111111111', region: 'eu-west-1' };

function stack(props: StackProps = { env: EU }): Stack {
  return new Stack(newTestApp(), 'S', props);
}

/** The rule IDs the pack reports on a stack, with the construct each is on. */
function findings(s: Stack): string[] {
  const result = new SaasControlsChecks().validateScope(s);
  return result.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`)).sort();
}
const rule = (name: string) => `${SAAS_PACK_NAME}-${name}`;

test('the pack has one rule per file, named after its rule, each tied to a control', () => {
  expect(SAAS_RULES.map((r) => r.rule.name).sort()).toEqual([
    'AlbDefaultActionNotFound',
    'AlbHstsOneYear',
    'AlbTlsPolicyStrict',
    'AsgMaxInstanceLifetime',
    'BackupCopyToOtherRegion',
    'BackupRestoreTestingPlan',
    'BackupVaultLocked',
    'RdsForceSsl',
    'TrailObjectLockFiveYears',
  ]);
  for (const r of SAAS_RULES) expect(r.info).toContain(`(${r.control})`);
});

describe('HTTPS listener rules (NET-3, NET-4)', () => {
  const HSTS = 'routing.http.response.strict_transport_security.header_value';
  function listener(s: Stack, id: string, props: Partial<elbv2.CfnListenerProps>) {
    return new elbv2.CfnListener(s, id, {
      loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/x/1',
      port: 443,
      protocol: 'HTTPS',
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
      listenerAttributes: [{ key: HSTS, value: 'max-age=31536000; includeSubDomains' }],
      defaultActions: [{ type: 'fixed-response', fixedResponseConfig: { statusCode: '404' } }],
      ...props,
    });
  }

  test('compliant: strict policy, HSTS one year, bare 404 default', () => {
    const s = stack();
    listener(s, 'Good', {});
    expect(findings(s)).toEqual([]);
  });

  test('non-compliant: a TLS policy that allows CBC/non-PFS suites', () => {
    const s = stack();
    listener(s, 'Weak', { sslPolicy: 'ELBSecurityPolicy-2016-08' });
    expect(findings(s)).toEqual([`${rule('AlbTlsPolicyStrict')} S/Weak`]);
  });

  test('non-compliant: HSTS shorter than a year, or missing', () => {
    const s = stack();
    listener(s, 'Short', { listenerAttributes: [{ key: HSTS, value: 'max-age=86400' }] });
    listener(s, 'None', { listenerAttributes: [] });
    expect(findings(s)).toEqual([`${rule('AlbHstsOneYear')} S/None`, `${rule('AlbHstsOneYear')} S/Short`]);
  });

  test('non-compliant: a default action that forwards, or a 404 with a body', () => {
    const s = stack();
    listener(s, 'Forward', {
      defaultActions: [
        { type: 'forward', targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/t/1' },
      ],
    });
    listener(s, 'Body', {
      defaultActions: [{ type: 'fixed-response', fixedResponseConfig: { statusCode: '404', messageBody: 'nope' } }],
    });
    expect(findings(s)).toEqual([
      `${rule('AlbDefaultActionNotFound')} S/Body`,
      `${rule('AlbDefaultActionNotFound')} S/Forward`,
    ]);
  });

  test('plain HTTP listeners are out of scope of the HTTPS rules (the redirect is NET-2, checked by the standard packs)', () => {
    const s = stack();
    new elbv2.CfnListener(s, 'Redirect', {
      loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/x/1',
      port: 80,
      protocol: 'HTTP',
      defaultActions: [
        { type: 'redirect', redirectConfig: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } },
      ],
    });
    expect(findings(s)).toEqual([]);
  });

  test('an escape hatch that removes HSTS is seen (the rule reads the rendered resource, overrides included)', () => {
    const s = stack();
    listener(s, 'Overridden', {}).addPropertyDeletionOverride('ListenerAttributes');
    expect(findings(s)).toEqual([`${rule('AlbHstsOneYear')} S/Overridden`]);
  });
});

describe('RdsForceSsl (DATA-1)', () => {
  function db(s: Stack, id: string, parameterGroupName: string) {
    return new rds.CfnDBInstance(s, id, {
      engine: 'postgres',
      dbInstanceClass: 'db.t4g.medium',
      allocatedStorage: '20',
      dbParameterGroupName: parameterGroupName,
    });
  }

  test('compliant: the instance uses a parameter group of its stack with rds.force_ssl=1', () => {
    const s = stack();
    const pg = new rds.CfnDBParameterGroup(s, 'Params', {
      family: 'postgres16',
      description: 'tls',
      parameters: { 'rds.force_ssl': '1' },
    });
    db(s, 'Db', pg.ref);
    expect(findings(s)).toEqual([]);
  });

  test('non-compliant: rds.force_ssl=0, or a parameter group the template does not show', () => {
    const s = stack();
    const pg = new rds.CfnDBParameterGroup(s, 'Params', {
      family: 'postgres16',
      description: 'plain',
      parameters: { 'rds.force_ssl': '0' },
    });
    db(s, 'Plain', pg.ref);
    db(s, 'Elsewhere', 'default.postgres16');
    expect(findings(s)).toEqual([`${rule('RdsForceSsl')} S/Elsewhere`, `${rule('RdsForceSsl')} S/Plain`]);
  });
});

describe('backup rules (DATA-3, DATA-5)', () => {
  const drVault = 'arn:aws:backup:eu-central-1:111111111111:backup-vault:dr';
  function plan(s: Stack, copyTo: string | undefined) {
    return new backup.CfnBackupPlan(s, 'Plan', {
      backupPlan: {
        backupPlanName: 'p',
        backupPlanRule: [
          {
            ruleName: 'Daily',
            targetBackupVault: 'local',
            scheduleExpression: 'cron(0 3 * * ? *)',
            copyActions: copyTo ? [{ destinationBackupVaultArn: copyTo }] : undefined,
          },
        ],
      },
    });
  }
  function drills(s: Stack, schedule: string) {
    const p = new backup.CfnRestoreTestingPlan(s, 'Drills', {
      restoreTestingPlanName: 'drills',
      scheduleExpression: schedule,
      recoveryPointSelection: {
        algorithm: 'LATEST_WITHIN_WINDOW',
        includeVaults: ['*'],
        recoveryPointTypes: ['SNAPSHOT'],
      },
    });
    new backup.CfnRestoreTestingSelection(s, 'Db', {
      restoreTestingPlanName: p.ref,
      restoreTestingSelectionName: 'db',
      protectedResourceType: 'RDS',
      iamRoleArn: 'arn:aws:iam::111111111111:role/r',
    });
  }

  test('compliant: every rule copies to another region, and a monthly restore drill exists', () => {
    const s = stack();
    plan(s, drVault);
    drills(s, 'cron(0 5 1 * ? *)');
    expect(findings(s)).toEqual([]);
  });

  test('non-compliant: no copy, a copy in the same region, or a stack without a literal region', () => {
    for (const [props, copyTo] of [
      [{ env: EU }, undefined],
      [{ env: EU }, 'arn:aws:backup:eu-west-1:111111111111:backup-vault:same'],
      [{}, drVault],
    ] as const) {
      const s = stack(props);
      plan(s, copyTo);
      drills(s, 'cron(0 5 1 * ? *)');
      expect(findings(s)).toEqual([`${rule('BackupCopyToOtherRegion')} S/Plan`]);
    }
  });

  test('non-compliant: no restore testing plan, or one that runs only yearly', () => {
    const none = stack();
    plan(none, drVault);
    expect(findings(none)).toEqual([`${rule('BackupRestoreTestingPlan')} S/Plan`]);
    const yearly = stack();
    plan(yearly, drVault);
    drills(yearly, 'cron(0 5 1 1 ? *)');
    expect(findings(yearly)).toEqual([`${rule('BackupRestoreTestingPlan')} S/Plan`]);
  });

  test('BackupVaultLocked: compliant with Vault Lock, non-compliant without', () => {
    const s = stack();
    new backup.CfnBackupVault(s, 'Locked', { backupVaultName: 'locked', lockConfiguration: { minRetentionDays: 7 } });
    new backup.CfnBackupVault(s, 'Open', { backupVaultName: 'open' });
    expect(findings(s)).toEqual([`${rule('BackupVaultLocked')} S/Open`]);
  });
});

describe('AsgMaxInstanceLifetime (IMM-3)', () => {
  const asg = (s: Stack, id: string, maxInstanceLifetime?: number) =>
    new autoscaling.CfnAutoScalingGroup(s, id, {
      minSize: '2',
      maxSize: '4',
      maxInstanceLifetime,
      availabilityZones: ['eu-west-1a'],
    });

  test('compliant: 1 to 7 days', () => {
    const s = stack();
    asg(s, 'OneDay', 86_400);
    asg(s, 'Week', 7 * 86_400);
    expect(findings(s)).toEqual([]);
  });

  test('non-compliant: 30 days, under a day, or no lifetime', () => {
    const s = stack();
    asg(s, 'Month', 30 * 86_400);
    asg(s, 'Hour', 3_600);
    asg(s, 'Forever');
    expect(findings(s)).toEqual(['Forever', 'Hour', 'Month'].map((id) => `${rule('AsgMaxInstanceLifetime')} S/${id}`));
  });
});

describe('TrailObjectLockFiveYears (LOG-1)', () => {
  function trail(s: Stack, lock?: { mode: 'COMPLIANCE' | 'GOVERNANCE'; days: number }, expireDays?: number) {
    const bucket = new s3.CfnBucket(s, 'Bucket', {
      objectLockEnabled: lock ? true : undefined,
      objectLockConfiguration: lock ? { objectLockEnabled: 'Enabled', rule: { defaultRetention: lock } } : undefined,
      lifecycleConfiguration: expireDays ? { rules: [{ status: 'Enabled', expirationInDays: expireDays }] } : undefined,
    });
    new cloudtrail.CfnTrail(s, 'Trail', { isLogging: true, s3BucketName: bucket.ref });
  }

  test('compliant: compliance-mode lock of 1827 days, expiring no earlier', () => {
    const s = stack({ env: EU, terminationProtection: true });
    trail(s, { mode: 'COMPLIANCE', days: 1827 }, 1827);
    expect(findings(s)).toEqual([]);
  });

  test('compliant outside production: governance mode', () => {
    const s = stack();
    trail(s, { mode: 'GOVERNANCE', days: 1827 });
    expect(findings(s)).toEqual([]);
  });

  test('non-compliant: no lock, a one-year lock, expiry before five years, governance in a protected stack', () => {
    const cases: [StackProps, Parameters<typeof trail>[1], number | undefined][] = [
      [{ env: EU }, undefined, undefined],
      [{ env: EU }, { mode: 'COMPLIANCE', days: 365 }, undefined],
      [{ env: EU }, { mode: 'COMPLIANCE', days: 1827 }, 365],
      [{ env: EU, terminationProtection: true }, { mode: 'GOVERNANCE', days: 1827 }, undefined],
    ];
    for (const [props, lock, expire] of cases) {
      const s = stack(props);
      trail(s, lock, expire);
      expect(findings(s)).toEqual([`${rule('TrailObjectLockFiveYears')} S/Trail`]);
    }
  });
});

test('registered through Validations, a finding fails synthesis and names the rule', () => {
  const s = stack();
  new autoscaling.CfnAutoScalingGroup(s, 'Month', {
    minSize: '2',
    maxSize: '4',
    maxInstanceLifetime: 30 * 86_400,
    availabilityZones: ['eu-west-1a'],
  });
  const app = s.node.root as App;
  Validations.of(app).addPlugins(new SaasControlsChecks(app));
  expect(() => app.synth()).toThrow(/SaasControls-AsgMaxInstanceLifetime/);
});
