// AWS Security Finding Format (ASFF), ready for `aws securityhub batch-import-findings --findings file://…`.
// Field names, required attributes and limits follow the AwsSecurityFinding reference:
// https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_AwsSecurityFinding.html
// https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html
// Id is stable across scans (account + finding id), so Security Hub updates a finding in place
// instead of piling up one copy per scan; findings that disappeared are sent ARCHIVED.
//
// A finding is ~1.5 KB and 10,000 principals give ~40,000 of them, so nothing is written twice
// (issue 14): FirstObservedAt (optional) would equal CreatedAt; the finding and check ids are in
// Id and GeneratorId (ProductFields carry them only when a clip cut them off there); the principal
// is Resources[0].Id, not repeated in Description; and FindingProviderFields is sent only when
// Security Hub may hold other values (see providerFieldsNeeded).
import type { Finding, Severity } from '../model/finding.js';
import type { PrincipalReport, Report } from '../model/report.js';
import type { AsffComparableFinding, AsffComparableScan } from './scan-index.js';
import { goneFindings } from './diff.js';
import { LazyList } from './json-stream.js';

export const ASFF_SCHEMA_VERSION = '2018-10-08';

/** Limits from the AwsSecurityFinding API reference. */
export const ASFF_LIMITS = {
  id: 512,
  generatorId: 512,
  title: 256,
  description: 1024,
  recommendationText: 512,
  noteText: 512,
  types: 50,
  resources: 32,
  productFields: 50,
  productFieldValue: 2048,
} as const;

export type AsffSeverityLabel = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

const LABEL: Readonly<Record<Severity, AsffSeverityLabel>> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  info: 'INFORMATIONAL',
};

export interface AsffResource {
  Type: 'AwsIamRole' | 'AwsIamUser' | 'Other';
  Id: string;
  Partition: 'aws' | 'aws-cn' | 'aws-us-gov';
  Region: string;
}

export interface AsffFinding {
  SchemaVersion: typeof ASFF_SCHEMA_VERSION;
  Id: string;
  ProductArn: string;
  GeneratorId: string;
  AwsAccountId: string;
  Types: string[];
  CreatedAt: string;
  UpdatedAt: string;
  Severity: { Label: AsffSeverityLabel; Original: string };
  Title: string;
  Description: string;
  Resources: AsffResource[];
  Workflow: { Status: 'NEW' | 'RESOLVED' | 'SUPPRESSED' };
  RecordState: 'ACTIVE' | 'ARCHIVED';
  Remediation?: { Recommendation: { Text: string } };
  Note?: { Text: string; UpdatedBy: string; UpdatedAt: string };
  ProductFields: Record<string, string>;
  /**
   * Present when the finding may already be in Security Hub with another severity or other types
   * (providerFieldsNeeded): a provider changes those of an existing finding only here.
   */
  FindingProviderFields?: { Severity: { Label: AsffSeverityLabel; Original: string }; Types: string[] };
}

export interface AsffOptions {
  /** Region of the Security Hub the findings are imported into. */
  readonly region: string;
  /** Defaults to the account's own "default" product, which BatchImportFindings accepts for custom findings. */
  readonly productArn?: string;
  /**
   * Findings of this (older) scan missing from the new one are emitted as RESOLVED / ARCHIVED: a
   * whole Report, or a scan index written with ASFF (scan-index.ts), which holds what they need.
   */
  readonly previous?: AsffComparableScan;
}

export function asffSeverityLabel(severity: Severity): AsffSeverityLabel {
  return LABEL[severity];
}

