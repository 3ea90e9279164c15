import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledge';
import { SecureLogGroup } from './secure-log-group';

/** Interface endpoints that let private hosts reach AWS APIs without the internet (NET-6). */
export const INTERFACE_ENDPOINTS: Readonly<Record<string, ec2.InterfaceVpcEndpointAwsService>> = {
  Ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
  SsmMessages: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
  Ec2Messages: ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
  Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  Monitoring: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
  Kms: ec2.InterfaceVpcEndpointAwsService.KMS,
  SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  Sts: ec2.InterfaceVpcEndpointAwsService.STS,
};

export interface NetworkProps {
  /** The VPC's IPv4 range, e.g. 10.10.0.0/16. */
  readonly cidr: string;
  /** The availability zones to span, listed so that synth needs no lookup (2-3). */
  readonly availabilityZones: readonly string[];
  /**
   * NAT gateways for outbound traffic from private subnets.
   * @default one per availability zone
   */
  readonly natGateways?: number;
  /** Key for the flow-log group. */
  readonly logKey: kms.IKey;
}

/**
 * The private network of one environment (NET-1, NET-6).
 *
 * Three tiers per AZ: public subnets hold only the ALB and the NAT gateways
 * and never assign public IPs; private subnets hold the fleet and image
 * builds; isolated subnets (no route out) hold the database. The default
 * security group has no rules, every packet is recorded by flow logs, and AWS
 * APIs are reached through VPC endpoints.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  readonly flowLogGroup: SecureLogGroup;
  readonly endpointSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);

    this.vpc = new ec2.Vpc(this, 'Resource', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      availabilityZones: [...props.availabilityZones],
      natGateways: props.natGateways ?? props.availabilityZones.length,
      restrictDefaultSecurityGroup: true,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
      },
    });

    this.flowLogGroup = new SecureLogGroup(this, 'FlowLogs', { encryptionKey: props.logKey });
    const flowLogRole = new iam.Role(this, 'FlowLogRole', {
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com'),
      description: 'Lets VPC Flow Logs write to the flow-log group',
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup.logGroup, flowLogRole),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    // One group for all endpoints; the CIDR is the literal from config so that checks can read it.
    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'VPC interface endpoints: HTTPS from inside the VPC only',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup.addIngressRule(ec2.Peer.ipv4(props.cidr), ec2.Port.tcp(443), 'HTTPS from the VPC');
    for (const [name, service] of Object.entries(INTERFACE_ENDPOINTS)) {
      this.vpc.addInterfaceEndpoint(name, {
        service,
        privateDnsEnabled: true,
        open: false,
        securityGroups: [this.endpointSecurityGroup],
        subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      });
    }

    for (const subnet of this.vpc.publicSubnets) {
      acknowledge(
        subnet,
        'NET-1',
        'public subnets hold only the internet-facing ALB and the NAT gateways, which need the default route to the internet gateway; no workload runs here',
        'compliance:VPCNoUnrestrictedRouteToIGW',
      );
    }
    acknowledge(
      flowLogRole,
      'NET-6',
      'the inline policy is the one CDK generates for VPC Flow Logs: write access to this flow-log group only, bound to the lifetime of this role',
      'compliance:IAMNoInlinePolicy',
    );
  }
}
