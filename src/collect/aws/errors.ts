// How SDK failures become leash's error values. Optional sources turn them into ScanErrors and
// the scan goes on; the two essential reads (who am I, what does IAM hold) throw instead.
import type { ScanError, SourceKind } from '../../model/errors.js';
import scannerPolicy from '../../../docs/scanner-policy.json' with { type: 'json' };
import { ReadOnlyViolationError } from './allowlist.js';

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError', 'UnauthorizedAccess']);
const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'LimitExceededException']);
const NOT_FOUND = new Set(['NoSuchEntity', 'NoSuchEntityException', 'AWSOrganizationsNotInUseException', 'ChildNotFoundException', 'PolicyNotFoundException', 'TrailNotFoundException']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'TimeoutError', 'RequestTimeout']);

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

export function errorName(e: unknown): string {
  const err = (e ?? {}) as SdkLikeError;
  return err.name && err.name !== 'Error' ? err.name : (err.code ?? 'Error');
}

export function isAccessDenied(e: unknown): boolean {
  return ACCESS_DENIED.has(errorName(e));
}

export function errorCode(e: unknown): ScanError['code'] {
  const name = errorName(e);
  if (ACCESS_DENIED.has(name)) return 'access-denied';
  if (THROTTLED.has(name)) return 'throttled';
  if (NOT_FOUND.has(name)) return 'not-found';
  if (NETWORK.has(name) || NETWORK.has(String((e as SdkLikeError | undefined)?.code))) return 'network';
  return 'internal';
}

/** The message without request ids or anything credential-like; SDK messages carry neither, but keep it short. */
export function errorMessage(e: unknown): string {
  const err = (e ?? {}) as SdkLikeError;
  const msg = (err.message ?? String(e)).split('\n')[0] ?? '';
  return `${errorName(e)}: ${msg.length > 300 ? `${msg.slice(0, 297)}...` : msg}`;
}

/** A ScanError for an optional source. A read-only violation is a bug, never a value: rethrow it. */
export function toScanError(source: SourceKind, operation: string, e: unknown, location?: string): ScanError {
  if (e instanceof ReadOnlyViolationError) throw e;
  return { source, code: errorCode(e), message: `${operation}: ${errorMessage(e)}`, ...(location ? { location } : {}) };
}

/** The least-privilege policy a scan needs (docs/scanner-policy.json). */
export const SCANNER_POLICY: unknown = scannerPolicy;

/** The scan cannot work at all without this read; the message tells the operator what to attach. */
export class EssentialAccessError extends Error {
  readonly policy: unknown = SCANNER_POLICY;
  constructor(
    readonly operation: string,
    readonly cause: unknown,
    readonly accountId?: string,
  ) {
    super(
      `leash could not call ${operation}${accountId ? ` in account ${accountId}` : ''} (${errorMessage(cause)}).\n` +
        'A scan needs at least this read-only policy on the identity it runs as (docs/scanner-policy.json):\n' +
        JSON.stringify(SCANNER_POLICY, null, 2),
    );
    this.name = 'EssentialAccessError';
  }
}

/** An essential read failed for a reason other than access (network, throttling past all retries, a 5xx). */
export class AwsCollectError extends Error {
  readonly code: ScanError['code'];
  constructor(
    readonly operation: string,
    readonly cause: unknown,
    readonly accountId?: string,
  ) {
    super(`leash could not call ${operation}${accountId ? ` in account ${accountId}` : ''}: ${errorMessage(cause)}`);
    this.name = 'AwsCollectError';
    this.code = errorCode(cause);
  }
}

/** Essential call failed: AccessDenied → EssentialAccessError, anything else → AwsCollectError. */
export function essentialFailure(operation: string, e: unknown, accountId?: string): Error {
  if (e instanceof ReadOnlyViolationError) return e;
  return isAccessDenied(e) ? new EssentialAccessError(operation, e, accountId) : new AwsCollectError(operation, e, accountId);
}
