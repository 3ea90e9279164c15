import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { newTestApp } from './app';

/** The account and region of the minimal stacks construct tests build in. */
export const TEST_ENV = { account: '111111111111', region: 'eu-west-1' } as const;

/** A minimal stack, in a fresh app with the project's feature flags, to build one construct in. */
export function newTestStack(id = 'S'): Stack {
  return new Stack(newTestApp(), id, { env: TEST_ENV });
}

/** A customer key in `stack`, for constructs that take one. */
export function testKey(stack: Stack, id = 'Key'): kms.Key {
  return new kms.Key(stack, id, { enableKeyRotation: true });
}

/** A small three-tier VPC (public, private with egress, isolated) in two AZs, for constructs that take one. */
export function testVpc(stack: Stack, id = 'Vpc'): ec2.Vpc {
  return new ec2.Vpc(stack, id, {
    availabilityZones: [`${TEST_ENV.region}a`, `${TEST_ENV.region}b`],
    natGateways: 1,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
}
