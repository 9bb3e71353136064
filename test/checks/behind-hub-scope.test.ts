// Where a grant applies, past the first hop (session 39): an agent that holds
// dynamodb:DeleteTable only on kiro-scratch-* tables may assume the role `hub`, whose own policy
// lets it assume `deploy`, which deletes every table. privilege-escalation, the report's reach
// summary and the fix's reach guards must all see the widening through hub → deploy, also when
// deploy holds the delete by a type-wide pattern (`table/*`), which the reach's every-resource set
// does not hold: before this session only the edge's own target's type-wide grants were read
// (graph `escalatingEdges`' `widen.at`), so the check and the guard missed it. Through the real
// analysis with usage and fixes (export normaliser, effective stage, graph, checks, fix plans).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import type { Finding } from '../../src/model/finding.js';
import type { PrincipalReach } from '../../src/model/graph.js';
import type { Statement } from '../../src/model/policy.js';
import { DEV, allow, arn, doc, snapshot, trust, type AccountSpec } from '../graph/accounts.js';
import { AGENT, DEPLOY, HUB, MFA, SCRATCH, USED, TYPE_WIDE, account, agentUsage, deleteTable, table } from '../support/tier-scope.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: true };

interface World { hub?: unknown[]; deploy: unknown[]; own?: unknown[]; deployTrust?: unknown; agentAssume?: unknown }
/** kiro-agent may assume hub only; hub's policy allows assuming deploy (unless `hub` says otherwise); deploy trusts the account (unless `deployTrust`). */
function world(w: World): AccountSpec {
  return account(w.own ?? [deleteTable(SCRATCH)], { hub: w.hub ?? [allow('sts:AssumeRole', DEPLOY)] }, {
    assume: w.agentAssume ?? allow('sts:AssumeRole', HUB),
    extraRoles: [{ name: 'deploy', trust: (w.deployTrust ?? trust({ AWS: DEV })) as ReturnType<typeof trust>, inline: w.deploy.length > 0 ? [doc(...w.deploy)] : [] }],
  });
}

interface Outcome { escalation: Finding[]; reach: PrincipalReach | undefined; guard: Statement | undefined }
function outcome(spec: AccountSpec, used = [USED]): Outcome {
  const [a] = analyzeSnapshots([{ ...snapshot(spec), usage: agentUsage(used) }], defaultConfig(), opts);
  const r = a!.report;
  const fx = r.fixes.find((f) => f.principalArn === AGENT && f.kind === 'permissions-boundary');
  return {
    escalation: r.findings.filter((f) => f.principalArn === AGENT && f.checkId === 'privilege-escalation' && f.technique === 'sts-assume-permissive-role'),
    reach: r.graph!.reach.find((x) => x.principalArn === AGENT),
    guard: (fx?.after as unknown as { statements: Statement[] } | undefined)?.statements.find((s) => s.sid === 'NoUnusedRoleHops'),
  };
}

/** Nothing widened anywhere: no escalation finding, no gain in the summary, no hop guard. */
function expectNothing(o: Outcome): void {
  expect(o.escalation).toEqual([]);
  expect(o.reach?.gains).toBeUndefined();
  expect(o.reach?.widened).toBeUndefined();
  expect(o.guard).toBeUndefined();
}

