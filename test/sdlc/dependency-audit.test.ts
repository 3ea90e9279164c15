import { AllowlistSchema, evaluateAudit } from '../../lib/sdlc/dependency-audit';

const report = {
  vulnerabilities: {
    lodash: {
      severity: 'critical',
      via: [
        {
          source: 1,
          url: 'https://github.com/advisories/GHSA-jf85-cpcp-j695',
          title: 'Prototype pollution',
          severity: 'critical',
        },
      ],
    },
    minimist: {
      severity: 'moderate',
      via: [
        {
          source: 2,
          url: 'https://github.com/advisories/GHSA-vh95-rmgr-6w4m',
          title: 'Moderate thing',
          severity: 'moderate',
        },
      ],
    },
    wrapper: { severity: 'critical', via: ['lodash'] },
  },
};

describe('dependency audit (SDLC-3)', () => {
  test('a high or critical advisory blocks; moderate ones and transitive pointers do not', () => {
    const v = evaluateAudit(report, [], '2026-11-27');
    expect(v.blocking).toEqual([
      { package: 'lodash', advisory: 'GHSA-jf85-cpcp-j695', severity: 'critical', title: 'Prototype pollution' },
    ]);
    expect(v.accepted).toEqual([]);
  });

  test('a current acceptance with a reason lets it through, and says so', () => {
    const v = evaluateAudit(
      report,
      [
        {
          advisory: 'GHSA-jf85-cpcp-j695',
          package: 'lodash',
          reason: 'only used at build time by a dev tool',
          expires: '2026-12-31',
        },
      ],
      '2026-11-27',
    );
    expect(v.blocking).toEqual([]);
    expect(v.accepted).toEqual([expect.objectContaining({ advisory: 'GHSA-jf85-cpcp-j695', expires: '2026-12-31' })]);
  });

  test('an expired acceptance blocks again and is reported', () => {
    const v = evaluateAudit(
      report,
      [
        {
          advisory: 'GHSA-jf85-cpcp-j695',
          package: 'lodash',
          reason: 'only used at build time by a dev tool',
          expires: '2026-11-01',
        },
      ],
      '2026-11-27',
    );
    expect(v.blocking).toHaveLength(1);
    expect(v.allowlistProblems).toEqual([
      expect.stringMatching(/GHSA-jf85-cpcp-j695 \(lodash\): the acceptance expired on 2026-11-01/),
    ]);
  });

  test('an acceptance for another package does not cover this one', () => {
    const v = evaluateAudit(
      report,
      [
        {
          advisory: 'GHSA-jf85-cpcp-j695',
          package: 'other',
          reason: 'only used at build time by a dev tool',
          expires: '2026-12-31',
        },
      ],
      '2026-11-27',
    );
    expect(v.blocking).toHaveLength(1);
  });

  test('an acceptance longer than 90 days is refused', () => {
    const v = evaluateAudit(
      {},
      [
        {
          advisory: 'GHSA-jf85-cpcp-j695',
          package: 'lodash',
          reason: 'only used at build time by a dev tool',
          expires: '2027-06-01',
        },
      ],
      '2026-11-27',
    );
    expect(v.allowlistProblems).toEqual([expect.stringMatching(/more than 90 days away/)]);
  });

  test('allowlist entries need an advisory ID, a package, a real reason and a date', () => {
    const r = AllowlistSchema.safeParse([{ advisory: 'CVE-1', package: '', reason: 'because', expires: 'soon' }]);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      '0.advisory: must be a GHSA ID (GHSA-xxxx-xxxx-xxxx) or an npm advisory number',
      '0.package: must name the package',
      '0.reason: must say why the risk is accepted (at least 20 characters)',
      '0.expires: must be a date YYYY-MM-DD',
    ]);
  });
});
