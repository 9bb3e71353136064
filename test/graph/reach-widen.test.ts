// The report's reach summary (`graph.reach[].gains`, the TUI's "Can become") asked by where, not
// only by what (session 38): an agent holding dynamodb:DeleteTable only on kiro-scratch-* tables
// that may assume a role holding it on every table gains destructive actions, as
// privilege-escalation says of the same reach (session 37). Through the real analysis: export
// normaliser, effective stage, graph, checks, report.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import { POWER_TIERS, type PowerTier, type PrincipalReach } from '../../src/model/graph.js';
import type { Finding } from '../../src/model/finding.js';
import { DEV, allow, arn, doc, snapshot, type AccountSpec } from './accounts.js';
import { AGENT, TYPE_WIDE, account, deleteTable, table } from '../support/tier-scope.js';
import { reportSchemaErrors } from '../support/schema.js';
import { storedReport } from '../../src/report/documents.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false };

function analysis(spec: AccountSpec): { reach: PrincipalReach | undefined; findings: Finding[] } {
  const [a] = analyzeSnapshots([snapshot(spec)], defaultConfig(), opts);
  return { reach: a!.report.graph!.reach.find((r) => r.principalArn === AGENT), findings: a!.report.findings.filter((f) => f.principalArn === AGENT) };
}
const reachOf = (spec: AccountSpec) => analysis(spec).reach;

describe('graph.reach[].gains: a reached role holding on every resource what the agent holds on named ones', () => {
  it('DeleteTable only on kiro-scratch-* itself, every table as deploy: gains destructive, says which action, path to deploy', () => {
    const r = reachOf(account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable('*')] }))!;
    expect(r.gains).toBe('destructive');
    expect(r.widened).toEqual(['dynamodb:DeleteTable']);
    expect(r.path?.to).toBe(arn(DEV, 'role', 'deploy'));
  });

  it('controls: own `*`, own `table/*`, or the role only on other named tables: no gain, nothing widened', () => {
    for (const spec of [
      account([deleteTable('*')], { deploy: [deleteTable('*')] }),
      account([deleteTable(TYPE_WIDE)], { deploy: [deleteTable('*')] }),
      account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable(table('kiro-tmp-*'))] }),
    ]) {
      const r = reachOf(spec)!;
      expect(r.gains).toBeUndefined();
      expect(r.widened).toBeUndefined();
    }
  });

  it('a type-wide grant of the reached role (`table/*`) widens by the strict rule; with a Condition it does not', () => {
    const r = reachOf(account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable(TYPE_WIDE)] }))!;
    expect(r.gains).toBe('destructive');
    expect(r.widened).toEqual(['dynamodb:DeleteTable']);
    const c = reachOf(account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable(TYPE_WIDE, { Bool: { 'aws:SecureTransport': 'true' } })] }))!;
    expect(c.gains).toBeUndefined();
    expect(c.widened).toBeUndefined();
  });

  it('the agent\'s `*` left on kiro-scratch-* tables by a Deny with NotResource is widened too (grantScope decides, session 38); behind a Condition it is not', () => {
    const deny = (extra = {}) => ({ Effect: 'Deny', Action: 'dynamodb:DeleteTable', NotResource: table('kiro-scratch-*'), ...extra });
    expect(reachOf(account([deleteTable('*'), deny()], { deploy: [deleteTable('*')] }))!.widened).toEqual(['dynamodb:DeleteTable']);
    expect(reachOf(account([deleteTable('*'), deny({ Condition: { Bool: { 'aws:ViaAWSService': 'false' } } })], { deploy: [deleteTable('*')] }))!.widened).toBeUndefined();
  });

  it('a hop action the graph follows itself (iam:PassRole) is not widened', () => {
    const r = reachOf(account([allow('iam:PassRole', arn(DEV, 'role', 'kiro-*'))], { deploy: [allow('iam:PassRole')] }))!;
    expect(r.widened).toBeUndefined();
  });

  it('beside a new action that decides a tier, the widening is listed; a higher widened tier decides', () => {
    const r = reachOf(account([allow('iam:DeleteRolePolicy', arn(DEV, 'role', 'kiro-*'))], { deploy: [allow('iam:DeleteRolePolicy'), allow('cloudformation:DeleteStack')] }))!;
    expect(r.gains).toBe('iam-write');
    expect(r.widened).toEqual(['iam:DeleteRolePolicy']);
    // Control: the same role without the widened action gains destructive only (the new action).
    const c = reachOf(account([allow('iam:DeleteRolePolicy', arn(DEV, 'role', 'kiro-*'))], { deploy: [allow('cloudformation:DeleteStack')] }))!;
    expect(c.gains).toBe('destructive');
    expect(c.widened).toBeUndefined();
  });

  it('the summary and privilege-escalation agree on the DeleteTable reach (the finding the check writes)', () => {
    const { reach, findings } = analysis(account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable('*')] }));
    const f = findings.find((x) => x.checkId === 'privilege-escalation' && x.technique === 'sts-assume-permissive-role');
    expect(f?.title).toContain('gaining dynamodb:DeleteTable on every resource');
    expect(reach!.gains).toBe('destructive');
  });
});

