// SARIF 2.1.0 (OASIS) output, shaped for GitHub code scanning as well as generic viewers.
// GitHub rejects a result whose location has only a logicalLocation ("expected a physical
// location"), so every result also gets a physicalLocation. IAM principals are not files; the
// default artifact is a stable pseudo-path per principal (aws-iam/<account>/<kind>/<name>) so the
// alert keeps its place across scans. Callers that manage IAM as code can point it at the real file.
import { SEVERITIES, type Finding, type Severity } from '../model/finding.js';
import type { PrincipalReport, Report } from '../model/report.js';

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const SARIF_VERSION = '2.1.0';
/** partialFingerprints key: versioned so a future change of the id scheme does not collide. */
export const FINGERPRINT_KEY = 'leashFindingId/v1';

export type SarifLevel = 'error' | 'warning' | 'note' | 'none';

const LEVEL: Readonly<Record<Severity, SarifLevel>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

// GitHub code scanning reads `security-severity` (a CVSS-like 0.0–10.0 string) on rules to rank
// alerts: >= 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

export function sarifLevel(severity: Severity): SarifLevel {
  return LEVEL[severity];
}

interface SarifMessage {
  text: string;
  markdown?: string;
}

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: SarifMessage;
  helpUri?: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; 'security-severity': string; severity: Severity; references: string[] };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: {
    physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
    logicalLocations: { name: string; fullyQualifiedName: string; kind: string }[];
  }[];
  partialFingerprints: Record<string, string>;
  suppressions: { kind: 'external'; status: 'accepted'; justification: string }[];
  properties: { checkId: string; severity: Severity; subject: string; actions: string[]; actionCount: number; fixIds: string[]; technique?: string };
}

export interface SarifLog {
  $schema: string;
  version: typeof SARIF_VERSION;
  runs: {
    tool: { driver: { name: string; version: string; semanticVersion: string; rules: SarifRule[] } };
    automationDetails: { id: string };
    invocations: { executionSuccessful: boolean; startTimeUtc: string; endTimeUtc: string; toolExecutionNotifications?: SarifNotification[] }[];
    results: SarifResult[];
    properties: { scanId: string; accountId: string; accountAlias?: string; scanErrors: number; coverageNotes: string[]; truncated?: SarifTruncation };
  }[];
}

/** What the scan could not read (a source denied, a file broken): the run still finished. */
export interface SarifNotification {
  level: 'error' | 'warning' | 'note';
  message: { text: string };
  properties: { source: string; code: string; location?: string };
}

/** Bounded: a trail of thousands of broken files should not make the SARIF file that big. */
const MAX_NOTIFICATIONS = 50;

export interface SarifOptions {
  /** Where GitHub should place a finding's alert; default is the stable pseudo-path per principal. */
  readonly artifactUriFor?: (finding: Finding, principal: PrincipalReport | undefined) => string;
  /** Results kept in the run (default GITHUB_LIMITS.resultsPerRun). */
  readonly maxResults?: number;
}

/**
 * GitHub code scanning's limits on one SARIF upload (docs.github.com, "SARIF results exceed
 * limits"): a run may hold 25,000 results but only the top 5,000 are kept; 25,000 rules per run;
 * 20 runs per file; 1,000 locations per result (100 shown); 20 tags per rule (10 shown); 10 MB
 * gzip-compressed per file. leash writes one run, one location per result, three tags per rule and
 * one rule per check and severity, so results are the only limit it can reach: it keeps the 5,000
 * most severe itself, says so in the run, and the full list stays in report.json.
 */
export const GITHUB_LIMITS = { resultsPerRun: 5000, rulesPerRun: 25000, runsPerFile: 20, locationsPerResult: 100, tagsPerRule: 10, gzipBytes: 10 * 1024 * 1024 } as const;

export interface SarifTruncation {
  readonly limit: number;
  readonly totalResults: number;
  readonly includedResults: number;
  readonly omittedResults: number;
  readonly omittedBySeverity: Readonly<Record<Severity, number>>;
  readonly reason: string;
}

/** Actions listed per result; the full list lives in report.json. Keeps SARIF uploads small. */
const MAX_ACTIONS = 50;

function ruleName(id: string): string {
  // SARIF §3.49.7: `name` is an identifier-like, human-readable rule name (e.g. "AgentDestructiveWithoutApproval").
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p !== '')
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

function ruleFromCheck(check: Report['checks'][number]): SarifRule {
  const refs = [...check.references];
  const refText = refs.length > 0 ? `\n\nReferences:\n${refs.map((r) => `- ${r}`).join('\n')}` : '';
  const rule: SarifRule = {
    id: check.id,
    name: ruleName(check.id),
    shortDescription: { text: check.title },
    fullDescription: { text: check.rationale || check.title },
    help: {
      text: `${check.rationale || check.title}${refText}`,
      markdown: `**${check.title}**\n\n${check.rationale}${refs.length > 0 ? `\n\n${refs.map((r) => `- <${r}>`).join('\n')}` : ''}`,
    },
    defaultConfiguration: { level: sarifLevel(check.severity) },
    properties: { tags: ['security', 'iam', 'least-privilege'], 'security-severity': SECURITY_SEVERITY[check.severity], severity: check.severity, references: refs },
  };
  if (refs[0] !== undefined) rule.helpUri = refs[0];
  return rule;
}

