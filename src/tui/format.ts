// Pure presentation helpers shared by the screens: ordering, filtering, labels, bars. No analysis
// happens here — everything is read off the Report the pipeline produced.
import { severityRank } from '../model/finding.js';
import type { Evidence, Finding, Severity } from '../model/finding.js';
import type { Fix } from '../model/fix.js';
import type { PolicyDocument, PolicyOrigin } from '../model/policy.js';
import type { PrincipalReport, Report } from '../model/report.js';
import { policyToJson } from '../iam/parse.js';
import { safePart } from '../safe/name.js';

/** https://no-color.org: any non-empty NO_COLOR turns colour off. */
export function colorsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NO_COLOR === undefined || env.NO_COLOR === '';
}

export const SEVERITY_COLOR: Readonly<Record<Severity, string>> = {
  critical: 'magenta',
  high: 'red',
  medium: 'yellow',
  low: 'blue',
  info: 'gray',
};

export function severityLabel(s: Severity): string {
  return s.toUpperCase();
}

// Screens ask for one principal's findings on every render; index them once per findings array
// (a suppression makes a new array, so the index never goes stale).
const findingsIndex = new WeakMap<readonly Finding[], Map<string, Finding[]>>();

function indexFindings(findings: readonly Finding[]): Map<string, Finding[]> {
  let index = findingsIndex.get(findings);
  if (!index) {
    index = new Map();
    for (const f of findings) {
      const list = index.get(f.principalArn);
      if (list) list.push(f);
      else index.set(f.principalArn, [f]);
    }
    findingsIndex.set(findings, index);
  }
  return index;
}

/** Findings of one principal, worst first; suppressed ones after the live ones. */
export function findingsFor(report: Report, arn: string): Finding[] {
  return [...(indexFindings(report.findings).get(arn) ?? [])]
    .sort(
      (a, b) =>
        Number(a.suppressed !== undefined) - Number(b.suppressed !== undefined) ||
        severityRank[b.severity] - severityRank[a.severity],
    ); // stable: within a severity, the report's order (check registry order: destructive first)
}

/** Worst severity among findings that are not suppressed (or among all of them). */
export function worstSeverity(findings: readonly Finding[], includeSuppressed = false): Severity | undefined {
  let worst: Severity | undefined;
  for (const f of findings) {
    if (f.suppressed && !includeSuppressed) continue;
    if (worst === undefined || severityRank[f.severity] > severityRank[worst]) worst = f.severity;
  }
  return worst;
}