describe('report.json: schema 1.11.0', () => {
  it('a report whose reach lists `widened` satisfies the published schema (stored form too); a malformed one does not', () => {
    const [a] = analyzeSnapshots([snapshot(account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable('*')] }))], defaultConfig(), opts);
    const report = a!.report;
    expect(report.schemaVersion).toBe('1.13.0');
    expect(report.graph!.reach.some((r) => r.widened)).toBe(true);
    expect(reportSchemaErrors(report)).toEqual([]);
    expect(reportSchemaErrors(storedReport(report))).toEqual([]);
    const bad = JSON.parse(JSON.stringify(report)) as { graph: { reach: { widened?: unknown }[] } };
    bad.graph.reach.find((r) => r.widened)!.widened = [1];
    expect(reportSchemaErrors(bad).join('\n')).toMatch(/widened/);
  });
});

// Reached-role statements from a pool (scoped first: fast-check favours the first constants).
const POOL: unknown[] = [
  deleteTable(table('kiro-tmp-*')), deleteTable('*'), deleteTable(TYPE_WIDE), deleteTable(table('prod-orders')),
  allow('iam:DeleteRolePolicy', arn(DEV, 'role', 'kiro-*')), allow('iam:DeleteRolePolicy'), deleteTable(TYPE_WIDE, { Bool: { 'aws:SecureTransport': 'true' } }),
  { Effect: 'Deny', Action: 'dynamodb:DeleteTable', Resource: table('prod-*') },
];
const OWN: unknown[][] = [[deleteTable(table('kiro-scratch-*'))], [deleteTable(table('kiro-scratch-*')), allow('iam:DeleteRolePolicy', arn(DEV, 'role', 'kiro-agent'))], [], [deleteTable('*')]];
const rank = (t: PowerTier | undefined) => (t === undefined ? POWER_TIERS.length : POWER_TIERS.indexOf(t));
const TIER_OF: Record<string, PowerTier> = { 'administrator access': 'admin', 'IAM write actions': 'iam-write', 'destructive actions': 'destructive', 'credential access': 'credential-access', 'data reads on every resource': 'data-read' };

describe('properties', () => {
  it('adding an Allow to the reached role never lowers what the summary says the agent gains; the summary never says less than privilege-escalation', () => {
    let widened = 0;
    fc.assert(fc.property(fc.array(fc.constantFrom(...POOL), { maxLength: 3 }), fc.constantFrom(...POOL.filter((s) => (s as { Effect: string }).Effect === 'Allow')), fc.constantFrom(...OWN), (base, extra, own) => {
      const before = analysis(account(own, { deploy: base }));
      const after = analysis(account(own, { deploy: [...base, extra] }));
      expect(rank(after.reach?.gains)).toBeLessThanOrEqual(rank(before.reach?.gains));
      for (const { reach, findings } of [before, after]) {
        const esc = findings.find((f) => f.checkId === 'privilege-escalation' && f.technique === 'sts-assume-permissive-role');
        const tier = esc ? TIER_OF[/which adds ([a-zA-Z ]+?)[.(]/.exec(esc.description)![1]!.trim()] : undefined;
        expect(rank(reach?.gains)).toBeLessThanOrEqual(rank(tier));
        if (reach?.widened) widened++;
      }
    }), { numRuns: 30, examples: [[[], deleteTable('*'), OWN[0]!]] });
    // Some draws were decided by a widening (the example is one), not only by new actions.
    expect(widened).toBeGreaterThan(0);
  });
});
