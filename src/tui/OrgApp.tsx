// The organization view of the TUI: agent principals, findings and accounts of a `leash scan --org`
// run, each with an ACCOUNT column, and one account filter across all three tabs.
//   tab / shift+tab  switch tab        ↑ ↓ pgup pgdn  move
//   a / A            next / previous account (all → each account → all)
//   q                quit
import { Box, useApp, useInput } from 'ink';
import { useMemo, useState } from 'react';
import type { OrganizationAccountEntry } from '../model/organization-report.js';
import { Rows, seg, type Row } from './components/Rows.js';
import { severitySeg } from './components/severity.js';
import { truncate, windowStart } from './format.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import type { OrganizationView } from './org-files.js';

export type OrgTab = 'agents' | 'findings' | 'accounts';
const TABS: readonly OrgTab[] = ['agents', 'findings', 'accounts'];
const TAB_LABEL: Record<OrgTab, string> = { agents: 'Agent principals', findings: 'Findings', accounts: 'Accounts' };

export interface OrgAppProps {
  readonly view: OrganizationView;
  /** Where the report came from, for the title line. */
  readonly source: string;
  readonly initialTab?: OrgTab;
  readonly initialAccount?: string;
}

/** Account ids in the filter's cycle: every listed account, in the report's order. */
function accountIds(accounts: readonly OrganizationAccountEntry[]): string[] {
  return accounts.map((a) => a.id);
}

function accountLabel(accounts: readonly OrganizationAccountEntry[], id: string | undefined): string {
  if (id === undefined) return 'all';
  const a = accounts.find((x) => x.id === id);
  return a && a.name ? `${id} (${a.name})` : id;
}

export function orgRows(props: OrgAppProps & { tab: OrgTab; account: string | undefined; selected: number; width: number; height: number }): Row[] {
  const { view, tab, account, selected, width, height, source } = props;
  const r = view.report;
  const inAccount = <T extends { accountId: string }>(xs: readonly T[]): T[] => (account === undefined ? [...xs] : xs.filter((x) => x.accountId === account));
  const agents = inAccount(r.agentPrincipals);
  const findings = inAccount(view.findings);
  const accounts = account === undefined ? [...r.accounts] : r.accounts.filter((a) => a.id === account);
  const rows: Row[] = [];
  rows.push([
    seg('leash', { bold: true, color: 'cyan' }),
    seg(` — organization ${r.scan.organizationId} · ${r.coverage.accountsScanned} scanned, ${r.coverage.accountsFailed} failed, ${r.coverage.accountsSkipped} skipped · ${source}`, { dim: true }),
  ]);
  rows.push(
    TABS.flatMap((t) => {
      const n = t === 'agents' ? agents.length : t === 'findings' ? findings.length : accounts.length;
      return [seg(` ${TAB_LABEL[t]} (${n}) `, { inverse: t === tab, bold: t === tab }), seg(' ')];
    }),
  );
  rows.push([seg('[a/A] account: '), seg(accountLabel(r.accounts, account), { bold: account !== undefined }), seg('  [tab] next tab  [q] quit', { dim: true })]);
  if (view.unreadable.length > 0) rows.push([seg(`${view.unreadable.length} account report(s) unreadable: ${view.unreadable.map((u) => u.accountId).join(', ')} (their findings are not listed)`, { color: 'yellow' })]);

  const body: Row[] = [];
  let header: string;
  const acct = (id: string) => id.padEnd(13);
  if (tab === 'agents') {
    const nameW = Math.max(12, width - 56);
    header = `  ${'ACCOUNT'.padEnd(13)} ${'NAME'.padEnd(nameW)} KIND   RISK  WORST     FINDINGS`;
    agents.forEach((p, i) => {
      const sel = i === selected;
      body.push([
        seg(sel ? '❯ ' : '  ', { color: 'cyan' }),
        seg(acct(p.accountId), { bold: sel }),
        seg(` ${truncate(p.name, nameW).padEnd(nameW)}`, { bold: sel, inverse: sel }),
        seg(` ${String(p.kind).padEnd(6)}`),
        seg(`${String(p.riskScore).padStart(4)}  `),
        severitySeg(p.highestSeverity, 9),
        seg(` ${String(p.findings).padStart(8)}`),
      ]);
    });
  } else if (tab === 'findings') {
    const titleW = Math.max(12, width - 68);
    header = `  ${'ACCOUNT'.padEnd(13)} SEVERITY  ${'PRINCIPAL'.padEnd(20)} ${'CHECK'.padEnd(22)} ${'TITLE'}`;
    findings.forEach((f, i) => {
      const sel = i === selected;
      body.push([
        seg(sel ? '❯ ' : '  ', { color: 'cyan' }),
        seg(acct(f.accountId), { bold: sel }),
        seg(' '),
        severitySeg(f.severity, 9),
        seg(` ${truncate(f.principalName, 20).padEnd(20)}`, { bold: sel, inverse: sel }),
        seg(` ${truncate(f.checkId, 22).padEnd(22)} `),
        seg(truncate(f.title, titleW)),
        seg(f.suppressed ? ' (suppressed)' : '', { color: 'yellow' }),
      ]);
    });
  } else {
    header = `  ${'ACCOUNT'.padEnd(13)} ${'NAME'.padEnd(18)} STATUS    PRINCIPALS  AGENTS  CRIT  HIGH  REASON`;
    accounts.forEach((a, i) => {
      const sel = i === selected;
      const c = r.countsByAccount[a.id];
      body.push([
        seg(sel ? '❯ ' : '  ', { color: 'cyan' }),
        seg(acct(a.id), { bold: sel, inverse: sel }),
        seg(` ${truncate(a.name ?? '', 18).padEnd(18)} `),
        seg(a.status.padEnd(9), { color: a.status === 'failed' ? 'red' : a.status === 'skipped' ? 'yellow' : 'green' }),
        seg(` ${String(c?.principals ?? '-').padStart(10)}  ${String(c?.agentPrincipals ?? '-').padStart(6)}  ${String(c?.findingsBySeverity.critical ?? '-').padStart(4)}  ${String(c?.findingsBySeverity.high ?? '-').padStart(4)}  `),
        seg(a.reason ?? '', { dim: true }),
      ]);
    });
  }
  rows.push([seg(header, { dim: true })]);
  if (body.length === 0) {
    rows.push(account === undefined ? '  Nothing here.' : '  Nothing in this account. Press a to show the next account.');
    return rows;
  }
  const room = Math.max(1, height - rows.length);
  const start = windowStart(body.length, selected, room);
  rows.push(...body.slice(start, start + room));
  return rows;
}

