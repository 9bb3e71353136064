// `leash explain X`: what a check, a finding, an escalation technique or an IAM action means to
// leash — the 2 a.m. question "why is this flagged, and is this action dangerous?".
import type { Command } from 'commander';
import { checks } from '../../checks/index.js';
import { destructiveAction, escalationTechniques } from '../../checks/data.js';
import { credentialExposureActions, exfiltrationActions, loggingTamperingActions } from '../../checks/action-lists.js';
import { catalog } from '../../iam/catalog.js';
import { checkAccount, loadReport } from '../../report/history.js';
import { InputError } from '../../model/errors.js';
import { reportError } from './scan.js';
import { exitCodesHelp } from '../exit-codes.js';
import { safeDeep, safeLines } from '../../safe/text.js';

export function explain(subject: string, report?: Awaited<ReturnType<typeof loadReport>>): string {
  const lines: string[] = [];
  const check = checks.find((c) => c.id === subject);
  if (check) {
    lines.push(`check ${check.id} — ${check.title} (up to ${check.severity})`, '', check.rationale, '', ...check.references.map((r) => `  ${r}`));
    return lines.join('\n');
  }
  const technique = escalationTechniques().find((t) => t.id === subject);
  if (technique) {
    lines.push(`escalation technique ${technique.id} — ${technique.name} (${technique.category}, ${technique.severity})`, '', technique.description, '', 'requires (every line; any action on a line):');
    for (const g of technique.requires) lines.push(`  ${g.join(' | ')}`);
    lines.push('', ...technique.references.map((r) => `  ${r}`));
    return lines.join('\n');
  }
  const action = catalog().lookup(subject);
  if (action) {
    lines.push(`${action.key} — ${catalog().serviceNames.get(action.service) ?? action.service}`, `access level: ${action.accessLevels.join(', ')}`);
    lines.push(`resource types: ${action.resourceTypes.length ? action.resourceTypes.map((r) => `${r.name}${r.required ? '' : ' (optional)'}`).join(', ') : 'none (only Resource "*")'}`);
    if (action.conditionKeys.length) lines.push(`condition keys: ${action.conditionKeys.join(', ')}`);
    const d = destructiveAction(action.key);
    if (d) lines.push(`leash: DESTRUCTIVE (${d.category}) — ${d.why}`);
    const lists: [string, typeof exfiltrationActions][] = [['data exfiltration', exfiltrationActions], ['credential exposure', credentialExposureActions], ['logging tampering', loggingTamperingActions]];
    for (const [name, list] of lists) {
      const hit = list.actions.find((x) => x.action.toLowerCase() === action.key.toLowerCase());
      if (hit) lines.push(`leash: ${name} — ${hit.why}`);
    }
    const used = escalationTechniques().filter((t) => t.requires.some((g) => g.some((x) => x.toLowerCase() === action.key.toLowerCase())));
    for (const t of used) lines.push(`leash: part of escalation technique ${t.id} (${t.name})`);
    return lines.join('\n');
  }
  const finding = report?.findings.find((f) => f.id === subject || f.id.startsWith(subject));
  if (finding) {
    lines.push(`${finding.severity.toUpperCase()} ${finding.title}`, `check ${finding.checkId} · principal ${finding.principalArn} · id ${finding.id}`, '', finding.description);
    for (const e of finding.evidence) {
      if (e.kind === 'statement') lines.push('', `granted by statement ${e.statementIndex}${e.sid ? ` (${e.sid})` : ''} of ${e.policy.kind} policy ${e.policy.name}:`, JSON.stringify(e.statement, null, 2));
      else if (e.kind === 'attribute') lines.push(`${e.name}: ${e.value}`);
      else lines.push(`seen: ${e.detail}`);
    }
    if (finding.remediation) lines.push('', `fix: ${finding.remediation}`);
    for (const id of finding.fixIds) {
      const fx = report?.fixes.find((x) => x.id === id);
      if (fx) lines.push(`  ${fx.verification.status ?? (fx.verification.safe ? 'verified' : 'not-safe')}: ${fx.title}${fx.verification.summary ? ` (${fx.verification.summary})` : ''}`);
    }
    if (finding.suppressed) lines.push('', `suppressed: ${finding.suppressed.reason}`);
    return lines.join('\n');
  }
  const close = suggestSubjects(subject);
  throw new InputError('leash explain', '', 'a check id, an escalation technique id, an IAM action (service:Action), or a finding id from the report', `${JSON.stringify(subject)}${close.length ? ` (did you mean ${close.join(', ')}?)` : ''}`);
}

/** Edit distance (insert, delete, substitute), for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Names `leash explain` knows that are close to a mistyped subject: check and technique ids, or
 * for `service:Action` the actions of that service (or the service prefixes, when it is the
 * service that is mistyped). Close = a few edits away, or containing what was typed.
 */
export function suggestSubjects(subject: string, max = 3): string[] {
  const typed = subject.trim().toLowerCase();
  if (typed === '') return [];
  let candidates: readonly string[];
  const colon = typed.indexOf(':');
  if (colon > 0) {
    const service = typed.slice(0, colon);
    const actions = catalog().byService.get(service);
    if (!actions) {
      // A mistyped service prefix (`lamda:`): the same action name under the services it is close to.
      const rest = typed.slice(colon + 1);
      return catalog().services
        .filter((s) => distance(s, service) <= 2)
        .flatMap((s) => catalog().lookup(`${s}:${rest}`)?.key ?? [])
        .slice(0, max);
    }
    candidates = actions.map((a) => a.key);
  } else {
    candidates = [...checks.map((c) => c.id), ...escalationTechniques().map((t) => t.id)];
  }
  const limit = Math.max(2, Math.floor(typed.length * 0.3));
  return candidates
    .map((c) => ({ c, d: distance(typed, c.toLowerCase()), contains: typed.length >= 4 && c.toLowerCase().includes(typed) }))
    .filter((x) => x.d <= limit || x.contains)
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, max)
    .map((x) => x.c);
}

export function register(program: Command): void {
  program
    .command('explain')
    .description('Explain a check, a finding (by id), an escalation technique, or an IAM action')
    .argument('<subject>', 'e.g. destructive-actions, iam:PassRole, ec2-passrole-run-instances, or a finding id')
    .option('--report <path>', 'report to look finding ids up in (report.json, a scan directory, latest)', 'latest')
    .option('--reports <dir>', 'root of the scan history', 'reports')
    .option('--account <id>', 'account whose history latest/previous refer to (needed when --reports holds several)')
    .addHelpText('after', exitCodesHelp({ 0: 'explained', 2: 'nothing by that name (close matches are suggested)' }))
    .action(async (subject: string, o: { report: string; reports: string; account?: string }) => {
      try {
        const looksLikeFinding = /^[0-9a-f]{6,20}$/.test(subject);
        let loadProblem: unknown;
        const report = looksLikeFinding ? await loadReport(o.report, { reportsRoot: o.reports, ...(o.account !== undefined ? { accountId: o.account } : {}) }).then((r) => { checkAccount(r, o.account, o.report); return r; }).catch((e: unknown) => { loadProblem = e; return undefined; }) : undefined;
        try {
          process.stdout.write(safeLines(explain(subject, report && safeDeep(report))) + '\n');
        } catch (e) {
          // "Not a finding id" is misleading when the report to look it up in could not be read.
          if (loadProblem instanceof Error) throw new Error(`${(e as Error).message}; the report for finding ids could not be read: ${loadProblem.message}`);
          throw e;
        }
      } catch (e) {
        process.exitCode = reportError(e);
      }
    });
}
