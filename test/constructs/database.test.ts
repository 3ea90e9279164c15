import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DB_LOG_EXPORTS, DB_PARAMETERS, Database, MASTER_USERNAME } from '../../lib/constructs/database';
import { newTestStack, testKey, testVpc } from '../helpers/construct';

describe('Database (DATA-1)', () => {
  const stack = newTestStack();
  const vpc = testVpc(stack);
  const key = testKey(stack, 'DbKey');
  const logKey = testKey(stack, 'LogKey');
  const db = new Database(stack, 'Database', {
    vpc,
    instanceIdentifier: 'test-db',
    engineVersion: '16.4',
    instanceClass: 'db.t4g.medium',
    allocatedStorageGiB: 50,
    maxAllocatedStorageGiB: 200,
    multiAz: true,
    backupRetentionDays: 14,
    port: 5432,
    encryptionKey: key,
    logKey,
  });
  const client = new ec2.SecurityGroup(stack, 'Client', { vpc });
  db.allowFrom(client, 'the app');
  const t = Template.fromStack(stack);
  const keyArn = stack.resolve(key.keyArn);

  test('storage, Performance Insights and the RDS-managed master secret under the customer key', () => {
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      StorageEncrypted: true,
      KmsKeyId: keyArn,
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: keyArn,
      ManageMasterUserPassword: true,
      MasterUserSecret: { KmsKeyId: keyArn },
      MasterUsername: MASTER_USERNAME,
      MasterUserPassword: Match.absent(),
    });
  });

  test('not public, Multi-AZ as asked, deletion protection, backups kept, IAM authentication', () => {
    t.hasResource('AWS::RDS::DBInstance', {
      Properties: Match.objectLike({
        PubliclyAccessible: false,
        MultiAZ: true,
        DeletionProtection: true,
        BackupRetentionPeriod: 14,
        DeleteAutomatedBackups: false,
        EnableIAMDatabaseAuthentication: true,
        EnableCloudwatchLogsExports: [...DB_LOG_EXPORTS],
      }),
      DeletionPolicy: 'Retain',
    });
  });

  test('TLS 1.2+ enforced by the server, pgaudit preloaded', () => {
    expect(DB_PARAMETERS).toMatchObject({ 'rds.force_ssl': '1', ssl_min_protocol_version: 'TLSv1.2' });
    t.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: { ...DB_PARAMETERS } });
  });

  test('in the isolated subnets only', () => {
    const isolated = vpc.isolatedSubnets.map((s) => stack.resolve(s.subnetId));
    t.hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: isolated });
  });

  test('no outbound rule, and only the client allowed in, on the database port', () => {
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^PostgreSQL'),
      SecurityGroupIngress: Match.absent(),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
    t.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432,
      ToPort: 5432,
      SourceSecurityGroupId: stack.resolve(client.securityGroupId),
    });
  });

  test('the exported logs go to encrypted groups named for the instance', () => {
    for (const name of DB_LOG_EXPORTS)
      t.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/rds/instance/test-db/${name}`,
        KmsKeyId: stack.resolve(logKey.keyArn),
      });
  });
});
