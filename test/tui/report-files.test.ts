import { execFileSync, spawnSync } from 'node:child_process';
import { scanAndWrite } from '../../src/pipeline/scan.js';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { READ_LIMITS } from '../../src/safe/read.js';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/model/errors.js';
import { findLatestReport, loadReport, writeExportFile, writeFixFiles } from '../../src/tui/report-files.js';
import { buildReport } from './support.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'leash-reports-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeReport(rel: string, finishedAt: string | undefined): string {
  const path = join(dir, rel, 'report.json');
  mkdirSync(join(dir, rel), { recursive: true });
  const r = buildReport();
  const scan = finishedAt === undefined ? { ...r.scan, finishedAt: undefined } : { ...r.scan, finishedAt };
  writeFileSync(path, JSON.stringify({ ...r, scan }));
  return path;
}

describe('findLatestReport', () => {
  it('picks the newest scan by finishedAt, not by directory order or mtime', () => {
    const newer = writeReport('111122223333/20261124T101500Z', '2026-11-24T10:15:00Z');
    const older = writeReport('111122223333/20261201T000000Z', '2026-11-01T00:00:00Z');
    // The older scan was written last, so mtime alone would pick it.
    utimesSync(older, new Date(), new Date(Date.now() + 60_000));
    expect(findLatestReport(dir)).toEqual({ path: newer, finishedAt: '2026-11-24T10:15:00Z' });
  });

  it('falls back to mtime when a report does not say when it finished', () => {
    const a = writeReport('acct/a', undefined);
    const b = writeReport('acct/b', undefined);
    utimesSync(a, new Date(), new Date(Date.now() + 60_000));
    expect(findLatestReport(dir)?.path).toBe(a);
    expect(statSync(b).mtimeMs).toBeLessThan(statSync(a).mtimeMs);
  });

  it('ignores reports/fixes and returns undefined when there is no report', () => {
    mkdirSync(join(dir, 'fixes', 'kiro-agent'), { recursive: true });
    writeFileSync(join(dir, 'fixes', 'kiro-agent', 'report.json'), '{}');
    expect(findLatestReport(dir)).toBeUndefined();
    expect(findLatestReport(join(dir, 'does-not-exist'))).toBeUndefined();
  });
});

