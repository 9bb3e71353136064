import type { Finding } from '../../model/finding.js';
import type { PrincipalReport, Report } from '../../model/report.js';
import { isNewFinding, actsForAgent, bar, evidenceSummary, findingsFor, grantedVsUsed, jsonLines, plural, SEVERITY_COLOR, severityLabel, truncate, windowStart, wrapText } from '../format.js';
import { Rows, seg } from '../components/Rows.js';
import type { Row } from '../components/Rows.js';
import { severitySeg } from '../components/severity.js';
import { DETAIL_TABS } from '../view.js';
import { queryPaths } from '../../graph/query.js';
import { hopText } from '../../graph/describe.js';
import { closesFinding, fixesForFinding, fixesOf, fixListRows } from './FixList.js';
import type { DetailState, DetailTab } from '../view.js';

export interface PrincipalDetailProps {
  readonly report: Report;
  readonly principal: PrincipalReport;
  readonly state: DetailState;
  readonly width: number;
  readonly height: number;
}

const TAB_LABEL: Record<DetailTab, string> = {
  findings: 'Findings',
  fixes: 'Fixes',
  access: 'Granted vs used',
  policies: 'Policies & trust',
  agent: 'Why agent',
  reach: 'Can become',
  blast: 'Blast radius',
};

/**
 * The tab names, the selected one in brackets. When they do not fit the width, tabs are dropped
 * from the left (then the right) until the selected one shows: at 100 columns the last tabs
 * would otherwise be cut off exactly when they are selected.
 */
function tabStrip(report: Report, p: PrincipalReport, findings: number, tab: DetailTab, width: number): Row {
  const label = (t: DetailTab) => (t === 'findings' ? `${TAB_LABEL[t]} ${findings}` : t === 'fixes' ? `${TAB_LABEL[t]} ${fixesOf(report, p.arn).length}` : TAB_LABEL[t]);
  const text = (t: DetailTab) => (t === tab ? `[${label(t)}]` : ` ${label(t)} `);
  const size = (tabs: readonly DetailTab[]) => tabs.reduce((n, t, i) => n + text(t).length + (i === 0 ? 0 : 3), 0) + (tabs[0] !== DETAIL_TABS[0] ? 2 : 0);
  let shown: DetailTab[] = [...DETAIL_TABS];
  while (shown.length > 1 && size(shown) > width && shown[0] !== tab) shown = shown.slice(1);
  while (shown.length > 1 && size(shown) > width && shown[shown.length - 1] !== tab) shown = shown.slice(0, -1);
  return [
    ...(shown[0] !== DETAIL_TABS[0] ? [seg('‹ ', { dim: true })] : []),
    ...shown.flatMap((t, i) => [seg(i === 0 ? '' : ' │ ', { dim: true }), seg(text(t), { bold: t === tab, color: t === tab ? 'cyan' : undefined })]),
  ];
}

function headerRows(report: Report, p: PrincipalReport, tab: DetailTab, width: number): Row[] {
  const fs = findingsFor(report, p.arn);
  const tools = [...new Set(p.agentEvidence.map((e) => e.tool).filter((t): t is string => t !== undefined))];
  const perms = p.permissions;
  return [
    [
      seg(p.name, { bold: true }),
      seg(`  ${p.kind}  `),
      ...(p.agentKind === 'ai-driven-human-session'
        ? [seg(`AGENT: HUMAN SESSION DRIVEN BY ${tools.join(', ').toUpperCase() || 'AN AI TOOL'}`, { color: 'red', bold: true })]
        : p.isAgent
          ? [seg(`AGENT${tools.length ? ` (${tools.join(', ')})` : ''}`, { color: 'cyan', bold: true })]
          : [seg('not an agent', { dim: true })]),
      seg(`  risk ${p.riskScore}`),
    ],
    [seg(p.arn, { dim: true })],
    [
      seg(`allowed ${perms.allowedActionCount} actions · `),
      seg(`${perms.destructiveActions.length} destructive`, { color: perms.destructiveActions.length ? 'red' : undefined }),
      seg(' · '),
      seg(plural(perms.escalationTechniques.length, 'escalation technique'), { color: perms.escalationTechniques.length ? 'red' : undefined }),
      // Schema 1.13.0: granted by action, left on no resource by its layers, not counted (report.json says why).
      ...(perms.allowedNowhere?.length ? [seg(` · ${perms.allowedNowhere.length} allowed nowhere`, { dim: true })] : []),
    ],
    tabStrip(report, p, fs.filter((f) => !f.suppressed).length, tab, width),
  ];
}

