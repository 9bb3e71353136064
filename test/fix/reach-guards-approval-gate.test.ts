// Session 43: an approval gate the agent's new boundary adds must not be walked around through a
// role. After its fix the agent may delete tables only when approval condition mfa-present holds
// (the boundary's NeedsApproval deny); a role it may assume that deletes tables with no approval
// would let it skip the human. The reach guards count what the boundary gates as not held: such a
// role is denied (NoUnusedRoleHops) when the agent never assumed it, and the hop is gated on the
// same approval (GatedRoleHops) when it did. Through the real analysis (export normaliser, usage,
// effective stage, graph, checks, fix plans, verification); "walked around" is shown by applying
// the fix's documents to the export and scanning again, as reach-guards-after-fix.test.ts does.
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import type { Fix } from '../../src/model/fix.js';
import type { PolicyDocument, Statement } from '../../src/model/policy.js';
import { DEV, allow, arn, deny, doc, snapshot, trust, type AccountSpec } from '../graph/accounts.js';
import { AGENT, MFA, account, agentUsage, deleteTable, table, withAgentFixApplied } from '../support/tier-scope.js';
import approvalData from '../../src/data/approval-conditions.json' with { type: 'json' };

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: true };
const DEPLOY = arn(DEV, 'role', 'deploy');
const READER = arn(DEV, 'role', 'reader');
const HUB = arn(DEV, 'role', 'hub');
const GET_ORDERS = { action: 'dynamodb:GetItem', resources: [table('orders')] };
/** The agent's own delete, with no table named: the right-sized policy keeps it on every table, the boundary gates it. */
const DELETE = { action: 'dynamodb:DeleteTable' };
const MFA_PRESENT = approvalData.conditions.find((c) => c.id === 'mfa-present')!;
type Used = { action: string; resources?: string[] };

/** kiro-agent trusted by its account (a human can assume it with MFA: mfa-present is meetable), dynamodb:* and sts:AssumeRole on the roles. */
function gatedWorld(roles: Record<string, unknown[]>, more: Parameters<typeof account>[2] = {}): AccountSpec {
  const spec = account([allow('dynamodb:*')], roles, more);
  spec.roles![0]!.trust = trust({ AWS: DEV });
  return spec;
}

interface Planned { agentFixes: readonly Fix[]; boundary: Fix; deny: Statement | undefined; gate: Statement | undefined; notes: readonly string[] }
function plan(spec: AccountSpec, used: Used[] = [GET_ORDERS, DELETE], usage = agentUsage(used)): Planned {
  const [a] = analyzeSnapshots([{ ...snapshot(spec), usage }], defaultConfig(), opts);
  const agentFixes = a!.report.fixes.filter((f) => f.principalArn === AGENT);
  const boundary = agentFixes.find((f) => f.kind === 'permissions-boundary');
  expect(boundary, 'the agent gets a boundary fix').toBeDefined();
  const st = docOf(boundary!).statements;
  return { agentFixes, boundary: boundary!, deny: st.find((s) => s.sid === 'NoUnusedRoleHops'), gate: st.find((s) => s.sid === 'GatedRoleHops'), notes: boundary!.notes };
}
const docOf = (f: Fix) => f.after as unknown as PolicyDocument;
const skipNotes = (p: Planned) => p.notes.filter((n) => n.includes('with no approval'));

/**
 * The export with the agent's fixes applied, scanned again: the agent's assume edge to `role`
 * (undefined: none) and whether its own DeleteTable is held with no approval.
 */
function afterApplying(spec: AccountSpec, p: Planned): { hop: (role: string) => string | undefined; deletesUngated: boolean } {
  const [a] = analyzeSnapshots([snapshot(withAgentFixApplied(spec, p.agentFixes, p.boundary))], defaultConfig(), { ...opts, fixes: false });
  const g = a!.graph;
  const node = g.node(AGENT)!;
  const id = g.built.expander.catalog.lookup('dynamodb:DeleteTable')!.id;
  // The assume edge's condition: 'none' (the agent alone takes it), 'approval' (only with a human), undefined (no edge).
  const hop = (role: string) => (g.built.out[node.index] ?? []).find((e) => e.technique === 'sts-assume-permissive-role' && e.to === role)?.condition;
  return { hop, deletesUngated: node.power.unconditional.has(id) };
}

function without(p: Planned, sid: string): Planned {
  const d = docOf(p.boundary);
  return { ...p, boundary: { ...p.boundary, after: { ...d, statements: d.statements.filter((s) => s.sid !== sid) } } as Fix };
}

