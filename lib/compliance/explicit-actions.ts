import type { IAspect, IResolvable, IResolveContext } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
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
  's3:GetBucket*': ['s3:GetBucketLocation', 's3:GetBucketVersioning', 's3:GetBucketOwnershipControls'],
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

/** Replaces every wildcard action of an IAM policy document (as CloudFormation JSON) by its expansion. */
export function expandWildcardActions(document: unknown, where: string): unknown {
  if (typeof document !== 'object' || document === null) return document;
  const doc = document as { Statement?: unknown };
  if (!Array.isArray(doc.Statement)) return document;
  return {
    ...doc,
    Statement: doc.Statement.map((statement: unknown) => {
      if (typeof statement !== 'object' || statement === null) return statement;
      const st = statement as { Action?: unknown; Effect?: unknown };
      if (st.Action === undefined || st.Effect !== 'Allow') return statement;
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
  ) {}

  resolve(context: IResolveContext): unknown {
    return expandWildcardActions(context.resolve(this.original), this.where);
  }

  toString(): string {
    return `ExpandedPolicyDocument(${this.where})`;
  }
}

/**
 * Rewrites the wildcard actions that constructs outside this project (CDK
 * Pipelines, CodePipeline, CodeBuild) grant into explicit lists, so that no
 * IAM statement or bucket policy in the stacks it is applied to allows a
 * wildcard action (IAM-2). A wildcard without an expansion fails the synth with its path.
 * Inline role policies are not rewritten: the IAM-2 test catches any there.
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
    }
  }
}
