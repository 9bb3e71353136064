// `leash report --report R --format sarif,asff,md`: render an existing report.json again in other
// formats (for a dashboard that wants SARIF from last night's scan), without scanning.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../model/errors.js';
import { checkAccount, loadReport, resolveReportPath } from '../../report/history.js';
import { FORMAT_FILES, parseFormats } from '../../report/formats.js';
import { renderChunks, writeFilesAtomic } from '../../report/write.js';
import { renderSummary } from '../../report/summary-text.js';
import { exitCodesHelp } from '../exit-codes.js';
import { checkPostgresUrl, loadIntoPostgres, redactUrl } from '../../report/postgres.js';
import { appendTrend, parseTrend, TREND_FILE, trendLine, type TrendLine } from '../../report/trend.js';
import type { Report } from '../../model/report.js';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isScanDirName } from '../../report/history.js';
import { safeText } from '../../safe/text.js';

/**
 * The trend lines to load with a report: the account's trend.ndjson when the report sits in a scan
 * history (reports/<account>/<scan>/report.json), with this scan's line added if it is missing.
 */
async function trendFor(report: Report, path: string): Promise<TrendLine[]> {
  const scanDir = dirname(path);
  const accountDir = dirname(scanDir);
  let text = '';
  const file = join(accountDir, TREND_FILE);
  if (isScanDirName(basename(scanDir)) && basename(accountDir) === report.scan.account.id) {
    text = await readFile(file, 'utf8').catch(() => '');
  }
  return parseTrend(appendTrend(text, file, trendLine(report)), file);
}
import { reportError } from './scan.js';
import { warnIfScheduleFailing } from '../schedule-status.js';
import { outputWidth } from '../output.js';

interface ReportCliOptions { report: string; reports: string; account?: string; format?: string; output?: string; region: string; to?: string }

export function register(program: Command): void {
  program
    .command('report')
    .description('Render an existing report again: terminal summary, or files in other formats')
    .option('--report <path>', 'report.json, a scan directory, latest or previous', 'latest')
    .option('--reports <dir>', 'root of the scan history', 'reports')
    .option('--account <id>', 'account whose history latest/previous refer to (needed when --reports holds several)')
    .option('--format <list>', 'write these formats (json,sarif,asff,md,ndjson,csv,html or all) next to the report or into --output')
    .option('-o, --output <dir>', 'directory for the rendered files')
    .option('--region <region>', 'Security Hub region for ASFF', process.env.AWS_REGION ?? 'us-east-1')
    .option('--to <url>', 'load findings, the scan and the account\'s trend into PostgreSQL (postgres://user@host:port/db; tables in docs/database.md)')
    .addHelpText('after', exitCodesHelp({ 0: 'rendered (or loaded)', 2: 'no such report, a bad --format, or the files could not be written (none is left half-written)' }))
    .action(async (o: ReportCliOptions) => {
      // Before anything else, so it shows even when the failing schedule never wrote a report.
      warnIfScheduleFailing(o.reports);
      try {
        // A typo in --format is reported before the report is looked for.
        const formats = o.format === undefined ? undefined : parseFormats(o.format);
        if (o.to !== undefined) checkPostgresUrl(o.to);
        const path = await resolveReportPath(o.report, { reportsRoot: o.reports, ...(o.account !== undefined ? { accountId: o.account } : {}) });
        const report = await loadReport(path);
        checkAccount(report, o.account, path);
        if (o.to !== undefined) {
          const trend = await trendFor(report, path);
          const { findings, trendLines } = await loadIntoPostgres(o.to, report, trend);
          process.stdout.write(`loaded ${findings} findings and ${trendLines} trend line${trendLines === 1 ? '' : 's'} of account ${report.scan.account.id} into ${redactUrl(o.to)}\n`);
          if (!formats) return;
        }
        if (!formats) {
          process.stdout.write(renderSummary(report, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR, width: outputWidth() }) + '\n');
          return;
        }
        const dir = resolve(o.output ?? dirname(path));
        mkdirSync(dir, { recursive: true });
        // Temp + rename per file, all renamed only once all are written: a failure (disk full, a
        // renderer bug) leaves the scan directory's files as they were, never a truncated SARIF.
        const written = await writeFilesAtomic(dir, formats.map((f) => ({ name: FORMAT_FILES[f], content: () => renderChunks(report, f, { asffRegion: o.region }) }))).catch((e: unknown) => {
          // EACCES, ENOSPC, EROFS…: name the directory the user chose, not a temp file in it.
          const code = (e as NodeJS.ErrnoException).code;
          if (e instanceof InputError || code === undefined) throw e;
          throw new InputError(dir, '', `a writable directory for the rendered files${o.output ? ' (--output)' : ''}`, (e as Error).message);
        });
        for (const file of written) process.stdout.write(`${safeText(file)}\n`);
      } catch (e) {
        process.exitCode = reportError(e);
      }
    });
}
