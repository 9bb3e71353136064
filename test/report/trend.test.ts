import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/model/errors.js';
import { computeDelta } from '../../src/report/diff.js';
import { appendTrend, parseTrend, trendLine } from '../../src/report/trend.js';
import { buildReport, laterReport } from './support.js';

describe('trendLine', () => {
  it('counts open findings by severity and check, and new/resolved from the delta', () => {
    const before = buildReport();
    const after0 = laterReport();
    const after = { ...after0, delta: computeDelta(before, after0) };
    const line = trendLine(after);
    const open = after.findings.filter((f) => !f.suppressed);
    expect(line.findings).toBe(open.length);
    expect(line.suppressed).toBe(after.findings.length - open.length);
    expect(Object.values(line.bySeverity).reduce((a, b) => a + b, 0)).toBe(open.length);
    expect(line.byCheck['agent-destructive-without-approval']).toBe(open.filter((f) => f.checkId === 'agent-destructive-without-approval').length);
    expect(line.new).toBe(after.delta.newFindings.length);
    expect(line.resolved).toBe(after.delta.resolvedFindings.length);
    expect(line.resolved).toBeGreaterThan(0);
    expect(line.account).toBe('111122223333');
  });
  it('negative control: no previous scan means null, not 0', () => {
    expect(trendLine(buildReport())).toMatchObject({ new: null, resolved: null, previousScanId: null });
  });
});

describe('appendTrend / parseTrend', () => {
  it('keeps scan order and replaces a scan written twice', () => {
    const a = trendLine(buildReport({ startedAt: '2026-11-01T00:00:00.000Z' }));
    const b = trendLine(buildReport({ startedAt: '2026-11-02T00:00:00.000Z' }));
    let text = appendTrend('', 't', b);
    text = appendTrend(text, 't', a);
    text = appendTrend(text, 't', b);
    expect(parseTrend(text, 't').map((l) => l.startedAt)).toEqual([a.startedAt, b.startedAt]);
  });
  it('a broken line is an error naming the file and line', () => {
    const good = `${JSON.stringify(trendLine(buildReport()))}\n`;
    expect(() => parseTrend(`${good}{oops\n`, 'trend.ndjson')).toThrow(InputError);
    expect(() => parseTrend(`${good}{oops\n`, 'trend.ndjson')).toThrow(/trend\.ndjson at line 2/);
    expect(() => parseTrend(`${good}{"schema":"leash-trend/1"}\n`, 'trend.ndjson')).toThrow(/line 2 \$\.scanId/);
  });
});
