// statementEvidence tests catalog actions as bits of each statement's expanded set; its reference,
// statementEvidenceByPattern, matches every action against the patterns. Same evidence, always.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EvidenceIndex, statementEvidence, statementEvidenceByPattern, statementEvidenceOfIds } from '../../src/checks/evidence.js';
import { catalog } from '../../src/iam/catalog.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { policyArb } from '../support/arbitraries.js';
import { askedActionArb, catalogKeyArb, oddActionPatternArb } from '../support/catalog-arbitraries.js';
import { sharedFixture, sharedFixturesPresent } from '../support/fixtures.js';
import { snapshotOf } from '../support/snapshot.js';

const c = catalog();
const sampleArb = fc.array(askedActionArb, { maxLength: 30 });

/** A few real AWS managed policies (many wildcard statements), when the shared fixtures are there. */
function managedDocs(): Record<string, { Version: string; Statement: unknown }> {
  if (!sharedFixturesPresent) return {};
  const all = JSON.parse(readFileSync(sharedFixture('aws-managed-policies/aws-managed-policies.json'), 'utf8')) as Record<string, { document: { Version: string; Statement: unknown } }>;
  const out: Record<string, { Version: string; Statement: unknown }> = {};
  for (const name of ['ReadOnlyAccess', 'PowerUserAccess', 'AmazonS3FullAccess', 'IAMFullAccess', 'AdministratorAccess']) if (all[name]) out[name] = all[name].document;
  return out;
}

