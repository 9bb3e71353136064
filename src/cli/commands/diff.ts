// `leash diff OLD NEW`: what changed between two scans. OLD and NEW are report.json paths, scan
// directories, or `latest` / `previous` from the history under --reports.
import type { Command } from 'commander';
import { InputError } from '../../model/errors.js';
import { diffReports, renderDiffText } from '../../report/diff.js';
import { loadReport } from '../../report/history.js';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, exitCodesHelp } from '../exit-codes.js';
import { safeLines } from '../../safe/text.js';

export interface DiffCommandOptions {
  readonly account?: string;
  readonly reports?: string;
  readonly json?: boolean;
  readonly failOnNew?: boolean;
}

export interface CommandOutcome {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runDiffCommand(oldSpec: string, newSpec: string, opts: DiffCommandOptions): Promise<CommandOutcome> {
  const load = { reportsRoot: opts.reports ?? 'reports', ...(opts.account !== undefined ? { accountId: opts.account } : {}) };
  try {
    const [old, neu] = await Promise.all([loadReport(oldSpec, load), loadReport(newSpec, load)]);
    const diff = diffReports(old, neu);
    const stdout = opts.json ? `${JSON.stringify(diff, null, 2)}\n` : renderDiffText(diff);
    const exitCode = opts.failOnNew && diff.findings.new.some((f) => !f.suppressed) ? EXIT_FINDINGS : EXIT_OK;
    return { exitCode, stdout, stderr: '' };
  } catch (e) {
    if (e instanceof InputError) return { exitCode: EXIT_ERROR, stdout: '', stderr: `leash diff: ${e.message}\n` };
    throw e;
  }
}

export function register(program: Command): void {
  program
    .command('diff')
    .description('Compare two scans: new, resolved and changed findings, principals added/removed, agent permission growth')
    .argument('<old>', 'older scan: report.json, scan directory, latest or previous')
    .argument('<new>', 'newer scan: report.json, scan directory, latest or previous')
    .option('--account <id>', 'account whose history latest/previous refer to (needed when --reports holds several)')
    .option('--reports <dir>', 'root of the scan history', 'reports')
    .option('--json', 'print the diff as JSON')
    .option('--fail-on-new', 'exit 1 when NEW has findings OLD did not (suppressed ones excepted)')
    .addHelpText('after', exitCodesHelp({ 0: 'compared', 1: 'with --fail-on-new: NEW has open findings OLD did not', 2: 'a scan could not be found or read' }))
    .action(async (oldSpec: string, newSpec: string, opts: DiffCommandOptions) => {
      const out = await runDiffCommand(oldSpec, newSpec, opts);
      if (out.stdout) process.stdout.write(opts.json ? out.stdout : safeLines(out.stdout));
      if (out.stderr) process.stderr.write(safeLines(out.stderr));
      process.exitCode = out.exitCode;
    });
}
