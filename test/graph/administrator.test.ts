// Who counts as an administrator (src/graph/power.ts isAdminSet, src/data/power-tiers.json
// `administrator`): nearly the whole catalog on every resource AND one IAM policy write with which
// it grants itself the rest. "Everything but IAM" is not one: its paths to a real administrator
// are reported instead of being hidden behind admin-access.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { catalog } from '../../src/iam/catalog.js';
import { ActionSet } from '../../src/iam/action-set.js';
import { isAdminSet, selfGrantActions } from '../../src/graph/power.js';
import powerTiers from '../../src/data/power-tiers.json' with { type: 'json' };
import { ADMIN, DEV, allow, arn, deny, doc, snapshot, trust, type AccountSpec, type Doc } from './accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false };
const SELF_GRANT = powerTiers.administrator.grantsItselfAnyOf;
const everythingBut = (...actions: string[]): Doc => doc({ Effect: 'Allow', NotAction: actions, Resource: '*' });

function findings(spec: AccountSpec, principal: string) {
  return analyzeSnapshots([snapshot(spec)], defaultConfig(), opts)
    .flatMap((a) => a.report.findings)
    .filter((f) => f.principalArn === principal);
}
const checks = (spec: AccountSpec, principal: string) => new Set(findings(spec, principal).map((f) => f.checkId));

const agent = arn(DEV, 'role', 'agent');
// The agent, and an administrator role that trusts the account: assuming it is the path to admin.
const account = (agentPolicy: Doc, scps?: Doc[]): AccountSpec => ({
  roles: [
    { name: 'agent', trust: trust({ Service: 'lambda.amazonaws.com' }), inline: [agentPolicy] },
    { name: 'break-glass', trust: trust({ AWS: `arn:aws:iam::${DEV}:root` }), inline: [ADMIN] },
  ],
  ...(scps ? { scps } : {}),
});

describe('administrator: nearly everything, and able to grant itself the rest', () => {
  it('Action "*" is an administrator: admin-access, and no escalation finding (it needs none)', () => {
    const c = checks(account(ADMIN), agent);
    expect(c.has('admin-access')).toBe(true);
    expect(c.has('privilege-escalation')).toBe(false);
    expect(c.has('reaches-admin')).toBe(false);
  });

  it('NotAction iam:* is not: no admin-access, and its path to the break-glass administrator is reported', () => {
    const fs = findings(account(everythingBut('iam:*')), agent);
    expect(fs.some((f) => f.checkId === 'admin-access')).toBe(false);
    const paths = fs.filter((f) => f.checkId === 'reaches-admin' || f.checkId === 'privilege-escalation');
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.map((f) => `${f.title} ${f.description}`).join('\n')).toContain('break-glass');
    // What it may do is still said: destructive actions on every resource.
    expect(fs.some((f) => f.checkId === 'destructive-actions')).toBe(true);
    // Control: without an administrator to reach, no path is invented.
    const alone: AccountSpec = { roles: [account(everythingBut('iam:*')).roles![0]!] };
    expect(checks(alone, agent).has('reaches-admin')).toBe(false);
  });

  it('an SCP denying a few IAM actions (no IAM users, no access keys) leaves an administrator one', () => {
    const scp = doc(allow('*'), deny(['iam:CreateUser', 'iam:CreateAccessKey', 'iam:CreateLoginProfile']));
    expect(checks(account(ADMIN, [scp]), agent).has('admin-access')).toBe(true);
  });

  it('an SCP keeping every policy write to a pipeline makes it a power user, not an administrator', () => {
    const scp = doc(allow('*'), deny(SELF_GRANT));
    expect(checks(account(ADMIN, [scp]), agent).has('admin-access')).toBe(false);
    // Control: the same SCP less one policy write leaves a way to grant itself anything.
    const leaky = doc(allow('*'), deny(SELF_GRANT.filter((a) => a !== 'iam:PutRolePolicy')));
    expect(checks(account(ADMIN, [leaky]), agent).has('admin-access')).toBe(true);
  });
});

describe('isAdminSet', () => {
  const expander = new ActionExpander(catalog());
  const selfGrant = selfGrantActions(expander).toArray();

  it('names only catalog actions, each once', () => {
    expect(selfGrant.length).toBe(SELF_GRANT.length);
    expect(new Set(SELF_GRANT.map((a) => a.toLowerCase())).size).toBe(SELF_GRANT.length);
  });

  it('property: with everything else allowed, an administrator exactly when at least one policy write is kept', () => {
    fc.assert(fc.property(fc.subarray(selfGrant), (removed) => {
      const set = ActionSet.full(expander.size);
      for (const id of removed) set.andNot(ActionSet.of(expander.size, [id]));
      expect(isAdminSet(set, expander)).toBe(removed.length < selfGrant.length);
    }), { numRuns: 60 });
  });

  it('property: every policy write but under 99 % of the catalog is no administrator', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: Math.ceil(expander.size * 0.99) - selfGrant.length - 1 }), (n) => {
      const set = ActionSet.of(expander.size, [...Array.from({ length: n }, (_, i) => i), ...selfGrant]);
      expect(set.count()).toBeLessThan(expander.size * 0.99);
      expect(isAdminSet(set, expander)).toBe(false);
    }), { numRuns: 40 });
  });
});
