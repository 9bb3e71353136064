import fc from 'fast-check';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { computeDelta, diffReports } from '../../src/report/diff.js';
import { loadComparableScan } from '../../src/report/history.js';
import { InputError } from '../../src/model/errors.js';
import { comparableOf, headScanId, isAsffComparable, parseScanIndex, SCAN_INDEX_FILE, scanIndexPieces, type ComparableScan, type ScanIndexOptions } from '../../src/report/scan-index.js';
import { renderFormat } from '../../src/report/write.js';
import type { Report } from '../../src/model/report.js';
import { SEVERITIES } from '../../src/model/finding.js';
import { ACCOUNT, buildReport, CI_USER, CLAUDE, finding, findingKeyArbs, KIRO, laterReport, uniqueFindingArb } from './support.js';

const indexBytes = (r: ComparableScan, opts: ScanIndexOptions = {}): Buffer => gzipSync([...scanIndexPieces(r, opts)].join(''));
const indexOf = (r: ComparableScan, opts: ScanIndexOptions = {}): ComparableScan => parseScanIndex(indexBytes(r, opts), 'index', opts);

/** A renamed user (same unique id, new ARN), for the rename path of the delta. */
function withUniqueIds(r: Report, renameCi: boolean): Report {
  const ci = renameCi ? { ...CI_USER, arn: CI_USER.arn.replace('ci-deployer', 'ci-deployer-2'), name: 'ci-deployer-2' } : CI_USER;
  return { ...r, principals: r.principals.map((p) => (p.arn === CI_USER.arn ? { ...ci, uniqueId: 'AIDAEXAMPLECI00000001' } : { ...p, uniqueId: `AROA${p.name.toUpperCase().replace(/[^A-Z]/g, '')}` })) };
}

describe('the scan index', () => {
  it('holds what comparing reads: the same comparable scan as the report it was made from', () => {
    const report = buildReport({ findings: [...buildReport().findings, finding({ checkId: 'agent-unused-permissions', principalArn: KIRO.arn, subject: 'unused:s3', actions: ['s3:GetObject'], firstSeen: '2026-10-01T00:00:00.000Z' }),
      // Lists that begin alike, or are one another's start, are still different lists.
      finding({ checkId: 'agent-unused-permissions', principalArn: KIRO.arn, subject: 'unused:ec2', actions: ['ec2:TerminateInstances'] }),
      finding({ checkId: 'agent-unused-permissions', principalArn: CLAUDE.arn, subject: 'unused:ec2', actions: ['ec2:TerminateInstances', 'rds:DeleteDBCluster'] }),
      // A hostile export's action may hold any separator a key could use.
      finding({ checkId: 'agent-unused-permissions', principalArn: CLAUDE.arn, subject: 'unused:nl', actions: ['ec2:TerminateInstances\nrds:DeleteDBCluster'] })] });
    expect(indexOf(report)).toEqual(comparableOf(report));
  });

  it('gives the same delta and diff as the whole previous report (renames, growth, suppression, severity)', () => {
    const old = withUniqueIds(buildReport(), false);
    const neu = withUniqueIds(laterReport(), true);
    expect(computeDelta(indexOf(old), neu)).toEqual(computeDelta(old, neu));
    expect(diffReports(indexOf(old), neu)).toEqual(diffReports(old, neu));
  });

  it('gives the same delta as the whole report for any pair of reports (property)', () => {
    const findingArb = fc.record({
      ...findingKeyArbs(['agent-destructive-without-approval', 'agent-unused-permissions']),
      actions: fc.subarray(['s3:GetObject', 'S3:getobject', 'ec2:TerminateInstances', 'iam:PassRole', 'a"b\\c\u2028']),
      suppressed: fc.option(fc.record({ reason: fc.string() }), { nil: undefined }),
    });
    const reportArb = uniqueFindingArb(findingArb, 10)
      .map((fs) => buildReport({ findings: fs.map(({ suppressed, ...f }) => finding({ ...f, ...(suppressed ? { suppressed } : {}) })) }));
    fc.assert(
      fc.property(reportArb, reportArb, (a, b) => {
        expect(computeDelta(indexOf(a), b)).toEqual(computeDelta(a, b));
      }),
      { numRuns: 60 },
    );
  });

  it('keeps each distinct action list once', () => {
    const same = ['ec2:TerminateInstances', 's3:DeleteBucket'];
    const report = buildReport({ findings: ['a', 'b', 'c'].map((subject) => finding({ checkId: 'agent-destructive-without-approval', principalArn: KIRO.arn, subject, actions: [...same] })) });
    const json = JSON.parse([...scanIndexPieces(report)].join('')) as { actionLists: string[][]; findings: unknown[][] };
    expect(json.actionLists).toEqual([same]);
    expect(json.findings.map((f) => f[6])).toEqual([0, 0, 0]);
  });

  it('is the same whether equal action lists are one array or copies', () => {
    const list = ['ec2:TerminateInstances', 's3:DeleteBucket'];
    const shared = buildReport({ findings: ['a', 'b', 'c'].map((subject) => finding({ checkId: 'agent-destructive-without-approval', principalArn: KIRO.arn, subject, actions: list })) });
    const copies = { ...shared, findings: shared.findings.map((f) => ({ ...f, actions: [...f.actions] })) };
    expect(shared.findings[0]!.actions).toBe(shared.findings[1]!.actions);
    expect([...scanIndexPieces(shared)].join('')).toBe([...scanIndexPieces(copies)].join(''));
  });

  it('refuses what is not an index of this leash, naming the file and where', () => {
    const good = JSON.parse([...scanIndexPieces(buildReport())].join('')) as Record<string, unknown> & { findings: unknown[][] };
    const withAt = (k: number, v: unknown): unknown[] => good.findings[0]!.map((x, i) => (i === k ? v : x));
    const bad = (v: unknown): Buffer => gzipSync(typeof v === 'string' ? v : JSON.stringify(v));
    const cases: [Buffer, RegExp][] = [
      [Buffer.from(JSON.stringify(good)), /not gzip/],
      [bad('{"tool": "leash", '), /invalid JSON/],
      [bad({ ...good, indexFormat: 99 }), /\$\.indexFormat/],
      [bad({ ...good, tool: 'other' }), /\$\.tool/],
      [bad({ ...good, findings: [withAt(6, 7)] }), /\$\.findings\[0\]\[6\]/],
      [bad({ ...good, findings: [withAt(2, 'urgent')] }), /\$\.findings\[0\]\[2\]/],
      [bad({ ...good, findings: [good.findings[0]!.slice(0, 5)] }), /\$\.findings\[0\]/],
      [Buffer.from([0x1f, 0x8b, 1, 2, 3]), /at most/],
    ];
    for (const [bytes, message] of cases) {
      let caught: unknown;
      try {
        parseScanIndex(bytes, 'idx.json.gz');
      } catch (e) {
        caught = e;
      }
      expect(caught, String(message)).toBeInstanceOf(InputError);
      expect(String((caught as Error).message)).toMatch(message);
      expect(String((caught as Error).message)).toContain('idx.json.gz');
    }
    // Control: the untouched index parses.
    expect(parseScanIndex(bad(good), 'idx.json.gz').findings).toHaveLength(good.findings.length);
  });
});

