// Role chains past one hop (session 42). kiro-agent was seen assuming hub, hub was seen assuming
// relay, and relay may assume `far` (DeleteTable on every table), which it never did. Session 40
// stopped at hub ("relay's hops are relay's question, not asked"); now the chain pass follows
// observed hops up to MAX_CHAIN_ROLES roles and closes the chain at the last observed role with
// the same narrow hop boundary, or names the whole chain on the agent's fix. Through the real
// analysis with usage and fixes (export normaliser, effective stage, graph, checks, baseline, fix
// plans, verification).
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import type { Fix } from '../../src/model/fix.js';
import type { Statement } from '../../src/model/policy.js';
import type { ActionUsage, PrincipalUsage, UsageData } from '../../src/model/usage.js';
import { MAX_CHAIN_ROLES } from '../../src/fix/hop-chains.js';
import { DEV, allow, arn, doc, snapshot, trust, type AccountSpec, type RoleSpec } from '../graph/accounts.js';
import { AGENT, MFA, SCRATCH, TYPE_WIDE, USED, account, deleteTable, table } from '../support/tier-scope.js';
import { HOSTILE_NAMES } from '../support/hostile-names.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: true };
const role = (name: string) => arn(DEV, 'role', name);
const FAR = role('far');
const READ = { action: 'dynamodb:DescribeTable', resources: [table('orders')] };
const assumed = (name: string) => ({ action: 'sts:AssumeRole', resources: [role(name)] });

