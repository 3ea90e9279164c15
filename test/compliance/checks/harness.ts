import { runChecks } from '../../../lib/compliance/checks';
import type { NagReport } from '../../../lib/compliance/checks/nag-report';
import type { CheckContext, CheckResult, Status } from '../../../lib/compliance/checks/types';
import { context, type FixtureEditor } from '../fixture';

/**
 * What the per-family check tests share (they mirror lib/compliance/checks/<family>.ts):
 * the statuses of the untouched fixture, and which controls an edit changes.
 */
export type Json = Record<string, unknown>;
export const statuses = (results: readonly CheckResult[]) =>
  Object.fromEntries(results.map((r) => [r.control, r.status]));
export const baseline = statuses(runChecks(context()));

/** The controls whose status differs from the untouched fixture, with their new status. */
export function changed(
  edit?: (e: FixtureEditor) => void,
  options: Partial<CheckContext> = {},
): Record<string, Status> {
  const now = statuses(runChecks(context(edit, options)));
  return Object.fromEntries(Object.entries(now).filter(([id, s]) => baseline[id] !== s)) as Record<string, Status>;
}

export const withNag = (edit: (nag: { packs: Json[] }) => void): Partial<CheckContext> => {
  const nag = structuredClone(context().nag) as unknown as { packs: Json[] };
  edit(nag);
  return { nag: nag as unknown as NagReport };
};

/** One broken property and exactly the controls it must fail. */
export type Failure = [string, Record<string, Status>, (e: FixtureEditor) => void];

/** Each edit turns exactly its controls to FAIL (and changes nothing else). */
export function failsExactly(failures: readonly Failure[]): void {
  describe.each(failures)('%s', (_what, expected, edit) => {
    test(`turns exactly ${Object.keys(expected).join(', ')} to FAIL`, () => {
      expect(changed(edit)).toEqual(expected);
    });
  });
}
