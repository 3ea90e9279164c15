import { createTeardownClients, type TeardownRegionClients } from '../../lib/ops/teardown';
import { type PlannedResource, planTeardown, renderPlan } from '../../lib/ops/teardown/plan';
import { deleteRetained } from '../../lib/ops/teardown/retained';
import { deleteStacks } from '../../lib/ops/teardown/stacks';
import { testEnvironment } from './config';
import { ACCOUNT, awsError, type Call, fakeSend, type Handlers } from './fakes';

/**
 * The steps of `npm run teardown` that moto cannot show (it keeps no recovery
 * points and deletes stacks at once), over fake clients: a vault emptied of
 * its recovery points before it is deleted, and a stack retried once what
 * blocked it is gone.
 */

interface FakeRegion extends TeardownRegionClients {
  readonly calls: Call[];
  names(): string[];
}

/** Teardown clients of one region whose commands are answered by `handlers`; any other command fails the test. */
function fakeRegion(handlers: Handlers, region = 'eu-west-1'): FakeRegion {
  const calls: Call[] = [];
  const real = createTeardownClients(region);
  const send = fakeSend(handlers, calls);
  const clients = Object.fromEntries(
    Object.entries(real).map(([key, value]) => [key, key === 'region' ? value : Object.assign(value, { send })]),
  ) as unknown as TeardownRegionClients;
  return { ...clients, calls, names: () => calls.map((c) => c.command) };
}

const waits = { maxWaitSeconds: 5, pollSeconds: 0, stackAttempts: 3, retryDelaySeconds: 0 };

const vault = (name: string): PlannedResource => ({
  stack: 'dev-Data',
  region: 'eu-west-1',
  type: 'AWS::Backup::BackupVault',
  logicalId: 'Vault47927EF3',
  physicalId: name,
  retained: true,
});

const point = (id: string, Status = 'COMPLETED') => ({
  RecoveryPointArn: `arn:aws:backup:eu-west-1:123456789012:recovery-point:${id}`,
  Status,
});

describe('a retained backup vault', () => {
  test('loses its governance lock and deny policy, then its recovery points, and is deleted once empty', async () => {
    const c = fakeRegion({
      DescribeBackupVaultCommand: () => ({ BackupVaultName: 'v', Locked: true, MinRetentionDays: 7 }),
      DeleteBackupVaultLockConfigurationCommand: () => ({}),
      DeleteBackupVaultAccessPolicyCommand: () => ({}),
      // AWS Backup deletes in the background: the points show DELETING, then are gone.
      ListRecoveryPointsByBackupVaultCommand: (_input, n: number) => ({
        RecoveryPoints: [[point('a'), point('b')], [point('a', 'DELETING')], []][n - 1],
      }),
      DeleteRecoveryPointCommand: () => ({}),
      DeleteBackupVaultCommand: () => ({}),
    });
    await expect(deleteRetained(c, vault('v'), waits)).resolves.toBe('deleted vault v (2 recovery points)');
    expect(c.names()).toEqual([
      'DescribeBackupVaultCommand',
      'DeleteBackupVaultLockConfigurationCommand',
      'DeleteBackupVaultAccessPolicyCommand',
      'ListRecoveryPointsByBackupVaultCommand',
      'DeleteRecoveryPointCommand',
      'DeleteRecoveryPointCommand',
      'ListRecoveryPointsByBackupVaultCommand',
      'ListRecoveryPointsByBackupVaultCommand',
      'DeleteBackupVaultCommand',
    ]);
    expect(c.calls.filter((x) => x.command === 'DeleteRecoveryPointCommand').map((x) => x.input)).toEqual([
      { BackupVaultName: 'v', RecoveryPointArn: point('a').RecoveryPointArn },
      { BackupVaultName: 'v', RecoveryPointArn: point('b').RecoveryPointArn },
    ]);
  });

  test('under a compliance lock past its grace period: refused, naming the vault and the lock, nothing deleted', async () => {
    const c = fakeRegion({
      DescribeBackupVaultCommand: () => ({
        Locked: true,
        LockDate: new Date('2026-01-01T00:00:00Z'),
        MinRetentionDays: 35,
        NumberOfRecoveryPoints: 4,
      }),
    });
    await expect(deleteRetained(c, vault('locked'), waits)).rejects.toThrow(
      /vault locked is under a compliance-mode Vault Lock, immutable since 2026-01-01T00:00:00.000Z.*4 recovery point\(s\) stay.*35 days/,
    );
    expect(c.names()).toEqual(['DescribeBackupVaultCommand']);
  });

  test('whose recovery points are not gone within the wait: not deleted, and the message says to run again', async () => {
    const c = fakeRegion({
      DescribeBackupVaultCommand: () => ({ Locked: false }),
      DeleteBackupVaultAccessPolicyCommand: () => {
        throw awsError('ResourceNotFoundException', 'no access policy');
      },
      ListRecoveryPointsByBackupVaultCommand: () => ({ RecoveryPoints: [point('a', 'DELETING')] }),
    });
    await expect(deleteRetained(c, vault('slow'), { ...waits, maxWaitSeconds: 0 })).rejects.toThrow(
      /vault slow still lists 1 recovery point\(s\) after 0 s .*run teardown again later/,
    );
    expect(c.names()).not.toContain('DeleteBackupVaultCommand');
  });

  test('already gone: nothing to do', async () => {
    const c = fakeRegion({
      DescribeBackupVaultCommand: () => {
        throw awsError('ResourceNotFoundException', 'Backup vault gone not found');
      },
    });
    await expect(deleteRetained(c, vault('gone'), waits)).resolves.toBe('vault gone already gone');
  });
});

