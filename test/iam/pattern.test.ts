import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/iam/catalog.js';
import { ActionExpander, actionMatches, actionMatchesFresh, arnMatcher, arnMatches, globRegex, hasWildcard, LITERAL_QUESTION, LITERAL_STAR } from '../../src/iam/pattern.js';
import { SERVICE_WILDCARD_PATTERNS } from '../support/arbitraries.js';
import { oddActionPatternArb } from '../support/catalog-arbitraries.js';

/** Reference wildcard matcher, written independently of globRegex: plain backtracking over characters. */
function wildcard(pattern: string, text: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const t = ignoreCase ? text.toLowerCase() : text;
  const go = (i: number, j: number): boolean => {
    if (i === p.length) return j === t.length;
    if (p[i] === '*') return go(i + 1, j) || (j < t.length && go(i, j + 1));
    if (j === t.length) return false;
    return (p[i] === '?' || p[i] === t[j]) && go(i + 1, j + 1);
  };
  return go(0, 0);
}

const randomCase = (s: string) => fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((flips) => [...s].map((c, i) => (flips[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

const c = catalog();
const keys = c.actions.map((a) => a.key);
const actionKeyArb = fc.constantFrom(...keys);

/** A pattern derived from a real action: some characters become `?`, some runs become `*`. */
const actionPatternArb = fc
  .tuple(actionKeyArb, fc.array(fc.tuple(fc.nat(), fc.constantFrom('?', '*', '*')), { maxLength: 3 }))
  .map(([key, edits]) => {
    const [service, name] = key.split(':') as [string, string];
    let n = name;
    for (const [pos, w] of edits) {
      const i = pos % Math.max(1, n.length);
      n = w === '?' ? n.slice(0, i) + '?' + n.slice(i + 1) : n.slice(0, i) + '*' + n.slice(i + 1 + (pos % 4));
    }
    return `${service}:${n}`;
  });

describe('actionMatches', () => {
  it.each([
    ['s3:GetObject', 's3:GetObject', true],
    ['s3:getobject', 's3:GetObject', true],
    ['S3:GETOBJECT', 's3:GetObject', true],
    ['s3:Get*', 's3:GetObjectAcl', true],
    ['s3:Get*', 's3:PutObject', false],
    ['s3:*', 's3express:CreateSession', false],
    ['s3*:Create*', 's3express:CreateSession', true],
    ['iam:*User*', 'iam:ListUsers', true],
    ['iam:*User*', 'iam:GetRole', false],
    ['s3:?etObject', 's3:GetObject', true],
    ['s3:?etObject', 's3:GGetObject', false],
    ['*', 'anything:AtAll', true],
    ['*Object', 's3:GetObject', false],
    ['s3:GetObject', 'GetObject', false],
  ] as const)('%s vs %s → %s', (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });

  it('is case-insensitive in both service and name', () => {
    fc.assert(
      fc.property(actionPatternArb, actionKeyArb, fc.nat(), (pattern, key, seed) => {
        const flip = fc.sample(randomCase(pattern), { numRuns: 1, seed })[0]!;
        const flipKey = fc.sample(randomCase(key), { numRuns: 1, seed: seed + 1 })[0]!;
        expect(actionMatches(flip, flipKey)).toBe(actionMatches(pattern, key));
      }),
      { numRuns: 500, seed: 21 },
    );
  });

  it('agrees with a reference matcher that treats service and name as separate fields', () => {
    fc.assert(
      fc.property(actionPatternArb, actionKeyArb, (pattern, key) => {
        const [ps, pn] = pattern.split(':') as [string, string];
        const [as, an] = key.split(':') as [string, string];
        expect(actionMatches(pattern, key)).toBe(wildcard(ps, as, true) && wildcard(pn, an, true));
      }),
      { numRuns: 1000, seed: 22 },
    );
  });
});

describe('actionMatches with its pattern and action split caches', () => {
  it('equals the uncached form, on first and repeated calls, for odd patterns and actions too', () => {
    const junk = fc.stringMatching(/^[a-zA-Z:*?-]{0,10}$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(actionPatternArb, junk, fc.constantFrom('*', 's3:*', '*:*', 'S3:get*')), fc.oneof(actionKeyArb, actionKeyArb.chain(randomCase), junk)), { minLength: 1, maxLength: 5 }), (pairs) => {
        for (const [pattern, action] of [...pairs, ...pairs]) expect(actionMatches(pattern, action)).toBe(actionMatchesFresh(pattern, action));
      }),
      { numRuns: 1000, seed: 42 },
    );
  });
});

describe('arnMatches', () => {
  it.each([
    ['arn:aws:s3:::bucket-?/*', 'arn:aws:s3:::bucket-a/key.txt', true],
    ['arn:aws:s3:::bucket-?/*', 'arn:aws:s3:::bucket-10/key.txt', false],
    ['arn:aws:s3:::bucket-a/*', 'arn:aws:s3:::Bucket-A/key.txt', false],
    ['arn:aws:s3:::Bucket-A/*', 'arn:aws:s3:::bucket-a/key.txt', false],
    ['arn:aws:s3:::bucket-a*', 'arn:aws:s3:::bucket-a/deep/key', true],
    ['arn:aws:ec2:*:111122223333:instance/*', 'arn:aws:ec2:eu-west-1:111122223333:instance/i-1', true],
    ['arn:aws:ec2:*:111122223333:instance/*', 'arn:aws:ec2:eu-west-1:444455556666:instance/i-1', false],
    // `*` in the region field may not swallow the account field's colon
    ['arn:aws:ec2:*:111122223333:instance/*', 'arn:aws:ec2:eu:west:111122223333:instance/i-1', false],
    ['arn:aws:*:*:111122223333:*', 'arn:aws:s3:::bucket-a', false],
    ['arn:aws:lambda:*:111122223333:function:deploy-*', 'arn:aws:lambda:us-east-1:111122223333:function:deploy-bot', true],
    ['arn:aws:lambda:*:111122223333:function:deploy-*', 'arn:aws:lambda:us-east-1:111122223333:function:deploy-bot:live', true],
    ['*', 'arn:aws:iam::111122223333:user/alice', true],
    [`arn:aws:s3:::bucket/${LITERAL_STAR}`, 'arn:aws:s3:::bucket/*', true],
    [`arn:aws:s3:::bucket/${LITERAL_STAR}`, 'arn:aws:s3:::bucket/key', false],
  ] as const)('%s vs %s → %s', (pattern, arn, expected) => {
    expect(arnMatches(pattern, arn)).toBe(expected);
  });

  const segment = fc.stringMatching(/^[a-zA-Z0-9-]{0,6}$/);
  const resourcePart = fc.stringMatching(/^[a-zA-Z0-9/:._-]{0,12}$/);
  const globify = (s: string) =>
    fc.array(fc.tuple(fc.nat(), fc.constantFrom('*', '?')), { maxLength: 2 }).map((edits) => {
      let out = s;
      for (const [pos, w] of edits) {
        const i = out.length === 0 ? 0 : pos % out.length;
        out = out.slice(0, i) + w + out.slice(i + (w === '?' ? 1 : pos % 3));
      }
      return out;
    });
  const arnFields = fc.tuple(fc.constant('arn'), fc.constantFrom('aws', 'aws-cn'), segment, segment, fc.stringMatching(/^\d{0,12}$/), resourcePart);

  it('matches field by field, case-sensitively, like a reference matcher per field', () => {
    fc.assert(
      fc.property(arnFields, fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), fc.nat(), (fields, which, seed) => {
        const arn = fields.join(':');
        const patternFields = fields.map((f, i) => (which[i] && i > 0 ? fc.sample(globify(f), { numRuns: 1, seed: seed + i })[0]! : f));
        const pattern = patternFields.join(':');
        const expected = patternFields.every((p, i) => wildcard(p, fields[i]!));
        expect(arnMatches(pattern, arn)).toBe(expected);
      }),
      { numRuns: 1000, seed: 23 },
    );
  });

  it('is case-sensitive: changing the case of one letter in the resource breaks a literal match', () => {
    fc.assert(
      fc.property(arnFields, (fields) => {
        const arn = fields.join(':');
        const res = fields[5];
        const i = [...res].findIndex((ch) => ch.toLowerCase() !== ch.toUpperCase());
        fc.pre(i >= 0);
        const ch = res[i]!;
        const flipped = res.slice(0, i) + (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase()) + res.slice(i + 1);
        expect(arnMatches(arn, arn)).toBe(true);
        expect(arnMatches([...fields.slice(0, 5), flipped].join(':'), arn)).toBe(false);
      }),
      { numRuns: 300, seed: 24 },
    );
  });

  it('a `*` in one field never reaches across a colon into the next field', () => {
    fc.assert(
      fc.property(arnFields, fc.integer({ min: 2, max: 4 }), segment, (fields, field, extra) => {
        // Given a pattern with `*` in one of service/region/account and the rest literal
        const pattern = fields.map((f, i) => (i === field ? '*' : f)).join(':');
        // When the request ARN has an extra colon-separated piece in that field
        const shifted = [...fields.slice(0, field), `${fields[field]}:${extra}`, ...fields.slice(field + 1)].join(':');
        // Then it matches only if the shifted fields happen to equal the pattern's literal fields
        const shiftedFields = shifted.split(':');
        const literalAfter = [...shiftedFields.slice(0, 5), shiftedFields.slice(5).join(':')];
        const expected = fields.every((f, i) => i === field || f === literalAfter[i]);
        expect(arnMatches(pattern, shifted)).toBe(expected);
      }),
      { numRuns: 500, seed: 25 },
    );
  });
});

