// Analysis across worker threads (`--analysis-workers N`, issue 14). The per-principal work after
// the graph that costs the most, fix planning, is split round-robin by principal index: shard 0
// on the main thread, shard k on worker k. Each worker rebuilds the same state from the same
// snapshot (the analysis is pure, so it is the same state), plans its principals, and answers with
// their plans; the main thread puts them back in principal order, so the report is byte for byte
// the one thread's. A worker that fails, dies or answers out of protocol costs time, not results:
// its shard is planned in-process and the report's errors say so.
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../threads/spawn.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Report } from '../model/report.js';
import type { LeashConfig } from '../config/config.js';
import type { SuppressionEntry } from '../config/suppressions.js';
import { linkFindings, type PrincipalFixPlan } from '../fix/plan.js';
import type { FixTarget } from '../fix/render/index.js';
import { fixRenderings, renderSourceOf } from '../fix/render/lazy.js';
import { catalog } from '../iam/catalog.js';
import { ActionExpander } from '../iam/pattern.js';
import { analyzePrincipals } from '../checks/analyze.js';
import { analyzeGraph } from '../graph/index.js';
import { analyzeSnapshot, beforeFixes, configuredOrganization, finishAnalysis, planPrincipal, stageTimer, type Analysis, type AnalyzeOptions, type BeforeFixes } from './scan.js';

const JOB = 'leash-analysis-job';
const REPLY = 'leash-analysis-reply';

/** What the main thread sends each worker: its inputs, and which shard is its. */
export interface AnalysisJob {
  readonly kind: typeof JOB;
  readonly snapshot: Snapshot;
  readonly config: LeashConfig;
  readonly opts: { readonly now: string; readonly suppressions?: readonly SuppressionEntry[] };
  readonly shard: number;
  readonly of: number;
}

/** A plan on the wire: lazy renderings travel as their target (a structured clone would render them). */
export type WirePlan = Omit<PrincipalFixPlan, 'fixes'> & { readonly fixes: readonly (Omit<PrincipalFixPlan['fixes'][number], 'renderings'> & { readonly renderings: unknown })[] };

export type AnalysisReply =
  | { readonly kind: typeof REPLY; readonly ok: true; readonly shard: number; readonly plans: readonly { readonly index: number; readonly plan: WirePlan }[] }
  | { readonly kind: typeof REPLY; readonly ok: false; readonly shard: number; readonly message: string };

/** Principal i is in shard i mod `of`; shard 0 is the main thread's. */
export const inShard = (i: number, shard: number, of: number): boolean => i % of === shard;

/** Everything up to the fixes, as analyzeSnapshot does it (workers and the main thread alike). */
export function prepare(snapshot: Snapshot, config: LeashConfig, opts: AnalyzeOptions, stage: (name: string) => void = () => {}): BeforeFixes {
  const expander = new ActionExpander(catalog());
  const analyzed = analyzePrincipals(snapshot, config, expander, opts.now);
  stage('effective');
  const organization = configuredOrganization(config, [snapshot]);
  const graph = analyzeGraph([{ snapshot, analyzed }], { expander, now: opts.now, ...(organization ? { organization } : {}) });
  stage('graph');
  return beforeFixes(snapshot, analyzed, graph, expander, config, opts, stage);
}

const LAZY = '$leashRenderTarget';

export function toWire(plan: PrincipalFixPlan): WirePlan {
  return { ...plan, fixes: plan.fixes.map((f) => { const t = renderSourceOf(f.renderings); return t ? { ...f, renderings: { [LAZY]: t } } : f; }) };
}

function fromWire(plan: WirePlan): PrincipalFixPlan {
  return {
    ...plan,
    fixes: plan.fixes.map((f) => {
      const r = f.renderings as Record<string, unknown>;
      return { ...f, renderings: r && typeof r === 'object' && LAZY in r ? fixRenderings(f, r[LAZY] as FixTarget) : (f.renderings as PrincipalFixPlan['fixes'][number]['renderings']) };
    }),
  };
}

