// `leash` with no arguments, and `leash tui`: the interactive terminal UI. Everything heavy (ink,
// React, the scan pipeline) is imported lazily so other commands never pay for it.
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../model/errors.js';
import type { Report } from '../../model/report.js';
import type { ProgressListener } from '../../tui/scan-loader.js';
import { EXIT_ERROR, EXIT_OK, exitCodesHelp } from '../exit-codes.js';
import { nearest } from '../suggest.js';
import { safeLines } from '../../safe/text.js';

export interface TuiCommandOptions {
  /** report.json, a scan directory, `latest` or `previous`. */
  readonly report?: string;
  readonly reportsDir?: string;
  /** Same as reportsDir, spelled as the other commands spell it. */
  readonly reports?: string;
  /** Account whose history `latest`/`previous` refer to. */
  readonly account?: string;
  readonly input?: string;
  readonly demo?: boolean;
  readonly profile?: string;
  readonly cloudtrail?: string[];
  readonly config?: string;
  /** Open the newest organization report (leash scan --org) under the reports directory. */
  readonly org?: boolean;
}

export const NOT_A_TTY_HINT = 'leash: not running in a terminal, so there is no interactive view. For cron, CI and containers use `leash scan` (see `leash scan --help`).';

interface Io {
  readonly isTTY: boolean;
  readonly err: (line: string) => void;
}

const realIo = (): Io => ({
  isTTY: process.stdout.isTTY === true && process.stdin.isTTY === true,
  err: (l) => process.stderr.write(`${safeLines(l)}\n`),
});

/** Decide what to open, then run the TUI. Resolves to the exit code. */
export async function startTui(opts: TuiCommandOptions, explicit: boolean, io: Io = realIo()): Promise<number> {
  if (!io.isTTY) {
    // stderr: `leash | head` or `leash > out.txt` in a script must not get a hint as its data.
    io.err(NOT_A_TTY_HINT);
    // `leash` alone from a script asked for nothing, so 0; `leash tui` from one asked for what
    // cannot be given (no terminal to draw on), so 2, like any other unusable request.
    return explicit ? EXIT_ERROR : EXIT_OK;
  }
  // One thing to open: a report, or a scan of one source. `leash tui --input a.json report.json`
  // scanned a.json and dropped the report without a word.
  const given = [
    opts.report !== undefined ? `the report ${JSON.stringify(opts.report)}` : undefined,
    opts.input !== undefined ? '--input' : undefined,
    opts.demo === true ? '--demo' : undefined,
    opts.profile !== undefined ? '--profile' : undefined,
    opts.org === true && opts.report === undefined && (opts.input !== undefined || opts.demo === true || opts.profile !== undefined) ? '--org' : undefined,
  ].filter((x): x is string => x !== undefined);
  if (given.length > 1) {
    io.err(`leash: tui: expected one thing to open — a report, or a scan of --input FILE, --demo or --profile NAME — got ${given.join(' and ')}`);
    return EXIT_ERROR;
  }
  const reportsDir = opts.reports ?? opts.reportsDir ?? 'reports';
  const { loadRunScan } = await import('../../tui/scan-loader.js');
  const { findLatestReport } = await import('../../tui/report-files.js');
  const { runTui } = await import('../../tui/run.js');

  const wantsScan = opts.input !== undefined || opts.demo === true || opts.profile !== undefined;
  try {
    if (wantsScan) {
      const runScan = await loadRunScan();
      if (!runScan) {
        io.err('leash: this build has no scan pipeline yet; open an existing report with `leash tui --report FILE`.');
        return EXIT_ERROR;
      }
      const scanOpts = {
        fixes: true,
        ...(opts.input !== undefined ? { input: opts.input } : {}),
        ...(opts.demo ? { demo: true } : {}),
        ...(opts.profile !== undefined ? { profile: opts.profile } : {}),
        ...(opts.cloudtrail !== undefined ? { cloudtrail: opts.cloudtrail } : {}),
        ...(opts.config !== undefined ? { config: opts.config } : {}),
      };
      const label = opts.demo ? 'Scanning the demo account' : opts.input !== undefined ? `Scanning ${opts.input}` : `Scanning profile ${opts.profile}`;
      // Input the user named on the command line that cannot be scanned (a missing file, bad JSON,
      // a directory) ends with `leash: …` and exit 2, as `leash scan` does, not a screen to quit with 0.
      return await runTui({ load: (onProgress) => runScan(scanOpts, onProgress), source: label, reportsDir, exitOnLoadError: true });
    }
    // An organization report (organization.json, its folder, or --org for the newest one) opens
    // the organization view: agent principals, findings and accounts, with an account filter.
    const { findLatestOrganizationReport, loadOrganizationView, organizationReportPath } = await import('../../tui/org-files.js');
    const orgPath = opts.report !== undefined ? organizationReportPath(opts.report) : opts.org ? findLatestOrganizationReport(reportsDir) : undefined;
    if (opts.org && orgPath === undefined) {
      io.err(`leash: no organization report under ${reportsDir}/organizations (run \`leash scan --org\` first, or give --report FILE)`);
      return EXIT_ERROR;
    }
    if (orgPath !== undefined) {
      const view = loadOrganizationView(orgPath, reportsDir);
      const { runOrgTui } = await import('../../tui/run.js');
      return await runOrgTui({ view, source: relative(process.cwd(), orgPath) || orgPath, ...(opts.account !== undefined ? { initialAccount: opts.account } : {}) });
    }
    // A scan folder, `latest`/`previous` (of --account when the history holds several), or a file;
    // with none of them, the newest report under the reports directory, whatever its account.
    const spec = opts.report ?? (opts.account !== undefined ? 'latest' : undefined);
    let path: string | undefined;
    let checkedAccount = (_r: Report): void => undefined;
    if (spec !== undefined) {
      const { checkAccount, resolveReportPath } = await import('../../report/history.js');
      const resolved = await resolveReportPath(spec, { reportsRoot: reportsDir, ...(opts.account !== undefined ? { accountId: opts.account } : {}) });
      // A file given by name keeps the user's spelling in messages and the title bar.
      path = resolved === resolve(spec) ? spec : resolved;
      // The account is checked on the report the TUI loads (below), not on a second whole read first:
      // at 10,000 principals that was seconds of blank screen before the loading line.
      if (opts.account !== undefined) {
        const account = opts.account;
        checkedAccount = (r) => checkAccount(r, account, path!);
      }
    } else {
      path = findLatestReport(reportsDir)?.path;
    }
    if (path === undefined) {
      const runScan = await loadRunScan();
      return await runTui({
        reportsDir,
        ...(runScan ? { demoScan: (onProgress) => runScan({ demo: true, fixes: true }, onProgress) } : {}),
      });
    }
    // The first frame comes at once with a loading line; the report streams in behind it. A
    // report that cannot be read or parsed still ends the TUI with `leash: …` and exit 2.
    const { readReportStreaming } = await import('../../tui/stream-report.js');
    const source = relative(process.cwd(), path) || path;
    const { readFailureMarker } = await import('../../schedule/failure-marker.js');
    const marker = readFailureMarker(reportsDir);
    const notice = marker ? `The scheduled scan has failed ${marker.consecutiveFailures}× in a row${marker.stopped ? ' and stopped' : ''} (see ${reportsDir}/schedule-failed.json): this report may be old.` : undefined;
    const open = async (onProgress: ProgressListener): Promise<Report> => {
      const report = await readReportStreaming(path, onProgress);
      // A mismatch ends the TUI with `leash: …` and exit 2, as a report that cannot be read does.
      checkedAccount(report);
      return report;
    };
    return await runTui({ load: open, source, loadingLabel: `Opening ${source}`, exitOnLoadError: true, opening: true, reportsDir, ...(notice !== undefined ? { notice } : {}) });
  } catch (e) {
    if (e instanceof InputError) {
      io.err(`leash: ${e.message}`);
      return EXIT_ERROR;
    }
    throw e;
  }
}

