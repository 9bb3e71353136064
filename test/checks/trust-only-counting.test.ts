// Session 44: a trust-only escalation (privilege-escalation's `sts-assume-permissive-role` for a
// principal that holds no sts:AssumeRole of its own: the target's trust names its ARN, a session
// of it, or anyone, which IAM lets it assume within the account with no identity-policy Allow) is
// counted wherever leash counts a principal's escalation techniques: report.json's
// `permissions.escalationTechniques`, agent-without-boundary (high, "1 escalation technique"),
// unused-agent-trust ("would give the agent privilege escalation") and a fix's `countsBefore`.
// One decision: the one privilege-escalation reports (src/checks/escalation-hits.ts), so every
// count agrees with the findings. Through the real pipeline (export normaliser, usage, effective
// stage, graph, checks, fixes, report).
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import type { Report } from '../../src/model/report.js';
import type { UsageData } from '../../src/model/usage.js';
import { ADMIN, DEV, PROD, allow, arn, deny, doc, snapshot, trust, type AccountSpec, type Doc } from '../graph/accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const TECH = 'sts-assume-permissive-role';
const AGENT = arn(DEV, 'role', 'agent');
const MIDDLE = arn(DEV, 'role', 'middle');
const OWN = doc(allow('s3:ListBucket', 'arn:aws:s3:::dev-bucket'));
const NOTHING_MORE = doc(allow('s3:ListBucket', 'arn:aws:s3:::dev-bucket'));

function scan(specs: AccountSpec[], usage?: UsageData, fixes = false, disabled: string[] = []): Report {
  const snaps = specs.map(snapshot);
  if (usage) snaps[0] = { ...snaps[0]!, usage };
  const config = defaultConfig();
  return analyzeSnapshots(snaps, { ...config, checks: { ...config.checks, disabled } }, { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes })[0]!.report;
}

/** An AI agent role (tagged), no sts action of its own (or `own`), and `target` with the trust and power given. */
function agentWorld(targetTrust: Doc, o: { own?: Doc[]; power?: Doc; scp?: Doc } = {}): AccountSpec {
  return {
    roles: [
      { name: 'agent', trust: trust({ Service: 'ec2.amazonaws.com' }), tags: { 'ai-agent': 'true' }, inline: o.own ?? [OWN] },
      { name: 'target', trust: targetTrust, inline: [o.power ?? ADMIN] },
    ],
    ...(o.scp ? { scps: [o.scp] } : {}),
  };
}

const principal = (r: Report, who: string) => r.principals.find((p) => p.arn === who)!;
const esc = (r: Report, who: string) => r.findings.filter((f) => f.principalArn === who && f.checkId === 'privilege-escalation' && f.technique === TECH);
const noBoundary = (r: Report, who: string) => r.findings.find((f) => f.principalArn === who && f.checkId === 'agent-without-boundary')!;

describe("report.json's escalationTechniques and agent-without-boundary count a trust-only escalation", () => {
  it('the trust names the agent role ARN (target administrator): counted, agent-without-boundary high and says so', () => {
    const r = scan([agentWorld(trust({ AWS: AGENT }))]);
    expect(esc(r, AGENT)).toHaveLength(1);
    expect(principal(r, AGENT).permissions.escalationTechniques).toEqual([TECH]);
    const f = noBoundary(r, AGENT);
    expect(f.severity).toBe('high');
    expect(f.description).toBe('No permissions boundary limits this agent principal, which can reach 0 destructive actions and 1 escalation technique.');
  });

  it('a session of it and `{"AWS": "*"}` (the hub): counted alike', () => {
    for (const t of [trust({ AWS: `arn:aws:sts::${DEV}:assumed-role/agent/run-1` }), trust({ AWS: '*' })]) {
      const r = scan([agentWorld(t)]);
      expect(esc(r, AGENT), JSON.stringify(t)).toHaveLength(1);
      expect(principal(r, AGENT).permissions.escalationTechniques).toEqual([TECH]);
      expect(noBoundary(r, AGENT).severity).toBe('high');
    }
  });

  it('controls: the account trusted (an Allow needed, none held), another account, a target giving nothing more, an SCP Deny — not counted, medium', () => {
    const prod: AccountSpec = { id: PROD, roles: [{ name: 'target', trust: trust({ AWS: AGENT }), inline: [ADMIN] }] };
    const worlds: [string, AccountSpec[]][] = [
      ['account root', [agentWorld(trust({ AWS: `arn:aws:iam::${DEV}:root` }))]],
      ['bare account id', [agentWorld(trust({ AWS: DEV }))]],
      ['cross-account', [{ roles: [agentWorld(trust({ AWS: AGENT })).roles![0]!] }, prod]],
      ['gives nothing more', [agentWorld(trust({ AWS: AGENT }), { power: NOTHING_MORE })]],
      ['SCP Deny', [agentWorld(trust({ AWS: AGENT }), { scp: doc(allow('*'), deny('sts:AssumeRole')) })]],
    ];
    for (const [name, specs] of worlds) {
      const r = scan(specs);
      expect(esc(r, AGENT), name).toEqual([]);
      expect(principal(r, AGENT).permissions.escalationTechniques, name).toEqual([]);
      expect(noBoundary(r, AGENT).severity, name).toBe('medium');
      expect(noBoundary(r, AGENT).description, name).toBe('No permissions boundary limits this agent principal.');
    }
  });

  it('privilege-escalation disabled: the same decision is made without it (counted where it would report, not where the target gives nothing more)', () => {
    const off = ['privilege-escalation'];
    const r = scan([agentWorld(trust({ AWS: AGENT }))], undefined, false, off);
    expect(esc(r, AGENT)).toEqual([]);
    expect(principal(r, AGENT).permissions.escalationTechniques).toEqual([TECH]);
    expect(noBoundary(r, AGENT).severity).toBe('high');
    const c = scan([agentWorld(trust({ AWS: AGENT }), { power: NOTHING_MORE })], undefined, false, off);
    expect(principal(c, AGENT).permissions.escalationTechniques).toEqual([]);
    expect(noBoundary(c, AGENT).severity).toBe('medium');
  });

  it('control: with its own unconditional sts:AssumeRole the technique is counted once, as before', () => {
    const r = scan([agentWorld(trust({ AWS: AGENT }), { own: [OWN, doc(allow('sts:AssumeRole', arn(DEV, 'role', 'target')))] })]);
    expect(principal(r, AGENT).permissions.escalationTechniques).toEqual([TECH]);
  });
});

