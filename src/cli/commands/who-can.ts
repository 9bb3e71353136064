// `leash who-can <resource-arn> [--action A]`: every principal that can perform an action on one
// resource, agents first, directly or through the principals it can become, with the path and the
// statements that decide; and `leash blast <principal>`: what one principal can delete or read,
// by name, production first. Both analyse an export with its resource inventory (--input/--demo
// with --inventory); `who-can --report` answers from a written report's named findings.
import type { Command } from 'commander';
import type { Report } from '../../model/report.js';
import { InputError } from '../../model/errors.js';
import { loadReport } from '../../report/history.js';
import { resolveNode } from '../../graph/query.js';
import { hopText } from '../../graph/describe.js';
import { reportError } from './scan.js';
import { exitCodesHelp } from '../exit-codes.js';
import { jsonTextSafe, safeText } from '../../safe/text.js';
import { addInventoryOptions, inventoryScanOptions, type InventoryCliOptions } from '../inventory-options.js';
import { resourceView, type BlastEntry, type ResourceView, type WhoCanEntry } from '../../resources/blast.js';
import type { ResourceEvidence } from '../../resources/evaluate.js';
import { ACCESS_KINDS, type AccessKind } from '../../resources/actions.js';
import { outsideGrantees } from '../../resources/exposure.js';
import { policyLabel } from '../../resources/evaluate.js';
import { ownOrganizationId, snapshotOrganization } from '../../iam/organization.js';
import type { OrganizationFacts } from '../../model/organization.js';

interface Common extends InventoryCliOptions { input?: string[]; demo?: boolean; json?: boolean }
interface WhoCanOptions extends Common { action?: string; report?: string; reports: string; limit: string }
interface BlastOptions extends Common { kind?: string[]; limit: string }

const safe = safeText;

/** What the scan knows of an account's organization (src/iam/organization.ts): an --org scan's discovery, the account's own id. */
interface ViewOrg { readonly discovered?: OrganizationFacts; readonly own?: string | null }

async function analysed(o: Common): Promise<{ views: ResourceView[]; label: (id: string) => string; principals: { arn: string; name: string }[]; orgOf: (v: ResourceView) => ViewOrg }> {
  if (!o.input && !o.demo) throw new InputError('leash', '--input/--demo', 'an IAM export to analyse (--input FILE, or --demo), with its resource inventory (--inventory FILE)', 'neither given');
  const { collectSnapshot, analyzeSnapshots } = await import('../../pipeline/scan.js');
  const inventory = inventoryScanOptions(o);
  const collected = [];
  for (const input of o.demo ? [undefined] : o.input!) collected.push(await collectSnapshot({ ...(input ? { input } : { demo: true }), ...inventory }));
  const now = new Date();
  const analyses = analyzeSnapshots(collected.map((c) => c.snapshot), collected[0]!.config, { scanId: 'who-can', startedAt: now.toISOString(), now, fixes: false });
  const orgs = new Map<ResourceView, ViewOrg>();
  const views = collected.flatMap((c, i) => {
    const v = resourceView(c.snapshot, analyses[i]!.graph, c.config);
    if (v) {
      const own = ownOrganizationId(snapshotOrganization(c.snapshot, c.config.resources?.organizationId));
      orgs.set(v, { ...(c.snapshot.organization ? { discovered: c.snapshot.organization } : {}), ...(own !== undefined ? { own } : {}) });
    }
    return v ? [v] : [];
  });
  if (views.length === 0) throw new InputError('--inventory', '', 'a resource inventory: an AWS Config snapshot or a leash inventory file (--inventory FILE; the demo has its own)', 'no resources read');
  const principals = analyses.flatMap((a) => a.report.principals.map((p) => ({ arn: p.arn, name: p.name })));
  const byArn = new Map(principals.map((p) => [p.arn, p.name]));
  const graph = analyses[0]!.graph;
  return { views, principals, label: (id) => byArn.get(id) ?? graph.node(id)?.label ?? id, orgOf: (v) => orgs.get(v) ?? {} };
}

function evidenceText(ev: readonly ResourceEvidence[], label: (id: string) => string): string {
  return ev.map((e) => (e.side === 'identity' ? `${label(e.arn)} policy ${e.policy}` : `${e.policy} of ${e.arn}`) + (e.sid ? ` (${e.sid})` : ` statement ${e.statementIndex}`)).join('; ');
}

