// The whole pipeline, as the CLI, the scheduler and the TUI run it:
// collect → snapshot → agents → checks → baseline → fix → report.
// collectSnapshot does the I/O; analyzeSnapshot is a pure function of its inputs.
import type { CloudTrailParser } from '../collect/cloudtrail/ingest-file.js';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPORT_SCHEMA_VERSION, type Report } from '../model/report.js';
import type { Snapshot } from '../model/snapshot.js';
import type { OrganizationFacts } from '../model/organization.js';
import { defaultConfig, loadConfig, type LeashConfig } from '../config/config.js';
import { InputError } from '../model/errors.js';
import { catalog } from '../iam/catalog.js';
import { configuredOrganization as orgOfConfig } from '../iam/organization.js';
import { ActionExpander } from '../iam/pattern.js';
import { analyzePrincipals } from '../checks/analyze.js';
import { reachWidener } from '../checks/widen.js';
import { escalationOf } from '../checks/escalation-hits.js';
import { checks } from '../checks/index.js';
import { runChecks } from '../checks/run.js';
import { buildReport } from '../report/build.js';
import { computeNeeded, type NeededSet } from '../baseline/needed.js';
import { agentAfterFix, linkFixes, mergeRolePlans, planFixes, planHopGuardFix, planTrustFix, type PrincipalFixPlan } from '../fix/plan.js';
import { hopChains, NO_CHAINS, type HopChains } from '../fix/hop-chains.js';
import { managedPolicyQuotaNote } from '../fix/quota.js';
import { unusedAgentTrustByRole } from '../baseline/unused-trust.js';
import type { PrincipalBaselineSummary } from '../model/report.js';
import type { Finding } from '../model/finding.js';
import type { AnalyzedPrincipal } from '../checks/types.js';
import { analyzeGraph, type AccessGraph } from '../graph/index.js';
import { namingScope, resourceView, scopedView } from '../resources/blast.js';
import { namedAgents } from '../checks/resource-names.js';
import { blastReports } from '../resources/report.js';
import { applySuppressions, loadSuppressions, type SuppressionEntry } from '../config/suppressions.js';
import { severityRank, type Severity } from '../model/finding.js';
import { DEFAULT_FORMATS, type Format } from '../report/formats.js';
import { carriedOver, computeDelta, identityChanges } from '../report/diff.js';
import { accountDir, cleanStaleTemps, listScans, loadComparableScan, pruneScans, resolveScan } from '../report/history.js';
import { SCAN_INDEX_FILE, type ComparableScan } from '../report/scan-index.js';
import { checkReplaceable, writeReportBundle } from '../report/write.js';
import { reportFileIn, type ReportCompression } from '../report/report-file.js';
import { appendLocalTrend } from '../report/history.js';
import { openHistoryStore, type HistoryStore } from '../report/history-store/store.js';
import { writeFixPlans } from '../fix/write.js';
import { collectGarbage } from './release.js';
import { jsonTextSafe, safeText } from '../safe/text.js';
import type { AwsCollection } from '../collect/aws/index.js';
import { configSignatures, REGISTRY_SIGNATURES } from '../agents/user-agent.js';

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
  /** CloudTrail: local files and directories, or s3://bucket/prefix of a trail read in place. */
  readonly cloudtrail?: readonly string[];
  /** CloudTrail through Athena: `workgroup/database.table` of the trail table. */
  readonly cloudtrailAthena?: string;
  /** Athena partition projection column ('yyyy/MM/dd' strings) to prune by the window. */
  readonly cloudtrailAthenaPartition?: string;
  /** CloudTrail usage already read for this account (an organization scan reads Athena once). */
  readonly cloudtrailRead?: import('../collect/cloudtrail/reader.js').CloudTrailUsageResult;
  /** Worker threads for reading CloudTrail files (default: readCloudTrail's own choice). */
  readonly cloudtrailWorkers?: number;
  /** How CloudTrail files are parsed: 'wasm' (default), 'scan' (fields usage needs, in JS) or 'json' (JSON.parse whole). */
  readonly cloudtrailParser?: CloudTrailParser;
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
  /** What an `--org` scan read of the organization (the account's membership and OU path): kept on the snapshot. */
  readonly organization?: import('../model/organization.js').OrganizationFacts;
  /** Resource inventory files: AWS Config configuration snapshots or leash inventory files (`--inventory`). */
  readonly inventory?: readonly string[];
  /** Inventory already read (several accounts scanned together read the files once). */
  readonly inventoryRead?: import('../model/inventory.js').ResourceInventory;
  /** Live AWS: read the resource inventory too (`--resources`); opt-in for its API cost. */
  readonly resources?: boolean;
  /** Live inventory regions (`--regions`); default: the scan's region. */
  readonly regions?: readonly string[];
  /** End of the usage window (ISO); default: the config's windowEnd, else now. */
  readonly until?: string;
  readonly fixes?: boolean;
  readonly mode?: 'strict' | 'balanced';
  /** leash.suppressions.yaml (default: the config's suppressionsFile, relative to the cwd). */
  readonly suppressionsFile?: string;
  /** Worker threads for fix planning (`--analysis-workers`; default: the config's analysisWorkers, 0). */
  readonly analysisWorkers?: number;
  /** Fixed clock for reproducible scans (tests). */
  readonly now?: Date;
  /** Time spent per stage (benchmarks). */
  readonly onStage?: (stage: string, ms: number) => void;
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
  /** Time spent per stage (benchmarks): effective, graph, checks, baseline, fixes, report. */
  readonly onStage?: (stage: string, ms: number) => void;
  /**
   * The report's graph keeps only the hops report.json keeps (`hopsOmitted` set), for scans that
   * write the report and answer nothing else from it: the hops left out are never made (at 50,000
   * principals, 461k hops of which the file keeps a few, ~165 MB held through the writing).
   */
  readonly storedGraph?: boolean;
}

