// The whole pipeline, as the CLI, the scheduler and the TUI run it:
// collect → snapshot → agents → checks → baseline → fix → report.
// collectSnapshot does the I/O; analyzeSnapshot is a pure function of its inputs.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '../model/report.js';
import type { Snapshot } from '../model/snapshot.js';
import type { ScanError, SourceInfo } from '../model/errors.js';
import { InputError } from '../model/errors.js';
import { defaultConfig, loadConfig, type LeashConfig } from '../config/config.js';
import { readAuthorizationDetailsFile } from '../collect/file/authorization-details.js';
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

export interface ScanOptions {
  /** An `aws iam get-account-authorization-details` JSON file. */
  readonly input?: string;
  /** Scan the bundled demo account (and its demo CloudTrail). */
  readonly demo?: boolean;
  readonly config?: string;
  readonly cloudtrail?: readonly string[];
  readonly fixes?: boolean;
  readonly mode?: 'strict' | 'balanced';
  /** Fixed clock for reproducible scans (tests). */
  readonly now?: Date;
}

export type ProgressFn = (stage: string, detail?: string) => void;

const here = dirname(fileURLToPath(import.meta.url));
/** The repo/package root, from src/pipeline or dist/src/pipeline. */
export const packageRoot = [resolve(here, '../..'), resolve(here, '../../..')].find((d) => existsSync(join(d, 'demo', 'authorization-details.json'))) ?? resolve(here, '../..');
export const demoDir = join(packageRoot, 'demo');

export interface Collected {
  readonly snapshot: Snapshot;
  readonly config: LeashConfig;
}

export async function collectSnapshot(opts: ScanOptions, onProgress: ProgressFn = () => {}): Promise<Collected> {
  const config = opts.config || !opts.demo ? loadConfig(opts.config) : loadConfig(existsSync(join(demoDir, 'leash.config.yaml')) ? join(demoDir, 'leash.config.yaml') : undefined);
  const input = opts.demo ? join(demoDir, 'authorization-details.json') : opts.input;
  if (!input) throw new InputError('(command line)', '', 'an input: --input FILE, --demo, or --profile', 'none');
  onProgress('collect', `reading ${input}`);
  const auth = readAuthorizationDetailsFile(input);
  const sources: SourceInfo[] = [{
    kind: 'authorization-details-file', location: input, status: auth.errors.length > 0 ? 'partial' : 'ok',
    counts: auth.counts,
  }];
  const errors: ScanError[] = [...auth.errors];
  const snapshot: Snapshot = {
    account: { id: auth.accountId ?? 'unknown' },
    collectedAt: (opts.now ?? new Date()).toISOString(),
    principals: auth.principals,
    managedPolicies: auth.managedPolicies,
    sources,
    errors,
  };
  return { snapshot, config };
}

export interface AnalyzeOptions {
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
  const { findings, errors } = runChecks(ctx);
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
  return analyzeSnapshot(snapshot, effectiveConfig, {
    scanId: scanId(snapshot.account.id, started),
    startedAt: started.toISOString(),
    now: opts.now ?? new Date(),
    fixes: opts.fixes ?? false,
  });
}

export { defaultConfig };
