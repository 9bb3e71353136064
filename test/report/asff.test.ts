// The schema below restates the AwsSecurityFinding required attributes and limits from
// https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_AwsSecurityFinding.html and
// https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SEVERITIES } from '../../src/model/finding.js';
import { ASFF_LIMITS, asffSeverityLabel, clip, defaultProductArn, toAsff } from '../../src/report/asff.js';
import type { Report } from '../../src/model/report.js';
import { ACCOUNT, buildReport, CLAUDE, finding, KIRO, laterReport } from './support.js';

// Timestamps: YYYY-MM-DDTHH:MM:SS[.fraction up to 9 digits](Z|±HH[:]MM) per the API reference.
const timestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/);
const nonBlank = (max: number) => z.string().min(1).max(max).regex(/\S/);
const findingType = z.string().regex(/^(Software and Configuration Checks|TTPs|Effects|Unusual Behaviors|Sensitive Data Identifications)(\/[^/]+){1,2}$/);

const asffFinding = z.object({
  SchemaVersion: z.literal('2018-10-08'),
  Id: nonBlank(512),
  ProductArn: z.string().regex(/^arn:aws(-cn|-us-gov)?:securityhub:[a-z0-9-]+:\d{12}:product\/\d{12}\/default$/),
  GeneratorId: nonBlank(512),
  AwsAccountId: z.string().regex(/^\d{12}$/),
  Types: z.array(findingType).min(1).max(50),
  CreatedAt: timestamp,
  UpdatedAt: timestamp,
  Severity: z.object({ Label: z.enum(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']), Original: z.string().max(64).optional() }),
  Title: nonBlank(256),
  Description: nonBlank(1024),
  Resources: z
    .array(z.object({ Type: z.string().min(1), Id: z.string().min(1), Partition: z.enum(['aws', 'aws-cn', 'aws-us-gov']), Region: z.string().min(1) }))
    .min(1)
    .max(32),
  Workflow: z.object({ Status: z.enum(['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED']) }),
  RecordState: z.enum(['ACTIVE', 'ARCHIVED']),
  Remediation: z.object({ Recommendation: z.object({ Text: z.string().max(512) }) }).optional(),
  Note: z.object({ Text: nonBlank(512), UpdatedBy: nonBlank(512), UpdatedAt: timestamp }).optional(),
  ProductFields: z.record(z.string().max(128), z.string().max(2048)).refine((m) => Object.keys(m).length <= 50),
  // How a provider updates Severity and Types of an existing finding (BatchImportFindings ignores the top-level ones then).
  FindingProviderFields: z.object({
    Severity: z.object({ Label: z.enum(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']), Original: z.string().max(64).optional() }).strict(),
    Types: z.array(findingType).min(1).max(50),
  }).strict().optional(),
}).strict();

describe('toAsff', () => {
  it('emits one finding per report finding, each meeting the BatchImportFindings required fields and limits', () => {
    const report = buildReport();
    const out = toAsff(report, { region: 'eu-west-1' });
    expect(out).toHaveLength(report.findings.length);
    for (const f of out) expect(asffFinding.safeParse(f).error?.issues ?? []).toEqual([]);
  });

  it('uses the account default product, the check as generator and the principal as AwsIamRole/AwsIamUser resource', () => {
    const report = buildReport({
      findings: [
        finding({ checkId: 'agent-privilege-escalation', principalArn: KIRO.arn, subject: 's' }),
        finding({ checkId: 'agent-unused-permissions', principalArn: `arn:aws:iam::${ACCOUNT}:user/ci-deployer`, subject: 'u' }),
      ],
    });
    const [role, user] = toAsff(report, { region: 'eu-west-1' });
    expect(role!.ProductArn).toBe(`arn:aws:securityhub:eu-west-1:${ACCOUNT}:product/${ACCOUNT}/default`);
    expect(role!.GeneratorId).toBe('leash/agent-privilege-escalation');
    expect(role!.AwsAccountId).toBe(ACCOUNT);
    expect(role!.Resources).toEqual([{ Type: 'AwsIamRole', Id: KIRO.arn, Partition: 'aws', Region: 'eu-west-1' }]);
    expect(user!.Resources[0]!.Type).toBe('AwsIamUser');
    expect(role!.Severity.Label).toBe('HIGH');
    expect(role!.Remediation?.Recommendation.Text).toContain('permissions boundary');
    expect(role!.CreatedAt).toBe(report.scan.startedAt);
    expect(role!.UpdatedAt).toBe(report.scan.finishedAt);
  });

  it('keeps Id stable across scans so Security Hub updates the finding in place', () => {
    const a = toAsff(buildReport(), { region: 'us-east-1' });
    const b = toAsff(buildReport({ startedAt: '2026-12-01T00:00:00.000Z' }), { region: 'us-east-1' });
    expect(b.map((f) => f.Id)).toEqual(a.map((f) => f.Id));
    expect(a[0]!.Id).toBe(`leash/${ACCOUNT}/${buildReport().findings[0]!.id}`);
  });

  it('maps severities to Security Hub labels', () => {
    expect(SEVERITIES.map(asffSeverityLabel)).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL']);
  });

  it('tags escalation findings as a TTP', () => {
    const out = toAsff(buildReport(), { region: 'us-east-1' });
    const esc = out.find((f) => f.GeneratorId === 'leash/agent-privilege-escalation')!;
    expect(esc.Types).toContain('TTPs/Privilege Escalation');
    expect(out.find((f) => f.GeneratorId === 'leash/agent-unused-permissions')!.Types).toEqual(['Software and Configuration Checks/AWS Security Best Practices']);
  });

  it('sends suppressed findings as SUPPRESSED with the reason in a note', () => {
    const out = toAsff(buildReport(), { region: 'us-east-1' });
    const s = out.find((f) => f.GeneratorId === 'leash/long-max-session-duration')!;
    expect(s.Workflow.Status).toBe('SUPPRESSED');
    expect(s.RecordState).toBe('ACTIVE');
    expect(s.Note?.Text).toContain('JIRA SEC-412');
    expect(s.Note?.UpdatedBy).toBe('alice@example.com');
  });

  it('with the previous report, archives findings that were resolved since', () => {
    const previous = buildReport();
    const current = laterReport();
    const out = toAsff(current, { region: 'us-east-1', previous });
    const resolvedIds = previous.findings.filter((f) => !current.findings.some((c) => c.id === f.id)).map((f) => `leash/${ACCOUNT}/${f.id}`);
    expect(resolvedIds).toHaveLength(1);
    const archived = out.filter((f) => f.RecordState === 'ARCHIVED');
    expect(archived.map((f) => f.Id)).toEqual(resolvedIds);
    expect(archived[0]!.Workflow.Status).toBe('RESOLVED');
    expect(archived[0]!.CreatedAt).toBe(previous.scan.startedAt);
    for (const f of out) expect(asffFinding.safeParse(f).success).toBe(true);
  });

  it('honours a product ARN and the partition of China and GovCloud regions', () => {
    expect(defaultProductArn('cn-north-1', ACCOUNT)).toBe(`arn:aws-cn:securityhub:cn-north-1:${ACCOUNT}:product/${ACCOUNT}/default`);
    const custom = 'arn:aws:securityhub:us-east-1:999988887777:product/999988887777/default';
    expect(toAsff(buildReport(), { region: 'us-east-1', productArn: custom })[0]!.ProductArn).toBe(custom);
    const gov = toAsff(buildReport({ findings: [finding({ checkId: 'agent-unused-permissions', principalArn: `arn:aws-us-gov:iam::${ACCOUNT}:role/x`, subject: 's' })] }), { region: 'us-gov-west-1' });
    expect(gov[0]!.Resources[0]!.Partition).toBe('aws-us-gov');
  });

  it('clips long titles, descriptions and remediation to the documented limits', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 3000 }).filter((s) => /\S/.test(s)), fc.string({ maxLength: 2000 }), (text, remediation) => {
        const f = finding({ checkId: 'agent-unused-permissions', principalArn: CLAUDE.arn, subject: text.slice(0, 50), title: text, description: text, remediation });
        const [out] = toAsff(buildReport({ findings: [f] }), { region: 'us-east-1' });
        expect(asffFinding.safeParse(out).error?.issues ?? []).toEqual([]);
        expect(out!.Title.length).toBeLessThanOrEqual(ASFF_LIMITS.title);
      }),
      { numRuns: 100 },
    );
    expect(clip('x'.repeat(300), 256)).toHaveLength(256);
    expect(clip('x'.repeat(300), 256).endsWith('…')).toBe(true);
  });

  it('writes nothing twice: ids only in Id and GeneratorId, the principal only in Resources, no FirstObservedAt', () => {
    const report = buildReport();
    const out = toAsff(report, { region: 'us-east-1' });
    for (const [i, a] of out.entries()) {
      const f = report.findings[i]!;
      expect(a.Id).toBe(`leash/${ACCOUNT}/${f.id}`);
      expect(a.GeneratorId).toBe(`leash/${f.checkId}`);
      expect(Object.keys(a.ProductFields)).not.toContain('leash/FindingId');
      expect(Object.keys(a.ProductFields)).not.toContain('leash/CheckId');
      expect(a.Resources[0]!.Id).toBe(f.principalArn);
      expect(a.Description).not.toContain(f.principalArn);
      expect(a).not.toHaveProperty('FirstObservedAt');
    }
  });

  it('keeps the finding and check ids in ProductFields when Id or GeneratorId had to be clipped', () => {
    const long = 'x'.repeat(600);
    const f = { ...finding({ checkId: 'agent-unused-permissions', principalArn: CLAUDE.arn, subject: 's' }), id: long, checkId: long };
    const [a] = toAsff(buildReport({ findings: [f] }), { region: 'us-east-1' });
    expect(a!.Id.length).toBeLessThanOrEqual(ASFF_LIMITS.id);
    expect(a!.ProductFields['leash/FindingId']).toBe(long);
    expect(a!.ProductFields['leash/CheckId']).toBe(long);
    expect(asffFinding.safeParse(a).error?.issues ?? []).toEqual([]);
  });

  describe('FindingProviderFields: sent exactly when Security Hub may hold another severity or types', () => {
    const f0 = finding({ checkId: 'agent-privilege-escalation', principalArn: KIRO.arn, subject: 'iam-passrole-lambda', technique: 'iam-passrole-lambda', severity: 'high' });
    const FIRST = '2026-11-23T03:00:00.000Z';
    const at = (startedAt: string, ...fs: Report['findings']): Report => buildReport({ startedAt, findings: fs });
    const later = '2026-11-24T03:00:00.000Z';

    it('a new finding: left out (Security Hub fills it from Severity and Types)', () => {
      const [a] = toAsff(at(later, { ...f0, firstSeen: later }), { region: 'us-east-1' });
      expect(a!.FindingProviderFields).toBeUndefined();
      const [b] = toAsff(at(later, f0), { region: 'us-east-1' });
      expect(b!.FindingProviderFields).toBeUndefined();
    });

    it('seen before, unchanged since the previous report: left out; its severity changed: sent with the new one', () => {
      const previous = at(FIRST, { ...f0, firstSeen: FIRST });
      const [same] = toAsff(at(later, { ...f0, firstSeen: FIRST }), { region: 'us-east-1', previous });
      expect(same!.FindingProviderFields).toBeUndefined();
      const [raised] = toAsff(at(later, { ...f0, severity: 'critical', firstSeen: FIRST }), { region: 'us-east-1', previous });
      expect(raised!.FindingProviderFields).toEqual({ Severity: { Label: 'CRITICAL', Original: 'critical' }, Types: raised!.Types });
      expect(raised!.FindingProviderFields!.Types).toContain('TTPs/Privilege Escalation');
      expect(asffFinding.safeParse(raised).error?.issues ?? []).toEqual([]);
    });

    it('seen before with no previous report to compare with (or one of another account): sent', () => {
      const [a] = toAsff(at(later, { ...f0, firstSeen: FIRST }), { region: 'us-east-1' });
      expect(a!.FindingProviderFields?.Severity).toEqual(a!.Severity);
      const other = { ...at(FIRST, { ...f0, firstSeen: FIRST }), scan: { ...at(FIRST).scan, account: { id: '999988887777' } } };
      const [b] = toAsff(at(later, { ...f0, firstSeen: FIRST }), { region: 'us-east-1', previous: other });
      expect(b!.FindingProviderFields?.Types).toEqual(b!.Types);
    });

    it('property: whenever it is sent it equals Severity and Types; left out only when new or unchanged', () => {
      const sev = fc.constantFrom(...SEVERITIES);
      fc.assert(
        fc.property(sev, sev, fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), (before, now, seenBefore, inPrevious, techBefore, techNow) => {
          const { technique: _t, ...plain } = f0;
          const mk = (severity: typeof before, tech: boolean) => ({ ...plain, severity, ...(tech ? { technique: 'iam-passrole-lambda' } : {}), firstSeen: seenBefore ? FIRST : later });
          const previous = at(FIRST, ...(inPrevious ? [mk(before, techBefore)] : []));
          const [a] = toAsff(at(later, mk(now, techNow)), { region: 'us-east-1', previous });
          const unchanged = inPrevious && before === now && techBefore === techNow;
          expect(a!.FindingProviderFields === undefined).toBe(!seenBefore || unchanged);
          if (a!.FindingProviderFields) expect(a!.FindingProviderFields).toEqual({ Severity: a!.Severity, Types: a!.Types });
          expect(asffFinding.safeParse(a).error?.issues ?? []).toEqual([]);
        }),
        { numRuns: 200 },
      );
    });
  });
});

