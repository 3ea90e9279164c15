import { type Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../lib/config/load';
import {
  drBackupVaultName,
  drReplicaBucketName,
  erasureLogGroupName,
  fleetRoleName,
  keyAliasName,
} from '../../lib/config/naming';
import { DB_LOG_EXPORTS, MASTER_USERNAME } from '../../lib/constructs/database';
import { only, props, type Props, resourcesOf, synthConfig, type Synthesized } from '../helpers/app';

const config = loadConfig();
let synth: Synthesized;
beforeAll(() => {
  synth = synthConfig(config, { nag: false });
});

describe.each(config.environments.map((e) => [e.name, e] as const))('data tier of %s', (name, env) => {
  let data: Template;
  let stage: Synthesized['stages'][number];
  beforeAll(() => {
    stage = synth.stages.find((s) => s.stageName === name)!;
    data = synth.template(stage.data);
  });
  const logicalIdOf = (t: Template, type: string, prefix: string) =>
    resourcesOf(t, type).find(([id]) => id.startsWith(prefix))![0];

  describe('DATA-9, DATA-10: tenant data', () => {
    test('pgaudit is preloaded and logs reads and writes of every role (the migration turns it off for the app role)', () => {
      const group = only(data, 'AWS::RDS::DBParameterGroup');
      expect(group.Parameters).toMatchObject({
        shared_preload_libraries: expect.stringMatching(/(^|,)pgaudit(,|$)/),
        'pgaudit.log': expect.stringMatching(/read.*write/),
        'pgaudit.log_parameter': '0',
      });
    });

    test('the data bucket denies the fleet role every object outside tenants/*', () => {
      const statements = props(data, 'AWS::S3::BucketPolicy').flatMap(
        (p) => (p.PolicyDocument as { Statement: Props[] }).Statement,
      );
      const deny = statements.find((st) => st.Sid === 'AppOnlyUnderTenantPrefixes')!;
      expect(deny).toMatchObject({
        Effect: 'Deny',
        Action: expect.arrayContaining(['s3:GetObject', 's3:PutObject']),
        Condition: { ArnLike: { 'aws:PrincipalArn': expect.anything() } },
      });
      expect(JSON.stringify(deny.Condition)).toContain(fleetRoleName(env.tags.application, name));
      expect(JSON.stringify(deny.NotResource)).toContain('/tenants/*');
    });

    test('the erasure log group is encrypted and kept two years, longer than the longest backup', () => {
      const group = props(data, 'AWS::Logs::LogGroup').find(
        (g) => g.LogGroupName === erasureLogGroupName(env.tags.application, name),
      );
      expect(group).toMatchObject({ RetentionInDays: 731, KmsKeyId: expect.anything() });
    });
  });

  describe('DATA-1: PostgreSQL', () => {
    let db: Props;
    beforeAll(() => {
      db = only(data, 'AWS::RDS::DBInstance');
    });

    test('encrypted with the database key, PI encrypted, master secret managed by RDS under that key', () => {
      const key = { 'Fn::GetAtt': [logicalIdOf(data, 'AWS::KMS::Key', 'DatabaseKey'), 'Arn'] };
      expect(db).toMatchObject({
        Engine: 'postgres',
        StorageEncrypted: true,
        KmsKeyId: key,
        EnablePerformanceInsights: true,
        PerformanceInsightsKMSKeyId: key,
        ManageMasterUserPassword: true,
        MasterUserSecret: { KmsKeyId: key },
      });
      expect(db.MasterUserPassword).toBeUndefined();
    });

    test('TLS enforced by the server: rds.force_ssl = 1, TLS 1.2 minimum', () => {
      const pg = only(data, 'AWS::RDS::DBParameterGroup');
      expect(pg.Parameters).toMatchObject({ 'rds.force_ssl': '1', ssl_min_protocol_version: 'TLSv1.2' });
      expect(db.DBParameterGroupName).toEqual({ Ref: logicalIdOf(data, 'AWS::RDS::DBParameterGroup', 'Database') });
    });

    test('Multi-AZ as configured (always in production), deletion protection, point-in-time recovery >= 7 days', () => {
      expect(db.MultiAZ ?? false).toBe(env.database.multiAz);
      if (env.production) expect(db.MultiAZ).toBe(true);
      expect(db.DeletionProtection).toBe(true);
      expect(db.BackupRetentionPeriod).toBeGreaterThanOrEqual(7);
      expect(db.BackupRetentionPeriod).toBe(env.database.backupRetentionDays);
      expect(db.DeleteAutomatedBackups).toBe(false);
    });

    test('in the isolated subnets, not publicly accessible', () => {
      expect(db.PubliclyAccessible).toBe(false);
      const group = only(data, 'AWS::RDS::DBSubnetGroup');
      expect(JSON.stringify(group.SubnetIds)).toMatch(/IsolatedSubnet/);
      expect(JSON.stringify(group.SubnetIds)).not.toMatch(/PrivateSubnet|PublicSubnet/);
    });

    test('only the app fleet reaches it, only on the database port', () => {
      const sgId = logicalIdOf(data, 'AWS::EC2::SecurityGroup', 'DatabaseSecurityGroup');
      const sg = resourcesOf(data, 'AWS::EC2::SecurityGroup').find(([id]) => id === sgId)![1].Properties as Props;
      expect(sg.SecurityGroupIngress).toBeUndefined();
      const rules = props(data, 'AWS::EC2::SecurityGroupIngress').filter((r) =>
        JSON.stringify(r.GroupId).includes(sgId),
      );
      expect(rules).toEqual([
        expect.objectContaining({
          FromPort: env.database.port,
          ToPort: env.database.port,
          SourceSecurityGroupId: expect.objectContaining({
            'Fn::ImportValue': expect.stringMatching(/FleetSecurityGroup/),
          }),
        }),
      ]);
      expect(db.Port).toBe(String(env.database.port));
    });

    test('IAM authentication on; logs exported to encrypted log groups kept a year', () => {
      expect(db.EnableIAMDatabaseAuthentication).toBe(true);
      expect(db.EnableCloudwatchLogsExports).toEqual([...DB_LOG_EXPORTS]);
      const groups = props(data, 'AWS::Logs::LogGroup');
      for (const exp of DB_LOG_EXPORTS) {
        const g = groups.find((x) => x.LogGroupName === `/aws/rds/instance/${db.DBInstanceIdentifier}/${exp}`)!;
        expect(g).toMatchObject({ RetentionInDays: 365, KmsKeyId: expect.anything() });
      }
    });

    test('engine version, class and storage come from config', () => {
      expect(db).toMatchObject({
        EngineVersion: env.database.engineVersion,
        DBInstanceClass: env.database.instanceClass,
        AllocatedStorage: String(env.database.allocatedStorageGiB),
        MaxAllocatedStorage: env.database.maxAllocatedStorageGiB,
        StorageType: 'gp3',
      });
    });
  });

  test('DATA-2: the customer data bucket is KMS-encrypted with the objects key', () => {
    const bucket = props(data, 'AWS::S3::Bucket')[0];
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: { 'Fn::GetAtt': [logicalIdOf(data, 'AWS::KMS::Key', 'ObjectsKey'), 'Arn'] },
    });
  });

  test('DATA-2: customer objects are readable only by the app role and the backup and replication roles', () => {
    const policy = props(data, 'AWS::S3::BucketPolicy').find((p) => JSON.stringify(p.Bucket).includes('DataBucket'))!;
    const deny = (policy.PolicyDocument.Statement as Props[]).find(
      (st) => st.Sid === 'OnlyTheAppAndItsCopiersReadObjects',
    )!;
    expect(deny).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
    });
    const readers = JSON.stringify(deny.Condition.ArnNotLike['aws:PrincipalArn']);
    expect(readers).toContain(`role/${fleetRoleName(env.tags.application, env.name)}`);
    expect(readers).toMatch(/BackupBackupRole/);
    expect(readers).toMatch(/ReplicationRole/);
    const fleetRole = props(synth.template(stage.app), 'AWS::IAM::Role').find(
      (r) => r.RoleName === fleetRoleName(env.tags.application, env.name),
    );
    expect(fleetRole).toBeDefined();
  });

  test('DATA-3: backups every 12 hours and daily, retained as configured, each copied to the DR vault', () => {
    const plan = only(data, 'AWS::Backup::BackupPlan').BackupPlan;
    const drVaultArn = `arn:aws:backup:${env.drRegion}:${env.account}:backup-vault:${drBackupVaultName(env.tags.application, env.name)}`;
    expect(
      plan.BackupPlanRule.map((r: Props) => [r.ScheduleExpression, r.Lifecycle.DeleteAfterDays, r.CopyActions]),
    ).toEqual([
      [
        'cron(0 0/12 * * ? *)',
        env.backup.twiceDailyRetentionDays,
        [{ DestinationBackupVaultArn: drVaultArn, Lifecycle: { DeleteAfterDays: env.backup.twiceDailyRetentionDays } }],
      ],
      [
        'cron(0 3 * * ? *)',
        env.backup.dailyRetentionDays,
        [{ DestinationBackupVaultArn: drVaultArn, Lifecycle: { DeleteAfterDays: env.backup.dailyRetentionDays } }],
      ],
    ]);
  });

  test('DATA-3: the selection names the database and the data bucket, not a tag', () => {
    const sel = only(data, 'AWS::Backup::BackupSelection').BackupSelection;
    expect(sel.ListOfTags).toBeUndefined();
    const resources = JSON.stringify(sel.Resources);
    expect(resources).toContain(logicalIdOf(data, 'AWS::RDS::DBInstance', 'Database'));
    expect(resources).toContain(logicalIdOf(data, 'AWS::S3::Bucket', 'DataBucket'));
  });

  test("DATA-3: the primary vault is locked (compliance in production, governance elsewhere) under its region's backup key", () => {
    const t = data;
    const vault = only(t, 'AWS::Backup::BackupVault');
    expect(vault.EncryptionKeyArn).toEqual({ 'Fn::GetAtt': [logicalIdOf(t, 'AWS::KMS::Key', 'BackupKey'), 'Arn'] });
    expect(vault.LockConfiguration.MinRetentionDays).toBe(
      Math.min(env.backup.twiceDailyRetentionDays, env.backup.dailyRetentionDays),
    );
    expect(vault.LockConfiguration.ChangeableForDays).toBe(env.production ? 3 : undefined);
    expect(JSON.stringify(vault.AccessPolicy)).toContain('backup:DeleteRecoveryPoint');
  });

  test("DATA-4: customer objects replicate to the DR bucket under the DR region's key", () => {
    const bucket = props(data, 'AWS::S3::Bucket')[0];
    const [rule] = bucket.ReplicationConfiguration.Rules;
    expect(rule.Status).toBe('Enabled');
    expect(rule.DeleteMarkerReplication).toEqual({ Status: 'Enabled' });
    expect(JSON.stringify(rule.Destination.Bucket)).toContain(
      drReplicaBucketName(env.tags.application, env.name, env.account),
    );
    expect(JSON.stringify(rule.Destination.EncryptionConfiguration.ReplicaKmsKeyID)).toContain(
      `:kms:${env.drRegion}:${env.account}:${keyAliasName(env.tags.application, env.name, 'objects')}`,
    );
  });

  test('DATA-5: restore drills of the latest recovery point at least monthly, for the database and the bucket', () => {
    const plan = only(data, 'AWS::Backup::RestoreTestingPlan');
    const [, , , dayOfMonth, month, dayOfWeek] = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/
      .exec(plan.ScheduleExpression)!
      .slice(0);
    // Monthly or more often: any day-of-month pattern in every month, or a weekly schedule.
    expect(month).toBe('*');
    expect(dayOfMonth !== '?' || dayOfWeek !== '?').toBe(true);
    expect(plan.RecoveryPointSelection).toMatchObject({ Algorithm: 'LATEST_WITHIN_WINDOW' });
    const selections = props(data, 'AWS::Backup::RestoreTestingSelection');
    expect(selections.map((s) => s.ProtectedResourceType).sort()).toEqual(['RDS', 'S3']);
    for (const s of selections) expect(s.ValidationWindowHours).toBeGreaterThan(0);
  });

  test('DATA-3/DATA-5: failed backup, copy, restore and validation jobs notify the alarm topic', () => {
    const rules = props(data, 'AWS::Events::Rule');
    const failed = rules.find((r) => r.EventPattern['detail-type']?.includes('Copy Job State Change'))!;
    expect(failed.EventPattern).toMatchObject({
      source: ['aws.backup'],
      detail: { state: expect.arrayContaining(['FAILED']) },
    });
    expect(failed.EventPattern['detail-type']).toEqual(
      expect.arrayContaining(['Backup Job State Change', 'Restore Job State Change']),
    );
    const validation = rules.find((r) => r.EventPattern.detail?.validationStatus)!;
    expect(validation.EventPattern.detail.validationStatus).toContain('FAILED');
    for (const r of [failed, validation]) expect(JSON.stringify(r.Targets)).toMatch(/AlarmTopic/);
  });

  test('DATA-6: one rotating customer key per data class', () => {
    const classes = (t: Template) =>
      resourcesOf(t, 'AWS::KMS::Key').map(([id, k]) => [
        id.replace(/[0-9A-F]{8}$/, ''),
        (k.Properties as Props).EnableKeyRotation,
      ]);
    expect(classes(data).sort()).toEqual([
      ['BackupKey', true],
      ['DatabaseKey', true],
      ['ObjectsKey', true],
    ]);
  });
  test('the database master user is not a default name (a scanner finding, issue 18)', () => {
    const dbs = synth
      .all()
      .filter((x) => x.stage.stageName === name)
      .flatMap((x) => props(x.template, 'AWS::RDS::DBInstance'));
    expect(dbs).toHaveLength(1);
    const user = dbs[0].MasterUsername;
    // CT.RDS.PR.22's defaults and the engines' own.
    expect(['postgres', 'admin', 'administrator', 'root', 'master', 'sa', 'user', 'rdsadmin']).not.toContain(
      String(user).toLowerCase(),
    );
    expect(user).toBe(MASTER_USERNAME);
  });
});