export interface Analysis {
  readonly report: Report;
  readonly fixPlans: readonly PrincipalFixPlan[];
  /** The access graph the analysis used (shared by every account analysed together). */
  readonly graph: AccessGraph;
}

/** Fixes are planned for agent principals (human session roles an AI tool drives included). */
export function wantsFix(a: AnalyzedPrincipal): boolean {
  return a.isAgent;
}

/**
 * `resources.organizationId`: the organization the scanned accounts belong to, as the graph takes
 * it (each scanned account a member, OU paths unknown). A snapshot's own (`--org`) comes first.
 */
export function configuredOrganization(config: LeashConfig, snapshots: readonly Snapshot[]): OrganizationFacts | undefined {
  return orgOfConfig(config.resources?.organizationId, snapshots.map((s) => s.account.id));
}

/** Pure: the same snapshot, config and options always give the same report. */
export function analyzeSnapshot(snapshot: Snapshot, config: LeashConfig, opts: AnalyzeOptions & { readonly onlyPrincipal?: string }): Analysis {
  return analyzeSnapshots([snapshot], config, opts)[0]!;
}

/**
 * Several accounts analysed together: one access graph across them (a dev user that may assume a
 * prod role is one path), then each account's checks, baseline, fixes and report as before.
 * Pure, like analyzeSnapshot; one Analysis per snapshot, in order.
 */
export function analyzeSnapshots(snapshots: readonly Snapshot[], config: LeashConfig, opts: AnalyzeOptions & { readonly onlyPrincipal?: string }): Analysis[] {
  const expander = new ActionExpander(catalog());
  const stage = stageTimer(opts.onStage);
  const perAccount = snapshots.map((snapshot) => ({ snapshot, analyzed: analyzePrincipals(snapshot, config, expander, opts.now) }));
  stage('effective');
  const organization = configuredOrganization(config, snapshots);
  const graph = analyzeGraph(perAccount, { expander, now: opts.now, ...(organization ? { organization } : {}) });
  stage('graph');
  return perAccount.map(({ snapshot, analyzed }) => analyzeOne(snapshot, analyzed, graph, expander, config, snapshots.length > 1 ? { ...opts, scanId: scanId(snapshot.account.id, new Date(opts.startedAt)) } : opts));
}