function findingDetailRows(report: Report, f: Finding, width: number): Row[] {
  const rows: Row[] = [];
  rows.push([seg(severityLabel(f.severity), { color: SEVERITY_COLOR[f.severity], bold: true }), seg(` ${f.title}`, { bold: true })]);
  for (const line of wrapText(f.description, width).slice(0, 2)) rows.push(line);
  if (f.suppressed) {
    const s = f.suppressed;
    rows.push([seg(`Suppressed: ${s.reason}${s.by ? ` (by ${s.by})` : ''}${s.until ? ` until ${s.until}` : ''}`, { color: 'yellow' }), seg(' · u unsuppress', { dim: true })]);
  }
  const fixes = fixesForFinding(report, f.fixIds, f.id);
  // Say which linked fixes close this finding: a trust-policy fix is linked from the worst finding
  // though it resolves nothing, and "Fixes: …, trust-policy" read as if it stopped the deletes.
  const closing = fixes.filter((x) => closesFinding(x, f.id));
  const others = fixes.length - closing.length;
  const suppressKey = seg(f.suppressed ? '' : ' · s suppress', { dim: true });
  rows.push(fixes.length === 1
    ? [seg(closing.length === 1 ? 'Fix: ' : 'Fix (does not close this finding): ', { bold: true }), seg(`${fixes[0]!.title} — press enter`, { color: 'cyan' }), suppressKey]
    : fixes.length > 1
      ? [
          seg(closing.length > 0 ? `Closed by: ${closing.map((x) => x.kind).join(', ')}` : 'No linked fix closes this finding', { bold: true }),
          seg(`${others > 0 ? ` (+${others} related)` : ''} — press enter to choose`, { color: 'cyan' }),
          suppressKey,
        ]
      : [seg('No fix generated for this finding.', { dim: true }), suppressKey]);
  for (const e of f.evidence) {
    rows.push([seg(e.kind === 'statement' ? 'Granted by ' : 'Evidence: ', { dim: true }), seg(evidenceSummary(e))]);
    if (e.kind === 'statement') for (const line of jsonLines(e.statement, width - 2)) rows.push(`  ${line}`);
  }
  return rows;
}

function findingsTab(report: Report, p: PrincipalReport, state: DetailState, width: number, height: number): Row[] {
  const fs = findingsFor(report, p.arn);
  if (fs.length === 0) return ['No findings for this principal.'];
  const listRoom = Math.max(2, Math.min(fs.length, Math.floor(height / 3)));
  const start = windowStart(fs.length, state.selected, listRoom);
  const rows: Row[] = fs.slice(start, start + listRoom).map((f, k) => {
    const sel = start + k === state.selected;
    return [
      seg(sel ? '❯ ' : '  ', { color: 'cyan' }),
      severitySeg(f.severity, 9),
      seg(f.title, { bold: sel, inverse: sel, dim: f.suppressed !== undefined }),
      seg(f.suppressed ? '  (suppressed)' : '', { dim: true }),
      seg(isNewFinding(report, f) ? '  NEW' : '', { color: 'green', bold: true }),
    ];
  });
  rows.push([seg('─'.repeat(Math.max(0, width)), { dim: true })]);
  const f = fs[Math.min(state.selected, fs.length - 1)];
  if (!f) return rows;
  const detail = findingDetailRows(report, f, width);
  const room = height - rows.length;
  if (detail.length > room) {
    rows.push(...detail.slice(0, Math.max(0, room - 1)), [seg(`… ${detail.length - room + 1} more lines (e exports the full view)`, { dim: true })]);
  } else rows.push(...detail);
  return rows;
}

