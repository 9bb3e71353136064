// AWS size limits for the documents a fix produces, and what to do when a document is too big:
// split it across several policies, and only if that is not enough, collapse action lists into
// wildcards that grant nothing the list did not already grant.
//
// Limits and how IAM counts them:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
//   managed policy 6,144 characters; inline policies per role 10,240 and per user 2,048 in
//   aggregate; "IAM doesn't count white space when calculating the size of a policy against
//   these limits" (said for inline and for managed policies). Role trust policy length 2,048
//   characters (default quota, adjustable to 8,192).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_AccountSummary.html
//   AssumeRolePolicySizeQuota is "in non-whitespace characters", so trust policies are counted
//   the same way.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
//   session policies: "The plaintext that you use for both inline and managed session policies
//   can't exceed 2,048 characters", with no whitespace exemption, and then "An AWS conversion
//   compresses the passed inline session policy, managed policy ARNs, and session tags into a
//   packed binary format that has a separate limit". That packed size is only known from STS's
//   PackedPolicySize response, so for sessions the plaintext count is an approximation.
import type { Catalog } from '../../iam/catalog.js';
import { policyToJson, statementToJson } from '../../iam/parse.js';
import { globRegex, hasWildcard } from '../../iam/pattern.js';
import type { PolicyDocument, Statement } from '../../model/policy.js';

export type PolicySizeKind = 'managed' | 'inline-role' | 'inline-user' | 'trust' | 'session';

export const POLICY_SIZE_LIMITS: Readonly<Record<PolicySizeKind, number>> = {
  managed: 6_144,
  'inline-role': 10_240,
  'inline-user': 2_048,
  trust: 2_048,
  session: 2_048,
};

export interface SizeCheck {
  readonly kind: PolicySizeKind;
  readonly limit: number;
  /** For inline kinds, the aggregate over every document passed in. */
  readonly size: number;
  readonly fits: boolean;
  readonly unit: 'non-whitespace characters' | 'characters';
  /** true when the real limit is measured differently from what we can count (session policies). */
  readonly approximate: boolean;
  readonly note?: string;
}

// JSON's whitespace. Policy documents may contain only tab, LF, CR and U+0020..U+00FF, so
// U+00A0 is the one other candidate; the docs do not say IAM treats it as white space.
const WHITESPACE = /[ \t\n\r]/g;

/** Characters IAM counts: the document as we would submit it, white space (anywhere) excluded. */
export function nonWhitespaceLength(json: string): number {
  return json.length - (json.match(WHITESPACE)?.length ?? 0);
}

function compact(doc: PolicyDocument): string {
  return JSON.stringify(policyToJson(doc));
}

/** The size of one document as IAM or STS counts it for `kind`. */
export function policySize(doc: PolicyDocument, kind: PolicySizeKind): number {
  return kind === 'session' ? compact(doc).length : nonWhitespaceLength(compact(doc));
}

/**
 * Check documents against the AWS limit for `kind`. Inline policies share one budget per role or
 * user, so pass every inline document the principal will have. `limit` overrides the default
 * (the trust policy quota can be raised).
 */
export function checkSizeLimits(
  docs: PolicyDocument | readonly PolicyDocument[],
  kind: PolicySizeKind,
  limit: number = POLICY_SIZE_LIMITS[kind],
): SizeCheck {
  const list: readonly PolicyDocument[] = Array.isArray(docs) ? docs : [docs as PolicyDocument];
  const size = list.reduce((n, d) => n + policySize(d, kind), 0);
  const base = { kind, limit, size, fits: size <= limit };
  if (kind === 'session') {
    return {
      ...base,
      unit: 'characters',
      approximate: true,
      note: 'Counted as plaintext characters of compact JSON. STS also packs the session policy, managed policy ARNs and session tags into a binary format with a separate limit; only the PackedPolicySize in the AssumeRole response tells how close that is.',
    };
  }
  if (kind === 'managed' && list.length > 1) {
    return { ...base, unit: 'non-whitespace characters', approximate: false, size: Math.max(...list.map((d) => policySize(d, kind))), fits: list.every((d) => policySize(d, kind) <= limit), note: 'Each managed policy is limited on its own; size is the largest.' };
  }
  return { ...base, unit: 'non-whitespace characters', approximate: false };
}

// ---- splitting -------------------------------------------------------------------------------

export type SplitResult =
  | { readonly ok: true; readonly parts: readonly PolicyDocument[] }
  | { readonly ok: false; readonly error: { readonly statementIndex: number; readonly size: number; readonly limit: number; readonly message: string } };

const measureJson = (v: unknown): number => nonWhitespaceLength(JSON.stringify(v));

