// What changed between two scans, matched by stable finding id (check + principal + subject) and
// principal ARN. computeDelta is the compact form every scan report carries; diffReports adds the
// detail `leash diff` shows.
import type { Finding, Severity } from '../model/finding.js';
import { SEVERITIES, severityRank } from '../model/finding.js';
import type { Report, ReportDelta } from '../model/report.js';
import { findingId } from '../model/finding-id.js';
import type { ComparableFinding, ComparableScan } from './scan-index.js';

export type FindingChangeKind = 'severity' | 'actions' | 'suppression';

export interface FindingBrief {
  readonly id: string;
  readonly checkId: string;
  readonly severity: Severity;
  readonly principalArn: string;
  readonly title: string;
  readonly suppressed: boolean;
}

export interface ChangedFinding {
  readonly id: string;
  readonly checkId: string;
  readonly principalArn: string;
  readonly title: string;
  readonly changes: readonly FindingChangeKind[];
  readonly before: { readonly severity: Severity; readonly actionCount: number; readonly suppressed: boolean };
  readonly after: { readonly severity: Severity; readonly actionCount: number; readonly suppressed: boolean };
  readonly actionsAdded: readonly string[];
  readonly actionsRemoved: readonly string[];
}

export interface PermissionGrowth {
  readonly arn: string;
  readonly before: number;
  readonly after: number;
  readonly name?: string;
}

export interface ReportDiff extends ReportDelta {
  readonly old: { readonly scanId: string; readonly startedAt: string; readonly accountId: string };
  readonly new: { readonly scanId: string; readonly startedAt: string; readonly accountId: string };
  /** Diffing two accounts is allowed (e.g. staging vs prod) but almost always a mistake; say so. */
  readonly accountMismatch: boolean;
  readonly findings: {
    readonly new: readonly FindingBrief[];
    readonly resolved: readonly FindingBrief[];
    readonly changed: readonly ChangedFinding[];
    /**
     * Findings of principals the new scan did not see while its IAM read was incomplete: unknown,
     * not resolved (a throttled or denied read must not close findings).
     */
    readonly unverified: readonly FindingBrief[];
  };
  readonly permissionGrowth: readonly PermissionGrowth[];
  readonly bySeverity: { readonly before: Readonly<Record<Severity, number>>; readonly after: Readonly<Record<Severity, number>> };
}

function brief(f: ComparableFinding): FindingBrief {
  return { id: f.id, checkId: f.checkId, severity: f.severity, principalArn: f.principalArn, title: f.title, suppressed: f.suppressed !== undefined };
}

