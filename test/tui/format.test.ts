import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  awsJson, bar, colorsEnabled, filterPrincipals, findingsFor, fixDocumentText, grantedVsUsed, jsonLines, nextSeverityFilter,
  riskiestAgents, safeSegment, truncate, windowStart, worstSeverity, wrapText,
} from '../../src/tui/format.js';
import { buildReport, FID, KIRO_ARN, POWER_USER_ACCESS } from './support.js';

const noFilter = { query: '', agentsOnly: false, minSeverity: undefined };

describe('principal ordering and filters', () => {
  const report = buildReport();

  it('sorts by risk score, worst first', () => {
    const names = filterPrincipals(report, noFilter).map((p) => p.name);
    expect(names).toEqual(['kiro-agent', 'claude-code-dev', 'ci-deploy', 'orders-bedrock-agent', 'security-audit']);
  });

  it.each([
    [{ ...noFilter, agentsOnly: true }, ['kiro-agent', 'claude-code-dev', 'orders-bedrock-agent']],
    [{ ...noFilter, query: 'AGENT' }, ['kiro-agent', 'orders-bedrock-agent']],
    [{ ...noFilter, minSeverity: 'high' as const }, ['kiro-agent', 'claude-code-dev', 'ci-deploy']],
    [{ ...noFilter, minSeverity: 'critical' as const }, ['kiro-agent']],
    [{ query: 'dev', agentsOnly: true, minSeverity: 'high' as const }, ['claude-code-dev']],
  ])('filter %o keeps %o', (filter, expected) => {
    expect(filterPrincipals(report, filter).map((p) => p.name)).toEqual(expected);
  });

  it('a search puts the principal it names first: exact name, then own name or ARN, then finding text', () => {
    const r = buildReport();
    const kiro = r.principals.find((p) => p.name === 'kiro-agent')!;
    // A riskier principal whose name holds the query, and one whose finding names the searched principal.
    const kiro2 = { ...kiro, name: 'kiro-agent-2', arn: `${kiro.arn}-2`, riskScore: 99 };
    const findings = r.findings.map((f) => (f.id === FID('f-claude-passrole') ? { ...f, description: 'It can act as orders-bedrock-agent and kiro-agent.' } : f));
    const report = { ...r, principals: [...r.principals, kiro2], findings };
    expect(filterPrincipals(report, { ...noFilter, query: 'orders-bedrock' }).map((p) => p.name)).toEqual(['orders-bedrock-agent', 'claude-code-dev']);
    expect(filterPrincipals(report, { ...noFilter, query: 'kiro-agent' }).map((p) => p.name)).toEqual(['kiro-agent', 'kiro-agent-2', 'claude-code-dev']);
    // Control: text that only findings hold keeps the risk order.
    expect(filterPrincipals(report, { ...noFilter, query: 'act as' }).map((p) => p.name)).toEqual(['claude-code-dev']);
    expect(filterPrincipals(report, { ...noFilter, query: 'destructive' }).map((p) => p.name)).toEqual(['kiro-agent', 'ci-deploy']);
  });

  it('answers the same filter on the same report without recomputing (a cursor move at 10k principals), and a new filter or report anew', () => {
    const r = buildReport();
    const first = filterPrincipals(r, noFilter);
    expect(filterPrincipals(r, { ...noFilter })).toBe(first);
    const agents = filterPrincipals(r, { ...noFilter, agentsOnly: true });
    expect(agents).not.toBe(first);
    expect(agents.map((p) => p.name)).toEqual(['kiro-agent', 'claude-code-dev', 'orders-bedrock-agent']);
    // A suppression makes a new report object: its answer is computed from it.
    const findings = r.findings.map((f) => (f.id === FID('f-ci-destructive') ? { ...f, suppressed: { reason: 'accepted' } } : f));
    const high = { ...noFilter, minSeverity: 'high' as const };
    expect(filterPrincipals(r, high).map((p) => p.name)).toContain('ci-deploy');
    expect(filterPrincipals({ ...r, findings }, high).map((p) => p.name)).not.toContain('ci-deploy');
  });

  it('ignores suppressed findings when filtering by severity', () => {
    const r = buildReport();
    const findings = r.findings.map((f) => (f.id === FID('f-ci-destructive') ? { ...f, suppressed: { reason: 'accepted' } } : f));
    expect(filterPrincipals({ ...r, findings }, { ...noFilter, minSeverity: 'high' }).map((p) => p.name)).not.toContain('ci-deploy');
  });

  it('cycles the severity filter through all, critical, high, medium, low and back', () => {
    const seen = [undefined];
    for (let i = 0; i < 5; i++) seen.push(nextSeverityFilter(seen[seen.length - 1]) as never);
    expect(seen).toEqual([undefined, 'critical', 'high', 'medium', 'low', undefined]);
  });

  it('points at the riskiest agent and its worst open finding', () => {
    const [top] = riskiestAgents(report);
    expect(top?.principal.name).toBe('kiro-agent');
    expect(top?.finding?.severity).toBe('critical');
  });

  it('lists findings worst first with suppressed ones last', () => {
    const r = buildReport();
    const findings = r.findings.map((f) => (f.id === FID('f-kiro-destructive') ? { ...f, suppressed: { reason: 'x' } } : f));
    const fs = findingsFor({ ...r, findings }, KIRO_ARN);
    expect(fs.map((f) => f.id)).toEqual([FID('f-kiro-unused'), FID('f-kiro-destructive')]);
    expect(worstSeverity(fs)).toBe('medium');
  });
});