/** The principal's kind and name from its ARN, for when the report has no PrincipalReport for it. */
function arnParts(arn: string): { kind: string; name: string; account: string } {
  const m = /^arn:[^:]+:(?:iam|sts)::(\d*):([a-z-]+)\/(.*)$/.exec(arn);
  if (!m) return { kind: 'principal', name: arn, account: '' };
  const resource = m[3]!;
  return { kind: m[2]!, name: resource.split('/').pop() ?? resource, account: m[1]! };
}

export function defaultArtifactUri(accountId: string, finding: Finding, principal: PrincipalReport | undefined): string {
  const parts = arnParts(finding.principalArn);
  const kind = principal?.kind ?? parts.kind;
  const name = principal?.name ?? parts.name;
  return `aws-iam/${encodeURIComponent(accountId)}/${encodeURIComponent(kind)}/${encodeURIComponent(name)}`;
}

/** Open before suppressed, then most severe: the order of the cut's buckets. */
function bucketOf(f: Finding): number {
  const rank = SEVERITIES.indexOf(f.severity);
  return (f.suppressed !== undefined ? SEVERITIES.length : 0) + (rank < 0 ? SEVERITIES.length - 1 : rank);
}

/**
 * The findings a run of `limit` results keeps, in report order, and what it leaves out by
 * severity. Which fit: open before suppressed, then most severe, then oldest (an alert that has
 * been open longest should not be the one to vanish), then id, so the cut is the same every night.
 *
 * Whole (suppressed, severity) buckets are kept or left out by their counts; only the one bucket
 * the limit falls in is sorted (by first seen, then id). Sorting every finding was 2.5 s of the
 * 50k scan's writing: 200k findings scattered over a 2 GB heap, compared 3.5 million times.
 */
export function sarifCut(findings: readonly Finding[], limit: number, startedAt: string): { kept: Finding[]; omittedBySeverity: Record<Severity, number> } {
  const buckets = Uint8Array.from(findings, bucketOf);
  const counts = new Array<number>(SEVERITIES.length * 2).fill(0);
  for (const b of buckets) counts[b]!++;
  // The bucket the limit falls in, and how many of it fit.
  let boundary = counts.length;
  let room = 0;
  for (let b = 0, before = 0; b < counts.length; b++) {
    if (before + counts[b]! > limit) {
      boundary = b;
      room = limit - before;
      break;
    }
    before += counts[b]!;
  }
  const inBoundary = findings.filter((_, i) => buckets[i] === boundary);
  const keepOfBoundary = new Set(
    inBoundary
      .sort((a, b) => (a.firstSeen ?? startedAt).localeCompare(b.firstSeen ?? startedAt) || a.id.localeCompare(b.id))
      .slice(0, room),
  );
  const kept: Finding[] = [];
  const omittedBySeverity = Object.fromEntries(SEVERITIES.map((sv) => [sv, 0])) as Record<Severity, number>;
  for (let i = 0; i < findings.length; i++) {
    const f = findings[i]!;
    const b = buckets[i]!;
    if (b < boundary || (b === boundary && keepOfBoundary.has(f))) kept.push(f);
    else omittedBySeverity[f.severity]++;
  }
  return { kept, omittedBySeverity };
}

/**
 * The rule id a finding is reported under. GitHub code scanning ranks an alert by its rule's
 * `security-severity` only (results carry none), so a finding whose severity differs from its
 * check's default (e.g. critical for an agent, high for a human) gets a per-severity variant of the
 * rule: `destructive-actions.critical`. The id stays stable as long as the finding's severity does.
 */
export function sarifRuleId(checkId: string, findingSeverity: Severity, checkSeverity: Severity): string {
  return findingSeverity === checkSeverity ? checkId : `${checkId}.${findingSeverity}`;
}

function variantRule(base: SarifRule, id: string, severity: Severity): SarifRule {
  return {
    ...base,
    id,
    name: `${base.name}${severity[0]!.toUpperCase()}${severity.slice(1)}`,
    defaultConfiguration: { level: sarifLevel(severity) },
    properties: { ...base.properties, tags: [...base.properties.tags], references: [...base.properties.references], 'security-severity': SECURITY_SEVERITY[severity], severity },
  };
}

