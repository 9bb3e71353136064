// The whole pipeline, as the CLI, the scheduler and the TUI run it:
// collect → snapshot → agents → checks → baseline → fix → report.
// collectSnapshot does the I/O; analyzeSnapshot is a pure function of its inputs.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '../model/report.js';
import type { Snapshot } from '../model/snapshot.js';
import { defaultConfig, loadConfig, type LeashConfig } from '../config/config.js';
import { InputError } from '../model/errors.js';
import { catalog } from '../iam/catalog.js';
import { ActionExpander } from '../iam/pattern.js';
import { analyzePrincipals } from '../checks/analyze.js';
import { checks } from '../checks/index.js';
import { runChecks } from '../checks/run.js';
import { buildReport } from '../report/build.js';
import { computeNeeded, type NeededSet } from '../baseline/needed.js';
import { planFixes, type PrincipalFixPlan } from '../fix/plan.js';
import type { PrincipalBaselineSummary } from '../model/report.js';
import type { Finding } from '../model/finding.js';
import type { AnalyzedPrincipal } from '../checks/types.js';
import { applySuppressions, loadSuppressions, type SuppressionEntry } from '../config/suppressions.js';
import { severityRank, type Severity } from '../model/finding.js';
import type { Format } from '../report/formats.js';
import { computeDelta } from '../report/diff.js';
import { accountDir, cleanStaleTemps, listScans, loadReport, pruneScans } from '../report/history.js';
import { checkReplaceable, writeReportBundle } from '../report/write.js';
import { writeFixPlans } from '../fix/write.js';
import type { AwsCollection } from '../collect/aws/index.js';

export interface ScanOptions {
  /** An `aws iam get-account-authorization-details` JSON file. */
  readonly input?: string;
  /**
   * `--account-id`: the account scanned, for exports whose ARNs name none (only groups or
   * AWS-managed policies). Checked against the input's ARNs (and the live caller's account).
   */
  readonly accountId?: string;
  /** Scan the bundled demo account (and its demo CloudTrail). */
  readonly demo?: boolean;
  readonly config?: string;
  readonly cloudtrail?: readonly string[];
  /** Worker threads for reading CloudTrail files (default: readCloudTrail's own choice). */
  readonly cloudtrailWorkers?: number;
  /** Read AI tool configs on this machine (and link their AWS profiles to principals). */
  readonly local?: boolean;
  readonly localHome?: string;
  readonly localProjects?: readonly string[];
  /** Service-last-accessed outputs (`FILE` or `FILE@ROLE_ARN`). */
  readonly lastAccessed?: readonly string[];
  /** Live AWS: use the credential chain (also implied by profile / region / endpointUrl). */
  readonly aws?: boolean;
  readonly profile?: string;
  readonly region?: string;
  readonly endpointUrl?: string;
  /** Live AWS: CloudTrail LookupEvents for this many days (management events, 2 req/s). */
  readonly cloudtrailLookupDays?: number;
  /** Live AWS: action-level service-last-accessed for agent-looking principals. */
  readonly liveLastAccessed?: boolean;
  /** Live AWS: service control policies from Organizations. */
  readonly scps?: boolean;
  /** A live collection already made (multi-account scans collect first, then analyse each). */
  readonly awsCollection?: AwsCollection;
  /** End of the usage window (ISO); default: the config's windowEnd, else now. */
  readonly until?: string;
  readonly fixes?: boolean;
  readonly mode?: 'strict' | 'balanced';
  /** leash.suppressions.yaml (default: the config's suppressionsFile, relative to the cwd). */
  readonly suppressionsFile?: string;
  /** Fixed clock for reproducible scans (tests). */
  readonly now?: Date;
}

export type ProgressFn = (stage: string, detail?: string) => void;

export { demoDir, packageRoot } from './paths.js';

export { collectSnapshot, type Collected } from './collect.js';
import { collectSnapshot } from './collect.js';

export interface AnalyzeOptions {
  readonly suppressions?: readonly SuppressionEntry[];
  readonly scanId: string;
  readonly startedAt: string;
  readonly now: Date;
  readonly fixes: boolean;
}

export interface Analysis {
  readonly report: Report;
  readonly fixPlans: readonly PrincipalFixPlan[];
}

/** Fixes are planned for agent principals and for human session roles an AI tool drives. */
export function wantsFix(a: AnalyzedPrincipal): boolean {
  return a.isAgent || (a.humanSession && a.agentEvidence.some((e) => e.kind.startsWith('cloudtrail-') || e.kind === 'local-config'));
}