describe('statementEvidence by sets', () => {
  const managed = managedDocs();
  const names = Object.keys(managed);
  it('equals pattern matching for generated policies, real managed policies and any sampled actions', () => {
    const shared = new ActionExpander(c);
    fc.assert(
      fc.property(
        fc.array(policyArb(), { maxLength: 3 }),
        fc.array(fc.array(oddActionPatternArb, { minLength: 1, maxLength: 4 }), { maxLength: 3 }),
        fc.subarray(names, { maxLength: Math.min(2, names.length) }),
        sampleArb, fc.integer({ min: 1, max: 9 }), fc.boolean(),
        (inline, oddLists, attached, sample, limit, fresh) => {
          const odd = oddLists.map((Action, i) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', [i % 2 ? 'NotAction' : 'Action']: Action, Resource: '*' }] }));
          const snapshot = snapshotOf([{ name: 'p', inline: [...inline, ...odd], managed: attached }], Object.fromEntries(attached.map((n) => [n, managed[n]!])));
          const p = snapshot.principals[0]!;
          // Asked twice: the second answer comes from the kept sets; with `fresh`, the second
          // expander finds the documents summarized under the first.
          for (const expander of fresh ? [shared, new ActionExpander(c)] : [shared, shared]) expect(statementEvidence(expander, p, sample, limit)).toEqual(statementEvidenceByPattern(p, sample, limit));
        },
      ),
      { numRuns: 400, seed: 16 },
    );
  });

  it('names the granting statements of a real managed policy (skipped without the shared fixtures)', (ctx) => {
    if (!managed.ReadOnlyAccess) return ctx.skip();
    const snapshot = snapshotOf([{ name: 'ro', managed: ['ReadOnlyAccess'] }], { ReadOnlyAccess: managed.ReadOnlyAccess });
    const ev = statementEvidence(new ActionExpander(c), snapshot.principals[0]!, ['s3:GetObject', 'iam:CreateUser', 'ec2:DescribeInstances'], 4);
    expect(ev.length).toBeGreaterThan(0);
    expect(ev.flatMap((e) => (e.kind === 'statement' ? e.grants : []))).toEqual(expect.arrayContaining(['s3:GetObject', 'ec2:DescribeInstances']));
    expect(ev.flatMap((e) => (e.kind === 'statement' ? e.grants : []))).not.toContain('iam:CreateUser');
  });

  it('by ids gives the evidence of their catalog keys (and of pattern matching), for any ids and policies', () => {
    const expander = new ActionExpander(c);
    let nonEmpty = 0;
    fc.assert(
      fc.property(
        fc.array(policyArb(), { maxLength: 3 }),
        fc.subarray(names, { maxLength: Math.min(2, names.length) }),
        fc.array(catalogKeyArb, { maxLength: 30 }), fc.integer({ min: 1, max: 9 }),
        (inline, attached, asked, limit) => {
          const snapshot = snapshotOf([{ name: 'p', inline, managed: attached }], Object.fromEntries(attached.map((n) => [n, managed[n]!])));
          const p = snapshot.principals[0]!;
          // The policies' own actions too, so that statements grant some of them.
          const granted = p.policies.flatMap((x) => x.document.statements.flatMap((st) => st.action ?? [])).filter((a) => c.lookup(a));
          const ids = [...granted, ...asked].map((a) => c.lookup(a)!.id);
          const keys = ids.map((id) => c.actions[id]!.key);
          const got = statementEvidenceOfIds(expander, p, ids, limit);
          if (got.length > 0) nonEmpty++;
          expect(got).toEqual(statementEvidence(expander, p, keys, limit));
          expect(got).toEqual(statementEvidenceByPattern(p, keys, limit));
          // Typed-array ids (what set operations hand out) give the same.
          expect(statementEvidenceOfIds(expander, p, Int32Array.from(ids), limit)).toEqual(got);
        },
      ),
      { numRuns: 300, seed: 18 },
    );
    // Negative control: the property compared evidence that names statements, not empty lists.
    expect(nonEmpty).toBeGreaterThan(50);
  });

  it('with a per-run index (CheckContext.evidence) equals evidence worked out per finding, for any principals and order of questions', () => {
    const expander = new ActionExpander(c);
    let differByTags = 0;
    fc.assert(
      fc.property(
        fc.array(policyArb(), { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.array(policyArb(), { maxLength: 2 }), fc.constantFrom('platform', 'data', undefined)), { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), sampleArb, fc.integer({ min: 1, max: 9 })), { minLength: 1, maxLength: 8 }),
        (shared, roles, questions) => {
          const names = shared.map((_, i) => `m${i}`);
          // Every role holds the shared managed policies; tags decide whether principal-tag conditions apply.
          const snapshot = snapshotOf(roles.map(([inline, team], i) => ({ name: `r${i}`, inline, managed: names, ...(team ? { tags: { team } } : {}) })), Object.fromEntries(shared.map((d, i) => [names[i]!, d])));
          const ps = snapshot.principals;
          const index = new EvidenceIndex(expander);
          for (const [k, sample, limit] of questions) {
            const p = ps[k % ps.length]!;
            const plain = statementEvidence(expander, p, sample, limit);
            expect(statementEvidence(expander, p, sample, limit, index)).toEqual(plain);
            expect(plain).toEqual(statementEvidenceByPattern(p, sample, limit));
            const ids = sample.map((a) => c.lookup(a)?.id).filter((x): x is number => x !== undefined);
            expect(statementEvidenceOfIds(expander, p, ids, limit, index)).toEqual(statementEvidenceOfIds(expander, p, ids, limit));
            // Negative control: the same policies held by a principal with other tags may give other
            // evidence (principal-tag conditions), so the index must be per principal, not per policy.
            const sharedOnly = (q: typeof p) => q.policies.every((x) => x.origin.kind === 'managed');
            const other = sharedOnly(p) ? ps.find((q) => q !== p && sharedOnly(q) && q.tags?.team !== p.tags?.team) : undefined;
            if (other && JSON.stringify(statementEvidence(expander, other, sample, limit, index).map((e) => e.kind === 'statement' && e.statement)) !== JSON.stringify(plain.map((e) => e.kind === 'statement' && e.statement))) differByTags++;
          }
          // An index of another expander is not read: the answer is this expander's own.
          const p0 = ps[0]!;
          expect(statementEvidence(expander, p0, questions[0]![1], 8, new EvidenceIndex(new ActionExpander(c)))).toEqual(statementEvidence(expander, p0, questions[0]![1], 8));
        },
      ),
      { numRuns: 200, seed: 18 },
    );
    expect(differByTags).toBeGreaterThan(0);
  });
});