function analyzeOne(snapshot: Snapshot, analyzed: AnalyzedPrincipal[], graph: AccessGraph, expander: ActionExpander, config: LeashConfig, opts: AnalyzeOptions & { readonly onlyPrincipal?: string }): Analysis {
  const stage = stageTimer(opts.onStage);
  const pre = beforeFixes(snapshot, analyzed, graph, expander, config, opts, stage);
  const fixPlans: PrincipalFixPlan[] = [];
  if (opts.fixes) {
    for (let i = 0; i < analyzed.length; i++) {
      const plan = planPrincipal(pre, i);
      if (plan) fixPlans.push(plan);
    }
  }
  stage('fixes');
  return finishAnalysis(pre, fixPlans, opts, stage);
}

/**
 * What an account's analysis holds once checks and baselines are done: everything a principal's
 * fix plan reads. Analysis workers (src/pipeline/workers.ts) build the same from the same inputs.
 */
export interface BeforeFixes {
  readonly snapshot: Snapshot;
  readonly analyzed: readonly AnalyzedPrincipal[];
  readonly graph: AccessGraph;
  readonly expander: ActionExpander;
  readonly config: LeashConfig;
  readonly onlyPrincipal?: string;
  readonly findings: readonly Finding[];
  readonly errors: readonly { checkId: string; message: string }[];
  readonly baselines: ReadonlyMap<string, PrincipalBaselineSummary>;
  readonly needed: ReadonlyMap<string, NeededSet>;
  readonly byPrincipal: ReadonlyMap<string, Finding[]>;
  readonly unusedTrust: ReadonlyMap<string, readonly import('../baseline/unused-trust.js').UnusedAgentTrust[]>;
  /** Role chains through roles agents were seen assuming (src/fix/hop-chains.ts): closed at the middle role, or named. */
  readonly hopChains: HopChains;
}

/** Checks, suppressions and baselines of one account (stages 'checks' and 'baseline'). */
export function beforeFixes(snapshot: Snapshot, analyzed: readonly AnalyzedPrincipal[], graph: AccessGraph, expander: ActionExpander, config: LeashConfig, opts: AnalyzeOptions & { readonly onlyPrincipal?: string }, stage: (name: string) => void = () => {}): BeforeFixes {
  const ctx = { snapshot, principals: analyzed as AnalyzedPrincipal[], config, expander, now: opts.now, graph };
  const run = runChecks(ctx);
  stage('checks');
  // Suppressed findings stay in the report, marked with their reason; they are never dropped.
  const findings = opts.suppressions ? applySuppressions(run.findings, opts.suppressions, opts.now) : run.findings;
  const baselines = new Map<string, PrincipalBaselineSummary>();
  const needed = new Map<string, NeededSet>();
  for (const a of analyzed) {
    const n = computeNeeded(a, snapshot.usage, config, expander);
    needed.set(a.principal.arn, n);
    if (n.basis !== 'none' || n.covered) baselines.set(a.principal.arn, n.summary);
  }
  stage('baseline');
  const byPrincipal = new Map<string, Finding[]>();
  if (opts.fixes) {
    for (const f of findings) {
      const list = byPrincipal.get(f.principalArn) ?? [];
      list.push(f);
      byPrincipal.set(f.principalArn, list);
    }
  }
  // Roles trusting agents that never assumed them: the trust fix goes to the role, agent or not.
  const unusedTrust = opts.fixes ? unusedAgentTrustByRole(analyzed as AnalyzedPrincipal[], snapshot.usage) : new Map();
  // Agents seen assuming a role behind which a wider one waits: the hop is closed at that role (its fix), or named.
  // Far roles are judged against what each agent keeps after its own right-sized fix (session 42).
  const hopChainsOf = opts.fixes ? hopChains(analyzed, needed, graph, snapshot, (a) => agentAfterFix(a, needed.get(a.principal.arn)!, snapshot, config, expander)) : NO_CHAINS;
  return { snapshot, analyzed, graph, expander, config, ...(opts.onlyPrincipal ? { onlyPrincipal: opts.onlyPrincipal } : {}), findings, errors: run.errors, baselines, needed, byPrincipal, unusedTrust, hopChains: hopChainsOf };
}