/** The worker side: one job in, one reply out. */
export function runJob(job: AnalysisJob): AnalysisReply {
  try {
    const pre = prepare(job.snapshot, job.config, { scanId: '', startedAt: job.opts.now, now: new Date(job.opts.now), fixes: true, ...(job.opts.suppressions ? { suppressions: job.opts.suppressions } : {}) });
    const plans: { index: number; plan: WirePlan }[] = [];
    for (let i = 0; i < pre.analyzed.length; i++) {
      if (!inShard(i, job.shard, job.of)) continue;
      const plan = planPrincipal(pre, i);
      if (plan) plans.push({ index: i, plan: toWire(plan) });
    }
    return { kind: REPLY, ok: true, shard: job.shard, plans };
  } catch (e) {
    return { kind: REPLY, ok: false, shard: job.shard, message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}

/**
 * The edge: a reply is trusted only in shape it was asked for. Every plan is for a principal of
 * the worker's shard, in increasing order, and names that principal. Otherwise: why not.
 */
export function checkReply(reply: unknown, shard: number, of: number, pre: BeforeFixes): { plans: Map<number, PrincipalFixPlan> } | { problem: string } {
  if (!reply || typeof reply !== 'object') return { problem: 'a reply that is not an object' };
  const r = reply as Record<string, unknown>;
  if (r.kind !== REPLY || r.shard !== shard) return { problem: `a reply that is not shard ${shard}'s` };
  if (r.ok === false) return { problem: typeof r.message === 'string' ? r.message.split('\n')[0]!.slice(0, 500) : 'failed' };
  if (r.ok !== true || !Array.isArray(r.plans)) return { problem: 'a reply without plans' };
  const plans = new Map<number, PrincipalFixPlan>();
  let last = -1;
  for (const x of r.plans as unknown[]) {
    const e = x as { index?: unknown; plan?: { principalArn?: unknown; fixes?: unknown } } | null;
    const i = e?.index;
    if (typeof i !== 'number' || !Number.isInteger(i) || i <= last || i >= pre.analyzed.length || !inShard(i, shard, of)) return { problem: `a plan for principal index ${String(i)}, not one of shard ${shard}'s in order` };
    if (!e!.plan || typeof e!.plan !== 'object' || e!.plan.principalArn !== pre.analyzed[i]!.principal.arn || !Array.isArray(e!.plan.fixes)) return { problem: `a plan for principal ${i} that does not name it or has no fixes list` };
    plans.set(i, fromWire(e!.plan as WirePlan));
    last = i;
  }
  return { plans };
}

/**
 * linkFixes also records each fix on the findings it resolves (finding.fixIds), and a worker did
 * that on its own copy of the findings: the same links are made here, in linkFixes' order.
 */
function relink(pre: BeforeFixes, plan: PrincipalFixPlan): void {
  linkFindings(plan.fixes, pre.byPrincipal.get(plan.principalArn) ?? []);
}

/** The worker entry sits beside this module (threads/spawn.ts: built or from source). */
export function spawnAnalysisWorker(moduleUrl: string = import.meta.url): Worker {
  return spawnWorker('analysis-worker', moduleUrl);
}

/** The worker's one reply, or why there is none (it could not start, threw, exited, or answered badly). Never hangs on a dead worker. */
function awaitReply(worker: Worker): Promise<{ reply: unknown } | { problem: string }> {
  // A second 'error' after the first would otherwise be unhandled and end the whole scan.
  worker.on('error', () => {});
  return new Promise((resolve) => {
    worker.once('message', (reply: unknown) => resolve({ reply }));
    worker.once('messageerror', (e: Error) => resolve({ problem: `a reply that could not be read: ${e.message}` }));
    worker.once('error', (e: Error) => resolve({ problem: e.message.split('\n')[0]!.slice(0, 500) }));
    worker.once('exit', (code: number) => resolve({ problem: `exited (code ${code}) without a reply` }));
  });
}

export interface WorkerAnalyzeOptions extends AnalyzeOptions {
  /** Tests: how a worker is started (one that crashes, or answers out of protocol). */
  readonly spawnWorker?: () => Worker;
}

/**
 * analyzeSnapshot, with fix planning spread over `workers` threads. The same report as
 * analyzeSnapshot for any worker count; 0 workers (or no fixes) is analyzeSnapshot itself.
 */
export async function analyzeSnapshotWithWorkers(snapshot: Snapshot, config: LeashConfig, opts: WorkerAnalyzeOptions, workers: number): Promise<Analysis> {
  if (workers <= 0 || !opts.fixes) return analyzeSnapshot(snapshot, config, opts);
  const stage = stageTimer(opts.onStage);
  const of = workers + 1;
  const started: { shard: number; worker?: Worker; reply: Promise<{ reply: unknown } | { problem: string }> }[] = [];
  try {
    for (let shard = 1; shard < of; shard++) {
      let worker: Worker | undefined;
      try {
        worker = (opts.spawnWorker ?? spawnAnalysisWorker)();
        const job: AnalysisJob = { kind: JOB, snapshot, config, opts: { now: opts.now.toISOString(), ...(opts.suppressions ? { suppressions: opts.suppressions } : {}) }, shard, of };
        const reply = awaitReply(worker);
        worker.postMessage(job);
        started.push({ shard, worker, reply });
      } catch (e) {
        started.push({ shard, ...(worker ? { worker } : {}), reply: Promise.resolve({ problem: `could not start: ${(e as Error).message}` }) });
      }
    }
    stage('dispatch');
    const pre = prepare(snapshot, config, opts, stage);
    const plans = new Map<number, PrincipalFixPlan | undefined>();
    const planShard = (shard: number): void => {
      for (let i = shard; i < pre.analyzed.length; i += of) plans.set(i, planPrincipal(pre, i));
    };
    planShard(0);
    const errors: Report['errors'][number][] = [];
    for (const s of started) {
      const got = await s.reply;
      const checked = 'reply' in got ? checkReply(got.reply, s.shard, of, pre) : got;
      if ('plans' in checked) {
        for (let i = s.shard; i < pre.analyzed.length; i += of) {
          const p = checked.plans.get(i);
          if (p) relink(pre, p);
          plans.set(i, p);
        }
      } else {
        // The shard is planned here instead: the report is complete, and says a worker failed.
        errors.push({ source: 'config', code: 'internal', message: `analysis worker ${s.shard} of ${workers} failed (${checked.problem}); its principals were analysed on the main thread` });
        planShard(s.shard);
      }
    }
    const fixPlans: PrincipalFixPlan[] = [];
    for (let i = 0; i < pre.analyzed.length; i++) {
      const p = plans.get(i);
      if (p) fixPlans.push(p);
    }
    stage('fixes');
    return finishAnalysis(pre, fixPlans, opts, stage, errors);
  } finally {
    for (const s of started) void s.worker?.terminate();
  }
}