function withIndex(s: Statement, index: number): Statement {
  return { ...s, index };
}

/** Cut a list into runs whose serialised array stays within `budget` characters. */
function chunkList(list: readonly string[], budget: number): string[][] | undefined {
  const chunks: string[][] = [];
  let cur: string[] = [];
  let curSize = 2; // []
  for (const item of list) {
    const itemSize = measureJson(item);
    const added = itemSize + (cur.length > 0 ? 1 : 0);
    if (cur.length > 0 && curSize + added > budget) {
      chunks.push(cur);
      cur = [];
      curSize = 2;
    }
    if (curSize + itemSize > budget) return undefined;
    curSize += itemSize + (cur.length > 0 ? 1 : 0);
    cur.push(item);
  }
  if (cur.length > 0) chunks.push(cur);
  return chunks;
}

/**
 * Split one statement into statements that each fit `budget`, by its Action list or its Resource
 * list. Both are unions (Allow a,b = Allow a + Allow b; likewise Deny), so the pieces grant and
 * deny exactly what the original did. NotAction/NotResource lists are complements and cannot be
 * split that way; condition values are left whole too.
 */
function splitStatement(s: Statement, budget: number): Statement[] | undefined {
  const size = (x: Statement) => measureJson(statementToJson(x));
  if (size(s) <= budget) return [s];
  for (const field of ['action', 'resource'] as const) {
    const list = s[field];
    if (!list || list.length < 2) continue;
    // Room left for the list: the statement with a one-empty-string list, minus that `""`.
    const overhead = size({ ...s, [field]: [''] }) - 2;
    const chunks = chunkList(list, budget - overhead);
    if (chunks) return chunks.map((chunk) => ({ ...s, [field]: chunk }));
  }
  // Neither list alone can be cut small enough (both are long): halve the longer and retry.
  const field = (s.action?.length ?? 0) >= (s.resource?.length ?? 0) ? 'action' : 'resource';
  const list = s[field];
  if (!list || list.length < 2) return undefined;
  const mid = Math.ceil(list.length / 2);
  const a = splitStatement({ ...s, [field]: list.slice(0, mid) }, budget);
  const b = splitStatement({ ...s, [field]: list.slice(mid) }, budget);
  return a && b ? [...a, ...b] : undefined;
}

/** Pieces of one statement keep its Sid on the first and get `<Sid>Part<n>` after (Sids are alphanumeric). */
function renameSids(pieces: Statement[]): Statement[] {
  return pieces.map((p, i) => (p.sid !== undefined && i > 0 ? { ...p, sid: `${p.sid}Part${i + 1}` } : p));
}

/**
 * Split a document into several that each fit `limit` (non-whitespace characters of compact
 * JSON), keeping statement order; statements that are too big on their own are split by their
 * Action list, then their Resource list. Fails, naming the statement, when one cannot be cut
 * small enough.
 */
export function splitPolicy(doc: PolicyDocument, limit: number): SplitResult {
  const empty: PolicyDocument = doc.id !== undefined ? { version: doc.version, id: doc.id, statements: [] } : { version: doc.version, statements: [] };
  const wrapper = measureJson(policyToJson(empty));
  if (measureJson(policyToJson(doc)) <= limit) return { ok: true, parts: [doc] };
  const budget = limit - wrapper;
  const pieces: Statement[] = [];
  for (const s of doc.statements) {
    const split = splitStatement(s, budget);
    if (!split) {
      const size = measureJson(statementToJson(s)) + wrapper;
      return { ok: false, error: { statementIndex: s.index, size, limit, message: `statement ${s.index}${s.sid ? ` (${s.sid})` : ''} needs ${size} characters on its own, over the limit of ${limit}, and its lists cannot be split further` } };
    }
    pieces.push(...renameSids(split));
  }
  // First fit, in order: readers find statements in roughly the order they were written.
  const bins: { statements: Statement[]; size: number; sids: Set<string> }[] = [];
  for (const p of pieces) {
    const size = measureJson(statementToJson(p));
    let bin = bins.find((b) => b.size + size + (b.statements.length > 0 ? 1 : 0) <= budget && (p.sid === undefined || !b.sids.has(p.sid)));
    if (!bin) {
      bin = { statements: [], size: 0, sids: new Set() };
      bins.push(bin);
    }
    bin.size += size + (bin.statements.length > 0 ? 1 : 0);
    bin.statements.push(p);
    if (p.sid !== undefined) bin.sids.add(p.sid);
  }
  return { ok: true, parts: bins.map((b) => ({ ...empty, statements: b.statements.map(withIndex) })) };
}

