// `leash paths <principal> [--to admin|<principal>|<action>]`: what can it become, and how —
// the shortest paths with each hop's evidence, from the latest report's graph or a fresh analysis.
import type { Command } from 'commander';
import type { GraphPath, GraphSummary } from '../../model/graph.js';
import type { Report } from '../../model/report.js';
import { InputError } from '../../model/errors.js';
import { loadReport } from '../../report/history.js';
import { queryPaths, resolveNode } from '../../graph/query.js';
import { hopText } from '../../graph/describe.js';
import { catalog } from '../../iam/catalog.js';
import { reportError } from './scan.js';
import { addInventoryOptions, inventoryScanOptions, type InventoryCliOptions } from '../inventory-options.js';
import { exitCodesHelp } from '../exit-codes.js';
import { jsonTextSafe, safeText } from '../../safe/text.js';

interface PathsOptions extends InventoryCliOptions { to: string; report: string; reports: string; input?: string[]; demo?: boolean; limit: string; json?: boolean }

const safe = safeText;

export function renderPaths(paths: readonly GraphPath[], label: (id: string) => string): string {
  const lines: string[] = [];
  for (const p of paths) {
    const strength = p.condition === 'none' && p.target === 'proven' ? 'proven' : p.condition !== 'none' ? `only if ${p.condition === 'approval' ? 'an approval' : 'an unknown'} condition holds` : 'if existing compute carries the role';
    lines.push(`${safe(label(p.from))} → ${safe(label(p.to))}  (${p.hops.length} hop${p.hops.length === 1 ? '' : 's'}, ${strength})`);
    p.hops.forEach((h, i) => {
      lines.push(`  ${i + 1}. ${safe(hopText(h, label))}`);
      for (const e of h.evidence) lines.push(`       ${e.side}: ${safe(label(e.principalArn))} ${safe(e.policy)}${e.sid ? ` (${safe(e.sid)})` : ''} statement ${e.statementIndex}`);
      if (h.adds) lines.push(`       adds: ${h.adds}`);
    });
    lines.push('');
  }
  return lines.join('\n');
}

async function graphFor(o: PathsOptions): Promise<{ report: Report; graph: GraphSummary; actionHolders?: (action: string) => Set<string> }[]> {
  if (o.input || o.demo) {
    const { collectSnapshot, analyzeSnapshots } = await import('../../pipeline/scan.js');
    const inputs = o.demo ? [undefined] : o.input!;
    const collected = [];
    const inventory = inventoryScanOptions(o);
    for (const input of inputs) collected.push(await collectSnapshot({ ...(input ? { input } : { demo: true }), ...inventory }));
    const now = new Date();
    // Analysis only: nothing is written.
    const analyses = analyzeSnapshots(collected.map((c) => c.snapshot), collected[0]!.config, { scanId: 'paths', startedAt: now.toISOString(), now, fixes: false });
    // Which graph nodes may perform an action, from the graph the analysis built.
    const g = analyses[0]!.graph;
    const actionHolders = (action: string) => {
      const id = catalog().lookup(action)?.id;
      const out = new Set<string>();
      if (id === undefined) return out;
      for (const n of g.built.nodes) if (n.effective?.unconditional.has(id)) out.add(n.id);
      return out;
    };
    return analyses.map((a) => ({ report: a.report, graph: a.report.graph!, actionHolders }));
  }
  const report = await loadReport(o.report, { reportsRoot: o.reports });
  if (!report.graph) throw new InputError(o.report, '$.graph', 'a report written by leash 1.2 or later (with the access graph); scan again, or pass --input FILE', 'no graph');
  return [{ report, graph: report.graph }];
}

export function register(program: Command): void {
  addInventoryOptions(program
    .command('paths')
    .description('What a principal can become: shortest paths through roles, credentials, policy edits and compute, with each hop\'s evidence')
    .argument('<principal>', 'principal name or ARN')
    .option('--to <goal>', 'admin, a principal (name or ARN), or an IAM action (service:Action; needs --input or --demo)', 'admin')
    .option('--report <path>', 'report whose graph to ask (report.json, a scan directory, latest)', 'latest')
    .option('--reports <dir>', 'root of the scan history', 'reports')
    .option('-i, --input <file...>', 'analyse these exports instead of reading a report (several: one graph across accounts)')
    .option('--demo', 'analyse the bundled demo account')
    .option('--limit <n>', 'paths to show (nearest targets first)', '5')
    .option('--json', 'print the paths as JSON'), { live: false })
    .addHelpText('after', exitCodesHelp({ 0: 'paths printed (or none exist: says so)', 2: 'no such principal, a bad goal, or an unreadable report' }))
    .action(async (name: string, o: PathsOptions) => {
      try {
        const limit = Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new InputError('--limit', '', 'a whole number from 1 to 100', o.limit);
        const worlds = await graphFor(o);
        const all = worlds.flatMap((w) => w.report.principals.map((p) => ({ arn: p.arn, name: p.name })));
        const merged: GraphSummary = { ...worlds[0]!.graph, hops: worlds.flatMap((w) => w.graph.hops), admins: worlds.flatMap((w) => w.graph.admins ?? []), labels: Object.assign({}, ...worlds.map((w) => w.graph.labels ?? {})) };
        const from = resolveNode(merged, all, name);
        if (!from) throw new InputError('leash paths', '<principal>', 'a principal of the scanned account(s), by name or ARN', JSON.stringify(name));
        let isGoal: (id: string) => boolean;
        if (o.to === 'admin') {
          const admins = new Set(merged.admins ?? []);
          isGoal = (id) => admins.has(id);
        } else if (/^[a-z0-9-]+:[A-Za-z0-9*]+$/.test(o.to) && catalog().lookup(o.to)) {
          const holders = worlds[0]!.actionHolders;
          if (!holders) throw new InputError('--to', '', 'admin or a principal when reading a report; an action needs --input FILE or --demo (the report keeps no per-node permissions)', o.to);
          const set = holders(o.to);
          isGoal = (id) => set.has(id);
        } else {
          const target = resolveNode(merged, all, o.to);
          if (!target) throw new InputError('--to', '', 'admin, a principal of the scanned account(s), or an IAM action (service:Action)', JSON.stringify(o.to));
          isGoal = (id) => id === target || id.startsWith(`${target}#`);
        }
        const paths = queryPaths(merged, { from, isGoal, limit });
        const byArn = new Map(all.map((p) => [p.arn, p.name]));
        const label = (id: string) => byArn.get(id) ?? merged.labels?.[id] ?? id;
        if (o.json) process.stdout.write(jsonTextSafe(JSON.stringify(paths, null, 2)) + '\n');
        else process.stdout.write(paths.length > 0 ? renderPaths(paths, label) : `${safe(label(from))} reaches no ${o.to === 'admin' ? 'administrator' : safe(o.to)} through other principals.\n`);
      } catch (e) {
        process.exitCode = reportError(e);
      }
    });
}
