// `leash report --report R --format sarif,asff,md`: render an existing report.json again in other
// formats (for a dashboard that wants SARIF from last night's scan), without scanning.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../model/errors.js';
import { loadReport, resolveReportPath } from '../../report/history.js';
import { FORMAT_FILES, parseFormats } from '../../report/formats.js';
import { renderFormat, writeFilesAtomic } from '../../report/write.js';
import { renderSummary } from '../../report/summary-text.js';
import { exitCodesHelp } from '../exit-codes.js';
import { reportError } from './scan.js';
import { safeText } from '../../safe/text.js';

interface ReportCliOptions { report: string; reports: string; format?: string; output?: string; region: string }

export function register(program: Command): void {
  program
    .command('report')
    .description('Render an existing report again: terminal summary, or files in other formats')
    .option('--report <path>', 'report.json, a scan directory, latest or previous', 'latest')
    .option('--reports <dir>', 'root of the scan history', 'reports')
    .option('--format <list>', 'write these formats (json,sarif,asff,md or all) next to the report or into --output')
    .option('-o, --output <dir>', 'directory for the rendered files')
    .option('--region <region>', 'Security Hub region for ASFF', process.env.AWS_REGION ?? 'us-east-1')
    .addHelpText('after', exitCodesHelp({ 0: 'rendered', 2: 'no such report, a bad --format, or the files could not be written (none is left half-written)' }))
    .action(async (o: ReportCliOptions) => {
      try {
        // A typo in --format is reported before the report is looked for.
        const formats = o.format === undefined ? undefined : parseFormats(o.format);
        const path = await resolveReportPath(o.report, { reportsRoot: o.reports });
        const report = await loadReport(path);
        if (!formats) {
          process.stdout.write(renderSummary(report, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR, ...(process.stdout.columns ? { width: process.stdout.columns } : {}) }) + '\n');
          return;
        }
        const dir = resolve(o.output ?? dirname(path));
        mkdirSync(dir, { recursive: true });
        // Temp + rename per file, all renamed only once all are written: a failure (disk full, a
        // renderer bug) leaves the scan directory's files as they were, never a truncated SARIF.
        const written = await writeFilesAtomic(dir, formats.map((f) => ({ name: FORMAT_FILES[f], content: () => renderFormat(report, f, { asffRegion: o.region }) }))).catch((e: unknown) => {
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
