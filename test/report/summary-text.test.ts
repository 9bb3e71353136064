// src/report/summary-text.ts: the terminal summary cuts long principal names in the middle to fit
// their column; the machine formats and Markdown keep them whole.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { displayWidth, nameColumnWidth, padColumns, renderSummary, truncateMiddle } from '../../src/report/summary-text.js';
import { renderFormat } from '../../src/report/write.js';
import { FORMATS } from '../../src/report/formats.js';
import { buildReport, finding, KIRO, principal, roleArn } from './support.js';

// IAM allows 64-character role names; a family of them often differs only at the end.
const LONG = 'kiro-agent-platform-engineering-shared-services-eu-west-1-staging';
const LONG_PROD = 'kiro-agent-platform-engineering-shared-services-eu-west-1-prod';

describe('truncateMiddle', () => {
  it('keeps the start and the (slightly longer) end, with one ellipsis, in exactly the width', () => {
    expect(truncateMiddle(LONG, 24)).toBe('kiro-agent-…st-1-staging');
    expect(displayWidth(truncateMiddle(LONG, 24))).toBe(24);
    // The suffix that tells two of a family apart survives.
    expect(truncateMiddle(LONG, 24)).not.toBe(truncateMiddle(LONG_PROD, 24));
    expect(truncateMiddle(LONG_PROD, 24).endsWith('west-1-prod')).toBe(true);
  });

  it('leaves text that fits alone', () => {
    expect(truncateMiddle('kiro-agent', 10)).toBe('kiro-agent');
    expect(truncateMiddle('', 5)).toBe('');
  });

  it('counts wide characters as two columns and never splits a grapheme', () => {
    expect(displayWidth('漢字')).toBe(4);
    expect(displayWidth('😀')).toBe(2);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('👨‍👩‍👧')).toBe(2);
    const cut = truncateMiddle('機械学習エージェント用ロール', 11);
    expect(displayWidth(cut)).toBeLessThanOrEqual(11);
    expect(cut).toBe('機械…ロール');
    expect(padColumns('漢字', 6)).toBe('漢字  ');
  });

  const glyph = fc.constantFrom('a', 'Z', '-', '_', '0', '漢', 'ロ', '😀', 'é', 'e\u0301', '🇺🇸', '👨‍👩‍👧');
  it('fits the width, and is a prefix + … + suffix of the original (property)', () => {
    fc.assert(fc.property(fc.array(glyph, { maxLength: 80 }).map((g) => g.join('')), fc.integer({ min: 2, max: 70 }), (text, width) => {
      const out = truncateMiddle(text, width);
      expect(displayWidth(out)).toBeLessThanOrEqual(width);
      if (displayWidth(text) <= width) {
        expect(out).toBe(text);
        return;
      }
      const at = out.indexOf('…');
      const head = out.slice(0, at);
      const tail = out.slice(at + 1);
      expect(text.startsWith(head)).toBe(true);
      expect(text.endsWith(tail)).toBe(true);
      // At most one column lost on each side to a two-column glyph that did not fit.
      expect(displayWidth(out)).toBeGreaterThanOrEqual(width - 2);
      expect(displayWidth(tail)).toBeGreaterThanOrEqual(displayWidth(head) - 1);
    }));
  });
});

describe('renderSummary with very long principal names', () => {
  const longAgent = principal({ arn: roleArn(LONG, '/agents/'), name: LONG, isAgent: true, riskScore: 95, agentEvidence: [{ kind: 'tag', detail: 'tag ai-agent=true', confidence: 'high', tool: 'kiro' }] });
  const longHuman = principal({ arn: roleArn(LONG_PROD), name: LONG_PROD, riskScore: 80 });
  const report = buildReport({
    principals: [longAgent, KIRO, longHuman],
    findings: [
      finding({ checkId: 'agent-destructive-without-approval', principalArn: longAgent.arn, subject: 'destructive' }),
      finding({ checkId: 'agent-destructive-without-approval', principalArn: longHuman.arn, subject: 'destructive' }),
    ],
  });

  it.each([[80], [120], [60]])('cuts names to the name column of a %i-column terminal, on agent and other-principal lines', (columns) => {
    const text = renderSummary(report, { color: false, width: columns });
    const col = nameColumnWidth(columns);
    const agentLine = text.split('\n').find((l) => l.startsWith('   95  '))!;
    const name = agentLine.slice(7, agentLine.indexOf('  (role'));
    expect(displayWidth(name)).toBeLessThanOrEqual(col);
    expect(name).toBe(truncateMiddle(LONG, col));
    expect(text).toContain(`  CRITICAL ${truncateMiddle(LONG_PROD, col)}: agent-destructive-without-approval`);
    // Short names are untouched.
    expect(text).toContain('  92  kiro-dev-agent  (role; kiro)');
  });

  it('cuts at an 80-column terminal when no width is given (cron, CI logs)', () => {
    const text = renderSummary(report);
    expect(text).toContain(truncateMiddle(LONG, nameColumnWidth(80)));
    expect(text).not.toContain(LONG);
  });

  it('JSON, SARIF, ASFF and Markdown keep full names and ARNs', () => {
    for (const format of FORMATS) {
      const out = renderFormat(report, format);
      expect(out, format).toContain(longAgent.arn);
      expect(out, format).not.toContain(truncateMiddle(LONG, nameColumnWidth(80)));
    }
    expect(renderFormat(report, 'md')).toContain(`| ${LONG} (role) | agent principal | 95 |`);
  });
});

