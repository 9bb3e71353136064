// A role chain through a hop the agent was seen using (session 40). kiro-agent (DeleteTable on
// kiro-scratch-* tables only) was observed assuming `hub`, so its boundary's NoUnusedRoleHops
// leaves hub open; hub may assume `deploy`, which deletes every table. kiro-agent's boundary does
// not follow it into hub's session: only a statement on hub closes hub → deploy. When hub's own
// usage covers the window and shows it never assuming deploy, hub's permissions boundary fix
// denies that hop (hub is planned because an agent acts through it); otherwise the agent's
// boundary fix names the chain and what would close it. Through the real analysis with usage and
// fixes (export normaliser, effective stage, graph, checks, baseline, fix plans, verification).
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import type { Fix } from '../../src/model/fix.js';
import type { Finding } from '../../src/model/finding.js';
import type { Statement } from '../../src/model/policy.js';
import type { ActionUsage, PrincipalUsage, UsageData } from '../../src/model/usage.js';
import { DEV, allow, arn, doc, snapshot, trust, type AccountSpec, type RoleSpec } from '../graph/accounts.js';
import { AGENT, DEPLOY, HUB, MFA, SCRATCH, USED, TYPE_WIDE, account, deleteTable, table } from '../support/tier-scope.js';
import { HOSTILE_NAMES } from '../support/hostile-names.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: true };
const SAW_HUB = { action: 'sts:AssumeRole', resources: [HUB] };
const HUB_READ = { action: 'dynamodb:DescribeTable', resources: [table('orders')] };

interface World { hub?: unknown[]; deploy?: unknown[]; own?: unknown[]; hubTags?: Record<string, string>; hubBoundary?: string; policies?: AccountSpec['policies'] }
/** kiro-agent may assume hub only; hub may assume deploy (and describe tables); deploy trusts the account. */
function world(w: World = {}): AccountSpec {
  const hub: RoleSpec = { name: 'hub', trust: trust({ AWS: DEV }), inline: [doc(...(w.hub ?? [allow('sts:AssumeRole', DEPLOY), allow('dynamodb:DescribeTable')]))], ...(w.hubTags ? { tags: w.hubTags } : {}), ...(w.hubBoundary ? { boundary: w.hubBoundary } : {}) };
  const deploy: RoleSpec = { name: 'deploy', trust: trust({ AWS: DEV }), inline: [doc(...(w.deploy ?? [deleteTable(TYPE_WIDE)]))] };
  return account(w.own ?? [deleteTable(SCRATCH)], {}, { assume: allow('sts:AssumeRole', HUB), extraRoles: [hub, deploy], ...(w.policies ? { policies: w.policies } : {}) });
}