describe('an action the fix keeps only behind approval is not held when roles are compared', () => {
  it('the brief: the agent deletes tables only with approval after its fix; deploy deletes with none — denied, and the fix says why', () => {
    const p = plan(gatedWorld({ deploy: [allow('dynamodb:DeleteTable')] }));
    // The boundary does gate the agent's own delete (NeedsApproval under mfa-present's denyWhen).
    const gateSt = docOf(p.boundary).statements.find((s) => s.sid === 'NeedsApproval');
    expect(gateSt?.condition).toEqual(MFA_PRESENT.denyWhen);
    expect(p.deny).toMatchObject({ effect: 'Deny', action: ['sts:AssumeRole'], resource: [DEPLOY] });
    expect(p.gate).toBeUndefined();
    expect(skipNotes(p)).toEqual([expect.stringContaining('NoUnusedRoleHops denies deploy because it holds dynamodb:DeleteTable with no approval, which after this fix kiro-agent may do only when approval condition mfa-present holds')]);
    for (const f of p.agentFixes) expect(f.verification, f.kind).toMatchObject({ safe: true });
    expect(p.boundary.verification.status).toBe('verified');
  });

  it('scanned again with the fix applied (seen assuming reader, deploy trusting the agent by name): the ungated delete through deploy is gone; without the deny it is there', () => {
    const spec = gatedWorld({}, {
      assume: allow('sts:AssumeRole', READER),
      extraRoles: [
        { name: 'reader', trust: trust({ AWS: DEV }), inline: [doc(allow('dynamodb:DescribeTable'))] },
        { name: 'deploy', trust: trust({ AWS: AGENT }), inline: [doc(allow('dynamodb:DeleteTable'))] },
      ],
    });
    const p = plan(spec, [GET_ORDERS, DELETE, { action: 'sts:AssumeRole', resources: [READER] }]);
    expect(p.deny?.resource).toEqual([DEPLOY]);
    const applied = afterApplying(spec, p);
    // The agent's own delete needs approval after the fix…
    expect(applied.deletesUngated).toBe(false);
    // …and deploy is no longer a way around it; the reader hop it uses stays.
    expect(applied.hop(DEPLOY)).toBeUndefined();
    expect(applied.hop(READER)).toBe('none');
    // Control: the same fix without its NoUnusedRoleHops statement (what leash wrote before session 43 here).
    expect(afterApplying(spec, without(p, 'NoUnusedRoleHops')).hop(DEPLOY)).toBe('none');
  });

  it('the agent was seen assuming deploy: not denied (a used hop), but gated on the same approval (GatedRoleHops), verified with the hop counted as gated', () => {
    const spec = gatedWorld({ deploy: [allow('dynamodb:DeleteTable')] });
    spec.roles!.find((r) => r.name === 'deploy')!.trust = trust({ AWS: AGENT });
    const p = plan(spec, [GET_ORDERS, DELETE, { action: 'sts:AssumeRole', resources: [DEPLOY] }]);
    expect(p.deny).toBeUndefined();
    expect(p.gate).toEqual({ index: expect.any(Number), sid: 'GatedRoleHops', effect: 'Deny', action: ['sts:AssumeRole'], resource: [DEPLOY], condition: MFA_PRESENT.denyWhen });
    expect(p.notes.some((n) => n.startsWith('GatedRoleHops: kiro-agent was seen assuming deploy, so leash does not deny that hop, but deploy holds dynamodb:DeleteTable with no approval'))).toBe(true);
    expect(p.boundary.verification).toMatchObject({ safe: true, status: 'verified' });
    expect(p.boundary.verification.observedCallsGated).toContain(`sts:AssumeRole on ${DEPLOY}`);
    // Scanned again: the hop is there only with the approval; without GatedRoleHops the agent takes it alone.
    expect(afterApplying(spec, p).hop(DEPLOY)).toBe('approval');
    expect(afterApplying(spec, without(p, 'GatedRoleHops')).hop(DEPLOY)).toBe('none');
  });

  it('the chain pass: seen assuming hub, hub never assuming deploy, deploy deletes with no approval — hub\'s boundary denies deploy, the agent\'s fix says why hub is left', () => {
    const spec = gatedWorld({}, {
      assume: allow('sts:AssumeRole', HUB),
      extraRoles: [
        { name: 'hub', trust: trust({ AWS: DEV }), inline: [doc(allow('sts:AssumeRole', DEPLOY), allow('dynamodb:DescribeTable'))] },
        { name: 'deploy', trust: trust({ AWS: DEV }), inline: [doc(allow('dynamodb:DeleteTable'))] },
      ],
    });
    const { hubFix, agent } = chain(spec);
    expect(docOf(hubFix!).statements.find((s) => s.sid === 'NoUnusedRoleHops')?.resource).toEqual([DEPLOY]);
    expect(hubFix!.verification).toMatchObject({ safe: true, status: 'verified' });
    expect(agent.gate).toBeUndefined();
    expect(agent.notes.some((n) => n.includes('kiro-agent → hub → deploy') && n.includes("closed by hub's own permissions boundary"))).toBe(true);
    expect(agent.notes.some((n) => n.startsWith('Approval skipped through hub stays open') && n.includes('reaches, through the roles it may assume, dynamodb:DeleteTable with no approval'))).toBe(true);
  });
});

