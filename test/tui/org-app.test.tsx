// The organization view: `leash tui` on an organization.json lists agent principals, findings and
// accounts with an ACCOUNT column, and one account filter narrows all three. The member reports
// are real scans (the demo account through the whole pipeline); organization.json is a
// schema-valid document pointing at them, as `leash scan --org` lays them out.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTui } from '../../src/cli/commands/tui.js';
import { InputError } from '../../src/model/errors.js';
import type { OrganizationReport } from '../../src/model/organization-report.js';
import type { Report } from '../../src/model/report.js';
import { findLatestOrganizationReport, loadOrganizationView, organizationReportPath } from '../../src/tui/org-files.js';
import { OrgApp } from '../../src/tui/OrgApp.js';
import { findLatestReport, loadReport } from '../../src/tui/report-files.js';
import { runCli } from '../support/cli.js';
import { KEYS, renderTui } from '../support/render-tui.js';
import { organizationReportSchemaErrors } from '../support/schema.js';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
let root: string;
let orgFile: string;
let demo: Report;

function orgReport(): OrganizationReport {
  const agents = (id: string) =>
    demo.principals
      .filter((p) => p.isAgent)
      .map((p) => ({ accountId: id, arn: p.arn.replace(demo.scan.account.id, id), name: p.name, kind: p.kind, riskScore: p.riskScore, findings: demo.findings.filter((f) => f.principalArn === p.arn).length, evidence: ['trust-policy'] }));
  const counts = { principals: demo.principals.length, agentPrincipals: demo.principals.filter((p) => p.isAgent).length, findingsBySeverity: { critical: 1, high: 2, medium: 0, low: 0, info: 0 } };
  return {
    schemaVersion: '1.0.0',
    kind: 'organization',
    tool: { name: 'leash', version: '0.1.0' },
    scan: { id: 'org-1', startedAt: '2026-12-03T06:00:00Z', finishedAt: '2026-12-03T06:01:00Z', organizationId: 'o-test12345', managementAccountId: '123456789012', roleName: 'leash-scanner', sources: [] },
    coverage: { accountsListed: 3, accountsScanned: 2, accountsFailed: 1, accountsSkipped: 0 },
    accounts: [
      { id: A, name: 'payments', status: 'scanned', reportDir: `${A}/20261203T060000Z`, scanId: 's-a' },
      { id: B, name: 'ml-platform', status: 'scanned', reportDir: `${B}/20261203T060000Z`, scanId: 's-b' },
      { id: C, name: 'legacy', status: 'failed', reason: 'AccessDenied assuming leash-scanner' },
    ],
    agentPrincipals: [...agents(A), ...agents(B)].sort((x, y) => y.riskScore - x.riskScore),
    countsByAccount: { [A]: counts, [B]: counts },
    errors: [],
  };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'leash-org-tui-'));
  const scanned = join(root, 'demo-scan');
  const r = await runCli(['scan', '--demo', '--reports', scanned]);
  expect(r.code).toBeLessThan(2);
  const latest = findLatestReport(scanned)!;
  demo = loadReport(latest.path);
  for (const id of [A, B]) cpSync(dirname(latest.path), join(root, 'reports', id, '20261203T060000Z'), { recursive: true });
  orgFile = join(root, 'reports', 'organizations', 'o-test12345', '20261203T060000Z', 'organization.json');
  mkdirSync(dirname(orgFile), { recursive: true });
  const doc = orgReport();
  expect(organizationReportSchemaErrors(doc)).toEqual([]);
  writeFileSync(orgFile, JSON.stringify(doc, null, 2));
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('organization report files', () => {
  it('finds organization.json by file, folder and --org; a per-account report is not one', () => {
    expect(organizationReportPath(orgFile)).toBe(orgFile);
    expect(organizationReportPath(dirname(orgFile))).toBe(orgFile);
    expect(findLatestOrganizationReport(join(root, 'reports'))).toBe(orgFile);
    expect(organizationReportPath(join(root, 'reports', A, '20261203T060000Z', 'report.json'))).toBeUndefined();
    expect(findLatestOrganizationReport(join(root, 'demo-scan'))).toBeUndefined();
  });

  it("loads every scanned account's findings, tagged with the account", () => {
    const v = loadOrganizationView(orgFile);
    expect(demo.findings.length).toBeGreaterThan(0);
    expect(v.findings.filter((f) => f.accountId === A)).toHaveLength(demo.findings.length);
    expect(v.findings.filter((f) => f.accountId === B)).toHaveLength(demo.findings.length);
    expect(v.findings.some((f) => f.accountId === C)).toBe(false); // failed: no report
    expect(v.unreadable).toEqual([]);
  });

  it('a reportDir climbing out of the reports root is not read; a file that is no organization report is bad input naming the field', () => {
    const doc = orgReport();
    const evil = { ...doc, accounts: [{ ...doc.accounts[0]!, reportDir: `../../demo-scan/${relative(join(root, 'demo-scan'), dirname(findLatestReport(join(root, 'demo-scan'))!.path))}` }] };
    const f = join(root, 'evil-organization.json');
    writeFileSync(f, JSON.stringify({ ...evil, kind: 'organization' }));
    const v = loadOrganizationView(f);
    expect(v.findings).toEqual([]);
    expect(v.unreadable.map((u) => u.accountId)).toEqual([A]);
    const bad = join(root, 'bad-organization.json');
    writeFileSync(bad, JSON.stringify({ ...doc, kind: 'account' }));
    expect(() => loadOrganizationView(bad)).toThrow(InputError);
    expect(() => loadOrganizationView(bad)).toThrow(/\$\.kind/);
  });
});

