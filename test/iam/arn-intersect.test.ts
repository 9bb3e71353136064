// Where two Resource patterns both apply (src/iam/arn-intersect.ts, session 40), against a
// brute-force matcher written here (plain backtracking, six segments split at the first five
// colons as leash's arnMatcher does, `*`/`?` case-sensitive), itself checked against arnMatches.
// Never narrower: an ARN matching both patterns matches some pattern of the answer. Exact
// answers: an ARN matching the answer matches both. Policy variables: for every value (the
// variable's own text included, as a 2008-10-17 document reads it), a's and b's chosen apart.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generalises, globIntersect, intersectPatterns } from '../../src/iam/arn-intersect.js';
import { arnMatches } from '../../src/iam/pattern.js';

/** Reference glob: backtracking over characters. */
function glob(p: string, s: string): boolean {
  const go = (i: number, j: number): boolean => {
    if (i === p.length) return j === s.length;
    if (p[i] === '*') return go(i + 1, j) || (j < s.length && go(i, j + 1));
    if (j === s.length) return false;
    return (p[i] === '?' || p[i] === s[j]) && go(i + 1, j + 1);
  };
  return go(0, 0);
}
function split6(s: string): string[] | undefined {
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < 5; i++) {
    const c = s.indexOf(':', at);
    if (c < 0) return undefined;
    out.push(s.slice(at, c));
    at = c + 1;
  }
  out.push(s.slice(at));
  return out;
}
/** Reference ARN match (pattern without variables). */
function matches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const p = split6(pattern), a = split6(arn);
  if (!p) return glob(pattern, arn);
  return a !== undefined && p.every((x, k) => glob(x, a[k]!));
}

// Small alphabets, so patterns collide often (`A` for case): segments 1–5 without colons, the resource part with.
const SEG_CHARS = ['a', 'b', 'A', '*', '?'];
const RES_CHARS = ['a', 'b', 'A', ':', '/', '*', '*', '?'];
const VAR = '${aws:username}';
const segArb = fc.array(fc.constantFrom(...SEG_CHARS), { maxLength: 3 }).map((x) => x.join(''));
const resArb = (withVar: boolean) => fc.array(fc.constantFrom(...RES_CHARS, ...(withVar ? [VAR] : [])), { maxLength: 5 }).map((x) => x.join(''));
const arnPatternArb = (withVar = false) => fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.array(segArb, { minLength: 5, maxLength: 5 }), resArb(withVar)).map(([s, r]) => [...s, r].join(':')) },
  // Mostly the same first segments, so the resource parts decide.
  { weight: 12, arbitrary: resArb(withVar).map((r) => `arn:aws:dynamodb:*:1:${r}`) },
  { weight: 1, arbitrary: fc.constant('*') },
  { weight: 1, arbitrary: fc.array(fc.constantFrom('a', ':', '*'), { maxLength: 4 }).map((x) => x.join('')) },
);

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}
const FILLS = ['', 'a', 'b', 'ab', 'ba', 'aa', 'bab', '/', 'a/b'];
/** Concrete ARNs a pattern matches (its stars and marks filled at random; colons kept out of segments 1–5). */
function instances(pattern: string, seed: number, n = 12): string[] {
  const next = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    const p = pattern === '*' ? pick(['a:b:c:d:e:f', 'arn:aws:dynamodb:x:1:a', 'x']) : pattern;
    const parts = split6(p) ?? [p];
    out.push(parts.map((seg, i) => [...seg].map((c) => {
      const res = i === 5 || parts.length < 6;
      if (c === '*') return pick(res ? [...FILLS, ':', 'a:b'] : FILLS);
      if (c === '?') return pick(res ? ['a', 'b', ':', '/'] : ['a', 'b', '/']);
      return c;
    }).join('')).join(':'));
  }
  return out;
}
const VALUES = ['', 'a', 'b:a', '/ab', VAR];
const subst = (p: string, v: string) => p.split(VAR).join(v);

describe('the reference matcher', () => {
  it('agrees with arnMatches (leash\'s matcher) on the patterns and ARNs generated here', () => {
    fc.assert(fc.property(arnPatternArb(), arnPatternArb(), fc.integer(), (p, q, seed) => {
      for (const arn of [...instances(p, seed), ...instances(q, seed + 1)]) expect(matches(p, arn)).toBe(arnMatches(p, arn));
    }), { numRuns: 300 });
  });
});