describe('arnMatcher walks the subject without splitting it', () => {
  // The split form it replaced: six parts each (the sixth keeps its colons), and a subject with
  // fewer parts matched as one glob.
  const split = (a: string) => {
    const parts = a.split(':');
    return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  // LITERAL_STAR / LITERAL_QUESTION match the literal character: both sides mapped to one control character each.
  const lit = (p: string, a: string) => wildcard(p.replaceAll(LITERAL_STAR, '\x00').replaceAll(LITERAL_QUESTION, '\x01'), a.replaceAll('*', '\x00').replaceAll('?', '\x01'));
  const splitReference = (pattern: string, arn: string): boolean => {
    if (pattern === '*' || pattern === arn) return true;
    const pp = split(pattern), ap = split(arn);
    if (!pp || !ap) return lit(pattern, arn);
    return pp.every((p, i) => lit(p, ap[i]!));
  };
  const text = fc.stringMatching(/^[ab:/*?]{0,14}$/);
  const subject = fc.stringMatching(/^[ab:/*?]{0,14}$/);
  const marked = text.map((t) => t.replace(/\//g, LITERAL_STAR).replace(/b\?/g, `b${LITERAL_QUESTION}`));

  it('equals the split form for any colon count, wildcards and literal markers', () => {
    fc.assert(
      fc.property(fc.oneof(text, marked, subject.map((s) => `arn:${s}`)), fc.oneof(subject, subject.map((s) => `arn:${s}`)), (pattern, arn) => {
        expect(arnMatcher(pattern)(arn)).toBe(splitReference(pattern, arn));
        expect(arnMatches(pattern, arn)).toBe(splitReference(pattern, arn));
      }),
      { numRuns: 3000, seed: 41 },
    );
  });

  it('a subject with fewer than six parts never matches a six-part pattern', () => {
    expect(arnMatcher('arn:aws:iam::*:*')('arn:aws:iam::x')).toBe(false);
    expect(arnMatcher('arn:*:*:*:*:*')('arn:a:b:c:d:e')).toBe(true);
    expect(arnMatcher('arn:*:*:*:*:*')('arn:a:b:c:d')).toBe(false);
  });
});

describe('globRegex', () => {
  it('agrees with the reference matcher, with and without ignore-case', () => {
    const text = fc.stringMatching(/^[a-cA-C/.:+()$^-]{0,8}$/);
    const pattern = fc.stringMatching(/^[a-cA-C/.:+()$^*?-]{0,8}$/);
    fc.assert(
      fc.property(pattern, text, fc.boolean(), (p, t, i) => {
        expect(globRegex(p, i ? 'i' : '').test(t)).toBe(wildcard(p, t, i));
      }),
      { numRuns: 2000, seed: 26 },
    );
  });

  it('matches across newlines (the s flag) and treats regex metacharacters literally', () => {
    expect(globRegex('a*b').test('a\nb')).toBe(true);
    expect(globRegex('a.b').test('axb')).toBe(false);
    expect(globRegex('(x)+').test('(x)+')).toBe(true);
  });

  it('hasWildcard sees * and ? only', () => {
    expect([hasWildcard('s3:Get*'), hasWildcard('s3:?et'), hasWildcard('s3:GetObject')]).toEqual([true, true, false]);
  });
});

describe('ActionExpander', () => {
  const expander = new ActionExpander(c);

  it('expands exactly the catalog actions actionMatches accepts', () => {
    fc.assert(
      fc.property(fc.oneof(actionPatternArb, oddActionPatternArb, fc.constantFrom(...SERVICE_WILDCARD_PATTERNS, 's3:Get*', 'iam:*User*', 'ec2:Describe*')), (pattern) => {
        const expected = c.actions.filter((a) => actionMatches(pattern, a.key)).map((a) => a.id);
        expect([...expander.expand(pattern)].sort((x, y) => x - y)).toEqual(expected);
      }),
      { numRuns: 400, seed: 27 },
    );
  });

  it('a list of patterns expands to the union of each (wide patterns by word range, narrow ones id by id)', () => {
    const wide = fc.constantFrom('ec2:*', 's3:*', 'iam:*', '*:Get*', 'ec2:Describe*', 'S3:GET*', 'lambda:*');
    fc.assert(
      fc.property(fc.array(fc.oneof(actionPatternArb, wide), { minLength: 1, maxLength: 6 }), (patterns) => {
        const expected = [...new Set(patterns.flatMap((p) => [...expander.expand(p)]))].sort((x, y) => x - y);
        expect(expander.expandAll(patterns).toArray()).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('is case-insensitive and caches by lower-cased pattern', () => {
    expect(expander.expand('S3:GET*')).toBe(expander.expand('s3:get*'));
    expect(expander.keys(expander.expandAll(['s3:GetObject']))).toEqual(['s3:GetObject']);
  });

  it.each([
    ['*', c.actions.length],
    ['iam:*', c.byService.get('iam')!.length],
    ['s3:GetObject', 1],
  ])('%s expands to %i actions', (pattern, n) => {
    expect(expander.expandAll([pattern]).count()).toBe(n);
  });

  it('a pattern without wildcards is one catalog action in any case, or none (no colon, two colons, empty)', () => {
    const e = new ActionExpander(c);
    const id = c.lookup('s3:GetObject')!.id;
    expect([...e.expand('s3:GetObject')]).toEqual([id]);
    // Every spelling of one action shares one answer.
    expect(e.expand('S3:GETOBJECT')).toBe(e.expand('s3:getobject'));
    for (const p of ['s3', 's3:', ':GetObject', 's3:Get:Object', '', 's3:GetObject ']) expect([...e.expand(p)]).toEqual([]);
    expect([...e.unknownPatterns].sort()).toEqual(['', ':GetObject', 's3', 's3:', 's3:Get:Object', 's3:GetObject '].sort());
  });

  it('records patterns that match nothing, and only those', () => {
    const e = new ActionExpander(c);
    e.expandAll(['s3:GetObjekt', 's3:GetObject', 'nosuchservice:*', 'iam:Get*']);
    expect([...e.unknownPatterns].sort()).toEqual(['nosuchservice:*', 's3:GetObjekt']);
  });

  it('NotAction expands to the exact complement within the catalog', () => {
    fc.assert(
      fc.property(fc.array(actionPatternArb, { minLength: 1, maxLength: 4 }), (patterns) => {
        const yes = expander.statementActions(patterns, undefined);
        const no = expander.statementActions(undefined, patterns);
        expect(yes.count() + no.count()).toBe(c.actions.length);
        expect(yes.clone().and(no).isEmpty()).toBe(true);
      }),
      { numRuns: 100, seed: 28 },
    );
  });
});

describe('arnMatcher (compiled once) agrees with arnMatches', () => {
  it('for generated patterns and ARNs, including wildcards in every segment', () => {
    const seg = fc.constantFrom('', '*', '?', 'a', 'ab*', '*b', 'a?c', 'role/x*', 'role/*/y', '${aws:username}');
    const arnArb = fc.tuple(fc.constantFrom('arn', 'arn*', 'x'), fc.constantFrom('aws', 'aws-cn', '*'), fc.constantFrom('iam', 's3', '*', ''), fc.constantFrom('', 'us-east-1', '*'), fc.constantFrom('111122223333', '*', ''), seg).map((p) => p.join(':'));
    const concrete = fc.tuple(fc.constantFrom('aws', 'aws-cn'), fc.constantFrom('iam', 's3'), fc.constantFrom('', 'us-east-1'), fc.constantFrom('111122223333', ''), fc.constantFrom('role/x1', 'role/a/y', 'abc', 'ab', 'b', 'bucket/key:with:colons')).map(([a, b, c, d, e]) => `arn:${a}:${b}:${c}:${d}:${e}`);
    fc.assert(fc.property(fc.oneof(arnArb, fc.constant('*'), fc.constant('not-an-arn*')), concrete, (pattern, arn) => {
      expect(arnMatcher(pattern)(arn)).toBe(arnMatches(pattern, arn));
    }), { numRuns: 2000, seed: 17 });
  });
});

describe('globs a hostile policy can write do not hang', () => {
  // `*a*a*a*a*a*a*a*a*b` on a 64-character segment: a backtracking regex takes hours; the
  // many-star path answers, and agrees with the regex on every small case.
  it('answers a many-star Resource and StringLike pattern on long values', () => {
    const evil = `arn:aws:s3:::${'*a'.repeat(8)}*b`;
    expect(arnMatches(evil, `arn:aws:s3:::${'a'.repeat(64)}`)).toBe(false);
    expect(arnMatches(evil, `arn:aws:s3:::${'a'.repeat(64)}b`)).toBe(true);
    expect(globRegex(`${'*a'.repeat(20)}*b`, 'i').test('A'.repeat(2048))).toBe(false);
  });

  it('matches like the regex form on random many-star patterns', () => {
    const reference = (glob: string, flags: string) => new RegExp(`^${[...glob].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&'))).join('')}$`, `s${flags}`);
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('a', 'B', '*', '?', ':'), minLength: 3, maxLength: 9 }), fc.string({ unit: fc.constantFrom('a', 'b', 'B', ':', '*'), maxLength: 12 }), (glob, s) => {
      expect(globRegex(glob).test(s)).toBe(reference(glob, '').test(s));
      expect(globRegex(glob, 'i').test(s)).toBe(reference(glob, 'i').test(s));
    }), { numRuns: 3000 });
  });

  it('keeps literal * and ? from policy variables literal on the many-star path', () => {
    const g = `*a*${LITERAL_STAR}*${LITERAL_QUESTION}`;
    expect(globRegex(g).test('xa-*-?')).toBe(true);
    expect(globRegex(g).test('xa-x-?')).toBe(false);
    expect(globRegex(g).test('xa-*-x')).toBe(false);
  });
});