/** The fix plan of the i-th analysed principal, if it gets one: a function of `pre` and i alone. */
export function planPrincipal(pre: BeforeFixes, i: number): PrincipalFixPlan | undefined {
  const a = pre.analyzed[i]!;
  if (pre.onlyPrincipal && a.principal.arn !== pre.onlyPrincipal) return undefined;
  const fs = (pre.byPrincipal.get(a.principal.arn) ?? []).filter((f) => f.checkId !== 'unused-role' && f.checkId !== 'unknown-actions');
  const unused = pre.unusedTrust.get(a.principal.arn) ?? [];
  if (!wantsFix(a)) {
    // A role that is no agent: its trust without agents that never assumed it, and (session 40)
    // a boundary denying the unused hops agents acting through it could chain through.
    const guard = pre.hopChains.guards.get(a.principal.arn);
    const hop = guard ? planHopGuardFix(a, pre.needed.get(a.principal.arn)!, pre.snapshot, pre.config, pre.expander, guard, pre.graph) : undefined;
    const plan = mergeRolePlans(planTrustFix(a, pre.snapshot, pre.expander, fs.map((f) => f.id), unused), hop);
    return plan && linkFixes(plan, fs.filter((f) => f.checkId === 'unused-agent-trust'));
  }
  // Each finding links to the fixes that resolve it (a trust finding to the trust fix…).
  return linkFixes(planFixes(a, pre.needed.get(a.principal.arn)!, pre.snapshot, pre.config, pre.expander, fs.map((f) => f.id), pre.graph, unused, pre.hopChains), fs);
}

/** Blast radius and the report (stage 'report'), from the checks' state and the fix plans. */
export function finishAnalysis(pre: BeforeFixes, fixPlans: PrincipalFixPlan[], opts: AnalyzeOptions, stage: (name: string) => void = () => {}, extraErrors: Report['errors'] = []): Analysis {
  const { snapshot, analyzed, graph, expander, config, findings, baselines } = pre;
  const fullView = resourceView(snapshot, graph, config);
  const naming = namingScope(analyzed.length, snapshot.inventory?.resources.length ?? 0, namedAgents(analyzed as AnalyzedPrincipal[]));
  const view = fullView && scopedView(fullView, naming.keep);
  const notes = [...(view && naming.note ? [naming.note] : []), ...[managedPolicyQuotaNote(fixPlans, snapshot)].filter((n): n is string => n !== undefined)];
  const report = buildReport({
    scanId: opts.scanId,
    startedAt: opts.startedAt,
    finishedAt: opts.now.toISOString(),
    snapshot, analyzed: analyzed as AnalyzedPrincipal[], findings: findings as Finding[], fixes: fixPlans.flatMap((p) => p.fixes), checks, expander, baselines: baselines as Map<string, PrincipalBaselineSummary>,
    // The reach's gains asked by where too, by the checks' definition (session 38).
    graph: graph.summary(snapshot.account.id, { stored: opts.storedGraph === true, widen: reachWidener({ expander, snapshot }, graph) }),
    ...(view ? { blast: blastReports(view, analyzed as AnalyzedPrincipal[]) } : {}),
    ...(notes.length > 0 ? { notes } : {}),
    signatures: [...REGISTRY_SIGNATURES, ...configSignatures(config.agents.signatures)],
    // Trust-only escalations as privilege-escalation judged them (session 44).
    escalationOf: (a) => escalationOf({ snapshot, expander, graph }, a),
    errors: [...pre.errors.map((e) => ({ source: 'config' as const, code: 'internal' as const, message: `check ${e.checkId} failed: ${e.message}` })), ...extraErrors],
  });
  stage('report');
  return { report, fixPlans, graph };
}