/** Pure: the same snapshot, config and options always give the same report. */
export function analyzeSnapshot(snapshot: Snapshot, config: LeashConfig, opts: AnalyzeOptions & { readonly onlyPrincipal?: string }): Analysis {
  const expander = new ActionExpander(catalog());
  const analyzed = analyzePrincipals(snapshot, config, expander);
  const ctx = { snapshot, principals: analyzed, config, expander, now: opts.now };
  const run = runChecks(ctx);
  const errors = run.errors;
  // Suppressed findings stay in the report, marked with their reason; they are never dropped.
  const findings = opts.suppressions ? applySuppressions(run.findings, opts.suppressions, opts.now) : run.findings;
  const baselines = new Map<string, PrincipalBaselineSummary>();
  const needed = new Map<string, NeededSet>();
  for (const a of analyzed) {
    const n = computeNeeded(a, snapshot.usage, config, expander);
    needed.set(a.principal.arn, n);
    if (n.basis !== 'none' || n.covered) baselines.set(a.principal.arn, n.summary);
  }
  const fixPlans: PrincipalFixPlan[] = [];
  if (opts.fixes) {
    const byPrincipal = new Map<string, Finding[]>();
    for (const f of findings) {
      const list = byPrincipal.get(f.principalArn) ?? [];
      list.push(f);
      byPrincipal.set(f.principalArn, list);
    }
    for (const a of analyzed) {
      if (!wantsFix(a) || (opts.onlyPrincipal && a.principal.arn !== opts.onlyPrincipal)) continue;
      const fs = (byPrincipal.get(a.principal.arn) ?? []).filter((f) => f.checkId !== 'unused-role' && f.checkId !== 'unknown-actions');
      const plan = planFixes(a, needed.get(a.principal.arn)!, snapshot, config, expander, fs.map((f) => f.id));
      for (const fx of plan.fixes) for (const f of fs) if (!f.fixIds.includes(fx.id)) f.fixIds.push(fx.id);
      fixPlans.push(plan);
    }
  }
  const report = buildReport({
    scanId: opts.scanId,
    startedAt: opts.startedAt,
    finishedAt: opts.now.toISOString(),
    snapshot, analyzed, findings, fixes: fixPlans.flatMap((p) => p.fixes), checks, expander, baselines,
    errors: errors.map((e) => ({ source: 'config' as const, code: 'internal' as const, message: `check ${e.checkId} failed: ${e.message}` })),
  });
  return { report, fixPlans };
}

export function scanId(accountId: string, at: Date): string {
  return `${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${accountId}`;
}

export async function runScan(opts: ScanOptions, onProgress: ProgressFn = () => {}): Promise<Report> {
  return (await runScanWithFixes(opts, onProgress)).report;
}

export async function runScanWithFixes(opts: ScanOptions, onProgress: ProgressFn = () => {}): Promise<Analysis> {
  const started = opts.now ?? new Date();
  const { snapshot, config } = await collectSnapshot(opts, onProgress);
  onProgress('analyze', `${snapshot.principals.length} principals`);
  const effectiveConfig: LeashConfig = opts.mode ? { ...config, baseline: { ...config.baseline, mode: opts.mode } } : config;
  const suppressions = loadSuppressions(opts.suppressionsFile ?? config.suppressionsFile);
  return analyzeSnapshot(snapshot, effectiveConfig, {
    suppressions,
    scanId: scanId(snapshot.account.id, started),
    startedAt: started.toISOString(),
    now: opts.now ?? new Date(),
    fixes: opts.fixes ?? false,
  });
}

export { defaultConfig };

export interface WriteOptions {
  /** Root of the scan history (default `reports`). */
  readonly reportsRoot?: string;
  readonly output?: string;
  readonly formats?: readonly Format[];
  readonly failOn?: Severity;
  /** Only findings that are new since the previous scan count for the exit code. */
  readonly failOnNew?: boolean;
  readonly signal?: AbortSignal;
  /** Retention: keep the newest N scans of the account (never one holding apply.sh backups). */
  readonly keep?: number;
}

/**
 * Scan, compare with the previous scan of the account, and write the bundle atomically
 * (report.json, SARIF, ASFF, summary.md, fixes/). The scheduler and `leash scan` share it.
 */
