// Where two IAM Resource patterns both apply (session 40): the ARNs matching `a` and `b` as a
// list of patterns, for grantScope's "an Allow on these, a Deny on everything but those". It
// follows leash's matcher (pattern.ts `arnMatcher`, the one the request evaluator uses): a pattern
// with five colons is six segments matched each on its own, case-sensitively, `*` any run of
// characters and `?` exactly one, the sixth (the resource part) everything after the fifth colon,
// colons included; `*` alone is every ARN
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
//
// Never narrower than the truth: every ARN matching both matches some pattern of the answer.
// `exact` says the converse holds too (every ARN matching the answer matches both). When exact
// is not known or not representable in a few patterns, the answer is `[a]` unchanged (the wider
// set: the caller keeps what it had). An empty answer is exact: provably no ARN matches both.
//
// Per segment, the intersection of two globs is a finite union of globs, built by walking both
// (`*` against a character: the star ends here, or takes the character; two stars: one of them
// ends first); bounded in steps and patterns, past which the answer is `[a]`.
// A policy variable (`${aws:username}`) stands for a value leash does not know (or for its own
// text, in a 2008-10-17 document): read as `*` to prove two patterns disjoint, never to narrow;
// before the resource part (where a value's colon would move the segments) nothing is decided.
// Containment (`a` inside `b`: `[a]`, exact) is read by generalisation — `b`'s `*` covers any run
// of `a`'s tokens, its `?` one character or `?`, its characters themselves, a variable nothing —
// which is sound, not complete; what it misses the walk answers.

export interface Intersection {
  /** Patterns covering every ARN both match (none: no ARN matches both). */
  readonly patterns: readonly string[];
  /** Every ARN matching one of `patterns` matches both, too. */
  readonly exact: boolean;
}

/** A pattern's tokens: one code unit, `*`, `?`, or a whole `${…}` variable (the only tokens longer than one). */
type Tok = string;
const VARIABLE = /\$\{[^}]+\}/y;

function tokens(s: string): Tok[] {
  const out: Tok[] = [];
  for (let i = 0; i < s.length;) {
    if (s.charCodeAt(i) === 36 /* $ */ && s.charCodeAt(i + 1) === 123 /* { */) {
      VARIABLE.lastIndex = i;
      const m = VARIABLE.exec(s);
      if (m) { out.push(m[0]); i += m[0].length; continue; }
    }
    // Consecutive stars are one.
    if (s[i] === '*' && out[out.length - 1] === '*') { i++; continue; }
    out.push(s[i]!);
    i++;
  }
  return out;
}

const isVar = (t: Tok) => t.length > 1;
/** Consecutive stars as one. */
const collapsed = (x: readonly Tok[]): Tok[] => x.filter((t, i) => t !== '*' || x[i - 1] !== '*');

/**
 * Six segments of tokens, split at the first five colons; undefined when the pattern has fewer,
 * or a variable before the fifth (its value could hold a colon and move the segments).
 */
function segments(pattern: string): Tok[][] | undefined {
  const t = tokens(pattern);
  const out: Tok[][] = [];
  let cur: Tok[] = [];
  for (const x of t) {
    if (out.length < 5 && x === ':') { out.push(cur); cur = []; continue; }
    if (out.length < 5 && isVar(x)) return undefined;
    cur.push(x);
  }
  if (out.length < 5) return undefined;
  out.push(cur);
  return out;
}

/** Does `y` generalise `x` (so every string `x` matches, `y` matches): see the header. Sound, not complete. */
export function generalises(y: readonly Tok[], x: readonly Tok[]): boolean {
  // reach[j]: y's first i tokens can cover x's first j tokens.
  let reach = new Array<boolean>(x.length + 1).fill(false);
  reach[0] = true;
  for (const t of y) {
    const next = new Array<boolean>(x.length + 1).fill(false);
    if (t === '*') {
      let any = false;
      for (let j = 0; j <= x.length; j++) { any ||= reach[j]!; next[j] = any; }
    } else if (!isVar(t)) {
      for (let j = 1; j <= x.length; j++) {
        if (!reach[j - 1]) continue;
        const u = x[j - 1]!;
        next[j] = t === '?' ? u !== '*' && !isVar(u) : u === t;
      }
    }
    reach = next;
  }
  return reach[x.length]!;
}

