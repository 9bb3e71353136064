// A role whose trust names an agent that never assumed it: the finding, its fix (the role's trust
// policy without the agent), and every "unknown is not unused" case that must claim nothing.
import { describe, expect, it } from 'vitest';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { runChecks } from '../../src/checks/run.js';
import { defaultConfig } from '../../src/config/config.js';
import { catalog } from '../../src/iam/catalog.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { analyzeSnapshot } from '../../src/pipeline/scan.js';
import { fixFiles } from '../../src/fix/write.js';
import { renderSummary } from '../../src/report/summary-text.js';
import type { ActionUsage, PrincipalUsage, UsageData } from '../../src/model/usage.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import { policyToJson } from '../../src/iam/parse.js';
import { ACCOUNT, doc, snapshotOf, type RoleSpec } from '../support/snapshot.js';

const expander = new ActionExpander(catalog());
const NOW = new Date('2026-11-24T12:00:00Z');
const WINDOW = { start: '2026-10-25T00:00:00Z', end: '2026-11-24T00:00:00Z' };
const arn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const KIRO = arn('kiro-agent');
const DEPLOYER = arn('prod-deployer');
const trusts = (...aws: string[]) => doc({ Sid: 'Deploys', Effect: 'Allow', Principal: { AWS: aws.length === 1 ? aws[0] : aws }, Action: 'sts:AssumeRole' });
const destroyer = doc({ Effect: 'Allow', Action: ['cloudformation:*', 'dynamodb:DeleteTable'], Resource: '*' });
const kiroPolicy = doc({ Effect: 'Allow', Action: ['cloudformation:Describe*', 'sts:AssumeRole'], Resource: '*' });

