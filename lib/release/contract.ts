/**
 * The release contract (IMM-9): what the CDK program, the release CLI, the
 * verify command and the application on a fleet node agree on. Kept free of
 * aws-cdk-lib and SDK imports so every side can load it.
 *
 * A release is a gzip tarball with a version and a SHA-256. It lives in the
 * environment's release bucket under {@link releaseObjectKey}. Every launch
 * template version names exactly one release in its user data (the block
 * between {@link RELEASE_BLOCK_BEGIN} and {@link RELEASE_BLOCK_END}); a node
 * fetches that release at boot, checks the checksum, and starts the service
 * only if it matches. The environment's current release is also recorded in
 * the SSM parameter {@link releaseParameterName}, which CloudFormation
 * resolves into the template's launch template at deploy time, so a
 * `cdk deploy` keeps the release the CLI shipped.
 */

/** A release as a launch template version and the SSM record name it: `<version> <sha256>`. */
export interface Release {
  readonly version: string;
  /** Lower-case hex SHA-256 of the tarball; `-` for {@link NO_RELEASE}. */
  readonly sha256: string;
}

/** What a new environment runs before its first release: the image's placeholder service. */
export const NO_RELEASE: Release = { version: 'none', sha256: '-' };

/** Release versions: a letter or digit, then up to 63 of letters, digits and `._+-` (semver fits). */
export const RELEASE_VERSION_PATTERN = /^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$/;
export const SHA256_PATTERN = /^[0-9a-f]{64}$/;
/** The largest artifact a release may be (S3 single PUT is 5 GiB; a node downloads it at every boot). */
export const MAX_ARTIFACT_BYTES = 256 * 1024 * 1024;

/** SSM parameter (String) recording the environment's current release as `<version> <sha256>`. */
export function releaseParameterName(application: string, environment: string): string {
  return `/${application}/${environment}/release/current`;
}

/** SSM parameter (String) holding the name of the environment's release bucket. */
export function releaseBucketParameterName(application: string, environment: string): string {
  return `/${application}/${environment}/release/bucket`;
}

/** Where the tarball of a release lives in the release bucket. */
export function releaseObjectKey(version: string): string {
  return `releases/${version}/app.tgz`;
}

/** Instance tag (set by the launch template version) naming the release the node booted with. */
export const RELEASE_TAG = 'saas:release';

/** The SSM record's value for a release. */
export function formatRelease(r: Release): string {
  return `${r.version} ${r.sha256}`;
}

/** Parses an SSM record value; undefined when it is not `<version> <sha256>` or `none -`. */
export function parseReleaseRecord(value: string | undefined): Release | undefined {
  const m = /^(\S+) (\S+)$/.exec((value ?? '').trim());
  if (!m) return undefined;
  const [, version, sha256] = m;
  if (version === NO_RELEASE.version && sha256 === NO_RELEASE.sha256) return NO_RELEASE;
  return RELEASE_VERSION_PATTERN.test(version!) && SHA256_PATTERN.test(sha256!)
    ? { version: version!, sha256: sha256! }
    : undefined;
}

/** Files and directories on a fleet node. The image (images/components/app-runtime.yml) creates them. */
export const NODE_PATHS = {
  /** Each verified release is unpacked into `<releases>/<version>`. */
  releases: '/opt/app/releases',
  /** Symlink to the release the service runs (the image's placeholder until the first release). */
  current: '/opt/app/current',
  /** The image's placeholder service (answers /healthz only). */
  placeholder: '/opt/app/placeholder',
  /** Written by the boot script after the checksum matched: `{"version":…,"sha256":…}`. */
  releaseFile: '/etc/app/release.json',
  /** systemd EnvironmentFile of the service: the variables of {@link APP_ENV}. */
  envFile: '/etc/app/app.env',
  tlsCert: '/etc/app/tls/cert.pem',
  tlsKey: '/etc/app/tls/key.pem',
  /** The RDS CA bundle (installed by the image), for `verify-full` TLS to the database. */
  databaseCa: '/etc/app/rds-ca.pem',
  /** JSON access logs; the CloudWatch agent ships `*.log` here to the fleet's `app` log group. */
  logDir: '/var/log/app',
} as const;

/**
 * Environment variables the service gets (from {@link NODE_PATHS.envFile}).
 * A customer's application reads these and nothing else to find its
 * environment; it gets no password: the database takes RDS IAM tokens.
 */
export const APP_ENV = {
  PORT: 'HTTPS port to listen on (ingress.appPort)',
  TLS_CERT: 'PEM certificate of the node (the ALB does not validate it; traffic is still encrypted)',
  TLS_KEY: 'PEM private key of the node',
  RELEASE_FILE: 'the verified release record written at boot; /healthz answers 200 only when it names this build',
  AWS_REGION: 'the region of the environment',
  DB_HOST: 'database endpoint address',
  DB_PORT: 'database port',
  DB_NAME: 'database name',
  DB_USER: 'database role the service logs in as with an RDS IAM token (never the master user)',
  DB_CA_FILE: 'CA bundle for verify-full TLS to the database',
  DB_MASTER_SECRET_ARN:
    'RDS-managed master secret; only the migration step (migrate.js, run as root before the service) reads it',
  DATA_BUCKET: 'the customer data bucket; objects only under tenants/<tenant>/',
  UPLOAD_URL_TTL_SECONDS: 'lifetime of presigned URLs (at most the bucket policy signature-age limit)',
  LOG_DIR: 'where the JSON access log goes',
} as const;
export type AppEnvName = keyof typeof APP_ENV;