describe('the retained database subnet group and the parameters written outside CloudFormation', () => {
  test('are deleted; one already gone counts as deleted, any other error is reported', async () => {
    const c = fakeRegion({
      DeleteDBSubnetGroupCommand: () => ({}),
      DeleteParameterCommand: (input: { Name: string }) => {
        if (input.Name === '/acme-saas/dev/golden-ami/latest') throw awsError('ParameterNotFound', 'gone');
        if (input.Name === '/acme-saas/dev/release/current') return {};
        throw awsError('AccessDeniedException', 'not allowed');
      },
    });
    const r = (type: string, physicalId: string): PlannedResource => ({
      stack: 'dev-Data',
      region: 'eu-west-1',
      type,
      logicalId: 'X',
      physicalId,
      retained: true,
    });
    await expect(deleteRetained(c, r('AWS::RDS::DBSubnetGroup', 'dev-data-subnets'), waits)).resolves.toBe(
      'deleted database subnet group dev-data-subnets',
    );
    await expect(deleteRetained(c, r('AWS::SSM::Parameter', '/acme-saas/dev/release/current'), waits)).resolves.toMatch(
      /deleted parameter/,
    );
    await expect(
      deleteRetained(c, r('AWS::SSM::Parameter', '/acme-saas/dev/golden-ami/latest'), waits),
    ).resolves.toMatch(/deleted parameter/);
    await expect(deleteRetained(c, r('AWS::SSM::Parameter', '/other'), waits)).rejects.toThrow(/not allowed/);
  });
});

describe('stacks', () => {
  const stacks = [
    { name: 'dev-App', region: 'eu-west-1' },
    { name: 'dev-Network', region: 'eu-west-1' },
  ];
  const gone = () => {
    throw awsError('ValidationError', 'Stack with id dev-Network does not exist');
  };
  const failedNetwork = {
    StackResourceSummaries: [
      {
        LogicalResourceId: 'NetworkPrivateSubnet1',
        ResourceType: 'AWS::EC2::Subnet',
        ResourceStatus: 'DELETE_FAILED',
        ResourceStatusReason: 'The subnet has dependencies and cannot be deleted.',
      },
    ],
  };

  test('a stack that fails (the Network stack while Lambda still holds interfaces) is retried after the others', async () => {
    let networkDeletes = 0;
    const c = fakeRegion({
      DeleteStackCommand: (input: { StackName: string }) => {
        if (input.StackName === 'dev-Network') networkDeletes++;
        return {};
      },
      DescribeStacksCommand: (input: { StackName: string }) =>
        input.StackName === 'dev-Network' && networkDeletes === 1
          ? { Stacks: [{ StackName: 'dev-Network', StackStatus: 'DELETE_FAILED' }] }
          : gone(),
      ListStackResourcesCommand: () => failedNetwork,
    });
    const lines: string[] = [];
    const result = await deleteStacks(
      stacks,
      () => c,
      waits,
      (l) => lines.push(l),
    );
    expect(result.failures).toEqual([]);
    expect([...result.deleted]).toEqual(['dev-App', 'dev-Network']);
    expect(lines).toEqual([
      '  ok    deleted stack dev-App (eu-west-1)',
      expect.stringMatching(
        /^ {2}RETRY delete stack dev-Network \(eu-west-1\): stack deletion ended DELETE_FAILED; NetworkPrivateSubnet1 \(AWS::EC2::Subnet\): The subnet has dependencies/,
      ),
      '  wait  0 s, then retry dev-Network (attempt 2 of 3)',
      '  ok    deleted stack dev-Network (eu-west-1)',
    ]);
  });

  test("a stack that keeps failing is reported with CloudFormation's reason after the last attempt", async () => {
    const c = fakeRegion({
      DeleteStackCommand: () => ({}),
      DescribeStacksCommand: (input: { StackName: string }) =>
        input.StackName === 'dev-Network'
          ? { Stacks: [{ StackName: 'dev-Network', StackStatus: 'DELETE_FAILED' }] }
          : gone(),
      ListStackResourcesCommand: () => failedNetwork,
    });
    const lines: string[] = [];
    const result = await deleteStacks(
      stacks,
      () => c,
      { ...waits, stackAttempts: 2 },
      (l) => lines.push(l),
    );
    expect([...result.deleted]).toEqual(['dev-App']);
    expect(result.failures).toEqual([
      expect.stringMatching(
        /^delete stack dev-Network \(eu-west-1\): stack deletion ended DELETE_FAILED; NetworkPrivateSubnet1 .*has dependencies.* \(after 2 attempts\)$/,
      ),
    ]);
    expect(lines.filter((l) => l.startsWith('  FAIL '))).toHaveLength(1);
    expect(c.calls.filter((x) => x.command === 'DeleteStackCommand')).toHaveLength(3);
  });
});