function use(action: string, resources: string[] = [], extra: Partial<ActionUsage> = {}): ActionUsage {
  return { action, count: 3, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z', resources, ...extra };
}
function activity(principalArn: string, actions: ActionUsage[]): PrincipalUsage {
  return { principalArn, actions, sessions: [], userAgents: { 'kiro/1.0': 42 }, sourceIps: [], firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' };
}
function usage(byPrincipal: PrincipalUsage[], covered: UsageData['coveredPrincipals'] = 'all'): UsageData {
  return { window: WINDOW, coveredPrincipals: covered, recordsRead: 100, unmapped: [], byPrincipal: Object.fromEntries(byPrincipal.map((u) => [u.principalArn, u])) };
}
const kiroActs = (actions: ActionUsage[] = [use('cloudformation:DescribeStacks')]) => activity(KIRO, actions);

function world(deployer: Partial<RoleSpec>, u: UsageData | undefined, more: RoleSpec[] = []): Snapshot {
  return snapshotOf([
    { name: 'kiro-agent', inline: [kiroPolicy] },
    { name: 'prod-deployer', trust: trusts(KIRO), inline: [destroyer], lastUsed: null, ...deployer },
    ...more,
  ], {}, u ? { usage: u } : {});
}
function findings(s: Snapshot) {
  const config = defaultConfig();
  return runChecks({ snapshot: s, principals: analyzePrincipals(s, config, expander), config, expander, now: NOW }).findings.filter((f) => f.checkId === 'unused-agent-trust');
}
const analysis = (s: Snapshot) => analyzeSnapshot(s, defaultConfig(), { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: true });

describe('unused-agent-trust: the finding', () => {
  it('names the role and the agent that never assumed it, high when the role can destroy', () => {
    const fs = findings(world({}, usage([kiroActs()])));
    expect(fs).toHaveLength(1);
    expect(fs[0]!.principalArn).toBe(DEPLOYER);
    expect(fs[0]!.severity).toBe('high');
    expect(fs[0]!.subject).toBe(`agent:${KIRO}`);
    expect(fs[0]!.title).toContain('kiro-agent');
    expect(fs[0]!.evidence.some((e) => e.kind === 'statement' && e.sid === 'Deploys')).toBe(true);
    expect(fs[0]!.evidence.some((e) => e.kind === 'usage' && e.events === 42)).toBe(true);
  });

  it('is medium when the role can neither destroy nor escalate (negative control for the severity)', () => {
    const fs = findings(world({ inline: [doc({ Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' })] }, usage([kiroActs()])));
    expect(fs.map((f) => f.severity)).toEqual(['medium']);
  });

  it('claims nothing when the agent was seen assuming the role', () => {
    expect(findings(world({}, usage([kiroActs([use('sts:AssumeRole', [DEPLOYER])])])))).toHaveLength(0);
  });

  it('claims nothing when the agent\'s AssumeRole resources were cut short and do not list the role', () => {
    expect(findings(world({}, usage([kiroActs([use('sts:AssumeRole', [arn('other')], { truncated: true })])])))).toHaveLength(0);
    // Control: the same list, complete, proves the role was not among them.
    expect(findings(world({}, usage([kiroActs([use('sts:AssumeRole', [arn('other')])])])))).toHaveLength(1);
  });

  it('claims nothing when the agent is not covered by the usage sources, or there is no usage at all', () => {
    expect(findings(world({}, usage([kiroActs()], [])))).toHaveLength(0);
    expect(findings(world({}, undefined))).toHaveLength(0);
    expect(findings(world({}, usage([kiroActs()], [KIRO])))).toHaveLength(1);
  });

  it('claims nothing when the role was used in the window but nobody was seen assuming it (the trail misses assumptions)', () => {
    expect(findings(world({ lastUsed: '2026-11-20T08:00:00Z' }, usage([kiroActs()])))).toHaveLength(0);
    expect(findings(world({}, usage([kiroActs(), activity(DEPLOYER, [use('cloudformation:DeleteStack')])])))).toHaveLength(0);
    // Used before the window: nothing in the window to explain.
    expect(findings(world({ lastUsed: '2026-09-01T08:00:00Z' }, usage([kiroActs()])))).toHaveLength(1);
  });

  it('still claims it when the role was used in the window by someone the trail saw assuming it', () => {
    const ci = arn('ci-runner');
    const u = usage([kiroActs(), activity(ci, [use('sts:AssumeRole', [DEPLOYER])]), activity(DEPLOYER, [use('cloudformation:DeleteStack')])]);
    const fs = findings(world({ trust: trusts(KIRO, ci), lastUsed: '2026-11-20T08:00:00Z' }, u, [{ name: 'ci-runner', inline: [kiroPolicy] }]));
    expect(fs.map((f) => f.subject)).toEqual([`agent:${KIRO}`]);
  });

  it('ignores principals that are not agents, the account root, patterns and Deny statements', () => {
    const person = arn('alice-admin');
    const deny = doc({ Effect: 'Deny', Principal: { AWS: KIRO }, Action: 'sts:AssumeRole' }, { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' });
    expect(findings(world({ trust: trusts(person) }, usage([kiroActs()]), [{ name: 'alice-admin', inline: [kiroPolicy] }]))).toHaveLength(0);
    expect(findings(world({ trust: deny }, usage([kiroActs()])))).toHaveLength(0);
  });
});

describe('unused-agent-trust: the fix', () => {
  it('removes only the agent from a statement that trusts others too, and verifies', () => {
    const ci = arn('ci-runner');
    const r = analysis(world({ trust: trusts(KIRO, ci) }, usage([kiroActs()]), [{ name: 'ci-runner', inline: [kiroPolicy] }]));
    const plan = r.fixPlans.find((p) => p.principalArn === DEPLOYER)!;
    expect(plan.fixes.map((f) => f.kind)).toEqual(['trust-policy']);
    const after = plan.fixes[0]!.after as PolicyDocument;
    const principals = after.statements.flatMap((s) => (s.principal && s.principal !== '*' ? s.principal.AWS ?? [] : []));
    expect(principals).toEqual([ci]);
    expect(plan.fixes[0]!.verification.safe).toBe(true);
    const finding = r.report.findings.find((f) => f.checkId === 'unused-agent-trust')!;
    expect(finding.fixIds).toEqual([plan.fixes[0]!.id]);
    expect(plan.readme).toContain('never assumed');
    // The agent's own lines in the terminal summary point at the role.
    expect(renderSummary(r.report)).toMatch(/kiro-agent[\s\S]*trusted by, never assumed: prod-deployer/);
  });

  it('quarantines the role when the agent was all it trusted (every caller denied), and says deleting is the owner\'s call', () => {
    const r = analysis(world({}, usage([kiroActs()])));
    const fix = r.fixPlans.find((p) => p.principalArn === DEPLOYER)!.fixes[0]!;
    const after = fix.after as PolicyDocument;
    expect(after.statements.every((s) => s.effect === 'Deny')).toBe(true);
    expect(after.statements[0]!.principal).toEqual({ AWS: ['*'] });
    expect(fix.notes.join(' ')).toMatch(/quarantined.*leash deletes nothing/);
    // The reviewer's files: the new trust.json, an apply.sh that backs up and updates the trust
    // policy of this role only, and Terraform that adopts the existing role.
    const files = new Map(fixFiles(r.fixPlans.find((p) => p.principalArn === DEPLOYER)!).map((f) => [f.path, f.content]));
    expect(JSON.parse(files.get('trust.json')!).Statement[0].Effect).toBe('Deny');
    expect(files.get('apply.sh')).toContain('update-assume-role-policy');
    expect(files.get('apply.sh')).not.toMatch(/put-role-permissions-boundary|create-policy /);
    expect(files.get('main.tf')).toMatch(/import \{[\s\S]*aws_iam_role\.role_prod-deployer/);
  });

  it('closes the hop in the access graph: with the new trust policy applied, the agent no longer reaches the role', () => {
    const before = analysis(world({}, usage([kiroActs()])));
    const reaches = (r: typeof before) => r.graph.reachable(KIRO, 'possible').some((n) => n.principal?.arn === DEPLOYER);
    expect(reaches(before)).toBe(true);
    const after = before.fixPlans.find((p) => p.principalArn === DEPLOYER)!.fixes[0]!.after as PolicyDocument;
    const applied = world({ trust: policyToJson(after) as never }, usage([kiroActs()]));
    const again = analysis(applied);
    expect(reaches(again)).toBe(false);
    expect(again.report.findings.filter((f) => f.checkId === 'unused-agent-trust')).toHaveLength(0);
  });

  it('gives a role with no such finding no trust-only fix (negative control), and an agent role keeps its full plan', () => {
    const used = analysis(world({}, usage([kiroActs([use('sts:AssumeRole', [DEPLOYER])])])));
    expect(used.fixPlans.find((p) => p.principalArn === DEPLOYER)).toBeUndefined();
    expect(used.fixPlans.find((p) => p.principalArn === KIRO)!.fixes.length).toBeGreaterThan(0);
    expect(renderSummary(used.report)).not.toContain('trusted by, never assumed');
  });

  it('folds the removal into an agent role\'s own trust fix when the trusting role is itself an agent', () => {
    const helper = arn('claude-code-helper');
    const s = snapshotOf([
      { name: 'kiro-agent', inline: [kiroPolicy] },
      { name: 'claude-code-helper', trust: trusts(KIRO, `arn:aws:iam::${ACCOUNT}:root`), inline: [destroyer], lastUsed: null },
    ], {}, { usage: usage([kiroActs()]) });
    const plan = analysis(s).fixPlans.find((p) => p.principalArn === helper)!;
    const trust = plan.fixes.find((f) => f.kind === 'trust-policy')!;
    const named = (trust.after as PolicyDocument).statements.flatMap((x) => (x.principal && x.principal !== '*' ? x.principal.AWS ?? [] : []));
    expect(named).not.toContain(KIRO);
    expect(named).toContain(`arn:aws:iam::${ACCOUNT}:root`);
    expect(plan.fixes.some((f) => f.kind === 'permissions-boundary')).toBe(true);
  });
});
