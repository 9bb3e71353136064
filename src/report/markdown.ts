// A short Markdown summary to paste into a ticket or a PR comment. It points at report.json for
// detail instead of repeating it: a ticket that scrolls forever is not read.
import { firstK } from './first-k.js';
import { SEVERITIES } from '../model/finding.js';
import type { ReportDelta, Report } from '../model/report.js';
import { computeDelta } from './diff.js';
import { safeText } from '../safe/text.js';
import { plural } from '../words.js';
import type { ComparableScan } from './scan-index.js';
import { cutText, nowhereCount, nowhereEntries, NOWHERE_HEADING, NOWHERE_LEAD } from './allowed-nowhere.js';

export interface MarkdownOptions {
  /** Used for "what changed" when the report carries no delta of its own. */
  readonly previous?: ComparableScan;
  /** How many agent principals to list (highest risk first). */
  readonly topPrincipals?: number;
  /** How many findings to list (worst first). */
  readonly topFindings?: number;
}

/** Table cells: a `|` or a newline in an ARN, a title or a note would break the table. */
function cell(text: string): string {
  return safeText(text).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

const MAX_GAPS = 15;
/** A principal name shown in a list (IAM's are at most 64; an export's may be anything). */
const NAME_CHARS = 128;
const MAX_GAP_CHARS = 400;

/** A list item must stay one line (a newline in an error message would end the list) and short. */
function oneLine(text: string): string {
  const t = safeText(text.replace(/\s*\r?\n\s*/g, ' '));
  return t.length <= MAX_GAP_CHARS ? t : `${t.slice(0, MAX_GAP_CHARS - 1)}…`;
}

function code(text: string): string {
  return `\`${safeText(text).replace(/`/g, "'")}\``;
}

