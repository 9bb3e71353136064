// Errors are values at the edges: a source can fail partly, and the report says what is missing.

export type SourceKind =
  | 'authorization-details-file'
  | 'authorization-details-api'
  | 'cloudtrail-file'
  | 'cloudtrail-api'
  | 'cloudtrail-s3'
  | 'cloudtrail-athena'
  | 'organizations-accounts'
  /** The scanned account's own organization (organizations:DescribeOrganization), in a live scan of one account. */
  | 'organizations-membership'
  | 'service-last-accessed'
  | 'organizations-scp'
  | 'identity-center'
  | 'local-ai-config'
  | 'config'
  | 'inventory-file'
  | 'config-snapshot'
  | 'inventory-api'
  | 'organizations-rcp';

export interface SourceInfo {
  readonly kind: SourceKind;
  /** File path, account id, or API name. Never a credential. */
  readonly location: string;
  readonly status: 'ok' | 'partial' | 'unavailable' | 'skipped';
  readonly detail?: string;
  readonly counts?: Readonly<Record<string, number>>;
}

export interface ScanError {
  readonly source: SourceKind;
  readonly code: 'access-denied' | 'throttled' | 'invalid-input' | 'not-found' | 'unmapped' | 'network' | 'internal';
  readonly message: string;
  /** File and JSON path / line where the problem is, when it came from a file. */
  readonly location?: string;
  readonly path?: string;
}

/** Bad user input: a file, a place in it, what was expected. The CLI maps it to exit code 2. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly expected: string,
    readonly got?: string,
  ) {
    super(`${file}${path ? ` at ${path}` : ''}: expected ${expected}${got !== undefined ? `, got ${got}` : ''}`);
    this.name = 'InputError';
  }
}

/**
 * `$.RoleDetailList[3].RoleName`: a JSON path for error messages, from zod-style path segments.
 * Keys that are not identifiers are quoted (`$.mcpServers["aws.api"]`) so the path stays exact.
 */
export function jsonPath(path: readonly PropertyKey[]): string {
  return '$' + path.map((p) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(String(p)) ? `.${String(p)}` : `[${JSON.stringify(String(p))}]`)).join('');
}

/** The value at a zod-style path inside parsed input (undefined when the path does not exist). */
export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/** What an input value was, short enough for an error message ("got …"). */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing (missing)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const text = JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