export const SORT_KEYS = ['risk', 'name', 'findings', 'last-used'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export const SORT_LABEL: Readonly<Record<SortKey, string>> = { risk: 'risk', name: 'name', findings: 'findings', 'last-used': 'last used' };

export interface PrincipalFilter {
  readonly query: string;
  readonly agentsOnly: boolean;
  /** Keep principals with a live finding at or above this severity. */
  readonly minSeverity?: Severity | undefined;
  readonly sort?: SortKey;
  /** Count suppressed findings too (severity filter, findings count and sort). */
  readonly showSuppressed?: boolean;
  /** Only principals with a finding new since the previous scan (or added since it). */
  readonly newOnly?: boolean;
}

/** The severity filter cycles through these with one key. */
export const SEVERITY_FILTER_CYCLE: readonly (Severity | undefined)[] = [undefined, 'critical', 'high', 'medium', 'low'];

export function nextSeverityFilter(current: Severity | undefined): Severity | undefined {
  const i = SEVERITY_FILTER_CYCLE.indexOf(current);
  return SEVERITY_FILTER_CYCLE[(i + 1) % SEVERITY_FILTER_CYCLE.length];
}

/**
 * Principals an AI agent acts through: agent principals, and human session roles that CloudTrail
 * or local tool configs show an AI tool driving (the incident pattern).
 */
export function actsForAgent(p: PrincipalReport): boolean {
  return p.isAgent;
}

export function sortByRisk(principals: readonly PrincipalReport[]): PrincipalReport[] {
  return [...principals].sort((a, b) => b.riskScore - a.riskScore || a.name.localeCompare(b.name));
}

// "New since the last scan" is the report's own delta (computed when the scan was written).
const newIndex = new WeakMap<Report, { readonly findings: ReadonlySet<string>; readonly principals: ReadonlySet<string> }>();

function newSets(report: Report): { readonly findings: ReadonlySet<string>; readonly principals: ReadonlySet<string> } {
  let sets = newIndex.get(report);
  if (!sets) {
    const findings = new Set(report.delta?.newFindings ?? []);
    const principals = new Set(report.delta?.principalsAdded ?? []);
    for (const f of report.findings) if (findings.has(f.id)) principals.add(f.principalArn);
    sets = { findings, principals };
    newIndex.set(report, sets);
  }
  return sets;
}

/** Is this finding new since the previous scan? (False when the report has no previous scan to compare with.) */
export function isNewFinding(report: Report, f: Finding): boolean {
  return newSets(report).findings.has(f.id);
}

/** Added since the previous scan, or holding a finding that is new. */
export function isNewPrincipal(report: Report, arn: string): boolean {
  return newSets(report).principals.has(arn);
}

/** Does the report know what the previous scan was? (Without one, nothing is marked new.) */
export function hasPreviousScan(report: Report): boolean {
  return report.delta !== undefined;
}

// What `/` searches: the principal (name, ARN, kind, agent tools), the actions it holds or used,
// and its findings (check id, title, subject, description, actions). Built once per principal per
// report, lower-cased, so typing into the search box over 10k principals stays instant.
const haystacks = new WeakMap<Report, Map<string, string>>();

export function searchText(report: Report, p: PrincipalReport): string {
  let cache = haystacks.get(report);
  if (!cache) {
    cache = new Map();
    haystacks.set(report, cache);
  }
  let text = cache.get(p.arn);
  if (text === undefined) {
    const parts: string[] = [p.name, p.arn, p.kind, ...p.agentEvidence.map((e) => e.tool ?? ''), ...p.permissions.destructiveActions, ...p.permissions.escalationTechniques];
    for (const a of p.usage?.actions ?? []) parts.push(a.action);
    for (const f of indexFindings(report.findings).get(p.arn) ?? []) parts.push(f.checkId, f.title, f.subject, f.description, ...f.actions, f.technique ?? '');
    text = parts.join('\n').toLowerCase();
    cache.set(p.arn, text);
  }
  return text;
}

function countedFindings(report: Report, arn: string, withSuppressed: boolean): Finding[] {
  const fs = indexFindings(report.findings).get(arn) ?? [];
  return withSuppressed ? fs : fs.filter((f) => !f.suppressed);
}

/** Newest first; principals never seen used go last. */
function lastUsed(p: PrincipalReport): string {
  return p.usage?.lastSeen ?? '';
}

export function sortPrincipals(report: Report, principals: readonly PrincipalReport[], key: SortKey = 'risk', withSuppressed = false): PrincipalReport[] {
  const byName = (a: PrincipalReport, b: PrincipalReport) => a.name.localeCompare(b.name) || a.arn.localeCompare(b.arn);
  switch (key) {
    case 'risk':
      return sortByRisk(principals);
    case 'name':
      return [...principals].sort(byName);
    case 'findings': {
      const n = new Map(principals.map((p) => [p.arn, countedFindings(report, p.arn, withSuppressed).length]));
      return [...principals].sort((a, b) => n.get(b.arn)! - n.get(a.arn)! || b.riskScore - a.riskScore || byName(a, b));
    }
    case 'last-used':
      return [...principals].sort((a, b) => (lastUsed(a) < lastUsed(b) ? 1 : lastUsed(a) > lastUsed(b) ? -1 : byName(a, b)));
  }
}

// The list screen asks twice per key (the key's handler, then the render) and again on every
// cursor move; at 10k principals each answer is a sort and a pass. The last answer per report is
// kept (a suppression makes a new report object, so it never goes stale).
const lastFiltered = new WeakMap<Report, { readonly key: string; readonly list: readonly PrincipalReport[] }>();

/**
 * Principals that pass the filter, in the chosen order. With a search, those whose own name or ARN
 * holds the text come first (the exact name before them): finding text names other principals
 * ("can act as kiro-agent-2764"), and typing a name must find that principal, not bury it among
 * thousands that mention it.
 */
export function filterPrincipals(report: Report, filter: PrincipalFilter): PrincipalReport[] {
  const key = JSON.stringify([filter.query, filter.agentsOnly, filter.minSeverity ?? null, filter.sort ?? 'risk', filter.showSuppressed === true, filter.newOnly === true]);
  const last = lastFiltered.get(report);
  if (last && last.key === key) return last.list as PrincipalReport[];
  const list = computeFilter(report, filter);
  lastFiltered.set(report, { key, list });
  return list;
}

function computeFilter(report: Report, filter: PrincipalFilter): PrincipalReport[] {
  const q = filter.query.trim().toLowerCase();
  const withSuppressed = filter.showSuppressed === true;
  const kept = sortPrincipals(report, report.principals, filter.sort ?? 'risk', withSuppressed).filter((p) => {
    if (filter.agentsOnly && !actsForAgent(p)) return false;
    if (filter.newOnly && !isNewPrincipal(report, p.arn)) return false;
    if (q && !searchText(report, p).includes(q)) return false;
    if (filter.minSeverity !== undefined) {
      const fs = countedFindings(report, p.arn, withSuppressed);
      let worst: Severity | undefined;
      for (const f of fs) if (worst === undefined || severityRank[f.severity] > severityRank[worst]) worst = f.severity;
      if (worst === undefined || severityRank[worst] < severityRank[filter.minSeverity]) return false;
    }
    return true;
  });
  if (!q) return kept;
  const exact: PrincipalReport[] = [];
  const own: PrincipalReport[] = [];
  const rest: PrincipalReport[] = [];
  for (const p of kept) {
    const name = p.name.toLowerCase();
    if (name === q || p.arn.toLowerCase() === q) exact.push(p);
    else if (name.includes(q) || p.arn.toLowerCase().includes(q)) own.push(p);
    else rest.push(p);
  }
  return [...exact, ...own, ...rest];
}

export interface RiskiestAgent {
  readonly principal: PrincipalReport;
  readonly finding?: Finding;
}

export function riskiestAgents(report: Report, limit = 3): RiskiestAgent[] {
  return sortByRisk(report.principals.filter(actsForAgent))
    .slice(0, limit)
    .map((principal) => {
      const finding = findingsFor(report, principal.arn).find((f) => !f.suppressed);
      return finding ? { principal, finding } : { principal };
    });
}

/** A bar of `width` cells; any non-zero value shows at least one filled cell. */
export function bar(value: number, max: number, width: number): string {
  if (width <= 0) return '';
  const filled = max <= 0 || value <= 0 ? 0 : Math.max(1, Math.round((Math.min(value, max) / max) * width));
  return '█'.repeat(filled) + '·'.repeat(width - filled);
}

export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
}

