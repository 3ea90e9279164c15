import { createReadStream } from 'node:fs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { EnvironmentConfig } from '../config/schema';
import type { Release } from '../release/contract';
import { type Artifact, type ArtifactLimits, checkVersion, inspectArtifact } from './artifact';
import type { OpsClients } from './clients';
import { OperationError } from './errors';
import type { RefreshIo, RefreshOptions } from './refresh';
import { destination, type ReleaseResult, shipOrPlan } from './release-ship';
import { base64OfHex, fleetState, holds, releaseVersionData, storedRelease } from './release-state';

export { type ReleaseResult } from './release-ship';
export { failedVersions, type ReleaseInHistory, rollbackToRelease } from './release-rollback';
export {
  recordedRelease,
  releaseBucket,
  releaseOfLaunchTemplateVersion,
  releaseTagSpecifications,
  type StoredRelease,
  storedRelease,
} from './release-state';

/**
 * IMM-9: ship an application release onto the fleet the immutable way, and
 * return to an earlier one. A release never changes a running node: it is a
 * new launch template version (the same boot script with another release
 * block, the same image) and an alarm-gated instance refresh that replaces
 * every node and rolls itself back when the new ones fail.
 *
 * Order of a release, so that nothing is half-changed: every check first
 * (artifact, version, fleet, running refresh, alarms, bucket, existing
 * object, boot script), then upload, launch template version, SSM record,
 * refresh. A refresh that does not succeed puts the SSM record back.
 */

export interface ReleaseOptions extends RefreshOptions, ArtifactLimits {
  readonly artifact: string;
  readonly version: string;
  readonly checksumFile?: string;
}

/**
 * `release --env E --artifact FILE --version V`: checks everything, uploads
 * the tarball (unless the same checksum is already there), and ships it.
 */
export async function release(
  clients: OpsClients,
  env: EnvironmentConfig,
  options: ReleaseOptions,
  io: RefreshIo,
): Promise<ReleaseResult> {
  const version = checkVersion(options.version);
  const artifact = await inspectArtifact(options.artifact, options.checksumFile, options);
  io.log(
    `artifact ${artifact.path}: ${artifact.bytes} bytes, gzip tarball, SHA-256 ${artifact.sha256}` +
      (artifact.checksumFile ? ` (matches ${artifact.checksumFile})` : ''),
  );
  const target: Release = { version, sha256: artifact.sha256 };

  const state = await fleetState(clients, env, options, io);
  const to = await destination(clients, env, version);
  const where = `s3://${to.bucket}/${to.objectKey}`;
  const { stored } = to;
  if (stored && !holds(stored, artifact.sha256)) {
    throw new OperationError(
      `release ${version} already exists in ${where} with SHA-256 ${stored.sha256 ?? '(none recorded)'}, not ${artifact.sha256}; ` +
        `a version is immutable: give this artifact a new --version, or ship the existing one with rollback --to-release ${version}`,
    );
  }
  try {
    releaseVersionData(state, target);
  } catch (e) {
    throw new OperationError(
      `launch template ${state.lt.launchTemplateId} version ${state.lt.version}: ${(e as Error).message}`,
    );
  }
  const upload = stored ? `reuse ${where} (same SHA-256, not uploaded again)` : `upload to ${where}`;
  return shipOrPlan(
    clients,
    {
      command: 'release',
      env,
      state,
      release: target,
      to,
      description: `ops release: release ${version} (sha256 ${artifact.sha256.slice(0, 12)}) on version ${state.lt.version}`,
      would: `${upload}, create a version of launch template ${state.lt.launchTemplateId} from version ${state.lt.version} naming release ${version}`,
      upload: {
        stored: stored !== undefined,
        run: async () => {
          if (stored) io.log(`release ${version} is already in ${where} with the same SHA-256; not uploaded again`);
          else await uploadArtifact(clients, to.bucket, to.objectKey, artifact, version, io);
        },
      },
    },
    options,
    io,
  );
}

const CORRUPT_UPLOAD_ERRORS = new Set(['BadDigest', 'InvalidDigest', 'XAmzContentSHA256Mismatch', 'InvalidRequest']);

async function uploadArtifact(
  clients: OpsClients,
  bucket: string,
  key: string,
  artifact: Artifact,
  version: string,
  io: RefreshIo,
): Promise<void> {
  try {
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: createReadStream(artifact.path),
        ContentLength: artifact.bytes,
        ContentType: 'application/gzip',
        // S3 computes the SHA-256 of what it received and rejects the upload when it differs.
        ChecksumSHA256: base64OfHex(artifact.sha256),
        Metadata: { sha256: artifact.sha256, version },
      }),
    );
  } catch (e) {
    const name = (e as { name?: string }).name ?? '';
    if (CORRUPT_UPLOAD_ERRORS.has(name)) {
      throw new OperationError(
        `S3 rejected the upload of ${artifact.path} to s3://${bucket}/${key} (${name}: ${(e as Error).message}): the bytes it received do not have SHA-256 ${artifact.sha256}; ` +
          `nothing was stored or recorded; run again`,
      );
    }
    throw e;
  }
  const stored = await storedRelease(clients, bucket, version);
  if (!stored || !holds(stored, artifact.sha256) || (stored.bytes !== undefined && stored.bytes !== artifact.bytes)) {
    throw new OperationError(
      `the object s3://${bucket}/${key} does not hold what was uploaded (SHA-256 ${stored?.sha256 ?? 'missing'}, ${stored?.bytes ?? '?'} bytes; expected ${artifact.sha256}, ${artifact.bytes} bytes); nothing was recorded`,
    );
  }
  io.log(`uploaded ${artifact.bytes} bytes to s3://${bucket}/${key} (S3 checked the SHA-256)`);
}