export function stageTimer(on: AnalyzeOptions['onStage']): (name: string) => void {
  let t = performance.now();
  return (name) => {
    const now = performance.now();
    on?.(name, now - t);
    t = now;
  };
}

export function scanId(accountId: string, at: Date): string {
  return `${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${accountId}`;
}

export async function runScan(opts: ScanOptions, onProgress: ProgressFn = () => {}): Promise<Report> {
  return (await runScanWithFixes(opts, onProgress)).report;
}

export async function runScanWithFixes(opts: ScanOptions, onProgress: ProgressFn = () => {}, analysis: Pick<AnalyzeOptions, 'storedGraph'> = {}): Promise<Analysis> {
  const started = opts.now ?? new Date();
  const t0 = performance.now();
  const { snapshot, config } = await collectSnapshot(opts, onProgress);
  opts.onStage?.('collect', performance.now() - t0);
  onProgress('analyze', `${snapshot.principals.length} principals`);
  const effectiveConfig: LeashConfig = opts.mode ? { ...config, baseline: { ...config.baseline, mode: opts.mode } } : config;
  const suppressions = loadSuppressions(opts.suppressionsFile ?? config.suppressionsFile);
  const analyzeOpts: AnalyzeOptions = {
    suppressions,
    scanId: scanId(snapshot.account.id, started),
    startedAt: started.toISOString(),
    now: opts.now ?? new Date(),
    fixes: opts.fixes ?? false,
    ...(opts.onStage ? { onStage: opts.onStage } : {}),
    ...(analysis.storedGraph ? { storedGraph: true } : {}),
  };
  const workers = opts.analysisWorkers ?? config.analysisWorkers;
  if (workers > 0 && analyzeOpts.fixes) return (await import('./workers.js')).analyzeSnapshotWithWorkers(snapshot, effectiveConfig, analyzeOpts, workers);
  return analyzeSnapshot(snapshot, effectiveConfig, analyzeOpts);
}

export { defaultConfig };

export interface WriteOptions {
  /** Root of the scan history (default `reports`). */
  readonly reportsRoot?: string;
  readonly output?: string;
  readonly formats?: readonly Format[];
  /** report.json or report.json.gz (src/report/report-file.ts); default auto. */
  readonly reportCompression?: ReportCompression;
  readonly failOn?: Severity;
  /** Only findings that are new since the previous scan count for the exit code. */
  readonly failOnNew?: boolean;
  /**
   * `--history DIR | s3://bucket/prefix`: read the previous scan from here and store this one
   * (for runners that start empty every time). S3 uses the scan's profile, region and endpoint.
   */
  readonly history?: string;
  readonly signal?: AbortSignal;
  /** Retention: keep the newest N scans of the account (never one holding apply.sh backups). */
  readonly keep?: number;
}

/**
 * Scan, compare with the previous scan of the account, and write the bundle atomically
 * (report.json, SARIF, ASFF, summary.md, fixes/). The scheduler and `leash scan` share it.
 */
export async function scanAndWrite(opts: ScanOptions & WriteOptions, onProgress: ProgressFn = () => {}): Promise<{ dir: string; report: Report; exitCode: number }> {
  // A refused --output or a malformed --history should not cost a whole scan first.
  if (opts.output) await checkReplaceable(opts.output);
  const store = opts.history !== undefined
    ? await openHistoryStore(opts.history, { ...(opts.profile ? { profile: opts.profile } : {}), ...(opts.region ? { region: opts.region } : {}), ...(opts.endpointUrl ? { endpointUrl: opts.endpointUrl } : {}) })
    : undefined;
  try {
    return await scanAndWriteWith(opts, store, onProgress);
  } finally {
    store?.close();
  }
}

async function scanAndWriteWith(opts: ScanOptions & WriteOptions, store: HistoryStore | undefined, onProgress: ProgressFn): Promise<{ dir: string; report: Report; exitCode: number }> {
  const analysis = await analysisToWrite(opts, onProgress);
  collectGarbage(); // the analysis' garbage goes before writing adds its own (release.ts)
  return writeAnalysis(analysis, opts, onProgress, store);
}