describe('granted vs used', () => {
  it('reports used as unknown, not zero, when the principal has no usage data', () => {
    const kiro = buildReport({ withUsage: false }).principals[0]!;
    expect(grantedVsUsed(kiro).every((s) => s.used === undefined)).toBe(true);
  });

  it('reports zero for a granted service never used when usage covers the principal', () => {
    const kiro = buildReport().principals[0]!;
    const rows = grantedVsUsed(kiro);
    expect(rows[0]).toEqual({ service: 'ec2', granted: 712, used: 0 });
    expect(rows.find((s) => s.service === 'ce')).toEqual({ service: 'ce', granted: 61, used: 3 });
  });
});

describe('text helpers', () => {
  it('bar has the requested width and shows any non-zero value', () => {
    fc.assert(fc.property(fc.nat(1000), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 60 }), (v, max, w) => {
      const b = bar(v, max, w);
      expect(b).toHaveLength(w);
      expect(b.includes('█')).toBe(v > 0);
    }));
  });

  it('truncate never exceeds the width and keeps short text as is', () => {
    fc.assert(fc.property(fc.string(), fc.integer({ min: 1, max: 100 }), (s, w) => {
      const t = truncate(s, w);
      expect(t.length).toBeLessThanOrEqual(w);
      if (s.length <= w) expect(t).toBe(s);
      else expect(t.endsWith('…')).toBe(true);
    }));
  });

  it('windowStart keeps the selected row visible', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 40 }), fc.nat(), (total, height, sel) => {
      const selected = total === 0 ? 0 : sel % total;
      const start = windowStart(total, selected, height);
      expect(start).toBeGreaterThanOrEqual(0);
      if (total > 0) {
        expect(selected).toBeGreaterThanOrEqual(start);
        expect(selected).toBeLessThan(start + height);
      }
    }));
  });

  it('jsonLines parses back to the same value and fits the width when it can', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.integer({ min: 20, max: 120 }), (v, w) => {
      const out = jsonLines(v, w);
      expect(JSON.parse(out.join('\n'))).toEqual(JSON.parse(JSON.stringify(v)));
    }));
    const lines = jsonLines(POWER_USER_ACCESS.Statement[1], 60);
    expect(lines.every((l) => l.length <= 60)).toBe(true);
  });

  it('wrapText keeps every word and respects the width', () => {
    fc.assert(fc.property(fc.array(fc.stringMatching(/^[a-z:*]{1,12}$/), { maxLength: 30 }), fc.integer({ min: 12, max: 80 }), (words, w) => {
      const out = wrapText(words.join(' '), w);
      expect(out.every((l) => l.length <= w)).toBe(true);
      expect(out.join(' ').split(/\s+/).filter(Boolean)).toEqual(words);
    }));
  });

  it.each([
    [{}, true],
    [{ NO_COLOR: '' }, true],
    [{ NO_COLOR: '1' }, false],
  ])('colorsEnabled(%o) is %s (no-color.org: any non-empty value)', (env, expected) => {
    expect(colorsEnabled(env)).toBe(expected);
  });

  it('safeSegment keeps IAM names as they are and makes anything else one harmless path segment', () => {
    expect(safeSegment('kiro-agent')).toBe('kiro-agent');
    expect(safeSegment('svc+deploy=x@y.z')).toBe('svc+deploy=x@y.z');
    fc.assert(fc.property(fc.string(), (name) => {
      const s = safeSegment(name);
      expect(s.length).toBeGreaterThan(0);
      expect(s).not.toMatch(/[/\\\0]/);
      expect(s.startsWith('.')).toBe(false);
    }));
  });
});

describe('fix documents', () => {
  it('renders the model shape and the AWS shape to the same JSON', () => {
    const fix = buildReport().fixes[0]!;
    expect(awsJson(fix.before)).toEqual(POWER_USER_ACCESS);
    expect(awsJson(POWER_USER_ACCESS)).toEqual(POWER_USER_ACCESS);
    expect(JSON.parse(fixDocumentText(fix.before, fix.kind))).toEqual(POWER_USER_ACCESS);
  });

  it('shows a session-duration fix as the number it sets', () => {
    expect(fixDocumentText(3600, 'max-session-duration')).toBe('MaxSessionDuration: 3600');
  });
});