describe('the scan index written with ASFF', () => {
  /** Findings with what ASFF reads of them varied: technique, fix ids, no remediation, a hostile description. */
  const asffReport = (r: Report): Report => ({
    ...r,
    findings: r.findings.map((f, i) => {
      const { remediation: _r, ...rest } = f;
      return i % 3 === 0 ? { ...f, technique: 'iam-pass-role', fixIds: ['fix-1', 'fix-2'] } : i % 3 === 1 ? { ...rest, description: `${f.description} \u202e\u0085 "quoted"\nline` } : f;
    }),
  });

  it('holds what ASFF reads of each finding and principal, and gives it only when asked', () => {
    const report = asffReport(buildReport());
    expect(indexOf(report, { asff: true })).toEqual(comparableOf(report, { asff: true }));
    expect(isAsffComparable(indexOf(report, { asff: true }))).toBe(true);
    // Asked of an index without the section, or not asked: the comparable scan alone.
    expect(indexOf(report)).toEqual(comparableOf(report));
    expect(isAsffComparable(parseScanIndex(indexBytes(report), 'index', { asff: true }))).toBe(false);
    expect(parseScanIndex(indexBytes(report, { asff: true }), 'index')).toEqual(comparableOf(report));
    // Each distinct description once.
    const json = JSON.parse([...scanIndexPieces(report, { asff: true })].join('')) as { asff: { texts: string[] } };
    expect(new Set(json.asff.texts).size).toBe(json.asff.texts.length);
  });

  it('gives the same ASFF file as the whole previous report, RESOLVED findings included (property)', () => {
    const findingArb = fc.record({
      ...findingKeyArbs(['agent-destructive-without-approval', 'privilege-escalation', 'agent-unused-permissions']),
      technique: fc.option(fc.constantFrom('iam-pass-role', 'iam-create-policy-version'), { nil: undefined }),
      fixIds: fc.subarray(['fix-1', 'fix-2']),
      description: fc.constantFrom('one', 'two', 'a"b\\c\u2028'),
      remediation: fc.option(fc.constantFrom('Attach the boundary.', 'Remove it.'), { nil: undefined }),
      firstSeen: fc.option(fc.constantFrom('2026-10-01T00:00:00.000Z', '2026-11-20T00:00:00.000Z'), { nil: undefined }),
    });
    const reportArb = (later: boolean) => uniqueFindingArb(findingArb, 8)
      .map((fs) => {
        const base = later ? laterReport() : buildReport();
        return { ...base, findings: fs.map(({ technique, remediation, firstSeen, ...f }) => {
          const { remediation: _r, ...plain } = finding(f);
          return { ...plain, ...(technique ? { technique } : {}), ...(remediation ? { remediation } : {}), ...(firstSeen ? { firstSeen } : {}) };
        }) };
      });
    fc.assert(
      fc.property(reportArb(false), reportArb(true), (a, b) => {
        const whole = renderFormat(b, 'asff', { previous: a, asffRegion: 'eu-west-1' });
        expect(renderFormat(b, 'asff', { previous: indexOf(a, { asff: true }), asffRegion: 'eu-west-1' })).toBe(whole);
      }),
      { numRuns: 80 },
    );
  });

  it('refuses an asff section that does not fit the index, naming where', () => {
    const report = asffReport(buildReport());
    const good = (): { asff: { kinds: unknown[]; texts: unknown[]; findings: unknown[][] } } => JSON.parse([...scanIndexPieces(report, { asff: true })].join(''));
    const cases: [(j: ReturnType<typeof good>) => void, RegExp][] = [
      [(j) => j.asff.kinds.pop(), /\$\.asff\.kinds: expected an array of \d+ \(one per principal\)/],
      [(j) => { j.asff.kinds[0] = 'group'; }, /\$\.asff\.kinds\[0\]: expected one of role, user/],
      [(j) => { j.asff.findings[0]![0] = 9999; }, /\$\.asff\.findings\[0\]\[0\]: expected an index into \$\.asff\.texts/],
      [(j) => { j.asff.findings[0]![3] = ['fix', 7]; }, /\$\.asff\.findings\[0\]\[3\]\[1\]: expected a string/],
      [(j) => j.asff.findings.push([0, null, null, []]), /\$\.asff\.findings: expected an array of \d+ \(one per finding\)/],
    ];
    for (const [edit, message] of cases) {
      const j = good();
      edit(j);
      expect(() => parseScanIndex(gzipSync(JSON.stringify(j)), 'idx.json.gz', { asff: true }), String(message)).toThrow(message);
      // Not asked for, the section is not read.
      expect(parseScanIndex(gzipSync(JSON.stringify(j)), 'idx.json.gz').findings).toHaveLength(report.findings.length);
    }
    expect(isAsffComparable(parseScanIndex(gzipSync(JSON.stringify(good())), 'idx.json.gz', { asff: true }))).toBe(true);
  });
});

