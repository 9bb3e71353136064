// The loop behind `leash schedule`: run a scan on a cron schedule, forever or for maxRuns.
// - Never two scans at once: a tick that finds the previous run still going is logged as skipped
//   (a slow account must not pile up concurrent scans against IAM's API rate limits).
// - A failing run is logged and the next tick runs as usual; one bad night must not end monitoring.
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
}

export interface ScheduleSummary {
  readonly ticks: number;
  readonly ok: number;
  readonly failed: number;
  readonly skipped: number;
  readonly stoppedBy: 'signal' | 'max-runs';
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

export function runSchedule(opts: ScheduleOptions): Promise<ScheduleSummary> {
  nextRunOf(opts.cron, opts.timezone);
  if (opts.maxRuns !== undefined && (!Number.isInteger(opts.maxRuns) || opts.maxRuns < 1)) {
    throw new InputError('--max-runs', '', 'a whole number of runs, at least 1', String(opts.maxRuns));
  }

  return new Promise<ScheduleSummary>((resolvePromise) => {
    const runAbort = new AbortController();
    let ticks = 0;
    let ok = 0;
    let failed = 0;
    let skipped = 0;
    let current: Promise<void> | undefined;
    let stopping: ScheduleSummary['stoppedBy'] | undefined;

    const finish = (by: ScheduleSummary['stoppedBy']): void => {
      if (stopping) return;
      stopping = by;
      job.stop();
      opts.signal?.removeEventListener('abort', onAbort);
      const done = (): void => resolvePromise({ ticks, ok, failed, skipped, stoppedBy: by });
      if (current) void current.then(done);
      else done();
    };

    const onAbort = (): void => {
      runAbort.abort(opts.signal?.reason);
      finish('signal');
    };

    const tick = (): void => {
      if (stopping) return;
      ticks += 1;
      const run = ticks;
      const startedAt = new Date().toISOString();
      if (current) {
        skipped += 1;
        opts.log({ run, startedAt, finishedAt: startedAt, status: 'skipped', error: 'previous run still in progress' });
        return;
      }
      current = (async () => {
        try {
          const result = await opts.runOnce({ run, signal: runAbort.signal });
          ok += 1;
          opts.log({ run, startedAt, finishedAt: new Date().toISOString(), status: 'ok', ...definedOnly(result) });
        } catch (e) {
          failed += 1;
          opts.log({ run, startedAt, finishedAt: new Date().toISOString(), status: 'failed', error: errorMessage(e) });
        } finally {
          current = undefined;
        }
        if (opts.maxRuns !== undefined && ok + failed >= opts.maxRuns) finish('max-runs');
      })();
    };

    const job = new Cron(opts.cron, { ...(opts.timezone !== undefined ? { timezone: opts.timezone } : {}) }, tick);
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function definedOnly(r: RunResult): Partial<RunResult> {
  const out: { reportDir?: string; findings?: number; exitCode?: number } = {};
  if (r.reportDir !== undefined) out.reportDir = r.reportDir;
  if (r.findings !== undefined) out.findings = r.findings;
  if (r.exitCode !== undefined) out.exitCode = r.exitCode;
  return out;
}
