import { ENV } from '../fixture';
import { failsExactly, changed, withNag, type Json } from './harness';

/** The checks of lib/compliance/checks/process.ts, on the hand-written fixture (../fixture.ts). */
failsExactly([
  ['a template without its hash', { 'SDLC-4': 'FAIL' }, (e) => (e.stack('App').sha256 = undefined)],
  [
    'the fleet without the tag the operations CLI finds it by',
    { 'OPS-2': 'FAIL' },
    (e) =>
      (e.find('App', 'Asg').Properties.Tags = [
        { Key: 'application', Value: 'app' },
        { Key: 'environment', Value: ENV },
        { Key: 'owner', Value: 'team' },
        { Key: 'data-classification', Value: 'internal' },
      ]),
  ],
]);

describe('from the nag report', () => {
  test('SDLC-1 fails on an unacknowledged error, a missing pack, or a reason without a control', () => {
    expect(
      changed(
        undefined,
        withNag(
          (n) =>
            (n.packs[3].violations = [
              { pack: 'PCI.DSS.321', rule: 'PCI.DSS.321-X', severity: 'error', constructPaths: ['prod/X'] },
            ]),
        ),
      ),
    ).toEqual({ 'SDLC-1': 'FAIL' });
    expect(
      changed(
        undefined,
        withNag((n) => n.packs.splice(2, 1)),
      ),
    ).toEqual({ 'SDLC-1': 'FAIL' });
    expect(
      changed(
        undefined,
        withNag((n) => ((n.packs[0].acknowledged as Json[])[0].reason = 'the ALB is the front door')),
      ),
    ).toEqual({ 'SDLC-1': 'FAIL' });
    expect(
      changed(
        undefined,
        withNag((n) => ((n.packs[0].acknowledged as Json[])[0].reason = 'XYZ-1: not a control')),
      ),
    ).toEqual({ 'SDLC-1': 'FAIL' });
  });

  test('without a validation report, SDLC-1 fails and SSE-S3 or unreplicated buckets lose their recorded reasons', () => {
    expect(changed(undefined, { nag: undefined })).toEqual({ 'SDLC-1': 'FAIL', 'DATA-2': 'FAIL', 'DATA-4': 'FAIL' });
  });
});
