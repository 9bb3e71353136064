import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/model/errors.js';
import {
  accountDir,
  isScanDirName,
  listAccounts,
  listScans,
  loadReport,
  parseReport,
  pruneScans,
  resolveReportPath,
  resolveScan,
  scanDirName,
  TEMP_PREFIX,
  writeLatestPointer,
} from '../../src/report/history.js';
import { writeReportBundle } from '../../src/report/write.js';
import { ACCOUNT, buildReport } from './support.js';

let root: string;
let reports: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'leash-history-'));
  reports = join(root, 'reports');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const DAYS = ['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23'];
async function writeDays(days = DAYS, accountId = ACCOUNT): Promise<string[]> {
  const dirs: string[] = [];
  for (const d of days) dirs.push((await writeReportBundle(buildReport({ startedAt: `${d}T03:00:00.000Z`, scanId: `scan-${d}`, accountId }), { reportsRoot: reports, formats: ['json'] })).dir);
  return dirs;
}

async function inputError(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}

describe('scan directory names', () => {
  it('are filesystem-safe (no colon) and sort in time order as plain text', () => {
    expect(scanDirName('2026-11-24T03:04:05Z')).toBe('2026-11-24T03-04-05.000Z');
    expect(scanDirName('2026-11-24T04:04:05.5+01:00')).toBe('2026-11-24T03-04-05.500Z');
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), (a, b) => {
        const na = scanDirName(a.toISOString());
        const nb = scanDirName(b.toISOString());
        expect(na).not.toContain(':');
        expect(isScanDirName(na)).toBe(true);
        expect(Math.sign(na.localeCompare(nb))).toBe(Math.sign(a.getTime() - b.getTime()));
      }),
    );
  });

  it('refuse a start time that is not a timestamp', () => {
    expect(() => scanDirName('yesterday')).toThrow(/\$\.scan\.startedAt: expected an ISO 8601 timestamp/);
  });

  it('refuse account ids that would leave the reports root', () => {
    expect(() => accountDir(reports, '../etc')).toThrow(InputError);
    expect(() => accountDir(reports, 'a/b')).toThrow(InputError);
    expect(accountDir(reports, ACCOUNT)).toBe(join(reports, ACCOUNT));
  });
});

describe('listScans', () => {
  it('lists scans oldest first and ignores temp dirs, stray files and other directories', async () => {
    await writeDays();
    const acct = accountDir(reports, ACCOUNT);
    await mkdir(join(acct, `${TEMP_PREFIX}2026-11-24T03-00-00.000Z-999999-abc123`));
    await mkdir(join(acct, 'notes'));
    await writeFile(join(acct, 'README.txt'), 'hi');
    await mkdir(join(acct, '2026-11-19T03-00-00.000Z')); // a scan written without report.json
    const scans = await listScans(reports, ACCOUNT);
    expect(scans.map((s) => s.name)).toEqual(['2026-11-19T03-00-00.000Z', ...DAYS.map((d) => `${d}T03-00-00.000Z`)]);
    expect(scans.map((s) => s.hasReport)).toEqual([false, true, true, true, true]);
    expect(scans[1]!.startedAt).toBe('2026-11-20T03:00:00.000Z');
  });

  it('orders same-millisecond suffixes numerically (_2 before _10)', async () => {
    const acct = accountDir(reports, ACCOUNT);
    for (const n of ['', '_10', '_2']) await mkdir(join(acct, `2026-11-20T03-00-00.000Z${n}`), { recursive: true });
    expect((await listScans(reports, ACCOUNT)).map((s) => s.name)).toEqual(['2026-11-20T03-00-00.000Z', '2026-11-20T03-00-00.000Z_2', '2026-11-20T03-00-00.000Z_10']);
  });

  it('returns nothing for an account with no history', async () => {
    expect(await listScans(reports, '999999999999')).toEqual([]);
  });
});

describe('latest and previous', () => {
  it('latest follows the pointer; previous is the scan before it', async () => {
    await writeDays();
    expect((await resolveScan(reports, ACCOUNT, 'latest'))!.name).toBe('2026-11-23T03-00-00.000Z');
    expect((await resolveScan(reports, ACCOUNT, 'previous'))!.name).toBe('2026-11-22T03-00-00.000Z');
    await writeLatestPointer(reports, ACCOUNT, '2026-11-21T03-00-00.000Z');
    expect((await resolveScan(reports, ACCOUNT, 'latest'))!.name).toBe('2026-11-21T03-00-00.000Z');
    expect((await resolveScan(reports, ACCOUNT, 'previous'))!.name).toBe('2026-11-20T03-00-00.000Z');
  });

  it('falls back to the newest scan when the pointer is missing or names a deleted scan', async () => {
    const dirs = await writeDays();
    await rm(dirs[3]!, { recursive: true });
    expect((await resolveScan(reports, ACCOUNT, 'latest'))!.name).toBe('2026-11-22T03-00-00.000Z');
    await rm(join(accountDir(reports, ACCOUNT), 'latest'));
    expect((await resolveScan(reports, ACCOUNT, 'latest'))!.name).toBe('2026-11-22T03-00-00.000Z');
  });

  it('there is no previous with one scan', async () => {
    await writeDays(['2026-11-20']);
    expect(await resolveScan(reports, ACCOUNT, 'previous')).toBeUndefined();
    const e = await inputError(loadReport('previous', { reportsRoot: reports }));
    expect(e.message).toMatch(/previous: expected a previous scan with report\.json .*got 1 scan with report\.json/);
  });
});

