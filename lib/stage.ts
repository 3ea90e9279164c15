import { Stage, type StageProps, Tags } from 'aws-cdk-lib';
import { type Construct } from 'constructs';
import { wafLogGroupName } from './config/naming';
import type { EnvironmentConfig } from './config/schema';
import { IngressStack } from './stacks/ingress-stack';
import { LogArchiveStack } from './stacks/log-archive-stack';
import { NetworkStack } from './stacks/network-stack';

export interface EnvironmentStageProps extends StageProps {
  /** The validated configuration of this environment. */
  readonly config: EnvironmentConfig;
}

/** Request logs (ALB, WAF) are purged after one year (LOG-2). */
export const REQUEST_LOG_RETENTION_DAYS = 365;

/**
 * One environment (dev, staging, prod...) as its own CDK stage, account and
 * configuration (IAM-3). Production stacks get termination protection (DATA-7).
 */
export class EnvironmentStage extends Stage {
  readonly logArchive: LogArchiveStack;
  readonly network: NetworkStack;
  readonly ingress: IngressStack;

  constructor(scope: Construct, id: string, props: EnvironmentStageProps) {
    super(scope, id, {
      ...props,
      env: { account: props.config.account, region: props.config.region },
    });
    const c = props.config;
    const common = { terminationProtection: c.production };

    this.logArchive = new LogArchiveStack(this, 'LogArchive', {
      ...common,
      description: `${c.tags.application} ${c.name}: log key and log stores`,
      wafLogGroupName: wafLogGroupName(c.tags.application, c.name),
      requestLogRetentionDays: REQUEST_LOG_RETENTION_DAYS,
    });
    this.network = new NetworkStack(this, 'Network', {
      ...common,
      description: `${c.tags.application} ${c.name}: private VPC, flow logs, endpoints`,
      cidr: c.vpcCidr,
      availabilityZones: c.availabilityZones,
      natGateways: c.natGateways,
      logKey: this.logArchive.logKey.key,
    });
    this.ingress = new IngressStack(this, 'Ingress', {
      ...common,
      description: `${c.tags.application} ${c.name}: WAF and the public ALB, the only ingress`,
      vpc: this.network.network.vpc,
      ingress: c.ingress,
      waf: c.waf,
      requestLogBucket: this.logArchive.requestLogBucket.bucket,
      wafLogGroup: this.logArchive.wafLogGroup.logGroup,
    });

    Tags.of(this).add('application', c.tags.application);
    Tags.of(this).add('environment', c.name);
    Tags.of(this).add('owner', c.tags.owner);
    Tags.of(this).add('data-classification', c.tags.dataClassification);
  }
}