// The oracle for the hand-written check: the index's shape as a zod schema (what parseScanIndex
// used until it cost more than gunzip and JSON.parse together), and the comparable scan it built.
const zstr = z.string();
const oracleShape = z.object({
  tool: z.literal('leash'),
  indexFormat: z.literal(1),
  scan: z.object({ id: zstr, startedAt: zstr, account: z.object({ id: zstr }), coverage: z.object({ iam: z.enum(['complete', 'partial', 'missing']) }) }),
  principals: z.array(z.tuple([zstr, zstr, zstr.nullable(), z.boolean(), z.number().int().nonnegative()])),
  actionLists: z.array(z.array(zstr)),
  findings: z.array(z.tuple([zstr, zstr, z.enum(SEVERITIES), zstr, zstr, zstr, z.number().int().nonnegative(), z.object({ reason: zstr, by: zstr.optional(), until: zstr.optional() }).nullable(), zstr.nullable()])),
});
const oracleAsff = z.object({
  kinds: z.array(z.enum(['role', 'user'])),
  texts: z.array(zstr),
  findings: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative().nullable(), zstr.nullable(), z.array(zstr)])),
});
function oracle(data: unknown, asff = false): ComparableScan | undefined {
  const r = oracleShape.safeParse(data);
  if (!r.success) return undefined;
  const { scan, principals, actionLists, findings } = r.data;
  if (findings.some((f) => actionLists[f[6]] === undefined)) return undefined;
  const section = (data as { asff?: unknown }).asff;
  if (asff && section !== undefined) {
    const a = oracleAsff.safeParse(section);
    if (!a.success || a.data.kinds.length !== principals.length || a.data.findings.length !== findings.length) return undefined;
    if (a.data.findings.some(([d, rem]) => a.data.texts[d] === undefined || (rem !== null && a.data.texts[rem] === undefined))) return undefined;
    const plain = oracle(data)!;
    return {
      ...plain,
      principals: plain.principals.map((p, i) => ({ ...p, kind: a.data.kinds[i] })),
      findings: plain.findings.map((f, i) => {
        const [d, rem, technique, fixIds] = a.data.findings[i]!;
        return { ...f, description: a.data.texts[d]!, ...(rem !== null ? { remediation: a.data.texts[rem]! } : {}), fixIds, ...(technique !== null ? { technique } : {}) };
      }),
    };
  }
  return {
    scan,
    principals: principals.map(([arn, name, uniqueId, isAgent, allowedActionCount]) => ({ arn, name, ...(uniqueId !== null ? { uniqueId } : {}), isAgent, permissions: { allowedActionCount } })),
    findings: findings.map(([id, checkId, severity, principalArn, subject, title, list, suppressed, firstSeen]) => ({
      id, checkId, severity, principalArn, subject, title, actions: actionLists[list]!,
      ...(suppressed ? { suppressed: { reason: suppressed.reason, ...(suppressed.by !== undefined ? { by: suppressed.by } : {}), ...(suppressed.until !== undefined ? { until: suppressed.until } : {}) } } : {}),
      ...(firstSeen !== null ? { firstSeen } : {}),
    })),
  };
}

