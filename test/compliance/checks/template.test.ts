import { hoursBetweenRuns, resolveTarget, runsAtLeastMonthly, show } from '../../../lib/compliance/checks/template';
import { stacks } from '../fixture';

/** lib/compliance/checks/template.ts: reading templates. */
describe('template helpers', () => {
  test('hoursBetweenRuns reads every-N-hours and daily schedules', () => {
    expect(hoursBetweenRuns('cron(0 0/12 * * ? *)')).toBe(12);
    expect(hoursBetweenRuns('cron(0 3 * * ? *)')).toBe(24);
    expect(hoursBetweenRuns('cron(0 0,12 * * ? *)')).toBe(12);
    expect(hoursBetweenRuns('rate(6 hours)')).toBe(6);
    expect(hoursBetweenRuns('cron(0 3 ? * MON *)')).toBeUndefined();
    expect(hoursBetweenRuns({ Ref: 'X' })).toBeUndefined();
  });

  test('runsAtLeastMonthly', () => {
    expect(runsAtLeastMonthly('cron(0 5 1 * ? *)')).toBe(true);
    expect(runsAtLeastMonthly('cron(0 5 ? * SUN *)')).toBe(true);
    expect(runsAtLeastMonthly('rate(7 days)')).toBe(true);
    expect(runsAtLeastMonthly('cron(0 5 1 1 ? *)')).toBe(false);
    expect(runsAtLeastMonthly('rate(90 days)')).toBe(false);
  });

  test('show renders intrinsics the way an auditor reads them', () => {
    expect(show({ 'Fn::GetAtt': ['DatabaseKey', 'Arn'] })).toBe('GetAtt(DatabaseKey.Arn)');
    expect(show({ 'Fn::Join': ['', ['arn:aws:s3:::', { Ref: 'B' }, '/*']] })).toBe('arn:aws:s3:::${Ref(B)}/*');
    expect(show(undefined)).toBe('(absent)');
  });

  test('resolveTarget follows Fn::ImportValue to the exporting stack', () => {
    const all = stacks();
    const app = all.find((s) => s.stackName === 'prod-App')!;
    expect(resolveTarget({ stacks: all }, app, { 'Fn::ImportValue': 'prod-Network:Priva' })?.logicalId).toBe('Priva');
    expect(resolveTarget({ stacks: all }, app, { 'Fn::ImportValue': 'elsewhere:X' })).toBeUndefined();
  });
});
