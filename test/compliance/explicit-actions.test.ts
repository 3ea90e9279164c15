import { Aspects, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  ExplicitIamActions,
  expandWildcardActions,
  isKeyAdministrationStatement,
  UnexpandedWildcardError,
  WILDCARD_EXPANSIONS,
} from '../../lib/compliance/explicit-actions';
import { newTestApp, props } from '../helpers/app';

const actionsIn = (template: Template): string[] =>
  props(template, 'AWS::IAM::Policy').flatMap((p) =>
    (p.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((s) => [s.Action].flat()),
  );

test("IAM-2: CDK's read/write grants on a KMS bucket come out with explicit actions only", () => {
  const app = newTestApp();
  const stack = new Stack(app, 'S');
  const bucket = new s3.Bucket(stack, 'B', { encryptionKey: new kms.Key(stack, 'K') });
  const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
  bucket.grantReadWrite(role);
  bucket.grantDelete(role);
  Aspects.of(stack).add(new ExplicitIamActions());
  const actions = actionsIn(Template.fromStack(stack));
  expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  expect(actions).toEqual(
    expect.arrayContaining(['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 'kms:GenerateDataKey', 'kms:Decrypt']),
  );
});

test('IAM-2: a cross-account grant lands in the bucket policy with explicit actions too', () => {
  const stack = new Stack(newTestApp(), 'S', { env: { account: '999999999999', region: 'eu-west-1' } });
  const bucket = new s3.Bucket(stack, 'B');
  bucket.grantRead(iam.Role.fromRoleArn(stack, 'Deploy', 'arn:aws:iam::111111111111:role/deploy'));
  Aspects.of(stack).add(new ExplicitIamActions());
  const statements = props(Template.fromStack(stack), 'AWS::S3::BucketPolicy').flatMap(
    (p) => p.PolicyDocument.Statement as { Effect: string; Action: string | string[] }[],
  );
  const allowed = statements.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat());
  expect(allowed).toEqual(expect.arrayContaining(['s3:GetObject', 's3:ListBucket']));
  expect(allowed.filter((a) => a.includes('*'))).toEqual([]);
});

test('without the aspect the same grants carry wildcard actions (what the aspect is for)', () => {
  const stack = new Stack(newTestApp(), 'S');
  const bucket = new s3.Bucket(stack, 'B');
  bucket.grantRead(new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') }));
  expect(actionsIn(Template.fromStack(stack))).toContain('s3:GetObject*');
});

test('a wildcard without an expansion stops the synth, naming the policy and the action', () => {
  const stack = new Stack(newTestApp(), 'S');
  new iam.Policy(stack, 'P', {
    statements: [new iam.PolicyStatement({ actions: ['ec2:Describe*'], resources: ['*'] })],
    roles: [new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') })],
  });
  Aspects.of(stack).add(new ExplicitIamActions());
  expect(() => Template.fromStack(stack)).toThrow(
    /S\/P\/Resource: the policy grants the wildcard action "ec2:Describe\*"/,
  );
});

test('Deny statements, single actions and non-wildcards are left as they are', () => {
  const doc = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Deny', Action: 's3:*', Resource: '*' },
      { Effect: 'Allow', Action: 'kms:ReEncrypt*', Resource: '*' },
      { Effect: 'Allow', Action: ['s3:Abort*', 's3:PutObjectRetention'], Resource: '*' },
    ],
  };
  expect(expandWildcardActions(doc, 'x')).toEqual({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Deny', Action: 's3:*', Resource: '*' },
      { Effect: 'Allow', Action: ['kms:ReEncryptFrom', 'kms:ReEncryptTo'], Resource: '*' },
      { Effect: 'Allow', Action: ['s3:AbortMultipartUpload', 's3:PutObjectRetention'], Resource: '*' },
    ],
  });
  expect(() => expandWildcardActions({ Statement: [{ Effect: 'Allow', Action: 'iam:*' }] }, 'x')).toThrow(
    UnexpandedWildcardError,
  );
});

test('every expansion is explicit and matches the wildcard it replaces', () => {
  for (const [wildcard, actions] of Object.entries(WILDCARD_EXPANSIONS)) {
    const pattern = new RegExp(`^${wildcard.replace('*', '.*')}$`);
    for (const a of actions) expect([wildcard, a, pattern.test(a) && !a.includes('*')]).toEqual([wildcard, a, true]);
  }
});

test('IAM-2: key policies: grants are written out, the key administration statement (kms:* for the root) is kept', () => {
  const stack = new Stack(newTestApp(), 'S', { env: { account: '999999999999', region: 'eu-west-1' } });
  const key = new kms.Key(stack, 'K');
  key.grantEncryptDecrypt(iam.Role.fromRoleArn(stack, 'Other', 'arn:aws:iam::111111111111:role/deploy'));
  Aspects.of(stack).add(new ExplicitIamActions());
  const statements = props(Template.fromStack(stack), 'AWS::KMS::Key')[0].KeyPolicy.Statement as {
    Action: string | string[];
  }[];
  expect(statements.filter((st) => isKeyAdministrationStatement(st, '999999999999'))).toHaveLength(1);
  const others = statements
    .filter((s) => !isKeyAdministrationStatement(s, '999999999999'))
    .flatMap((s) => [s.Action].flat());
  expect(others).toEqual(expect.arrayContaining(['kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:Decrypt']));
  expect(others.filter((a) => a.includes('*'))).toEqual([]);
});

test("kms:* for anyone but the key account's own root is not the key administration statement", () => {
  const root = (account: string) => `arn:aws:iam::${account}:root`;
  const admin = (st: unknown) => isKeyAdministrationStatement(st, '111111111111');
  expect(admin({ Effect: 'Allow', Action: 'kms:*', Principal: { AWS: root('111111111111') } })).toBe(true);
  expect(
    admin({
      Effect: 'Allow',
      Action: 'kms:*',
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } },
    }),
  ).toBe(true);
  for (const st of [
    { Effect: 'Allow', Action: 'kms:*', Principal: { AWS: root('444444444444') } },
    { Effect: 'Allow', Action: 'kms:*', Principal: { AWS: [root('111111111111'), '*'] } },
    { Effect: 'Allow', Action: 'kms:*', Principal: { AWS: root('111111111111'), Service: 'logs.amazonaws.com' } },
    { Effect: 'Allow', Action: 'kms:*', Principal: { AWS: 'arn:aws:iam::111111111111:role/x' } },
    { Effect: 'Allow', Action: 'kms:*', Principal: '*' },
    { Effect: 'Allow', Action: 'kms:Decrypt', Principal: { AWS: root('111111111111') } },
  ])
    expect([st, admin(st)]).toEqual([st, false]);
  const agnostic = {
    Effect: 'Allow',
    Action: 'kms:*',
    Principal: {
      AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] },
    },
  };
  expect(isKeyAdministrationStatement(agnostic)).toBe(true);
});