function accessTab(p: PrincipalReport, width: number): Row[] {
  const rows: Row[] = [];
  const services = grantedVsUsed(p);
  const b = p.baseline;
  if (b) {
    const excess = b.excessPercent !== undefined ? `, ${b.excessPercent}% excess` : '';
    rows.push([seg('Baseline ', { dim: true }), seg(`${b.basis}: needs ${b.neededActions} of ${b.grantedActions} granted${excess}${b.covered ? '' : ' (usage does not cover this principal: unknown, not unused)'}`)]);
  }
  if (!p.usage) rows.push([seg('No usage data for this principal: "used" is unknown, not zero.', { color: 'yellow' })]);
  else rows.push([seg('Used ', { dim: true }), seg(`${p.usage.actionsUsed} distinct actions${p.usage.lastSeen ? `, last seen ${p.usage.lastSeen}` : ''}`)]);
  if (services.length === 0) {
    rows.push('No permissions granted.');
    return rows;
  }
  const svcWidth = 18;
  const barWidth = Math.max(4, Math.floor((width - svcWidth - 16) / 2));
  const max = Math.max(1, ...services.map((s) => Math.max(s.granted, s.used ?? 0)));
  rows.push([seg(`${'SERVICE'.padEnd(svcWidth)}${'GRANTED'.padEnd(barWidth + 7)}USED`, { dim: true })]);
  for (const s of services) {
    rows.push([
      seg(truncate(s.service, svcWidth - 1).padEnd(svcWidth)),
      seg(String(s.granted).padStart(5) + ' '),
      seg(bar(s.granted, max, barWidth), { color: 'red' }),
      seg(' '),
      seg(s.used === undefined ? '    ?' : String(s.used).padStart(5)),
      seg(' '),
      seg(s.used === undefined ? '' : bar(s.used, max, barWidth), { color: 'green' }),
    ]);
  }
  return rows;
}

function policiesTab(p: PrincipalReport, width: number): Row[] {
  const rows: Row[] = [[seg(`Policies attached (${p.policies.length})`, { bold: true })]];
  for (const pol of p.policies) rows.push(`  ${pol.kind.padEnd(14)} ${pol.name}${pol.arn ? `  ${pol.arn}` : ''}`);
  rows.push([seg('Permissions boundary: ', { bold: true }), seg(p.boundaryArn ?? 'none')]);
  if (p.trustPolicy === undefined) rows.push([seg('Trust policy: ', { bold: true }), seg(p.kind === 'user' ? 'none (users are not assumed)' : 'not in report')]);
  else {
    rows.push([seg('Trust policy', { bold: true })]);
    for (const line of jsonLines(p.trustPolicy, width - 2)) rows.push(`  ${line}`);
  }
  return rows;
}

function agentTab(p: PrincipalReport): Row[] {
  const rows: Row[] = [];
  if (!actsForAgent(p) || p.agentEvidence.length === 0) rows.push('leash found no evidence that an AI agent uses this principal.');
  else {
    rows.push([seg(`Why leash treats ${p.name} as an AI agent`, { bold: true })]);
    for (const e of p.agentEvidence) {
      rows.push([
        seg(`  ${e.confidence.toUpperCase().padEnd(7)}`, { color: e.confidence === 'high' ? 'red' : e.confidence === 'medium' ? 'yellow' : undefined }),
        seg(`${e.kind.padEnd(27)}`, { dim: true }),
        seg(e.detail),
        seg(e.tool ? `  (${e.tool})` : '', { color: 'cyan' }),
      ]);
    }
  }
  if (p.usage?.userAgents.length) {
    rows.push(' ');
    rows.push([seg('User agents seen', { bold: true })]);
    for (const ua of p.usage.userAgents) rows.push(`  ${ua}`);
  }
  const sessions = p.usage?.sessions ?? [];
  if (sessions.length > 0) {
    rows.push(' ');
    rows.push([seg('Recent sessions (latest first)', { bold: true }), seg('  a shows what it did (tab: one session at a time); c contains the role; leash contain <session ARN> stops one alone', { dim: true })]);
    for (const x of sessions) {
      rows.push([
        seg(`  ${x.lastSeen.padEnd(21)}`, { dim: true }),
        seg((x.name ?? '(no session name)').padEnd(28)),
        seg(x.sourceIdentity !== undefined ? ` source identity ${x.sourceIdentity}` : ''),
        seg(` ${x.events} events`, { dim: true }),
        seg(x.tools?.length ? `  (${x.tools.join(', ')})` : '', { color: 'cyan' }),
      ]);
    }
  }
  return rows;
}

const TIER_LABEL: Record<string, string> = { admin: 'administrator', 'iam-write': 'IAM write', destructive: 'destructive actions', 'credential-access': 'credential access', 'data-read': 'data reads on *', other: 'other actions only (lateral)' };