/**
 * Only the report and the fix plans are written: the graph (and through it the snapshot, effective
 * sets, callers and their memos) is let go before writing starts, not held through it. Its own
 * function, so that no frame of the writer still holds the whole Analysis when it is collected.
 * The report's graph is made in report.json's form: its other hops are never made.
 */
async function analysisToWrite(opts: ScanOptions, onProgress: ProgressFn): Promise<Pick<Analysis, 'report' | 'fixPlans'>> {
  const { report, fixPlans } = await runScanWithFixes(opts, onProgress, { storedGraph: true });
  return { report, fixPlans };
}

/**
 * Several exports scanned as one graph (`--input prod.json --input dev.json`): a dev user that may
 * assume a prod role is a path in both reports. Each account gets its own bundle as usual, and the
 * run writes one view across them (cross-account/<scan time>/paths.json and summary.md).
 */
export async function scanManyAndWrite(inputs: readonly string[], opts: ScanOptions & WriteOptions, onProgress: ProgressFn = () => {}): Promise<{ results: { dir: string; report: Report; exitCode: number }[]; crossDir: string }> {
  if (opts.output) throw new InputError('--output', '', 'no --output with several --input files (each account is written under --reports)', opts.output);
  const started = opts.now ?? new Date();
  const collected = [];
  // The inventory files are read once and shared: every account's snapshot sees every resource.
  const inventoryRead = opts.inventory && opts.inventory.length > 0 && !opts.inventoryRead ? await (await import('./inventory.js')).readNamedInventories(opts) : opts.inventoryRead;
  for (const input of inputs) collected.push(await collectSnapshot({ ...opts, input, ...(inventoryRead ? { inventoryRead } : {}) }, onProgress));
  const ids = collected.map((c) => c.snapshot.account.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new InputError(inputs[ids.lastIndexOf(dup)]!, '', `one export per account (${dup} is given twice)`, dup);
  const config = opts.mode ? { ...collected[0]!.config, baseline: { ...collected[0]!.config.baseline, mode: opts.mode } } : collected[0]!.config;
  const suppressions = loadSuppressions(opts.suppressionsFile ?? config.suppressionsFile);
  onProgress('analyze', `${collected.reduce((n, c) => n + c.snapshot.principals.length, 0)} principals in ${collected.length} accounts`);
  const analyses = analyzeSnapshots(collected.map((c) => c.snapshot), config, {
    suppressions, scanId: scanId(ids[0]!, started), startedAt: started.toISOString(), now: opts.now ?? new Date(), fixes: opts.fixes ?? false, storedGraph: true,
  }).map(({ report, fixPlans }) => ({ report, fixPlans })); // the shared graph is not held while writing
  collectGarbage();
  const results = [];
  const store = opts.history !== undefined
    ? await openHistoryStore(opts.history, { ...(opts.profile ? { profile: opts.profile } : {}), ...(opts.region ? { region: opts.region } : {}), ...(opts.endpointUrl ? { endpointUrl: opts.endpointUrl } : {}) })
    : undefined;
  try {
    for (const a of analyses) results.push(await writeAnalysis(a, opts, onProgress, store));
  } finally {
    store?.close();
  }
  const crossDir = await writeCrossAccountView(results.map((r) => r.report), opts.reportsRoot ?? 'reports', started);
  return { results, crossDir };
}

/** Paths that cross accounts, from each report's graph: one file for the whole run. */
async function writeCrossAccountView(reports: readonly Report[], reportsRoot: string, at: Date): Promise<string> {
  const { mkdir, writeFile, rename } = await import('node:fs/promises');
  const accounts = reports.map((r) => r.scan.account.id);
  const accountOf = (arn: string) => /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1];
  const paths = reports.flatMap((r) => (r.graph?.reach ?? []).filter((x) => x.path && x.path.hops.some((h) => accountOf(h.to) !== undefined && accountOf(h.to) !== r.scan.account.id)).map((x) => ({ account: r.scan.account.id, principalArn: x.principalArn, gains: x.gains, path: x.path })));
  const edges = reports.flatMap((r) => (r.graph?.hops ?? []).filter((h) => { const a = accountOf(h.from), b = accountOf(h.to); return a !== undefined && b !== undefined && a !== b; }));
  const dir = join(reportsRoot, 'cross-account', at.toISOString().replace(/:/g, '-'));
  const tmp = `${dir}.tmp-${process.pid}`;
  await mkdir(tmp, { recursive: true });
  await writeFile(join(tmp, 'paths.json'), jsonTextSafe(JSON.stringify({ schemaVersion: REPORT_SCHEMA_VERSION, accounts, crossAccountEdges: edges, paths }, null, 2)) + '\n');
  const lines = [`# Cross-account paths (${accounts.join(', ')})`, '', `${edges.length} hop(s) cross an account boundary; ${paths.length} principal(s) gain through one.`, ''];
  for (const p of paths) lines.push(`- ${p.account} ${p.principalArn} gains ${p.gains ?? 'nothing that ranks'}: ${[p.path!.from, ...p.path!.hops.map((h) => h.to)].map(safeText).join(' → ')}`);
  await writeFile(join(tmp, 'summary.md'), lines.join('\n') + '\n');
  await rename(tmp, dir);
  return dir;
}

