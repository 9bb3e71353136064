import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/model/errors.js';
import { REPORT_SCHEMA_VERSION } from '../../src/model/report.js';
import { checkReplaceable, writeReportBundle } from '../../src/report/write.js';
import { listScans, loadReport, pruneScans } from '../../src/report/history.js';
import { asciiJson, readReportText, REPORT_FILE, REPORT_FILE_GZ, reportFileIn, reportHead, reportText, writeReportFile } from '../../src/report/report-file.js';
import { findLatestReport, headFinishedAt, loadReport as loadReportSync } from '../../src/tui/report-files.js';
import { readReportStreaming } from '../../src/tui/stream-report.js';
import { ACCOUNT, buildReport, laterReport } from './support.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'leash-report-file-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

let n = 0;
const freshDir = async (): Promise<string> => mkdtemp(join(root, `d${n++}-`));

describe('writeReportFile', () => {
  it('writes exactly one file: report.json.gz iff always, or auto past the bound; its bytes are the pieces joined, as ASCII (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'binary', maxLength: 300 }), { maxLength: 60 }),
        fc.constantFrom('auto', 'always', 'never'),
        fc.integer({ min: 0, max: 4000 }),
        fc.integer({ min: 16, max: 512 }),
        async (pieces, mode, above, batch) => {
          const dir = await freshDir();
          const name = await writeReportFile(dir, pieces, mode as 'auto' | 'always' | 'never', { above, batch });
          // Written as ASCII (session 31: non-ASCII characters escaped); the bound is on what is written.
          const expected = asciiJson(Buffer.from(pieces.join(''), 'utf8'));
          const gz = mode === 'always' || (mode === 'auto' && expected.length > above);
          expect(name).toBe(gz ? REPORT_FILE_GZ : REPORT_FILE);
          expect(await readdir(dir)).toEqual([name]);
          const raw = await readFile(join(dir, name));
          expect((gz ? gunzipSync(raw) : raw).toString('latin1')).toBe(expected.toString('latin1'));
        },
      ),
      { numRuns: 120 },
    );
  });

  it('never writes plain past the bound, and auto under it (negative controls of the gzip switch)', async () => {
    const pieces = Array.from({ length: 500 }, (_, i) => `{"finding":${i}}\n`);
    const total = Buffer.byteLength(pieces.join(''));
    const a = await freshDir();
    expect(await writeReportFile(a, pieces, 'never', { above: 10 })).toBe(REPORT_FILE);
    const b = await freshDir();
    expect(await writeReportFile(b, pieces, 'auto', { above: total })).toBe(REPORT_FILE);
    const c = await freshDir();
    expect(await writeReportFile(c, pieces, 'auto', { above: total - 1 })).toBe(REPORT_FILE_GZ);
    expect(gunzipSync(await readFile(join(c, REPORT_FILE_GZ))).toString()).toBe(pieces.join(''));
  });

  it('refuses to write over an existing file (wx) and leaves it as it was', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, REPORT_FILE), 'mine');
    await expect(writeReportFile(dir, ['{}'], 'auto')).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(join(dir, REPORT_FILE), 'utf8')).toBe('mine');
  });
});