export function toSarif(report: Report, opts: SarifOptions = {}): SarifLog {
  const rules: SarifRule[] = report.checks.map(ruleFromCheck);
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const checkSeverity = new Map(report.checks.map((c) => [c.id, c.severity]));
  // A finding from a check the report does not describe still needs a rule for ruleIndex to point at.
  for (const f of report.findings) {
    if (ruleIndex.has(f.checkId)) continue;
    ruleIndex.set(f.checkId, rules.length);
    checkSeverity.set(f.checkId, f.severity);
    rules.push(ruleFromCheck({ id: f.checkId, title: f.title, severity: f.severity, rationale: f.description, references: [] }));
  }
  const ruleIdOf = (f: Finding): string => {
    const id = sarifRuleId(f.checkId, f.severity, checkSeverity.get(f.checkId)!);
    if (!ruleIndex.has(id)) {
      ruleIndex.set(id, rules.length);
      rules.push(variantRule(rules[ruleIndex.get(f.checkId)!]!, id, f.severity));
    }
    return id;
  };
  const principals = new Map(report.principals.map((p) => [p.arn, p]));
  const accountId = report.scan.account.id;

  // Which findings fit: sarifCut.
  const limit = Math.max(0, Math.floor(opts.maxResults ?? GITHUB_LIMITS.resultsPerRun));
  let kept: readonly Finding[] = report.findings;
  let truncated: SarifTruncation | undefined;
  if (report.findings.length > limit) {
    const { kept: fit, omittedBySeverity } = sarifCut(report.findings, limit, report.scan.startedAt);
    kept = fit;
    const omitted = report.findings.length - limit;
    truncated = {
      limit, totalResults: report.findings.length, includedResults: limit, omittedResults: omitted, omittedBySeverity,
      reason: `GitHub code scanning keeps at most ${GITHUB_LIMITS.resultsPerRun} results per run; the ${omitted} least severe (suppressed first) are left out here and listed in report.json`,
    };
  }

  const results: SarifResult[] = kept.map((f) => {
    const principal = principals.get(f.principalArn);
    const uri = opts.artifactUriFor?.(f, principal) ?? defaultArtifactUri(accountId, f, principal);
    const name = principal?.name ?? arnParts(f.principalArn).name;
    const properties: SarifResult['properties'] = {
      checkId: f.checkId,
      severity: f.severity,
      subject: f.subject,
      actions: f.actions.slice(0, MAX_ACTIONS),
      actionCount: f.actions.length,
      fixIds: [...f.fixIds],
    };
    if (f.technique !== undefined) properties.technique = f.technique;
    const remediation = f.remediation ? `\n\nRemediation: ${f.remediation}` : '';
    const ruleId = ruleIdOf(f);
    return {
      ruleId,
      ruleIndex: ruleIndex.get(ruleId)!,
      level: sarifLevel(f.severity),
      message: { text: `${f.title} (${f.principalArn}). ${f.description}${remediation}` },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri }, region: { startLine: 1 } },
          logicalLocations: [{ name, fullyQualifiedName: f.principalArn, kind: 'resource' }],
        },
      ],
      partialFingerprints: { [FINGERPRINT_KEY]: f.id },
      // An empty array says "known to have no suppressions" (SARIF §3.27.23); absence would mean unknown.
      suppressions: f.suppressed
        ? [{ kind: 'external', status: 'accepted', justification: suppressionText(f.suppressed) }]
        : [],
      properties,
    };
  });

  const runProperties: SarifLog['runs'][number]['properties'] = {
    scanId: report.scan.id,
    accountId,
    scanErrors: report.errors.length,
    coverageNotes: [...report.scan.coverage.notes],
  };
  if (report.scan.account.alias !== undefined) runProperties.accountAlias = report.scan.account.alias;
  if (truncated) runProperties.truncated = truncated;
  const notes = [...(report.errors.length > 0 ? notifications(report) : [])];
  if (truncated) notes.push({ level: 'warning', message: { text: `${truncated.omittedResults} of ${truncated.totalResults} findings are not in this SARIF run: ${truncated.reason}` }, properties: { source: 'leash', code: 'results-truncated' } });

  return {
    $schema: SARIF_SCHEMA_URI,
    version: SARIF_VERSION,
    runs: [
      {
        tool: {
          driver: { name: report.tool.name, version: report.tool.version, semanticVersion: report.tool.version, rules },
        },
        // GitHub treats everything before the last "/" as the analysis category: one per account.
        automationDetails: { id: `leash/${accountId}/${report.scan.id}` },
        // The run finished (executionSuccessful), but say what it could not read: a tool reading
        // the SARIF alone should not take a partial picture for a whole one.
        invocations: [{
          executionSuccessful: true, startTimeUtc: report.scan.startedAt, endTimeUtc: report.scan.finishedAt,
          ...(notes.length > 0 ? { toolExecutionNotifications: notes } : {}),
        }],
        results,
        properties: runProperties,
      },
    ],
  };
}

function suppressionText(s: NonNullable<Finding['suppressed']>): string {
  return [s.reason, s.by ? `by ${s.by}` : '', s.until ? `until ${s.until}` : ''].filter((x) => x !== '').join('; ');
}

function notifications(report: Report): SarifNotification[] {
  const out: SarifNotification[] = report.errors.slice(0, MAX_NOTIFICATIONS).map((e) => ({
    level: e.code === 'invalid-input' || e.code === 'internal' ? 'error' : 'warning',
    message: { text: e.message },
    properties: { source: e.source, code: e.code, ...(e.location !== undefined ? { location: e.location } : {}) },
  }));
  const more = report.errors.length - out.length;
  if (more > 0) out.push({ level: 'warning', message: { text: `${more} more scan errors are listed in report.json` }, properties: { source: 'leash', code: 'truncated' } });
  return out;
}