export function partitionOf(region: string): AsffResource['Partition'] {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function defaultProductArn(region: string, accountId: string): string {
  return `arn:${partitionOf(region)}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

/** Cut to `max` characters, marking the cut; ASFF rejects the whole finding when a field is too long. */
export function clip(text: string, max: number): string {
  const t = text.trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

function resourceType(finding: AsffComparableFinding, principal: Pick<PrincipalReport, 'kind'> | undefined): AsffResource['Type'] {
  const kind = principal?.kind ?? (/:role\//.test(finding.principalArn) ? 'role' : /:user\//.test(finding.principalArn) ? 'user' : undefined);
  if (kind === 'role') return 'AwsIamRole';
  if (kind === 'user') return 'AwsIamUser';
  return 'Other';
}

function typesFor(finding: Pick<Finding, 'technique'>): string[] {
  const types = ['Software and Configuration Checks/AWS Security Best Practices'];
  // An escalation technique is a tactic, not just a misconfiguration: Security Hub filters on it.
  if (finding.technique !== undefined) types.push('TTPs/Privilege Escalation');
  return types;
}

function arnPartition(arn: string): AsffResource['Partition'] | undefined {
  const p = arn.split(':')[1];
  return p === 'aws' || p === 'aws-cn' || p === 'aws-us-gov' ? p : undefined;
}

/**
 * Whether to send FindingProviderFields. The API reference (FindingProviderFields,
 * https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_FindingProviderFields.html) says that
 * when a provider sends a new finding, Security Hub fills FindingProviderFields from the top-level
 * Severity and Types if it is empty; BatchImportFindings
 * (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchImportFindings.html) says a
 * provider updates Severity and Types of an existing finding through FindingProviderFields, not the
 * top-level fields. So it is needed only for a finding Security Hub may already hold with other
 * values: one a scan before this reported (firstSeen earlier than this scan) unless the previous
 * report had it with the same severity and types. A new finding, or one unchanged since the previous
 * report (whose import set them), does without; so does an ARCHIVED one (nothing about it changed).
 */
export function providerFieldsNeeded(finding: Finding, report: Report, previous: ReadonlyMap<string, Pick<Finding, 'severity' | 'technique'>> | undefined): boolean {
  const seenBefore = finding.firstSeen !== undefined && finding.firstSeen !== report.scan.startedAt && Date.parse(finding.firstSeen) < Date.parse(report.scan.startedAt);
  if (!seenBefore) return false;
  const before = previous?.get(finding.id);
  return before === undefined || before.severity !== finding.severity || typesFor(before).join() !== typesFor(finding).join();
}

function toAsffFinding(
  report: Report,
  finding: AsffComparableFinding,
  principal: Pick<PrincipalReport, 'kind'> | undefined,
  opts: { region: string; productArn: string; status: 'active' | 'resolved'; createdAt: string; updatedAt: string; providerFields: boolean },
): AsffFinding {
  const accountId = report.scan.account.id;
  const suppressed = finding.suppressed;
  const severity = { Label: asffSeverityLabel(finding.severity), Original: finding.severity };
  const types = typesFor(finding);
  const id = `leash/${accountId}/${finding.id}`;
  const generatorId = `leash/${finding.checkId}`;
  const out: AsffFinding = {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: clip(id, ASFF_LIMITS.id),
    ProductArn: opts.productArn,
    GeneratorId: clip(generatorId, ASFF_LIMITS.generatorId),
    AwsAccountId: accountId,
    Types: types,
    CreatedAt: opts.createdAt,
    UpdatedAt: opts.updatedAt,
    Severity: severity,
    Title: clip(finding.title, ASFF_LIMITS.title),
    Description: clip(finding.description || finding.title, ASFF_LIMITS.description),
    Resources: [
      {
        Type: resourceType(finding, principal),
        Id: finding.principalArn,
        Partition: arnPartition(finding.principalArn) ?? partitionOf(opts.region),
        Region: opts.region,
      },
    ],
    Workflow: { Status: opts.status === 'resolved' ? 'RESOLVED' : suppressed ? 'SUPPRESSED' : 'NEW' },
    RecordState: opts.status === 'resolved' ? 'ARCHIVED' : 'ACTIVE',
    ProductFields: {
      ...(id.length > ASFF_LIMITS.id ? { 'leash/FindingId': finding.id } : {}),
      ...(generatorId.length > ASFF_LIMITS.generatorId ? { 'leash/CheckId': clip(finding.checkId, ASFF_LIMITS.productFieldValue) } : {}),
      'leash/ScanId': report.scan.id,
      'leash/Subject': clip(finding.subject, ASFF_LIMITS.productFieldValue),
      'leash/ActionCount': String(finding.actions.length),
    },
  };
  if (opts.providerFields) out.FindingProviderFields = { Severity: { ...severity }, Types: [...types] };
  if (finding.fixIds.length > 0) out.ProductFields['leash/FixIds'] = clip(finding.fixIds.join(','), ASFF_LIMITS.productFieldValue);
  if (finding.remediation) out.Remediation = { Recommendation: { Text: clip(finding.remediation, ASFF_LIMITS.recommendationText) } };
  if (suppressed && opts.status === 'active') {
    out.Note = {
      Text: clip(`Suppressed in leash: ${suppressed.reason}${suppressed.until ? ` (until ${suppressed.until})` : ''}`, ASFF_LIMITS.noteText),
      UpdatedBy: clip(suppressed.by ?? 'leash', 512),
      UpdatedAt: opts.updatedAt,
    };
  }
  return out;
}

/** The ASFF findings as a list built when read (all of them in memory: tests, small reports). */
export function toAsff(report: Report, opts: AsffOptions): AsffFinding[] {
  return asffFindings(report, opts).toJSON();
}

/**
 * The same findings as a lazy list: the bundle writer walks it one finding at a time, so at
 * 10,000 principals neither the list nor its text is ever whole in memory.
 */
export function asffFindings(report: Report, opts: AsffOptions): LazyList<AsffFinding> {
  const accountId = report.scan.account.id;
  const productArn = opts.productArn ?? defaultProductArn(opts.region, accountId);
  const updatedAt = report.scan.finishedAt;
  return new LazyList(function* () {
    const principals = new Map(report.principals.map((p) => [p.arn, p]));
    const previous = opts.previous && opts.previous.scan.account.id === accountId ? opts.previous : undefined;
    const previousFindings = previous ? new Map(previous.findings.map((f) => [f.id, f])) : undefined;
    for (const f of report.findings) {
      yield toAsffFinding(report, f, principals.get(f.principalArn), { region: opts.region, productArn, status: 'active', createdAt: f.firstSeen ?? report.scan.startedAt, updatedAt, providerFields: providerFieldsNeeded(f, report, previousFindings) });
    }
    if (previous) {
      const before = new Map(previous.principals.map((p) => [p.arn, p]));
      // Only findings known to be resolved are archived: a principal an incomplete IAM read missed keeps its findings open.
      for (const f of goneFindings(previous, report).resolved) {
        yield toAsffFinding(report, f, before.get(f.principalArn), { region: opts.region, productArn, status: 'resolved', createdAt: f.firstSeen ?? previous.scan.startedAt, updatedAt, providerFields: false });
      }
    }
  });
}
