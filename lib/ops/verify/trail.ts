import {
  type CloudTrailClient,
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  type GetTrailStatusCommandOutput,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { type CheckResult, fail, formatAge, HOUR_MS, pass } from './result';

/** CloudTrail (LOG-1). */
/** The checks of one trail from its description and status; the caller picks the trail. */
export function evaluateTrail(
  trail: Trail,
  status: Omit<GetTrailStatusCommandOutput, '$metadata'> | undefined,
  maxAgeHours: number,
  now: Date,
): CheckResult[] {
  const name = trail.Name ?? trail.TrailARN ?? '(unnamed trail)';
  const rows: CheckResult[] = [pass('trail.exists', name, `home region ${trail.HomeRegion ?? 'unknown'}`)];
  rows.push(
    status?.IsLogging
      ? pass('trail.logging', name, 'logging')
      : fail(
          'trail.logging',
          name,
          `not logging${status?.StopLoggingTime ? ` since ${status.StopLoggingTime.toISOString()}` : ''}; start it (aws cloudtrail start-logging --name ${name})`,
        ),
  );
  rows.push(
    trail.IsMultiRegionTrail
      ? pass('trail.multi-region', name, 'records every region')
      : fail(
          'trail.multi-region',
          name,
          `records only ${trail.HomeRegion ?? 'its home region'}; LOG-1 needs a multi-region trail`,
        ),
  );
  rows.push(
    trail.LogFileValidationEnabled
      ? pass('trail.log-file-validation', name, 'digest files enabled')
      : fail(
          'trail.log-file-validation',
          name,
          'log file validation is off; tampering with delivered logs would go unnoticed',
        ),
  );
  rows.push(
    trail.KmsKeyId
      ? pass('trail.kms-encryption', name, `KMS key ${trail.KmsKeyId}`)
      : fail('trail.kms-encryption', name, 'logs are not encrypted with a KMS key (SSE-S3 only)'),
  );
  const last = status?.LatestDeliveryTime;
  if (status?.LatestDeliveryError) {
    rows.push(fail('trail.delivery', name, `latest delivery failed: ${status.LatestDeliveryError}`));
  } else if (!last) {
    rows.push(fail('trail.delivery', name, 'no log delivery recorded'));
  } else {
    const age = now.getTime() - last.getTime();
    rows.push(
      age <= maxAgeHours * HOUR_MS
        ? pass('trail.delivery', name, `latest delivery ${formatAge(age)} ago`)
        : fail(
            'trail.delivery',
            name,
            `latest delivery ${formatAge(age)} ago (${last.toISOString()}), older than ${maxAgeHours} h`,
          ),
    );
  }
  return rows;
}

const failures = (rows: readonly CheckResult[]) => rows.filter((r) => r.status !== 'PASS').length;

export async function checkTrail(
  cloudtrail: CloudTrailClient,
  region: string,
  o: { maxAgeHours: number; trailName?: string; now: Date },
): Promise<CheckResult[]> {
  // DescribeTrails is not paginated: one call returns every trail, shadow copies of multi-region trails included.
  const all = (await cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [];
  const wanted = o.trailName ? all.filter((t) => t.Name === o.trailName || t.TrailARN === o.trailName) : all;
  const names = all.map((t) => t.Name).join(', ');
  if (wanted.length === 0) {
    return [
      fail(
        'trail.exists',
        o.trailName ?? '(account)',
        o.trailName
          ? `no trail named ${o.trailName} is visible from ${region}${names ? `; trails: ${names}` : ''}`
          : `no CloudTrail trail is visible from ${region}; LOG-1 needs one multi-region trail per account`,
      ),
    ];
  }
  const evaluated = await Promise.all(
    wanted.map(async (trail) => {
      // A shadow copy's status is only available by ARN.
      const status = await cloudtrail.send(new GetTrailStatusCommand({ Name: trail.TrailARN ?? trail.Name }));
      return { trail, rows: evaluateTrail(trail, status, o.maxAgeHours, o.now) };
    }),
  );
  // Without --trail the account may hold several trails; the account passes if one of them keeps every promise.
  evaluated.sort(
    (a, b) =>
      failures(a.rows) - failures(b.rows) ||
      Number(b.trail.IsMultiRegionTrail ?? false) - Number(a.trail.IsMultiRegionTrail ?? false) ||
      (a.trail.Name ?? '').localeCompare(b.trail.Name ?? ''),
  );
  const [best, ...others] = evaluated;
  if (others.length === 0) return best.rows;
  const [exists, ...rest] = best.rows;
  const also = others.map((o) => o.trail.Name).join(', ');
  return [{ ...exists, detail: `${exists.detail}; best of ${evaluated.length} trails (also ${also})` }, ...rest];
}
