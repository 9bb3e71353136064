import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forbiddenActions } from '../../src/baseline/forbidden.js';
import { compactActions, compactDeny, oneStarHits } from '../../src/fix/compact.js';
import { ActionSet } from '../../src/iam/action-set.js';
import { catalog } from '../../src/iam/catalog.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import verbs from '../../src/data/destructive-verbs.json' with { type: 'json' };

const expander = new ActionExpander(catalog());
const all = expander.catalog.actions;
const ids = (keys: string[]) => ActionSet.of(expander.size, keys.map((k) => expander.catalog.lookup(k)!.id));
// The documented widening: names that begin with a remove/stop verb (destructive-verbs.json).
const verbSet = ActionSet.of(expander.size, all.filter((a) => verbs.verbs.some((v) => a.name.startsWith(v) && /^[A-Z]?$/.test(a.name.charAt(v.length)))).map((a) => a.id));
const services = ['iam', 'ec2', 's3', 'dynamodb', 'lambda', 'rds', 'sqs', 'organizations'];
const pool = all.filter((a) => services.includes(a.service)).map((a) => a.id);
const PATTERN = /^[a-z0-9-]+:[A-Za-z0-9*]+$/;

describe('compactDeny', () => {
  it('denies exactly the set plus free actions, and widens over remove/stop verbs only to meet the budget (property)', () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 120 }),
      fc.uniqueArray(fc.constantFrom(...pool), { maxLength: 300 }),
      fc.option(fc.integer({ min: 50, max: 6000 }), { nil: undefined }),
      (setIds, freeIds, maxChars) => {
        const set = ActionSet.of(expander.size, setIds);
        const free = ActionSet.of(expander.size, freeIds);
        const r = compactDeny(set, expander, { free, widen: verbSet, ...(maxChars !== undefined ? { maxChars } : {}) });
        const denied = expander.expandAll(r.patterns);
        // no less: every action of the set is denied
        expect(set.clone().andNot(denied).isEmpty()).toBe(true);
        // no more than documented: beyond the set and free, only remove/stop verbs, and `widened` says which
        const extra = denied.clone().andNot(set).andNot(free);
        expect(extra.clone().andNot(verbSet).isEmpty()).toBe(true);
        expect(expander.keys(r.widened)).toEqual(expander.keys(extra));
        // without a budget nothing is widened
        if (maxChars === undefined) expect(r.widened.isEmpty()).toBe(true);
        expect(r.patterns.every((p) => PATTERN.test(p))).toBe(true);
        expect(r.chars).toBe(JSON.stringify(r.patterns).length);
      },
    ), { numRuns: 80, seed: 20261125 });
  });

  it('a memoised plan gives what a fresh one gives, whatever budget asked first (property)', () => {
    // compactDeny keeps each plan by (set, free, widen) per expander; a second expander over the
    // same catalog has its own memo, so its first answer for a case is computed afresh.
    const other = new ActionExpander(catalog());
    fc.assert(fc.property(
      fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 80 }),
      fc.uniqueArray(fc.constantFrom(...pool), { maxLength: 200 }),
      fc.integer({ min: 50, max: 6000 }),
      fc.option(fc.integer({ min: 50, max: 6000 }), { nil: undefined }),
      (setIds, freeIds, first, then) => {
        const opts = (maxChars?: number) => ({ free: ActionSet.of(expander.size, freeIds), widen: verbSet, ...(maxChars !== undefined ? { maxChars } : {}) });
        const set = () => ActionSet.of(expander.size, setIds);
        compactDeny(set(), expander, opts(first));
        const memo = compactDeny(set(), expander, opts(then));
        const fresh = compactDeny(set(), other, opts(then));
        expect(memo.patterns).toEqual(fresh.patterns);
        expect(memo.chars).toBe(fresh.chars);
        expect(expander.keys(memo.widened)).toEqual(other.keys(fresh.widened));
        // The list replayed for a budget is kept too: asked again, it is still the fresh answer
        // (and a caller's copy, so changing it changes nothing kept).
        memo.patterns.push('x:Y');
        const again = compactDeny(set(), expander, opts(then));
        expect(again.patterns).toEqual(fresh.patterns);
      },
    ), { numRuns: 40, seed: 20261204 });
  });

  it('a smaller budget only ever widens further, and a reachable budget is met', () => {
    const set = forbiddenActions(expander);
    const none = compactDeny(set, expander, { widen: verbSet });
    const most = compactDeny(set, expander, { widen: verbSet, maxChars: 0 });
    let previous = new ActionSet(expander.size);
    // Budgets the most compact form can meet (it grows with the forbidden set: 4,523 characters since session 29's Identity Center technique).
    for (const maxChars of [none.chars, 8000, 7000, 6000, 5500, 5000, 4500].filter((b) => b >= most.chars).concat(most.chars)) {
      const r = compactDeny(set, expander, { widen: verbSet, maxChars });
      expect(r.chars).toBeLessThanOrEqual(maxChars);
      expect(previous.clone().andNot(r.widened).isEmpty()).toBe(true);
      previous = r.widened;
    }
    expect(none.widened.isEmpty()).toBe(true);
    expect(expander.expandAll(none.patterns).andNot(set).isEmpty()).toBe(true);
  });

  it('uses wildcards anywhere in the name but never in the service prefix', () => {
    const r = compactDeny(ids(['iam:PutGroupPolicy', 'iam:PutRolePolicy', 'iam:PutUserPolicy', 'iam:PutRolePermissionsBoundary', 'iam:PutUserPermissionsBoundary', 'iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary']), expander);
    expect(r.patterns.length).toBe(2);
    expect(r.patterns).toContain('iam:Put*Policy');
    expect(r.patterns.every((p) => !/[*?]/.test(p.split(':')[0]!))).toBe(true);
    expect(expander.keys(expander.expandAll(r.patterns)).sort()).toEqual(['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary', 'iam:PutGroupPolicy', 'iam:PutRolePermissionsBoundary', 'iam:PutRolePolicy', 'iam:PutUserPermissionsBoundary', 'iam:PutUserPolicy']);
  });

  it('does not trade one name for a wildcard over other actions unless it must', () => {
    const one = ids(['sqs:DeleteQueue']);
    expect(compactDeny(one, expander, { widen: verbSet }).patterns).toEqual(['sqs:DeleteQueue']);
    expect(compactDeny(one, expander, { widen: verbSet, maxChars: 1000 }).patterns).toEqual(['sqs:DeleteQueue']);
  });
});

