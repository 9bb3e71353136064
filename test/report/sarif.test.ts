import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SEVERITIES } from '../../src/model/finding.js';
import { FINGERPRINT_KEY, sarifLevel, toSarif } from '../../src/report/sarif.js';
import { ownFixture } from '../support/fixtures.js';
import { ACCOUNT, buildReport, CHECKS, CLAUDE, finding, KIRO } from './support.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const schema = JSON.parse(readFileSync(ownFixture('sarif/sarif-schema-2.1.0-subset.json'), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

function errorsOf(doc: unknown): string {
  return validate(doc) ? '' : ajv.errorsText(validate.errors, { separator: '\n' });
}

describe('toSarif', () => {
  it('produces a log that validates against the SARIF 2.1.0 schema', () => {
    // Given a report with agent principals, a suppressed finding and checks with references
    const log = toSarif(buildReport());
    // Then the SARIF schema accepts it
    expect(errorsOf(log)).toBe('');
    expect(log.version).toBe('2.1.0');
  });

  it('says what the scan could not read as tool execution notifications, bounded, and stays valid', () => {
    const clean = toSarif(buildReport());
    expect(clean.runs[0]!.invocations[0]!.toolExecutionNotifications).toBeUndefined();
    const errors = [
      { source: 'cloudtrail-file' as const, code: 'invalid-input' as const, message: 'trail/broken.json at line 3: expected valid JSON', location: 'trail/broken.json' },
      { source: 'organizations-scp' as const, code: 'access-denied' as const, message: 'organizations:ListPolicies: AccessDenied' },
    ];
    const log = toSarif(buildReport({ errors }));
    expect(errorsOf(log)).toBe('');
    const n = log.runs[0]!.invocations[0]!;
    expect(n.executionSuccessful).toBe(true);
    expect(n.toolExecutionNotifications!.map((x) => [x.level, x.message.text])).toEqual([
      ['error', 'trail/broken.json at line 3: expected valid JSON'],
      ['warning', 'organizations:ListPolicies: AccessDenied'],
    ]);
    const many = toSarif(buildReport({ errors: Array.from({ length: 120 }, (_, i) => ({ ...errors[0]!, message: `file ${i}` })) }));
    const listed = many.runs[0]!.invocations[0]!.toolExecutionNotifications!;
    expect(listed).toHaveLength(51);
    expect(listed.at(-1)!.message.text).toBe('70 more scan errors are listed in report.json');
    expect(errorsOf(many)).toBe('');
  });

  it('the schema fixture is strict enough to reject broken SARIF', () => {
    const log = JSON.parse(JSON.stringify(toSarif(buildReport())));
    const noMessage = structuredClone(log);
    delete noMessage.runs[0].results[0].message;
    expect(errorsOf(noMessage)).toMatch(/message/);
    const badSuppression = structuredClone(log);
    badSuppression.runs[0].results[3].suppressions[0].kind = 'inline';
    expect(errorsOf(badSuppression)).toMatch(/allowed values/);
    const badLevel = structuredClone(log);
    badLevel.runs[0].tool.driver.rules[0].defaultConfiguration.level = 'critical';
    expect(errorsOf(badLevel)).not.toBe('');
    const extra = structuredClone(log);
    extra.runs[0].results[0].principal = 'x';
    expect(errorsOf(extra)).toMatch(/additional properties/);
  });

  it('describes every check as a rule with level, help text, rationale and references', () => {
    const [run] = toSarif(buildReport()).runs;
    const rules = run!.tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(CHECKS.map((c) => c.id));
    const escalation = rules.find((r) => r.id === 'agent-privilege-escalation')!;
    expect(escalation.name).toBe('AgentPrivilegeEscalation');
    expect(escalation.defaultConfiguration.level).toBe('error');
    expect(escalation.shortDescription.text).toBe(CHECKS[1]!.title);
    expect(escalation.help.text).toContain(CHECKS[1]!.rationale);
    for (const ref of CHECKS[1]!.references) expect(escalation.help.text).toContain(ref);
    expect(escalation.helpUri).toBe(CHECKS[1]!.references[0]);
    expect(escalation.properties['security-severity']).toBe('8.0');
    // A check without references has no helpUri rather than an empty one.
    expect(rules.find((r) => r.id === 'long-max-session-duration')!.helpUri).toBeUndefined();
  });

  it('maps severity to SARIF level', () => {
    expect(SEVERITIES.map(sarifLevel)).toEqual(['error', 'error', 'warning', 'note', 'note']);
  });

  it('places each result on its principal: logical ARN, stable physical pseudo-path, fingerprint = finding id', () => {
    const report = buildReport();
    const [run] = toSarif(report).runs;
    expect(run!.results).toHaveLength(report.findings.length);
    run!.results.forEach((r, i) => {
      const f = report.findings[i]!;
      expect(r.ruleId).toBe(f.checkId);
      expect(run!.tool.driver.rules[r.ruleIndex]!.id).toBe(f.checkId);
      expect(r.level).toBe(sarifLevel(f.severity));
      expect(r.locations[0]!.logicalLocations[0]!.fullyQualifiedName).toBe(f.principalArn);
      expect(r.partialFingerprints[FINGERPRINT_KEY]).toBe(f.id);
      expect(r.message.text).toContain(f.principalArn);
    });
    expect(run!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe(`aws-iam/${ACCOUNT}/role/${KIRO.name}`);
    expect(run!.automationDetails.id).toBe(`leash/${ACCOUNT}/${report.scan.id}`);
  });

  it('the same finding in a later scan keeps its fingerprint and location', () => {
    const a = toSarif(buildReport()).runs[0]!.results[0]!;
    const b = toSarif(buildReport({ startedAt: '2026-12-01T03:00:00.000Z' })).runs[0]!.results[0]!;
    expect(b.partialFingerprints).toEqual(a.partialFingerprints);
    expect(b.locations).toEqual(a.locations);
  });

  it('marks suppressed findings as external suppressions with the justification; others get an empty list', () => {
    const [run] = toSarif(buildReport()).runs;
    const suppressed = run!.results.find((r) => r.ruleId === 'long-max-session-duration')!;
    expect(suppressed.suppressions).toEqual([
      { kind: 'external', status: 'accepted', justification: expect.stringContaining('JIRA SEC-412') },
    ]);
    expect(suppressed.suppressions[0]!.justification).toContain('alice@example.com');
    expect(run!.results.find((r) => r.ruleId === 'agent-unused-permissions')!.suppressions).toEqual([]);
  });

  it('adds a rule for a finding whose check the report does not list', () => {
    const f = finding({ checkId: 'custom-org-check', principalArn: CLAUDE.arn, subject: 'x', severity: 'high' });
    const log = toSarif(buildReport({ findings: [f] }));
    const run = log.runs[0]!;
    const r = run.results[0]!;
    expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe('custom-org-check');
    expect(errorsOf(log)).toBe('');
  });

  it('lets the caller put alerts on a real file (IAM as code)', () => {
    const log = toSarif(buildReport(), { artifactUriFor: (f) => `infra/iam/${f.principalArn.split('/').pop()}.tf` });
    expect(log.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('infra/iam/kiro-dev-agent.tf');
  });

  it('stays valid for any mix of severities, suppressions, odd titles and unknown checks', () => {
    const arb = fc.array(
      fc.record({
        checkId: fc.constantFrom(...CHECKS.map((c) => c.id), 'other-check'),
        severity: fc.constantFrom(...SEVERITIES),
        title: fc.string({ minLength: 1, maxLength: 80 }),
        subject: fc.string({ maxLength: 20 }),
        suppressed: fc.option(fc.record({ reason: fc.string({ minLength: 1 }) }), { nil: undefined }),
        actions: fc.array(fc.constantFrom('s3:GetObject', 'iam:PassRole', 'ec2:TerminateInstances'), { maxLength: 80 }),
        user: fc.boolean(),
      }),
      { maxLength: 15 },
    );
    fc.assert(
      fc.property(arb, (specs) => {
        const findings = specs.map((s) => {
          const { user, suppressed, ...rest } = s;
          const principalArn = user ? `arn:aws:iam::${ACCOUNT}:user/dev|ops` : KIRO.arn;
          return finding({ ...rest, principalArn, ...(suppressed ? { suppressed } : {}) });
        });
        const log = toSarif(buildReport({ findings }));
        expect(errorsOf(log)).toBe('');
        for (const r of log.runs[0]!.results) expect(r.properties.actions.length).toBeLessThanOrEqual(50);
      }),
      { numRuns: 60 },
    );
  });
});
