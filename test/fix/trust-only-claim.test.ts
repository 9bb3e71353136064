// Session 44: which of an agent's fixes claim its trust-only escalation (privilege-escalation's
// `sts-assume-permissive-role` with no sts:AssumeRole of its own: a same-account trust names its
// user ARN, role ARN, a session of it, or anyone). A fix claims it exactly when, applied, it
// closes every hop the finding is about: an explicit Deny of sts:AssumeRole on the role
// (NoUnusedRoleHops), a hop gated on the approval (GatedRoleHops, as the agent's own gated
// actions count), or — for a trust naming the caller's role ARN only — the boundary leaving
// sts:AssumeRole unallowed ("Resource-based policies that grant permissions to an IAM role ARN are
// limited by an implicit deny in a permissions boundary"). A user's ARN, a session of it and `*`
// are not limited by a boundary's implicit deny (reference_policies_evaluation-logic_policy-eval-denyallow.html).
// Each claim is checked by applying the fix to the export and scanning again.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import type { Finding } from '../../src/model/finding.js';
import type { Fix } from '../../src/model/fix.js';
import type { Report } from '../../src/model/report.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import type { UsageData } from '../../src/model/usage.js';
import { policyToJson } from '../../src/iam/parse.js';
import { ADMIN, DEV, allow, arn, doc, snapshot, trust, type AccountSpec, type Doc } from '../graph/accounts.js';
import { sharedFixture, sharedFixturesPresent, SKIP_REASON } from '../support/fixtures.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const TECH = 'sts-assume-permissive-role';
const AGENT = arn(DEV, 'role', 'agent');
const TARGET = arn(DEV, 'role', 'target');
const ORDERS = `arn:aws:dynamodb:us-east-1:${DEV}:table/orders`;
const OWN = doc(allow('dynamodb:GetItem', ORDERS));
const SESSION = `arn:aws:sts::${DEV}:assumed-role/agent/run-1`;

