import { type IAspect, type IResolvable, type IResolveContext, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';

/**
 * The wildcard actions CDK's own grants write (`bucket.grantReadWrite`,
 * `key.grantEncryptDecrypt`, ...), each with the explicit actions it stands
 * for here. Where the wildcard also matches actions a grant does not need
 * (ACLs, which BUCKET_OWNER_ENFORCED disables; asymmetric data key pairs;
 * torrents; legal holds, which stay explicit where CDK grants them), they are
 * left out: the list is what the grant is for, not everything the pattern
 * matches today or tomorrow (IAM-2).
 */
export const WILDCARD_EXPANSIONS: Readonly<Record<string, readonly string[]>> = {
  's3:GetObject*': [
    's3:GetObject',
    's3:GetObjectVersion',
    's3:GetObjectAttributes',
    's3:GetObjectVersionAttributes',
    's3:GetObjectTagging',
    's3:GetObjectVersionTagging',
  ],
  // CodeBuild reads the ACL and location of the bucket it writes artifacts to (its documented service-role policy).
  's3:GetBucket*': [
    's3:GetBucketLocation',
    's3:GetBucketVersioning',
    's3:GetBucketAcl',
    's3:GetBucketOwnershipControls',
  ],
  's3:List*': [
    's3:ListBucket',
    's3:ListBucketVersions',
    's3:ListBucketMultipartUploads',
    's3:ListMultipartUploadParts',
  ],
  's3:DeleteObject*': [
    's3:DeleteObject',
    's3:DeleteObjectVersion',
    's3:DeleteObjectTagging',
    's3:DeleteObjectVersionTagging',
  ],
  's3:PutObject*': ['s3:PutObject', 's3:PutObjectTagging', 's3:PutObjectVersionTagging'],
  's3:Abort*': ['s3:AbortMultipartUpload'],
  'kms:ReEncrypt*': ['kms:ReEncryptFrom', 'kms:ReEncryptTo'],
  'kms:GenerateDataKey*': ['kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext'],
};

/** A policy action with a wildcard that has no expansion: the build stops rather than grant it. */
export class UnexpandedWildcardError extends Error {}

/**
 * The one wildcard statement kept: in a key policy, `Allow kms:*` for the
 * key's own account root and nobody else. CDK writes it into every key; it
 * makes the key manageable and hands its access control to IAM policies,
 * which themselves name explicit actions. `account` is the key's account; when
 * it is not known at synth, the root of `AWS::AccountId` is accepted.
 */
export function isKeyAdministrationStatement(statement: unknown, account?: string): boolean {
  if (typeof statement !== 'object' || statement === null) return false;
  const st = statement as { Effect?: unknown; Action?: unknown; Principal?: unknown };
  if (st.Effect !== 'Allow' || st.Action !== 'kms:*') return false;
  const principal = st.Principal;
  if (typeof principal !== 'object' || principal === null || Object.keys(principal).join() !== 'AWS') return false;
  const aws = (principal as { AWS: unknown }).AWS;
  const only = Array.isArray(aws) ? (aws.length === 1 ? aws[0] : undefined) : aws;
  const json = JSON.stringify(only ?? null);
  // A single principal value: the root's ARN as a string, or joined from partition and account.
  if (account && !account.startsWith('${Token')) return json.includes(`:iam::${account}:root"`);
  // Not known at synth: the account pseudo parameter, in whatever form the resolver is at (a Ref, the
  // stack's token, or a placeholder), never a literal 12-digit account, which could be another one's.
  if (/:iam::\d{12}:root"/.test(json)) return false;
  return /:iam::[^"/]*:root"/.test(json) || (json.includes('"AWS::AccountId"') && json.includes(':root"'));
}

/** Replaces every wildcard action of an IAM policy document (as CloudFormation JSON) by its expansion. */
export function expandWildcardActions(
  document: unknown,
  where: string,
  keep: (st: unknown) => boolean = () => false,
): unknown {
  if (typeof document !== 'object' || document === null) return document;
  const doc = document as { Statement?: unknown };
  if (!Array.isArray(doc.Statement)) return document;
  return {
    ...doc,
    Statement: doc.Statement.map((statement: unknown) => {
      if (typeof statement !== 'object' || statement === null) return statement;
      const st = statement as { Action?: unknown; Effect?: unknown };
      if (st.Action === undefined || st.Effect !== 'Allow' || keep(statement)) return statement;
      const actions = [st.Action].flat();
      const expanded: unknown[] = [];
      for (const action of actions) {
        if (typeof action !== 'string' || !action.includes('*')) {
          expanded.push(action);
          continue;
        }
        const explicit = WILDCARD_EXPANSIONS[action];
        if (!explicit) {
          throw new UnexpandedWildcardError(
            `${where}: the policy grants the wildcard action "${action}", which has no explicit expansion; add one to WILDCARD_EXPANSIONS (lib/compliance/explicit-actions.ts) or grant named actions (IAM-2)`,
          );
        }
        expanded.push(...explicit);
      }
      const unique = [...new Set(expanded)];
      return { ...st, Action: unique.length === 1 ? unique[0] : unique };
    }),
  };
}

/** Resolves the original document, then expands its wildcard actions. */
class ExpandedPolicyDocument implements IResolvable {
  readonly creationStack: string[] = [];

  constructor(
    private readonly original: unknown,
    private readonly where: string,
    private readonly keep?: (st: unknown) => boolean,
  ) {}

  resolve(context: IResolveContext): unknown {
    return expandWildcardActions(context.resolve(this.original), this.where, this.keep);
  }

  toString(): string {
    return `ExpandedPolicyDocument(${this.where})`;
  }
}

/**
 * Rewrites the wildcard actions that constructs outside this project (CDK
 * Pipelines, CodePipeline, CodeBuild, SNS and KMS grants) write into explicit
 * lists, so that no statement in the identity, bucket, key or topic policies
 * of the scope it is applied to allows a wildcard action (IAM-2), except the
 * key administration statement ({@link isKeyAdministrationStatement}). A
 * wildcard without an expansion fails the synth with its path. Inline role
 * policies are not rewritten: the IAM-2 test catches any there.
 */
export class ExplicitIamActions implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof iam.CfnPolicy) {
      node.policyDocument = new ExpandedPolicyDocument(node.policyDocument, node.node.path);
    } else if (node instanceof iam.CfnManagedPolicy) {
      node.policyDocument = new ExpandedPolicyDocument(node.policyDocument, node.node.path);
    } else if (node instanceof s3.CfnBucketPolicy) {
      // Cross-account grants (the target accounts' deploy roles reading artifacts) land here.
      node.policyDocument = new ExpandedPolicyDocument(node.policyDocument, node.node.path);
    } else if (node instanceof kms.CfnKey) {
      // Grants to principals of other accounts or regions land in the key policy.
      const account = Stack.of(node).account;
      node.keyPolicy = new ExpandedPolicyDocument(node.keyPolicy, node.node.path, (st) =>
        isKeyAdministrationStatement(st, account),
      );
    } else if (node instanceof sns.CfnTopicPolicy) {
      node.policyDocument = new ExpandedPolicyDocument(node.policyDocument, node.node.path);
    }
  }
}
