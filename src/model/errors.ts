// Errors are values at the edges: a source can fail partly, and the report says what is missing.

export type SourceKind =
  | 'authorization-details-file'
  | 'authorization-details-api'
  | 'cloudtrail-file'
  | 'cloudtrail-api'
  | 'service-last-accessed'
  | 'organizations-scp'
  | 'local-ai-config'
  | 'config';

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
