// privilege-escalation's "Assume a role whose trust policy already allows the caller" where the
// caller holds no sts:AssumeRole of its own (session 43). IAM (reference_policies_evaluation-logic
// "Processing ... resource-based policies" and reference_policies_elements_principal "All
// principals"/"AWS account principals", quoted in src/graph/build.ts `callerSide`): within one
// account a role trust policy naming the caller's user ARN, its role session, or `{"AWS": "*"}`
// allows sts:AssumeRole with no identity-policy Allow; one naming the caller's role ARN is still
// limited by the caller's permissions boundary; one naming the account delegates to the account's
// identity policies (Allow needed); another account's caller always needs its own Allow. Explicit
// Denies and SCPs hold every time. The finding must appear exactly where the access graph draws
// the hop (and the hop gives more), through the real pipeline (export normaliser, effective stage,
// graph, checks, fix linking).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import type { Finding } from '../../src/model/finding.js';
import { TRUST_ONLY_EVIDENCE } from '../../src/checks/privilege-escalation.js';
import { ADMIN, DEV, PROD, allow, arn, deny, doc, snapshot, trust, type AccountSpec, type Doc } from '../graph/accounts.js';
import { sharedFixture, sharedFixturesPresent, SKIP_REASON } from '../support/fixtures.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const TECH = 'sts-assume-permissive-role';
const DEV_USER = arn(DEV, 'user', 'dev');
const AGENT = arn(DEV, 'role', 'agent');
const TARGET = arn(DEV, 'role', 'target');
/** Something harmless of its own, so the caller is analysed with a policy and holds no sts action. */
const OWN = doc(allow('s3:ListBucket', 'arn:aws:s3:::dev-bucket'));

interface Run { esc: Finding[]; reachesAdmin: boolean; report: ReturnType<typeof analyzeSnapshots>[number]['report'] }

function run(specs: AccountSpec[], who: string, fixes = false): Run {
  const out = analyzeSnapshots(specs.map(snapshot), defaultConfig(), { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes });
  const report = out.find((a) => a.report.findings.some((f) => f.principalArn === who))?.report ?? out[0]!.report;
  const all = out.flatMap((a) => a.report.findings).filter((f) => f.principalArn === who);
  return { esc: all.filter((f) => f.checkId === 'privilege-escalation' && f.technique === TECH), reachesAdmin: all.some((f) => f.checkId === 'reaches-admin'), report };
}

/** The user `dev` (own policies as given) and the role `target` (trust as given, administrator unless `power`). */
function userWorld(targetTrust: Doc, o: { own?: Doc[]; boundary?: Doc; scp?: Doc; power?: Doc } = {}): AccountSpec {
  return {
    users: [{ name: 'dev', inline: o.own ?? [OWN], ...(o.boundary ? { boundary: 'cap' } : {}) }],
    roles: [{ name: 'target', trust: targetTrust, inline: [o.power ?? ADMIN] }],
    ...(o.boundary ? { policies: { cap: o.boundary } } : {}),
    ...(o.scp ? { scps: [o.scp] } : {}),
  };
}

/** The role `agent` (trusted by EC2, own policies as given) and `target`. */
function roleWorld(targetTrust: Doc, o: { own?: Doc[]; boundary?: Doc } = {}): AccountSpec {
  return {
    roles: [
      { name: 'agent', trust: trust({ Service: 'ec2.amazonaws.com' }), inline: o.own ?? [OWN], ...(o.boundary ? { boundary: 'cap' } : {}) },
      { name: 'target', trust: targetTrust, inline: [ADMIN] },
    ],
    ...(o.boundary ? { policies: { cap: o.boundary } } : {}),
  };
}

const boundaryWithout = doc(allow('s3:*')); // allows no sts action
const boundaryWith = doc(allow(['s3:*', 'sts:AssumeRole']));