/** What the principal can become: the path to what it gains, then every principal it reaches, nearest first. */
function reachTab(report: Report, p: PrincipalReport, width: number): Row[] {
  const g = report.graph;
  if (!g) return [[seg('This report has no access graph (written before leash 1.2): scan again to see what this principal can become.', { dim: true })]];
  const entry = g.reach.find((r) => r.principalArn === p.arn);
  const names = new Map(report.principals.map((x) => [x.arn, x.name]));
  const label = (id: string) => names.get(id) ?? g.labels?.[id] ?? id;
  if (!entry) return [`${p.name} can act as no other principal.`];
  const rows: Row[] = [];
  rows.push([seg(`Can become ${plural(entry.principals, 'principal')}`, { bold: true }), seg(entry.gains ? ` · gains ${TIER_LABEL[entry.gains]}` : ' · gains nothing that ranks above its own power', { color: entry.gains === 'admin' || entry.gains === 'destructive' || entry.gains === 'iam-write' ? 'red' : undefined })]);
  const pw = (x: typeof entry.power) => `${x.admin ? 'ADMIN · ' : ''}${x.iamWrite} IAM write · ${x.destructive} destructive · ${x.credentialAccess} credential · ${x.dataRead} data reads on * · ${x.total} actions`;
  rows.push([seg('  itself:      ', { dim: true }), seg(pw(entry.power))]);
  rows.push([seg('  with reach:  ', { dim: true }), seg(pw(entry.reachPower))]);
  // Gained by where, not what (schema 1.11.0): the counts above cannot show it, the same actions are on both sides.
  if (entry.widened && entry.widened.length > 0) {
    wrapText(`${entry.widened.join(', ')}: itself only on named resources, on every resource through others`, Math.max(20, width - 16))
      .forEach((line, i) => rows.push([seg(i === 0 ? '  by where:    ' : '               ', { dim: true }), seg(line)]));
  }
  if (entry.path) {
    rows.push(' ');
    rows.push([seg(`Shortest path to what it gains (${entry.path.condition === 'none' && entry.path.target === 'proven' ? 'proven' : entry.path.condition !== 'none' ? `only if ${entry.path.condition === 'approval' ? 'an approval' : 'an unknown'} condition holds` : 'if existing compute carries the role'})`, { bold: true })]);
    entry.path.hops.forEach((h, i) => {
      for (const line of wrapText(`${i + 1}. ${hopText(h, label)}${h.adds ? ` — adds ${TIER_LABEL[h.adds]}` : ''}`, width - 2)) rows.push(line);
      for (const e of h.evidence) rows.push([seg(`     ${e.side}: ${label(e.principalArn)} ${e.policy}${e.sid ? ` (${e.sid})` : ''} statement ${e.statementIndex}`, { dim: true })]);
    });
  }
  const reached = queryPaths(g, { from: p.arn, isGoal: (id) => !id.startsWith('hub:') && id !== p.arn, limit: 50 });
  if (reached.length > 0) {
    rows.push(' ');
    rows.push([seg('Every principal it reaches, nearest first', { bold: true })]);
    // Roles that name this agent in their trust policy but were never assumed by it (unused-agent-trust).
    const unused = new Set(report.findings.filter((f) => f.checkId === 'unused-agent-trust' && f.subject === `agent:${p.arn}`).map((f) => f.principalArn));
    for (const r of reached) {
      rows.push([
        seg(`  ${truncate(label(r.to), 40).padEnd(41)}`),
        seg(`${plural(r.hops.length, 'hop')} · ${r.hops[0]!.technique}${r.condition !== 'none' ? ` · ${r.condition}` : ''}${r.target === 'inferred' ? ' · inferred' : ''}`, { dim: true }),
        ...(unused.has(r.to) ? [seg(' · never assumed', { color: 'yellow' as const })] : []),
      ]);
    }
  }
  return rows;
}

const TYPE_NOUN: Record<string, string> = {
  'cloudformation:stack': 'stacks', 's3:bucket': 'buckets', 'dynamodb:table': 'tables', 'rds:db': 'databases', 'rds:cluster': 'DB clusters',
  'lambda:function': 'functions', 'ecs:cluster': 'ECS clusters', 'ecs:service': 'ECS services', 'eks:cluster': 'EKS clusters', 'kms:key': 'KMS keys',
  'secretsmanager:secret': 'secrets', 'sqs:queue': 'queues', 'sns:topic': 'topics', 'ecr:repository': 'repositories',
};