describe('loadReport', () => {
  it('accepts a report.json path, a scan directory, latest and previous', async () => {
    const dirs = await writeDays();
    expect((await loadReport(join(dirs[0]!, 'report.json'))).scan.id).toBe('scan-2026-11-20');
    expect((await loadReport(dirs[1]!)).scan.id).toBe('scan-2026-11-21');
    expect((await loadReport('latest', { reportsRoot: reports })).scan.id).toBe('scan-2026-11-23');
    expect((await loadReport('previous', { reportsRoot: reports, accountId: ACCOUNT })).scan.id).toBe('scan-2026-11-22');
  });

  it('needs --account when the history holds several accounts', async () => {
    await writeDays(['2026-11-20']);
    await writeDays(['2026-11-21'], '444455556666');
    expect(await listAccounts(reports)).toEqual([ACCOUNT, '444455556666'].sort());
    const e = await inputError(loadReport('latest', { reportsRoot: reports }));
    expect(e.message).toContain('--account ID');
    expect(e.message).toContain('444455556666');
    expect((await loadReport('latest', { reportsRoot: reports, accountId: '444455556666' })).scan.account.id).toBe('444455556666');
  });

  it('names the file and what was expected for a missing path or a dir without report.json', async () => {
    const missing = await inputError(loadReport(join(root, 'nope.json')));
    expect(missing.message).toContain('nope.json');
    expect(missing.message).toContain('expected a report.json file, a scan directory, or latest / previous');
    await mkdir(join(root, 'empty'));
    expect((await inputError(resolveReportPath(join(root, 'empty')))).message).toContain('without --format json');
  });

  it('names file and JSON path for malformed reports', async () => {
    const file = join(root, 'bad.json');
    await writeFile(file, '{"schemaVersion": ');
    expect((await inputError(loadReport(file))).message).toMatch(/bad\.json at line 1 column 19: expected a JSON report/);
    const report = JSON.parse(JSON.stringify(buildReport())) as { findings: { severity: string }[] };
    report.findings[2]!.severity = 'severe';
    const e = (() => {
      try {
        parseReport(JSON.stringify(report), 'r.json');
      } catch (x) {
        return x as InputError;
      }
      throw new Error('parseReport accepted a bad severity');
    })();
    expect(e.file).toBe('r.json');
    expect(e.path).toBe('$.findings[2].severity');
    expect(e.expected).toBe('one of "critical", "high", "medium", "low", "info"');
    expect(e.got).toBe('"severe"');
    const noFindings = JSON.parse(JSON.stringify(buildReport())) as Record<string, unknown>;
    delete noFindings.findings;
    expect(() => parseReport(JSON.stringify(noFindings), 'r.json')).toThrow('r.json at $.findings: expected an array, got nothing (missing)');
  });

  it('refuses a report of another major schema version', () => {
    const text = JSON.stringify({ ...buildReport(), schemaVersion: '2.0.0' });
    expect(() => parseReport(text, 'r.json')).toThrow(/\$\.schemaVersion: expected report schema 1\.x, got "2\.0\.0"/);
    expect(parseReport(JSON.stringify({ ...buildReport(), schemaVersion: '1.3.0', extra: true }), 'r.json').schemaVersion).toBe('1.3.0');
  });
});

describe('pruneScans', () => {
  it('keeps the newest N scans and deletes the rest', async () => {
    await writeDays();
    const r = await pruneScans(reports, ACCOUNT, 2);
    expect(r.removed).toEqual(['2026-11-20T03-00-00.000Z', '2026-11-21T03-00-00.000Z']);
    expect((await listScans(reports, ACCOUNT)).map((s) => s.name)).toEqual(['2026-11-22T03-00-00.000Z', '2026-11-23T03-00-00.000Z']);
  });

  it('never deletes the scan latest points at', async () => {
    await writeDays();
    await writeLatestPointer(reports, ACCOUNT, '2026-11-20T03-00-00.000Z');
    await pruneScans(reports, ACCOUNT, 1);
    expect((await listScans(reports, ACCOUNT)).map((s) => s.name)).toEqual(['2026-11-20T03-00-00.000Z', '2026-11-23T03-00-00.000Z']);
  });

  it('removes temp dirs of dead writers but not of a live one', async () => {
    await writeDays(['2026-11-20']);
    const acct = accountDir(reports, ACCOUNT);
    const live = `${TEMP_PREFIX}2026-11-21T03-00-00.000Z-${process.pid}-AbC123`;
    // A pid far above Linux's pid_max (4194304) cannot be running.
    const dead = `${TEMP_PREFIX}2026-11-21T03-00-00.000Z-99999999-xYz789`;
    await mkdir(join(acct, live));
    await mkdir(join(acct, dead));
    const r = await pruneScans(reports, ACCOUNT, 3);
    expect(r.staleTempsRemoved).toEqual([dead]);
    expect((await readdir(acct)).sort()).toEqual([live, '2026-11-20T03-00-00.000Z', 'latest'].sort());
  });

  it('rejects a keep count below one', async () => {
    await expect(pruneScans(reports, ACCOUNT, 0)).rejects.toThrow(/--keep: expected a whole number of scans to keep, at least 1/);
  });
});
