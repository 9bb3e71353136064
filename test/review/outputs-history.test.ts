// Review R2: what dashboards and Security Hub are told between scans. A scan whose IAM read broke
// half-way must not close findings it could not see; Security Hub must get severity changes the way
// it accepts them; the Markdown summary stays bounded; retention keeps a usable base for the next delta.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/model/errors.js';
import type { Report, ScanError } from '../../src/model/index.js';
import { toAsff } from '../../src/report/asff.js';
import { computeDelta, diffReports } from '../../src/report/diff.js';
import { loadReport, pruneScans } from '../../src/report/history.js';
import { REPORT_FILE } from '../../src/report/report-file.js';
import { toMarkdown } from '../../src/report/markdown.js';
import { writeReportBundle } from '../../src/report/write.js';
import { ACCOUNT, buildReport, CI_USER, CLAUDE, COVERAGE, finding, KIRO } from '../report/support.js';

/** The same account, read again, but the IAM read stopped after KIRO (throttled): CLAUDE and ci-deployer are unseen. */
function partialRead(startedAt = '2026-11-25T03:00:00.000Z'): Report {
  const full = buildReport();
  return buildReport({
    startedAt,
    principals: [KIRO],
    findings: full.findings.filter((f) => f.principalArn === KIRO.arn),
    coverage: { ...COVERAGE, iam: 'partial' },
    errors: [{ source: 'authorization-details-api', code: 'throttled', message: 'GetAccountAuthorizationDetails: Rate exceeded (page 2 of 4)' }],
  });
}

describe('a scan whose IAM read broke half-way', () => {
  it('does not call the findings of principals it never read resolved, nor the principals removed', () => {
    const before = buildReport();
    const after = partialRead();
    const unseen = before.findings.filter((f) => f.principalArn !== KIRO.arn).map((f) => f.id);
    expect(unseen.length).toBeGreaterThan(0);
    const delta = computeDelta(before, after);
    expect(delta.resolvedFindings.filter((id) => unseen.includes(id))).toEqual([]);
    expect(delta.principalsRemoved).toEqual([]);
    expect(diffReports(before, after).findings.unverified.map((f) => f.id).sort()).toEqual([...unseen].sort());
  });

  it('still resolves a finding of a principal it did read', () => {
    const before = buildReport();
    const after = { ...partialRead(), findings: [] };
    const kiroFindings = before.findings.filter((f) => f.principalArn === KIRO.arn).map((f) => f.id);
    expect([...computeDelta(before, after).resolvedFindings].sort()).toEqual([...kiroFindings].sort());
  });

  it('with a complete read, a deleted principal is removed and its findings resolved', () => {
    const before = buildReport();
    const after = buildReport({ startedAt: '2026-11-25T03:00:00.000Z', principals: [KIRO, CLAUDE], findings: before.findings.filter((f) => f.principalArn !== CI_USER.arn) });
    expect(computeDelta(before, after).principalsRemoved).toEqual([CI_USER.arn]);
  });

  it('does not send Security Hub ARCHIVED records for findings it could not see', () => {
    const out = toAsff(partialRead(), { region: 'eu-west-1', previous: buildReport() });
    expect(out.filter((f) => f.RecordState === 'ARCHIVED')).toEqual([]);
  });
});

describe('Security Hub updates', () => {
  it('carries severity and types in FindingProviderFields, which BatchImportFindings honours on an existing finding', () => {
    // Seen by an earlier scan, and no previous report says Security Hub already has these values.
    const f = { ...finding({ checkId: 'agent-privilege-escalation', principalArn: KIRO.arn, subject: 'iam-passrole-lambda', technique: 'iam-passrole-lambda', severity: 'critical' }), firstSeen: '2026-11-01T00:00:00.000Z' };
    const [a] = toAsff(buildReport({ findings: [f] }), { region: 'us-east-1' });
    expect(a!.FindingProviderFields).toEqual({ Severity: { Label: 'CRITICAL', Original: 'critical' }, Types: a!.Types });
    expect(a!.FindingProviderFields!.Types).toContain('TTPs/Privilege Escalation');
  });
});

describe('the Markdown summary', () => {
  it('stays bounded when a scan fails on thousands of CloudTrail files, and every error stays on one line', () => {
    const errors: ScanError[] = Array.from({ length: 3000 }, (_, i) => ({ source: 'cloudtrail-file', code: 'invalid-input', message: `trail/${i}.json: invalid JSON\nat line 2`, location: `trail/${i}.json` }));
    const md = toMarkdown(buildReport({ errors }));
    expect(md.split('\n').length).toBeLessThan(120);
    expect(md).toContain('more (scan errors and notes) in report.json');
    expect(md).not.toMatch(/\nat line 2/);
  });

  it('bounds permission growth like the other lists', () => {
    const agents = Array.from({ length: 50 }, (_, i) => ({ ...KIRO, arn: `arn:aws:iam::${ACCOUNT}:role/agent-${i}`, name: `agent-${i}` }));
    const delta = { previousScanId: 'p', newFindings: [], resolvedFindings: [], changedFindings: [], principalsAdded: [], principalsRemoved: [], permissionGrowth: agents.map((a, i) => ({ arn: a.arn, before: 10, after: 20 + i })) };
    const md = toMarkdown(buildReport({ principals: agents, findings: [], delta }));
    expect(md.match(/grew from/g)!.length).toBe(10);
    expect(md).toContain('40 more agents grew');
  });
});

describe('history', () => {
  let reports: string;
  beforeEach(async () => {
    reports = await mkdtemp(join(tmpdir(), 'leash-r2-hist-'));
  });
  afterEach(async () => {
    await rm(reports, { recursive: true, force: true });
  });

  it('retention keeps the only scan with a report.json when newer scans were written without one', async () => {
    const good = await writeReportBundle(buildReport({ startedAt: '2026-11-20T03:00:00.000Z' }), { reportsRoot: reports, formats: ['json', 'sarif'] });
    for (const d of ['2026-11-21', '2026-11-22']) await writeReportBundle(buildReport({ startedAt: `${d}T03:00:00.000Z` }), { reportsRoot: reports, formats: ['sarif'] });
    await pruneScans(reports, ACCOUNT, 1);
    const left = await readdir(join(reports, ACCOUNT));
    expect(left).toContain(good.dir.split('/').pop());
    expect((await loadReport('latest', { reportsRoot: reports, accountId: ACCOUNT })).scan.startedAt).toBe('2026-11-20T03:00:00.000Z');
  });

  it('retention keeps the newest complete scan when the newest ones read IAM only partly', async () => {
    const good = await writeReportBundle(buildReport({ startedAt: '2026-11-20T03:00:00.000Z' }), { reportsRoot: reports, formats: ['json'] });
    for (const d of ['2026-11-21', '2026-11-22']) await writeReportBundle(partialRead(`${d}T03:00:00.000Z`), { reportsRoot: reports, formats: ['json'] });
    const r = await pruneScans(reports, ACCOUNT, 1);
    expect(r.kept).toContain(good.dir.split('/').pop());
    expect(r.removed).toEqual(['2026-11-21T03-00-00.000Z']);
  });

  it('refuses a latest report of another account filed under this account', async () => {
    const dir = (await writeReportBundle(buildReport(), { reportsRoot: reports, formats: ['json'] })).dir;
    const other = buildReport({ accountId: '444455556666' });
    await writeFile(join(dir, REPORT_FILE), JSON.stringify(other));
    const e = await loadReport('latest', { reportsRoot: reports, accountId: ACCOUNT }).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).message).toMatch(/scan\.account\.id.*444455556666/);
  });
});