export function OrgApp(props: OrgAppProps) {
  const { exit } = useApp();
  const { columns, rows: termRows } = useTerminalSize();
  const [tab, setTab] = useState<OrgTab>(props.initialTab ?? 'agents');
  const [account, setAccount] = useState<string | undefined>(props.initialAccount);
  const [selected, setSelected] = useState(0);
  const ids = useMemo(() => accountIds(props.view.report.accounts), [props.view]);
  const count = useMemo(() => {
    const inAcct = <T extends { accountId: string }>(xs: readonly T[]) => (account === undefined ? xs.length : xs.filter((x) => x.accountId === account).length);
    if (tab === 'agents') return inAcct(props.view.report.agentPrincipals);
    if (tab === 'findings') return inAcct(props.view.findings);
    return account === undefined ? props.view.report.accounts.length : 1;
  }, [props.view, tab, account]);
  const page = Math.max(1, termRows - 8);

  useInput((input, key) => {
    if (input === 'q') return exit();
    if (key.tab) {
      const i = TABS.indexOf(tab);
      setTab(TABS[(i + (key.shift ? TABS.length - 1 : 1)) % TABS.length]!);
      setSelected(0);
      return;
    }
    if (input === 'a' || input === 'A') {
      // all → first → … → last → all (A goes the other way).
      const pos = account === undefined ? -1 : ids.indexOf(account);
      const next = input === 'a' ? pos + 1 : pos === -1 ? ids.length - 1 : pos - 1;
      setAccount(next < 0 || next >= ids.length ? undefined : ids[next]);
      setSelected(0);
      return;
    }
    if (key.downArrow) setSelected((s) => Math.min(Math.max(0, count - 1), s + 1));
    else if (key.upArrow) setSelected((s) => Math.max(0, s - 1));
    else if (key.pageDown) setSelected((s) => Math.min(Math.max(0, count - 1), s + page));
    else if (key.pageUp) setSelected((s) => Math.max(0, s - page));
  });

  return (
    <Box flexDirection="column">
      <Rows rows={orgRows({ ...props, tab, account, selected: Math.min(selected, Math.max(0, count - 1)), width: columns, height: termRows - 1 })} width={columns} />
    </Box>
  );
}
