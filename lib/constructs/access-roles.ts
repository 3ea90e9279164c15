import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledge';

/** A session must have signed in with MFA within this long to assume a role. */
export const MFA_MAX_AGE = Duration.hours(1);

export interface AccessRolesProps {
  /** Who may assume the administrator role (with MFA). */
  readonly adminPrincipals: readonly string[];
  /** Who may assume the auditor role (with MFA). */
  readonly auditorPrincipals: readonly string[];
  readonly maxSession: Duration;
  /** Keys the auditor may decrypt to read logs (the trail key, where this environment has it). */
  readonly auditorReadableKeys?: readonly kms.IKey[];
}

function mfaPrincipals(arns: readonly string[]): iam.IPrincipal {
  const principals = arns.map((arn) => new iam.ArnPrincipal(arn));
  const composite = principals.length === 1 ? principals[0] : new iam.CompositePrincipal(...principals);
  return composite.withConditions({
    Bool: { 'aws:MultiFactorAuthPresent': 'true' },
    NumericLessThan: { 'aws:MultiFactorAuthAge': String(MFA_MAX_AGE.toSeconds()) },
  });
}

/**
 * The only ways people get into an environment (IAM-1): an administrator role
 * and a read-only auditor role (SecurityAudit + ReadOnlyAccess), each
 * assumable only by the principals named in config, only with MFA used in
 * the last hour, for a limited session.
 */
export class AccessRoles extends Construct {
  readonly admin: iam.Role;
  readonly auditor: iam.Role;

  constructor(scope: Construct, id: string, props: AccessRolesProps) {
    super(scope, id);
    this.admin = new iam.Role(this, 'Administrator', {
      description: 'Administrators, with MFA: break-glass and operations',
      assumedBy: mfaPrincipals(props.adminPrincipals),
      maxSessionDuration: props.maxSession,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
    });
    acknowledge(
      this.admin,
      'IAM-1',
      'the administrator role is the controlled break-glass path: MFA within the last hour, named principals only, short sessions, every call recorded by the trail and alarmed on sensitive changes',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AdministratorAccess]',
    );
    this.auditor = new iam.Role(this, 'Auditor', {
      description: 'Auditors, with MFA: read-only and security audit',
      assumedBy: mfaPrincipals(props.auditorPrincipals),
      maxSessionDuration: props.maxSession,
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('SecurityAudit'),
        iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'),
      ],
    });
    for (const key of props.auditorReadableKeys ?? []) {
      this.auditor.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn] }));
    }
    acknowledge(
      this.auditor,
      'IAM-1',
      'auditors need the AWS-maintained read-only and security-audit sets, which follow new services as AWS adds them',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/SecurityAudit]',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]',
      'compliance:IAMNoInlinePolicy',
    );
  }
}