export function toMarkdown(report: Report, opts: MarkdownOptions = {}): string {
  // Every string from data that is shown goes through cell(), code(), oneLine() or safeText(),
  // which escape it: no escape sequence reaches whoever cats summary.md. Only what is shown is
  // escaped — a copy of the whole report (100+ MB at 10,000 principals) is not made for a page.
  const topPrincipals = opts.topPrincipals ?? 10;
  const topFindings = opts.topFindings ?? 10;
  const { scan, summary } = report;
  const account = scan.account.alias ? `${scan.account.id} (${scan.account.alias})` : scan.account.id;
  const out: string[] = [];

  out.push(`# leash scan — account ${safeText(account)}`);
  out.push('');
  out.push(`Scan ${code(scan.id)}, ${safeText(scan.startedAt)} → ${safeText(scan.finishedAt)}, leash ${safeText(report.tool.version)}.`);
  out.push(`${summary.principals} principals, ${summary.agentPrincipals} used by AI agents; ${report.findings.length} findings (${summary.suppressedFindings} suppressed).`);
  out.push('');
  out.push('| severity | open findings |');
  out.push('| --- | ---: |');
  for (const s of SEVERITIES) out.push(`| ${s} | ${summary.findingsBySeverity[s]} |`);
  out.push('');

  const agents = report.principals.filter((p) => p.isAgent);
  const topAgents = firstK(agents, topPrincipals, (a, b) => b.riskScore - a.riskScore || (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  out.push('## Agent principals by risk');
  out.push('');
  if (agents.length === 0) {
    out.push('No principal was identified as used by an AI agent.');
  } else {
    const open = new Map<string, number>();
    for (const f of report.findings) if (!f.suppressed) open.set(f.principalArn, (open.get(f.principalArn) ?? 0) + 1);
    out.push('| principal | agent kind | risk | allowed actions | destructive | escalation paths | open findings | evidence |');
    out.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const p of topAgents) {
      const tools = [...new Set(p.agentEvidence.map((e) => e.tool ?? e.kind))].join(', ');
      out.push(
        `| ${cell(p.name)} (${safeText(p.kind)}) | ${p.agentKind === 'ai-driven-human-session' ? "engineer's session driven by an AI tool" : 'agent principal'} | ${p.riskScore} | ${p.permissions.allowedActionCount} | ${p.permissions.destructiveActions.length} | ${p.permissions.escalationTechniques.length} | ${open.get(p.arn) ?? 0} | ${cell(tools)} |`,
      );
    }
    if (agents.length > topPrincipals) out.push(`\n…and ${agents.length - topPrincipals} more in report.json.`);
  }
  out.push('');

  const openFindings = report.findings.filter((f) => !f.suppressed);
  const worst = firstK(openFindings, topFindings, (a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (openFindings.length > 0) {
    out.push('## Top findings');
    out.push('');
    for (const f of worst) out.push(`- **${safeText(f.severity)}** ${cell(f.title)} — ${code(f.principalArn)}${f.fixIds.length > 0 ? ' (fix available)' : ''}`);
    if (openFindings.length > topFindings) out.push(`- …and ${openFindings.length - topFindings} more in report.json.`);
    out.push('');
  }

  // Actions the effective stage dropped (session 42), bounded: report.json has the whole list.
  const nowhere = nowhereEntries(report);
  if (nowhere.total > 0) {
    out.push(`## ${NOWHERE_HEADING}`);
    out.push('');
    out.push(NOWHERE_LEAD);
    out.push('');
    for (const e of nowhere.entries) {
      const more = e.count - e.shown.length;
      const shown = e.shown.map((x) => `${code(x.action)} (${oneLine(x.why)})`).join('; ');
      out.push(`- ${code(cutText(e.name, NAME_CHARS))} (${safeText(e.kind)}${e.isAgent ? ', agent' : ''}): ${nowhereCount(e)} — ${shown}${more > 0 ? `; and ${more}${e.cut ? ' or more' : ''} more in report.json` : ''}.`);
    }
    if (nowhere.total > nowhere.entries.length) out.push(`- …and ${plural(nowhere.total - nowhere.entries.length, 'more principal')} in report.json.`);
    out.push('');
  }

  // Markers of agent frameworks or MCP servers leash does not know yet: the registry grows from these.
  const unknown = report.unrecognisedAgentTooling ?? [];
  if (unknown.length > 0) {
    out.push('## Unrecognised agent tooling');
    out.push('');
    for (const u of unknown.slice(0, topFindings)) out.push(`- ${code(u.principalArn)}: ${code(u.userAgent)}`);
    if (unknown.length > topFindings) out.push(`- …and ${unknown.length - topFindings} more in report.json.`);
    out.push('Teach leash the tool with `agents.signatures` in leash.config.yaml.');
    out.push('');
  }

  const delta: ReportDelta | undefined = report.delta ?? (opts.previous ? computeDelta(opts.previous, report) : undefined);
  out.push('## Since the last scan');
  out.push('');
  if (!delta) {
    out.push('No previous scan to compare with.');
  } else {
    out.push(`Compared with ${code(delta.previousScanId)}:`);
    out.push(`- ${delta.newFindings.length} new, ${delta.resolvedFindings.length} resolved, ${delta.changedFindings.length} changed findings`);
    out.push(`- ${plural(delta.principalsAdded.length, 'principal')} added, ${delta.principalsRemoved.length} removed`);
    for (const g of delta.permissionGrowth.slice(0, topPrincipals)) out.push(`- agent ${code(g.arn)} grew from ${g.before} to ${g.after} allowed actions`);
    if (delta.permissionGrowth.length > topPrincipals) out.push(`- …and ${delta.permissionGrowth.length - topPrincipals} more agents grew; see report.json.`);
  }
  out.push('');

  const gaps = coverageGaps(report);
  out.push('## Coverage gaps');
  out.push('');
  if (gaps.length === 0) out.push('None: IAM was read completely and usage data covers every principal.');
  // A scan can fail on thousands of CloudTrail files; the list stays readable, report.json has them all.
  for (const g of gaps.slice(0, MAX_GAPS)) out.push(`- ${oneLine(g)}`);
  if (gaps.length > MAX_GAPS) out.push(`- …and ${gaps.length - MAX_GAPS} more (scan errors and notes) in report.json.`);
  out.push('');
  return out.join('\n');
}

/** What the scan could not see, in plain words: a gap makes "unused" unknowable, so it must be visible. */
export function coverageGaps(report: Report): string[] {
  const c = report.scan.coverage;
  const gaps: string[] = [];
  if (c.iam !== 'complete') gaps.push(`IAM authorization details were ${c.iam === 'partial' ? 'read only partly' : 'not read'}.`);
  if (c.usage.status === 'none') gaps.push('No usage data (CloudTrail or last-accessed): unused permissions cannot be told apart from needed ones.');
  else if (c.usage.status === 'partial') {
    const w = c.usage.window ? ` over ${c.usage.window.start} → ${c.usage.window.end}` : '';
    gaps.push(`Usage data is partial${w}: it covers ${c.usage.coveredPrincipals} of ${report.summary.principals} principals.`);
  }
  if (c.usage.unmappedEvents > 0) gaps.push(`${c.usage.unmappedEvents} CloudTrail events could not be mapped to IAM actions.`);
  if (c.scps === 'not-collected') gaps.push('Service control policies were not collected; effective permissions may be narrower.');
  for (const n of c.notes) gaps.push(n);
  for (const e of report.errors) gaps.push(`${e.source}: ${e.code} — ${e.message}${e.location ? ` (${e.location})` : ''}`);
  return gaps;
}
