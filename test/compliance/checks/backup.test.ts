import { failsExactly, changed, withNag, type Json } from './harness';

/** The checks of lib/compliance/checks/backup.ts, on the hand-written fixture (../fixture.ts). */
failsExactly([
  [
    'a backup rule without its DR copy',
    { 'DATA-3': 'FAIL' },
    (e) => delete ((e.find('Data', 'Plan').Properties.BackupPlan as Json).BackupPlanRule as Json[])[1].CopyActions,
  ],
  [
    'backups kept 400 days',
    { 'DATA-3': 'FAIL' },
    (e) =>
      (((e.find('Data', 'Plan').Properties.BackupPlan as Json).BackupPlanRule as Json[])[1].Lifecycle = {
        DeleteAfterDays: 400,
      }),
  ],
  [
    'no 12-hour rule',
    { 'DATA-3': 'FAIL' },
    (e) =>
      (((e.find('Data', 'Plan').Properties.BackupPlan as Json).BackupPlanRule as Json[])[0].ScheduleExpression =
        'cron(0 1 * * ? *)'),
  ],
  [
    'the DR vault is not locked (nothing caps its recovery points for the erasure bound)',
    { 'DATA-3': 'FAIL', 'DATA-10': 'FAIL' },
    (e) => delete e.find('DisasterRecovery', 'DrVault').Properties.LockConfiguration,
  ],
  [
    'replication disabled',
    { 'DATA-4': 'FAIL' },
    (e) =>
      (((e.find('Data', 'DataBucket').Properties.ReplicationConfiguration as Json).Rules as Json[])[0].Status =
        'Disabled'),
  ],
  ['no restore drills', { 'DATA-5': 'FAIL' }, (e) => (e.remove('Data', 'Drills'), e.remove('Data', 'DrillDb'))],
  [
    'restore drills once a year',
    { 'DATA-5': 'FAIL' },
    (e) => (e.find('Data', 'Drills').Properties.ScheduleExpression = 'cron(0 5 1 1 ? *)'),
  ],
]);

describe('from the nag report', () => {
  test('a bucket whose reason for not replicating was never acknowledged fails DATA-4', () => {
    const drop = withNag(
      (n) =>
        ((n.packs[1] as { acknowledged: Json[] }).acknowledged = (n.packs[1].acknowledged as Json[]).filter(
          (a) => !String(a.acknowledgedAt).endsWith('TrailBucket'),
        )),
    );
    expect(changed(undefined, drop)).toEqual({ 'DATA-4': 'FAIL' });
  });
});