// ---- generalising ----------------------------------------------------------------------------

/**
 * Replace runs of actions with `service:Prefix*` wherever the wildcard matches, in the catalog,
 * only actions already in the list. Wildcards in the input stay as written (their matches count
 * as listed). Actions the catalog does not know stay as written. Note that a wildcard also
 * matches actions AWS adds later; that is why this is the last resort after splitting.
 */
export function generaliseActions(actions: readonly string[], catalog: Catalog): string[] {
  const byService = new Map<string, Set<string>>();
  const listed = (service: string) => {
    let s = byService.get(service);
    if (!s) byService.set(service, (s = new Set()));
    return s;
  };
  for (const a of actions) {
    const colon = a.indexOf(':');
    if (colon < 0) continue;
    const service = a.slice(0, colon).toLowerCase();
    const name = a.slice(colon + 1);
    if (hasWildcard(service)) continue;
    const known = catalog.byService.get(service);
    if (!known) continue;
    if (hasWildcard(name)) {
      const re = globRegex(name, 'i');
      for (const k of known) if (re.test(k.name)) listed(service).add(k.name.toLowerCase());
    } else if (catalog.byKey.has(`${service}:${name.toLowerCase()}`)) {
      listed(service).add(name.toLowerCase());
    }
  }
  const replacement = new Map<string, string>(); // lower-cased action → wildcard (or itself)
  for (const [service, names] of byService) {
    // Sorted names make "every action starting with P" a contiguous range; a running count of
    // listed names says in O(1) whether the whole range is listed.
    const sorted = catalog.byService.get(service)!.map((a) => ({ lower: a.name.toLowerCase(), name: a.name })).sort((a, b) => (a.lower < b.lower ? -1 : a.lower > b.lower ? 1 : 0));
    const listedBefore = [0];
    for (const a of sorted) listedBefore.push(listedBefore[listedBefore.length - 1]! + (names.has(a.lower) ? 1 : 0));
    const lowerBound = (key: string) => {
      let lo = 0, hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid]!.lower < key) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const rangeOf = (prefix: string): [number, number] => [lowerBound(prefix), lowerBound(`${prefix}\uffff`)];
    if (listedBefore[sorted.length] === sorted.length) {
      for (const n of names) replacement.set(`${service}:${n}`, `${service}:*`);
      continue;
    }
    for (const n of names) {
      // The shortest prefix of n whose every catalog match is listed: the widest safe group.
      for (let len = 1; len <= n.length; len++) {
        const [from, to] = rangeOf(n.slice(0, len));
        if (listedBefore[to]! - listedBefore[from]! !== to - from) continue;
        // Write the group's longest common prefix: the same actions today, easier to read
        // (s3:GetObject*, not s3:GetO*), and fewer future actions caught.
        const first = sorted[from]!.lower, last = sorted[to - 1]!.lower;
        let common = 0;
        while (common < first.length && first[common] === last[common]) common++;
        replacement.set(`${service}:${n}`, to - from === 1 ? `${service}:${sorted[from]!.name}` : `${service}:${sorted[from]!.name.slice(0, common)}*`);
        break;
      }
    }
  }
  const out: string[] = [];
  const seen = new Set<string>();
  for (const a of actions) {
    const r = replacement.get(a.toLowerCase()) ?? a;
    if (seen.has(r.toLowerCase())) continue;
    seen.add(r.toLowerCase());
    out.push(r);
  }
  return out;
}

/** Generalise every Action list in a document (NotAction lists are left alone: widening them would deny less). */
export function generalisePolicy(doc: PolicyDocument, catalog: Catalog): PolicyDocument {
  return { ...doc, statements: doc.statements.map((s) => (s.action ? { ...s, action: generaliseActions(s.action, catalog) } : s)) };
}

/**
 * Fit a document into at most `maxParts` policies of `limit` characters: split; if that needs too
 * many parts, generalise action lists and split again.
 */
export function fitPolicy(
  doc: PolicyDocument,
  limit: number,
  options: { readonly maxParts: number; readonly catalog: Catalog },
): SplitResult & { readonly generalised: boolean } {
  const first = splitPolicy(doc, limit);
  if (first.ok && first.parts.length <= options.maxParts) return { ...first, generalised: false };
  const second = splitPolicy(generalisePolicy(doc, options.catalog), limit);
  if (second.ok && second.parts.length > options.maxParts) {
    return { ok: false, generalised: true, error: { statementIndex: -1, size: second.parts.length, limit: options.maxParts, message: `needs ${second.parts.length} policies of ${limit} characters even after generalising actions, more than ${options.maxParts}` } };
  }
  return { ...second, generalised: true };
}