export function register(program: Command): void {
  program
    .command('tui')
    .description('Interactive terminal UI: risk-sorted principals, evidence, fix previews (the default in a terminal)')
    .argument('[report]', 'a report.json, a scan folder, latest or previous, or an organization.json (same as --report)')
    .option('--report <path>', 'open this report: report.json, a scan folder, latest or previous (default: the newest under --reports)')
    .option('--account <id>', 'account whose history latest/previous refer to (needed when --reports holds several); with an organization report, the account shown first')
    .option('--org', 'open the newest organization report (leash scan --org) under --reports')
    .option('--reports <dir>', 'where scans are written (default: reports)')
    .option('--reports-dir <dir>', 'the same as --reports (older spelling)')
    .option('--input <file>', 'scan an authorization-details JSON file first')
    .option('--demo', 'scan the built-in demo account first')
    .option('--profile <name>', 'scan the account behind this AWS profile first (read-only)')
    .option('--cloudtrail <path...>', 'with a scan: CloudTrail logs for usage (.json/.json.gz files, directories, a delivery tree)')
    .option('--config <file>', 'leash.config.yaml')
    .addHelpText('after', exitCodesHelp({ 0: 'quit normally', 2: 'not a terminal (use `leash scan`), or a report or input that cannot be read' }))
    .action(async (report: string | undefined, opts: TuiCommandOptions) => {
      if (report !== undefined && opts.report !== undefined && report !== opts.report) {
        process.stderr.write(`leash: tui: give the report once (argument ${JSON.stringify(report)} or --report ${JSON.stringify(opts.report)})\n`);
        process.exitCode = EXIT_ERROR;
        return;
      }
      process.exitCode = await startTui(report !== undefined ? { ...opts, report } : opts, true);
    });

  // No subcommand: the TUI in a terminal, a hint elsewhere. Extra words are a mistyped command
  // (allowed here only so the message can say so; set after the subcommands, which keep the default).
  program.addHelpText('after', exitCodesHelp({ 0: 'ok', 1: 'findings at or above --fail-on (scan, schedule runs) or new ones (diff --fail-on-new)', 2: 'bad input, a usage error, or an error; the message names the file and place' }));
  program.allowExcessArguments(true).action(async () => {
    if (program.args[0] === 'help') {
      // `leash help [command]`, as git and npm users type it.
      (program.commands.find((c) => c.name() === program.args[1]) ?? program).help();
    }
    if (program.args.length > 0) {
      const names = program.commands.map((c) => c.name());
      const near = nearest(String(program.args[0]), names);
      program.error(`error: unknown command '${program.args[0]}'${near !== undefined ? ` — did you mean \`leash ${near}\`?` : ''} (commands: ${names.join(', ')}; see leash --help)`, { exitCode: EXIT_ERROR, code: 'commander.unknownCommand' });
    }
    process.exitCode = await startTui({}, false);
  });
}
