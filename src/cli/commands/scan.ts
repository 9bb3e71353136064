import type { Command } from 'commander';
import { Option } from 'commander';
import { SEVERITIES, severityRank, type Severity } from '../../model/finding.js';
import type { Report } from '../../model/report.js';
import { InputError } from '../../model/errors.js';
import { runScan, type ScanOptions } from '../../pipeline/scan.js';
import { renderSummary } from '../../report/summary-text.js';
import { writeReportJson } from '../../report/write-json.js';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK } from '../exit-codes.js';

export interface ScanCliOptions {
  input?: string; demo?: boolean; config?: string; output?: string; json?: boolean; failOn?: Severity;
  cloudtrail?: string[]; fixes?: boolean; mode?: 'strict' | 'balanced'; reports?: string;
}

export function toScanOptions(o: ScanCliOptions): ScanOptions {
  return {
    ...(o.input ? { input: o.input } : {}),
    ...(o.demo ? { demo: true } : {}),
    ...(o.config ? { config: o.config } : {}),
    ...(o.cloudtrail ? { cloudtrail: o.cloudtrail } : {}),
    ...(o.fixes ? { fixes: true } : {}),
    ...(o.mode ? { mode: o.mode } : {}),
  };
}

export function exitCodeFor(report: Report, failOn: Severity | undefined): number {
  if (report.errors.some((e) => e.code === 'invalid-input')) return EXIT_ERROR;
  if (!failOn) return EXIT_OK;
  const bar = severityRank[failOn];
  return report.findings.some((f) => !f.suppressed && severityRank[f.severity] >= bar) ? EXIT_FINDINGS : EXIT_OK;
}

/** Print an error the way a tired engineer wants it: file, place, what was expected. */
export function reportError(e: unknown): number {
  if (e instanceof InputError) {
    process.stderr.write(`leash: ${e.message}\n`);
    return EXIT_ERROR;
  }
  process.stderr.write(`leash: ${(e as Error).message ?? String(e)}\n`);
  return EXIT_ERROR;
}

export function register(program: Command): void {
  program
    .command('scan')
    .description('Scan an account (offline export, live AWS, or the bundled demo) and write a report')
    .option('-i, --input <file>', 'output of `aws iam get-account-authorization-details`')
    .option('--demo', 'scan the bundled demo account')
    .option('-c, --config <file>', 'leash.config.yaml')
    .option('-o, --output <dir>', 'write the report here (default reports/<account>/<timestamp>/)')
    .option('--reports <dir>', 'reports root', 'reports')
    .option('--json', 'also print report.json to stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding at or above this severity exists').choices([...SEVERITIES]))
    .option('--cloudtrail <path...>', 'CloudTrail logs: .json/.json.gz files, directories, or an S3 delivery tree')
    .option('--fixes', 'generate fixes for agent principals')
    .addOption(new Option('--mode <mode>', 'right-sizing mode').choices(['strict', 'balanced']))
    .action(async (o: ScanCliOptions) => {
      try {
        const report = await runScan(toScanOptions(o));
        const dir = await writeReportJson(report, { reportsRoot: o.reports ?? 'reports', ...(o.output ? { outputDir: o.output } : {}) });
        if (o.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        else process.stdout.write(renderSummary(report, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR }, dir) + '\n');
        process.exitCode = exitCodeFor(report, o.failOn);
      } catch (e) {
        process.exitCode = reportError(e);
      }
    });
}
