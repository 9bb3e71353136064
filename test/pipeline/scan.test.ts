import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { SCAN_INDEX_FILE } from '../../src/report/scan-index.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScan, runScanWithFixes, scanAndWrite, withFirstSeen } from '../../src/pipeline/scan.js';
import { sharedFixture, sharedFixturesPresent, SKIP_REASON } from '../support/fixtures.js';
import { reportSchemaErrors } from '../support/schema.js';
import { authDetails, doc } from '../support/snapshot.js';

const NOW = new Date('2026-11-24T07:00:00Z');

describe('demo account scan', () => {
  it('finds the kiro-agent role as an agent with critical destructive access, and the report fits the schema', async () => {
    const report = await runScan({ demo: true, now: NOW });
    expect(reportSchemaErrors(report)).toEqual([]);
    const kiro = report.principals.find((p) => p.name === 'kiro-agent')!;
    expect(kiro.isAgent).toBe(true);
    expect(kiro.permissions.destructiveActions).toContain('cloudformation:DeleteStack');
    expect(kiro.permissions.destructiveActions).toContain('elasticbeanstalk:TerminateEnvironment');
    const destructive = report.findings.find((f) => f.checkId === 'destructive-actions' && f.principalArn === kiro.arn)!;
    expect(destructive.severity).toBe('critical');
    expect(report.principals[0]!.riskScore).toBeGreaterThanOrEqual(kiro.riskScore);
    // The well-built MCP role is an agent too, but has no destructive access.
    const mcp = report.principals.find((p) => p.name === 'mcp-cost-explorer-readonly')!;
    expect(mcp.isAgent).toBe(true);
    expect(mcp.permissions.destructiveActions).toEqual([]);
    expect(report.findings.filter((f) => f.principalArn === mcp.arn && (f.severity === 'critical' || f.severity === 'high'))).toEqual([]);
  });

  it('is reproducible: same input and clock → same findings and ids', async () => {
    const a = await runScan({ demo: true, now: NOW });
    const b = await runScan({ demo: true, now: NOW });
    expect(b.findings.map((f) => f.id)).toEqual(a.findings.map((f) => f.id));
    expect(b).toEqual(a);
  });

  it('plans verified fixes for the agent role: boundary denies DeleteStack without approval', async () => {
    const { report, fixPlans } = await runScanWithFixes({ demo: true, fixes: true, now: NOW });
    expect(reportSchemaErrors(report)).toEqual([]);
    const kiro = report.principals.find((p) => p.name === 'kiro-agent')!;
    const fixes = report.fixes.filter((f) => f.principalArn === kiro.arn);
    const boundary = fixes.find((f) => f.kind === 'permissions-boundary')!;
    expect(boundary.verification.forbiddenStillAllowed).toEqual([]);
    expect(boundary.countsAfter!.destructiveActions).toBe(0);
    expect(boundary.countsBefore!.destructiveActions).toBeGreaterThan(50);
    expect(fixes.map((f) => f.kind)).toEqual(expect.arrayContaining(['permissions-boundary', 'trust-policy', 'max-session-duration']));
    const finding = report.findings.find((f) => f.checkId === 'destructive-actions' && f.principalArn === kiro.arn)!;
    expect(finding.fixIds).toContain(boundary.id);
    expect(fixPlans.some((p) => p.principalName === 'kiro-agent')).toBe(true);
  });

  it('with the demo CloudTrail: a verified right-sized policy for kiro-agent that keeps every observed call and denies DeleteStack', async () => {
    const { report } = await runScanWithFixes({ demo: true, fixes: true, now: NOW });
    expect(report.scan.coverage.usage.status).toBe('complete');
    const kiro = report.principals.find((p) => p.name === 'kiro-agent')!;
    expect(kiro.baseline).toMatchObject({ basis: 'observed', covered: true });
    expect(kiro.baseline!.excessPercent).toBeGreaterThan(50);
    const replace = report.fixes.find((f) => f.principalArn === kiro.arn && f.kind === 'replace-policy')!;
    expect(replace.verification).toMatchObject({ safe: true, observedCallsDenied: [], forbiddenStillAllowed: [] });
    expect(replace.verification.observedCallsChecked).toBeGreaterThan(5);
    expect(replace.countsAfter!.destructiveActions).toBe(0);
    expect(replace.countsAfter!.allowedActions).toBeLessThan(replace.countsBefore!.allowedActions);
    const statements = (Array.isArray(replace.after) ? replace.after : [replace.after]).flatMap((d: { statements: { action?: string[] }[] }) => d.statements);
    expect(statements.some((s: { action?: string[] }) => s.action?.some((a) => /DeleteStack|cloudformation:\*|cloudformation:Delete/.test(a)))).toBe(false);
    // The incident pattern: the engineer's SSO admin session driven by Claude Code deleting a stack.
    const sso = report.principals.find((p) => p.name.startsWith('AWSReservedSSO_AdministratorAccess'))!;
    const driven = report.findings.find((f) => f.checkId === 'human-session-driven-by-agent' && f.principalArn === sso.arn)!;
    expect(driven.severity).toBe('critical');
    expect(sso.agentEvidence.some((e) => e.kind === 'cloudtrail-user-agent' && e.tool === 'claude-code')).toBe(true);
    // One definition of agent principal: the engineer's session driven by an AI tool counts, with its kind.
    expect(sso.isAgent).toBe(true);
    expect(sso.agentKind).toBe('ai-driven-human-session');
    // Unattributed ce:GetCostAndUsage was denied for kiro-agent: attempted, not needed.
    expect(kiro.usage!.byService.ce).toBeUndefined();
  });

  it('names every escalation technique a fix leaves open, and only those', async () => {
    const { report } = await runScanWithFixes({ demo: true, fixes: true, now: NOW });
    const open = (f: { notes: readonly string[] }) => f.notes.filter((n) => n.startsWith('Escalation still open after this fix: '));
    for (const f of report.fixes) expect(open(f)).toHaveLength(f.countsAfter?.escalationTechniques ?? 0);
    // The engineer's admin session keeps sts:AssumeRole (roles it may assume are the trust policies' call).
    const sso = report.principals.find((p) => p.name.startsWith('AWSReservedSSO_AdministratorAccess'))!;
    const boundary = report.fixes.find((f) => f.principalArn === sso.arn && f.kind === 'permissions-boundary')!;
    expect(boundary.countsAfter!.escalationTechniques).toBeGreaterThan(0);
    expect(open(boundary).join('\n')).toMatch(/\(sts:AssumeRole\) — sts:AssumeRole is left to the trust policies/);
    // Negative control: kiro-agent's boundary closes every technique, so it names none.
    const kiro = report.principals.find((p) => p.name === 'kiro-agent')!;
    const kb = report.fixes.find((f) => f.principalArn === kiro.arn && f.kind === 'permissions-boundary')!;
    expect(kb.countsAfter!.escalationTechniques).toBe(0);
    expect(open(kb)).toEqual([]);
  });

  it('writes the bundle with fixes, and a second scan carries a delta against the first', async () => {
    const root = mkdtempSync(join(tmpdir(), 'leash-scan-'));
    const first = await scanAndWrite({ demo: true, fixes: true, reportsRoot: root, now: NOW });
    expect(existsSync(join(first.dir, 'report.json'))).toBe(true);
    expect(readdirSync(first.dir).sort()).toEqual(expect.arrayContaining(['report.json', 'report.sarif', 'summary.md', 'fixes']));
    // ASFF is for a Security Hub import: written when asked for (below), not by default.
    expect(readdirSync(first.dir)).not.toContain('findings.asff.json');
    const kiroDir = join(first.dir, 'fixes', 'role-kiro-agent');
    expect(readdirSync(kiroDir)).toEqual(expect.arrayContaining(['main.tf', 'apply.sh', 'README.md', 'trust.json']));
    // Its boundary is shared by content: written once under fixes/boundaries/, named in apply.sh.
    const name = /shared_boundary_check '(leash-boundary-[0-9a-f]{12})'/.exec(readFileSync(join(kiroDir, 'apply.sh'), 'utf8'))![1]!;
    const boundary = JSON.parse(readFileSync(join(first.dir, 'fixes', 'boundaries', name, 'boundary.json'), 'utf8')) as { Statement: { Effect: string; Condition?: unknown }[] };
    expect(boundary.Statement.some((s) => s.Effect === 'Deny' && s.Condition)).toBe(true);
    const second = await scanAndWrite({ demo: true, reportsRoot: root, now: new Date(NOW.getTime() + 60_000), formats: ['json', 'sarif', 'asff', 'md'] });
    expect(second.report.delta?.previousScanId).toBe(first.report.scan.id);
    expect(second.report.delta?.newFindings).toEqual([]);
    expect(reportSchemaErrors(second.report)).toEqual([]);
    // Every finding keeps the day it was first seen, and Security Hub gets that as its age.
    expect(first.report.findings.every((f) => f.firstSeen === first.report.scan.startedAt)).toBe(true);
    expect(second.report.findings.every((f) => f.firstSeen === first.report.scan.startedAt)).toBe(true);
    const asff = JSON.parse(readFileSync(join(second.dir, 'findings.asff.json'), 'utf8')) as { CreatedAt: string; FindingProviderFields?: unknown }[];
    expect(new Set(asff.map((f) => f.CreatedAt))).toEqual(new Set([first.report.scan.startedAt]));
    // Unchanged since the first scan's import: Security Hub already holds their severity and types.
    expect(asff.filter((f) => f.FindingProviderFields !== undefined)).toEqual([]);
  });
});

