// Policy documents arrive as objects (AWS CLI output), JSON strings, or URL-encoded JSON strings
// (the IAM API returns them RFC 3986-encoded and the SDK does not decode them). parsePolicy
// accepts all three and normalises every string-or-array field to an array. Bad input is a
// value naming the JSON path and what was expected, never a throw.
import type { ConditionBlock, Effect, PolicyDocument, PrincipalBlock, Statement } from '../model/policy.js';

export interface PolicyParseError {
  readonly path: string;
  readonly expected: string;
  readonly got: string;
}

export type ParseResult = { ok: true; document: PolicyDocument } | { ok: false; error: PolicyParseError };

const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition']);

class Fail {
  constructor(readonly error: PolicyParseError) {}
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length > 40 ? `string "${v.slice(0, 37)}..."` : `string "${v}"`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function fail(path: string, expected: string, got: unknown): never {
  throw new Fail({ path, expected, got: describe(got) });
}

/** Decode a policy given as a string: plain JSON or URL-encoded JSON. */
export function decodePolicyText(text: string, path = '$'): unknown {
  const trimmed = text.trim();
  let json = trimmed;
  if (!trimmed.startsWith('{')) {
    try {
      json = decodeURIComponent(trimmed.replace(/\+/g, '%20'));
    } catch {
      fail(path, 'a JSON policy document or a URL-encoded one', text);
    }
  }
  try {
    return JSON.parse(json) as unknown;
  } catch (e) {
    fail(path, `valid JSON (${(e as Error).message})`, text);
  }
}

// JSON paths are made only for an error: a statement's fields on the way in built five or six
// path strings that a valid policy never needed (tens of thousands at 10,000 principals).
type At = () => string;

function stringList(v: unknown, at: At, key: string): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.length > 0) {
    return v.map((item, i) => (typeof item === 'string' ? item : fail(`${at()}.${key}[${i}]`, 'a string', item)));
  }
  return fail(`${at()}.${key}`, 'a string or a non-empty array of strings', v);
}

function principalBlock(v: unknown, at: At, key: string): PrincipalBlock {
  if (v === '*') return '*';
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return fail(`${at()}.${key}`, '"*" or an object such as {"AWS": [...]}', v);
  const out: Record<string, readonly string[]> = Object.create(null) as Record<string, readonly string[]>;
  for (const [k, val] of Object.entries(v)) out[k] = stringList(val, () => `${at()}.${key}`, k);
  return out;
}

function conditionBlock(v: unknown, at: At, key: string): ConditionBlock {
  const path = (): string => `${at()}.${key}`;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return fail(path(), 'an object of condition operators', v);
  // Null-prototype records: a key named `__proto__` (from the JSON) is a key like any other, not
  // a prototype assignment that silently drops the condition.
  const out: Record<string, Record<string, readonly string[]>> = Object.create(null) as Record<string, Record<string, readonly string[]>>;
  for (const [op, keys] of Object.entries(v)) {
    if (keys === null || typeof keys !== 'object' || Array.isArray(keys)) fail(`${path()}.${op}`, 'an object of condition keys', keys);
    const inner: Record<string, readonly string[]> = Object.create(null) as Record<string, readonly string[]>;
    for (const [key, val] of Object.entries(keys as object)) {
      const values = Array.isArray(val) ? val : [val];
      inner[key] = values.map((x, i) =>
        typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : fail(`${path()}.${op}.${key}[${i}]`, 'a string, number or boolean', x),
      );
    }
    out[op] = inner;
  }
  return out;
}

