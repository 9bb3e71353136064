// Reach guards compared with what the agent holds AFTER its right-sized fix (session 42). A role
// that gives nothing more than the agent's broad grant today (dynamodb:* on *) was not denied —
// but the right-sized fix then takes that grant away (GetItem on one table is all it used), and
// the agent gets it back by assuming the role. Through the real analysis with usage and fixes
// (export normaliser, effective stage, graph, checks, baseline, fix plans, verification); the
// "gets it back" is shown by applying the fix's documents to the export and scanning again.
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import type { Fix } from '../../src/model/fix.js';
import type { PolicyDocument, Statement } from '../../src/model/policy.js';
import { DEV, allow, arn, doc, snapshot, trust, type AccountSpec } from '../graph/accounts.js';
import { AGENT, MFA, account, agentUsage, deleteTable, table, withAgentFixApplied } from '../support/tier-scope.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: true };
const DEPLOY = arn(DEV, 'role', 'deploy');
const READER = arn(DEV, 'role', 'reader');
const GET_ORDERS = { action: 'dynamodb:GetItem', resources: [table('orders')] };
type Used = { action: string; resources?: string[] };

interface Planned { agentFixes: readonly Fix[]; boundary: Fix; guard: Statement | undefined }
function plan(spec: AccountSpec, used: Used[] = [GET_ORDERS]): Planned {
  const [a] = analyzeSnapshots([{ ...snapshot(spec), usage: agentUsage(used) }], defaultConfig(), opts);
  const agentFixes = a!.report.fixes.filter((f) => f.principalArn === AGENT);
  const boundary = agentFixes.find((f) => f.kind === 'permissions-boundary');
  expect(boundary, 'the agent gets a boundary fix').toBeDefined();
  return { agentFixes, boundary: boundary!, guard: docOf(boundary!).statements.find((s) => s.sid === 'NoUnusedRoleHops') };
}
const docOf = (f: Fix) => f.after as unknown as PolicyDocument;

/**
 * The export with the agent's fixes applied (its inline policy replaced by the right-sized one,
 * the boundary attached), scanned again: does the agent still reach a destructive action through
 * `role` (the graph's assume hop, and the agent-reaches-destructive finding naming the role)?
 */
function reachesAfterApplying(spec: AccountSpec, p: Planned, role: string, destructive = true): boolean {
  const [a] = analyzeSnapshots([snapshot(withAgentFixApplied(spec, p.agentFixes, p.boundary))], defaultConfig(), { ...opts, fixes: false });
  const name = role.slice(role.lastIndexOf('/') + 1);
  const hop = (a!.graph.built.out[a!.graph.node(AGENT)!.index] ?? []).some((e) => e.technique === 'sts-assume-permissive-role' && e.to === role);
  const finding = a!.report.findings.some((f) => f.principalArn === AGENT && f.checkId === 'agent-reaches-destructive' && f.title.includes(`through ${name}`));
  if (destructive) expect(finding, 'the finding agrees with the graph').toBe(hop);
  return hop;
}

/** The plan with NoUnusedRoleHops taken out of the agent's boundary (what leash wrote before session 42 here). */
function withoutHopGuard(p: Planned): Planned {
  const d = docOf(p.boundary);
  return { ...p, boundary: { ...p.boundary, after: { ...d, statements: d.statements.filter((s) => s.sid !== 'NoUnusedRoleHops') } } as Fix };
}

/** The agent: dynamodb:* on every table, and sts:AssumeRole on the given roles; each role trusts the account. */
const broad = (roles: Record<string, unknown[]>, own: unknown[] = [allow('dynamodb:*')]) => account(own, roles);

