import { comparableOf } from '../../src/report/scan-index.js';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FORMATS } from '../../src/report/formats.js';
import { listScans, loadReport, parseReport, pruneScans, readLatestPointer, TEMP_PREFIX } from '../../src/report/history.js';
import { renderFormat, writeFilesAtomic, writeReportBundle } from '../../src/report/write.js';
import { InputError } from '../../src/model/errors.js';
import { REPORT_SCHEMA_VERSION } from '../../src/model/report.js';
import { repoRoot } from '../support/fixtures.js';
import { ACCOUNT, buildReport, laterReport } from './support.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'leash-write-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const accountRoot = () => join(root, 'reports', ACCOUNT);
const reportsRoot = () => join(root, 'reports');

describe('writeReportBundle', () => {
  it('writes every format into reports/<account>/<timestamp>/ and points latest at it', async () => {
    const report = buildReport();
    const { dir, files } = await writeReportBundle(report, { reportsRoot: reportsRoot(), formats: [...FORMATS] });
    expect(dir).toBe(join(accountRoot(), '2026-11-24T03-00-00.000Z'));
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['report.json', 'report.sarif', 'findings.asff.json', 'summary.md', 'findings.ndjson', 'findings.csv', 'report.html']);
    // report.json keeps each policy document once (schema 1.3); parsing it puts them back.
    const text = await readFile(join(dir, 'report.json'), 'utf8');
    expect(Object.keys((JSON.parse(text) as { documents: object }).documents).length).toBeGreaterThan(0);
    // Read back whole, in this version's encoding (the test report is built as an older one).
    expect(parseReport(text, 'report.json')).toEqual({ ...report, schemaVersion: REPORT_SCHEMA_VERSION });
    expect(JSON.parse(await readFile(join(dir, 'report.sarif'), 'utf8')).version).toBe('2.1.0');
    expect(JSON.parse(await readFile(join(dir, 'findings.asff.json'), 'utf8'))).toHaveLength(report.findings.length);
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toContain('# leash scan — account 111122223333');
    expect(await readLatestPointer(reportsRoot(), ACCOUNT)).toBe('2026-11-24T03-00-00.000Z');
    expect((await readdir(accountRoot())).sort()).toEqual(['2026-11-24T03-00-00.000Z', 'latest']);
  });

  it('writes only the formats asked for, and fix artefacts from fixesWriter inside the bundle', async () => {
    const { dir, files } = await writeReportBundle(buildReport(), {
      reportsRoot: reportsRoot(),
      formats: ['sarif'],
      fixesWriter: async (d) => {
        await mkdir(join(d, 'fixes'));
        await writeFile(join(d, 'fixes', 'kiro-dev-agent.tf'), 'data "aws_iam_policy_document" "x" {}\n');
      },
    });
    expect(files).toEqual([join(dir, 'report.sarif')]);
    expect((await readdir(dir)).sort()).toEqual(['.leash-bundle', 'fixes', 'report.sarif']);
    expect(await readdir(join(dir, 'fixes'))).toEqual(['kiro-dev-agent.tf']);
  });

  it('moves latest forward for a newer scan but not back for an older one written later', async () => {
    await writeReportBundle(buildReport(), { reportsRoot: reportsRoot(), formats: ['json'] });
    await writeReportBundle(laterReport(), { reportsRoot: reportsRoot(), formats: ['json'] });
    expect(await readLatestPointer(reportsRoot(), ACCOUNT)).toBe('2026-11-25T03-00-00.000Z');
    await writeReportBundle(buildReport({ startedAt: '2026-11-20T03:00:00.000Z' }), { reportsRoot: reportsRoot(), formats: ['json'] });
    expect(await readLatestPointer(reportsRoot(), ACCOUNT)).toBe('2026-11-25T03-00-00.000Z');
    expect((await listScans(reportsRoot(), ACCOUNT)).map((s) => s.name)).toEqual([
      '2026-11-20T03-00-00.000Z',
      '2026-11-24T03-00-00.000Z',
      '2026-11-25T03-00-00.000Z',
    ]);
  });

  it('never overwrites a scan with the same start time: the second gets a suffix', async () => {
    const a = await writeReportBundle(buildReport({ scanId: 'a' }), { reportsRoot: reportsRoot(), formats: ['json'] });
    const b = await writeReportBundle(buildReport({ scanId: 'b' }), { reportsRoot: reportsRoot(), formats: ['json'] });
    expect(b.dir).toBe(`${a.dir}_2`);
    expect((await loadReport(a.dir)).scan.id).toBe('a');
    expect((await loadReport('latest', { reportsRoot: reportsRoot() })).scan.id).toBe('b');
  });

  it('--output DIR writes exactly there, replaces an older bundle whole, and leaves latest alone', async () => {
    const out = join(root, 'out', 'nightly');
    await writeReportBundle(buildReport(), { reportsRoot: reportsRoot(), outputDir: out, formats: ['json', 'md'] });
    // The scan index goes with report.json (scan-index.ts), and only with it.
    expect((await readdir(out)).sort()).toEqual(['.leash-bundle', '.leash-index.json.gz', 'report.json', 'summary.md']);
    await writeReportBundle(laterReport(), { reportsRoot: reportsRoot(), outputDir: out, formats: ['sarif'] });
    expect((await readdir(out)).filter((n) => n !== '.leash-bundle')).toEqual(['report.sarif']);
    expect(await readdir(join(root, 'out'))).toEqual(['nightly']);
    expect(await readLatestPointer(reportsRoot(), ACCOUNT)).toBeUndefined();
  });

  it('uses the previous report for "since last scan" in summary.md and resolved findings in ASFF', async () => {
    const previous = buildReport();
    const { dir } = await writeReportBundle(laterReport(), { reportsRoot: reportsRoot(), formats: ['md', 'asff'], previous: comparableOf(previous, { asff: true }), asffRegion: 'eu-central-1' });
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toContain(`Compared with \`${previous.scan.id}\``);
    const asff = JSON.parse(await readFile(join(dir, 'findings.asff.json'), 'utf8')) as { RecordState: string; Resources: { Region: string }[] }[];
    expect(asff.filter((f) => f.RecordState === 'ARCHIVED')).toHaveLength(1);
    // From a previous scan that holds only what comparing reads, ASFF archives nothing: it cannot say what a RESOLVED finding was.
    const { dir: indexOnly } = await writeReportBundle(laterReport('2026-11-25T04:00:00.000Z'), { reportsRoot: reportsRoot(), formats: ['asff'], previous: comparableOf(previous) });
    const partial = JSON.parse(await readFile(join(indexOnly, 'findings.asff.json'), 'utf8')) as { RecordState: string }[];
    expect(partial.filter((f) => f.RecordState === 'ARCHIVED')).toEqual([]);
    expect(asff[0]!.Resources[0]!.Region).toBe('eu-central-1');
  });

  it('a failure mid-write leaves no scan dir, no temp dir, and latest unchanged', async () => {
    const first = await writeReportBundle(buildReport(), { reportsRoot: reportsRoot(), formats: ['json'] });
    const failing = writeReportBundle(laterReport(), {
      reportsRoot: reportsRoot(),
      formats: [...FORMATS],
      fixesWriter: async (d) => {
        await writeFile(join(d, 'half-written.tf'), 'resource "aws_iam_role" {');
        throw new Error('disk full');
      },
    });
    await expect(failing).rejects.toThrow('disk full');
    expect((await readdir(accountRoot())).sort()).toEqual([first.dir.split('/').pop(), 'latest']);
    expect((await loadReport('latest', { reportsRoot: reportsRoot() })).scan.id).toBe(buildReport().scan.id);
  });

  it('report files and fix folders are written side by side: a failure in one waits for the other before the temp dir goes', async () => {
    const ac = new AbortController();
    let fixesFinished = false;
    const failing = writeReportBundle(buildReport(), {
      reportsRoot: reportsRoot(),
      formats: ['json', 'sarif', 'md'],
      signal: ac.signal,
      fixesWriter: async (d) => {
        // The report files are under way when this aborts; the next format sees it and fails.
        ac.abort(new Error('SIGTERM'));
        await new Promise((r) => setTimeout(r, 50));
        await writeFile(join(d, 'late.tf'), '# written after the other side failed');
        fixesFinished = true;
      },
    });
    await expect(failing).rejects.toThrow('SIGTERM');
    // Negative control for a Promise.all: the fixes writer was not still writing into a removed folder.
    expect(fixesFinished).toBe(true);
    expect(await readdir(accountRoot())).toEqual([]);
  });

  it('an aborted write is abandoned the same way', async () => {
    const ac = new AbortController();
    ac.abort(new Error('SIGTERM'));
    await expect(writeReportBundle(buildReport(), { reportsRoot: reportsRoot(), formats: ['json'], signal: ac.signal })).rejects.toThrow('SIGTERM');
    expect(await readdir(accountRoot())).toEqual([]);
  });

  it('a writer killed mid-write (SIGKILL) leaves only a temp dir that history ignores and prune removes', async () => {
    await writeReportBundle(buildReport(), { reportsRoot: reportsRoot(), formats: ['json'] });
    // Given a separate process that stops forever halfway through writing a newer bundle
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/report/write-and-hang.child.ts'), reportsRoot()], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    await new Promise<void>((resolveReady, reject) => {
      child.stdout.on('data', (b: Buffer) => b.toString().includes('halfway') && resolveReady());
      child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
    });
    // When it is killed without a chance to clean up
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;
    // Then the newer scan does not exist, only a temp dir does
    const names = await readdir(accountRoot());
    expect(names.filter((n) => n.startsWith(TEMP_PREFIX))).toHaveLength(1);
    expect((await listScans(reportsRoot(), ACCOUNT)).map((s) => s.name)).toEqual(['2026-11-24T03-00-00.000Z']);
    expect((await loadReport('latest', { reportsRoot: reportsRoot() })).scan.startedAt).toBe('2026-11-24T03:00:00.000Z');
    // And retention cleans the leftover
    const pruned = await pruneScans(reportsRoot(), ACCOUNT, 5);
    expect(pruned.staleTempsRemoved).toHaveLength(1);
    expect((await readdir(accountRoot())).sort()).toEqual(['2026-11-24T03-00-00.000Z', 'latest']);
  }, 30_000);
});

