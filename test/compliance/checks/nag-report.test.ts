import { nagForEnvironment, parseNagReport } from '../../../lib/compliance/checks/nag-report';

/** lib/compliance/checks/nag-report.ts: the cdk-nag validation report. */
describe('nag report', () => {
  test('parseNagReport reads CDK validation reports and names what is wrong with other files', () => {
    const parsed = parseNagReport({
      pluginReports: [
        {
          pluginName: 'AwsSolutions',
          conclusion: 'success',
          violations: [],
          suppressedViolations: [
            {
              ruleName: 'AwsSolutions-EC23',
              severity: 'error',
              violatingConstructs: [{ constructPath: 'dev/Ingress/Sg/Resource' }],
              reason: 'NET-2: x',
              acknowledgedAt: 'dev/Ingress/Sg',
            },
          ],
        },
      ],
    });
    expect(parsed.packs[0].acknowledged[0]).toMatchObject({
      pack: 'AwsSolutions',
      rule: 'AwsSolutions-EC23',
      reason: 'NET-2: x',
    });
    expect(nagForEnvironment(parsed, 'prod', ['dev', 'prod']).packs[0].acknowledged).toEqual([]);
    expect(nagForEnvironment(parsed, 'dev', ['dev', 'prod']).packs[0].acknowledged).toHaveLength(1);
    expect(() => parseNagReport({ pluginReports: [{ conclusion: 'success' }] })).toThrow(
      /pluginReports\.0\.pluginName/,
    );
  });
});