describe('withFirstSeen', () => {
  it('carries a finding\'s first sighting over from the previous scan, and dates new ones to this scan', async () => {
    const a = await runScan({ demo: true, now: NOW });
    const b = await runScan({ demo: true, now: new Date(NOW.getTime() + 3_600_000) });
    const dropped = a.findings[0]!.id;
    const previous = withFirstSeen({ ...a, findings: a.findings.filter((f) => f.id !== dropped) }, undefined);
    const later = withFirstSeen(b, previous);
    expect(later.findings.find((f) => f.id === dropped)!.firstSeen).toBe(b.scan.startedAt);
    expect(later.findings.filter((f) => f.id !== dropped).every((f) => f.firstSeen === a.scan.startedAt)).toBe(true);
  });
});

describe('the delta after a scan that read IAM only in part', () => {
  it('is taken against the newest complete scan, so findings the partial scan missed are not "new"', async () => {
    const root = mkdtempSync(join(tmpdir(), 'leash-partial-'));
    const admin = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
    const complete = join(root, 'complete.json');
    writeFileSync(complete, JSON.stringify(authDetails([{ name: 'kiro-agent', inline: [admin] }, { name: 'other', inline: [admin] }])));
    // The same account, but other's policy is unreadable: its findings go missing from that scan.
    const partialExport = authDetails([{ name: 'kiro-agent', inline: [admin] }, { name: 'other', inline: [admin] }]) as { RoleDetailList: { RolePolicyList: { PolicyDocument: unknown }[] }[] };
    partialExport.RoleDetailList[1]!.RolePolicyList[0]!.PolicyDocument = { Version: '2012-10-17', Statement: 7 };
    const partial = join(root, 'partial.json');
    writeFileSync(partial, JSON.stringify(partialExport));
    const at = (m: number) => new Date(NOW.getTime() + m * 60_000);
    const first = await scanAndWrite({ input: complete, reportsRoot: join(root, 'r'), now: at(0) });
    const second = await scanAndWrite({ input: partial, reportsRoot: join(root, 'r'), now: at(1) });
    expect(second.report.scan.coverage.iam).toBe('partial');
    const third = await scanAndWrite({ input: complete, reportsRoot: join(root, 'r'), now: at(2) });
    expect(third.report.delta?.previousScanId).toBe(first.report.scan.id);
    expect(third.report.delta?.newFindings).toEqual([]);
  });
});