describe('same account, the trust names the caller: no sts:AssumeRole of its own needed', () => {
  it("the user's ARN: critical privilege-escalation, said as needing no Allow, the trust as evidence", () => {
    const r = run([userWorld(trust({ AWS: DEV_USER }))], DEV_USER);
    expect(r.esc).toHaveLength(1);
    const f = r.esc[0]!;
    expect(f.severity).toBe('critical');
    expect(f.title).toBe('dev can escalate privileges: Assume a role whose trust policy already allows the caller');
    expect(f.description).toContain('is allowed no sts:AssumeRole by its own policies and needs none');
    expect(f.description).not.toContain('is allowed sts:AssumeRole');
    expect(f.description).toContain('It reaches target, which adds administrator access');
    expect(f.actions).toEqual(['sts:AssumeRole']);
    expect(f.evidence).toEqual([{ kind: 'attribute', name: TRUST_ONLY_EVIDENCE, value: 'target' }]);
    // The graph said so before this session: the two agree now.
    expect(r.reachesAdmin).toBe(true);
  });

  it('`{"AWS": "*"}` without a condition (through the "trusts any principal" hub): found', () => {
    const r = run([userWorld(trust({ AWS: '*' }))], DEV_USER);
    expect(r.esc.map((f) => f.severity)).toEqual(['critical']);
    expect(r.esc[0]!.description).toContain('roles of 111111111111 that trust any principal');
  });

  it("a role caller named by its role ARN: found; the caller's boundary without sts:AssumeRole stops it (a role ARN is limited by the boundary's implicit deny); one that allows it does not", () => {
    expect(run([roleWorld(trust({ AWS: AGENT }))], AGENT).esc.map((f) => f.severity)).toEqual(['critical']);
    expect(run([roleWorld(trust({ AWS: AGENT }), { boundary: boundaryWithout })], AGENT).esc).toEqual([]);
    expect(run([roleWorld(trust({ AWS: AGENT }), { boundary: boundaryWith })], AGENT).esc.map((f) => f.severity)).toEqual(['critical']);
  });

  it("a role caller named by a session of it: the boundary does not limit it (granted directly to the session)", () => {
    const session = `arn:aws:sts::${DEV}:assumed-role/agent/run-1`;
    expect(run([roleWorld(trust({ AWS: session }), { boundary: boundaryWithout })], AGENT).esc.map((f) => f.severity)).toEqual(['critical']);
  });

  it("a user named by its ARN: its boundary's implicit deny does not limit it; an explicit Deny in the boundary does", () => {
    expect(run([userWorld(trust({ AWS: DEV_USER }), { boundary: boundaryWithout })], DEV_USER).esc.map((f) => f.severity)).toEqual(['critical']);
    expect(run([userWorld(trust({ AWS: DEV_USER }), { boundary: doc(allow('s3:*'), deny('sts:AssumeRole')) })], DEV_USER).esc).toEqual([]);
  });
});

describe('negative controls: where IAM still needs more than the trust', () => {
  it('the trust names the account (root or bare id): not found without the Allow, found with it', () => {
    for (const who of [`arn:aws:iam::${DEV}:root`, DEV]) {
      const r = run([userWorld(trust({ AWS: who }))], DEV_USER);
      expect(r.esc).toEqual([]);
      expect(r.reachesAdmin).toBe(false);
      const withAllow = run([userWorld(trust({ AWS: who }), { own: [OWN, doc(allow('sts:AssumeRole', TARGET))] })], DEV_USER).esc;
      expect(withAllow.map((f) => f.severity)).toEqual(['critical']);
      expect(withAllow[0]!.description).toContain('is allowed sts:AssumeRole');
      expect(withAllow[0]!.evidence.every((e) => e.kind === 'statement')).toBe(true);
    }
  });

  it("another account's role trusting the caller's ARN: not found without the caller's Allow, found with it", () => {
    const prod: AccountSpec = { id: PROD, roles: [{ name: 'target', trust: trust({ AWS: DEV_USER }), inline: [ADMIN] }] };
    const dev = (own: Doc[]): AccountSpec => ({ users: [{ name: 'dev', inline: own }] });
    expect(run([dev([OWN]), prod], DEV_USER).esc).toEqual([]);
    expect(run([dev([OWN, doc(allow('sts:AssumeRole', arn(PROD, 'role', 'target')))]), prod], DEV_USER).esc.map((f) => f.severity)).toEqual(['critical']);
  });

  it('`{"AWS": "*"}` in another account: not found without the Allow', () => {
    const prod: AccountSpec = { id: PROD, roles: [{ name: 'target', trust: trust({ AWS: '*' }), inline: [ADMIN] }] };
    expect(run([{ users: [{ name: 'dev', inline: [OWN] }] }, prod], DEV_USER).esc).toEqual([]);
  });

  it("an explicit Deny of sts:AssumeRole in the caller's own policy, or in an SCP: not found", () => {
    expect(run([userWorld(trust({ AWS: DEV_USER }), { own: [OWN, doc(deny('sts:AssumeRole'))] })], DEV_USER).esc).toEqual([]);
    expect(run([userWorld(trust({ AWS: DEV_USER }), { scp: doc(allow('*'), deny('sts:AssumeRole', TARGET)) })], DEV_USER).esc).toEqual([]);
    // An SCP that allows no sts action (an allow-list): the SCP must allow too.
    expect(run([userWorld(trust({ AWS: DEV_USER }), { scp: doc(allow('s3:*')) })], DEV_USER).esc).toEqual([]);
    // Control: an SCP that allows everything leaves it found.
    expect(run([userWorld(trust({ AWS: DEV_USER }), { scp: doc(allow('*')) })], DEV_USER).esc).toHaveLength(1);
  });

  it('a trust Deny, or a condition that cannot hold for the caller (aws:PrincipalAccount of another account): not found', () => {
    const denied = doc({ Effect: 'Allow', Principal: { AWS: DEV_USER }, Action: 'sts:AssumeRole' }, { Effect: 'Deny', Principal: { AWS: DEV_USER }, Action: 'sts:AssumeRole' });
    expect(run([userWorld(denied)], DEV_USER).esc).toEqual([]);
    expect(run([userWorld(trust({ AWS: '*' }, { StringEquals: { 'aws:PrincipalAccount': PROD } }))], DEV_USER).esc).toEqual([]);
  });

  it('a target that gives nothing more: no escalation', () => {
    expect(run([userWorld(trust({ AWS: DEV_USER }), { power: OWN })], DEV_USER).esc).toEqual([]);
    // Control: a target that adds destructive actions is high.
    expect(run([userWorld(trust({ AWS: DEV_USER }), { power: doc(allow('s3:DeleteBucket')) })], DEV_USER).esc.map((f) => f.severity)).toEqual(['high']);
  });
});