describe('leash tui --org', () => {
  it('with no organization report under --reports: exit 2 and says how to make one', async () => {
    const err: string[] = [];
    const code = await startTui({ org: true, reports: join(root, 'demo-scan') }, true, { isTTY: true, err: (l) => err.push(l) });
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/no organization report under .*leash scan --org/);
  });
});

describe('OrgApp', () => {
  it('lists agent principals with an ACCOUNT column; the account filter narrows to one account and back', async () => {
    const view = loadOrganizationView(orgFile);
    const t = await renderTui(<OrgApp view={view} source="organization.json" />, { columns: 120, rows: 40 });
    const agentName = view.report.agentPrincipals[0]!.name;
    let f = t.frame();
    expect(f).toContain('ACCOUNT');
    expect(f).toContain('o-test12345');
    expect(f).toContain(agentName);
    expect(f).toContain(A);
    expect(f).toContain(B);
    expect(f).toContain('account: all');
    await t.press('a');
    f = t.frame();
    expect(f).toContain(`account: ${A} (payments)`);
    expect(f).toContain(agentName);
    // Negative control: the other account's rows are gone.
    expect(f).not.toContain(B);
    await t.press('a');
    f = t.frame();
    expect(f).toContain(B);
    expect(f.split('\n').filter((l) => l.includes(A))).toEqual([]);
    await t.press('a', 'a'); // C (nothing), then all again
    expect(t.frame()).toContain('account: all');
    t.unmount();
  });

  it('findings tab: every account\'s findings, filtered by the same account filter; accounts tab shows the failed account and why', async () => {
    const view = loadOrganizationView(orgFile);
    const t = await renderTui(<OrgApp view={view} source="organization.json" />, { columns: 140, rows: 60 });
    await t.press(KEYS.tab);
    let f = t.frame();
    expect(f).toContain(`Findings (${2 * demo.findings.length})`);
    expect(f).toContain('SEVERITY');
    const top = view.findings[0]!;
    expect(f).toContain(top.checkId.slice(0, 22));
    await t.press('A'); // previous from all: the last account, which failed and has no findings
    f = t.frame();
    expect(f).toContain(`account: ${C} (legacy)`);
    expect(f).toContain('Findings (0)');
    expect(f).toContain('Nothing in this account');
    await t.press('A');
    expect(t.frame()).toContain(`Findings (${demo.findings.length})`);
    await t.press(KEYS.tab);
    f = t.frame();
    expect(f).toContain('Accounts (1)');
    expect(f).toContain('ml-platform');
    expect(f).not.toContain('legacy');
    await t.press('a'); // B → C
    f = t.frame();
    expect(f).toContain('failed');
    expect(f).toContain('AccessDenied assuming leash-scanner');
    t.unmount();
  });
});
