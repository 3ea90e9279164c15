import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { type Construct } from 'constructs';
import { Network } from '../constructs/network';

export interface NetworkStackProps extends StackProps {
  readonly cidr: string;
  readonly availabilityZones: readonly string[];
  readonly natGateways?: number;
  readonly logKey: kms.IKey;
}

/** The environment's private network (NET-1, NET-6). */
export class NetworkStack extends Stack {
  readonly network: Network;
  private readonly configuredAzs: string[];

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    this.configuredAzs = [...props.availabilityZones];
    this.network = new Network(this, 'Network', {
      cidr: props.cidr,
      availabilityZones: props.availabilityZones,
      natGateways: props.natGateways,
      logKey: props.logKey,
    });
  }

  /** The AZs come from config: synth stays offline instead of looking them up in the account. */
  override get availabilityZones(): string[] {
    return this.configuredAzs;
  }
}