describe('a role behind a hub role holding on every table what the agent holds on kiro-scratch-* only', () => {
  for (const [name, resource] of [['a type-wide pattern (`table/*`)', TYPE_WIDE], ['`*`', '*']] as const) {
    it(`deploy on ${name}: privilege-escalation high, says hub → deploy; the summary gains destructive with a path to deploy; the boundary denies assuming hub`, () => {
      const o = outcome(world({ deploy: [deleteTable(resource)] }));
      const [f, ...rest] = o.escalation;
      expect(rest).toEqual([]);
      expect(f?.severity).toBe('high');
      expect(f?.title).toBe('kiro-agent can escalate privileges: Assume a role whose trust policy already allows the caller, gaining dynamodb:DeleteTable on every resource');
      expect(f?.description).toContain('It holds dynamodb:DeleteTable itself only on table/kiro-scratch-*; it reaches hub, and through it deploy, which holds it on every resource');
      expect(o.reach?.gains).toBe('destructive');
      expect(o.reach?.widened).toEqual(['dynamodb:DeleteTable']);
      expect(o.reach?.path?.to).toBe(DEPLOY);
      expect(o.reach?.path?.hops.map((h) => h.to)).toEqual([HUB, DEPLOY]);
      // The first hop is the one statement on the agent that closes the path: hub's session is not bounded by the agent's boundary.
      expect(o.guard).toMatchObject({ effect: 'Deny', action: ['sts:AssumeRole'], resource: [HUB] });
    });
  }

  it('hub holding the same scoped grant itself changes nothing: the widening is deploy\'s', () => {
    const o = outcome(world({ hub: [allow('sts:AssumeRole', DEPLOY), deleteTable(SCRATCH)], deploy: [deleteTable(TYPE_WIDE)] }));
    expect(o.escalation.map((f) => f.severity)).toEqual(['high']);
    expect(o.reach?.widened).toEqual(['dynamodb:DeleteTable']);
    expect(o.guard?.resource).toEqual([HUB]);
  });

  it('beside a role the agent assumes directly that holds it itself: both named, each as it holds it', () => {
    const spec = world({ deploy: [deleteTable(TYPE_WIDE)], agentAssume: allow('sts:AssumeRole', [HUB, arn(DEV, 'role', 'ops')]) });
    spec.roles!.push({ name: 'ops', trust: trust({ AWS: DEV }), inline: [doc(deleteTable('*'))] });
    const [f] = outcome(spec).escalation;
    expect(f?.description).toContain('it reaches ops, which holds it on every resource, and hub, and through it deploy, which holds it on every resource');
  });

  it('two hubs deep (hub → relay → deploy): still read', () => {
    const RELAY = arn(DEV, 'role', 'relay');
    const spec = world({ hub: [allow('sts:AssumeRole', RELAY)], deploy: [deleteTable(TYPE_WIDE)] });
    spec.roles!.push({ name: 'relay', trust: trust({ AWS: DEV }), inline: [doc(allow('sts:AssumeRole', DEPLOY))] });
    const o = outcome(spec);
    expect(o.escalation.map((f) => f.severity)).toEqual(['high']);
    expect(o.reach?.path?.hops.map((h) => h.to)).toEqual([HUB, RELAY, DEPLOY]);
    expect(o.guard?.resource).toEqual([HUB]);
  });

  it('the agent may assume any role that trusts the account (the graph\'s shared hop) and deploy trusts hub only: hub is guarded', () => {
    const o = outcome(world({ deploy: [deleteTable(TYPE_WIDE)], deployTrust: trust({ AWS: HUB }), agentAssume: allow('sts:AssumeRole', '*') }));
    expect(o.escalation.map((f) => f.severity)).toEqual(['high']);
    expect(o.guard?.resource).toEqual([HUB]);
  });

  it('a Condition on the hop leash cannot decide (aws:SourceIp in deploy\'s trust): still read, a step lower in the check (possible), guarded', () => {
    const o = outcome(world({ deploy: [deleteTable(TYPE_WIDE)], deployTrust: trust({ AWS: DEV }, { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }) }));
    expect(o.escalation.map((f) => f.severity)).toEqual(['medium']);
    expect(o.reach?.widened).toEqual(['dynamodb:DeleteTable']);
    expect(o.guard?.resource).toEqual([HUB]);
  });
});

/**
 * Session 43: the check and the summary compare with today (nothing widened), but the agent's
 * boundary takes its own delete (kiro-agent is trusted by EC2 alone: no approval can be met, so it
 * is denied outright), and deploy deleting any table with no approval gives it back: the guard,
 * which compares with the agent after its fix, denies hub. Behind an approval condition deploy
 * gives nothing more (expectNothing). test/fix/reach-guards-approval-gate.test.ts.
 */
function expectNothingTodayGuardAfter(o: Outcome): void {
  expect(o.escalation).toEqual([]);
  expect(o.reach?.gains).toBeUndefined();
  expect(o.reach?.widened).toBeUndefined();
  expect(o.guard?.resource).toEqual([HUB]);
}