describe('globIntersect (one segment), exhaustively over short strings', () => {
  const strings: string[] = [''];
  for (let len = 1; len <= 5; len++) for (const s of strings.filter((x) => x.length === len - 1)) for (const c of ['a', 'b']) strings.push(s + c);
  it('matches exactly the strings both globs match, or gives up', () => {
    let exact = 0, empty = 0;
    fc.assert(fc.property(fc.array(fc.constantFrom('a', 'b', '*', '?'), { maxLength: 5 }), fc.array(fc.constantFrom('a', 'b', '*', '?'), { maxLength: 5 }), (p, q) => {
      const pt = p.filter((t, i) => t !== '*' || p[i - 1] !== '*'), qt = q.filter((t, i) => t !== '*' || q[i - 1] !== '*');
      const r = globIntersect(pt, qt);
      if (r === undefined) return;
      exact++;
      if (r.length === 0) empty++;
      for (const s of strings) expect(r.some((x) => glob(x, s)), `${pt.join('')} ∩ ${qt.join('')} = ${r.join(' | ')} on "${s}"`).toBe(glob(pt.join(''), s) && glob(qt.join(''), s));
    }), { numRuns: 600, examples: [[['a', '*'], ['*', 'b']], [['*', 'a', '*'], ['*', 'b', '*']], [['a', 'b', '*'], ['*', 'b', 'a']], [['a'], ['b']]] });
    expect(exact).toBeGreaterThan(500);
    expect(empty).toBeGreaterThan(20);
  });

  it('generalises is sound: when it says y covers x, every string x matches, y matches', () => {
    let covered = 0;
    fc.assert(fc.property(fc.array(fc.constantFrom('a', 'b', '*', '?'), { maxLength: 4 }), fc.array(fc.constantFrom('a', 'b', '*', '?'), { maxLength: 4 }), (x, y) => {
      if (!generalises(y, x)) return;
      covered++;
      for (const s of strings) if (glob(x.join(''), s)) expect(glob(y.join(''), s)).toBe(true);
    }), { numRuns: 600 });
    expect(covered).toBeGreaterThan(50);
  });
});

