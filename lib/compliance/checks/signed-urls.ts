import { SIGNATURE_AGE_MINUTES } from '../../config/schema';
import type { Collector } from './collector';
import { asNumber, conditionValue, get } from './template';
import type { ResourceRef } from './types';

const isDeny = (s: unknown) => get(s, 'Effect') === 'Deny';

/**
 * DATA-2, customer data buckets: signed URLs work for minutes. The bucket
 * policy refuses requests signed longer ago than the configured maximum and
 * anything not signed with SigV4, whatever expiry the signer asked for.
 */
export function checkShortLivedSignatures(c: Collector, bucket: ResourceRef, statements: readonly unknown[]): void {
  const maxMs = SIGNATURE_AGE_MINUTES.max * 60_000;
  const ages = statements
    .filter(isDeny)
    .map((s) => asNumber(conditionValue(s, 'NumericGreaterThan', 's3:signatureAge')))
    .filter((v): v is number => v !== undefined);
  const age = ages.length > 0 ? Math.min(...ages) : undefined;
  c.check(
    bucket,
    'BucketPolicy: Deny s3:signatureAge >',
    age === undefined ? '(no limit)' : `${age} ms (${age / 60_000} min)`,
    age !== undefined && age <= maxMs,
    `a Deny of requests signed more than ${SIGNATURE_AGE_MINUTES.max} minutes ago (config: dataBucket.maxSignatureAgeMinutes)`,
  );
  const sigv4 = statements.some(
    (s) => isDeny(s) && conditionValue(s, 'StringNotEquals', 's3:signatureversion') === 'AWS4-HMAC-SHA256',
  );
  c.check(
    bucket,
    'BucketPolicy: Deny s3:signatureversion != AWS4-HMAC-SHA256',
    sigv4,
    sigv4,
    'a Deny of anything but SigV4',
  );
}