describe('controls', () => {
  it('deploy scoped to the same pattern: nothing (behind approval); with no approval only the after-fix guard', () => {
    expectNothing(outcome(world({ deploy: [deleteTable(SCRATCH, MFA)] })));
    expectNothingTodayGuardAfter(outcome(world({ deploy: [deleteTable(SCRATCH)] })));
  });

  it('deploy on another service\'s type-wide pattern, or behind a Condition: nothing today (the strict rule); the guard after the fix as above', () => {
    expectNothingTodayGuardAfter(outcome(world({ deploy: [deleteTable('arn:aws:s3:::*')] })));
    expectNothingTodayGuardAfter(outcome(world({ deploy: [deleteTable(TYPE_WIDE, { Bool: { 'aws:SecureTransport': 'true' } })] })));
    expectNothing(outcome(world({ deploy: [deleteTable(TYPE_WIDE, MFA)] })));
  });

  it('hub cannot assume deploy: deploy\'s trust names a service only, or hub\'s policy does not allow it', () => {
    expectNothing(outcome(world({ deploy: [deleteTable(TYPE_WIDE)], deployTrust: trust({ Service: 'lambda.amazonaws.com' }) })));
    expectNothing(outcome(world({ hub: [allow('sts:AssumeRole', arn(DEV, 'role', 'reader'))], deploy: [deleteTable(TYPE_WIDE)] })));
  });

  it('a Condition on the hop that closes it (deploy\'s trust requires another caller\'s ARN): nothing', () => {
    const closed = trust({ AWS: DEV }, { ArnEquals: { 'aws:PrincipalArn': arn(DEV, 'role', 'ci-runner') } });
    expectNothing(outcome(world({ deploy: [deleteTable(TYPE_WIDE)], deployTrust: closed })));
  });

  it('the agent already deletes every table (`*` or `table/*`), and its fix keeps it so (the delete used with no table named): nothing', () => {
    const anyTable = [{ action: 'dynamodb:DeleteTable', resources: [] as string[] }];
    expectNothing(outcome(world({ own: [deleteTable('*')], deploy: [deleteTable(TYPE_WIDE, MFA)] }), anyTable));
    expectNothing(outcome(world({ own: [deleteTable(TYPE_WIDE)], deploy: [deleteTable(TYPE_WIDE, MFA)] }), anyTable));
    expectNothingTodayGuardAfter(outcome(world({ own: [deleteTable('*')], deploy: [deleteTable(TYPE_WIDE)] }), anyTable));
    // Session 42: with kiro-scratch-1 named, the right-sized fix keeps the delete on that table
    // only; the check and the summary (today) still see nothing, the guard (after the fix) denies hub.
    const scoped = outcome(world({ own: [deleteTable('*')], deploy: [deleteTable(TYPE_WIDE)] }));
    expect(scoped.escalation).toEqual([]);
    expect(scoped.guard?.resource).toEqual([HUB]);
  });

  it('the agent was seen assuming hub: the finding and summary stand, hub is not denied (the guards keep what usage shows; the fix on hub is hub\'s)', () => {
    const o = outcome(world({ deploy: [deleteTable(TYPE_WIDE)] }), [USED, { action: 'sts:AssumeRole', resources: [HUB] }]);
    expect(o.escalation.map((f) => f.severity)).toEqual(['high']);
    expect(o.reach?.widened).toEqual(['dynamodb:DeleteTable']);
    expect(o.guard).toBeUndefined();
  });
});

// deploy's statements from a pool (scoped first: fast-check favours the first constants).
const POOL: unknown[] = [
  deleteTable(table('kiro-tmp-*')), deleteTable(TYPE_WIDE), deleteTable('*'), allow('dynamodb:DescribeTable'),
  deleteTable(TYPE_WIDE, { Bool: { 'aws:SecureTransport': 'true' } }), allow('iam:DeleteRolePolicy', arn(DEV, 'role', 'kiro-*')), allow('iam:DeleteRolePolicy', arn(DEV, 'role', '*')),
];
const OWN: unknown[][] = [[deleteTable(SCRATCH)], [deleteTable(SCRATCH), allow('iam:DeleteRolePolicy', arn(DEV, 'role', 'kiro-agent'))], [deleteTable('*')]];
const rank = (o: Outcome) => Math.max(-1, ...o.escalation.map((f) => ['info', 'low', 'medium', 'high', 'critical'].indexOf(f.severity)));

describe('properties', () => {
  it('adding an Allow to deploy behind hub never lowers the finding, never takes a widened action out of the summary, never removes the guard', () => {
    let widened = 0;
    fc.assert(fc.property(fc.array(fc.constantFrom(...POOL), { maxLength: 2 }), fc.constantFrom(...POOL), fc.constantFrom(...OWN), (base, extra, own) => {
      const before = outcome(world({ own, deploy: base }));
      const after = outcome(world({ own, deploy: [...base, extra] }));
      expect(rank(after)).toBeGreaterThanOrEqual(rank(before));
      for (const x of before.reach?.widened ?? []) expect(after.reach?.widened ?? []).toContain(x);
      for (const r of (before.guard?.resource as string[] | undefined) ?? []) expect(after.guard?.resource ?? []).toContain(r);
      if (after.reach?.widened && after.escalation.some((f) => f.title.includes('on every resource'))) widened++;
    }), { numRuns: 20, examples: [[[], deleteTable(TYPE_WIDE), OWN[0]!]] });
    expect(widened).toBeGreaterThan(0);
  });
});
