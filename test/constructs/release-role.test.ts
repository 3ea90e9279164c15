import { Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ReleaseRole } from '../../lib/constructs/release-role';
import { newTestStack, testKey, testVpc } from '../helpers/construct';

describe('ReleaseRole (IMM-9, IAM-2)', () => {
  const stack = newTestStack();
  const vpc = testVpc(stack);
  const instanceRole = new iam.Role(stack, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const launchTemplate = new ec2.LaunchTemplate(stack, 'Template', {
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    instanceType: new ec2.InstanceType('t3.small'),
    role: instanceRole,
  });
  const releaseKey = testKey(stack, 'ReleaseKey');
  new ReleaseRole(stack, 'Release', {
    roleName: 'test-release',
    pipelineAccount: '999999999999',
    pipelineRolePrefix: 'test-pipeline',
    releaseBucketName: 'test-releases',
    releaseKey,
    recordParameterName: '/test/release',
    bucketParameterName: '/test/release-bucket',
    autoScalingGroup: new autoscaling.AutoScalingGroup(stack, 'Group', { vpc, launchTemplate }),
    launchTemplate,
    instanceRole,
  });
  const t = Template.fromStack(stack);
  const [role] = Object.values(t.findResources('AWS::IAM::Role', { Properties: { RoleName: 'test-release' } }));
  const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
    (p) =>
      p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown; Condition?: unknown }[],
  );
  const actions = (s: { Action: string | string[] }) => [s.Action].flat();

  test("assumable only by the pipeline account's roles of the prefix given", () => {
    const [trust] = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(JSON.stringify(trust.Principal)).toContain(':iam::999999999999:root');
    expect(JSON.stringify(trust.Condition.ArnLike['aws:PrincipalArn'])).toContain(
      ':iam::999999999999:role/test-pipeline-*',
    );
  });

  test('writes only the release record and release objects, decrypts only with the release key', () => {
    const put = statements.find((s) => actions(s).includes('ssm:PutParameter'))!;
    expect(JSON.stringify(put.Resource)).toContain(':parameter/test/release"');
    const objects = statements.find((s) => actions(s).includes('s3:PutObject'))!;
    expect(JSON.stringify(objects.Resource)).toContain(':s3:::test-releases/releases/*');
    const kms = statements.find((s) => actions(s).includes('kms:Decrypt'))!;
    expect(kms.Resource).toEqual(stack.resolve(releaseKey.keyArn));
  });

  test('launches only from the fleet template, passes only the node role; no wildcard action', () => {
    const run = statements.find((s) => actions(s).includes('ec2:RunInstances'))!;
    expect(JSON.stringify(run.Condition)).toMatch(/"ArnLike":\{"ec2:LaunchTemplate":.*launch-template\//);
    const pass = statements.find((s) => actions(s).includes('iam:PassRole'))!;
    expect(pass.Resource).toEqual(stack.resolve(instanceRole.roleArn));
    expect(statements.flatMap(actions).filter((a) => a.includes('*'))).toEqual([]);
  });
});
