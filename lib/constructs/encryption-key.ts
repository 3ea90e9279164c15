import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** The classes of data that get a key of their own (DATA-6). */
export type DataClass =
  'logs' | 'database' | 'objects' | 'backups' | 'images' | 'audit' | 'alerts' | 'sessions' | 'posture' | 'artifacts';

export interface EncryptionKeyProps {
  /** The class of data this key protects; one key per class and region. */
  readonly dataClass: DataClass;
  /** Who and what the key is for, shown in the KMS console. */
  readonly description: string;
  /**
   * An alias, for keys another region or stack refers to by name.
   * @default - no alias
   */
  readonly aliasName?: string;
}

/** What a service needs to encrypt and decrypt with a key it does not administer: named, never `kms:*`. */
const KEY_USE_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:DescribeKey',
] as const;

/** What envelope encryption needs of a key: a data key to encrypt with, and Decrypt to read it back. */
export const ENVELOPE_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'] as const;

/** What {@link EncryptionKey.forClasses} needs to know of each key. */
export interface ClassKeySpec {
  readonly description: string;
  readonly aliasName?: string;
}

/**
 * The construct ID of a key made by {@link EncryptionKey.forClasses}: `DatabaseKey`, `ObjectsKey`... and
 * `BackupKey`, the ID the backup keys were first deployed with (another ID would replace a retained key).
 */
const classKeyId = (dataClass: DataClass) =>
  dataClass === 'backups' ? 'BackupKey' : `${dataClass[0].toUpperCase()}${dataClass.slice(1)}Key`;

/**
 * A customer-managed KMS key for one class of data (DATA-6).
 *
 * Rotation is on (yearly), deletion waits the longest window KMS allows, and
 * the key is retained when its stack is deleted (DATA-7): data encrypted with
 * it must stay readable. Access is granted per service with the `allow*`
 * methods, never with a hand-written `kms:*` statement.
 */
export class EncryptionKey extends Construct {
  /** The key itself. */
  readonly key: kms.Key;
  /** The alias, when one was asked for. */
  readonly alias?: kms.Alias;

  /** One key per data class in `scope`, each with its description and alias. */
  static forClasses<C extends DataClass>(
    scope: Construct,
    specs: Readonly<Record<C, ClassKeySpec>>,
  ): Readonly<Record<C, EncryptionKey>> {
    const entries = (Object.entries(specs) as [C, ClassKeySpec][]).map(
      ([dataClass, spec]) =>
        [dataClass, new EncryptionKey(scope, classKeyId(dataClass), { dataClass, ...spec })] as const,
    );
    return Object.fromEntries(entries) as Record<C, EncryptionKey>;
  }

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Resource', {
      description: props.description,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (props.aliasName) {
      this.alias = this.key.addAlias(props.aliasName);
      this.alias.applyRemovalPolicy(RemovalPolicy.RETAIN);
    }
  }

  /**
   * Lets a service-linked role of this account use the key for EBS volumes and
   * AMIs it creates (Auto Scaling launching encrypted volumes, Image Builder
   * copying and encrypting AMIs). The role must exist when the key policy is
   * written: create it once per account (see README, "Deploying").
   */
  allowServiceLinkedRole(service: string, roleName: string): void {
    const stack = Stack.of(this);
    const principal = new iam.ArnPrincipal(
      stack.formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: `aws-service-role/${service}/${roleName}`,
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `Allow${roleName}ToUseTheKey`,
        principals: [principal],
        actions: [...KEY_USE_ACTIONS],
        // A key policy statement always applies to its own key: "*" here means "this key".
        resources: ['*'],
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `Allow${roleName}ToGrantForAwsResources`,
        principals: [principal],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': true } },
      }),
    );
  }

  /**
   * Lets `grantee` encrypt and decrypt with any key by envelope encryption
   * ({@link ENVELOPE_ACTIONS} on that key only), like aws-cdk's
   * `key.grantEncryptDecrypt()` without the wildcard actions IAM-2 forbids.
   */
  static grantEnvelope(key: kms.IKey, grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: [...ENVELOPE_ACTIONS], resourceArns: [key.keyArn] });
  }

  /** Lets `grantee` encrypt and decrypt with this key by envelope encryption. */
  grantEnvelope(grantee: iam.IGrantable): iam.Grant {
    return EncryptionKey.grantEnvelope(this.key, grantee);
  }

  /** Lets an AWS service principal of this account use the key for envelope encryption (e.g. SNS publishers). */
  allowServiceToEncrypt(service: string): void {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `Allow${service.split('.')[0].replace(/[^A-Za-z0-9]/g, '')}ToEncrypt`,
        principals: [new iam.ServicePrincipal(service)],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        // A key policy statement always applies to its own key: "*" here means "this key".
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
  }

  /**
   * Lets CloudWatch Logs in this key's region encrypt log groups of this
   * account with the key, and nothing else.
   */
  allowCloudWatchLogs(): void {
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: [...KEY_USE_ACTIONS],
        // A key policy statement always applies to its own key: "*" here means "this key".
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
  }
}