describe("the caller's own conditional sts:AssumeRole", () => {
  const mfa = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
  it('does not lower a hop to a role whose trust names it (no Allow needed); it does where the trust names the account', () => {
    const own = [OWN, doc(allow('sts:AssumeRole', TARGET, mfa))];
    const named = run([userWorld(trust({ AWS: DEV_USER }), { own })], DEV_USER).esc;
    expect(named.map((f) => f.severity)).toEqual(['critical']);
    // Its own policies hold the action: the ordinary words, not the trust-only ones.
    expect(named[0]!.description).toContain('is allowed sts:AssumeRole (only when a condition holds)');
    expect(run([userWorld(trust({ AWS: DEV }), { own })], DEV_USER).esc.map((f) => f.severity)).toEqual(['medium']);
  });
});

describe('fix linking', () => {
  // An AI agent role (tagged), so the fix stage plans for it.
  const agentWorld = (targetTrust: Doc, own: Doc[]): AccountSpec => ({
    roles: [
      { name: 'agent', trust: trust({ Service: 'ec2.amazonaws.com' }), tags: { 'ai-agent': 'true' }, inline: own },
      { name: 'target', trust: targetTrust, inline: [ADMIN] },
    ],
  });
  const resolvers = (r: Run, f: Finding) => r.report.fixes.filter((x) => x.resolves.includes(f.id)).map((x) => x.kind);

  it('a trust-only finding is claimed by none of its own fixes (a session of it is named: no Allow to remove, no boundary that limits it)', () => {
    const r = run([agentWorld(trust({ AWS: `arn:aws:sts::${DEV}:assumed-role/agent/run-1` }), [OWN])], AGENT, true);
    expect(r.esc).toHaveLength(1);
    expect(r.report.fixes.filter((x) => x.principalArn === AGENT).length).toBeGreaterThan(0);
    expect(resolvers(r, r.esc[0]!)).toEqual([]);
    expect(r.esc[0]!.remediation).toContain('trust policy');
  });

  it('control: the same escalation through its own Allow (trust names the account) is claimed as before', () => {
    const r = run([agentWorld(trust({ AWS: DEV }), [OWN, doc(allow('sts:AssumeRole', TARGET))])], AGENT, true);
    expect(r.esc).toHaveLength(1);
    expect(resolvers(r, r.esc[0]!).length).toBeGreaterThan(0);
  });
});

describe('pathfinding.cloud sts-001 (../shared/fixtures/privesc-catalog, read at test time)', () => {
  const file = sharedFixture('privesc-catalog/pathfinding-cloud-paths.json');
  const path = sharedFixturesPresent
    ? (JSON.parse(readFileSync(file, 'utf8')) as { id: string; prerequisites: { admin: string[] } }[]).find((p) => p.id === 'sts-001')
    : undefined;

  it.skipIf(!path)(`its same-account edge case: a role trusting the starting user explicitly needs no sts:AssumeRole; trusting root needs it (${sharedFixturesPresent ? 'catalogue present' : SKIP_REASON})`, () => {
    const prereq = path!.prerequisites.admin;
    // The catalogue's own words for both halves, so a change of the entry shows here.
    expect(prereq.some((s) => /trusts the starting principal explicitly/.test(s) && /does not need `sts:AssumeRole`/.test(s))).toBe(true);
    expect(prereq.some((s) => /trusts the account root/.test(s) && /with `sts:AssumeRole` permission/.test(s))).toBe(true);
    // The starting principal of the catalogue's example is a user (`user/startUser`).
    const start = arn(DEV, 'user', 'startUser');
    const world = (t: Doc, own: Doc[]): AccountSpec => ({ users: [{ name: 'startUser', inline: own }], roles: [{ name: 'admin-role', trust: t, inline: [ADMIN] }] });
    expect(run([world(trust({ AWS: start }), [OWN])], start).esc.map((f) => f.severity)).toEqual(['critical']);
    expect(run([world(trust({ AWS: `arn:aws:iam::${DEV}:root` }), [OWN])], start).esc).toEqual([]);
    expect(run([world(trust({ AWS: `arn:aws:iam::${DEV}:root` }), [OWN, doc(allow('sts:AssumeRole', arn(DEV, 'role', 'admin-role')))])], start).esc).toHaveLength(1);
  });
});
