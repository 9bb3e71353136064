// `leash report --report R --format sarif,asff,md`: render an existing report.json again in other
// formats (for a dashboard that wants SARIF from last night's scan), without scanning.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadReport, resolveReportPath } from '../../report/history.js';
import { FORMAT_FILES, parseFormats } from '../../report/formats.js';
import { toSarif } from '../../report/sarif.js';
import { toAsff } from '../../report/asff.js';
import { toMarkdown } from '../../report/markdown.js';
import { renderSummary } from '../../report/summary-text.js';
import { reportError } from './scan.js';

export function register(program: Command): void {
  program
    .command('report')
    .description('Render an existing report again: terminal summary, or files in other formats')
    .option('--report <path>', 'report.json, a scan directory, latest or previous', 'latest')
    .option('--reports <dir>', 'root of the scan history', 'reports')
    .option('--format <list>', 'write these formats (json,sarif,asff,md or all) next to the report or into --output')
    .option('-o, --output <dir>', 'directory for the rendered files')
    .option('--region <region>', 'Security Hub region for ASFF', process.env.AWS_REGION ?? 'us-east-1')
    .action(async (o: { report: string; reports: string; format?: string; output?: string; region: string }) => {
      try {
        const path = await resolveReportPath(o.report, { reportsRoot: o.reports });
        const report = await loadReport(path);
        if (!o.format) {
          process.stdout.write(renderSummary(report, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR }) + '\n');
          return;
        }
        const dir = resolve(o.output ?? dirname(path));
        mkdirSync(dir, { recursive: true });
        for (const f of parseFormats(o.format)) {
          const text = f === 'json' ? JSON.stringify(report, null, 2) : f === 'sarif' ? JSON.stringify(toSarif(report), null, 2) : f === 'asff' ? JSON.stringify(toAsff(report, { region: o.region }), null, 2) : toMarkdown(report);
          writeFileSync(join(dir, FORMAT_FILES[f]), text + '\n');
          process.stdout.write(`${join(dir, FORMAT_FILES[f])}\n`);
        }
      } catch (e) {
        process.exitCode = reportError(e);
      }
    });
}
