// A check run keeps one object per distinct statement evidence entry (SharedEntries): report.json's
// texts table then finds repeats by identity. What it gives is always the entry statementEvidence
// would make (same JSON text), equal entries of one statement are one object, and entries that
// differ in anything (grants order, a nested origin field, key order, an escape, a separator
// inside an action) stay apart.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EvidenceIndex, SharedEntries, statementEvidence } from '../../src/checks/evidence.js';
import { catalog } from '../../src/iam/catalog.js';
import { statementToJson } from '../../src/iam/parse.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { StatementEvidence } from '../../src/model/finding.js';
import type { Statement } from '../../src/model/policy.js';
import { snapshotOf } from '../support/snapshot.js';

type Origin = StatementEvidence['policy'];
/** Origins as fresh objects each time: equal content, separate objects (as the collector makes them per principal). */
const ORIGINS: (() => Origin)[] = [
  () => ({ kind: 'managed', name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', awsManaged: true }),
  () => ({ kind: 'managed', name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', awsManaged: false }),
  () => ({ name: 'ReadOnlyAccess', kind: 'managed', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', awsManaged: true }) as Origin,
  () => ({ kind: 'inline', name: 'a\u2028b' }),
  () => ({ kind: 'inline', name: 'a\\u2028b' }),
];
const STATEMENTS: Statement[] = [
  { index: 0, sid: 'Read', effect: 'Allow', action: ['s3:GetObject', 's3:PutObject'], resource: ['*'] },
  { index: 0, sid: 'Read', effect: 'Allow', action: ['s3:GetObject', 's3:PutObject'], resource: ['*'] },
  { index: 3, effect: 'Allow', action: ['*'], resource: ['*'] },
];
const actionArb = fc.constantFrom('s3:GetObject', 's3:PutObject', 'a\u0000b', 'a', 'b');

const expected = (origin: Origin, st: Statement, grants: string[]): string => JSON.stringify({
  kind: 'statement', policy: origin, statementIndex: st.index, ...(st.sid !== undefined ? { sid: st.sid } : {}), statement: statementToJson(st), grants: grants.slice(0, 20),
});

describe('SharedEntries', () => {
  it('gives the entry statementEvidence makes; one object per statement and equal content, never shared across contents (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ o: fc.nat(ORIGINS.length - 1), s: fc.nat(STATEMENTS.length - 1), grants: fc.array(actionArb, { minLength: 1, maxLength: 24 }) }), { minLength: 1, maxLength: 40 }), (calls) => {
        const shared = new SharedEntries();
        const out = calls.map((c) => {
          const origin = ORIGINS[c.o]!();
          const st = STATEMENTS[c.s]!;
          const text = expected(origin, st, c.grants);
          const got = shared.entry(origin, st, [...c.grants]);
          expect(JSON.stringify(got)).toBe(text);
          return { st, text, got };
        });
        for (const a of out) {
          for (const b of out) {
            if (a.got === b.got) expect(a.text).toBe(b.text);
            // Equal content of one statement object: one object, unless its key collides with another
            // content's ("a\u0000b" joins like "a", "b"): then equality keeps them apart.
            else if (a.st === b.st && a.text === b.text && !a.text.includes('a\\u0000b') && !a.text.includes('"a","b"')) expect(a.got).toBe(b.got);
          }
        }
      }),
      { numRuns: 200, seed: 20261204 },
    );
  });

  it('negative controls: grants order, a nested origin field, origin key order, an escape, a separator inside an action', () => {
    const shared = new SharedEntries();
    const st = STATEMENTS[0]!;
    const kept = shared.entry(ORIGINS[0]!(), st, ['s3:GetObject', 'a\u0000b']);
    expect(shared.entry(ORIGINS[0]!(), st, ['s3:GetObject', 'a\u0000b'])).toBe(kept);
    expect(Object.isFrozen(kept) && Object.isFrozen(kept.grants)).toBe(true);
    const variants: [Origin, string[]][] = [
      [ORIGINS[0]!(), ['a\u0000b', 's3:GetObject']],
      [ORIGINS[1]!(), ['s3:GetObject', 'a\u0000b']],
      [ORIGINS[2]!(), ['s3:GetObject', 'a\u0000b']],
      [ORIGINS[0]!(), ['s3:GetObject', 'a', 'b']],
    ];
    for (const [o, g] of variants) {
      const got = shared.entry(o, st, g);
      expect(got).not.toBe(kept);
      expect(JSON.stringify(got)).toBe(expected(o, st, g));
    }
    const esc = shared.entry(ORIGINS[3]!(), st, ['a']);
    expect(shared.entry(ORIGINS[4]!(), st, ['a'])).not.toBe(esc);
    // The same content of another statement object is a separate entry, equal in text.
    const other = shared.entry(ORIGINS[0]!(), STATEMENTS[1]!, ['s3:GetObject', 'a\u0000b']);
    expect(JSON.stringify(other)).toBe(JSON.stringify(kept));
  });

  it('statementEvidence through one EvidenceIndex: principals with the same managed statement share the entry', () => {
    const expander = new ActionExpander(catalog());
    const doc = { Version: '2012-10-17', Statement: [{ Sid: 'All', Effect: 'Allow', Action: ['s3:GetObject', 's3:DeleteBucket'], Resource: '*' }] };
    const snapshot = snapshotOf([{ name: 'a', managed: ['Shared'] }, { name: 'b', managed: ['Shared'] }], { Shared: doc });
    const index = new EvidenceIndex(expander);
    const [a, b] = snapshot.principals;
    const ea = statementEvidence(expander, a!, ['s3:DeleteBucket'], 8, index);
    const eb = statementEvidence(expander, b!, ['s3:DeleteBucket'], 8, index);
    expect(ea).toEqual(statementEvidence(expander, a!, ['s3:DeleteBucket']));
    expect(ea.length).toBe(1);
    // One parsed managed policy, two origin objects (one per attachment): the entry is shared.
    expect(a!.policies[0]!.document.statements[0]).toBe(b!.policies[0]!.document.statements[0]);
    expect(a!.policies[0]!.origin).not.toBe(b!.policies[0]!.origin);
    expect(eb[0]).toBe(ea[0]);
  });
});
