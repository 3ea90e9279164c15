import { UsageError } from '../cli/args';

/**
 * Exit codes of every ops command. Scripts and CI branch on them, so they are
 * a contract: 0 success, 1 the environment breaks a promise or the operation
 * did not succeed, 2 the command could not do its job (usage, configuration,
 * credentials, network, AWS errors).
 */
export const EXIT = { ok: 0, failed: 1, cannotRun: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

// The command line or configuration is wrong: the one usage error of every CLI (exit 2).
export { UsageError };

/** The command ran but was refused or did not succeed (refresh in progress, refresh failed, nothing to roll back to). Exit 1. */
export class OperationError extends Error {
  readonly exitCode = EXIT.failed;
  constructor(message: string) {
    super(message);
    this.name = 'OperationError';
  }
}

/** AWS could not be asked: missing or wrong credentials, wrong account, unreachable endpoint, throttling. Exit 2. */
export class AwsAccessError extends Error {
  readonly exitCode = EXIT.cannotRun;
  constructor(
    message: string,
    readonly kind: AwsErrorKind,
  ) {
    super(message);
    this.name = 'AwsAccessError';
  }
}

/** The errors whose exit code is known; anything else is unexpected and ends the command with 2. */
export function isOpsError(e: unknown): e is UsageError | OperationError | AwsAccessError {
  return e instanceof UsageError || e instanceof OperationError || e instanceof AwsAccessError;
}

export type AwsErrorKind = 'credentials' | 'connection' | 'throttling' | 'access-denied' | 'api';

interface SdkErrorShape {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly attempts?: number; readonly httpStatusCode?: number };
}

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'AuthFailure',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'InvalidSignatureException',
  'TokenRefreshRequired',
]);
// The SDK's own retry classification (THROTTLING_ERROR_CODES of @smithy/core), repeated here for the message only.
const THROTTLING_ERRORS = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
  'LimitExceededException',
]);
const ACCESS_DENIED_ERRORS = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
  'Forbidden',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'TimeoutError',
  'RequestTimeout',
]);

/** Where requests go, for messages: the override if one is set, else the public AWS endpoints. */
export function endpointLabel(env: Readonly<Record<string, string | undefined>>, region: string): string {
  return env.AWS_ENDPOINT_URL ? `${env.AWS_ENDPOINT_URL} (AWS_ENDPOINT_URL)` : `the AWS endpoints of ${region}`;
}

/**
 * Turns an SDK error into a classified message that tells the user what to do.
 * `endpoint` names where requests went, so connection errors point at the
 * right setting.
 */
export function describeAwsError(error: unknown, endpoint: string): { kind: AwsErrorKind; message: string } {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SdkErrorShape;
  const name = e.name ?? 'Error';
  const code = e.code ?? name;
  const detail = e.message ?? name;
  const attempts = e.$metadata?.attempts;
  if (CREDENTIAL_ERRORS.has(name) || /could not load credentials/i.test(detail)) {
    return {
      kind: 'credentials',
      message:
        name === 'CredentialsProviderError'
          ? `no AWS credentials found (${detail}); set AWS_PROFILE (run "aws sso login" first if the profile uses SSO) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`
          : `AWS rejected the credentials (${name}: ${detail}); refresh them (e.g. "aws sso login") or choose another profile with AWS_PROFILE`,
    };
  }
  if (NETWORK_CODES.has(code) || NETWORK_CODES.has(name)) {
    return {
      kind: 'connection',
      message: `cannot reach ${endpoint} (${code}: ${detail}); check the network, proxy and AWS_ENDPOINT_URL, then run again`,
    };
  }
  if (THROTTLING_ERRORS.has(name)) {
    return {
      kind: 'throttling',
      message: `AWS kept throttling the request (${name}) after ${attempts ?? 'several'} attempts; wait a minute and run again`,
    };
  }
  if (ACCESS_DENIED_ERRORS.has(name)) {
    return {
      kind: 'access-denied',
      message: `access denied (${name}: ${detail}); the credentials need the read (and, for rotate/rollback, Auto Scaling and launch template) permissions listed in docs/operations.md`,
    };
  }
  // A non-AWS answer (an HTML error page, a proxy) fails deserialization; say so rather than quoting the parser.
  if (/deserialization error|parse error|Unexpected token/i.test(detail)) {
    return {
      kind: 'api',
      message: `${endpoint} answered with something that is not an AWS API response (HTTP ${e.$metadata?.httpStatusCode ?? '?'}); check AWS_ENDPOINT_URL or the proxy, or the API is not supported there`,
    };
  }
  return { kind: 'api', message: `${name}: ${detail}` };
}

/** Wraps an SDK error as an {@link AwsAccessError} (exit 2) with an actionable message. */
export function toAwsAccessError(error: unknown, endpoint: string): AwsAccessError {
  const { kind, message } = describeAwsError(error, endpoint);
  return new AwsAccessError(message, kind);
}