describe('loadReport', () => {
  it('loads a report as written', () => {
    const p = writeReport('acct/x', '2026-11-24T10:15:00Z');
    expect(loadReport(p).principals[0]?.name).toBe('kiro-agent');
  });

  it.each([
    ['not JSON', '{"schemaVersion": ', 'line 1 column 19', 'a JSON report'],
    ['a principal without a name', JSON.stringify({ ...buildReport(), principals: [{ ...buildReport().principals[0], name: 7 }] }), '$.principals[0].name', 'string'],
    ['an unknown severity', JSON.stringify({ ...buildReport(), findings: [{ ...buildReport().findings[0], severity: 'urgent' }] }), '$.findings[0].severity', 'critical'],
  ])('rejects %s with the file and JSON path', (_name, text, path, expected) => {
    const p = join(dir, 'report.json');
    writeFileSync(p, text);
    let err: unknown;
    try {
      loadReport(p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const e = err as InputError;
    expect([e.file, e.path]).toEqual([p, path]);
    expect(e.expected).toContain(expected);
  });
});

describe('loadReport bounds (issue 10)', () => {
  it('refuses a report over READ_LIMITS.report naming its size, and a FIFO, without reading them; control: a good one loads', () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, JSON.stringify(buildReport()));
    expect(loadReport(big).principals.length).toBeGreaterThan(0);
    truncateSync(big, READ_LIMITS.report + 1);
    expect(() => loadReport(big)).toThrow(new RegExp(`a file of ${READ_LIMITS.report + 1} bytes`));
    const fifo = join(dir, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    expect(() => loadReport(fifo)).toThrow(/FIFO/);
  });
});

describe('writeFixFiles', () => {
  it('writes the three renderings under reports/fixes/<kind>-<principal>/<fix kind>/', () => {
    const fix = buildReport().fixes[0]!;
    const out = writeFixFiles(fix, 'kiro-agent', dir);
    expect(out).toBe(join(dir, 'reports', 'fixes', 'role-kiro-agent', fix.kind));
    expect(JSON.parse(readFileSync(join(out, 'policy.json'), 'utf8'))).toEqual(JSON.parse(fix.renderings.json));
    expect(readFileSync(join(out, 'main.tf'), 'utf8')).toBe(fix.renderings.terraform);
    expect(readFileSync(join(out, 'apply.sh'), 'utf8')).toBe(fix.renderings.cli);
    // Not executable: a human runs it deliberately after reading it.
    expect(statSync(join(out, 'apply.sh')).mode & 0o111).toBe(0);
  });

  it('a user and a role of one name (issue 10) get folders of their own: neither fix overwrites the other', () => {
    const base = buildReport().fixes[0]!;
    const roleFix = { ...base, principalArn: 'arn:aws:iam::111122223333:role/twin', renderings: { ...base.renderings, cli: '# role twin\n' } };
    const userFix = { ...base, principalArn: 'arn:aws:iam::111122223333:user/twin', renderings: { ...base.renderings, cli: '# user twin\n' } };
    const r = writeFixFiles(roleFix, 'twin', dir);
    const u = writeFixFiles(userFix, 'twin', dir);
    expect(r).not.toBe(u);
    expect(readFileSync(join(r, 'apply.sh'), 'utf8')).toBe('# role twin\n');
    expect(readFileSync(join(u, 'apply.sh'), 'utf8')).toBe('# user twin\n');
    // Case-insensitive file systems: Twin and twin stay apart too.
    const upper = writeFixFiles({ ...roleFix, principalArn: 'arn:aws:iam::111122223333:role/Twin' }, 'Twin', dir);
    expect(upper.toLowerCase()).not.toBe(r.toLowerCase());
  });

  it("a scan's fix written from the TUI runs as written: apply.sh (dry run) finds its JSON, the shared library and the shared boundary", async () => {
    const scanned = await scanAndWrite({ demo: true, fixes: true, reportsRoot: join(dir, 'scan'), now: new Date('2026-11-24T07:00:00Z') });
    // Read back as the TUI reads it: renderings are derived again from the stored render source.
    const report = loadReport(join(scanned.dir, 'report.json'));
    const kiro = report.principals.find((p) => p.name === 'kiro-agent')!;
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    // A stand-in aws for a dry run: who am I, and "no such policy yet".
    writeFileSync(join(bin, 'aws'), '#!/usr/bin/env bash\ncase " $* " in\n  *" --query Account "*) echo 123456789012 ;;\n  *" --query Arn "*) echo arn:aws:sts::123456789012:assumed-role/admin/me ;;\n  *" iam get-policy "*) echo NoSuchEntity >&2; exit 254 ;;\n  *) echo {} ;;\nesac\n', { mode: 0o755 });
    const run = (out: string) => spawnSync('bash', [join(out, 'apply.sh')], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } });
    for (const kind of ['permissions-boundary', 'trust-policy'] as const) {
      const fix = report.fixes.find((f) => f.principalArn === kiro.arn && f.kind === kind)!;
      const out = writeFixFiles(fix, kiro.name, dir);
      const r = run(out);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Dry run finished/);
      expect(readFileSync(join(out, 'versions.tf'), 'utf8')).toMatch(/required_providers/);
    }
    const boundaryFix = report.fixes.find((f) => f.principalArn === kiro.arn && f.kind === 'permissions-boundary')!;
    const out = writeFixFiles(boundaryFix, kiro.name, dir);
    const name = /shared_boundary_check '(leash-boundary-[0-9a-f]{12})'/.exec(readFileSync(join(out, 'apply.sh'), 'utf8'))![1]!;
    expect(JSON.parse(readFileSync(join(out, '..', 'boundaries', name, 'boundary.json'), 'utf8')).Statement.length).toBeGreaterThan(1);
    // Negative control: without the library beside it, the script stops before any AWS call.
    rmSync(join(out, '..', 'lib'), { recursive: true });
    const broken = run(out);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/missing or is not the library/);
  });

  it('keeps a hostile principal name inside reports/fixes', () => {
    const out = writeFixFiles(buildReport().fixes[0]!, '../../escape', dir);
    expect(out.startsWith(join(dir, 'reports', 'fixes'))).toBe(true);
    // A fix kind from a hostile report.json is one segment too; a real kind is kept as it is.
    const fix = buildReport().fixes[0]!;
    const hostile = writeFixFiles({ ...fix, kind: '../../../escape' as typeof fix.kind }, 'kiro-agent', dir);
    expect(dirname(hostile)).toBe(join(dir, 'reports', 'fixes', 'role-kiro-agent'));
    expect(writeFixFiles(fix, 'kiro-agent', dir)).toBe(join(dir, 'reports', 'fixes', 'role-kiro-agent', fix.kind));
  });
});

describe('writeExportFile', () => {
  it('never overwrites an earlier export', () => {
    const a = writeExportFile('leash-x', 'md', '# one', dir);
    const b = writeExportFile('leash-x', 'md', '# two', dir);
    expect(a).not.toBe(b);
    expect(readFileSync(a, 'utf8')).toBe('# one\n');
    expect(readFileSync(b, 'utf8')).toBe('# two\n');
  });
});

describe('headFinishedAt (finding the newest report without parsing whole files)', () => {
  it('reads scan.finishedAt from the head, and not a look-alike inside a string', async () => {
    const { headFinishedAt } = await import('../../src/tui/report-files.js');
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'leash-head-'));
    try {
      const good = join(dir, 'good.json');
      writeFileSync(good, JSON.stringify({ schemaVersion: '1.1.0', tool: { name: 'leash' }, scan: { id: 'x', startedAt: '2026-11-24T10:00:00Z', finishedAt: '2026-11-24T10:15:00Z' }, principals: Array.from({ length: 5000 }, (_, i) => ({ name: `r${i}` })) }));
      expect(headFinishedAt(good)).toBe('2026-11-24T10:15:00Z');
      // A hostile name carrying the text before the real key: escaped quotes never match.
      const sneaky = join(dir, 'sneaky.json');
      writeFileSync(sneaky, JSON.stringify({ note: '"scan": {"finishedAt": "2099-01-01T00:00:00Z"}', scan: { id: 'x', finishedAt: '2026-01-01T00:00:00Z' } }));
      expect(headFinishedAt(sneaky)).toBe('2026-01-01T00:00:00Z');
      // Control: no scan object in the head → undefined (the caller falls back to mtime).
      const none = join(dir, 'none.json');
      writeFileSync(none, '{"principals": []}');
      expect(headFinishedAt(none)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