describe('renderSummary with hostile strings', () => {
  // Names, titles, notes and error messages can be written by whoever controls an account: only
  // the summary's own colour codes may reach the terminal as escape sequences.
  const evil = (tag: string) => `${tag}\u001b]52;c;ZWNobyBoaQ==\u0007\n\u202eevil\u009b2J`;
  const rawControls = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

  function hostileReport() {
    const agent = principal({ arn: roleArn('kiro-agent'), name: evil('agent'), isAgent: true, agentKind: 'agent-principal', riskScore: 90,
      agentEvidence: [{ kind: 'name-pattern', detail: evil('detail'), confidence: 'medium', tool: evil('tool') }] });
    const other = principal({ arn: roleArn('ops'), name: evil('other'), riskScore: 50 });
    const findings = [
      { ...finding({ checkId: 'admin-access', principalArn: agent.arn, subject: 'admin' }), title: evil('title'), severity: 'critical' as const },
      { ...finding({ checkId: 'admin-access', principalArn: other.arn, subject: 'admin' }), severity: 'critical' as const },
      { ...finding({ checkId: 'unused-agent-trust', principalArn: other.arn, subject: `agent:${agent.arn}` }), severity: 'high' as const },
    ];
    const base = buildReport({ principals: [agent, other], findings });
    return { ...base, scan: { ...base.scan, coverage: { ...base.scan.coverage, notes: [evil('note')] } }, errors: [{ source: 'authorization-details-file', code: 'invalid-input', message: evil('error') }] } as typeof base;
  }

  it('shows every hostile string escaped, colour or not', () => {
    for (const color of [false, true]) {
      const out = renderSummary(hostileReport(), { color, width: Infinity });
      // Colour codes are the only ESC left; strip them, and nothing raw remains.
      const text = out.replace(/\u001b\[[0-9;]*m/g, '');
      expect(text).not.toMatch(rawControls);
      for (const tag of ['agent', 'title', 'other', 'note', 'error', 'tool']) expect(text).toContain(`${tag}\\x1b]52;c;ZWNobyBoaQ==\\x07\\n\\u202eevil\\x9b2J`);
    }
  });

  it('negative control: the same report with clean names prints them unchanged', () => {
    const clean = buildReport({ principals: [principal({ arn: roleArn('kiro-agent'), name: 'kiro-agent', isAgent: true, agentKind: 'agent-principal', riskScore: 90 })] });
    const out = renderSummary(clean, { color: false, width: Infinity });
    expect(out).toContain('kiro-agent');
    expect(out).not.toContain('\\x1b');
  });
});

describe('renderSummary counts what it leaves out', () => {
  const agent = (i: number) => principal({ arn: roleArn(`agent-${i}`), name: `agent-${i}`, isAgent: true, riskScore: 90 - i, agentEvidence: [{ kind: 'tag', detail: 'tag ai-agent=true', confidence: 'high', tool: 'kiro' }] });

  it('says how many agent principals are not listed (8 of 11 are shown)', () => {
    const text = renderSummary(buildReport({ principals: Array.from({ length: 11 }, (_, i) => agent(i)), findings: [] }));
    expect(text).toContain('  agent-7  (role; kiro)');
    expect(text).not.toContain('  agent-8  (role; kiro)');
    expect(text).toContain('  … 3 more agent principals (leash tui: p, then a lists them all)');
  });

  it('control: with 8 agent principals or fewer, no "more" line', () => {
    const text = renderSummary(buildReport({ principals: Array.from({ length: 8 }, (_, i) => agent(i)), findings: [] }));
    expect(text).toContain('  agent-7  (role; kiro)');
    expect(text).not.toContain('more agent principal');
  });

  it('a finding held by a resource (not a principal) is listed under "principals and resources"', () => {
    const human = principal({ arn: roleArn('ops'), name: 'ops', riskScore: 50 });
    const bucket = 'arn:aws:s3:::acme-prod-data';
    const withBucket = renderSummary(buildReport({
      principals: [human],
      findings: [finding({ checkId: 'agent-destructive-without-approval', principalArn: human.arn, subject: 'd', severity: 'high' }), finding({ checkId: 'resource-exposed', principalArn: bucket, subject: 'x', severity: 'high' })],
    }));
    expect(withBucket).toContain('Other principals and resources with critical/high findings');
    expect(withBucket).toContain(`  HIGH     ${bucket}: resource-exposed`);
    // Control: principals only keep the plain heading.
    const only = renderSummary(buildReport({ principals: [human], findings: [finding({ checkId: 'agent-destructive-without-approval', principalArn: human.arn, subject: 'd', severity: 'high' })] }));
    expect(only).toContain('Other principals with critical/high findings');
    expect(only).not.toContain('and resources');
  });
});
