// `leash schedule --cron "EXPR" [--max-runs N] [--keep N] [-- scan options]`: a long-running scan
// loop for containers and hosts without cron. Scan options after `--` are read by the `scan`
// command's own option definitions, so the two commands can never disagree about them.
// stdout carries one JSON line per tick (for log collectors); human notes go to stderr.
import { basename, dirname } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../model/errors.js';
import type { Report } from '../../model/report.js';
import { isScanDirName, pruneScans } from '../../report/history.js';
import { cronIntervalMs, nextRunOf, runSchedule, type RunResult } from '../../schedule/run-schedule.js';
import { clearFailureMarker, markerPath, writeFailureMarker } from '../../schedule/failure-marker.js';
import { EXIT_ERROR, EXIT_OK, exitCodesHelp } from '../exit-codes.js';
import { describeError, hintFor } from '../hints.js';
import { addNotifyOptions, deliver, notifyAfterScan, notifyTargetOf, type NotifyCliOptions } from '../notify-options.js';
import { isQuiet } from '../output.js';
import { jsonTextSafe, safeLines } from '../../safe/text.js';

/** The pipeline entry point in src/pipeline/scan.ts; receives the `scan` command's parsed options. */
export type ScanAndWrite = (opts: Record<string, unknown> & { signal?: AbortSignal }) => Promise<{ dir: string; report: Report; exitCode: number }>;

// Loaded lazily: `leash schedule --help` need not load the catalog and the pipeline.
async function loadScanAndWrite(): Promise<ScanAndWrite> {
  const [{ scanAndWrite }, { toScanOptions }] = await Promise.all([import('../../pipeline/scan.js'), import('./scan.js')]);
  return (opts) => scanAndWrite({ ...toScanOptions(opts as never), ...(opts.signal ? { signal: opts.signal } : {}) });
}

interface ScheduleCliOptions extends NotifyCliOptions {
  readonly cron: string;
  readonly maxRuns?: string;
  readonly keep?: string;
  readonly timezone?: string;
  readonly maxFailures: string;
  readonly staleAfter?: string;
}

/** Conventional exit status of a process stopped by SIGINT (128 + 2), as shells report Ctrl-C. */
export const EXIT_SIGINT = 130;
export const DEFAULT_MAX_FAILURES = 3;

/** `90s`, `30m`, `6h`, `2d`, or plain seconds. */
export function parseDuration(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)?$/.exec(value.trim());
  const n = m ? Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'] * 1000 : Number.NaN;
  if (!Number.isFinite(n) || n < 1000) throw new InputError(flag, '', 'a duration such as 90s, 30m, 6h or 2d (at least 1s)', JSON.stringify(value));
  return n;
}

/**
 * Failures no retry can fix: bad input (a missing --input file, a broken config) and a profile
 * that does not exist. Expired credentials are not here: someone may refresh them before the next
 * run; --max-failures bounds those.
 */
export function isFatalRunError(e: unknown): boolean {
  if (e instanceof InputError) return true;
  return /^AWS profile ".*" is not defined/.test(hintFor(e) ?? '');
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InputError(flag, '', 'a whole number, at least 1', JSON.stringify(value));
  return n;
}

export function openFindings(report: Report): number {
  return report.findings.filter((f) => !f.suppressed).length;
}

/** Scan options after `--`, parsed by the registered `scan` command (defaults included). */
function scanOptionsFrom(program: Command, args: readonly string[]): Record<string, unknown> {
  const scan = program.commands.find((c) => c.name() === 'scan');
  if (!scan) {
    if (args.length > 0) throw new InputError('leash schedule', '', 'no scan options (the scan command is not available)', args.join(' '));
    return {};
  }
  const parsed = scan.parseOptions([...args]);
  if (parsed.unknown.length > 0) throw new InputError('leash schedule', '', 'options of `leash scan` after --', parsed.unknown.join(' '));
  return { ...scan.opts() };
}

export interface ScheduleDeps {
  /** Where the scan comes from; tests inject one, the CLI loads the pipeline. */
  readonly loadScan?: () => Promise<ScanAndWrite>;
}

