// The terminal summary `leash scan` prints: what matters first, what leash could not see last.
import type { Report } from '../model/report.js';
import type { Finding } from '../model/finding.js';
import type { Fix } from '../model/fix.js';
import { SEVERITIES, type Severity } from '../model/finding.js';
import { safeDeep, safeText } from '../safe/text.js';
import { plural } from '../words.js';
import { nowhereCount, nowhereEntries, NOWHERE_HEADING, type NowhereLimits } from './allowed-nowhere.js';

/** The terminal shows fewer than the files: five principals, three actions each, short reasons. */
const SUMMARY_NOWHERE: NowhereLimits = { principals: 5, actions: 3, whyChars: 120 };

export interface SummaryStyle {
  readonly color: boolean;
  /** Terminal columns (default 80): principal names longer than their column are cut in the middle; Infinity: never cut. */
  readonly width?: number;
}

const DEFAULT_COLUMNS = 80;

/** Room for a principal name on a summary line: what is left of the line, within IAM's 64-character names. */
export function nameColumnWidth(columns = DEFAULT_COLUMNS): number {
  // Not a terminal (a pipe, a file, a log): nothing to fit, names stay whole.
  if (!Number.isFinite(columns)) return Number.POSITIVE_INFINITY;
  return Math.max(24, Math.min(64, columns - 36));
}

// East Asian Wide/Fullwidth blocks (Unicode UAX #11), enough for names and paths a terminal shows.
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]|\p{Emoji_Presentation}/u;
const ZERO = /[\p{M}\p{Cc}\p{Cf}\u200d\ufe00-\ufe0f]/u;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function graphemeWidth(g: string): number {
  let w = 0;
  for (const cp of g) w += ZERO.test(cp) ? 0 : WIDE.test(cp) ? 2 : 1;
  // An emoji ZWJ sequence or a flag is one glyph two columns wide.
  return Math.min(w, 2);
}

/** Columns a string takes in a terminal (CJK and emoji count two, combining marks none). */
export function displayWidth(text: string): number {
  let w = 0;
  for (const { segment } of graphemes.segment(text)) w += graphemeWidth(segment);
  return w;
}

/** Pad with spaces to `width` terminal columns (String.padEnd counts UTF-16 units, not columns). */
export function padColumns(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/**
 * Fit `text` into `width` columns by cutting out its middle (`kiro-agent-pro…ing-us-east-1`): the
 * start says what it is, and names of one family (`…-staging`, `…-prod`) differ only at the end,
 * so the end gets the larger half. Only for terminal text; machine formats keep full names.
 */
export function truncateMiddle(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 1) return '…'.slice(0, Math.max(0, width));
  const parts = [...graphemes.segment(text)].map((s) => s.segment);
  const budget = width - 1;
  const headBudget = Math.floor(budget / 2);
  let head = '';
  let used = 0;
  for (const g of parts) {
    const w = graphemeWidth(g);
    if (used + w > headBudget) break;
    head += g;
    used += w;
  }
  let tail = '';
  let tailUsed = 0;
  for (let i = parts.length - 1; i >= 0; i--) {
    const w = graphemeWidth(parts[i]!);
    if (used + tailUsed + w > budget) break;
    tail = parts[i]! + tail;
    tailUsed += w;
  }
  return `${head}…${tail}`;
}

const CODES: Record<Severity, string> = { critical: '1;31', high: '31', medium: '33', low: '36', info: '2' };

