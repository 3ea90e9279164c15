import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledge';
import type { ControlId } from '../compliance/controls';
import { handlerCode } from './handler-bundle';
import { SecureLogGroup } from './secure-log-group';

export interface PrivateFunctionProps {
  readonly vpc: ec2.IVpc;
  /** The handler file (bundled once per content hash, handler-bundle.ts); it exports `handler`. */
  readonly entry: string;
  /** Names the function in its security group's description, e.g. "Rollout function". */
  readonly name: string;
  readonly description: string;
  readonly environment: Readonly<Record<string, string>>;
  /** Key of the dead-letter queue: the data class of the events it keeps. */
  readonly queueKey: kms.IKey;
  /** Key of the log group. */
  readonly logKey: kms.IKey;
  /** Why the dead-letter queue needs no dead-letter queue of its own, and the control it serves. */
  readonly deadLetters: { readonly control: ControlId; readonly reason: string };
}

/**
 * The one way this project runs a Lambda function of its own: in the private
 * subnets with HTTPS egress only, one invocation at a time, a dead-letter
 * queue under a customer key, an encrypted log group. The children keep the
 * construct IDs `SecurityGroup`, `DeadLetters`, `Logs` and `Function` in
 * `scope`, so logical IDs do not change where it replaced inline code.
 */
export function privateFunction(scope: Construct, props: PrivateFunctionProps): lambda.Function {
  const securityGroup = new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc: props.vpc,
    description: `${props.name}: HTTPS to AWS APIs only`,
    allowAllOutbound: false,
  });
  securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs');

  const deadLetters = new sqs.Queue(scope, 'DeadLetters', {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: props.queueKey,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledge(deadLetters, props.deadLetters.control, props.deadLetters.reason, 'AwsSolutions-SQS3');

  const logGroup = new SecureLogGroup(scope, 'Logs', { encryptionKey: props.logKey });
  const fn = new lambda.Function(scope, 'Function', {
    code: handlerCode(props.entry, { target: 'node22', externalModules: ['@aws-sdk/*'] }),
    handler: 'index.handler',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    description: props.description,
    timeout: Duration.minutes(1),
    memorySize: 256,
    // One at a time: each function reads state, then changes it; two runs must not interleave.
    reservedConcurrentExecutions: 1,
    vpc: props.vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    securityGroups: [securityGroup],
    logGroup: logGroup.logGroup,
    deadLetterQueue: deadLetters,
    environment: { ...props.environment },
  });
  acknowledge(
    fn.role!,
    'IAM-2',
    'Lambda needs the AWS-managed basic and VPC execution policies to write logs and attach to the private subnets',
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
  );
  return fn;
}