describe('compactActions (allow lists)', () => {
  it('never matches an action outside the cover (property)', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 150 }), (setIds) => {
      const set = ActionSet.of(expander.size, setIds);
      const patterns = compactActions(set, expander);
      expect(expander.keys(expander.expandAll(patterns))).toEqual(expander.keys(set));
    }), { numRuns: 60, seed: 7 });
  });
});

describe('oneStarHits', () => {
  // Any action of any service, cut anywhere (not only on word boundaries), in any case.
  const cutArb = fc.record({
    id: fc.integer({ min: 0, max: all.length - 1 }),
    i: fc.nat(), j: fc.nat(), form: fc.constantFrom('pre', 'suf', 'both', 'star'), upper: fc.boolean(), other: fc.integer({ min: 0, max: all.length - 1 }),
  });
  it('matches what the expander\'s case-insensitive glob matches, for every one-star pattern (property)', () => {
    fc.assert(fc.property(cutArb, ({ id, i, j, form, upper, other }) => {
      const a = all[id]!;
      const n = a.name;
      const [x, y] = [i % (n.length + 1), j % (n.length + 1)].sort((p, q) => p - q) as [number, number];
      const body = form === 'star' ? '*' : form === 'pre' ? `${n.slice(0, x)}*` : form === 'suf' ? `*${n.slice(x)}` : `${n.slice(0, x)}*${n.slice(y)}`;
      // The same name pattern in another service too (mostly matching nothing there).
      for (const service of [a.service, all[other]!.service]) {
        const pattern = `${upper ? service.toUpperCase() : service}:${upper ? body.toUpperCase() : body}`;
        expect(oneStarHits(expander, pattern)).toEqual(Int32Array.from(expander.expand(pattern)).sort());
      }
    }), { numRuns: 2000, seed: 20261204 });
  });
  it('leaves every other pattern to the expander', () => {
    for (const p of ['s3:GetObject', 's3:Get*Acl*', 's3:Get?bject', 's*:GetObject', '*', 's3*']) expect(oneStarHits(expander, p)).toBeUndefined();
    expect(oneStarHits(expander, 'nosuchservice:Get*')).toEqual(new Int32Array(0));
  });
});
