// src/cli/commands/report.ts: `leash report --format …` renders an existing scan again, writing each
// file atomically beside the report (or into --output).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORMAT_FILES } from '../../src/report/formats.js';
import { renderFormat, writeReportBundle } from '../../src/report/write.js';
import { runCli } from '../support/cli.js';
import { buildReport } from '../report/support.js';

async function scanOnDisk(): Promise<{ root: string; dir: string }> {
  const root = mkdtempSync(join(tmpdir(), 'leash-report-cmd-'));
  const { dir } = await writeReportBundle(buildReport(), { reportsRoot: root, formats: ['json'] });
  return { root, dir };
}

describe('leash report --format', () => {
  it('writes the formats beside the report, each with the same content a scan bundle has', async () => {
    const { root, dir } = await scanOnDisk();
    const r = await runCli(['report', '--reports', root, '--format', 'sarif,asff,md', '--region', 'eu-west-1']);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')).toEqual(['report.sarif', 'findings.asff.json', 'summary.md'].map((f) => join(dir, f)));
    const report = buildReport();
    expect(readFileSync(join(dir, FORMAT_FILES.sarif), 'utf8')).toBe(renderFormat(report, 'sarif'));
    expect(readFileSync(join(dir, FORMAT_FILES.asff), 'utf8')).toBe(renderFormat(report, 'asff', { asffRegion: 'eu-west-1' }));
    expect(readFileSync(join(dir, FORMAT_FILES.md), 'utf8')).toBe(renderFormat(report, 'md'));
    expect(readdirSync(dir).filter((n) => n.startsWith('.leash-tmp'))).toEqual([]);
  });

  it('when one file cannot be written, exits 2 naming it and leaves the others as they were (no half-written SARIF)', async () => {
    const { root, dir } = await scanOnDisk();
    // Given an earlier SARIF, and something in the way of summary.md
    writeFileSync(join(dir, 'report.sarif'), 'last week\'s SARIF\n');
    mkdirSync(join(dir, 'summary.md'));
    const r = await runCli(['report', '--reports', root, '--format', 'sarif,md']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(join(dir, 'summary.md'));
    expect(r.err).toContain('expected a file leash may replace, got a directory');
    expect(r.out).toBe('');
    expect(readFileSync(join(dir, 'report.sarif'), 'utf8')).toBe('last week\'s SARIF\n');
    expect(readdirSync(dir).sort()).toEqual(['.leash-bundle', '.leash-index.json.gz', 'report.json', 'report.sarif', 'summary.md']);
  });

  it('an --output that cannot be a directory is exit 2 naming it, not a stack trace', async () => {
    const { root } = await scanOnDisk();
    const blocker = join(root, 'a-file');
    writeFileSync(blocker, 'x');
    const r = await runCli(['report', '--reports', root, '--format', 'json', '--output', join(blocker, 'out')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^leash: /);
    expect(r.err).toContain(blocker);
  });

  it('a mistyped --format is reported as such, before looking for a report', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'leash-report-empty-'));
    const r = await runCli(['report', '--reports', empty, '--format', 'sraif']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--format: expected one or more of json, sarif, asff, md, ndjson, csv, html or all, comma-separated, got sraif');
  });
});