type Used = { action: string; resources?: string[]; truncated?: boolean };
const actions = (xs: Used[]) => xs.map((a): ActionUsage => ({ action: a.action, count: 5, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T09:00:00Z', resources: a.resources ?? [], ...(a.truncated ? { truncated: true } : {}) }));
const principal = (arnOf: string, xs: Used[]): PrincipalUsage => ({ principalArn: arnOf, actions: actions(xs), sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' });

/** CloudTrail for 90 days: the agent's calls and hub's as given; `covered` all principals, or the agent's only. */
function usage(agent: Used[], hub: Used[] = [HUB_READ], covered: 'all' | 'agent' = 'all'): UsageData {
  return {
    window: { start: '2026-08-26T00:00:00Z', end: '2026-11-24T00:00:00Z' }, coveredPrincipals: covered === 'all' ? 'all' : [AGENT], recordsRead: 100, dataEventsRead: 40, unmapped: [],
    byPrincipal: { [AGENT]: principal(AGENT, agent), ...(hub.length > 0 ? { [HUB]: principal(HUB, hub) } : {}) },
  };
}

interface Outcome { escalation: Finding[]; agentGuard: Statement | undefined; agentNotes: readonly string[]; hubFix: Fix | undefined; hubGuard: Statement | undefined; hubFixes: readonly Fix[] }
function outcome(spec: AccountSpec, u: UsageData = usage([USED, SAW_HUB])): Outcome {
  const [a] = analyzeSnapshots([{ ...snapshot(spec), usage: u }], defaultConfig(), opts);
  const r = a!.report;
  const agentFix = r.fixes.find((f) => f.principalArn === AGENT && f.kind === 'permissions-boundary');
  expect(agentFix, 'the agent gets a boundary fix').toBeDefined();
  const hubFix = r.fixes.find((f) => f.principalArn === HUB && f.kind === 'permissions-boundary');
  return {
    escalation: r.findings.filter((f) => f.principalArn === AGENT && f.checkId === 'privilege-escalation' && f.technique === 'sts-assume-permissive-role'),
    agentGuard: readFixDocument(agentFix!).statements.find((s) => s.sid === 'NoUnusedRoleHops'),
    agentNotes: agentFix!.notes,
    hubFix,
    hubGuard: hubFix ? readFixDocument(hubFix).statements.find((s) => s.sid === 'NoUnusedRoleHops') : undefined,
    hubFixes: r.fixes.filter((f) => f.principalArn === HUB),
  };
}
/** A fix's single document (a boundary's `after`). */
const readFixDocument = (f: Fix) => f.after as unknown as { statements: Statement[] };
const chainNote = (o: Outcome) => o.agentNotes.find((n) => n.includes('kiro-agent → hub → deploy'));

describe('a chain through a hop the agent was seen using', () => {
  it('what leash said before session 40: the finding names hub → deploy, the agent\'s boundary leaves hub open (observed)', () => {
    const o = outcome(world());
    expect(o.escalation.map((f) => f.severity)).toEqual(['high']);
    expect(o.escalation[0]?.description).toContain('it reaches hub, and through it deploy, which holds it on every resource');
    expect(o.agentGuard).toBeUndefined();
  });

  it('hub\'s usage covers the window and shows it never assuming deploy: hub\'s own boundary denies assuming deploy, verified; the agent\'s fix says the chain is closed there', () => {
    const o = outcome(world());
    expect(o.hubGuard).toMatchObject({ effect: 'Deny', action: ['sts:AssumeRole'], resource: [DEPLOY] });
    // Nothing else of hub's is taken: everything it may do today stays allowed (no approval deny on a role that is not an agent).
    const doc = readFixDocument(o.hubFix!);
    expect(doc.statements.map((s) => s.sid)).toEqual(['AllowAsToday', 'NoBoundaryRemoval', 'NoUnusedRoleHops']);
    expect(o.hubFix!.verification).toMatchObject({ safe: true, status: 'verified', observedCallsChecked: 1, observedCallsDenied: [] });
    expect(o.hubFix!.title).toBe('Permissions boundary for hub: no unused role hop an agent could chain through it');
    expect(o.hubFix!.description).toContain('kiro-agent');
    expect(chainNote(o)).toContain('closed by hub\'s own permissions boundary');
    expect(chainNote(o)).toContain(o.hubFix!.id);
  });

  it('hub tagged as an agent itself, holding the delete on every table (deploy gives hub nothing more): hub\'s own boundary fix denies deploy too', () => {
    const o = outcome(world({ hub: [allow('sts:AssumeRole', DEPLOY), allow('dynamodb:DescribeTable'), deleteTable('*')], hubTags: { 'ai-agent': 'true' } }));
    expect(o.hubGuard?.resource).toEqual([DEPLOY]);
    // The agent's full boundary (approval deny and all), not a hop-only one.
    expect(readFixDocument(o.hubFix!).statements.some((s) => s.sid === 'NeedsApproval' || s.sid === 'DeniedOutright')).toBe(true);
    expect(o.hubFix!.verification.safe).toBe(true);
  });

  it('hub\'s current boundary is kept as it is, beside the hop deny', () => {
    const o = outcome(world({ hubBoundary: 'hub-cap', policies: { 'hub-cap': doc(allow(['sts:AssumeRole', 'dynamodb:Describe*'])) } }));
    const d = readFixDocument(o.hubFix!);
    expect(d.statements.map((s) => s.sid)).toEqual(['KeptFromCurrent1', 'NoBoundaryRemoval', 'NoUnusedRoleHops']);
    expect(d.statements[0]).toMatchObject({ effect: 'Allow', action: ['sts:AssumeRole', 'dynamodb:Describe*'], resource: ['*'] });
    expect(o.hubFix!.verification).toMatchObject({ safe: true, status: 'verified' });
  });
});

describe('controls', () => {
  it('hub was seen assuming deploy: no deny on hub; the agent\'s fix names the chain and what would close it', () => {
    const o = outcome(world(), usage([USED, SAW_HUB], [HUB_READ, { action: 'sts:AssumeRole', resources: [DEPLOY] }]));
    expect(o.hubFixes).toEqual([]);
    expect(chainNote(o)).toContain('hub\'s sessions assumed deploy in the usage window');
    expect(chainNote(o)).toContain('stays open');
  });

  it('deploy gives nothing more than the agent has (the same scoped grant, behind approval): no hub fix, no chain note', () => {
    // Session 43: the agent's boundary takes its own delete, so deploy's scoped delete counts only
    // behind an approval condition (ungated it gives the delete back: test/fix/reach-guards-approval-gate.test.ts).
    const o = outcome(world({ deploy: [deleteTable(SCRATCH, MFA)] }));
    expect(o.hubFixes).toEqual([]);
    expect(chainNote(o)).toBeUndefined();
    expect(o.agentNotes.some((n) => n.includes('→ hub →'))).toBe(false);
  });

  it('hub may also assume a reader that gives nothing more than the agent has: only deploy is denied on hub', () => {
    const READER = arn(DEV, 'role', 'reader');
    const spec = world({ hub: [allow('sts:AssumeRole', [DEPLOY, READER]), allow('dynamodb:DescribeTable')] });
    spec.roles!.push({ name: 'reader', trust: trust({ AWS: DEV }), inline: [doc(allow('dynamodb:DescribeTable'))] });
    const o = outcome(spec);
    expect(o.hubGuard?.resource).toEqual([DEPLOY]);
    expect(chainNote(o)).toContain('kiro-agent → hub → deploy:');
  });

  it('hub\'s usage does not cover the window: no guard anywhere, only a note naming the chain', () => {
    const o = outcome(world(), usage([USED, SAW_HUB], [HUB_READ], 'agent'));
    expect(o.hubFixes).toEqual([]);
    expect(o.agentGuard).toBeUndefined();
    expect(chainNote(o)).toContain('hub\'s usage does not cover the window');
    expect(chainNote(o)).toContain('stays open');
  });

  it('hub\'s assume calls are a truncated sample: not known, only a note', () => {
    const o = outcome(world(), usage([USED, SAW_HUB], [HUB_READ, { action: 'sts:AssumeRole', resources: [arn(DEV, 'role', 'other')], truncated: true }]));
    expect(o.hubFixes).toEqual([]);
    expect(chainNote(o)).toContain('stays open');
  });

  it('the agent never assumed hub: the first hop is denied on the agent (as before), hub gets no fix', () => {
    const o = outcome(world(), usage([USED]));
    expect(o.agentGuard?.resource).toEqual([HUB]);
    expect(o.hubFixes).toEqual([]);
    expect(chainNote(o)).toBeUndefined();
  });

  it('hub\'s current boundary is not in the export: hub gets no fix (a replacement could not keep it); the note says why', () => {
    const o = outcome(world({ hubBoundary: 'not-exported' }));
    expect(o.hubFixes).toEqual([]);
    expect(chainNote(o)).toContain('leash writes no fix for hub (its current permissions boundary arn:aws:iam::111111111111:policy/not-exported is not in the export');
  });
});

describe('where the chain is found, and verification', () => {
  it('behind the graph\'s shared hop (the agent may assume any role that trusts the account): deploy is denied on the agent, and on hub for the agent acting through it', () => {
    const spec = world();
    spec.roles![0]!.inline = [doc(allow('sts:AssumeRole', '*'), deleteTable(SCRATCH))];
    const o = outcome(spec);
    expect(o.agentGuard?.resource).toEqual([DEPLOY]);
    expect(o.hubGuard?.resource).toEqual([DEPLOY]);
  });

  it('two agents seen assuming hub: one hub boundary, its description names both', () => {
    const spec = world();
    const other = arn(DEV, 'role', 'cline-runner');
    spec.roles!.push({ name: 'cline-runner', trust: trust({ Service: 'ec2.amazonaws.com' }), tags: { 'ai-agent': 'true' }, inline: [doc(allow('sts:AssumeRole', HUB), deleteTable(SCRATCH))] });
    const u = usage([USED, SAW_HUB]);
    const both: UsageData = { ...u, byPrincipal: { ...u.byPrincipal, [other]: principal(other, [USED, SAW_HUB]) } };
    const o = outcome(spec, both);
    expect(o.hubFixes.map((f) => f.kind)).toEqual(['permissions-boundary']);
    expect(o.hubFix!.description).toContain('cline-runner, kiro-agent (AI agents) were seen assuming hub');
  });

  it('verification re-checks hub\'s calls against the new boundary: hub seen replacing its own boundary makes the fix not safe', () => {
    const o = outcome(world({ hub: [allow('sts:AssumeRole', DEPLOY), allow('dynamodb:DescribeTable'), allow('iam:PutRolePermissionsBoundary', HUB)] }), usage([USED, SAW_HUB], [HUB_READ, { action: 'iam:PutRolePermissionsBoundary', resources: [HUB] }]));
    expect(o.hubGuard?.resource).toEqual([DEPLOY]);
    expect(o.hubFix!.verification).toMatchObject({ safe: false, status: 'not-safe' });
    expect(o.hubFix!.verification.observedCallsDenied).toEqual([`iam:PutRolePermissionsBoundary on ${HUB} → ExplicitlyDenied`]);
  });

  it('planning again over the boundary leash wrote gives no new fix (its statements are kept, not doubled)', () => {
    const first = readFixDocument(outcome(world()).hubFix!);
    const policy = { Version: '2012-10-17', Statement: first.statements.map((s) => ({ Sid: s.sid, Effect: s.effect, Action: s.action, Resource: s.resource })) };
    const o = outcome(world({ hubBoundary: 'leash-boundary-hub', policies: { 'leash-boundary-hub': policy } }));
    expect(o.hubFixes).toEqual([]);
  });

  it('a hostile middle role\'s name (terminal escapes, a newline) reaches the notes and the description escaped', () => {
    const name = HOSTILE_NAMES.find((n) => n.includes('\u001b'))!;
    const mid = arn(DEV, 'role', name);
    const spec = account([deleteTable(SCRATCH)], {}, {
      assume: allow('sts:AssumeRole', mid),
      extraRoles: [
        { name, trust: trust({ AWS: DEV }), inline: [doc(allow('sts:AssumeRole', DEPLOY), allow('dynamodb:DescribeTable'))] },
        { name: 'deploy', trust: trust({ AWS: DEV }), inline: [doc(deleteTable(TYPE_WIDE))] },
      ],
    });
    for (const u of [usage([USED, { action: 'sts:AssumeRole', resources: [mid] }], []), usage([USED, { action: 'sts:AssumeRole', resources: [mid] }], [], 'agent')]) {
      const [a] = analyzeSnapshots([{ ...snapshot(spec), usage: u }], defaultConfig(), opts);
      const notes = a!.report.fixes.find((f) => f.principalArn === AGENT && f.kind === 'permissions-boundary')!.notes.filter((n) => n.startsWith('Role chain'));
      const mine = a!.report.fixes.filter((f) => f.principalArn === mid);
      expect(notes).toHaveLength(1);
      for (const text of [...notes, ...mine.map((f) => f.description), ...mine.flatMap((f) => f.notes)]) {
        expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
        if (text.includes('title')) expect(text).toContain('title\\x1b]0;pwned');
      }
    }
  });
});

describe('what the agent\'s own fixes claim to resolve while a chain runs through a hop it was seen using', () => {
  /** The agent's assume-role escalation finding, and the kinds of its fixes that say they resolve it or its agent-reaches-destructive finding. */
  function claimed(spec: AccountSpec, u: UsageData): { finding: Finding; resolvedBy: string[]; fixIds: readonly string[]; agentFixes: readonly Fix[] } {
    const [a] = analyzeSnapshots([{ ...snapshot(spec), usage: u }], defaultConfig(), opts);
    const r = a!.report;
    const finding = r.findings.find((f) => f.principalArn === AGENT && f.checkId === 'privilege-escalation' && f.technique === 'sts-assume-permissive-role')!;
    expect(finding, 'the agent has the assume-role escalation finding').toBeDefined();
    const agentFixes = r.fixes.filter((f) => f.principalArn === AGENT);
    const reaches = r.findings.find((f) => f.principalArn === AGENT && f.checkId === 'agent-reaches-destructive')!;
    expect(reaches, 'the agent reaches destructive actions through others').toBeDefined();
    const by = (f: Finding) => agentFixes.filter((x) => x.resolves.includes(f.id)).map((x) => x.kind);
    return { finding, resolvedBy: [...by(finding), ...by(reaches)], fixIds: finding.fixIds, agentFixes };
  }

  it('closed on hub, or open: none of the agent\'s fixes claims the finding (its boundary leaves hub open); the other findings are still claimed', () => {
    for (const u of [usage([USED, SAW_HUB]), usage([USED, SAW_HUB], [HUB_READ, { action: 'sts:AssumeRole', resources: [DEPLOY] }])]) {
      const c = claimed(world(), u);
      expect(c.resolvedBy).toEqual([]);
      // The boundary still resolves what it closes itself (its other findings), so the link is not lost wholesale.
      expect(c.agentFixes.find((x) => x.kind === 'permissions-boundary')!.resolves.length).toBeGreaterThan(0);
    }
  });

  it('control: the agent never assumed hub — its boundary denies the first hop, and claims the finding as before', () => {
    const c = claimed(world(), usage([USED]));
    expect(c.resolvedBy).toContain('permissions-boundary');
    expect(c.fixIds.length).toBeGreaterThan(0);
  });
});