/** Blast radius by name: resources by type and environment, then each with the action and the path that reaches it. */
function blastTab(report: Report, p: PrincipalReport, width: number): Row[] {
  const b = p.blast;
  if (!b) {
    const inv = report.scan.coverage.inventory;
    return [[seg(inv ? `${p.name} can delete, change or read none of the ${inv.resources} inventoried resources.` : 'This report has no resource inventory: scan with --inventory FILE (an AWS Config snapshot or a leash inventory) or --resources to see which resources this principal can delete or read.', { dim: true })]];
  }
  const names = new Map(report.principals.map((x) => [x.arn, x.name]));
  const label = (id: string) => names.get(id) ?? report.graph?.labels?.[id] ?? id;
  const rows: Row[] = [];
  rows.push([seg(`Can act on ${plural(b.count, 'inventoried resource')}`, { bold: true }), seg(` · ${b.production} production`, { color: b.production > 0 ? 'red' : undefined })]);
  rows.push(' ');
  rows.push([seg(`  ${'type'.padEnd(16)}${'production'.padStart(12)}${'other'.padStart(8)}`, { dim: true })]);
  for (const [t, v] of Object.entries(b.byType)) {
    rows.push([seg(`  ${truncate(TYPE_NOUN[t] ?? t, 15).padEnd(16)}`), seg(String(v.production).padStart(12), { color: v.production > 0 ? 'red' : undefined }), seg(String(v.count - v.production).padStart(8))]);
  }
  let env = '';
  for (const r of b.resources) {
    if (r.environment !== env) {
      env = r.environment;
      rows.push(' ');
      rows.push([seg(env === 'production' ? 'Production' : env === 'non-production' ? 'Not production' : 'Environment unknown', { bold: true, color: env === 'production' ? 'red' : undefined })]);
    }
    const kinds = r.kinds.join(', ');
    rows.push([seg(`  ${truncate(r.name, 34).padEnd(35)}`), seg(`${(TYPE_NOUN[r.type] ?? r.type).replace(/s$/, '').padEnd(14)}`, { dim: true }), seg(kinds, { color: r.kinds.includes('delete') ? 'red' : undefined }), seg(r.condition !== 'none' ? ` · only if ${r.condition === 'approval' ? 'approved' : 'an unknown condition holds'}` : '', { dim: true })]);
    rows.push([seg(`      ${truncate(r.actions.join(', '), Math.max(20, width - 8))}`, { dim: true })]);
    if (r.through && r.path) for (const line of wrapText(`as ${label(r.through)}: ${r.path.hops.map((h) => hopText(h, label)).join('; ')}`, width - 8)) rows.push([seg(`      ${line}`, { color: 'yellow' })]);
  }
  if (b.count > b.resources.length) rows.push([seg(`  … and ${b.count - b.resources.length} more (leash blast ${p.name} --input … lists them all)`, { dim: true })]);
  return rows;
}

export function principalDetailRows({ report, principal, state, width, height }: PrincipalDetailProps): Row[] {
  const head = headerRows(report, principal, state.tab, width);
  const room = Math.max(1, height - head.length);
  if (state.tab === 'findings') return [...head, ...findingsTab(report, principal, state, width, room)];
  if (state.tab === 'fixes') return [...head, ...fixListRows(fixesOf(report, principal.arn), state.fixSelected ?? 0, width, room)];
  const body = tabBody(report, principal, state.tab, width);
  const start = Math.min(state.scroll, Math.max(0, body.length - room));
  return [...head, ...body.slice(start, start + room)];
}

/** How many body rows a scrolling tab has, so the App can bound scrolling. */
export function detailBodyLength(report: Report, principal: PrincipalReport, tab: DetailTab, width: number): number {
  if (tab === 'findings') return findingsFor(report, principal.arn).length;
  if (tab === 'fixes') return fixesOf(report, principal.arn).length;
  return tabBody(report, principal, tab, width).length;
}

function tabBody(report: Report, principal: PrincipalReport, tab: Exclude<DetailTab, 'findings' | 'fixes'>, width: number): Row[] {
  return tab === 'access' ? accessTab(principal, width) : tab === 'policies' ? policiesTab(principal, width) : tab === 'reach' ? reachTab(report, principal, width) : tab === 'blast' ? blastTab(report, principal, width) : agentTab(principal);
}

export function PrincipalDetail(props: PrincipalDetailProps) {
  return <Rows rows={principalDetailRows(props)} width={props.width} />;
}