describe('guards compare with the agent after its right-sized fix', () => {
  it('dynamodb:* today, GetItem used: deploy (DeleteTable on every table) gives nothing more today, but more than the fix leaves — denied, verified', () => {
    const p = plan(broad({ deploy: [allow('dynamodb:DeleteTable')] }));
    expect(p.guard).toMatchObject({ effect: 'Deny', action: ['sts:AssumeRole'], resource: [DEPLOY] });
    for (const f of p.agentFixes) expect(f.verification, f.kind).toMatchObject({ safe: true });
  });

  it('the fix applied to the brief\'s world: the agent does not reach deploy either way (the boundary\'s AllowNeeded leaves out sts:AssumeRole, never used)', () => {
    const spec = broad({ deploy: [allow('dynamodb:DeleteTable')] });
    const p = plan(spec);
    expect(docOf(p.boundary).statements.find((s) => s.sid === 'AllowNeeded')?.action).not.toContain('sts:AssumeRole');
    expect(reachesAfterApplying(spec, p, DEPLOY)).toBe(false);
    expect(reachesAfterApplying(spec, withoutHopGuard(p), DEPLOY)).toBe(false);
  });

  it('seen assuming reader, deploy trusting the agent by name: with the fix applied the agent gets DeleteTable back through deploy unless the boundary denies the hop', () => {
    const spec = account([allow('dynamodb:*')], {}, {
      assume: allow('sts:AssumeRole', READER),
      extraRoles: [
        { name: 'reader', trust: trust({ AWS: DEV }), inline: [doc(allow('dynamodb:DescribeTable'))] },
        { name: 'deploy', trust: trust({ AWS: AGENT }), inline: [doc(allow('dynamodb:DeleteTable'))] },
      ],
    });
    const p = plan(spec, [GET_ORDERS, { action: 'sts:AssumeRole', resources: [READER] }]);
    expect(p.guard?.resource).toEqual([DEPLOY]);
    for (const f of p.agentFixes) expect(f.verification, f.kind).toMatchObject({ safe: true });
    expect(reachesAfterApplying(spec, p, DEPLOY)).toBe(false);
    // Control: the same fix without its NoUnusedRoleHops statement leaves the hop open.
    expect(reachesAfterApplying(spec, withoutHopGuard(p), DEPLOY)).toBe(true);
    // …and the reader hop the agent uses stays open with the guard in place.
    expect(reachesAfterApplying(spec, p, READER, false)).toBe(true);
  });

  it('a wide grant the fix scopes to the table used: DeleteTable on * today, kiro-scratch-1 used; deploy on every table widens it after the fix — denied', () => {
    const p = plan(account([deleteTable('*')], { deploy: [deleteTable('*')] }), [{ action: 'dynamodb:DeleteTable', resources: [table('kiro-scratch-1')] }]);
    expect(p.guard?.resource).toEqual([DEPLOY]);
  });

  it('the hop-chain pass too: agent seen assuming hub, hub never assuming deploy, deploy gives nothing more than dynamodb:* today — hub\'s boundary denies deploy', () => {
    const HUB = arn(DEV, 'role', 'hub');
    const spec = account([allow('dynamodb:*')], {}, {
      assume: allow('sts:AssumeRole', HUB),
      extraRoles: [
        { name: 'hub', trust: trust({ AWS: DEV }), inline: [doc(allow('sts:AssumeRole', DEPLOY), allow('dynamodb:DescribeTable'))] },
        { name: 'deploy', trust: trust({ AWS: DEV }), inline: [doc(allow('dynamodb:DeleteTable'))] },
      ],
    });
    const agentOnly = agentUsage([GET_ORDERS, { action: 'sts:AssumeRole', resources: [HUB] }]);
    const hubUsage = { ...agentOnly.byPrincipal[AGENT]!, principalArn: HUB, actions: [{ action: 'dynamodb:DescribeTable', count: 1, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-02T00:00:00Z', resources: [] }] };
    const u = { ...agentOnly, byPrincipal: { ...agentOnly.byPrincipal, [HUB]: hubUsage } };
    const [a] = analyzeSnapshots([{ ...snapshot(spec), usage: u }], defaultConfig(), opts);
    const hubFix = a!.report.fixes.find((f) => f.principalArn === HUB && f.kind === 'permissions-boundary');
    expect(docOf(hubFix!).statements.find((s) => s.sid === 'NoUnusedRoleHops')?.resource).toEqual([DEPLOY]);
    expect(hubFix!.verification).toMatchObject({ safe: true, status: 'verified' });
    const agentNotes = a!.report.fixes.find((f) => f.principalArn === AGENT && f.kind === 'permissions-boundary')!.notes;
    expect(agentNotes.some((n) => n.includes('kiro-agent → hub → deploy') && n.includes('closed by hub\'s own permissions boundary'))).toBe(true);
  });
});

describe('controls', () => {
  it('a role giving only what the fix keeps (GetItem on the table used; a lateral read) is not denied', () => {
    expect(plan(broad({ reader: [allow('dynamodb:GetItem', table('orders'))] })).guard).toBeUndefined();
    expect(plan(broad({ reader: [allow('dynamodb:DescribeTable')] })).guard).toBeUndefined();
  });

  it('beside deploy, only deploy is denied', () => {
    expect(plan(broad({ deploy: [allow('dynamodb:DeleteTable')], reader: [allow('dynamodb:GetItem', table('orders'))] })).guard?.resource).toEqual([DEPLOY]);
  });

  it('a user agent whose group grants dynamodb:* (group policies stay after its fix, capped by the boundary): deploy gives DeleteTable back — denied', () => {
    const USER = arn(DEV, 'user', 'kiro-bot');
    const spec: AccountSpec = {
      users: [{ name: 'kiro-bot', tags: { 'ai-agent': 'true' }, groups: ['builders'], inline: [doc(allow('sts:AssumeRole', DEPLOY), allow('dynamodb:GetItem'))] }],
      groups: [{ name: 'builders', inline: [doc(allow('dynamodb:*'))] }],
      roles: [{ name: 'deploy', trust: trust({ AWS: DEV }), inline: [doc(allow('dynamodb:DeleteTable'))] }],
    };
    const u = agentUsage([GET_ORDERS]);
    const usage = { ...u, byPrincipal: { [USER]: { ...u.byPrincipal[AGENT]!, principalArn: USER } } };
    const guardOf = (x: AccountSpec) => {
      const [a] = analyzeSnapshots([{ ...snapshot(x), usage }], defaultConfig(), opts);
      const b = a!.report.fixes.find((f) => f.principalArn === USER && f.kind === 'permissions-boundary');
      expect(b, 'the user agent gets a boundary fix').toBeDefined();
      return docOf(b!).statements.find((s) => s.sid === 'NoUnusedRoleHops');
    };
    // Session 43: the group policies stay, but the boundary's AllowNeeded caps them to the need
    // (GetItem), so the user no longer holds DeleteTable after its fix: deploy gives it back.
    expect(guardOf(spec)?.resource).toEqual([DEPLOY]);
    // Control: deploy only describes tables (lateral, "other"): not denied.
    expect(guardOf({ ...spec, roles: [{ name: 'deploy', trust: trust({ AWS: DEV }), inline: [doc(allow('dynamodb:DescribeTable'))] }] })).toBeUndefined();
    // The same grant in the user's own policy (which the fix replaces): deploy is denied.
    const own: AccountSpec = { ...spec, users: [{ ...spec.users![0]!, groups: [], inline: [doc(allow('sts:AssumeRole', DEPLOY), allow('dynamodb:*'))] }], groups: [] };
    expect(guardOf(own)?.resource).toEqual([DEPLOY]);
  });

  it('the agent may assume itself (it trusts its account, sts:AssumeRole on *): never denied on itself, though its reach reads today\'s policies', () => {
    const spec = account([allow('dynamodb:*')], { deploy: [allow('dynamodb:DeleteTable')] }, { assume: allow('sts:AssumeRole', '*') });
    spec.roles![0]!.trust = trust({ AWS: DEV });
    expect(plan(spec).guard?.resource).toEqual([DEPLOY]);
  });

  it('the agent was seen assuming deploy: not denied, though it gives more than the fix leaves', () => {
    expect(plan(broad({ deploy: [allow('dynamodb:DeleteTable')] }), [GET_ORDERS, { action: 'sts:AssumeRole', resources: [DEPLOY] }]).guard).toBeUndefined();
  });

  it('the delete used with no resource named (the fix keeps it on every table, its boundary outright denies it): deploy\'s delete behind approval gives nothing more — not denied', () => {
    // Session 43: ungated, deploy gives back what the boundary takes (test/fix/reach-guards-approval-gate.test.ts).
    expect(plan(account([deleteTable('*')], { deploy: [deleteTable('*', MFA)] }), [{ action: 'dynamodb:DeleteTable' }]).guard).toBeUndefined();
  });

  it('no right-sized policy (an engineer\'s own Identity Center role an agent drives keeps what it has): today\'s comparison, and the boundary fix says so', () => {
    const SSO = 'AWSReservedSSO_Dev_0123456789abcdef';
    const spec = broad({ deploy: [allow('dynamodb:DeleteTable')] });
    spec.roles![0] = { ...spec.roles![0]!, name: SSO, trust: trust({ AWS: DEV }) };
    const arnOf = arn(DEV, 'role', SSO);
    const u = agentUsage([GET_ORDERS]);
    const usage = { ...u, byPrincipal: { [arnOf]: { ...u.byPrincipal[AGENT]!, principalArn: arnOf } } };
    const [a] = analyzeSnapshots([{ ...snapshot(spec), usage }], defaultConfig(), opts);
    const fixes = a!.report.fixes.filter((f) => f.principalArn === arnOf);
    const b = fixes.find((f) => f.kind === 'permissions-boundary');
    expect(b, 'the engineer\'s role driven by an agent gets a boundary fix').toBeDefined();
    expect(fixes.some((f) => f.kind === 'replace-policy')).toBe(false);
    expect(docOf(b!).statements.some((s) => s.sid === 'NoUnusedRoleHops')).toBe(false);
    expect(b!.notes.find((n) => n.startsWith('NoUnusedRoleHops compares'))).toContain("an engineer's own role keeps what it has");
    // Control: the agent with a right-sized policy gets no such note.
    expect(plan(broad({ deploy: [allow('dynamodb:DeleteTable')] })).boundary.notes.some((n) => n.startsWith('NoUnusedRoleHops compares'))).toBe(false);
  });

  it('no usage covering the agent: no guard at all (unknown is not unused), as before', () => {
    const spec = broad({ deploy: [allow('dynamodb:DeleteTable')] });
    const u = agentUsage([GET_ORDERS]);
    const [a] = analyzeSnapshots([{ ...snapshot(spec), usage: { ...u, coveredPrincipals: [] } }], defaultConfig(), opts);
    const b = a!.report.fixes.find((f) => f.principalArn === AGENT && f.kind === 'permissions-boundary')!;
    expect(docOf(b).statements.some((s) => s.sid === 'NoUnusedRoleHops')).toBe(false);
  });
});
