// --history DIR: the same store on a directory (a CI cache or a mounted volume).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { comparableOf, isAsffComparable, SCAN_INDEX_FILE, scanIndexPieces } from '../../../src/report/scan-index.js';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../../src/model/report.js';
import { InputError } from '../../../src/model/errors.js';
import { checkKey, dirBlobStore } from '../../../src/report/history-store/dir.js';
import { gzipReport, HistoryStore, openHistoryStore } from '../../../src/report/history-store/store.js';
import { parseTrend } from '../../../src/report/trend.js';
import { runCli } from '../../support/cli.js';
import { buildReport, COVERAGE } from '../support.js';
import { parseReport } from '../../../src/report/history.js';

const ACCOUNT = '111122223333';

function latestReport(reports: string): Report {
  const latest = readFileSync(join(reports, ACCOUNT, 'latest'), 'utf8').trim();
  return parseReport(readFileSync(join(reports, ACCOUNT, latest, 'report.json'), 'utf8'), 'report.json');
}

describe('--history DIR', () => {
  it('two runs on empty reports roots share one history: delta, firstSeen, trend', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'leash-dirhist-'));
    const history = join(tmp, 'cache');
    const a = await runCli(['scan', '--demo', '--reports', join(tmp, 'r1'), '--history', history, '--format', 'json', '--ci']);
    expect(a.code).toBe(0);
    const b = await runCli(['scan', '--demo', '--reports', join(tmp, 'r2'), '--history', history, '--format', 'json', '--fail-on', 'low', '--fail-on-new', '--ci']);
    expect(b.err).toBe('');
    expect(b.code).toBe(0);
    const first = latestReport(join(tmp, 'r1'));
    const second = latestReport(join(tmp, 'r2'));
    expect(second.delta?.previousScanId).toBe(first.scan.id);
    expect(second.findings.every((f) => f.firstSeen === first.scan.startedAt)).toBe(true);
    const trend = parseTrend(readFileSync(join(history, ACCOUNT, 'trend.ndjson'), 'utf8'), 'trend');
    expect(trend).toHaveLength(2);
    expect(trend[1]).toMatchObject({ new: 0, resolved: 0, previousScanId: first.scan.id });
    // Each local reports root got its own trend line too.
    expect(parseTrend(readFileSync(join(tmp, 'r2', ACCOUNT, 'trend.ndjson'), 'utf8'), 'trend')).toHaveLength(1);
  });

  it('stores the bundle\'s own report.json.gz as it is, and reads it back as the next previous scan', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'leash-dirhist-'));
    const history = join(tmp, 'cache');
    const a = await runCli(['scan', '--demo', '--reports', join(tmp, 'r1'), '--history', history, '--format', 'json', '--compress-report', 'always', '--ci']);
    expect(a.code).toBe(0);
    const name = readFileSync(join(tmp, 'r1', ACCOUNT, 'latest'), 'utf8').trim();
    const bundled = readFileSync(join(tmp, 'r1', ACCOUNT, name, 'report.json.gz'));
    expect(readFileSync(join(history, ACCOUNT, name, 'report.json.gz')).equals(bundled)).toBe(true);
    const b = await runCli(['scan', '--demo', '--reports', join(tmp, 'r2'), '--history', history, '--format', 'json', '--ci']);
    expect(b.code).toBe(0);
    expect(latestReport(join(tmp, 'r2')).delta?.previousScanId).toBe(parseReport(gunzipSync(bundled).toString('utf8'), 'gz').scan.id);
  });

  it('a report it gzips itself is ASCII like the bundle\'s report.json, and reads back with its text unchanged', async () => {
    //Given a report whose finding title holds characters outside ASCII (an arrow, a dash, a pair of surrogates)
    const base = buildReport();
    const title = 'kiro-agent → prod — 🔥 deletes stacks';
    const report: Report = { ...base, findings: base.findings.map((f, i) => (i === 0 ? { ...f, title } : f)) };
    //When the history store gzips it (no bundle file to store as it is)
    const bytes = gunzipSync(await gzipReport(report));
    //Then every byte is ASCII, and the report read back has the same title
    expect(bytes.every((b) => b < 0x80)).toBe(true);
    expect(parseReport(bytes.toString('utf8'), 'gz').findings[0]!.title).toBe(title);
    // Control: the same text written plainly holds bytes outside ASCII (the title reaches the file).
    expect(Buffer.from(JSON.stringify(report), 'utf8').every((b) => b < 0x80)).toBe(false);
  });

  it('a pointer naming a missing report is an error naming the object; the store is left as it was', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'leash-dirhist-'));
    const history = join(tmp, 'cache');
    const store = await openHistoryStore(history);
    await store.blobs.put(`${ACCOUNT}/latest`, Buffer.from('2026-01-01T00-00-00.000Z\n'), 'text/plain');
    await expect(store.readPreviousComparable(ACCOUNT)).rejects.toThrow(/2026-01-01T00-00-00\.000Z\/report\.json\.gz/);
    const r = await runCli(['scan', '--demo', '--reports', join(tmp, 'r'), '--history', history, '--format', 'json', '--ci']);
    expect(r.code).toBe(2);
    expect(readFileSync(join(history, ACCOUNT, 'latest'), 'utf8')).toBe('2026-01-01T00-00-00.000Z\n');
    expect(existsSync(join(history, ACCOUNT, 'trend.ndjson'))).toBe(false);
  });

  it('prefers the complete scan when the newest read IAM only in part', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'leash-dirhist-'));
    const store = new HistoryStore(dirBlobStore(tmp));
    const complete = buildReport({ startedAt: '2026-11-01T03:00:00.000Z' });
    const partial = buildReport({ scanId: 'partial', startedAt: '2026-11-02T03:00:00.000Z', coverage: { ...COVERAGE, iam: 'partial' } });
    await store.write(complete);
    await store.write(partial);
    expect(readFileSync(join(tmp, complete.scan.account.id, 'latest'), 'utf8').trim()).toBe('2026-11-02T03-00-00.000Z');
    expect((await store.readPreviousComparable(complete.scan.account.id))?.scan.id).toBe(complete.scan.id);
    // Storing an older scan afterwards does not move latest back.
    await store.write(buildReport({ startedAt: '2026-10-01T03:00:00.000Z' }));
    expect(readFileSync(join(tmp, complete.scan.account.id, 'latest'), 'utf8').trim()).toBe('2026-11-02T03-00-00.000Z');
  });

  it('stores each scan\'s index beside its report, and the next scan compares with the index', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'leash-dirhist-'));
    const history = join(tmp, 'cache');
    const a = await runCli(['scan', '--demo', '--reports', join(tmp, 'r1'), '--history', history, '--format', 'json', '--ci']);
    expect(a.code).toBe(0);
    const name = readFileSync(join(tmp, 'r1', ACCOUNT, 'latest'), 'utf8').trim();
    // The bundle's own index, stored as it is.
    const stored = readFileSync(join(history, ACCOUNT, name, 'index.json.gz'));
    expect(stored.equals(readFileSync(join(tmp, 'r1', ACCOUNT, name, SCAN_INDEX_FILE)))).toBe(true);
    // An index that says something the report does not shows which one the next scan read.
    const OLD = '2020-01-01T00:00:00.000Z';
    const index = JSON.parse(gunzipSync(stored).toString('utf8')) as { findings: unknown[][] };
    for (const f of index.findings) f[8] = OLD; // a finding's firstSeen (scan-index.ts)
    writeFileSync(join(history, ACCOUNT, name, 'index.json.gz'), gzipSync(JSON.stringify(index)));
    const b = await runCli(['scan', '--demo', '--reports', join(tmp, 'r2'), '--history', history, '--format', 'json', '--ci']);
    expect(b.code).toBe(0);
    const second = latestReport(join(tmp, 'r2'));
    expect(second.findings.length).toBeGreaterThan(0);
    expect(second.findings.every((f) => f.firstSeen === OLD)).toBe(true);
  });

  it('reads the report instead when the stored index is missing, damaged or of another scan', async () => {
    const report = buildReport({ startedAt: '2026-11-01T03:00:00.000Z' });
    const account = report.scan.account.id;
    const marked = { ...report, findings: report.findings.map((f) => ({ ...f, firstSeen: '2020-01-01T00:00:00.000Z' })) };
    const indexOf = (r: Report): Buffer => gzipSync([...scanIndexPieces(r)].join(''));
    const key = (tmp: string): string => join(tmp, account, '2026-11-01T03-00-00.000Z', 'index.json.gz');
    // Control: an index of this scan is what is read.
    const control = mkdtempSync(join(tmpdir(), 'leash-dirhist-'));
    const controlStore = new HistoryStore(dirBlobStore(control));
    await controlStore.write(report, undefined, indexOf(marked));
    expect((await controlStore.readPreviousComparable(account))?.findings.map((f) => f.firstSeen)).toEqual(report.findings.map(() => '2020-01-01T00:00:00.000Z'));
    for (const index of [undefined, Buffer.from('not gzip'), indexOf({ ...marked, scan: { ...marked.scan, startedAt: '2026-10-01T03:00:00.000Z' } }), indexOf({ ...marked, scan: { ...marked.scan, account: { id: '999999999999' } } })]) {
      const tmp = mkdtempSync(join(tmpdir(), 'leash-dirhist-'));
      const store = new HistoryStore(dirBlobStore(tmp));
      await store.write(report);
      if (index === undefined) rmSync(key(tmp));
      else writeFileSync(key(tmp), index);
      expect(await store.readPreviousComparable(account)).toEqual(comparableOf(report));
    }
  });

  it('for ASFF, reads the stored index only when it holds what ASFF needs; else the report, reduced to that', async () => {
    const report = buildReport({ startedAt: '2026-11-01T03:00:00.000Z' });
    const account = report.scan.account.id;
    const marked = { ...report, findings: report.findings.map((f) => ({ ...f, firstSeen: '2020-01-01T00:00:00.000Z' })) };
    const read = async (index: Buffer) => {
      const store = new HistoryStore(dirBlobStore(mkdtempSync(join(tmpdir(), 'leash-dirhist-'))));
      await store.write(report, undefined, index);
      return store.readPreviousComparable(account, { asff: true });
    };
    const viaIndex = await read(gzipSync([...scanIndexPieces(marked, { asff: true })].join('')));
    expect(viaIndex?.findings.map((f) => f.firstSeen)).toEqual(report.findings.map(() => '2020-01-01T00:00:00.000Z'));
    expect(viaIndex && isAsffComparable(viaIndex)).toBe(true);
    expect(await read(gzipSync([...scanIndexPieces(marked)].join('')))).toEqual(comparableOf(report, { asff: true }));
    // A store-made index (no bundle index given) holds the asff section: a report has what it needs.
    const store = new HistoryStore(dirBlobStore(mkdtempSync(join(tmpdir(), 'leash-dirhist-'))));
    await store.write(report);
    expect(await store.readPreviousComparable(account, { asff: true })).toEqual(comparableOf(report, { asff: true }));
  });

  it('compares with the complete scan through its index when the newest read IAM only in part', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'leash-dirhist-'));
    const store = new HistoryStore(dirBlobStore(tmp));
    const complete = buildReport({ startedAt: '2026-11-01T03:00:00.000Z' });
    await store.write(complete);
    await store.write(buildReport({ scanId: 'partial', startedAt: '2026-11-02T03:00:00.000Z', coverage: { ...COVERAGE, iam: 'partial' } }));
    expect(existsSync(join(tmp, complete.scan.account.id, '2026-11-01T03-00-00.000Z', 'index.json.gz'))).toBe(true);
    expect((await store.readPreviousComparable(complete.scan.account.id))?.scan.id).toBe(complete.scan.id);
  });

  it('keys cannot climb out of the directory', () => {
    for (const k of ['../x', 'a/../../x', '/etc/passwd', 'a//b', 'a\\..\\b', '.']) expect(() => checkKey(k, 'h')).toThrow(InputError);
    expect(checkKey('111122223333/latest', 'h')).toEqual(['111122223333', 'latest']);
  });

  it('an unknown URL scheme is refused before any scan', async () => {
    const r = await runCli(['scan', '--demo', '--reports', mkdtempSync(join(tmpdir(), 'leash-dirhist-')), '--history', 'gs://bucket/x', '--ci']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--history: expected a directory or s3:\/\/bucket\/prefix/);
  });
});