describe('reading report.json.gz', () => {
  const json = `${JSON.stringify({ schemaVersion: '1.7.0', scan: { finishedAt: '2026-11-24T03:01:00.000Z' }, pad: Array.from({ length: 20_000 }, (_, i) => (i * 7919) % 10007) })}\n`;

  it('inflates gzip by its magic number, whatever the name; plain bytes pass as they are', () => {
    expect(reportText(gzipSync(json), 'r.json')).toBe(json);
    expect(reportText(Buffer.from(json), 'r.json.gz')).toBe(json);
  });

  it('stops a gzip bomb at the limit with an InputError naming the file (and reads the same within it)', () => {
    const bomb = gzipSync(Buffer.alloc(4 * 2 ** 20, 0x20));
    expect(bomb.length).toBeLessThan(32 * 1024);
    let err: unknown;
    try {
      reportText(bomb, 'evil/report.json.gz', 2 ** 20);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).file).toBe('evil/report.json.gz');
    expect((err as Error).message).toMatch(/inflates to at most 1048576 bytes/);
    expect(reportText(bomb, 'evil/report.json.gz', 4 * 2 ** 20)).toHaveLength(4 * 2 ** 20);
  });

  it('names a truncated or corrupt gzip file as such', () => {
    const gz = gzipSync(json);
    expect(() => reportText(gz.subarray(0, gz.length - 20), 'cut/report.json.gz')).toThrow(/cut\/report.json.gz.*gzip-compressed report.json/s);
  });

  it('reads the head of a gzipped report from its first compressed bytes', () => {
    const gz = gzipSync(json);
    expect(gz.length).toBeGreaterThan(600);
    expect(reportHead(gz.subarray(0, 600))!.startsWith('{"schemaVersion":"1.7.0","scan":{"finishedAt"')).toBe(true);
    expect(reportHead(Buffer.from('{"a":1}'))).toBe('{"a":1}');
    expect(reportHead(Buffer.from([0x1f, 0x8b, 0, 0, 0]))).toBeUndefined();
  });
});

describe('a bundle whose report is report.json.gz', () => {
  const reportsRoot = () => join(root, 'reports');

  it('is written past the bound and read back by every reader: history, latest/previous, prune, TUI, --output reuse', async () => {
    const first = buildReport();
    const second = laterReport();
    const a = await writeReportBundle(first, { reportsRoot: reportsRoot(), formats: ['json', 'md'], compressAboveBytes: 1024 });
    const b = await writeReportBundle(second, { reportsRoot: reportsRoot(), formats: ['json', 'md'], compressAboveBytes: 1024 });
    expect(a.files.map((f) => f.slice(a.dir.length + 1))).toEqual([REPORT_FILE_GZ, 'summary.md']);
    expect(reportFileIn(b.dir)).toBe(join(b.dir, REPORT_FILE_GZ));
    const expected = { ...second, schemaVersion: REPORT_SCHEMA_VERSION };
    expect(await loadReport('latest', { reportsRoot: reportsRoot() })).toEqual(expected);
    expect(await loadReport(b.dir)).toEqual(expected);
    expect((await loadReport('previous', { reportsRoot: reportsRoot() })).scan.id).toBe(first.scan.id);
    expect((await listScans(reportsRoot(), ACCOUNT)).map((s) => s.hasReport)).toEqual([true, true]);
    // The TUI: found among reports, its head's finishedAt read, loaded whole (sync and streaming).
    expect(findLatestReport(reportsRoot())).toEqual({ path: join(b.dir, REPORT_FILE_GZ), finishedAt: second.scan.finishedAt });
    expect(headFinishedAt(join(a.dir, REPORT_FILE_GZ))).toBe(first.scan.finishedAt);
    expect(loadReportSync(join(b.dir, REPORT_FILE_GZ))).toEqual(expected);
    expect(await readReportStreaming(join(b.dir, REPORT_FILE_GZ))).toEqual(expected);
    // Still a leash bundle: prune may remove it, --output may replace it.
    await expect(checkReplaceable(a.dir)).resolves.toBeUndefined();
    const pruned = await pruneScans(reportsRoot(), ACCOUNT, 1);
    expect(pruned.removed).toEqual([a.dir.slice(a.dir.lastIndexOf('/') + 1)]);
  });

  it('stays report.json under the bound, and with never (negative controls)', async () => {
    const small = await writeReportBundle(buildReport(), { reportsRoot: reportsRoot(), formats: ['json'] });
    expect(await readdir(small.dir)).toContain(REPORT_FILE);
    const never = await writeReportBundle(laterReport(), { reportsRoot: reportsRoot(), formats: ['json'], compressAboveBytes: 1024, reportCompression: 'never' });
    expect((await readdir(never.dir)).filter((f) => f.startsWith('report'))).toEqual([REPORT_FILE]);
    expect(await readReportText(join(never.dir, REPORT_FILE))).toBe(await readFile(join(never.dir, REPORT_FILE), 'utf8'));
  });
});