/** The database role the application logs in as (created by the release's migration, granted rds_iam). */
export const APP_DB_USER = 'app_rw';

export const RELEASE_BLOCK_BEGIN = '# >>> release (IMM-9): written by the CDK program and by `npm run release`';
export const RELEASE_BLOCK_END = '# <<< release';

/** The release block of a boot script: one shell assignment the CLI rewrites. */
export function releaseBlock(release: string): string {
  return `${RELEASE_BLOCK_BEGIN}\nRELEASE='${release}'\n${RELEASE_BLOCK_END}`;
}

const BLOCK = new RegExp(`${escape(RELEASE_BLOCK_BEGIN)}\\nRELEASE='([^'\\n]*)'\\n${escape(RELEASE_BLOCK_END)}`);
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\`]/g, '\\$&');
}

/** The release a boot script (decoded user data) names; undefined when it has no well-formed release block. */
export function releaseOfUserData(userData: string): Release | undefined {
  const m = BLOCK.exec(userData);
  return m ? parseReleaseRecord(m[1]) : undefined;
}

/** The same boot script naming another release; throws when the script has no release block. */
export function withRelease(userData: string, release: Release): string {
  if (!BLOCK.test(userData)) {
    throw new Error(
      'the launch template version has no release block in its user data; deploy the App stack of this version of the CDK program first',
    );
  }
  return userData.replace(BLOCK, releaseBlock(formatRelease(release)));
}

/** What the boot script needs besides the release; values may be CDK tokens. */
export interface BootSettings {
  readonly releaseBucket: string;
  readonly region: string;
  readonly env: Readonly<Record<AppEnvName, string>>;
}

/**
 * The boot script of every fleet node (user data). It fetches exactly the
 * release its launch template version names through the S3 gateway
 * endpoint, checks the SHA-256 and refuses to start the service on a
 * mismatch, so the health check fails and the refresh rolls back. `release`
 * is the `<version> <sha256>` text (a CDK token in the template).
 */
export function renderBootScript(release: string, s: BootSettings): string {
  const envLines = (Object.keys(APP_ENV) as AppEnvName[]).map((k) => `${k}=${s.env[k]}`).join('\n');
  return `#!/bin/bash
# Boot path of a fleet node (IMM-9). No node ever changes release in place:
# a new release is a new launch template version and new nodes.
set -euo pipefail
${releaseBlock(release)}
read -r RELEASE_VERSION RELEASE_SHA256 <<<"$RELEASE"
export AWS_REGION='${s.region}'
install -d -m 0750 -o root -g app /etc/app
cat > ${NODE_PATHS.envFile} <<'ENV'
${envLines}
ENV
chmod 0640 ${NODE_PATHS.envFile} && chgrp app ${NODE_PATHS.envFile}
if [ "$RELEASE_VERSION" = '${NO_RELEASE.version}' ]; then
  # No release shipped yet: the image's placeholder answers the health check.
  ln -sfn ${NODE_PATHS.placeholder} ${NODE_PATHS.current}
  printf '{"version":"none","sha256":"-"}\\n' > ${NODE_PATHS.releaseFile}
  systemctl start app
  exit 0
fi
[[ "$RELEASE_VERSION" =~ ^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$ ]] || { echo "release: bad version '$RELEASE_VERSION'" >&2; exit 1; }
[[ "$RELEASE_SHA256" =~ ^[0-9a-f]{64}$ ]] || { echo "release: bad sha256 '$RELEASE_SHA256'" >&2; exit 1; }
artifact=$(mktemp)
aws s3api get-object --bucket '${s.releaseBucket}' --key "releases/$RELEASE_VERSION/app.tgz" "$artifact" > /dev/null
if ! echo "$RELEASE_SHA256  $artifact" | sha256sum --check --status; then
  echo "release $RELEASE_VERSION: SHA-256 of the artifact is $(sha256sum "$artifact" | cut -c1-64), expected $RELEASE_SHA256; the service is not started" >&2
  exit 1
fi
dir=${NODE_PATHS.releases}/$RELEASE_VERSION
install -d -m 0750 -o root -g app "$dir"
tar -xzf "$artifact" -C "$dir" --no-same-owner --no-same-permissions
rm -f "$artifact"
chgrp -R app "$dir" && chmod -R g+rX,o-rwx "$dir"
if [ -f "$dir/migrate.js" ]; then
  # Schema and roles: the only step that reads the master secret, before the service starts.
  (set -a; . ${NODE_PATHS.envFile}; set +a; /usr/bin/node "$dir/migrate.js")
fi
printf '{"version":"%s","sha256":"%s"}\\n' "$RELEASE_VERSION" "$RELEASE_SHA256" > ${NODE_PATHS.releaseFile}
ln -sfn "$dir" ${NODE_PATHS.current}
systemctl start app
`;
}
