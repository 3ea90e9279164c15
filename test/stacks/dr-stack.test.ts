import { type Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../lib/config/load';
import { drBackupVaultName, drReplicaBucketName, keyAliasName } from '../../lib/config/naming';
import { only, props, type Props, resourcesOf, synthTemplates, type SynthesizedTemplates } from '../helpers/app';

const config = loadConfig();
let synth: SynthesizedTemplates;
beforeAll(() => {
  synth = synthTemplates(config, { nag: false });
});

describe.each(config.environments.map((e) => [e.name, e] as const))('disaster recovery region of %s', (name, env) => {
  let dr: Template;
  beforeAll(() => {
    dr = synth.template(name, 'DisasterRecovery');
  });
  const logicalIdOf = (t: Template, type: string, prefix: string) =>
    resourcesOf(t, type).find(([id]) => id.startsWith(prefix))![0];

  test('DATA-3: the DR vault is the one the backup plan copies to', () => {
    expect(only(dr, 'AWS::Backup::BackupVault').BackupVaultName).toBe(
      drBackupVaultName(env.tags.application, env.name),
    );
  });

  test("DATA-3: the DR vault is locked (compliance in production, governance elsewhere) under its region's backup key", () => {
    const t = dr;
    const vault = only(t, 'AWS::Backup::BackupVault');
    expect(vault.EncryptionKeyArn).toEqual({ 'Fn::GetAtt': [logicalIdOf(t, 'AWS::KMS::Key', 'BackupKey'), 'Arn'] });
    expect(vault.LockConfiguration.MinRetentionDays).toBe(
      Math.min(env.backup.twiceDailyRetentionDays, env.backup.dailyRetentionDays),
    );
    expect(vault.LockConfiguration.ChangeableForDays).toBe(env.production ? 3 : undefined);
    expect(JSON.stringify(vault.AccessPolicy)).toContain('backup:DeleteRecoveryPoint');
  });

  test("DATA-4: the replica bucket is versioned, in the DR region, under that region's objects key", () => {
    const replica = props(dr, 'AWS::S3::Bucket').find(
      (b) => b.BucketName === drReplicaBucketName(env.tags.application, env.name, env.account),
    )!;
    expect(replica.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(JSON.stringify(replica.BucketEncryption)).toContain(logicalIdOf(dr, 'AWS::KMS::Key', 'ObjectsKey'));
    expect(props(dr, 'AWS::KMS::Alias').map((a) => a.AliasName)).toContain(
      keyAliasName(env.tags.application, env.name, 'objects'),
    );
    expect(synth.region(name, 'DisasterRecovery')).toBe(env.drRegion);
  });

  test('DATA-6: one rotating customer key per data class in the DR region', () => {
    const classes = (t: Template) =>
      resourcesOf(t, 'AWS::KMS::Key').map(([id, k]) => [
        id.replace(/[0-9A-F]{8}$/, ''),
        (k.Properties as Props).EnableKeyRotation,
      ]);
    expect(classes(dr).sort()).toEqual([
      ['BackupKey', true],
      ['ImagesKey', true],
      ['ObjectsKey', true],
    ]);
  });
});