describe('the scan index\'s shape check', () => {
  const suppressedReport = buildReport({ findings: buildReport().findings.map((f, i) => (i === 0 ? { ...f, suppressed: { reason: 'accepted', by: 'sec', until: '2027-01-01' } } : i === 1 ? (({ remediation: _r, ...rest }) => ({ ...rest, technique: 'iam-pass-role', fixIds: ['fix-a', 'fix-b'] }))(f) : f)) });
  let withAsff = false;
  const goodJson = (): unknown => JSON.parse([...scanIndexPieces(suppressedReport, { asff: withAsff })].join(''));
  /** Every place in a JSON value, as a path of keys. */
  const places = (v: unknown, at: (string | number)[] = []): (string | number)[][] => {
    const here = [at];
    if (Array.isArray(v)) return here.concat(...v.map((x, i) => places(x, [...at, i])));
    if (typeof v === 'object' && v !== null) return here.concat(...Object.entries(v).map(([k, x]) => places(x, [...at, k])));
    return here;
  };
  const replacements: unknown[] = [null, 0, 3, -1, 1.5, '', 'x', 'critical', 'partial', 'leash', true, false, [], ['s3:GetObject'], {}, { reason: 'r' }, { reason: 'r', by: 7 }, 99999];
  type Edit = { kind: 'set' | 'drop' | 'push' | 'delete'; place: number; value: number };

  function edited(data: unknown, edit: Edit): unknown {
    const all = places(data);
    const path = all[edit.place % all.length]!;
    // A fresh copy each time: a shared replacement set in one place and edited in another (or in a
    // later run) would make the value circular, a fault of the test and not of the reader.
    const value = structuredClone(replacements[edit.value % replacements.length]);
    if (path.length === 0) return edit.kind === 'set' ? value : data;
    let parent: unknown = data;
    for (const k of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[k];
    const key = path[path.length - 1]!;
    const target = (parent as Record<string | number, unknown>)[key];
    if (edit.kind === 'set') (parent as Record<string | number, unknown>)[key] = value;
    else if (edit.kind === 'drop' && Array.isArray(target) && target.length > 0) target.pop();
    else if (edit.kind === 'push' && Array.isArray(target)) target.push(value);
    else if (edit.kind === 'delete' && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[key as string];
    return data;
  }

  it.each([false, true])('accepts exactly what the schema accepts, and reads it the same (property, one edit of a real index; asff section %s)', (asff) => {
    withAsff = asff;
    const edit = fc.record({ kind: fc.constantFrom<Edit['kind']>('set', 'drop', 'push', 'delete'), place: fc.nat(), value: fc.nat() });
    let refused = 0;
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 2 }), (edits) => {
        let data: unknown = goodJson();
        for (const e of edits) data = edited(data, e);
        const bytes = gzipSync(JSON.stringify(data));
        const want = oracle(data, asff);
        let got: ComparableScan | undefined;
        let error: unknown;
        try {
          got = parseScanIndex(bytes, 'idx.json.gz', { asff });
        } catch (e) {
          error = e;
        }
        if (want === undefined) {
          refused++;
          expect(error).toBeInstanceOf(InputError);
          expect((error as InputError).path).toMatch(/^\$/);
        } else {
          expect(error).toBeUndefined();
          expect(got).toEqual(want);
        }
      }),
      { numRuns: 400 },
    );
    // Control: the edits do reach refusals (and, above, acceptances).
    expect(refused).toBeGreaterThan(50);
  });

  it('names the place and what was there', () => {
    const data = goodJson() as { principals: unknown[][]; findings: unknown[][] };
    data.principals[0]![4] = 1.5;
    expect(() => parseScanIndex(gzipSync(JSON.stringify(data)), 'idx.json.gz')).toThrow(/idx\.json\.gz at \$\.principals\[0\]\[4\]: expected a non-negative integer.*got number 1\.5/);
    const longer = goodJson() as { findings: unknown[][] };
    longer.findings[1]!.push('extra');
    expect(() => parseScanIndex(gzipSync(JSON.stringify(longer)), 'idx.json.gz')).toThrow(/\$\.findings\[1\]: expected an array of 9.*got an array of 10/);
  });
});

