import { z } from 'zod';

/** Retention periods CloudWatch Logs accepts that keep logs at least a year (LOG-3). */
export const LOG_RETENTION_DAYS = [365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Account-level services an environment may create, where they are not enabled already (LOG-5). */
export const MANAGED_SERVICES = ['guardduty', 'securityhub', 'config', 'inspector'] as const;

const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/;

/** A list of IAM principals (accounts, users, roles) that may assume a role. */
const principalArns = z
  .array(
    z
      .string()
      .regex(IAM_PRINCIPAL_ARN, 'must be an IAM principal ARN (arn:<partition>:iam::<account>:root|role/...|user/...)'),
  )
  .optional();

export const AuditSchema = z.strictObject({
  accountTrail: z
    .boolean({ error: 'must be true or false' })
    .optional()
    .describe(
      "This environment creates the account's trail, its alarms and the Session Manager preferences (at most one per account); default: the first environment of each account.",
    ),
  logRetentionDays: z
    .union(
      LOG_RETENTION_DAYS.map((d) => z.literal(d)),
      { error: `must be a CloudWatch Logs retention of at least a year: ${LOG_RETENTION_DAYS.join(', ')} (LOG-3)` },
    )
    .default(365)
    .describe('Retention of every log group, in days (LOG-3).'),
  manage: z
    .array(z.enum(MANAGED_SERVICES, { error: `must be one of ${MANAGED_SERVICES.join(', ')}` }))
    .default([])
    .describe(
      'Account-level detection services this environment creates (LOG-5); leave out those enabled already, e.g. by the organization; each at most once per account and region.',
    ),
});

export const AccessSchema = z.strictObject({
  adminPrincipals: principalArns.describe(
    'Who may assume the administrator role, with MFA used within the hour: IAM users (user/...) or accounts (root); default the account itself. See docs/access.md.',
  ),
  auditorPrincipals: principalArns.describe(
    'Who may assume the read-only auditor role, with MFA used within the hour: IAM users or accounts, as adminPrincipals.',
  ),
  maxSessionHours: z
    .int()
    .min(1, 'must be 1-12 hours')
    .max(12, 'must be 1-12 hours')
    .default(1)
    .describe('Longest session of the administrator and auditor roles, in hours.'),
});
