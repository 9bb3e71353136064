// Minimal report.json writer (temp file + rename), used until the bundle writer lands.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../model/report.js';

export async function writeReportJson(report: Report, opts: { reportsRoot: string; outputDir?: string }): Promise<string> {
  const dir = opts.outputDir ?? join(opts.reportsRoot, report.scan.id);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.report.json.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(report, null, 2));
  renameSync(tmp, join(dir, 'report.json'));
  return dir;
}