function statement(v: unknown, index: number, at: At, kind: 'identity' | 'trust' | 'any'): Statement {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return fail(at(), 'a statement object', v);
  const s = v as Record<string, unknown>;
  for (const k of Object.keys(s)) if (!STATEMENT_KEYS.has(k)) fail(`${at()}.${k}`, `one of ${[...STATEMENT_KEYS].join(', ')}`, k);
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') fail(`${at()}.Effect`, '"Allow" or "Deny"', s.Effect);
  if ((s.Action === undefined) === (s.NotAction === undefined)) fail(at(), 'exactly one of Action or NotAction', s.Action ?? s.NotAction);
  if (s.Resource !== undefined && s.NotResource !== undefined) fail(at(), 'at most one of Resource or NotResource', 'both');
  if (s.Principal !== undefined && s.NotPrincipal !== undefined) fail(at(), 'at most one of Principal or NotPrincipal', 'both');
  if (kind === 'identity' && s.Resource === undefined && s.NotResource === undefined) fail(at(), 'Resource or NotResource in an identity policy statement', 'neither');
  if (kind === 'trust' && s.Principal === undefined && s.NotPrincipal === undefined) fail(at(), 'Principal or NotPrincipal in a trust policy statement', 'neither');
  if (s.Sid !== undefined && typeof s.Sid !== 'string') fail(`${at()}.Sid`, 'a string', s.Sid);
  const out: {
    -readonly [K in keyof Statement]: Statement[K];
  } = { index, effect: s.Effect as Effect };
  if (typeof s.Sid === 'string') out.sid = s.Sid;
  if (s.Action !== undefined) out.action = stringList(s.Action, at, 'Action');
  if (s.NotAction !== undefined) out.notAction = stringList(s.NotAction, at, 'NotAction');
  if (s.Resource !== undefined) out.resource = stringList(s.Resource, at, 'Resource');
  if (s.NotResource !== undefined) out.notResource = stringList(s.NotResource, at, 'NotResource');
  if (s.Principal !== undefined) out.principal = principalBlock(s.Principal, at, 'Principal');
  if (s.NotPrincipal !== undefined) out.notPrincipal = principalBlock(s.NotPrincipal, at, 'NotPrincipal');
  if (s.Condition !== undefined) out.condition = conditionBlock(s.Condition, at, 'Condition');
  return out;
}

/**
 * Parse a policy document. `kind` tightens the rules: identity policies need Resource/NotResource,
 * trust policies need Principal/NotPrincipal. `basePath` prefixes JSON paths in errors.
 */
export function parsePolicy(input: unknown, kind: 'identity' | 'trust' | 'any' = 'any', basePath = '$'): ParseResult {
  try {
    const raw = typeof input === 'string' ? decodePolicyText(input, basePath) : input;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return fail(basePath, 'a policy document object', raw);
    const doc = raw as Record<string, unknown>;
    for (const k of Object.keys(doc)) if (!['Version', 'Id', 'Statement'].includes(k)) fail(`${basePath}.${k}`, 'one of Version, Id, Statement', k);
    // IAM treats a missing Version as 2008-10-17 (no policy variables).
    const version = doc.Version ?? '2008-10-17';
    if (version !== '2012-10-17' && version !== '2008-10-17') fail(`${basePath}.Version`, '"2012-10-17" or "2008-10-17"', version);
    if (doc.Id !== undefined && typeof doc.Id !== 'string') fail(`${basePath}.Id`, 'a string', doc.Id);
    const st = doc.Statement;
    if (st === undefined) fail(`${basePath}.Statement`, 'a statement or an array of statements', st);
    const statements = Array.isArray(st)
      ? st.map((s, i) => statement(s, i, () => `${basePath}.Statement[${i}]`, kind))
      : [statement(st, 0, () => `${basePath}.Statement`, kind)];
    const document: PolicyDocument = typeof doc.Id === 'string'
      ? { version: version as PolicyDocument['version'], id: doc.Id, statements }
      : { version: version as PolicyDocument['version'], statements };
    return { ok: true, document };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, error: e.error };
    throw e;
  }
}

/** Back to the AWS JSON shape, with single values collapsed the way people write them. */
export function statementToJson(s: Statement): Record<string, unknown> {
  const one = (xs: readonly string[]) => (xs.length === 1 ? xs[0] : [...xs]);
  const out: Record<string, unknown> = {};
  if (s.sid !== undefined) out.Sid = s.sid;
  out.Effect = s.effect;
  if (s.principal !== undefined) out.Principal = principalToJson(s.principal);
  if (s.notPrincipal !== undefined) out.NotPrincipal = principalToJson(s.notPrincipal);
  if (s.action) out.Action = one(s.action);
  if (s.notAction) out.NotAction = one(s.notAction);
  if (s.resource) out.Resource = one(s.resource);
  if (s.notResource) out.NotResource = one(s.notResource);
  if (s.condition) {
    out.Condition = Object.fromEntries(Object.entries(s.condition).map(([op, keys]) => [op, Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, one(v)]))]));
  }
  return out;
}

function principalToJson(p: PrincipalBlock): unknown {
  if (p === '*') return '*';
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.length === 1 ? v[0] : [...v]]));
}

export function policyToJson(doc: PolicyDocument): Record<string, unknown> {
  const out: Record<string, unknown> = { Version: doc.version };
  if (doc.id !== undefined) out.Id = doc.id;
  out.Statement = doc.statements.map(statementToJson);
  return out;
}