describe('intersectPatterns, against the brute-force matcher over generated ARNs', () => {
  it('never narrower than both; exact answers match nothing outside both', () => {
    const seen = { exact: 0, empty: 0, narrowed: 0, kept: 0, both: 0 };
    fc.assert(fc.property(arnPatternArb(), arnPatternArb(), fc.integer(), (a, b, seed) => {
      const r = intersectPatterns(a, b);
      if (r.exact) seen.exact++; else seen.kept++;
      if (r.patterns.length === 0) { seen.empty++; expect(r.exact).toBe(true); }
      if (!r.exact) expect(r.patterns).toEqual([a]);
      if (r.exact && r.patterns.length > 0 && !r.patterns.includes(a) && !r.patterns.includes(b)) seen.narrowed++;
      const candidates = [...instances(a, seed, 24), ...instances(b, seed + 7, 24), ...r.patterns.flatMap((x, i) => instances(x, seed + 13 + i))];
      for (const arn of candidates) {
        const both = matches(a, arn) && matches(b, arn);
        if (both) seen.both++;
        const inAnswer = r.patterns.some((x) => matches(x, arn));
        if (both) expect(inAnswer, `${arn} matches ${a} and ${b}, not ${r.patterns.join(' | ')}`).toBe(true);
        if (r.exact && inAnswer) expect(both, `${arn} matches ${r.patterns.join(' | ')} (exact), not both ${a} and ${b}`).toBe(true);
      }
    }), {
      numRuns: 1500,
      examples: [
        ['arn:aws:dynamodb:us-east-1:1:table/prod-orders', 'arn:aws:dynamodb:us-east-1:1:table/kiro-scratch-*'],
        ['arn:aws:dynamodb:*:*:table/kiro-*', 'arn:aws:dynamodb:us-east-1:1:table/kiro-scratch-*'],
        ['arn:aws:dynamodb:us-*:*:table/a?c', 'arn:aws:dynamodb:*-1:1*:table/?b*'],
      ].map(([a, b]) => [a!, b!, 1]),
    });
    // Every kind of answer was drawn.
    expect(seen.empty).toBeGreaterThan(100);
    expect(seen.narrowed).toBeGreaterThan(20);
    expect(seen.both).toBeGreaterThan(500);
  });

  it('with a policy variable, for every value of it (each side its own): never narrower; disjoint only when no value overlaps', () => {
    let empty = 0;
    fc.assert(fc.property(arnPatternArb(true), arnPatternArb(true), fc.integer(), (a, b, seed) => {
      const r = intersectPatterns(a, b);
      if (r.patterns.length === 0) empty++;
      for (const va of VALUES) for (const vb of VALUES) {
        const sa = subst(a, va), sb = subst(b, vb);
        // An answer pattern stands for what it was: `a` with a's value, `b` with b's; a new pattern has no variable.
        const answer = r.patterns.map((x) => (x === a ? sa : x === b ? sb : x));
        for (const x of r.patterns) if (x !== a && x !== b) expect(x.includes(VAR)).toBe(false);
        for (const arn of [...instances(sa, seed, 16), ...instances(sb, seed + 3, 16), ...answer.flatMap((x, i) => instances(x, seed + 5 + i, 8))]) {
          const both = matches(sa, arn) && matches(sb, arn);
          if (both) expect(answer.some((x) => matches(x, arn)), `${arn}: ${sa} ∩ ${sb} → ${answer.join(' | ')}`).toBe(true);
          // Exact whatever the values: nothing outside both.
          if (r.exact && answer.some((x) => matches(x, arn))) expect(both, `${arn}: ${sa} ∩ ${sb} → ${answer.join(' | ')} (exact)`).toBe(true);
        }
      }
    }), { numRuns: 400, examples: [[`arn:aws:dynamodb:*:1:table/${VAR}-*`, 'arn:aws:dynamodb:*:1:table/kiro-*', 1], [`arn:aws:dynamodb:*:1:table/${VAR}`, 'arn:aws:s3:::x', 1], [`arn:aws:dynamodb:*:1:table/${VAR}`, `arn:aws:dynamodb:*:1:table/${VAR}`, 1]] });
    expect(empty).toBeGreaterThan(10);
  });

  it('named cases', () => {
    const t = (n: string) => `arn:aws:dynamodb:us-east-1:111111111111:table/${n}`;
    expect(intersectPatterns(t('prod-orders'), t('kiro-scratch-*'))).toEqual({ patterns: [], exact: true });
    expect(intersectPatterns(t('kiro-*'), t('kiro-scratch-*'))).toEqual({ patterns: [t('kiro-scratch-*')], exact: true });
    expect(intersectPatterns('arn:aws:dynamodb:*:*:table/kiro-*', t('kiro-scratch-*'))).toEqual({ patterns: [t('kiro-scratch-*')], exact: true });
    expect(intersectPatterns(t('kiro-*'), t('*-scratch'))).toEqual({ patterns: [t('kiro-scratch'), t('kiro-*-scratch')], exact: true });
    // Case-sensitive, as ARNs match.
    expect(intersectPatterns(t('Kiro-*'), t('kiro-*')).patterns).toEqual([]);
    // Another service: no table ARN is an S3 ARN.
    expect(intersectPatterns(t('kiro-*'), 'arn:aws:s3:::kiro-bucket').patterns).toEqual([]);
    // `*` is every ARN; a pattern that is not six segments is kept as it is.
    expect(intersectPatterns('*', t('x'))).toEqual({ patterns: [t('x')], exact: true });
    expect(intersectPatterns('arn:aws:dynamodb:*', t('x'))).toEqual({ patterns: ['arn:aws:dynamodb:*'], exact: false });
    // A variable before the resource part decides nothing; in it, only disjointness.
    expect(intersectPatterns('arn:aws:dynamodb:${aws:RequestedRegion}:1:table/x', t('y'))).toEqual({ patterns: ['arn:aws:dynamodb:${aws:RequestedRegion}:1:table/x'], exact: false });
    expect(intersectPatterns(t('${aws:username}-x'), 'arn:aws:s3:::b').patterns).toEqual([]);
    expect(intersectPatterns(t('${aws:username}-x'), t('kiro-*'))).toEqual({ patterns: [t('${aws:username}-x')], exact: false });
    // Too many pieces to show: kept as it was.
    expect(intersectPatterns(t('*a*a*a*a*'), t('*b*b*b*b*'))).toEqual({ patterns: [t('*a*a*a*a*')], exact: false });
  });
});