/** First index of a window of `height` rows that keeps `selected` visible. */
export function windowStart(total: number, selected: number, height: number): number {
  if (height <= 0 || total <= height) return 0;
  const half = Math.floor(height / 2);
  return Math.max(0, Math.min(selected - half, total - height));
}

export function clamp(n: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, n));
}

export interface ServiceAccess {
  readonly service: string;
  readonly granted: number;
  /** undefined = no usage data for this principal (unknown, not unused). */
  readonly used: number | undefined;
}

export function grantedVsUsed(p: PrincipalReport): ServiceAccess[] {
  const services = new Set([...Object.keys(p.permissions.byService), ...Object.keys(p.usage?.byService ?? {})]);
  return [...services]
    .map((service) => ({
      service,
      granted: p.permissions.byService[service] ?? 0,
      used: p.usage ? (p.usage.byService[service] ?? 0) : undefined,
    }))
    .sort((a, b) => b.granted - a.granted || (b.used ?? 0) - (a.used ?? 0) || a.service.localeCompare(b.service));
}

function isModelDocument(doc: unknown): doc is PolicyDocument {
  return typeof doc === 'object' && doc !== null && Array.isArray((doc as { statements?: unknown }).statements);
}

/** Policy JSON as AWS writes it, whether the report carries the model shape or the AWS shape. */
export function awsJson(doc: unknown): unknown {
  if (Array.isArray(doc)) return doc.map(awsJson);
  return isModelDocument(doc) ? policyToJson(doc) : doc;
}

