import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { register, runDiffCommand } from '../../src/cli/commands/diff.js';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK } from '../../src/cli/exit-codes.js';
import type { ReportDiff } from '../../src/report/diff.js';
import { writeReportBundle } from '../../src/report/write.js';
import { ACCOUNT, buildReport, CI_USER, laterReport } from '../report/support.js';

let root: string;
let reports: string;
let olderDir: string;
let newerDir: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'leash-diff-cli-'));
  reports = join(root, 'reports');
  olderDir = (await writeReportBundle(buildReport(), { reportsRoot: reports, formats: ['json'] })).dir;
  newerDir = (await writeReportBundle(laterReport(), { reportsRoot: reports, formats: ['json'] })).dir;
});
afterEach(async () => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  await rm(root, { recursive: true, force: true });
});

/** Run `leash diff …` through commander, capturing what it prints. */
async function leashDiff(...args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number | string | undefined }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const program = new Command('leash').exitOverride();
  register(program);
  await program.parseAsync(['diff', ...args], { from: 'user' });
  const exitCode = process.exitCode;
  vi.restoreAllMocks();
  return { stdout, stderr, exitCode };
}

describe('leash diff', () => {
  it('compares previous with latest from the history (one account, no --account needed)', async () => {
    const out = await leashDiff('previous', 'latest', '--reports', reports);
    expect(out.exitCode).toBe(EXIT_OK);
    expect(out.stdout).toContain(`account ${ACCOUNT}`);
    expect(out.stdout).toContain('new findings: 1');
    expect(out.stdout).toContain('resolved findings: 1');
    expect(out.stdout).toContain(`  - ${CI_USER.arn}`);
  });

  it('accepts scan directories and report.json paths, and prints JSON with --json', async () => {
    const out = await leashDiff(olderDir, join(newerDir, 'report.json'), '--json');
    const diff = JSON.parse(out.stdout) as ReportDiff;
    expect(diff.old.scanId).toBe(buildReport().scan.id);
    expect(diff.new.scanId).toBe(laterReport().scan.id);
    expect(diff.newFindings).toHaveLength(1);
    expect(diff.findings.changed).toHaveLength(2);
    expect(diff.permissionGrowth[0]!.after).toBe(980);
  });

  it('--fail-on-new exits 1 only when there are new unsuppressed findings', async () => {
    expect((await leashDiff('previous', 'latest', '--reports', reports, '--fail-on-new')).exitCode).toBe(EXIT_FINDINGS);
    expect((await leashDiff('latest', 'latest', '--reports', reports, '--fail-on-new')).exitCode).toBe(EXIT_OK);
    // Only suppressed findings are new: not a failure.
    const suppressedOnly = buildReport({ findings: buildReport().findings.filter((f) => f.suppressed), startedAt: '2026-11-02T00:00:00.000Z' });
    const withSuppressed = (await writeReportBundle(suppressedOnly, { reportsRoot: reports, formats: ['json'] })).dir;
    const emptyDir = (await writeReportBundle(buildReport({ findings: [], startedAt: '2026-10-01T00:00:00.000Z' }), { reportsRoot: reports, formats: ['json'] })).dir;
    expect((await leashDiff(emptyDir, withSuppressed, '--fail-on-new')).exitCode).toBe(EXIT_OK);
  });

  it('bad input: exit 2 with the path and what was expected, nothing on stdout', async () => {
    const out = await leashDiff(join(root, 'missing.json'), 'latest', '--reports', reports);
    expect(out.exitCode).toBe(EXIT_ERROR);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('missing.json: expected a report.json file, a scan directory, or latest / previous');
  });

  it('asks for --account when the history holds several accounts', async () => {
    await writeReportBundle(buildReport({ accountId: '444455556666' }), { reportsRoot: reports, formats: ['json'] });
    const r = await runDiffCommand('previous', 'latest', { reports });
    expect(r.exitCode).toBe(EXIT_ERROR);
    expect(r.stderr).toContain('--account ID');
    const ok = await runDiffCommand('previous', 'latest', { reports, account: ACCOUNT });
    expect(ok.exitCode).toBe(EXIT_OK);
  });
});