describe('headScanId', () => {
  it('reads scan.id from the head of a report, and only the scan object\'s own key', () => {
    expect(headScanId('{\n  "schemaVersion": "1.7.0",\n  "tool": {"name": "leash"},\n  "scan": {\n    "id": "20261124T000000Z-1",\n')).toBe('20261124T000000Z-1');
    expect(headScanId('{"scan":{"id":"a\\"b"}}')).toBe('a"b');
    // A string that holds the text of a scan key is escaped, so it does not count.
    expect(headScanId('{"tool": {"name": "x\\"scan\\": {\\"id\\": \\"evil\\""}, "scan": {"id": "real"}}')).toBe('real');
    expect(headScanId('{"scan": {"startedAt": "x", "id": "late"}}')).toBeUndefined();
    expect(headScanId('not json at all')).toBeUndefined();
  });
});

describe('loadComparableScan', () => {
  const bundle = (report: Report, index?: Buffer): string => {
    const root = mkdtempSync(join(tmpdir(), 'leash-index-'));
    const dir = join(root, ACCOUNT, '2026-11-24T03-00-00.000Z');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'report.json'), JSON.stringify(report, null, 2));
    if (index) writeFileSync(join(dir, SCAN_INDEX_FILE), index);
    return dir;
  };
  const report = buildReport();
  // The index says something the report does not: which one was read shows.
  const marked = { ...report, findings: report.findings.map((f) => ({ ...f, firstSeen: '2020-01-01T00:00:00.000Z' })) };

  it('reads the index when it names the scan of the report beside it', async () => {
    const got = await loadComparableScan(bundle(report, indexBytes(marked)), ACCOUNT);
    expect(got.findings.map((f) => f.firstSeen)).toEqual(report.findings.map(() => '2020-01-01T00:00:00.000Z'));
  });

  it('reads the report when the index is missing, damaged, of another scan or of another account', async () => {
    const other = { ...marked, scan: { ...marked.scan, id: 'another-scan' } };
    const elsewhere = { ...marked, scan: { ...marked.scan, account: { id: '999999999999' } } };
    for (const index of [undefined, Buffer.from('garbage'), gzipSync('{}'), indexBytes(other), indexBytes(elsewhere)]) {
      const got = await loadComparableScan(bundle(report, index), ACCOUNT);
      expect(got).toEqual(comparableOf(report));
    }
  });

  it('for ASFF, reads the index only when it holds what ASFF needs; else the report, reduced to that', async () => {
    const got = await loadComparableScan(bundle(report, indexBytes(marked, { asff: true })), ACCOUNT, { asff: true });
    expect(got.findings.map((f) => f.firstSeen)).toEqual(report.findings.map(() => '2020-01-01T00:00:00.000Z'));
    expect(isAsffComparable(got)).toBe(true);
    const fallback = await loadComparableScan(bundle(report, indexBytes(marked)), ACCOUNT, { asff: true });
    expect(fallback).toEqual(comparableOf(report, { asff: true }));
    expect(isAsffComparable(fallback)).toBe(true);
  });

  it('refuses a report filed under another account, whatever the index says', async () => {
    const dir = bundle(report, indexBytes(marked));
    await expect(loadComparableScan(dir, '444455556666')).rejects.toThrow(/a scan of account 444455556666/);
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toContain(report.scan.id);
  });
});
