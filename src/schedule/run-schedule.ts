// The loop behind `leash schedule`: run a scan on a cron schedule, forever or for maxRuns.
// - Never two scans at once: a tick that finds the previous run still going is logged as skipped
//   (a slow account must not pile up concurrent scans against IAM's API rate limits).
// - A failing run is logged and the next tick runs as usual; one bad night must not end monitoring.
//   But a schedule that only ever fails is worse than none (everyone believes it runs): after
//   maxFailures failures in a row, or at once for a failure retrying cannot fix (isFatal: a
//   missing profile, bad input), the loop stops and says why (stoppedBy), so the CLI exits non-zero.
// - Staleness: with staleAfterMs, a timer checks that some run succeeded within that time (a hung
//   scan makes every tick "skipped", a failing one "failed"; neither writes a report) and calls
//   onStale once per stale spell.
// - On abort (SIGTERM/SIGINT in the CLI) no new run starts; the current one gets the signal so it can
//   abandon its write (bundles are written atomically, so abandoning leaves nothing half-written),
//   and the loop resolves once it has settled.
import { Cron } from 'croner';
import { InputError } from '../model/errors.js';

export interface RunResult {
  readonly reportDir?: string;
  /** Open (unsuppressed) findings in the report. */
  readonly findings?: number;
  readonly exitCode?: number;
}

export type RunStatus = 'ok' | 'failed' | 'skipped';

/** One JSON line per tick on stdout. Never carries credentials: errors are reduced to their message. */
export interface RunLogLine {
  readonly run: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly status: RunStatus;
  readonly reportDir?: string;
  readonly findings?: number;
  readonly exitCode?: number;
  readonly error?: string;
  /** On a failed run: how many runs in a row have failed, this one included. */
  readonly consecutiveFailures?: number;
}

export interface FailureInfo {
  readonly run: number;
  readonly error: string;
  readonly consecutiveFailures: number;
  readonly fatal: boolean;
  /** The loop stops after this failure (limit reached or fatal). */
  readonly stopping: boolean;
  readonly lastOkAt?: string;
}

export interface StaleInfo {
  readonly lastOkAt?: string;
  /** When the schedule started (the reference when no run has succeeded yet). */
  readonly since: string;
  readonly reason: string;
}

export interface ScheduleOptions {
  /** 5 fields (minute precision) or 6 (leading seconds field), as croner reads them. */
  readonly cron: string;
  readonly runOnce: (ctx: { readonly run: number; readonly signal: AbortSignal }) => Promise<RunResult>;
  readonly log: (line: RunLogLine) => void;
  readonly signal?: AbortSignal;
  /** Stop after this many executed runs (ok or failed; skipped ticks do not count). */
  readonly maxRuns?: number;
  /** IANA time zone for the cron expression; default is the process's local time. */
  readonly timezone?: string;
  /** Stop after this many failed runs in a row (default: never). */
  readonly maxFailures?: number;
  /** One line for a thrown error in the log (default: its message's first line). */
  readonly describeError?: (e: unknown) => string;
  /** A failure that retrying cannot fix stops the loop at once. */
  readonly isFatal?: (e: unknown) => boolean;
  /** After each failed run (awaited before the next tick can start a run). */
  readonly onFailure?: (info: FailureInfo) => Promise<void> | void;
  /** After each successful run. */
  readonly onOk?: (result: RunResult, run: number) => Promise<void> | void;
  /** No successful run for this long: call onStale (once until the next success). */
  readonly staleAfterMs?: number;
  readonly onStale?: (info: StaleInfo) => Promise<void> | void;
}

export interface ScheduleSummary {
  readonly ticks: number;
  readonly ok: number;
  readonly failed: number;
  readonly skipped: number;
  readonly stoppedBy: 'signal' | 'max-runs' | 'failures' | 'fatal';
  /** Set when stopped by failures: the last error. */
  readonly lastError?: string;
  readonly consecutiveFailures?: number;
}

/** Validate a cron expression the way the schedule will read it; returns the next run time. */
export function nextRunOf(cron: string, timezone?: string): Date {
  let job: Cron;
  try {
    job = new Cron(cron, { paused: true, ...(timezone !== undefined ? { timezone } : {}) });
  } catch (e) {
    throw new InputError('--cron', '', 'a cron expression with 5 fields ("0 3 * * *") or 6 with seconds ("*/30 * * * * *")', `${JSON.stringify(cron)}: ${(e as Error).message}`);
  }
  const next = job.nextRun();
  job.stop();
  if (next === null) throw new InputError('--cron', '', 'a cron expression that matches a future time', JSON.stringify(cron));
  return next;
}

/** A thrown value as one line of text; stacks stay out of the log. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? e.name;
  return String(e).split('\n')[0] ?? 'unknown error';
}

/** Milliseconds between the next two runs of a cron expression (its period, for regular schedules). */
export function cronIntervalMs(cron: string, timezone?: string): number {
  const job = new Cron(cron, { paused: true, ...(timezone !== undefined ? { timezone } : {}) });
  const [a, b] = job.nextRuns(2);
  job.stop();
  return a && b ? b.getTime() - a.getTime() : 86_400_000;
}