async function writeAnalysis(analysis: Pick<Analysis, 'report' | 'fixPlans'>, opts: ScanOptions & WriteOptions, onProgress: ProgressFn, store?: HistoryStore): Promise<{ dir: string; report: Report; exitCode: number }> {
  const reportsRoot = opts.reportsRoot ?? 'reports';
  const accountId = analysis.report.scan.account.id;
  let previousError: string | undefined;
  // What this scan is compared with: the previous scan's index (report/scan-index.ts); when ASFF is
  // written, with what its RESOLVED findings need (an index written with ASFF holds it, else the
  // previous report is read and reduced to it).
  const indexOpts = { asff: (opts.formats ?? DEFAULT_FORMATS).includes('asff') };
  const load = (dir: string, account: string) => loadComparableScan(dir, account, indexOpts);
  const latestScan = await resolveScan(reportsRoot, accountId, 'latest').catch(() => undefined);
  // No earlier scan is normal; an earlier scan that cannot be read is worth saying out loud.
  const latest = latestScan && (await load(latestScan.dir, accountId).catch((e: unknown) => { previousError = (e as Error).message; return undefined; }));
  // A scan that read IAM only in part missed findings; compared with it, they would all be "new".
  const localPrevious = latest && latest.scan.coverage.iam !== 'complete' ? (await newestCompleteScan(reportsRoot, accountId, load)) ?? latest : latest;
  // The --history store: on an ephemeral runner the only previous scan there is. A store that
  // cannot be read is not written either (this scan must not become "latest" over a history it
  // never saw), and the scan exits 2 with its bundle written.
  let historyError: string | undefined;
  if (store) onProgress('history', store.location);
  const stored = store ? await store.readPreviousComparable(accountId, indexOpts).catch((e: unknown) => { historyError = (e as Error).message; return undefined; }) : undefined;
  const previous = newerScan(localPrevious, stored);
  const notes: Report['errors'][number][] = [];
  if (previousError) notes.push({ source: 'config', code: 'not-found', message: `the previous scan could not be read, so there is no delta (--fail-on-new counts every finding as new): ${previousError}` });
  if (historyError) notes.push({ source: 'config', code: 'invalid-input', location: store!.location, message: `the --history store could not be read, so it was not updated either: ${historyError}` });
  const withNote: Report = notes.length > 0 ? { ...analysis.report, errors: [...analysis.report.errors, ...notes] } : analysis.report;
  const report: Report = withFirstSeen(previous ? { ...withNote, delta: computeDelta(previous, withNote) } : withNote, previous);
  onProgress('write', reportsRoot);
  // Temp folders of killed scans go at the next scan (only leash's: marker and dead pid).
  await cleanStaleTemps(opts.output ? dirname(resolve(opts.output)) : accountDir(reportsRoot, accountId)).catch(() => []);
  const { dir } = await writeReportBundle(report, {
    reportsRoot,
    ...(opts.output ? { outputDir: opts.output } : {}),
    formats: opts.formats ?? DEFAULT_FORMATS,
    ...(opts.reportCompression ? { reportCompression: opts.reportCompression } : {}),
    ...(previous ? { previous } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(analysis.fixPlans.length > 0 ? { fixesWriter: async (d: string) => { await writeFixPlans(join(d, 'fixes'), analysis.fixPlans, undefined, { inTempBundle: true }); } } : {}),
  }).catch((e: unknown) => {
    // EACCES, ENOTDIR, EROFS…: name the directory the user chose rather than an internal temp path.
    const code = (e as NodeJS.ErrnoException).code;
    if (e instanceof InputError || code === undefined) throw e;
    throw new InputError(opts.output ?? reportsRoot, '', `a writable directory for the report (${opts.output ? '--output' : '--reports'})`, (e as Error).message);
  });
  if (!opts.output) await appendLocalTrend(reportsRoot, report);
  if (store && !historyError) {
    onProgress('history', `storing in ${store.location}`);
    // A report.json.gz in the bundle is this report's text gzipped: stored as it is.
    const bundled = reportFileIn(dir);
    const gzipped = bundled?.endsWith('.gz') ? await readFile(bundled) : undefined;
    const index = bundled ? await readFile(join(dir, SCAN_INDEX_FILE)).catch(() => undefined) : undefined;
    await store.write(report, gzipped, index).catch((e: unknown) => {
      throw new InputError(store.location, '', `a --history store leash can write (the report itself was written to ${dir})`, (e as Error).message);
    });
  }
  if (opts.keep !== undefined && !opts.output) await pruneScans(reportsRoot, accountId, opts.keep);
  return { dir, report, exitCode: exitCodeFor(report, opts.failOn, opts.failOnNew ? report.delta?.newFindings ?? report.findings.map((f) => f.id) : undefined) };
}

/** Of the local history's previous scan and the --history store's, the one that started later. */
function newerScan(a: ComparableScan | undefined, b: ComparableScan | undefined): ComparableScan | undefined {
  if (!a || !b) return a ?? b;
  return Date.parse(b.scan.startedAt) > Date.parse(a.scan.startedAt) ? b : a;
}

/**
 * Each finding's first sighting: carried over from the previous scan when it reported the same
 * finding id, else this scan's start. Dashboards and Security Hub age findings by it.
 */
export function withFirstSeen(report: Report, previous: ComparableScan | undefined): Report {
  // A renamed user's findings have new ids (made from the ARN): matched through its unique id.
  const then = previous && carriedOver(previous, identityChanges(previous, report));
  const before = new Map((then?.findings ?? []).map((f) => [f.id, f.firstSeen ?? then!.scan.startedAt]));
  // Object.assign, not `{ ...f, firstSeen }`: V8 (Node 20) gives each such spread copy a hidden
  // class of its own, 35,000 of them (~15 MB of maps and descriptors) at 10,000 principals.
  return { ...report, findings: report.findings.map((f) => Object.assign({}, f, { firstSeen: before.get(f.id) ?? report.scan.startedAt })) };
}

/** The newest earlier scan of the account whose IAM read was complete (looking back a few scans). */
async function newestCompleteScan(reportsRoot: string, accountId: string, load: (dir: string, accountId: string) => Promise<ComparableScan>): Promise<ComparableScan | undefined> {
  const scans = (await listScans(reportsRoot, accountId).catch(() => [])).filter((s) => s.hasReport).reverse().slice(0, 10);
  for (const s of scans) {
    const r = await load(s.dir, accountId).catch(() => undefined);
    if (r && r.scan.coverage.iam === 'complete') return r;
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
  // Each account asks which organization it is in, with its own role, as a live scan of one does
  // (session 40): its principals' aws:PrincipalOrgID is then known (config still wins).
  const results = await collectAccounts(targets, { ...awsCollectOptions(opts, onProgress), organization: true }, { concurrency });
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
