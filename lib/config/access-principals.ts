/**
 * Who may be named as a principal of the MFA-guarded administrator and
 * auditor roles (IAM-1), and why roles may not.
 *
 * The roles' trust policies require `aws:MultiFactorAuthPresent` (and an MFA
 * age under an hour). STS sets that key only on sessions whose caller proved
 * MFA to STS itself: an IAM user signing in to the console with MFA, or
 * calling `sts:GetSessionToken` / `sts:AssumeRole` with `SerialNumber` and
 * `TokenCode`. Sessions of IAM Identity Center permission sets and of SAML or
 * OIDC federated roles never carry it (the identity provider's MFA is not
 * passed to AWS as that key), so an AssumeRole chained from such a role is
 * denied, and whether a role's sessions carry it cannot be known from its
 * ARN. So principals are IAM users (`user/...`), who assume the role with an
 * MFA code, or accounts (`root`), which delegate the choice to that
 * account's IAM policies while the MFA condition still applies to whoever
 * calls. People who sign in through IAM Identity Center get an equivalent
 * permission set instead, with MFA enforced by Identity Center (docs/access.md).
 */

export const ACCESS_PRINCIPAL_FIELDS = ['adminPrincipals', 'auditorPrincipals'] as const;

const IDENTITY_CENTER = /:role\/aws-reserved\/sso\.amazonaws\.com\/|:role\/(.*\/)?AWSReservedSSO_/;
const ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\//;

/** Why a principal ARN cannot assume an MFA-guarded role, or undefined when it can. */
export function accessPrincipalProblem(arn: string): string | undefined {
  if (IDENTITY_CENTER.test(arn)) {
    return 'is an IAM Identity Center permission-set role: its sessions never carry aws:MultiFactorAuthPresent, so it could never assume the MFA-guarded role; give the people an Identity Center permission set with MFA enforced by Identity Center instead, or name IAM users (user/...) (docs/access.md)';
  }
  if (ROLE.test(arn)) {
    return 'is a role: the role trusts only sessions that carry aws:MultiFactorAuthPresent, which STS sets only for IAM users who present an MFA code (console sign-in, GetSessionToken or AssumeRole with SerialNumber/TokenCode); sessions of Identity Center and SAML/OIDC federated roles never carry it, so a role assuming this one would be denied; name IAM users (user/...) or an account (root) instead (docs/access.md)';
  }
  return undefined;
}
