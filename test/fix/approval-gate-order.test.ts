// Session 43: gated-held ⊑ ungated-held. The reach guards compare a role's power with what the
// agent holds after its fix, the actions its boundary gates (or denies) taken out
// (hop-chains.ts `heldUngated`). Taking actions out of the agent's holdings never makes a role
// give less; a role that holds a taken ranked action with no approval gives more; a role that
// holds none of them gives exactly what it gave before.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActionSet } from '../../src/iam/action-set.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { catalog } from '../../src/iam/catalog.js';
import { escalates, gain, isAdminSet, tierSets, type PowerSets } from '../../src/graph/power.js';
import { heldUngated, skipsApproval } from '../../src/fix/hop-chains.js';

const expander = new ActionExpander(catalog());
const size = expander.size;
const tiers = tierSets(expander);
const ranked = tiers.iamWrite.clone().or(tiers.destructive).or(tiers.credentialAccess);

const tierIds = [tiers.iamWrite, tiers.destructive, tiers.credentialAccess, tiers.dataRead].map((t) => t.toArray().slice(0, 30));
const idArb = fc.oneof(...tierIds.map((ids) => fc.constantFrom(...ids)), fc.integer({ min: 0, max: size - 1 }));
const idsArb = fc.array(idArb, { maxLength: 60 });
// An agent's power, from ids and a flag for a near-full (administrator-sized) set, as an agent holding `*` has.
const agentArb: fc.Arbitrary<PowerSets> = fc.record({ u: idsArb, all: idsArb, full: fc.boolean() }).map(({ u, all, full }) => {
  const allResources = full ? ActionSet.full(size) : ActionSet.of(size, all);
  const unconditional = ActionSet.of(size, u).or(allResources);
  return { unconditional, allResources, admin: isAdminSet(allResources, expander) };
});
const roleArb: fc.Arbitrary<PowerSets> = fc.record({ u: idsArb, all: idsArb, admin: fc.boolean() })
  .map(({ u, all, admin }) => ({ unconditional: ActionSet.of(size, [...u, ...all]), allResources: ActionSet.of(size, all), admin }));
const more = (role: PowerSets, agent: PowerSets) => escalates(gain(role, agent, expander));

describe('heldUngated: an action held only behind approval is not held', () => {
  it('never makes a role give less (monotone), and a taken ranked action the role holds ungated makes it give more', () => {
    let newlyMore = 0;
    fc.assert(fc.property(agentArb, roleArb, idsArb, fc.boolean(), (agent, wide, takenIds, within) => {
      // The boundary takes only what the agent held (a taken action it never held is not "taken").
      const taken = ActionSet.of(size, takenIds).and(agent.unconditional);
      const after = heldUngated(agent, taken, expander);
      // Half the roles hold only what the agent held before its boundary (so they gave nothing more).
      const role: PowerSets = within ? { unconditional: wide.unconditional.clone().or(taken).and(agent.unconditional), allResources: wide.allResources.clone().and(agent.allResources), admin: false } : wide;
      // Never more than the agent held, and nothing taken is still held.
      expect(after.unconditional.differenceCount(agent.unconditional)).toBe(0);
      expect(after.unconditional.intersectionCount(taken)).toBe(0);
      expect(after.allResources.intersectionCount(taken)).toBe(0);
      if (more(role, agent)) expect(more(role, after)).toBe(true);
      const skipped = skipsApproval(role, taken);
      if (!after.admin && skipped.some((id) => ranked.has(id))) {
        expect(more(role, after)).toBe(true);
        if (!more(role, agent)) newlyMore++;
      }
      // A role holding nothing taken gives what it gave, unless the agent stopped being an administrator.
      if (skipped.length === 0 && role.allResources.intersectionCount(taken) === 0 && after.admin === agent.admin) expect(more(role, after)).toBe(more(role, agent));
    }), { numRuns: 1500, seed: 20261207 });
    // The case the session is about (a role that gave nothing more now gives more) is exercised.
    expect(newlyMore).toBeGreaterThan(20);
  });

  it('an administrator whose boundary gates the IAM policy writes is no administrator after it: a role holding one of them ungated gives more', () => {
    const all = ActionSet.full(size);
    const agent: PowerSets = { unconditional: all, allResources: all, admin: isAdminSet(all, expander) };
    expect(agent.admin).toBe(true);
    const taken = tiers.iamWrite.clone();
    const after = heldUngated(agent, taken, expander);
    expect(after.admin).toBe(false);
    const put = expander.catalog.lookup('iam:PutRolePolicy')!.id;
    const role: PowerSets = { unconditional: ActionSet.of(size, [put]), allResources: ActionSet.of(size, [put]), admin: false };
    expect(more(role, agent)).toBe(false);
    expect(more(role, after)).toBe(true);
  });

  it('nothing taken: the same power, the same object', () => {
    const agent: PowerSets = { unconditional: ActionSet.of(size, [1, 2]), allResources: ActionSet.of(size, [1]), admin: false };
    expect(heldUngated(agent, new ActionSet(size), expander)).toBe(agent);
  });

  it('the brief\'s pair: DeleteTable held only gated, a role holding it ungated gives more; the same role against the ungated agent does not', () => {
    const del = expander.catalog.lookup('dynamodb:DeleteTable')!.id;
    const get = expander.catalog.lookup('dynamodb:GetItem')!.id;
    const agent: PowerSets = { unconditional: ActionSet.of(size, [del, get]), allResources: ActionSet.of(size, [del, get]), admin: false };
    const role: PowerSets = { unconditional: ActionSet.of(size, [del]), allResources: ActionSet.of(size, [del]), admin: false };
    const taken = ActionSet.of(size, [del]);
    expect(more(role, agent)).toBe(false);
    expect(more(role, heldUngated(agent, taken, expander))).toBe(true);
    expect(skipsApproval(role, taken)).toEqual([del]);
    // The role's own delete behind approval: not in its unconditional set, nothing skipped, not more.
    const gatedRole: PowerSets = { unconditional: new ActionSet(size), allResources: new ActionSet(size), admin: false };
    expect(skipsApproval(gatedRole, taken)).toEqual([]);
    expect(more(gatedRole, heldUngated(agent, taken, expander))).toBe(false);
  });
});
