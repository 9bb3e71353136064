// `leash schedule --cron "EXPR" [--max-runs N] [--keep N] [-- scan options]`: a long-running scan
// loop for containers and hosts without cron. Scan options after `--` are read by the `scan`
// command's own option definitions, so the two commands can never disagree about them.
// stdout carries one JSON line per tick (for log collectors); human notes go to stderr.
import { basename, dirname } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../model/errors.js';
import type { Report } from '../../model/report.js';
import { isScanDirName, pruneScans } from '../../report/history.js';
import { nextRunOf, runSchedule, type RunResult } from '../../schedule/run-schedule.js';
import { EXIT_ERROR, EXIT_OK, exitCodesHelp } from '../exit-codes.js';
import { jsonTextSafe, safeLines } from '../../safe/text.js';

/** The pipeline entry point in src/pipeline/scan.ts; receives the `scan` command's parsed options. */
export type ScanAndWrite = (opts: Record<string, unknown> & { signal?: AbortSignal }) => Promise<{ dir: string; report: Report; exitCode: number }>;

// Loaded lazily: `leash schedule --help` need not load the catalog and the pipeline.
async function loadScanAndWrite(): Promise<ScanAndWrite> {
  const [{ scanAndWrite }, { toScanOptions }] = await Promise.all([import('../../pipeline/scan.js'), import('./scan.js')]);
  return (opts) => scanAndWrite({ ...toScanOptions(opts as never), ...(opts.signal ? { signal: opts.signal } : {}) });
}

interface ScheduleCliOptions {
  readonly cron: string;
  readonly maxRuns?: string;
  readonly keep?: string;
  readonly timezone?: string;
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
  program
    .command('schedule')
    .description('Run scans on a cron schedule (never overlapping), one JSON line per run on stdout')
    .requiredOption('--cron <expr>', 'cron expression: 5 fields, or 6 with seconds first ("0 3 * * *")')
    .option('--max-runs <n>', 'stop after N runs (default: run until SIGTERM/SIGINT)')
    .option('--keep <n>', 'after each successful run keep only the newest N scans of the account')
    .option('--timezone <tz>', 'IANA time zone for the cron expression (default: local time)')
    .argument('[scanArgs...]', 'options for each scan, after --, as for `leash scan`')
    .addHelpText('after', exitCodesHelp({ 0: 'stopped by --max-runs or a signal (each run\'s own exit code is in its JSON line)', 2: 'a bad option or cron expression, or a second signal while a run was under way' }))
    .action(async (scanArgs: string[], opts: ScheduleCliOptions) => {
      let maxRuns: number | undefined;
      let keep: number | undefined;
      let scanOptions: Record<string, unknown>;
      try {
        maxRuns = positiveInt(opts.maxRuns, '--max-runs');
        keep = positiveInt(opts.keep, '--keep');
        scanOptions = scanOptionsFrom(program, scanArgs);
        const next = nextRunOf(opts.cron, opts.timezone);
        process.stderr.write(`leash schedule: "${opts.cron}", next run ${next.toISOString()}\n`);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        process.stderr.write(`leash schedule: ${safeLines(e.message)}\n`);
        process.exitCode = EXIT_ERROR;
        return;
      }

      const stop = new AbortController();
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals): void => {
        signals += 1;
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
        return { reportDir: dir, findings: openFindings(report), exitCode };
      };

      try {
        await runSchedule({
          cron: opts.cron,
          runOnce,
          log: (line) => process.stdout.write(`${jsonTextSafe(JSON.stringify(line))}\n`),
          signal: stop.signal,
          ...(maxRuns !== undefined ? { maxRuns } : {}),
          ...(opts.timezone !== undefined ? { timezone: opts.timezone } : {}),
        });
        process.exitCode = EXIT_OK;
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });
}