export async function scanAndWrite(opts: ScanOptions & WriteOptions, onProgress: ProgressFn = () => {}): Promise<{ dir: string; report: Report; exitCode: number }> {
  // A refused --output should not cost a whole scan first.
  if (opts.output) await checkReplaceable(opts.output);
  const analysis = await runScanWithFixes(opts, onProgress);
  const reportsRoot = opts.reportsRoot ?? 'reports';
  const accountId = analysis.report.scan.account.id;
  let previousError: string | undefined;
  const latest = await loadReport('latest', { reportsRoot, accountId }).catch(async (e: unknown) => {
    // No earlier scan is normal; an earlier scan that cannot be read is worth saying out loud.
    if ((await listScans(reportsRoot, accountId).catch(() => [])).length > 0) previousError = (e as Error).message;
    return undefined;
  });
  // A scan that read IAM only in part missed findings; compared with it, they would all be "new".
  const previous = latest && latest.scan.coverage.iam !== 'complete' ? (await newestCompleteScan(reportsRoot, accountId)) ?? latest : latest;
  const withNote: Report = previousError
    ? { ...analysis.report, errors: [...analysis.report.errors, { source: 'config', code: 'not-found', message: `the previous scan could not be read, so there is no delta (--fail-on-new counts every finding as new): ${previousError}` }] }
    : analysis.report;
  const report: Report = withFirstSeen(previous ? { ...withNote, delta: computeDelta(previous, withNote) } : withNote, previous);
  onProgress('write', reportsRoot);
  // Temp folders of killed scans go at the next scan (only leash's: marker and dead pid).
  await cleanStaleTemps(opts.output ? dirname(resolve(opts.output)) : accountDir(reportsRoot, accountId)).catch(() => []);
  const { dir } = await writeReportBundle(report, {
    reportsRoot,
    ...(opts.output ? { outputDir: opts.output } : {}),
    formats: opts.formats ?? ['json', 'sarif', 'asff', 'md'],
    ...(previous ? { previous } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(analysis.fixPlans.length > 0 ? { fixesWriter: async (d: string) => { writeFixPlans(join(d, 'fixes'), analysis.fixPlans); } } : {}),
  }).catch((e: unknown) => {
    // EACCES, ENOTDIR, EROFS…: name the directory the user chose rather than an internal temp path.
    const code = (e as NodeJS.ErrnoException).code;
    if (e instanceof InputError || code === undefined) throw e;
    throw new InputError(opts.output ?? reportsRoot, '', `a writable directory for the report (${opts.output ? '--output' : '--reports'})`, (e as Error).message);
  });
  if (opts.keep !== undefined && !opts.output) await pruneScans(reportsRoot, accountId, opts.keep);
  return { dir, report, exitCode: exitCodeFor(report, opts.failOn, opts.failOnNew ? report.delta?.newFindings ?? report.findings.map((f) => f.id) : undefined) };
}

/**
 * Each finding's first sighting: carried over from the previous scan when it reported the same
 * finding id, else this scan's start. Dashboards and Security Hub age findings by it.
 */
export function withFirstSeen(report: Report, previous: Report | undefined): Report {
  const before = new Map((previous?.findings ?? []).map((f) => [f.id, f.firstSeen ?? previous!.scan.startedAt]));
  return { ...report, findings: report.findings.map((f) => ({ ...f, firstSeen: before.get(f.id) ?? report.scan.startedAt })) };
}

/** The newest earlier scan of the account whose IAM read was complete (looking back a few scans). */
async function newestCompleteScan(reportsRoot: string, accountId: string): Promise<Report | undefined> {
  const scans = (await listScans(reportsRoot, accountId).catch(() => [])).filter((s) => s.hasReport).reverse().slice(0, 10);
  for (const s of scans) {
    const r = await loadReport(join(s.dir, 'report.json')).catch(() => undefined);
    if (r && r.scan.account.id === accountId && r.scan.coverage.iam === 'complete') return r;
  }
  return undefined;
}

/** 2 for bad input, 1 for (new) findings at or above failOn, else 0. */
export function exitCodeFor(report: Report, failOn: Severity | undefined, onlyIds?: readonly string[]): number {
  if (report.errors.some((e) => e.code === 'invalid-input')) return 2;
  // A source that failed, wholly or in part (an unreadable CloudTrail file, live sources that all
  // failed), is exit 2 as well, with the report written: the README's promise.
  if (report.scan.sources.some((s) => s.status === 'unavailable' || s.status === 'partial')) return 2;
  if (!failOn) return 0;
  const bar = severityRank[failOn];
  const only = onlyIds ? new Set(onlyIds) : undefined;
  return report.findings.some((f) => !f.suppressed && severityRank[f.severity] >= bar && (!only || only.has(f.id))) ? 1 : 0;
}

export interface AccountScanResult {
  readonly accountId: string;
  readonly ok: boolean;
  readonly dir?: string;
  readonly report?: Report;
  readonly exitCode: number;
  readonly error?: string;
}

/**
 * Every account in leash.config.yaml `accounts`: assume the listed role in each (bounded
 * concurrency), then analyse and write each as its own scan. One failing account does not
 * lose the others; its error is in the result.
 */
export async function scanAccounts(opts: ScanOptions & WriteOptions, onProgress: ProgressFn = () => {}, concurrency = 4): Promise<AccountScanResult[]> {
  const config = loadConfig(opts.config);
  if (config.accounts.length === 0) throw new InputError(opts.config ?? 'leash.config.yaml', '$.accounts', 'a list of accounts to scan ({id, roleArn, externalId?})', 'none');
  const { collectAccounts } = await import('../collect/aws/index.js');
  const { awsCollectOptions } = await import('./collect.js');
  const targets = config.accounts.map((a) => ({ id: a.id, roleArn: a.roleArn, ...(a.externalId ? { externalId: a.externalId } : {}), ...(a.sessionName ? { sessionName: a.sessionName } : {}) }));
  const results = await collectAccounts(targets, awsCollectOptions(opts, onProgress), { concurrency });
  const out: AccountScanResult[] = [];
  for (const r of results) {
    if (!r.ok) {
      out.push({ accountId: r.account.id, ok: false, exitCode: 2, error: r.error.message });
      continue;
    }
    try {
      const res = await scanAndWrite({ ...opts, awsCollection: r.collection }, onProgress);
      out.push({ accountId: r.account.id, ok: true, dir: res.dir, report: res.report, exitCode: res.exitCode });
    } catch (e) {
      out.push({ accountId: r.account.id, ok: false, exitCode: 2, error: (e as Error).message });
    }
  }
  return out;
}