describe('the plan', () => {
  test('lists retained vaults and subnet groups for deletion, the parameters outside CloudFormation, and leaves other types behind by name', async () => {
    const retain = { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' };
    const c = fakeRegion({
      DescribeStacksCommand: (input: { StackName: string }) => {
        if (input.StackName !== 'dev-Data')
          throw awsError('ValidationError', `Stack with id ${input.StackName} does not exist`);
        return { Stacks: [{ StackName: 'dev-Data', StackStatus: 'CREATE_COMPLETE' }] };
      },
      GetTemplateCommand: () => ({
        TemplateBody: JSON.stringify({
          Resources: {
            Vault: { Type: 'AWS::Backup::BackupVault', ...retain },
            Subnets: { Type: 'AWS::RDS::DBSubnetGroup', ...retain },
            Files: { Type: 'AWS::EFS::FileSystem', ...retain },
            Topic: { Type: 'AWS::SNS::Topic' },
          },
        }),
      }),
      ListStackResourcesCommand: () => ({
        StackResourceSummaries: [
          ['Vault', 'AWS::Backup::BackupVault', 'devDataVault'],
          ['Subnets', 'AWS::RDS::DBSubnetGroup', 'dev-data-subnets'],
          ['Files', 'AWS::EFS::FileSystem', 'fs-1'],
          ['Topic', 'AWS::SNS::Topic', 'arn:aws:sns:eu-west-1:123456789012:t'],
        ].map(([LogicalResourceId, ResourceType, PhysicalResourceId]) => ({
          LogicalResourceId,
          ResourceType,
          PhysicalResourceId,
          ResourceStatus: 'CREATE_COMPLETE',
        })),
      }),
      // The primary region asks for three names, the DR region for the golden-AMI parameter only.
      GetParametersCommand: (input: { Names: string[] }) => ({
        Parameters: input.Names.length === 3 ? [{ Name: input.Names[0] }] : [],
      }),
    });
    const plan = await planTeardown(testEnvironment('dev', ACCOUNT), () => c);
    expect(plan.retained.map((r) => r.physicalId)).toEqual(['devDataVault', 'dev-data-subnets']);
    expect(plan.parameters.map((r) => `${r.physicalId} ${r.region}`)).toEqual([
      '/acme-saas/dev/release/current eu-west-1',
    ]);
    expect(plan.leftBehind.map((r) => r.physicalId)).toEqual(['fs-1']);
    const lines = renderPlan(plan, { finalSnapshot: true });
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/delete recovery points and vault +devDataVault \(eu-west-1, retained by dev-Data\)/),
        expect.stringMatching(
          /delete parameter +\/acme-saas\/dev\/release\/current \(eu-west-1, written outside CloudFormation\)/,
        ),
        expect.stringMatching(/LEFT BEHIND AWS::EFS::FileSystem fs-1 \(eu-west-1, dev-Data\)/),
      ]),
    );
  });
});