/** Text of a fix's before/after, for diffing: pretty JSON, or the number for duration fixes. */
export function fixDocumentText(doc: Fix['before'], kind: Fix['kind']): string {
  if (doc === undefined) return '';
  if (typeof doc === 'number') return kind === 'max-session-duration' ? `MaxSessionDuration: ${doc}` : String(doc);
  return JSON.stringify(awsJson(doc), null, 2);
}

export function policyOriginLabel(origin: PolicyOrigin): string {
  switch (origin.kind) {
    case 'inline':
      return `inline policy ${origin.name}`;
    case 'managed':
      return `${origin.awsManaged ? 'AWS managed' : 'managed'} policy ${origin.name}`;
    case 'group-inline':
      return `inline policy ${origin.name} of group ${origin.group}`;
    case 'group-managed':
      return `managed policy ${origin.name} via group ${origin.group}`;
    case 'boundary':
      return `permissions boundary ${origin.name}`;
    case 'trust':
      return 'trust policy';
    case 'scp':
      return `SCP ${origin.name}`;
    case 'rcp':
      return `RCP ${origin.name}`;
    case 'resource':
      return `resource-based policy of ${origin.arn}`;
    case 'session':
      return `session policy ${origin.name}`;
    case 'generated':
      return `generated policy ${origin.name}`;
  }
}

export function evidenceSummary(e: Evidence): string {
  switch (e.kind) {
    case 'statement': {
      const sid = e.sid ? ` (Sid ${e.sid})` : '';
      return `Statement[${e.statementIndex}]${sid} of ${policyOriginLabel(e.policy)}`;
    }
    case 'attribute':
      return `${e.name}: ${e.value}`;
    case 'usage':
      return e.events !== undefined ? `${e.detail} (${e.events} events)` : e.detail;
  }
}

export { plural } from '../words.js';

/** A file-name part from data (a principal, an account id): the one safe-name rule (src/safe/name.ts). */
export function safeSegment(name: string, kind = 'name'): string {
  return safePart(kind, name);
}

function flatJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flatJson).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${flatJson(x)}`).join(', ')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Pretty JSON that keeps a value on one line whenever it fits in `width` — statements stay short. */
export function jsonLines(value: unknown, width: number): string[] {
  const out: string[] = [];
  const walk = (v: unknown, indent: number, prefix: string, suffix: string) => {
    const pad = ' '.repeat(indent);
    const flat = flatJson(v);
    if (v === null || typeof v !== 'object' || pad.length + prefix.length + flat.length + suffix.length <= width) {
      out.push(`${pad}${prefix}${flat}${suffix}`);
      return;
    }
    const isArray = Array.isArray(v);
    const entries: [string | undefined, unknown][] = isArray ? v.map((x): [undefined, unknown] => [undefined, x]) : Object.entries(v);
    out.push(`${pad}${prefix}${isArray ? '[' : '{'}`);
    entries.forEach(([k, x], i) => walk(x, indent + 2, k === undefined ? '' : `${JSON.stringify(k)}: `, i < entries.length - 1 ? ',' : ''));
    out.push(`${pad}${isArray ? ']' : '}'}${suffix}`);
  };
  walk(value, 0, '', '');
  return out;
}

/** Split text into rows of at most `width` characters at spaces where possible. */
export function wrapText(text: string, width: number): string[] {
  if (width <= 0) return [];
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line === '') line = word;
      else if (line.length + 1 + word.length <= width) line += ` ${word}`;
      else {
        out.push(line);
        line = word;
      }
      while (line.length > width) {
        out.push(line.slice(0, width));
        line = line.slice(width);
      }
    }
    out.push(line);
  }
  return out;
}