describe('writeFilesAtomic (files added to an existing directory, as `leash report --format` does)', () => {
  const listing = async (dir: string) => (await readdir(dir)).sort();

  it('writes every file and replaces older ones whole, leaving the rest of the directory alone', async () => {
    const dir = join(root, 'scan');
    await mkdir(join(dir, 'fixes'), { recursive: true });
    await writeFile(join(dir, 'report.sarif'), 'old sarif\n');
    const report = buildReport();
    const written = await writeFilesAtomic(dir, [
      { name: 'report.sarif', content: () => renderFormat(report, 'sarif') },
      { name: 'summary.md', content: () => renderFormat(report, 'md') },
    ]);
    expect(written).toEqual([join(dir, 'report.sarif'), join(dir, 'summary.md')]);
    expect(JSON.parse(await readFile(join(dir, 'report.sarif'), 'utf8')).version).toBe('2.1.0');
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toContain('# leash scan — account 111122223333');
    expect(await listing(dir)).toEqual(['fixes', 'report.sarif', 'summary.md']);
  });

  it('a renderer that throws after another succeeded changes nothing: old files intact, no new or temp files', async () => {
    const dir = join(root, 'scan');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'report.json'), '{"old": true}\n');
    await writeFile(join(dir, 'report.sarif'), 'old sarif\n');
    const rendered: string[] = [];
    const failing = writeFilesAtomic(dir, [
      { name: 'report.sarif', content: () => { rendered.push('sarif'); return renderFormat(buildReport(), 'sarif'); } },
      { name: 'findings.asff.json', content: () => { rendered.push('asff'); return renderFormat(buildReport(), 'asff', { asffRegion: 'eu-west-1' }); } },
      { name: 'summary.md', content: () => { throw new Error('renderer bug'); } },
    ]);
    await expect(failing).rejects.toThrow('renderer bug');
    // The first two were rendered and written to temp files before the third failed…
    expect(rendered).toEqual(['sarif', 'asff']);
    // …yet nothing in the directory changed.
    expect(await readFile(join(dir, 'report.sarif'), 'utf8')).toBe('old sarif\n');
    expect(await readFile(join(dir, 'report.json'), 'utf8')).toBe('{"old": true}\n');
    expect(await listing(dir)).toEqual(['report.json', 'report.sarif']);
  });

  it('a target that is a directory is refused before anything is written, naming it', async () => {
    const dir = join(root, 'scan');
    await mkdir(join(dir, 'summary.md'), { recursive: true });
    await writeFile(join(dir, 'summary.md', 'notes.txt'), 'mine');
    await writeFile(join(dir, 'report.sarif'), 'old sarif\n');
    const failing = writeFilesAtomic(dir, [
      { name: 'report.sarif', content: () => 'new sarif\n' },
      { name: 'summary.md', content: () => 'new md\n' },
    ]);
    await expect(failing).rejects.toBeInstanceOf(InputError);
    await expect(failing).rejects.toThrow(`${join(dir, 'summary.md')}: expected a file leash may replace, got a directory`);
    expect(await readFile(join(dir, 'report.sarif'), 'utf8')).toBe('old sarif\n');
    expect(await listing(dir)).toEqual(['report.sarif', 'summary.md']);
    expect(await readdir(join(dir, 'summary.md'))).toEqual(['notes.txt']);
  });

  it('a directory that cannot be written to fails without touching the files in it', async () => {
    // Given a path whose parent is a file, so no temp file can be created there
    const notDir = join(root, 'plain-file');
    await writeFile(notDir, 'x');
    await expect(writeFilesAtomic(join(notDir, 'sub'), [{ name: 'report.json', content: () => '{}' }])).rejects.toMatchObject({ code: 'ENOTDIR' });
    expect(await readFile(notDir, 'utf8')).toBe('x');
  });

  it('refuses names that are paths, so a file can never land outside the directory', async () => {
    await expect(writeFilesAtomic(root, [{ name: '../escape.json', content: () => '{}' }])).rejects.toThrow('is not a plain file name');
    expect(await readdir(root)).toEqual([]);
  });
});