describe.skipIf(!sharedFixturesPresent)(`real exports scan end to end${sharedFixturesPresent ? '' : ` — skipped: ${SKIP_REASON}`}`, () => {
  it.each(['cloudsplaining-example-authz-details.json', 'cloudmapper-demo-authorization-details.json'])('%s', async (file) => {
    const report = await runScan({ input: sharedFixture(`authorization-details/${file}`), fixes: true, now: NOW });
    expect(reportSchemaErrors(report)).toEqual([]);
    expect(report.errors).toEqual([]);
    expect(report.summary.principals).toBeGreaterThan(0);
    // Both exports hold an administrator (AdministratorAccess user; a role allowing "*").
    expect(report.findings.some((f) => f.checkId === 'admin-access')).toBe(true);
  });

  it('flags the cloudmapper role trusted by "*" with Action "*"', async () => {
    const report = await runScan({ input: sharedFixture('authorization-details/cloudmapper-demo-authorization-details.json'), now: NOW });
    const bad = report.findings.filter((f) => f.principalArn.endsWith('/bad_role'));
    expect(bad.map((f) => f.checkId)).toEqual(expect.arrayContaining(['admin-access', 'trust-policy-too-broad']));
    expect(bad.find((f) => f.checkId === 'trust-policy-too-broad')!.severity).toBe('critical');
  });
});

