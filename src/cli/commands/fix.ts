// `leash fix --report R --principal ARN [--mode strict|balanced]`: re-plan one principal's fixes
// from the inputs a report was made from, in a chosen mode. Writes files; applies nothing.
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { InputError } from '../../model/errors.js';
import { analyzeSnapshot, collectSnapshot, scanId, type ScanOptions } from '../../pipeline/scan.js';
import { checkAccount, loadReport, resolveReportPath } from '../../report/history.js';
import { writeFixPlans } from '../../fix/write.js';
import { loadSuppressions } from '../../config/suppressions.js';
import { reportError } from './scan.js';
import { addInventoryOptions, inventoryScanOptions, type InventoryCliOptions } from '../inventory-options.js';
import { exitCodesHelp } from '../exit-codes.js';
import { jsonTextSafe, safeText } from '../../safe/text.js';

interface FixCliOptions extends InventoryCliOptions { report: string; account?: string; principal: string; mode?: 'strict' | 'balanced'; output?: string; reports?: string; json?: boolean }

export function register(program: Command): void {
  addInventoryOptions(program
    .command('fix')
    .description('Regenerate the fixes of one principal from a report\'s inputs, in a chosen mode (nothing is applied)')
    .option('--report <path>', 'report.json, its directory, or latest/previous', 'latest')
    .option('--account <id>', 'account whose history latest/previous refer to (needed when --reports holds several)')
    .requiredOption('--principal <arn>', 'principal ARN (or name) to plan fixes for')
    .addOption(new Option('--mode <mode>', 'right-sizing mode').choices(['strict', 'balanced']))
    .option('-o, --output <dir>', 'write the fix files here (default: <report dir>/fixes/)')
    .option('--reports <dir>', 'root of the scan history', 'reports')
    .option('--json', 'print the fixes as JSON'), { live: false })
    .addHelpText('after', exitCodesHelp({ 0: 'fix files written (applying them is a human\'s step: see each apply.sh)', 2: 'no such report or principal, not an agent principal, or a live scan' }))
    .action(async (o: FixCliOptions) => {
      try {
        const reportPath = await resolveReportPath(o.report, { reportsRoot: o.reports ?? 'reports', ...(o.account !== undefined ? { accountId: o.account } : {}) });
        const report = await loadReport(reportPath);
        checkAccount(report, o.account, reportPath);
        const principal = report.principals.find((p) => p.arn === o.principal || p.name === o.principal);
        if (!principal) throw new InputError(reportPath, '$.principals', `a principal with ARN or name ${o.principal}`, 'none');
        const input = report.scan.sources.find((s) => s.kind === 'authorization-details-file');
        if (!input) throw new InputError(reportPath, '$.scan.sources', 'a scan made from an authorization-details file (re-run `leash scan --fixes` for live scans)', report.scan.sources.map((s) => s.kind).join(', '));
        const config = report.scan.sources.find((s) => s.kind === 'config');
        const cloudtrail = report.scan.sources.filter((s) => s.kind === 'cloudtrail-file').map((s) => s.location);
        // The report's own inventory files are read again, unless --inventory names others.
        const inventoryCli = inventoryScanOptions(o);
        const inventory = inventoryCli.inventory ?? report.scan.sources.filter((s) => s.kind === 'inventory-file' || s.kind === 'config-snapshot').map((s) => s.location);
        const opts: ScanOptions = { input: input.location, ...(config ? { config: config.location } : {}), ...(cloudtrail.length ? { cloudtrail } : {}), ...(o.mode ? { mode: o.mode } : {}), ...(inventory.length ? { inventory } : {}) };
        const { snapshot, config: cfg } = await collectSnapshot(opts);
        const now = new Date();
        const effective = o.mode ? { ...cfg, baseline: { ...cfg.baseline, mode: o.mode } } : cfg;
        const { fixPlans } = analyzeSnapshot(snapshot, effective, { scanId: scanId(snapshot.account.id, now), startedAt: now.toISOString(), now, fixes: true, onlyPrincipal: principal.arn, suppressions: loadSuppressions(cfg.suppressionsFile) });
        if (fixPlans.length === 0) throw new InputError(reportPath, '$.principals', `${principal.name} to be an agent principal (fixes are planned for agents)`, 'a non-agent principal');
        const out = resolve(o.output ?? join(dirname(reportPath), 'fixes'));
        // --output gets the scan's rules: a folder leash did not write is refused, never emptied.
        // One principal of many: a boundary group folder of the scan's stays whole (fix/write.ts, partial).
        const dirs = await writeFixPlans(out, fixPlans, o.output ?? out, { partial: true });
        if (o.json) process.stdout.write(jsonTextSafe(JSON.stringify(fixPlans.flatMap((p) => p.fixes), null, 2)) + '\n');
        else {
          for (const f of fixPlans.flatMap((p) => p.fixes)) process.stdout.write(`${(f.verification.status ?? (f.verification.safe ? 'verified' : 'not-safe')).padEnd(10)}  ${safeText(f.title)}: ${safeText(f.verification.summary ?? '')}\n`);
          process.stdout.write(`fix files written to ${dirs.map(safeText).join(', ')}\n`);
        }
      } catch (e) {
        process.exitCode = reportError(e);
      }
    });
}