type Used = { action: string; resources?: string[] };
const principal = (arnOf: string, xs: Used[]): PrincipalUsage => ({
  principalArn: arnOf, sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z',
  actions: xs.map((a): ActionUsage => ({ action: a.action, count: 5, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T09:00:00Z', resources: a.resources ?? [] })),
});

/**
 * kiro-agent (deletes its scratch tables) may assume middle[0]; each middle role may assume the
 * next and describe tables; the last may assume `far` (and `extra` roles); far deletes every table.
 */
function chainWorld(middle: readonly string[], extra: Record<string, string[]> = {}): AccountSpec {
  const roles: RoleSpec[] = middle.map((name, i) => ({
    name, trust: trust({ AWS: DEV }),
    inline: [doc(allow('sts:AssumeRole', [i + 1 < middle.length ? role(middle[i + 1]!) : FAR, ...(extra[name] ?? []).map(role)]), allow('dynamodb:DescribeTable'))],
  }));
  roles.push({ name: 'far', trust: trust({ AWS: DEV }), inline: [doc(deleteTable(TYPE_WIDE))] });
  return account([deleteTable(SCRATCH)], {}, { assume: allow('sts:AssumeRole', role(middle[0]!)), extraRoles: roles });
}

/** Usage covering every principal (or only those named in `covered`): the agent saw middle[0], each middle role as given. */
function usage(middle: readonly string[], roles: Record<string, Used[]>, covered?: string[]): UsageData {
  return {
    window: { start: '2026-08-26T00:00:00Z', end: '2026-11-24T00:00:00Z' }, coveredPrincipals: covered ?? 'all', recordsRead: 100, dataEventsRead: 40, unmapped: [],
    byPrincipal: { [AGENT]: principal(AGENT, [USED, assumed(middle[0]!)]), ...Object.fromEntries(Object.entries(roles).map(([n, xs]) => [role(n), principal(role(n), xs)])) },
  };
}

/** Each middle role seen assuming the next, the last as `last` says. */
const seenInTurn = (middle: readonly string[], last: Used[] = [READ]): Record<string, Used[]> =>
  Object.fromEntries(middle.map((n, i) => [n, i + 1 < middle.length ? [READ, assumed(middle[i + 1]!)] : last]));

interface Outcome { fixes: readonly Fix[]; agentNotes: readonly string[]; guardOn: (name: string) => Statement | undefined; fixOf: (name: string) => Fix | undefined }
function outcome(spec: AccountSpec, u: UsageData): Outcome {
  const [a] = analyzeSnapshots([{ ...snapshot(spec), usage: u }], defaultConfig(), opts);
  const fixes = a!.report.fixes;
  const fixOf = (name: string) => fixes.find((f) => f.principalArn === role(name) && f.kind === 'permissions-boundary');
  const agentFix = fixes.find((f) => f.principalArn === AGENT && f.kind === 'permissions-boundary');
  expect(agentFix, 'the agent gets a boundary fix').toBeDefined();
  return {
    fixes, agentNotes: agentFix!.notes, fixOf,
    guardOn: (name) => { const f = fixOf(name); return f ? (f.after as unknown as { statements: Statement[] }).statements.find((s) => s.sid === 'NoUnusedRoleHops') : undefined; },
  };
}
const noteOn = (o: Outcome, chain: string) => o.agentNotes.find((n) => n.startsWith(`Role chain ${chain}`));

const HUB_RELAY = ['hub', 'relay'];

describe('a chain followed past the first observed role', () => {
  it('agent → hub → relay (each seen) → far (relay never assumed it): relay\'s own boundary denies far, verified; the agent\'s fix names the whole chain', () => {
    const o = outcome(chainWorld(HUB_RELAY), usage(HUB_RELAY, seenInTurn(HUB_RELAY)));
    expect(o.guardOn('relay')).toMatchObject({ effect: 'Deny', action: ['sts:AssumeRole'], resource: [FAR] });
    const relayFix = o.fixOf('relay')!;
    expect(relayFix.verification).toMatchObject({ safe: true, status: 'verified', observedCallsDenied: [] });
    expect(relayFix.description).toContain('kiro-agent (AI agent) acts through relay by a chain of roles each seen assuming the next (kiro-agent → hub → relay)');
    expect(noteOn(o, 'kiro-agent → hub → relay → far:')).toContain('kiro-agent was seen assuming hub, hub assuming relay, so leash denies none of those hops');
    expect(noteOn(o, 'kiro-agent → hub → relay → far:')).toContain(`closed by relay's own permissions boundary (NoUnusedRoleHops: fix ${relayFix.id}`);
    // hub's hop to relay is used: hub gets no guard; the agent's fix says that hop stays open.
    expect(o.fixOf('hub')).toBeUndefined();
    expect(noteOn(o, 'kiro-agent → hub → relay stays open')).toContain("hub's sessions assumed relay");
  });

  it(`a chain of ${MAX_CHAIN_ROLES} middle roles, each seen assuming the next: the last one's boundary denies far`, () => {
    const middle = Array.from({ length: MAX_CHAIN_ROLES }, (_, i) => `r${i + 1}`);
    const o = outcome(chainWorld(middle), usage(middle, seenInTurn(middle)));
    expect(o.guardOn(middle.at(-1)!)?.resource).toEqual([FAR]);
    expect(noteOn(o, `kiro-agent → ${middle.join(' → ')} → far:`)).toContain('closed by');
  });

  it(`one more (${MAX_CHAIN_ROLES + 1} middle roles): the walk stops at the bound — no fix past it, and the note says what was not followed`, () => {
    const middle = Array.from({ length: MAX_CHAIN_ROLES + 1 }, (_, i) => `r${i + 1}`);
    const o = outcome(chainWorld(middle), usage(middle, seenInTurn(middle)));
    expect(o.fixOf(middle.at(-1)!)).toBeUndefined();
    const shown = middle.slice(0, MAX_CHAIN_ROLES).join(' → ');
    expect(noteOn(o, `kiro-agent → ${shown} → ${middle.at(-1)} → …: not followed further`)).toContain(`at most ${MAX_CHAIN_ROLES} roles each seen assuming the next`);
  });

  it('a cycle (hub seen assuming relay, relay seen assuming hub) ends: relay denies far only, never hub', () => {
    const spec = chainWorld(HUB_RELAY, { relay: ['hub'] });
    const o = outcome(spec, usage(HUB_RELAY, { hub: [READ, assumed('relay')], relay: [READ, assumed('hub')] }));
    expect(o.guardOn('relay')?.resource).toEqual([FAR]);
    expect(o.fixOf('hub')).toBeUndefined();
  });

  it('relay may assume hub but never did: a role already on the chain is not denied (the agent reaches it anyway), far is', () => {
    const o = outcome(chainWorld(HUB_RELAY, { relay: ['hub'] }), usage(HUB_RELAY, seenInTurn(HUB_RELAY)));
    expect(o.guardOn('relay')?.resource).toEqual([FAR]);
  });

  it('a diamond (hub seen assuming a and b, each seen assuming c): c is followed once — one guard, one note', () => {
    const spec = chainWorld(['hub', 'a', 'c']);
    spec.roles!.find((r) => r.name === 'hub')!.inline = [doc(allow('sts:AssumeRole', [role('a'), role('b')]), allow('dynamodb:DescribeTable'))];
    spec.roles!.push({ name: 'b', trust: trust({ AWS: DEV }), inline: [doc(allow('sts:AssumeRole', role('c')), allow('dynamodb:DescribeTable'))] });
    const o = outcome(spec, usage(['hub'], { hub: [READ, { action: 'sts:AssumeRole', resources: [role('a'), role('b')] }], a: [READ, assumed('c')], b: [READ, assumed('c')], c: [READ] }));
    expect(o.guardOn('c')?.resource).toEqual([FAR]);
    expect(o.agentNotes.filter((n) => n.includes('→ c → far:'))).toEqual([expect.stringContaining('Role chain kiro-agent → hub → a → c → far:')]);
  });

  it('relay is an agent itself: its own boundary fix names far too, and says which chain reaches it', () => {
    const spec = chainWorld(HUB_RELAY);
    spec.roles!.find((r) => r.name === 'relay')!.tags = { 'ai-agent': 'true' };
    const o = outcome(spec, usage(HUB_RELAY, seenInTurn(HUB_RELAY)));
    expect(o.guardOn('relay')?.resource).toEqual([FAR]);
    expect(o.fixOf('relay')!.notes.find((n) => n.startsWith('NoUnusedRoleHops also names far'))).toContain('kiro-agent acts through relay by a chain of roles each seen assuming the next (kiro-agent → hub → relay)');
  });

  it('hub cannot carry a fix (its boundary is not in the export) but its usage is known: relay is still followed and closes far', () => {
    const spec = chainWorld(HUB_RELAY);
    spec.roles!.find((r) => r.name === 'hub')!.boundary = 'not-exported';
    const o = outcome(spec, usage(HUB_RELAY, seenInTurn(HUB_RELAY)));
    expect(o.fixOf('hub')).toBeUndefined();
    expect(noteOn(o, 'kiro-agent → hub → relay stays open')).toContain('leash writes no fix for hub');
    expect(o.guardOn('relay')?.resource).toEqual([FAR]);
  });

  it('a hostile relay name reaches the notes and the relay fix\'s description escaped', () => {
    const name = HOSTILE_NAMES.find((n) => n.includes('\u001b'))!;
    const middle = ['hub', name];
    const o = outcome(chainWorld(middle), usage(middle, seenInTurn(middle)));
    const relayFix = o.fixOf(name)!;
    expect(relayFix, 'the hostile relay gets its hop boundary').toBeDefined();
    const texts = [...o.agentNotes.filter((n) => n.startsWith('Role chain')), relayFix.description, ...relayFix.notes];
    expect(texts.length).toBeGreaterThan(2);
    for (const text of texts) expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});

describe('controls', () => {
  it('relay was seen assuming far: no fix on relay; the agent\'s note names the whole chain as open', () => {
    const o = outcome(chainWorld(HUB_RELAY), usage(HUB_RELAY, seenInTurn(HUB_RELAY, [READ, assumed('far')])));
    expect(o.fixOf('relay')).toBeUndefined();
    expect(noteOn(o, 'kiro-agent → hub → relay → far stays open')).toContain("relay's sessions assumed far in the usage window");
  });

  it('relay\'s usage does not cover the window: no fix on relay; the note says so and what would close it', () => {
    const o = outcome(chainWorld(HUB_RELAY), usage(HUB_RELAY, seenInTurn(HUB_RELAY), [AGENT, role('hub')]));
    expect(o.fixOf('relay')).toBeUndefined();
    expect(noteOn(o, 'kiro-agent → hub → relay → far stays open')).toContain("relay's usage does not cover the window");
    expect(noteOn(o, 'kiro-agent → hub → relay → far stays open')).toContain('scan again with usage covering relay');
  });

  it('hub\'s usage does not cover the window: whether hub assumed relay is not known, so relay is not followed (no fix on relay), even though relay\'s own usage is', () => {
    const o = outcome(chainWorld(HUB_RELAY), usage(HUB_RELAY, seenInTurn(HUB_RELAY), [AGENT, role('relay')]));
    expect(o.fixOf('relay')).toBeUndefined();
    expect(noteOn(o, 'kiro-agent → hub → relay stays open')).toContain("hub's usage does not cover the window");
    expect(o.agentNotes.some((n) => n.includes('→ relay → far'))).toBe(false);
  });

  it('hub never assumed relay (only may): hub\'s boundary denies relay, and relay is not followed', () => {
    const o = outcome(chainWorld(HUB_RELAY), usage(HUB_RELAY, { hub: [READ], relay: [READ] }));
    expect(o.guardOn('hub')?.resource).toEqual([role('relay')]);
    expect(o.fixOf('relay')).toBeUndefined();
    expect(o.agentNotes.some((n) => n.includes('→ relay → far'))).toBe(false);
  });

  it('far gives nothing more than the agent keeps (the same scoped delete, behind approval): no fix on relay, no note past hub', () => {
    const spec = chainWorld(HUB_RELAY);
    // Session 43: ungated, far would give back the delete the agent's boundary takes.
    spec.roles!.find((r) => r.name === 'far')!.inline = [doc(deleteTable(SCRATCH, MFA))];
    const o = outcome(spec, usage(HUB_RELAY, seenInTurn(HUB_RELAY)));
    expect(o.fixOf('relay')).toBeUndefined();
    expect(o.agentNotes.some((n) => n.includes('→ far'))).toBe(false);
  });
});
