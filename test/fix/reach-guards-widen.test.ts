// The fix's boundary guards what the agent can become (plan.ts `reachGuards`: sts:AssumeRole
// denied on the roles that give more and that it never assumed). Session 38: a role that gives
// more only by *where* — it holds on every table the delete the agent holds on kiro-scratch-*
// only — is guarded too, by the same definition of "widens" the checks use (src/checks/widen.ts).
// Through the real analysis with fixes: export normaliser, usage, graph, checks, fix plans.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import type { Statement } from '../../src/model/policy.js';
import { DEV, allow, arn, snapshot, type AccountSpec } from '../graph/accounts.js';
import { AGENT, MFA, TYPE_WIDE, account, agentUsage, deleteTable, table } from '../support/tier-scope.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: true };
const DEPLOY = arn(DEV, 'role', 'deploy');
const SCRATCH = { action: 'dynamodb:DeleteTable', resources: [table('kiro-scratch-1')] };

/** The NoUnusedRoleHops statement of the agent's boundary fix, if any. */
function hopGuard(spec: AccountSpec, used = [SCRATCH]): Statement | undefined {
  const [a] = analyzeSnapshots([{ ...snapshot(spec), usage: agentUsage(used) }], defaultConfig(), opts);
  const fx = a!.report.fixes.find((f) => f.principalArn === AGENT && f.kind === 'permissions-boundary');
  expect(fx, 'the agent gets a boundary fix').toBeDefined();
  return (fx!.after as unknown as { statements: Statement[] }).statements.find((s) => s.sid === 'NoUnusedRoleHops');
}

describe('reachGuards: a role that only widens a scoped grant', () => {
  it('DeleteTable on kiro-scratch-* itself, deploy on every table, never assumed: the boundary denies assuming deploy', () => {
    expect(hopGuard(account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable('*')] }))).toMatchObject({ effect: 'Deny', action: ['sts:AssumeRole'], resource: [DEPLOY] });
  });

  it('a type-wide grant (`table/*`) of deploy is guarded the same way; behind an approval condition it is not', () => {
    expect(hopGuard(account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable(TYPE_WIDE)] }))?.resource).toEqual([DEPLOY]);
    // Session 43: the agent's boundary takes its own delete (kiro-agent is trusted by EC2 alone, so
    // no approval can be met: denied outright), so a condition that is not an approval
    // (aws:SecureTransport) leaves deploy giving it back: guarded. Behind MFA it is not held with no approval.
    expect(hopGuard(account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable(TYPE_WIDE, { Bool: { 'aws:SecureTransport': 'true' } })] }))?.resource).toEqual([DEPLOY]);
    expect(hopGuard(account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable(TYPE_WIDE, MFA)] }))).toBeUndefined();
  });

  it('the agent\'s `*` left on kiro-scratch-* tables by a Deny with NotResource: guarded the same way (grantScope decides)', () => {
    const deny = { Effect: 'Deny', Action: 'dynamodb:DeleteTable', NotResource: table('kiro-scratch-*') };
    expect(hopGuard(account([deleteTable('*'), deny], { deploy: [deleteTable('*')] }))?.resource).toEqual([DEPLOY]);
  });

  it('controls: the agent assumed deploy (observed), holds the delete on every table itself and keeps it so after its fix, or deploy only on other named tables: no guard', () => {
    expect(hopGuard(account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable('*')] }), [SCRATCH, { action: 'sts:AssumeRole', resources: [DEPLOY] }])).toBeUndefined();
    // Used with no table named: the right-sized policy keeps the delete on every table, but the
    // boundary takes it (session 43: denied outright, EC2 trust), so only deploy's delete behind an
    // approval condition gives nothing more (ungated: test/fix/reach-guards-approval-gate.test.ts).
    expect(hopGuard(account([deleteTable('*')], { deploy: [deleteTable('*', MFA)] }), [{ action: 'dynamodb:DeleteTable', resources: [] }])).toBeUndefined();
    expect(hopGuard(account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable(table('kiro-tmp-*'), MFA)] }))).toBeUndefined();
    // …and without it, deploy's delete on other tables is one the agent no longer has at all: guarded.
    expect(hopGuard(account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable(table('kiro-tmp-*'))] }))?.resource).toEqual([DEPLOY]);
  });

  it('behind a hub (the agent may assume any role that trusts its account): deploy is guarded, a role that adds nothing is not', () => {
    const spec = account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable('*')], reader: [allow('dynamodb:DescribeTable')] }, { assume: allow('sts:AssumeRole', '*') });
    expect(hopGuard(spec)?.resource).toEqual([DEPLOY]);
    // Control: deploy only on other named tables, behind approval (session 43: ungated, it gives
    // back the delete the boundary takes): neither role is guarded.
    const scoped = account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable(table('kiro-tmp-*'), MFA)], reader: [allow('dynamodb:DescribeTable')] }, { assume: allow('sts:AssumeRole', '*') });
    expect(hopGuard(scoped)).toBeUndefined();
  });

  it('a role that gives a new destructive action stays guarded (as before), beside one that widens', () => {
    const spec = account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable('*')], ops: [allow('cloudformation:DeleteStack')] });
    expect(hopGuard(spec)?.resource).toEqual([DEPLOY, arn(DEV, 'role', 'ops')]);
  });
});

// deploy's statements from a pool (scoped first: fast-check favours the first constants).
const POOL: unknown[] = [
  deleteTable(table('kiro-tmp-*')), deleteTable('*'), deleteTable(TYPE_WIDE), allow('dynamodb:DescribeTable'),
  deleteTable(TYPE_WIDE, { Bool: { 'aws:SecureTransport': 'true' } }), allow('iam:DeleteRolePolicy', arn(DEV, 'role', 'kiro-*')), allow('iam:DeleteRolePolicy'),
];
const OWN: unknown[][] = [[deleteTable(table('kiro-scratch-*'))], [deleteTable(table('kiro-scratch-*')), allow('iam:DeleteRolePolicy', arn(DEV, 'role', 'kiro-agent'))], [deleteTable('*')]];

describe('properties', () => {
  it('adding an Allow to deploy never takes the guard away (what it gives only grows)', () => {
    let guarded = 0;
    fc.assert(fc.property(fc.array(fc.constantFrom(...POOL), { maxLength: 2 }), fc.constantFrom(...POOL), fc.constantFrom(...OWN), (base, extra, own) => {
      const before = hopGuard(account(own, { deploy: base }))?.resource ?? [];
      const after = hopGuard(account(own, { deploy: [...base, extra] }))?.resource ?? [];
      for (const r of before) expect(after).toContain(r);
      if (after.includes(DEPLOY)) guarded++;
    }), { numRuns: 20, examples: [[[], deleteTable('*'), OWN[0]!]] });
    expect(guarded).toBeGreaterThan(0);
  });
});