export function runSchedule(opts: ScheduleOptions): Promise<ScheduleSummary> {
  nextRunOf(opts.cron, opts.timezone);
  if (opts.maxRuns !== undefined && (!Number.isInteger(opts.maxRuns) || opts.maxRuns < 1)) {
    throw new InputError('--max-runs', '', 'a whole number of runs, at least 1', String(opts.maxRuns));
  }
  if (opts.maxFailures !== undefined && (!Number.isInteger(opts.maxFailures) || opts.maxFailures < 1)) {
    throw new InputError('--max-failures', '', 'a whole number of failed runs, at least 1', String(opts.maxFailures));
  }

  return new Promise<ScheduleSummary>((resolvePromise) => {
    const runAbort = new AbortController();
    let ticks = 0;
    let ok = 0;
    let failed = 0;
    let skipped = 0;
    let consecutive = 0;
    let lastError: string | undefined;
    let lastOkAt: string | undefined;
    let lastOkMs = Date.now();
    const since = new Date(lastOkMs).toISOString();
    let staleReported = false;
    let current: Promise<void> | undefined;
    let stopping: ScheduleSummary['stoppedBy'] | undefined;

    const finish = (by: ScheduleSummary['stoppedBy']): void => {
      if (stopping) return;
      stopping = by;
      job.stop();
      if (staleTimer) clearInterval(staleTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      const failedOut = by === 'failures' || by === 'fatal';
      const done = (): void => resolvePromise({ ticks, ok, failed, skipped, stoppedBy: by, ...(failedOut && lastError !== undefined ? { lastError, consecutiveFailures: consecutive } : {}) });
      if (current) void current.then(done);
      else done();
    };

    const checkStale = (): void => {
      if (stopping || staleReported || opts.staleAfterMs === undefined || Date.now() - lastOkMs <= opts.staleAfterMs) return;
      staleReported = true;
      const reason = current ? 'a run has been in progress since before the limit' : consecutive > 0 ? `the last ${consecutive} run(s) failed: ${lastError ?? ''}` : 'no run has completed';
      void Promise.resolve(opts.onStale?.({ ...(lastOkAt !== undefined ? { lastOkAt } : {}), since, reason })).catch(() => undefined);
    };
    // Checked on its own timer, not only at ticks: with a nightly cron a hung scan would otherwise
    // be noticed a day late. unref: the timer never keeps the process alive by itself.
    const staleTimer = opts.staleAfterMs !== undefined ? setInterval(checkStale, Math.max(200, Math.min(60_000, Math.floor(opts.staleAfterMs / 4)))) : undefined;
    staleTimer?.unref();

    const onAbort = (): void => {
      runAbort.abort(opts.signal?.reason);
      finish('signal');
    };

    const tick = (): void => {
      if (stopping) return;
      ticks += 1;
      const run = ticks;
      const startedAt = new Date().toISOString();
      checkStale();
      if (current) {
        skipped += 1;
        opts.log({ run, startedAt, finishedAt: startedAt, status: 'skipped', error: 'previous run still in progress' });
        return;
      }
      current = (async () => {
        let stopFor: ScheduleSummary['stoppedBy'] | undefined;
        try {
          let result: RunResult | undefined;
          let error: unknown;
          let threw = false;
          try {
            result = await opts.runOnce({ run, signal: runAbort.signal });
          } catch (e) {
            threw = true;
            error = e;
          }
          const finishedAt = new Date().toISOString();
          if (!threw) {
            ok += 1;
            consecutive = 0;
            lastOkAt = finishedAt;
            lastOkMs = Date.now();
            staleReported = false;
            opts.log({ run, startedAt, finishedAt, status: 'ok', ...definedOnly(result!) });
            await hook(() => opts.onOk?.(result!, run));
          } else {
            failed += 1;
            consecutive += 1;
            lastError = errorMessage(opts.describeError ? opts.describeError(error) : error);
            // An abort by signal is the user stopping the schedule, not the scan failing.
            const aborted = runAbort.signal.aborted;
            const fatal = !aborted && (opts.isFatal?.(error) ?? false);
            if (!aborted) stopFor = fatal ? 'fatal' : opts.maxFailures !== undefined && consecutive >= opts.maxFailures ? 'failures' : undefined;
            opts.log({ run, startedAt, finishedAt, status: 'failed', error: lastError, consecutiveFailures: consecutive });
            if (!aborted) await hook(() => opts.onFailure?.({ run, error: lastError!, consecutiveFailures: consecutive, fatal, stopping: stopFor !== undefined, ...(lastOkAt !== undefined ? { lastOkAt } : {}) }));
          }
        } finally {
          current = undefined;
        }
        if (stopFor) finish(stopFor);
        else if (opts.maxRuns !== undefined && ok + failed >= opts.maxRuns) finish('max-runs');
      })();
    };

    const job = new Cron(opts.cron, { ...(opts.timezone !== undefined ? { timezone: opts.timezone } : {}) }, tick);
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A callback's failure must not break the loop (an alert that cannot be sent, a full disk). */
async function hook(fn: () => Promise<void> | void): Promise<void> {
  try {
    await fn();
  } catch {
    // The callbacks report their own failures; the schedule goes on.
  }
}

function definedOnly(r: RunResult): Partial<RunResult> {
  const out: { reportDir?: string; findings?: number; exitCode?: number } = {};
  if (r.reportDir !== undefined) out.reportDir = r.reportDir;
  if (r.findings !== undefined) out.findings = r.findings;
  if (r.exitCode !== undefined) out.exitCode = r.exitCode;
  return out;
}
