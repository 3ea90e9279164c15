import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ReleaseStore } from '../../lib/constructs/release-store';
import { formatRelease, NO_RELEASE } from '../../lib/release/contract';
import { newTestStack, testKey, testVpc } from '../helpers/construct';

describe('ReleaseStore (IMM-9)', () => {
  const stack = newTestStack();
  const key = testKey(stack, 'ReleaseKey');
  const store = new ReleaseStore(stack, 'Releases', {
    bucketName: 'test-releases',
    key,
    accessLogBucket: new s3.Bucket(stack, 'AccessLogs'),
    bucketParameterName: '/test/release-bucket',
    recordParameterName: '/test/release',
    vpc: testVpc(stack),
    logKey: testKey(stack, 'LogKey'),
  });
  const node = new iam.Role(stack, 'Node', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  store.grantFetch(node, key);
  const t = Template.fromStack(stack);

  test('the bucket is under the release key', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'test-releases',
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: stack.resolve(key.keyArn) },
          }),
        ],
      },
    });
  });

  test('the record starts as "no release", never overwriting one, and the initializer may write only it', () => {
    const [record] = Object.values(t.findResources('Custom::AWS'));
    // The SDK call is CloudFormation JSON inside a string (escaped quotes), with tokens joined in.
    const create = JSON.stringify(record.Properties.Create).replace(/\\"/g, '"');
    expect(create).toContain(formatRelease(NO_RELEASE));
    expect(create).toContain('"Overwrite":false');
    const [policy] = Object.values(
      t.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('^ReleasesRecord') } }),
    );
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('ssm:PutParameter');
    expect(JSON.stringify(statements[0].Resource)).toContain(':parameter/test/release"');
  });

  test('grantFetch: objects under releases/ and decrypt with the key, nothing more', () => {
    const [policy] = Object.values(
      t.findResources('AWS::IAM::Policy', { Properties: { Roles: [stack.resolve(node.roleName)] } }),
    );
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements.map((s: { Action: string }) => s.Action)).toEqual(['s3:GetObject', 'kms:Decrypt']);
    expect(JSON.stringify(statements[0].Resource)).toContain(':s3:::test-releases/releases/*');
    expect(statements[1].Resource).toEqual(stack.resolve(key.keyArn));
  });
});