const MAX_STEPS = 4_000;
const MAX_PER_SEGMENT = 8;
const MAX_PATTERNS = 16;

/** Star-prefixed without doubling. */
const starred = (r: string) => (r.startsWith('*') ? r : `*${r}`);

/** Drops patterns another of the list generalises (the union is the same). */
function pruned(list: string[]): string[] {
  const uniq = [...new Set(list)];
  const toks = uniq.map(tokens);
  return uniq.filter((_, i) => !toks.some((y, k) => k !== i && generalises(y, toks[i]!) && (!generalises(toks[i]!, y) || k < i)));
}

/**
 * The exact intersection of two globs without variables (token lists), as globs; undefined past
 * the bounds. Memoised per position pair, so the walk is at most |p|·|q| steps.
 */
export function globIntersect(p: readonly Tok[], q: readonly Tok[]): string[] | undefined {
  if (generalises(q, p)) return [p.join('')];
  if (generalises(p, q)) return [q.join('')];
  const width = q.length + 1;
  const memo = new Map<number, string[]>();
  let steps = 0;
  let failed = false;
  const go = (i: number, j: number): string[] => {
    if (failed) return [];
    const key = i * width + j;
    const kept = memo.get(key);
    if (kept) return kept;
    if (++steps > MAX_STEPS) { failed = true; return []; }
    let out: string[];
    if (i === p.length) out = q.slice(j).every((t) => t === '*') ? [''] : [];
    else if (j === q.length) out = p.slice(i).every((t) => t === '*') ? [''] : [];
    else {
      const a = p[i]!, b = q[j]!;
      if (a === '*' && b === '*') out = [...go(i + 1, j).map(starred), ...go(i, j + 1).map(starred)];
      else if (a === '*') out = [...go(i + 1, j), ...go(i, j + 1).map((r) => b + r)];
      else if (b === '*') out = [...go(i, j + 1), ...go(i + 1, j).map((r) => a + r)];
      else {
        const m = a === '?' ? b : b === '?' || a === b ? a : undefined;
        out = m === undefined ? [] : go(i + 1, j + 1).map((r) => m + r);
      }
      if (out.length > 1) out = pruned(out);
      if (out.length > MAX_PER_SEGMENT) { failed = true; out = []; }
    }
    memo.set(key, out);
    return out;
  };
  const r = go(0, 0);
  return failed ? undefined : r;
}

const unchanged = (a: string): Intersection => ({ patterns: [a], exact: false });

/** Where the Resource patterns `a` and `b` both apply (see the header); `[a]` when not decided. */
export function intersectPatterns(a: string, b: string): Intersection {
  if (a === '*') return { patterns: [b], exact: true };
  if (b === '*') return { patterns: [a], exact: true };
  const sa = segments(a), sb = segments(b);
  if (!sa || !sb) return a === b ? { patterns: [a], exact: !/\$\{/.test(a) } : unchanged(a);
  if (sa.every((x, k) => generalises(sb[k]!, x))) return { patterns: [a], exact: true };
  if (sb.every((x, k) => generalises(sa[k]!, x))) return { patterns: [b], exact: true };
  const variables = sa.some((x) => x.some(isVar)) || sb.some((x) => x.some(isVar));
  const asStar = (x: Tok[]) => (variables ? collapsed(x.map((t) => (isVar(t) ? '*' : t))) : x);
  const per: string[][] = [];
  for (let k = 0; k < 6; k++) {
    const r = globIntersect(asStar(sa[k]!), asStar(sb[k]!));
    if (r === undefined) return unchanged(a);
    // One segment no ARN matches in both: none matches both (variables read as `*` only widen).
    if (r.length === 0) return { patterns: [], exact: true };
    per.push(r);
  }
  // They overlap, and a variable's value decides where: not narrowed.
  if (variables) return unchanged(a);
  let out = [''];
  for (let k = 0; k < 6; k++) {
    out = out.flatMap((head) => per[k]!.map((s) => (k === 0 ? s : `${head}:${s}`)));
    if (out.length > MAX_PATTERNS) return unchanged(a);
  }
  return { patterns: out, exact: true };
}