export function renderSummary(input: Report, style: SummaryStyle = { color: false }, writtenTo?: string): string {
  // Every string from data shown escaped (a name with ESC or a newline prints as \x1b, \n). Only
  // what is shown goes through safeDeep: walking a whole 10,000-principal report took ~0.9 s.
  const scan = safeDeep(input.scan);
  const { summary } = input;
  const c = (code: string, s: string) => (style.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const sev = (s: Severity) => c(CODES[s], s.toUpperCase().padEnd(8));
  const lines: string[] = [];
  const name = (n: string) => truncateMiddle(safeText(n), nameColumnWidth(style.width));
  lines.push(c('1', `leash ${safeText(input.tool.version)} — account ${scan.account.id}`) + `  (scan ${scan.id})`);
  lines.push(`sources: ${scan.sources.map((s) => `${s.kind}${s.status !== 'ok' ? ` [${s.status}]` : ''}`).join(', ')}`);
  lines.push(`principals: ${summary.principals}, of which AI-agent principals: ${summary.agentPrincipals}`);
  lines.push('findings: ' + SEVERITIES.map((s) => `${summary.findingsBySeverity[s]} ${s}`).join(', ') + (summary.suppressedFindings ? ` (+${summary.suppressedFindings} suppressed)` : ''));
  lines.push('');
  // One pass over findings and fixes, indexed by principal: filtering the whole list per agent or
  // per finding was quadratic (seconds at 10,000 principals).
  const principalByArn = new Map(input.principals.map((p) => [p.arn, p]));
  const openOf = new Map<string, Finding[]>();
  const doorsOf = new Map<string, Finding[]>();
  for (const f of input.findings) {
    if (f.suppressed) continue;
    pushTo(openOf, f.principalArn, f);
    if (f.checkId === 'unused-agent-trust') pushTo(doorsOf, f.subject, f);
  }
  const fixesOf = new Map<string, Fix[]>();
  for (const fx of input.fixes) pushTo(fixesOf, fx.principalArn, fx);
  const agents = input.principals.filter((p) => p.isAgent);
  const agentArns = new Set(agents.map((p) => p.arn));
  if (agents.length > 0) {
    lines.push(c('1', 'Agent principals, riskiest first'));
    for (const raw of agents.slice(0, 8)) {
      const p = safeDeep(raw);
      const all = openOf.get(raw.arn) ?? [];
      const fs = safeDeep(all.slice(0, 4));
      const tools = [...new Set(p.agentEvidence.map((e) => e.tool).filter(Boolean))].join(', ');
      const kind = p.agentKind === 'ai-driven-human-session' ? "engineer's session driven by an AI tool" : p.kind;
      lines.push(`  ${String(p.riskScore).padStart(3)}  ${name(p.name)}  ${c('2', `(${kind}${tools ? `; ${tools}` : ''})`)}`);
      lines.push(`       ${plural(p.permissions.allowedActionCount, 'action')} allowed, ${p.permissions.destructiveActions.length} destructive, ${plural(p.permissions.escalationTechniques.length, 'escalation technique')}` + (p.baseline?.excessPercent !== undefined ? `, ${p.baseline.excessPercent}% beyond observed need` : ''));
      for (const f of fs) lines.push(`       ${sev(f.severity)} ${f.title}`);
      if (all.length > 4) lines.push(`       … ${all.length - 4} more`);
      // Roles that trust it and that it never assumed: the door closes from the role's side.
      const doors = doorsOf.get(`agent:${raw.arn}`) ?? [];
      if (doors.length > 0) lines.push(`       trusted by, never assumed: ${doors.slice(0, 4).map((f) => name(principalByArn.get(f.principalArn)?.name ?? f.principalArn)).join(', ')}${doors.length > 4 ? ` and ${doors.length - 4} more` : ''} (trust fix on each role)`);
      for (const fx of safeDeep((fixesOf.get(raw.arn) ?? []).filter((x) => x.kind === 'replace-policy' || x.kind === 'permissions-boundary'))) {
        const b = fx.countsBefore, a = fx.countsAfter;
        const st = fx.verification.status ?? (fx.verification.safe ? 'verified' : 'not-safe');
        lines.push(`       fix: ${fx.title} — ${st === 'verified' ? c('32', 'verified') : st === 'unverified' ? c('33', 'unverified') : c('31', 'NOT safe')}` + (b && a ? ` (allowed ${b.allowedActions}→${a.allowedActions}, destructive ${b.destructiveActions}→${a.destructiveActions}, escalation ${b.escalationTechniques}→${a.escalationTechniques})` : ''));
      }
    }
    // Eight are shown; without this line 8 of 2,514 agent principals read as all of them.
    if (agents.length > 8) lines.push(`  … ${plural(agents.length - 8, 'more agent principal')} (leash tui: p, then a lists them all)`);
    lines.push('');
  }
  // Everyone else: one line per principal, worst first, with what kind of problem it has.
  const byPrincipal = new Map<string, Finding[]>();
  for (const f of input.findings) {
    if (!f.suppressed && (f.severity === 'critical' || f.severity === 'high') && !agentArns.has(f.principalArn)) pushTo(byPrincipal, f.principalArn, f);
  }
  if (byPrincipal.size > 0) {
    const rows = [...byPrincipal].map(([arn, fs]) => ({ p: principalByArn.get(arn), fs }))
      .sort((a, b) => (b.p?.riskScore ?? 0) - (a.p?.riskScore ?? 0));
    // A resource-exposed finding is held by a resource (a bucket open to another account), not a principal.
    const whose = rows.some((r) => r.p === undefined) ? 'principals and resources' : 'principals';
    lines.push(c('1', `Other ${whose} with critical/high findings`));
    for (const { p, fs } of rows.slice(0, 8)) {
      const worst = fs.some((f) => f.severity === 'critical') ? 'critical' : 'high';
      const kinds = new Map<string, number>();
      for (const f of fs) kinds.set(f.checkId, (kinds.get(f.checkId) ?? 0) + 1);
      const what = safeText([...kinds].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(', '));
      lines.push(`  ${sev(worst)} ${name(p?.name ?? fs[0]!.principalArn)}: ${what}`);
    }
    if (rows.length > 8) lines.push(`  … ${rows.length - 8} more ${whose}`);
    lines.push('');
  }
  // Actions the effective stage dropped (session 42): a few principals, a few actions each.
  const nowhere = nowhereEntries(input, SUMMARY_NOWHERE);
  if (nowhere.total > 0) {
    lines.push(c('1', NOWHERE_HEADING) + c('2', ' (boundary, SCP or Deny)'));
    for (const e of nowhere.entries) {
      const more = e.count - e.shown.length;
      lines.push(`  ${name(e.name)}: ${nowhereCount(e)}${more > 0 ? ` (${more}${e.cut ? ' or more' : ''} more in report.json)` : ''}`);
      for (const x of e.shown) lines.push(`       ${safeText(x.action)}: ${safeText(x.why)}`);
    }
    if (nowhere.total > nowhere.entries.length) lines.push(`  … ${plural(nowhere.total - nowhere.entries.length, 'more principal')}`);
    lines.push('');
  }
  const cov = scan.coverage;
  lines.push(c('1', 'What leash could not see'));
  lines.push(`  IAM: ${cov.iam}; usage: ${cov.usage.status}${cov.usage.window ? ` (${cov.usage.window.start} → ${cov.usage.window.end}, ${cov.usage.recordsRead} records, ${cov.usage.unmappedEvents} unmapped)` : ''}; SCPs: ${cov.scps}${cov.inventory ? `; resources: ${cov.inventory.resources} (${cov.inventory.withPolicy} with a resource policy, ${cov.inventory.policyUnknown} unknown${cov.inventory.status === 'partial' ? ', partial' : ''})` : ''}`);
  for (const n of cov.notes) lines.push(`  - ${n}`);
  if (input.errors.length > 0) {
    lines.push(`  ${input.errors.length} error(s):`);
    for (const e of input.errors.slice(0, 5)) lines.push(`  ! ${safeText(e.message)}`);
  }
  if (writtenTo) {
    lines.push('');
    lines.push(`report written to ${safeText(writtenTo)}`);
  }
  return lines.join('\n');
}

function pushTo<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