function bySeverityThenId(a: { severity: Severity; id: string }, b: { severity: Severity; id: string }): number {
  return severityRank[b.severity] - severityRank[a.severity] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function suppressionKey(f: ComparableFinding): string {
  return f.suppressed ? JSON.stringify([f.suppressed.reason, f.suppressed.by ?? null, f.suppressed.until ?? null]) : '';
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function compareFinding(before: ComparableFinding, after: ComparableFinding): ChangedFinding | undefined {
  const changes: FindingChangeKind[] = [];
  if (before.severity !== after.severity) changes.push('severity');
  // The same list in the same order (most findings of a scan the day after) adds and removes
  // nothing: no lower-cased sets for it.
  const same = sameList(before.actions, after.actions);
  const was = same ? undefined : new Set(before.actions.map((a) => a.toLowerCase()));
  const now = same ? undefined : new Set(after.actions.map((a) => a.toLowerCase()));
  const actionsAdded = same ? [] : after.actions.filter((a) => !was!.has(a.toLowerCase())).sort();
  const actionsRemoved = same ? [] : before.actions.filter((a) => !now!.has(a.toLowerCase())).sort();
  if (actionsAdded.length > 0 || actionsRemoved.length > 0) changes.push('actions');
  if (suppressionKey(before) !== suppressionKey(after)) changes.push('suppression');
  if (changes.length === 0) return undefined;
  return {
    id: after.id,
    checkId: after.checkId,
    principalArn: after.principalArn,
    title: after.title,
    changes,
    before: { severity: before.severity, actionCount: before.actions.length, suppressed: before.suppressed !== undefined },
    after: { severity: after.severity, actionCount: after.actions.length, suppressed: after.suppressed !== undefined },
    actionsAdded,
    actionsRemoved,
  };
}

function countBySeverity(findings: readonly ComparableFinding[]): Record<Severity, number> {
  const out = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) if (!f.suppressed) out[f.severity] += 1;
  return out;
}

/**
 * A finding missing from `neu` is resolved only if `neu` saw its principal, or read IAM completely
 * (then a missing principal was deleted). A principal missing from a partial read is unknown.
 */
export function goneFindings<F extends ComparableFinding>(old: { readonly findings: readonly F[] }, neu: ComparableScan): { resolved: F[]; unverified: F[] } {
  const after = new Set(neu.findings.map((f) => f.id));
  const seen = new Set(neu.principals.map((p) => p.arn));
  const complete = neu.scan.coverage.iam === 'complete';
  const resolved: F[] = [];
  const unverified: F[] = [];
  for (const f of old.findings) {
    if (after.has(f.id)) continue;
    (complete || seen.has(f.principalArn) ? resolved : unverified).push(f);
  }
  return { resolved, unverified };
}

/** A principal's identity across two scans, by IAM's unique id (present from schema 1.7.0). */
export interface IdentityChanges {
  /** Old ARN → the new one, for principals whose unique id now has another ARN (a renamed user). */
  readonly renamed: ReadonlyMap<string, { readonly uniqueId: string; readonly to: string }>;
  /** ARNs in both scans now held by another principal, the old one gone (deleted, made again). */
  readonly recreated: readonly string[];
}

export function identityChanges(old: ComparableScan, neu: ComparableScan): IdentityChanges {
  const renamed = new Map<string, { uniqueId: string; to: string }>();
  const recreated: string[] = [];
  const newById = new Map<string, string>();
  for (const p of neu.principals) if (p.uniqueId) newById.set(p.uniqueId, p.arn);
  if (newById.size === 0) return { renamed, recreated };
  const newByArn = new Map(neu.principals.map((p) => [p.arn, p]));
  for (const p of old.principals) {
    if (!p.uniqueId) continue;
    const to = newById.get(p.uniqueId);
    if (to !== undefined && to !== p.arn) renamed.set(p.arn, { uniqueId: p.uniqueId, to });
    const now = newByArn.get(p.arn)?.uniqueId;
    if (to === undefined && now && now !== p.uniqueId) recreated.push(p.arn);
  }
  return { renamed, recreated: recreated.sort() };
}

/** Characters an IAM name or path may hold: an ARN inside a subject ends where none follows. */
const NAME_CHAR = /[\w+=,.@/-]/;

function renamedSubject(subject: string, renamed: IdentityChanges['renamed']): string {
  for (const [from, { to }] of renamed) {
    const i = subject.indexOf(from);
    if (i >= 0 && !NAME_CHAR.test(subject.charAt(i + from.length))) return subject.slice(0, i) + to + subject.slice(i + from.length);
  }
  return subject;
}

/**
 * The old report as if its renamed principals had had their new ARNs then: their findings (ids
 * are made from the ARN) and those naming them in their subject match the new scan's, so a
 * rename is not every finding resolved and found again, and firstSeen carries over.
 */
export function carriedOver<S extends ComparableScan>(old: S, changes: IdentityChanges): S {
  const { renamed } = changes;
  if (renamed.size === 0) return old;
  const arnOf = (arn: string) => renamed.get(arn)?.to ?? arn;
  return {
    ...old,
    principals: old.principals.map((p) => (renamed.has(p.arn) ? { ...p, arn: arnOf(p.arn) } : p)),
    findings: old.findings.map((f) => {
      const principalArn = arnOf(f.principalArn);
      const subject = renamedSubject(f.subject, renamed);
      return principalArn === f.principalArn && subject === f.subject ? f : { ...f, principalArn, subject, id: findingId(f.checkId, principalArn, subject) };
    }),
  };
}

export function diffReports(previous: ComparableScan, neu: ComparableScan): ReportDiff {
  const identity = identityChanges(previous, neu);
  const old = carriedOver(previous, identity);
  const before = new Map(old.findings.map((f) => [f.id, f]));
  const added = neu.findings.filter((f) => !before.has(f.id)).map(brief).sort(bySeverityThenId);
  const gone = goneFindings(old, neu);
  const resolved = gone.resolved.map(brief).sort(bySeverityThenId);
  const unverified = gone.unverified.map(brief).sort(bySeverityThenId);
  const changed: ChangedFinding[] = [];
  for (const f of neu.findings) {
    const prev = before.get(f.id);
    const c = prev && compareFinding(prev, f);
    if (c) changed.push(c);
  }
  changed.sort((a, b) => bySeverityThenId({ severity: a.after.severity, id: a.id }, { severity: b.after.severity, id: b.id }));

  const oldPrincipals = new Map(old.principals.map((p) => [p.arn, p]));
  const newArns = new Set(neu.principals.map((p) => p.arn));
  const principalsAdded = neu.principals.filter((p) => !oldPrincipals.has(p.arn)).map((p) => p.arn).sort();
  // Absent from an incomplete IAM read is not the same as deleted.
  const principalsRemoved = neu.scan.coverage.iam === 'complete' ? old.principals.filter((p) => !newArns.has(p.arn)).map((p) => p.arn).sort() : [];

  // Growth is tracked for agent principals only: that is where a silently widened grant matters.
  const permissionGrowth: PermissionGrowth[] = [];
  for (const p of neu.principals) {
    const prev = oldPrincipals.get(p.arn);
    if (!p.isAgent || !prev) continue;
    const b = prev.permissions.allowedActionCount;
    const a = p.permissions.allowedActionCount;
    if (a > b) permissionGrowth.push({ arn: p.arn, before: b, after: a, name: p.name });
  }
  permissionGrowth.sort((x, y) => y.after - y.before - (x.after - x.before) || (x.arn < y.arn ? -1 : 1));

  return {
    previousScanId: old.scan.id,
    newFindings: added.map((f) => f.id),
    resolvedFindings: resolved.map((f) => f.id),
    changedFindings: changed.map((f) => f.id),
    principalsAdded,
    principalsRemoved,
    permissionGrowth,
    ...(identity.renamed.size > 0 ? { principalsRenamed: [...identity.renamed].map(([from, { uniqueId, to }]) => ({ uniqueId, from, to })).sort((a, b) => (a.from < b.from ? -1 : 1)) } : {}),
    ...(identity.recreated.length > 0 ? { principalsRecreated: identity.recreated } : {}),
    old: { scanId: old.scan.id, startedAt: old.scan.startedAt, accountId: old.scan.account.id },
    new: { scanId: neu.scan.id, startedAt: neu.scan.startedAt, accountId: neu.scan.account.id },
    accountMismatch: old.scan.account.id !== neu.scan.account.id,
    findings: { new: added, resolved, changed, unverified },
    bySeverity: { before: countBySeverity(old.findings), after: countBySeverity(neu.findings) },
  };
}

/** The ReportDelta a scan report carries (`report.delta`): ids only, no detail. */
export function computeDelta(previous: ComparableScan, current: ComparableScan): ReportDelta {
  const d = diffReports(previous, current);
  return {
    previousScanId: d.previousScanId,
    newFindings: d.newFindings,
    resolvedFindings: d.resolvedFindings,
    changedFindings: d.changedFindings,
    principalsAdded: d.principalsAdded,
    principalsRemoved: d.principalsRemoved,
    permissionGrowth: d.permissionGrowth.map(({ arn, before, after }) => ({ arn, before, after })),
    ...(d.principalsRenamed ? { principalsRenamed: d.principalsRenamed } : {}),
    ...(d.principalsRecreated ? { principalsRecreated: d.principalsRecreated } : {}),
  };
}

export function isEmptyDelta(d: ReportDelta): boolean {
  return (
    d.newFindings.length === 0 &&
    d.resolvedFindings.length === 0 &&
    d.changedFindings.length === 0 &&
    d.principalsAdded.length === 0 &&
    d.principalsRemoved.length === 0 &&
    d.permissionGrowth.length === 0 &&
    (d.principalsRenamed?.length ?? 0) === 0 &&
    (d.principalsRecreated?.length ?? 0) === 0
  );
}

function describeChange(c: ChangedFinding): string {
  const parts: string[] = [];
  if (c.changes.includes('severity')) parts.push(`severity ${c.before.severity} → ${c.after.severity}`);
  if (c.changes.includes('actions')) {
    const bits = [];
    if (c.actionsAdded.length > 0) bits.push(`+${c.actionsAdded.length}`);
    if (c.actionsRemoved.length > 0) bits.push(`-${c.actionsRemoved.length}`);
    parts.push(`actions ${bits.join('/')} (${c.before.actionCount} → ${c.after.actionCount})`);
  }
  if (c.changes.includes('suppression')) {
    parts.push(c.before.suppressed === c.after.suppressed ? 'suppression changed' : c.after.suppressed ? 'now suppressed' : 'no longer suppressed');
  }
  return parts.join(', ');
}

const SEV_TAG: Readonly<Record<Severity, string>> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFO' };

function findingLine(mark: string, f: FindingBrief): string {
  return `  ${mark} ${SEV_TAG[f.severity].padEnd(8)} ${f.title} — ${f.principalArn}${f.suppressed ? ' (suppressed)' : ''}  [${f.id}]`;
}

/** Plain-text rendering for terminals and CI logs; no colour so it survives log collectors. */
export function renderDiffText(d: ReportDiff): string {
  const lines: string[] = [];
  lines.push(`leash diff: ${d.old.scanId} (${d.old.startedAt}) → ${d.new.scanId} (${d.new.startedAt})`);
  if (d.accountMismatch) lines.push(`warning: comparing different accounts (${d.old.accountId} → ${d.new.accountId})`);
  else lines.push(`account ${d.new.accountId}`);
  const sev = SEVERITIES.map((s) => `${s} ${d.bySeverity.before[s]}→${d.bySeverity.after[s]}`).join(', ');
  lines.push(`open findings by severity: ${sev}`);
  lines.push('');
  lines.push(`new findings: ${d.findings.new.length}`);
  for (const f of d.findings.new) lines.push(findingLine('+', f));
  lines.push(`resolved findings: ${d.findings.resolved.length}`);
  for (const f of d.findings.resolved) lines.push(findingLine('-', f));
  if (d.findings.unverified.length > 0) {
    lines.push(`not verified (principal not read; IAM read incomplete): ${d.findings.unverified.length}`);
    for (const f of d.findings.unverified) lines.push(findingLine('?', f));
  }
  lines.push(`changed findings: ${d.findings.changed.length}`);
  for (const c of d.findings.changed) lines.push(`  ~ ${c.title} — ${c.principalArn}: ${describeChange(c)}  [${c.id}]`);
  lines.push(`principals added: ${d.principalsAdded.length}`);
  for (const a of d.principalsAdded) lines.push(`  + ${a}`);
  lines.push(`principals removed: ${d.principalsRemoved.length}`);
  for (const a of d.principalsRemoved) lines.push(`  - ${a}`);
  if (d.principalsRenamed) {
    lines.push(`principals renamed (same unique id; findings carried over): ${d.principalsRenamed.length}`);
    for (const r of d.principalsRenamed) lines.push(`  ~ ${r.from} → ${r.to}  [${r.uniqueId}]`);
  }
  if (d.principalsRecreated) {
    lines.push(`principals deleted and made again under the same ARN (a new identity; check who did it): ${d.principalsRecreated.length}`);
    for (const a of d.principalsRecreated) lines.push(`  ! ${a}`);
  }
  lines.push(`agent permission growth: ${d.permissionGrowth.length}`);
  for (const g of d.permissionGrowth) lines.push(`  ↑ ${g.arn}: ${g.before} → ${g.after} allowed actions (+${g.after - g.before})`);
  return `${lines.join('\n')}\n`;
}