describe('a user renamed between two scans (UpdateUser keeps its UserId)', () => {
  it('is one principal: the delta lists the rename, no finding is new, firstSeen carries over', async () => {
    const root = mkdtempSync(join(tmpdir(), 'leash-rename-'));
    const demo = JSON.parse(readFileSync(join(import.meta.dirname, '../../demo/authorization-details.json'), 'utf8')) as { UserDetailList: { UserName: string; Arn: string; UserId: string; Path?: string }[] };
    const user = demo.UserDetailList.find((u) => u.UserName === 'cursor-ci-bot')!;
    const before = join(root, 'before.json');
    writeFileSync(before, JSON.stringify(demo));
    const oldArn = user.Arn;
    user.UserName = 'cursor-ci-bot-renamed';
    user.Arn = oldArn.replace(/cursor-ci-bot$/, 'cursor-ci-bot-renamed');
    const after = join(root, 'after.json');
    writeFileSync(after, JSON.stringify(demo));
    const first = await scanAndWrite({ input: before, reportsRoot: join(root, 'r'), formats: ['json'], now: NOW });
    const second = await scanAndWrite({ input: after, reportsRoot: join(root, 'r'), formats: ['json'], now: new Date(NOW.getTime() + 60_000) });
    const had = first.report.findings.filter((f) => f.principalArn === oldArn);
    expect(had.length).toBeGreaterThan(0);
    expect(second.report.principals.find((p) => p.arn === user.Arn)?.uniqueId).toBe(user.UserId);
    expect(second.report.delta?.principalsRenamed).toEqual([{ uniqueId: user.UserId, from: oldArn, to: user.Arn }]);
    expect(second.report.delta?.newFindings).toEqual([]);
    expect(second.report.delta?.resolvedFindings).toEqual([]);
    const now = second.report.findings.filter((f) => f.principalArn === user.Arn);
    expect(now.map((f) => f.firstSeen)).toEqual(had.map(() => first.report.scan.startedAt));
    expect(reportSchemaErrors(second.report)).toEqual([]);
  });
});

