import { z } from 'zod';

/**
 * SDLC-3: the decision behind the dependency gate. `npm audit --json` output
 * and the allowlist go in; the findings that fail the build come out. Kept
 * free of I/O so every rule is unit-tested.
 */

/** Severities that fail the build. */
export const BLOCKING_SEVERITIES = ['high', 'critical'] as const;

/** The longest an advisory may be accepted for before someone must look again. */
export const MAX_ACCEPTANCE_DAYS = 90;

export const AllowlistSchema = z.array(
  z.strictObject({
    advisory: z
      .string()
      .regex(
        /^(GHSA(-[23456789cfghjmpqrvwx]{4}){3}|\d+)$/,
        'must be a GHSA ID (GHSA-xxxx-xxxx-xxxx) or an npm advisory number',
      ),
    package: z.string().min(1, 'must name the package'),
    reason: z.string().min(20, 'must say why the risk is accepted (at least 20 characters)'),
    expires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'),
  }),
);
export type Allowlist = z.output<typeof AllowlistSchema>;

interface AuditAdvisory {
  readonly source?: number;
  readonly url?: string;
  readonly title?: string;
  readonly severity?: string;
}
interface AuditReport {
  readonly vulnerabilities?: Record<
    string,
    { readonly severity: string; readonly via: readonly (string | AuditAdvisory)[] }
  >;
}

export interface Finding {
  readonly package: string;
  readonly advisory: string;
  readonly severity: string;
  readonly title: string;
}

export interface AuditVerdict {
  /** Blocking findings nobody accepted: these fail the build. */
  readonly blocking: Finding[];
  /** Blocking findings accepted by a current allowlist entry. */
  readonly accepted: (Finding & { readonly reason: string; readonly expires: string })[];
  /** Allowlist problems: expired or too-long acceptances, which fail the build too. */
  readonly allowlistProblems: string[];
}

function advisoryId(a: AuditAdvisory): string {
  const ghsa = /GHSA(-[a-z0-9]{4}){3}/i.exec(a.url ?? '');
  return ghsa ? ghsa[0] : String(a.source ?? 'unknown');
}

/** Applies the allowlist to an `npm audit --json` report, as of `today` (YYYY-MM-DD). */
export function evaluateAudit(report: AuditReport, allowlist: Allowlist, today: string): AuditVerdict {
  const allowlistProblems: string[] = [];
  const limit = new Date(`${today}T00:00:00Z`);
  limit.setUTCDate(limit.getUTCDate() + MAX_ACCEPTANCE_DAYS);
  for (const entry of allowlist) {
    if (entry.expires < today) {
      allowlistProblems.push(
        `${entry.advisory} (${entry.package}): the acceptance expired on ${entry.expires}; fix the dependency or renew with a new reason`,
      );
    } else if (new Date(`${entry.expires}T00:00:00Z`) > limit) {
      allowlistProblems.push(
        `${entry.advisory} (${entry.package}): expires ${entry.expires}, more than ${MAX_ACCEPTANCE_DAYS} days away; accept for at most ${MAX_ACCEPTANCE_DAYS} days`,
      );
    }
  }
  const blocking: Finding[] = [];
  const accepted: AuditVerdict['accepted'] = [];
  for (const [pkg, vuln] of Object.entries(report.vulnerabilities ?? {})) {
    for (const via of vuln.via) {
      if (typeof via === 'string') continue; // a transitive pointer; the advisory itself is listed under that package
      const severity = via.severity ?? vuln.severity;
      if (!(BLOCKING_SEVERITIES as readonly string[]).includes(severity)) continue;
      const finding: Finding = { package: pkg, advisory: advisoryId(via), severity, title: via.title ?? '' };
      const entry = allowlist.find((e) => e.advisory === finding.advisory && e.package === pkg && e.expires >= today);
      if (entry) accepted.push({ ...finding, reason: entry.reason, expires: entry.expires });
      else blocking.push(finding);
    }
  }
  return { blocking, accepted, allowlistProblems };
}