export function register(program: Command, deps: ScheduleDeps = {}): void {
  const loadScan = deps.loadScan ?? loadScanAndWrite;
  const cmd = program
    .command('schedule')
    .description('Run scans on a cron schedule (never overlapping), one JSON line per run on stdout')
    .requiredOption('--cron <expr>', 'cron expression: 5 fields, or 6 with seconds first ("0 3 * * *")')
    .option('--max-runs <n>', 'stop after N runs (default: run until SIGTERM/SIGINT)')
    .option('--keep <n>', 'after each successful run keep only the newest N scans of the account')
    .option('--timezone <tz>', 'IANA time zone for the cron expression (default: local time)')
    .option('--max-failures <n>', 'stop (exit 2) after N failed runs in a row; a missing profile or bad input stops at once', String(DEFAULT_MAX_FAILURES))
    .option('--stale-after <duration>', 'with --notify: alert when no run has succeeded for this long (90s, 30m, 6h, 2d; default: twice the cron interval)')
    .argument('[scanArgs...]', 'options for each scan, after --, as for `leash scan`');
  addNotifyOptions(cmd, 'on new findings after a run, on every failed run, and when runs go stale');
  cmd
    .addHelpText('after', exitCodesHelp({
      0: 'stopped by --max-runs or SIGTERM (each run\'s own exit code is in its JSON line)',
      2: `a bad option or cron expression; --max-failures runs failed in a row, or a failure retrying cannot fix (${'<reports>'}/schedule-failed.json says which); or a second signal while a run was under way`,
    }) + `\n  ${EXIT_SIGINT}  stopped by SIGINT (Ctrl-C)`)
    .action(async (scanArgs: string[], opts: ScheduleCliOptions) => {
      let maxRuns: number | undefined;
      let keep: number | undefined;
      let maxFailures: number;
      let staleAfterMs: number;
      let scanOptions: Record<string, unknown>;
      let notifyOpts: NotifyCliOptions;
      try {
        maxRuns = positiveInt(opts.maxRuns, '--max-runs');
        keep = positiveInt(opts.keep, '--keep');
        maxFailures = positiveInt(opts.maxFailures, '--max-failures') ?? DEFAULT_MAX_FAILURES;
        scanOptions = scanOptionsFrom(program, scanArgs);
        // --notify on schedule, or (as a convenience) among the scan options after --.
        notifyOpts = opts.notify !== undefined ? opts : { ...(scanOptions as NotifyCliOptions) };
        notifyTargetOf(notifyOpts);
        const next = nextRunOf(opts.cron, opts.timezone);
        staleAfterMs = opts.staleAfter !== undefined ? parseDuration(opts.staleAfter, '--stale-after') : 2 * cronIntervalMs(opts.cron, opts.timezone);
        if (!isQuiet()) process.stderr.write(`leash schedule: "${opts.cron}", next run ${next.toISOString()}\n`);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        process.stderr.write(`leash schedule: ${safeLines(e.message)}\n`);
        process.exitCode = EXIT_ERROR;
        return;
      }

      const stop = new AbortController();
      let signals = 0;
      let stoppedBy: NodeJS.Signals | undefined;
      const onSignal = (sig: NodeJS.Signals): void => {
        signals += 1;
        stoppedBy ??= sig;
        if (signals === 1) {
          process.stderr.write(`leash schedule: ${sig}: no new runs; finishing or abandoning the current one\n`);
          stop.abort(new Error(`stopped by ${sig}`));
        } else {
          // A second signal means "now". Any bundle being written stays in a .leash-tmp dir, which
          // history ignores and `pruneScans` removes.
          process.exit(EXIT_ERROR);
        }
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);

      const runOnce = async ({ signal }: { signal: AbortSignal }): Promise<RunResult> => {
        const scanAndWrite = await loadScan();
        const { dir, report, exitCode } = await scanAndWrite({ ...scanOptions, signal });
        // Retention applies to the history layout only, not to a fixed --output directory.
        const inHistory = isScanDirName(basename(dir)) && basename(dirname(dir)) === report.scan.account.id;
        if (keep !== undefined && inHistory) await pruneScans(dirname(dirname(dir)), report.scan.account.id, keep);
        // Alert on what is new; a failed alert is reported by deliver() and never fails the run.
        await notifyAfterScan(notifyOpts, dir, report);
        return { reportDir: dir, findings: openFindings(report), exitCode };
      };

      const reportsRoot = String(scanOptions.reports ?? 'reports');
      const target = notifyTargetOf(notifyOpts);
      const note = (line: string): void => void process.stderr.write(`leash schedule: ${line}\n`);

      try {
        const summary = await runSchedule({
          cron: opts.cron,
          runOnce,
          log: (line) => process.stdout.write(`${jsonTextSafe(JSON.stringify(line))}\n`),
          signal: stop.signal,
          maxFailures,
          isFatal: isFatalRunError,
          describeError,
          staleAfterMs,
          onOk: () => {
            if (clearFailureMarker(reportsRoot) && !isQuiet()) note('a run succeeded again; failure marker removed');
          },
          onFailure: async (f) => {
            const error = f.error;
            const marker = writeFailureMarker(reportsRoot, {
              failedAt: new Date().toISOString(),
              consecutiveFailures: f.consecutiveFailures,
              maxFailures,
              stopped: f.stopping,
              fatal: f.fatal,
              lastError: error,
              ...(f.lastOkAt !== undefined ? { lastOkAt: f.lastOkAt } : {}),
              cron: opts.cron,
            });
            note(`run ${f.run} failed (${f.consecutiveFailures} in a row${f.fatal ? '; retrying cannot fix this' : `, stopping at ${maxFailures}`}): ${error}`);
            if (target) await deliver(target, { kind: 'run-failed', consecutiveFailures: f.consecutiveFailures, limit: maxFailures, stopped: f.stopping, error, ...(f.lastOkAt !== undefined ? { lastOkAt: f.lastOkAt } : {}), reportsRoot, markerPath: marker });
          },
          onStale: async (st) => {
            note(`no successful run for ${Math.round(staleAfterMs / 1000)} s (${st.reason})`);
            if (target) await deliver(target, { kind: 'run-stale', ...(st.lastOkAt !== undefined ? { lastOkAt: st.lastOkAt } : {}), since: st.since, staleAfterSeconds: Math.round(staleAfterMs / 1000), reason: st.reason, reportsRoot });
          },
          ...(maxRuns !== undefined ? { maxRuns } : {}),
          ...(opts.timezone !== undefined ? { timezone: opts.timezone } : {}),
        });
        if (summary.stoppedBy === 'failures' || summary.stoppedBy === 'fatal') {
          const why = summary.stoppedBy === 'fatal' ? 'a failure that retrying cannot fix' : `${summary.consecutiveFailures ?? maxFailures} failed runs in a row`;
          note(`stopped after ${why}: ${summary.lastError ?? ''}. Fix it and start the schedule again (see ${markerPath(reportsRoot)}).`);
          process.exitCode = EXIT_ERROR;
        } else {
          process.exitCode = stoppedBy === 'SIGINT' ? EXIT_SIGINT : EXIT_OK;
        }
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });
}
