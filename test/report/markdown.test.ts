import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Report } from '../../src/model/report.js';
import { computeDelta } from '../../src/report/diff.js';
import { coverageGaps, toMarkdown } from '../../src/report/markdown.js';
import { buildReport, CLAUDE, COVERAGE, KIRO, laterReport, principal, roleArn } from './support.js';

describe('toMarkdown', () => {
  it('heads with the account and counts by severity', () => {
    const md = toMarkdown(buildReport());
    expect(md).toMatch(/^# leash scan — account 111122223333 \(acme-dev\)/);
    expect(md).toContain('| critical | 1 |');
    expect(md).toContain('| high | 1 |');
    expect(md).toContain('| medium | 1 |');
    expect(md).toContain('| low | 0 |'); // the low finding is suppressed
    expect(md).toContain('4 findings (1 suppressed)');
  });

  it('lists agent principals by risk, highest first, not the human/CI ones', () => {
    const md = toMarkdown(buildReport());
    const kiro = md.indexOf('kiro-dev-agent (role) | agent principal | 92 | 18234 | 3 | 1 | 2 | kiro |');
    const claude = md.indexOf('claude-code-mcp (role) | agent principal | 61 |');
    expect(kiro).toBeGreaterThan(0);
    expect(claude).toBeGreaterThan(kiro);
    expect(md).not.toContain('ci-deployer');
  });

  it('escapes table-breaking characters in names', () => {
    const odd = principal({ arn: roleArn('a|b'), name: 'a|b\nc', isAgent: true, riskScore: 99 });
    const md = toMarkdown(buildReport({ principals: [odd] }));
    expect(md).toContain('| a\\|b\\\\nc (role) | agent principal | 99 |'); // the newline shown escaped, one table row
  });

  it('says what changed since the previous scan, from report.delta or from --previous', () => {
    const previous = buildReport();
    const current = laterReport();
    const fromPrevious = toMarkdown(current, { previous });
    expect(fromPrevious).toContain(`Compared with \`${previous.scan.id}\``);
    expect(fromPrevious).toContain('- 1 new, 1 resolved, 2 changed findings');
    expect(fromPrevious).toContain(`agent \`${CLAUDE.arn}\` grew from 410 to 980 allowed actions`);
    const fromDelta = toMarkdown({ ...current, delta: computeDelta(previous, current) });
    expect(fromDelta).toBe(fromPrevious);
    expect(toMarkdown(current)).toContain('No previous scan to compare with.');
  });

  it('names coverage gaps plainly, including scan errors', () => {
    const md = toMarkdown(buildReport({ errors: [{ source: 'cloudtrail-api', code: 'access-denied', message: 'cloudtrail:LookupEvents denied' }] }));
    expect(md).toContain('Usage data is partial over 2026-10-25T00:00:00.000Z → 2026-11-24T00:00:00.000Z: it covers 2 of 3 principals.');
    expect(md).toContain('Service control policies were not collected');
    expect(md).toContain('3 CloudTrail events could not be mapped');
    expect(md).toContain('CloudTrail data events (S3 object-level) were not in the input.');
    expect(md).toContain('cloudtrail-api: access-denied — cloudtrail:LookupEvents denied');
  });

  it('with full coverage says there are no gaps; with no usage data says unused is unknowable', () => {
    const full = { ...COVERAGE, usage: { ...COVERAGE.usage, status: 'complete' as const, unmappedEvents: 0 }, scps: 'evaluated' as const, notes: [] };
    expect(coverageGaps(buildReport({ coverage: full }))).toEqual([]);
    expect(toMarkdown(buildReport({ coverage: full }))).toContain('None: IAM was read completely');
    const none = { ...full, usage: { status: 'none' as const, coveredPrincipals: 0, recordsRead: 0, unmappedEvents: 0 } };
    expect(coverageGaps(buildReport({ coverage: none }))[0]).toMatch(/No usage data/);
  });

  it('stays short: caps the principal and finding lists', () => {
    const many = Array.from({ length: 30 }, (_, i) => principal({ arn: roleArn(`agent-${i}`), name: `agent-${i}`, isAgent: true, riskScore: i }));
    const md = toMarkdown(buildReport({ principals: [KIRO, ...many] }), { topPrincipals: 5 });
    expect(md).toContain('…and 26 more in report.json.');
    expect(md.split('\n').length).toBeLessThan(60);
  });
});

describe('toMarkdown escapes what it shows (and only reads the rest)', () => {
  const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
  it('no control, escape or bidi character from any shown field reaches the text (property)', () => {
    const hostile = fc.array(fc.constantFrom('a', '|', '`', '\n', '\u001b', '\u009b', '\u202e', '\u2028', '\ufeff', ']52;'), { minLength: 1, maxLength: 12 }).map((xs) => xs.join(''));
    fc.assert(
      fc.property(hostile, hostile, hostile, hostile, (name, title, tool, message) => {
        const base = buildReport();
        const odd = principal({ arn: roleArn(`x${name}`), name, isAgent: true, riskScore: 99, agentEvidence: [{ kind: 'cloudtrail-user-agent', detail: message, confidence: 'high', tool }] });
        const report: Report = {
          ...base,
          scan: { ...base.scan, id: name, account: { ...base.scan.account, alias: title } },
          tool: { ...base.tool, version: tool },
          principals: [odd, ...base.principals],
          findings: base.findings.map((f) => ({ ...f, title, principalArn: odd.arn })),
          errors: [{ source: 'cloudtrail-file', code: 'invalid-input', message, location: name }] as Report['errors'],
          unrecognisedAgentTooling: [{ principalArn: odd.arn, userAgent: message, detail: name }],
        };
        const md = toMarkdown(report);
        for (const line of md.split('\n')) expect(line).not.toMatch(UNSAFE);
      }),
      { numRuns: 60 },
    );
  });
});