const conditionText = (c: string) => (c === 'none' ? '' : c === 'approval' ? ' [only with approval]' : ' [only if an unknown condition holds]');

export function renderWhoCan(entries: readonly WhoCanEntry[], label: (id: string) => string): string {
  const lines: string[] = [];
  for (const e of entries) {
    lines.push(`${e.isAgent ? 'agent  ' : '       '}${safe(e.name)}  ${safe(e.action)}${conditionText(e.condition)}${e.actor !== e.principalArn ? `  as ${safe(label(e.actor))}` : ''}`);
    if (e.path) e.path.hops.forEach((h, i) => lines.push(`         ${i + 1}. ${safe(hopText(h, label))}`));
    if (e.evidence.length > 0) lines.push(`         by ${safe(evidenceText(e.evidence, label))} (${e.via})`);
  }
  return lines.join('\n') + '\n';
}

export function renderBlast(name: string, entries: readonly BlastEntry[], label: (id: string) => string): string {
  const lines = [`${safe(name)}: ${entries.length} resource${entries.length === 1 ? '' : 's'} it can act on`];
  let env = '';
  for (const e of entries) {
    if (e.environment !== env) { env = e.environment; lines.push('', `${env}:`); }
    const kinds = ACCESS_KINDS.filter((k) => e.grants.some((g) => g.kind === k));
    lines.push(`  ${safe(e.resource.type)} ${safe(e.resource.name)}  ${kinds.join(', ')}${conditionText(e.condition)}`);
    const own = e.grants.filter((g) => !g.through).map((g) => g.action);
    const through = e.grants.filter((g) => g.through);
    if (own.length > 0) lines.push(`      itself: ${safe(own.slice(0, 6).join(', '))}${own.length > 6 ? ` and ${own.length - 6} more` : ''}`);
    if (through.length > 0 && e.path) lines.push(`      as ${safe(label(e.through!))}: ${safe(through.slice(0, 6).map((g) => g.action).join(', '))} — ${safe(e.path.hops.map((h) => hopText(h, label)).join('; '))}`);
  }
  return lines.join('\n') + '\n';
}

function fromReport(report: Report, arn: string): { principalArn: string; name: string; checkId: string; title: string; actions: readonly string[]; through?: string }[] {
  const names = new Map(report.principals.map((p) => [p.arn, p.name]));
  return report.findings.flatMap((f) => (f.resources ?? []).filter((r) => r.arn === arn).map((r) => ({
    principalArn: f.principalArn, name: names.get(f.principalArn) ?? f.principalArn, checkId: f.checkId, title: f.title, actions: r.actions, ...(r.through ? { through: r.through } : {}),
  })));
}