/** CloudTrail covering every principal, the agent's calls as given (none of them assumes `middle`). */
function usageOf(who: string, actions: string[]): UsageData {
  return {
    window: { start: '2026-08-26T00:00:00Z', end: '2026-11-24T00:00:00Z' }, coveredPrincipals: 'all', recordsRead: 100, dataEventsRead: 40, unmapped: [],
    byPrincipal: { [who]: { principalArn: who, actions: actions.map((action) => ({ action, count: 5, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T09:00:00Z', resources: [] })), sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' } },
  };
}

describe('unused-agent-trust: what becoming the role would give counts its trust-only escalation', () => {
  /** `middle` trusts the agent (never assumed); `far` trusts middle's role ARN; middle holds no sts action. */
  const world = (farPower: Doc): AccountSpec => ({
    roles: [
      { name: 'agent', trust: trust({ Service: 'ec2.amazonaws.com' }), tags: { 'ai-agent': 'true' }, inline: [doc(allow('sts:AssumeRole', MIDDLE), allow('s3:ListBucket', '*'))] },
      { name: 'middle', trust: trust({ AWS: AGENT }), inline: [OWN] },
      { name: 'far', trust: trust({ AWS: MIDDLE }), inline: [farPower] },
    ],
  });
  const unused = (r: Report) => r.findings.find((f) => f.checkId === 'unused-agent-trust' && f.principalArn === MIDDLE)!;

  it('middle escalates to an administrator through trust alone: high, "privilege escalation"', () => {
    const r = scan([world(ADMIN)], usageOf(AGENT, ['s3:ListBucket']));
    expect(esc(r, MIDDLE)).toHaveLength(1);
    expect(principal(r, MIDDLE).permissions.escalationTechniques).toEqual([TECH]);
    expect(unused(r).severity).toBe('high');
    expect(unused(r).description).toContain('Becoming middle would give the agent privilege escalation.');
  });

  it('control: far gives nothing more — medium, its action count', () => {
    const r = scan([world(NOTHING_MORE)], usageOf(AGENT, ['s3:ListBucket']));
    expect(esc(r, MIDDLE)).toEqual([]);
    expect(unused(r).severity).toBe('medium');
    expect(unused(r).description).toContain('Becoming middle would give the agent 1 action.');
  });
});

describe("a fix's countsBefore counts it too", () => {
  it('the agent named by role ARN: countsBefore 1 escalation technique; control without the trust: 0', () => {
    const r = scan([agentWorld(trust({ AWS: AGENT }))], usageOf(AGENT, ['s3:ListBucket']), true);
    const mine = r.fixes.filter((x) => x.principalArn === AGENT && x.countsBefore);
    expect(mine.length).toBeGreaterThan(0);
    for (const x of mine) expect(x.countsBefore!.escalationTechniques, x.kind).toBe(1);
    const c = scan([agentWorld(trust({ AWS: DEV }))], usageOf(AGENT, ['s3:ListBucket']), true);
    for (const x of c.fixes.filter((f) => f.principalArn === AGENT && f.countsBefore)) expect(x.countsBefore!.escalationTechniques, x.kind).toBe(0);
  });
});
