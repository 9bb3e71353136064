// grantScope remembers its answer per effective-permissions object (src/checks/scope.ts memoOf):
// an object effectivePermissions shared between principals (the same documents in every layer,
// nothing that depends on the principal) stands for all of them. The answer for each principal
// must be what the same call gives without any sharing (a copy of its effective object, which the
// memo has never seen), whatever the documents: managed policies shared by many roles, tag- and
// username-dependent statements, boundaries, scoped and wide resources.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grantScope } from '../../src/checks/scope.js';
import { collectGarbage } from '../../src/pipeline/release.js';
import { EvidenceIndex } from '../../src/checks/evidence.js';
import { catalog } from '../../src/iam/catalog.js';
import { effectivePermissions, principalPolicyInput } from '../../src/iam/effective.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { ACCOUNT, doc, snapshotOf, type RoleSpec } from '../support/snapshot.js';

const expander = new ActionExpander(catalog());
const ACTIONS = ['dynamodb:DeleteTable', 's3:DeleteBucket', 'iam:DeleteRole', 'ec2:TerminateInstances'];
const table = (name: string) => `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${name}`;

// Managed policies some roles share: wide, scoped, another service's pattern, and two that depend on the principal.
const POLICIES = {
  wide: doc({ Effect: 'Allow', Action: ['dynamodb:DeleteTable', 's3:DeleteBucket'], Resource: '*' }),
  scoped: doc({ Effect: 'Allow', Action: ['dynamodb:DeleteTable', 'iam:DeleteRole'], Resource: [table('scratch-*'), `arn:aws:iam::${ACCOUNT}:role/scratch-*`] }),
  otherService: doc({ Effect: 'Allow', Action: 'dynamodb:DeleteTable', Resource: 'arn:aws:s3:::*' }),
  byTag: doc({ Effect: 'Allow', Action: 'ec2:TerminateInstances', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'ops' } } }),
  byName: doc({ Effect: 'Allow', Action: 'iam:DeleteRole', Resource: `arn:aws:iam::${ACCOUNT}:role/\${aws:username}` }),
  cap: doc({ Effect: 'Allow', Action: ['dynamodb:DeleteTable', 'ec2:TerminateInstances'], Resource: table('scratch-*') }),
};
type Name = Exclude<keyof typeof POLICIES, 'cap'>;
const NAMES = Object.keys(POLICIES).filter((n) => n !== 'cap') as Name[];

const roleArb = fc.record({
  managed: fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 3 }),
  team: fc.constantFrom(undefined, 'ops', 'data'),
  bounded: fc.boolean(),
});

describe('grantScope: one answer per shared effective-permissions object', () => {
  it('every principal gets what the same call gives without sharing (property)', () => {
    let sharedHits = 0;
    fc.assert(
      fc.property(fc.array(roleArb, { minLength: 2, maxLength: 8 }), fc.subarray(ACTIONS, { minLength: 1 }), (roles, actions) => {
        const specs: RoleSpec[] = roles.map((r, i) => ({ name: `r${i}`, managed: r.managed, ...(r.team ? { tags: { team: r.team } } : {}), ...(r.bounded ? { boundary: 'cap' } : {}) }));
        const snap = snapshotOf(specs, POLICIES);
        const index = new EvidenceIndex(expander);
        const effective = snap.principals.map((p) => effectivePermissions(principalPolicyInput(p), expander));
        sharedHits += effective.filter((e, i) => effective.indexOf(e) !== i).length;
        snap.principals.forEach((p, i) => {
          // Two action lists per principal: an answer is for its list, not for the object alone.
          for (const list of [actions, ACTIONS.filter((a) => !actions.includes(a)), ACTIONS]) {
            const got = grantScope(expander, p, list, { effective: effective[i]!, index });
            const alone = grantScope(expander, p, list, { effective: { ...effective[i]! }, index: new EvidenceIndex(expander) });
            expect(got).toEqual(alone);
          }
        });
      }),
      { numRuns: 150, seed: 20261207 },
    );
    // The property is about sharing: it must have happened (and did not everywhere).
    expect(sharedHits).toBeGreaterThan(50);
  });

  it('a tag-dependent statement is never answered from another principal (control: ops and data roles, same policy)', () => {
    const snap = snapshotOf([{ name: 'ops', managed: ['byTag', 'scoped'], tags: { team: 'ops' } }, { name: 'data', managed: ['byTag', 'scoped'], tags: { team: 'data' } }], POLICIES);
    const [ops, data] = snap.principals;
    const effOps = effectivePermissions(principalPolicyInput(ops!), expander);
    const effData = effectivePermissions(principalPolicyInput(data!), expander);
    expect(effOps).not.toBe(effData);
    const index = new EvidenceIndex(expander);
    expect(grantScope(expander, ops!, ['ec2:TerminateInstances'], { effective: effOps, index }).everywhere).toEqual(['ec2:TerminateInstances']);
    // The data role is not granted it at all: no statement shows it, so it is "everywhere" only if the effective stage says so.
    expect(effData.allowed.has(expander.idOf('ec2:TerminateInstances'))).toBe(false);
  });

  it('the same documents are answered once: the second principal gets the first one\'s object', () => {
    const snap = snapshotOf([{ name: 'a', managed: ['scoped'] }, { name: 'b', managed: ['scoped'] }], POLICIES);
    const [a, b] = snap.principals;
    const effA = effectivePermissions(principalPolicyInput(a!), expander);
    const effB = effectivePermissions(principalPolicyInput(b!), expander);
    expect(effB).toBe(effA);
    const index = new EvidenceIndex(expander);
    const first = grantScope(expander, a!, ['dynamodb:DeleteTable'], { effective: effA, index });
    expect(first.scoped.map((s) => s.action)).toEqual(['dynamodb:DeleteTable']);
    expect(grantScope(expander, b!, ['dynamodb:DeleteTable'], { effective: effB, index })).toBe(first);
    // Other markers or another index: answered apart.
    expect(grantScope(expander, b!, ['dynamodb:DeleteTable'], { effective: effB, index: new EvidenceIndex(expander) })).not.toBe(first);
  });

  // The memo belongs to the run: an effective object that outlives the run (a fix plan holds one)
  // must not keep the run's evidence index, and its per-principal views, alive through the writing.
  it('an effective object kept after the run does not keep its evidence index alive (control: the index still held)', async () => {
    const snap = snapshotOf([{ name: 'a', managed: ['scoped'] }], POLICIES);
    const effective = effectivePermissions(principalPolicyInput(snap.principals[0]!), expander);
    const run = (): WeakRef<EvidenceIndex> => {
      const index = new EvidenceIndex(expander);
      const first = grantScope(expander, snap.principals[0]!, ['dynamodb:DeleteTable'], { effective, index });
      // Remembered within the run: the same object again.
      expect(grantScope(expander, snap.principals[0]!, ['dynamodb:DeleteTable'], { effective, index })).toBe(first);
      return new WeakRef(index);
    };
    const dropped = run();
    const heldIndex = new EvidenceIndex(expander);
    grantScope(expander, snap.principals[0]!, ['dynamodb:DeleteTable'], { effective, index: heldIndex });
    const held = new WeakRef(heldIndex);
    // A WeakRef's target lives to the end of the job that made it: collect in a later one.
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    expect(held.deref()).toBe(heldIndex);
    expect(dropped.deref()).toBeUndefined();
    expect(effective.allowed.size).toBeGreaterThan(0); // still alive here, as a fix plan's would be
  });
});