export function register(program: Command): void {
  const whoCan = program
    .command('who-can')
    .description('Every principal that can perform an action on one resource (agents first), directly or through principals it can become, with the path and the deciding statements')
    .argument('<resource-arn>', 'the resource\'s ARN, as the inventory lists it')
    .option('--action <action>', 'one IAM action (service:Action); default: the delete, destructive and read actions of the resource\'s type')
    .option('-i, --input <file...>', 'analyse these IAM exports (several: one graph across accounts)')
    .option('--demo', 'analyse the bundled demo account and its inventory')
    .option('--report <path>', 'answer from a written report instead (report.json, a scan directory, latest): principals whose findings name the resource')
    .option('--reports <dir>', 'root of the scan history', 'reports')
    .option('--limit <n>', 'principals to show', '50')
    .option('--json', 'print JSON');
  addInventoryOptions(whoCan, { live: false });
  whoCan
    .addHelpText('after', exitCodesHelp({ 0: 'answered (or nobody can: says so)', 2: 'no such resource, a bad action, no inventory, or unreadable input' }))
    .action(async (arn: string, o: WhoCanOptions) => {
      try {
        const limit = Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 10000) throw new InputError('--limit', '', 'a whole number from 1 to 10000', o.limit);
        if (o.action !== undefined && !/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(o.action)) throw new InputError('--action', '', 'one IAM action, service:Action (no wildcards)', JSON.stringify(o.action));
        if (o.report && !o.input && !o.demo) {
          const report = await loadReport(o.report, { reportsRoot: o.reports });
          const rows = fromReport(report, arn).filter((r) => !o.action || r.actions.some((a) => a.toLowerCase() === o.action!.toLowerCase())).slice(0, limit);
          if (o.json) process.stdout.write(jsonTextSafe(JSON.stringify(rows, null, 2)) + '\n');
          else process.stdout.write(rows.length > 0 ? rows.map((r) => `${safe(r.name)}  ${safe(r.checkId)}: ${safe(r.title)}`).join('\n') + '\n' : `No finding of this report names ${safe(arn)} (a report keeps named findings only; --input/--demo answers fully).\n`);
          return;
        }
        const { views, label, orgOf } = await analysed(o);
        const view = views.find((v) => v.index.byArn.has(arn));
        if (!view) throw new InputError('<resource-arn>', '', 'the ARN of a resource in the inventory', JSON.stringify(arn));
        const entries = view.whoCan(arn, o.action).slice(0, limit);
        // Outside the scanned accounts: whom the resource's own policy lets in.
        const r = view.index.byArn.get(arn)!;
        const outside = outsideGrantees(r, new Set(view.graph.built.accounts), view.index.rcps, orgOf(view))
          .map((e) => ({ grantee: e.grantee, ...(e.organization ? { organization: e.organization } : {}), actions: [...e.read, ...e.delete, ...e.other].filter((a) => !o.action || a.toLowerCase() === o.action.toLowerCase()), conditional: e.conditional }))
          .filter((e) => e.actions.length > 0);
        if (o.json) process.stdout.write(jsonTextSafe(JSON.stringify({ principals: entries, outside }, null, 2)) + '\n');
        else {
          let text = entries.length > 0 ? renderWhoCan(entries, label) : `No scanned principal can ${o.action ? safe(o.action) : 'delete, change or read'} ${safe(arn)}.\n`;
          for (const e of outside) text += `outside ${e.organization ? `anyone in organization ${safe(e.organization)}` : e.grantee === '*' ? 'anyone' : `account ${safe(e.grantee)}`}  ${safe(e.actions.join(', '))}${e.conditional ? ' [only if an unknown condition holds]' : ''}  (through its ${policyLabel(r)}, as far as that account allows)\n`;
          process.stdout.write(text);
        }
      } catch (e) {
        process.exitCode = reportError(e);
      }
    });

}

/** `leash blast <principal>` (its own registration, so the command list stays sorted). */
export function registerBlast(program: Command): void {
  const blast = program
    .command('blast')
    .description('Blast radius by name: the resources a principal can delete, change or read, itself or as principals it can become, production first')
    .argument('<principal>', 'principal name or ARN')
    .option('-i, --input <file...>', 'analyse these IAM exports')
    .option('--demo', 'analyse the bundled demo account and its inventory')
    .option('--kind <kind...>', `what to list: ${ACCESS_KINDS.join(', ')}`)
    .option('--limit <n>', 'resources to show', '200')
    .option('--json', 'print JSON');
  addInventoryOptions(blast, { live: false });
  blast
    .addHelpText('after', exitCodesHelp({ 0: 'listed (or nothing reachable: says so)', 2: 'no such principal, no inventory, or unreadable input' }))
    .action(async (name: string, o: BlastOptions) => {
      try {
        const kinds = (o.kind ?? [...ACCESS_KINDS]) as AccessKind[];
        for (const k of kinds) if (!(ACCESS_KINDS as readonly string[]).includes(k)) throw new InputError('--kind', '', ACCESS_KINDS.join(', '), JSON.stringify(k));
        const limit = Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new InputError('--limit', '', 'a whole number from 1', o.limit);
        const { views, label, principals } = await analysed(o);
        const from = resolveNode({ nodes: 0, edges: 0, hops: [], reach: [], accounts: [] }, principals, name);
        if (!from) throw new InputError('leash blast', '<principal>', 'a principal of the scanned account(s), by name or ARN', JSON.stringify(name));
        const entries = views.flatMap((v) => v.blast(from, kinds).entries).slice(0, limit);
        if (o.json) process.stdout.write(jsonTextSafe(JSON.stringify(entries.map((e) => ({ ...e, resource: { arn: e.resource.arn, type: e.resource.type, name: e.resource.name, account: e.resource.account, region: e.resource.region } })), null, 2)) + '\n');
        else process.stdout.write(entries.length > 0 ? renderBlast(label(from), entries, label) : `${safe(label(from))} can delete, change or read none of the inventoried resources.\n`);
      } catch (e) {
        process.exitCode = reportError(e);
      }
    });
}