type Used = { action: string; resources?: string[] };
function usageOf(who: string, used: Used[]): UsageData {
  return {
    window: { start: '2026-08-26T00:00:00Z', end: '2026-11-24T00:00:00Z' }, coveredPrincipals: 'all', recordsRead: 100, dataEventsRead: 40, unmapped: [],
    byPrincipal: { [who]: { principalArn: who, actions: used.map((u) => ({ action: u.action, count: 5, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T09:00:00Z', resources: u.resources ?? [] })), sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' } },
  };
}
const GET: Used = { action: 'dynamodb:GetItem', resources: [ORDERS] };

function scan(spec: AccountSpec, usage: UsageData | undefined, fixes: boolean): Report {
  const s = snapshot(spec);
  return analyzeSnapshots([usage ? { ...s, usage } : s], defaultConfig(), { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes })[0]!.report;
}
const escOf = (r: Report, who: string) => r.findings.filter((f) => f.principalArn === who && f.checkId === 'privilege-escalation' && f.technique === TECH);
const claimers = (r: Report, f: Finding) => r.fixes.filter((x) => x.resolves.includes(f.id)).map((x) => x.kind).sort();
const docOf = (f: Fix) => f.after as unknown as PolicyDocument;

interface Planned { report: Report; finding: Finding; fixes: readonly Fix[]; boundary: Fix }
function plan(spec: AccountSpec, who: string, usage?: UsageData): Planned {
  const report = scan(spec, usage, true);
  const esc = escOf(report, who);
  expect(esc, 'one trust-only finding').toHaveLength(1);
  const fixes = report.fixes.filter((f) => f.principalArn === who);
  const boundary = fixes.find((f) => f.kind === 'permissions-boundary');
  expect(boundary, 'a boundary fix').toBeDefined();
  return { report, finding: esc[0]!, fixes, boundary: boundary! };
}

/** The export with the principal's right-sized policy (when planned) as its only inline policy and its boundary attached. */
function applied(spec: AccountSpec, who: string, p: Planned, boundary: Fix = p.boundary): AccountSpec {
  const out: AccountSpec = structuredClone(spec);
  const name = who.slice(who.lastIndexOf('/') + 1);
  const x = [...(out.roles ?? []), ...(out.users ?? [])].find((r) => r.name === name)!;
  const rightSized = p.fixes.find((f) => f.kind === 'replace-policy');
  if (rightSized) x.inline = (Array.isArray(rightSized.after) ? rightSized.after : [rightSized.after]).map((d) => policyToJson(d as never) as Doc);
  x.boundary = 'leash-boundary';
  out.policies = { ...(out.policies ?? {}), 'leash-boundary': policyToJson(boundary.after as never) as Doc };
  return out;
}
const without = (f: Fix, sid: string): Fix => ({ ...f, after: { ...docOf(f), statements: docOf(f).statements.filter((s) => s.sid !== sid) } } as Fix);
/** Scanned again: the principal's trust-only findings (privilege-escalation of the technique). */
const rescan = (spec: AccountSpec, who: string) => escOf(scan(spec, undefined, false), who);

const agentWorld = (targetTrust: Doc, targetPower: Doc = ADMIN, own: Doc[] = [OWN]): AccountSpec => ({
  roles: [
    { name: 'agent', trust: trust({ Service: 'ec2.amazonaws.com' }), tags: { 'ai-agent': 'true' }, inline: own },
    { name: 'target', trust: targetTrust, inline: [targetPower] },
  ],
});

describe('claimed: the fix, applied, closes the hop', () => {
  it("the agent's role ARN, never assumed: NoUnusedRoleHops denies it and every fix claims the finding; applied, it is gone — and the boundary's implicit deny alone closes it too (a role ARN is limited by the boundary)", () => {
    const spec = agentWorld(trust({ AWS: AGENT }));
    const p = plan(spec, AGENT, usageOf(AGENT, [GET]));
    expect(docOf(p.boundary).statements.find((s) => s.sid === 'NoUnusedRoleHops')?.resource).toEqual([TARGET]);
    // No session policy: only EC2 assumes the agent (nobody passes one).
    expect(claimers(p.report, p.finding)).toEqual(['permissions-boundary', 'replace-policy']);
    expect([...p.finding.fixIds].sort()).toEqual(p.fixes.filter((x) => x.kind !== 'trust-policy' && x.kind !== 'max-session-duration').map((x) => x.id).sort());
    for (const f of p.fixes.filter((x) => x.countsAfter)) expect(f.countsAfter!.escalationTechniques, f.kind).toBe(0);
    expect(rescan(applied(spec, AGENT, p), AGENT)).toEqual([]);
    expect(rescan(applied(spec, AGENT, p, without(p.boundary, 'NoUnusedRoleHops')), AGENT)).toEqual([]);
    // Control: the boundary not applied (the export as it was): still there.
    expect(rescan(spec, AGENT)).toHaveLength(1);
  });

  it('an agent people assume too (a session policy is planned): its session policy claims the finding as well', () => {
    const spec = agentWorld(trust({ AWS: AGENT }));
    spec.roles![0]!.trust = trust({ AWS: DEV });
    const p = plan(spec, AGENT, usageOf(AGENT, [GET]));
    expect(claimers(p.report, p.finding)).toEqual(['permissions-boundary', 'replace-policy', 'session-policy']);
  });

  it('a session of the agent named, and `{"AWS": "*"}`: claimed (NoUnusedRoleHops is an explicit Deny); applied, gone; without that Deny, still there (a boundary does not limit them)', () => {
    for (const t of [trust({ AWS: SESSION }), trust({ AWS: '*' })]) {
      const spec = agentWorld(t);
      const p = plan(spec, AGENT, usageOf(AGENT, [GET]));
      const what = JSON.stringify(t.Statement);
      expect(claimers(p.report, p.finding), what).toEqual(['permissions-boundary', 'replace-policy']);
      expect(rescan(applied(spec, AGENT, p), AGENT), what).toEqual([]);
      expect(rescan(applied(spec, AGENT, p, without(p.boundary, 'NoUnusedRoleHops')), AGENT), what).toHaveLength(1);
    }
  });
});

describe('claimed when gated: a used hop to a role that skips the approval (GatedRoleHops)', () => {
  it('the agent (a human can assume it with MFA) deletes tables only with approval after its fix; target (trusting its role ARN, administrator) was used: the hop is gated, the finding claimed; applied, the hop needs the approval', () => {
    const spec = agentWorld(trust({ AWS: AGENT }), ADMIN, [doc(allow('dynamodb:*'))]);
    spec.roles![0]!.trust = trust({ AWS: DEV });
    const p = plan(spec, AGENT, usageOf(AGENT, [GET, { action: 'dynamodb:DeleteTable' }, { action: 'sts:AssumeRole', resources: [TARGET] }]));
    const st = docOf(p.boundary).statements;
    expect(st.find((s) => s.sid === 'GatedRoleHops')?.resource).toEqual([TARGET]);
    expect(claimers(p.report, p.finding)).toContain('permissions-boundary');
    const [again] = analyzeSnapshots([snapshot(applied(spec, AGENT, p))], defaultConfig(), { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false });
    const node = again!.graph.node(AGENT)!;
    expect(again!.graph.built.out[node.index]!.find((e) => e.technique === TECH && e.to === TARGET)?.condition).toBe('approval');
    // Control: without GatedRoleHops the hop is open to the agent alone, and nothing claims it.
    const [open] = analyzeSnapshots([snapshot(applied(spec, AGENT, p, without(p.boundary, 'GatedRoleHops')))], defaultConfig(), { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false });
    const n2 = open!.graph.node(AGENT)!;
    expect(open!.graph.built.out[n2.index]!.find((e) => e.technique === TECH && e.to === TARGET)?.condition).toBe('none');
  });
});

describe('not claimed: the fix, applied, leaves the hop open', () => {
  it('no usage (unknown is not unused, so no NoUnusedRoleHops), a session named: not claimed; applied, still there', () => {
    const spec = agentWorld(trust({ AWS: SESSION }));
    const p = plan(spec, AGENT);
    expect(docOf(p.boundary).statements.some((s) => s.sid === 'NoUnusedRoleHops')).toBe(false);
    expect(claimers(p.report, p.finding)).toEqual([]);
    // Counted as left open, and said so.
    expect(p.boundary.countsAfter!.escalationTechniques).toBe(1);
    expect(p.boundary.notes).toContainEqual(expect.stringMatching(/^Escalation still open after this fix: Assume a role whose trust policy already allows the caller — target trusts agent/));
    expect(rescan(applied(spec, AGENT, p), AGENT)).toHaveLength(1);
  });

  it("no usage, the role ARN named: the boundary (no need known: it allows every other action) allows sts:AssumeRole — not claimed; applied, still there", () => {
    const spec = agentWorld(trust({ AWS: AGENT }));
    const p = plan(spec, AGENT);
    expect(claimers(p.report, p.finding)).toEqual([]);
    expect(rescan(applied(spec, AGENT, p), AGENT)).toHaveLength(1);
  });

  it('a hop the agent used through a trust naming its role ARN (approval out of its reach): never denied, not gated, and kept allowed by the boundary (KeepUsedRoleHops) — not claimed; applied, the hop stays; without KeepUsedRoleHops the boundary would break it', () => {
    const spec = agentWorld(trust({ AWS: AGENT }));
    const p = plan(spec, AGENT, usageOf(AGENT, [GET, { action: 'sts:AssumeRole', resources: [TARGET] }]));
    const st = docOf(p.boundary).statements;
    expect(st.some((s) => s.sid === 'NoUnusedRoleHops' || s.sid === 'GatedRoleHops')).toBe(false);
    expect(st.find((s) => s.sid === 'KeepUsedRoleHops')).toMatchObject({ effect: 'Allow', action: ['sts:AssumeRole'], resource: [TARGET] });
    expect(p.boundary.notes).toContainEqual(expect.stringContaining('KeepUsedRoleHops: agent was seen assuming target, whose trust policy names its role ARN'));
    expect(claimers(p.report, p.finding)).toEqual([]);
    expect(rescan(applied(spec, AGENT, p), AGENT)).toHaveLength(1);
    // What the boundary did before this session: the observed hop closed by its implicit deny.
    expect(rescan(applied(spec, AGENT, p, without(p.boundary, 'KeepUsedRoleHops')), AGENT)).toEqual([]);
  });

  it('the same used hop for an agent people assume too: the session policy keeps it as well (a session policy limits a role-ARN grant as a boundary does)', () => {
    const spec = agentWorld(trust({ AWS: AGENT }));
    spec.roles![0]!.trust = trust({ AWS: DEV });
    const p = plan(spec, AGENT, usageOf(AGENT, [GET, { action: 'sts:AssumeRole', resources: [TARGET] }]));
    const session = p.fixes.find((f) => f.kind === 'session-policy')!;
    expect(docOf(session).statements.find((s) => s.sid === 'KeepUsedRoleHops')).toMatchObject({ effect: 'Allow', action: ['sts:AssumeRole'], resource: [TARGET] });
    expect(claimers(p.report, p.finding)).toEqual([]);
    expect(session.countsAfter!.escalationTechniques).toBe(1);
  });

  it('controls for KeepUsedRoleHops: a used hop through a session of it or `*` (a boundary does not limit those) — none written; the hop stays all the same', () => {
    for (const t of [trust({ AWS: SESSION }), trust({ AWS: '*' })]) {
      const spec = agentWorld(t);
      const p = plan(spec, AGENT, usageOf(AGENT, [GET, { action: 'sts:AssumeRole', resources: [TARGET] }]));
      const what = JSON.stringify(t.Statement);
      expect(docOf(p.boundary).statements.some((s) => s.sid === 'KeepUsedRoleHops'), what).toBe(false);
      expect(claimers(p.report, p.finding), what).toEqual([]);
      expect(rescan(applied(spec, AGENT, p), AGENT), what).toHaveLength(1);
    }
  });
});

describe('what the agent keeps after its fix decides which roles give more (not only today)', () => {
  it("today: dynamodb:* of its own, so `deleter` (DeleteTable, trusting a session of it, used) gives nothing and only `target` (administrator, never assumed) counts; after the fix it keeps GetItem only, `deleter` gives more and its hop stays open: not claimed; applied, the finding stays", () => {
    const DELETER = arn(DEV, 'role', 'deleter');
    const spec: AccountSpec = {
      roles: [
        { name: 'agent', trust: trust({ Service: 'ec2.amazonaws.com' }), tags: { 'ai-agent': 'true' }, inline: [doc(allow('dynamodb:*'))] },
        { name: 'target', trust: trust({ AWS: AGENT }), inline: [ADMIN] },
        { name: 'deleter', trust: trust({ AWS: SESSION }), inline: [doc(allow('dynamodb:DeleteTable'))] },
      ],
    };
    const p = plan(spec, AGENT, usageOf(AGENT, [GET, { action: 'sts:AssumeRole', resources: [DELETER] }]));
    expect(docOf(p.boundary).statements.find((s) => s.sid === 'NoUnusedRoleHops')?.resource).toEqual([TARGET]);
    expect(claimers(p.report, p.finding)).toEqual([]);
    expect(p.boundary.notes).toContainEqual(expect.stringContaining('Escalation still open after this fix: Assume a role whose trust policy already allows the caller — deleter trusts agent'));
    const again = rescan(applied(spec, AGENT, p), AGENT);
    expect(again).toHaveLength(1);
    expect(again[0]!.description).toContain('It reaches deleter, which adds destructive actions');
  });
});

describe('a user agent named by its user ARN: pathfinding.cloud sts-001 (../shared/fixtures/privesc-catalog, read at test time)', () => {
  const file = sharedFixture('privesc-catalog/pathfinding-cloud-paths.json');
  const entry = sharedFixturesPresent
    ? (JSON.parse(readFileSync(file, 'utf8')) as { id: string; prerequisites: { admin: string[] } }[]).find((x) => x.id === 'sts-001')
    : undefined;
  const START = arn(DEV, 'user', 'startUser');
  const world: AccountSpec = {
    users: [{ name: 'startUser', tags: { 'ai-agent': 'true' }, inline: [OWN] }],
    roles: [{ name: 'admin-role', trust: trust({ AWS: START }), inline: [ADMIN] }],
  };

  it.skipIf(!entry)(`never assumed: claimed (NoUnusedRoleHops); applied, gone; the boundary without that Deny (only its implicit deny) leaves it (${sharedFixturesPresent ? 'catalogue present' : SKIP_REASON})`, () => {
    expect(entry!.prerequisites.admin.some((s) => /trusts the starting principal explicitly/.test(s) && /does not need `sts:AssumeRole`/.test(s))).toBe(true);
    const p = plan(world, START, usageOf(START, [GET]));
    expect(claimers(p.report, p.finding)).toEqual(['permissions-boundary', 'replace-policy']);
    expect(rescan(applied(world, START, p), START)).toEqual([]);
    expect(rescan(applied(world, START, p, without(p.boundary, 'NoUnusedRoleHops')), START)).toHaveLength(1);
  });

  it.skipIf(!entry)(`no usage: the boundary's implicit deny does not limit a user-ARN grant — not claimed; applied, still there (${sharedFixturesPresent ? 'catalogue present' : SKIP_REASON})`, () => {
    const p = plan(world, START);
    expect(claimers(p.report, p.finding)).toEqual([]);
    expect(rescan(applied(world, START, p), START)).toHaveLength(1);
  });
});
