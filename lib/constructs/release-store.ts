import { Aws, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledge';
import { formatRelease, NO_RELEASE } from '../release/contract';
import { SecureBucket } from './secure-bucket';
import { SecureLogGroup } from './secure-log-group';

/** The construct ID aws-cdk-lib gives the one function behind every AwsCustomResource of a stack. */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

export interface ReleaseStoreProps {
  /** The bucket's fixed name, so that node roles can be granted its objects exactly (IAM-2). */
  readonly bucketName: string;
  /** Encrypts the artifacts: the software class key (the images key). */
  readonly key: kms.IKey;
  readonly accessLogBucket: s3.IBucket;
  /** SSM parameter that publishes the bucket name to the release CLI. */
  readonly bucketParameterName: string;
  /** SSM parameter recording the current release; created once as `none -`, then owned by the release CLI. */
  readonly recordParameterName: string;
  /** Where the one-time initializer of the record runs. */
  readonly vpc: ec2.IVpc;
  /** Key of the initializer's log group. */
  readonly logKey: kms.IKey;
}

/**
 * Where an environment's application releases live (IMM-9): a versioned,
 * retained bucket under a customer key (one object per release version,
 * `releases/<version>/app.tgz`), the SSM parameter naming it, and the SSM
 * record of the current release. CloudFormation creates the record once,
 * as "no release yet"; after that only the release CLI writes it, so no
 * deploy can put an environment back on an older release.
 */
export class ReleaseStore extends Construct {
  readonly bucket: s3.Bucket;
  readonly bucketName: string;
  /** The SSM parameter that publishes the bucket name to the release CLI. */
  readonly bucketParameterName: string;
  readonly recordParameterName: string;

  constructor(scope: Construct, id: string, props: ReleaseStoreProps) {
    super(scope, id);
    ({
      bucketName: this.bucketName,
      bucketParameterName: this.bucketParameterName,
      recordParameterName: this.recordParameterName,
    } = props);
    this.bucket = new SecureBucket(this, 'Bucket', {
      bucketName: props.bucketName,
      encryption: { kmsKey: props.key },
      serverAccessLogsBucket: props.accessLogBucket,
    }).bucket;
    acknowledge(
      this.bucket,
      'IMM-9',
      'release artifacts are build outputs the delivery pipeline can pack again from the tagged source; nodes read them in this region only, so a replica adds no recovery',
      'compliance:S3BucketReplicationEnabled',
    );

    new ssm.StringParameter(this, 'BucketName', {
      parameterName: props.bucketParameterName,
      stringValue: this.bucket.bucketName,
      description: 'The release bucket of this environment (IMM-9), read by the release CLI',
    });

    const recordArn = Stack.of(this).formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: props.recordParameterName.replace(/^\//, ''),
    });
    const logs = new SecureLogGroup(this, 'InitializerLogs', { encryptionKey: props.logKey });
    const create: cr.AwsSdkCall = {
      service: 'SSM',
      action: 'putParameter',
      parameters: {
        Name: props.recordParameterName,
        Value: formatRelease(NO_RELEASE),
        Type: 'String',
        Overwrite: false,
        Description:
          'The current release of this environment (IMM-9): "<version> <sha256>", written by the release CLI',
      },
      // A record that exists already (a redeployed environment) is kept as it is.
      ignoreErrorCodesMatching: 'ParameterAlreadyExists',
      physicalResourceId: cr.PhysicalResourceId.of(props.recordParameterName),
    };
    const initializer = new cr.AwsCustomResource(this, 'Record', {
      onCreate: create,
      // No onUpdate and no onDelete: CloudFormation never overwrites or removes the record.
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['ssm:PutParameter'], resources: [recordArn] }),
      ]),
      installLatestAwsSdk: false,
      vpc: props.vpc,
      logGroup: logs.logGroup,
    });
    acknowledge(
      initializer,
      'IAM-2',
      'the inline policy of the initializer allows ssm:PutParameter on the release record only',
      'compliance:IAMNoInlinePolicy',
    );
    // The initializer's function is a singleton of the stack, outside this construct.
    const provider = Stack.of(this).node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
    if (!provider)
      throw new Error(`ReleaseStore ${this.node.path}: the AwsCustomResource provider function is missing`);
    acknowledge(
      provider,
      'IAM-2',
      'Lambda needs the AWS-managed basic and VPC execution policies to write logs and attach to the private subnets',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
    );
    acknowledge(
      provider,
      'IMM-9',
      'a one-time CloudFormation initializer that writes "no release yet" into the release record if it does not exist; it runs once per deploy that creates it, so concurrency limits and a dead-letter queue add nothing',
      'compliance:LambdaConcurrency',
      'compliance:LambdaDLQ',
    );
  }

  /**
   * Lets nodes fetch release artifacts (read only, objects under `releases/`)
   * and decrypt them; the object wildcard is acknowledged on `role` (IAM-2).
   */
  grantFetch(role: iam.IRole, key: kms.IKey): void {
    const objects = `arn:${Aws.PARTITION}:s3:::${this.bucketName}/releases/*`;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn] }));
    acknowledge(
      role,
      'IAM-2',
      'nodes read release artifacts under releases/ of the release bucket; versions are chosen at release time, so the objects are named with "/*"',
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${this.bucketName}/releases/*]`,
    );
  }
}