describe('the previous scan read through its index (report/scan-index.ts)', () => {
  const later = new Date(NOW.getTime() + 60_000);
  /** The first scan's history, with its index rewritten by `edit` (undefined: the index removed). */
  async function history(edit?: (index: { findings: unknown[][] }) => void, remove = false): Promise<{ root: string; first: Awaited<ReturnType<typeof scanAndWrite>> }> {
    const root = mkdtempSync(join(tmpdir(), 'leash-index-'));
    const first = await scanAndWrite({ demo: true, reportsRoot: root, formats: ['json', 'md'], now: NOW });
    const file = join(first.dir, SCAN_INDEX_FILE);
    if (remove) rmSync(file);
    else if (edit) {
      const index = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as { findings: unknown[][] };
      edit(index);
      writeFileSync(file, gzipSync(JSON.stringify(index)));
    }
    return { root, first };
  }

  it('is written beside the report, and a second scan is the same with it or without it', async () => {
    const withIndex = await history();
    expect(readdirSync(withIndex.first.dir)).toContain(SCAN_INDEX_FILE);
    const without = await history(undefined, true);
    const a = await scanAndWrite({ demo: true, reportsRoot: withIndex.root, formats: ['json', 'md'], now: later });
    const b = await scanAndWrite({ demo: true, reportsRoot: without.root, formats: ['json', 'md'], now: later });
    expect(a.report.delta?.previousScanId).toBe(withIndex.first.report.scan.id);
    expect(a.report).toEqual(b.report);
    expect(readFileSync(join(a.dir, 'summary.md'), 'utf8')).toBe(readFileSync(join(b.dir, 'summary.md'), 'utf8'));
  });

  it('is what the delta and firstSeen come from when it names the previous scan; for ASFF, only an index written with ASFF', async () => {
    const OLD = '2020-01-01T00:00:00.000Z';
    const { root, first } = await history((index) => { for (const f of index.findings) f[8] = OLD; }); // f[8]: a finding's firstSeen (scan-index.ts)
    const second = await scanAndWrite({ demo: true, reportsRoot: root, formats: ['json'], now: later });
    expect(second.report.findings.length).toBeGreaterThan(0);
    expect(second.report.findings.every((f) => f.firstSeen === OLD)).toBe(true);
    // An index written without ASFF cannot say what a RESOLVED finding was: a scan writing ASFF reads the report.
    const fresh = await history((index) => { for (const f of index.findings) f[8] = OLD; });
    const asff = await scanAndWrite({ demo: true, reportsRoot: fresh.root, formats: ['json', 'asff'], now: later });
    expect(asff.report.findings.every((f) => f.firstSeen === first.report.scan.startedAt)).toBe(true);
    // That scan wrote ASFF, so its index holds what ASFF needs: the next scan writing ASFF reads the index.
    const indexFile = join(asff.dir, SCAN_INDEX_FILE);
    const index = JSON.parse(gunzipSync(readFileSync(indexFile)).toString('utf8')) as { findings: unknown[][]; asff?: unknown };
    expect(index.asff).toBeDefined();
    for (const f of index.findings) f[8] = OLD;
    writeFileSync(indexFile, gzipSync(JSON.stringify(index)));
    const next = await scanAndWrite({ demo: true, reportsRoot: fresh.root, formats: ['json', 'asff'], now: new Date(later.getTime() + 60_000) });
    expect(next.report.delta?.previousScanId).toBe(asff.report.scan.id);
    expect(next.report.findings.every((f) => f.firstSeen === OLD)).toBe(true);
  });

  it('gives ASFF the same RESOLVED findings as the whole previous report', async () => {
    const demo = join(import.meta.dirname, '../../demo');
    const full = JSON.parse(readFileSync(join(demo, 'authorization-details.json'), 'utf8')) as { RoleDetailList: { Arn: string }[]; UserDetailList: { Arn: string }[] };
    const tmp = mkdtempSync(join(tmpdir(), 'leash-asff-'));
    const base = { cloudtrail: [join(demo, 'cloudtrail')], config: join(demo, 'leash.config.yaml'), formats: ['json', 'asff'] as const, fixes: true };
    const a = join(tmp, 'a.json');
    writeFileSync(a, JSON.stringify(full));
    /** Two scans (the second without a role and a user that had findings); `read` decides how the second finds the first. */
    async function asffOfSecond(read: 'index' | 'report'): Promise<{ text: string; archived: number }> {
      const root = mkdtempSync(join(tmp, 'h-'));
      const first = await scanAndWrite({ ...base, input: a, reportsRoot: root, now: NOW });
      const gone = new Set(first.report.findings.map((f) => f.principalArn));
      const b = join(root, 'b.json');
      writeFileSync(b, JSON.stringify({ ...full, RoleDetailList: full.RoleDetailList.filter((r, i) => !(gone.has(r.Arn) && i === full.RoleDetailList.findIndex((x) => gone.has(x.Arn)))), UserDetailList: full.UserDetailList.filter((u) => !gone.has(u.Arn)) }));
      if (read === 'report') rmSync(join(first.dir, SCAN_INDEX_FILE));
      const second = await scanAndWrite({ ...base, input: b, reportsRoot: root, now: later });
      const text = readFileSync(join(second.dir, 'findings.asff.json'), 'utf8');
      return { text, archived: (JSON.parse(text) as { RecordState: string }[]).filter((f) => f.RecordState === 'ARCHIVED').length };
    }
    const viaIndex = await asffOfSecond('index');
    const viaReport = await asffOfSecond('report');
    expect(viaIndex.archived).toBeGreaterThan(1);
    expect(viaIndex.text).toBe(viaReport.text);
  });
});

describe('scan history edge cases', () => {
  it('says so when the previous scan cannot be read, instead of silently dropping the delta', async () => {
    const root = mkdtempSync(join(tmpdir(), 'leash-prev-'));
    const first = await scanAndWrite({ demo: true, reportsRoot: root, formats: ['json'], now: NOW });
    writeFileSync(join(first.dir, 'report.json'), '{"schemaVersion": "1.0.0", "broken": ');
    const second = await scanAndWrite({ demo: true, reportsRoot: root, formats: ['json'], now: new Date(NOW.getTime() + 60_000) });
    expect(second.report.delta).toBeUndefined();
    expect(second.report.errors.some((e) => /previous scan could not be read/.test(e.message))).toBe(true);
    expect(reportSchemaErrors(second.report)).toEqual([]);
  });
});