/** The agent seen assuming hub; hub's usage covers the window and shows only DescribeTable. */
function chain(spec: AccountSpec): { hubFix: Fix | undefined; agent: Planned } {
  const agentOnly = agentUsage([GET_ORDERS, DELETE, { action: 'sts:AssumeRole', resources: [HUB] }]);
  const hubUsage = { ...agentOnly.byPrincipal[AGENT]!, principalArn: HUB, actions: [{ action: 'dynamodb:DescribeTable', count: 1, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-02T00:00:00Z', resources: [] }] };
  const u = { ...agentOnly, byPrincipal: { ...agentOnly.byPrincipal, [HUB]: hubUsage } };
  const [a] = analyzeSnapshots([{ ...snapshot(spec), usage: u }], defaultConfig(), opts);
  return { hubFix: a!.report.fixes.find((f) => f.principalArn === HUB && f.kind === 'permissions-boundary'), agent: plan(spec, [], u) };
}

describe('controls', () => {
  it('deploy\'s delete gated by the same approval condition (its Allow needs MFA, or a Deny unless MFA): not more — neither denied nor gated, no note', () => {
    for (const used of [[GET_ORDERS, DELETE], [GET_ORDERS, DELETE, { action: 'sts:AssumeRole', resources: [DEPLOY] }]]) {
      const viaAllow = plan(gatedWorld({ deploy: [deleteTable('*', MFA)] }), used);
      const viaDeny = plan(gatedWorld({ deploy: [allow('dynamodb:DeleteTable'), deny('dynamodb:DeleteTable', '*', MFA_PRESENT.denyWhen)] }), used);
      for (const p of [viaAllow, viaDeny]) {
        expect(p.deny).toBeUndefined();
        expect(p.gate).toBeUndefined();
        expect(skipNotes(p)).toEqual([]);
      }
    }
  });

  it('deploy grants nothing the gate covers (a lateral read, the GetItem the agent keeps): not denied, not gated', () => {
    for (const st of [allow('dynamodb:DescribeTable'), allow('dynamodb:GetItem', table('orders'))]) {
      for (const used of [[GET_ORDERS, DELETE], [GET_ORDERS, DELETE, { action: 'sts:AssumeRole', resources: [DEPLOY] }]]) {
        const p = plan(gatedWorld({ deploy: [st] }), used);
        expect(p.deny).toBeUndefined();
        expect(p.gate).toBeUndefined();
        expect(skipNotes(p)).toEqual([]);
      }
    }
  });

  it('an agent whose fix gates nothing (GetItem used only): the session-42 guard, unchanged — deploy denied as giving more, no approval note, no gate', () => {
    const p = plan(gatedWorld({ deploy: [allow('dynamodb:DeleteTable')], reader: [allow('dynamodb:GetItem', table('orders'))] }), [GET_ORDERS]);
    expect(p.deny?.resource).toEqual([DEPLOY]);
    expect(p.gate).toBeUndefined();
    expect(skipNotes(p)).toEqual([]);
    // Seen assuming deploy: left open as before (nothing of it is gated by this boundary).
    const seen = plan(gatedWorld({ deploy: [allow('dynamodb:DeleteTable')] }), [GET_ORDERS, { action: 'sts:AssumeRole', resources: [DEPLOY] }]);
    expect(seen.deny).toBeUndefined();
    expect(seen.gate).toBeUndefined();
  });

  it('no approval this agent can meet (trusted by EC2 alone): the delete is denied outright — deploy never assumed is denied and the note says outright; seen assuming it, no gate (it could never be met), the note says it stays open', () => {
    const never = plan(account([allow('dynamodb:*')], { deploy: [allow('dynamodb:DeleteTable')] }));
    expect(never.deny?.resource).toEqual([DEPLOY]);
    expect(skipNotes(never)).toEqual([expect.stringContaining('which this boundary denies kiro-agent outright')]);
    const seen = plan(account([allow('dynamodb:*')], { deploy: [allow('dynamodb:DeleteTable')] }), [GET_ORDERS, DELETE, { action: 'sts:AssumeRole', resources: [DEPLOY] }]);
    expect(seen.deny).toBeUndefined();
    expect(seen.gate).toBeUndefined();
    expect(seen.notes.some((n) => n.startsWith('Approval skipped through deploy stays open') && n.includes('leash does not deny a hop it used'))).toBe(true);
  });

  it('the chain pass: deploy\'s delete behind approval gives nothing more — no hub fix, no approval note', () => {
    const spec = gatedWorld({}, {
      assume: allow('sts:AssumeRole', HUB),
      extraRoles: [
        { name: 'hub', trust: trust({ AWS: DEV }), inline: [doc(allow('sts:AssumeRole', DEPLOY), allow('dynamodb:DescribeTable'))] },
        { name: 'deploy', trust: trust({ AWS: DEV }), inline: [doc(deleteTable('*', MFA))] },
      ],
    });
    const { hubFix, agent } = chain(spec);
    expect(hubFix).toBeUndefined();
    expect(skipNotes(agent)).toEqual([]);
  });

  it('a hostile role name reaches the notes escaped', () => {
    const name = 'deploy\u001b[31m\nX';
    const spec = gatedWorld({ [name]: [allow('dynamodb:DeleteTable')] });
    const p = plan(spec);
    const n = skipNotes(p)[0]!;
    expect(n).toContain('NoUnusedRoleHops denies deploy');
    expect(n).not.toMatch(/[\u001b\n]/);
  });
});
