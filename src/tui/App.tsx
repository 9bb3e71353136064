// The TUI shell: holds navigation state, routes keys, and calls back out for anything that touches
// files. Screens are pure functions of the Report and this state; no analysis happens here.
import { useEffect, useRef, useState } from 'react';
import { Box, useApp } from 'ink';
import type { Key } from 'ink';
import type { Finding, Suppression } from '../model/finding.js';
import type { Fix } from '../model/fix.js';
import type { PrincipalReport, Report, SessionSummary } from '../model/report.js';
import { activityPlan } from '../activity/sources.js';
import { isIsoDate } from '../config/suppressions.js';
import { exportView } from './export.js';
import type { ViewExport } from './export.js';
import { clamp, colorsEnabled, filterPrincipals, findingsFor, hasPreviousScan, nextSeverityFilter, riskiestAgents, SORT_KEYS } from './format.js';
import type { PrincipalFilter } from './format.js';
import { useKeymap } from './hooks/use-keymap.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { progressText } from './scan-loader.js';
import type { ProgressListener } from './scan-loader.js';
import { ColorContext } from './theme.js';
import { cycle, DETAIL_TABS, FIX_MODES } from './view.js';
import type { DetailState, FixListState, FixState, ListState, View } from './view.js';
import { FixList, fixesForFinding, fixesOf } from './screens/FixList.js';
import { Rows, seg } from './components/Rows.js';
import type { Row } from './components/Rows.js';
import { FixView, fixBodyRows } from './screens/FixView.js';
import { Activity, activityBodyRows } from './screens/Activity.js';
import type { ActivityRead, ActivityResult } from './screens/Activity.js';
import { Help } from './screens/Help.js';
import { OVERVIEW_AGENT_LIMIT, Overview } from './screens/Overview.js';
import { detailBodyLength, PrincipalDetail } from './screens/PrincipalDetail.js';
import { PrincipalList } from './screens/PrincipalList.js';
import { NoReport, ScanProgressScreen } from './screens/ScanProgress.js';

export type ReportLoader = (onProgress: ProgressListener) => Promise<Report>;

export interface SuppressInput {
  readonly reason: string;
  readonly until?: string;
}

export interface TuiCallbacks {
  /** Write the fix's renderings somewhere a human can review them; resolves to the directory. */
  readonly onWriteFix: (fix: Fix, principal: PrincipalReport | undefined) => Promise<string>;
  /** Record a suppression; resolves to the marking to show and the file it went to. */
  readonly onSuppress: (finding: Finding, input: SuppressInput) => Promise<{ readonly suppressed: Suppression; readonly file: string }>;
  /** Write an export of the current view; resolves to the file path. */
  readonly onExport: (view: ViewExport, format: 'json' | 'markdown') => Promise<string>;
  /** Remove a finding's suppression; resolves to the file it was removed from. */
  readonly onUnsuppress?: (finding: Finding) => Promise<{ readonly file: string }>;
  /** Write the containment plan (`leash contain`) of a principal; resolves to its folder. */
  readonly onContain?: (report: Report, principal: PrincipalReport) => Promise<string>;
  /** Read what a principal (or one of its sessions) did from the report's local trail files; never calls AWS. */
  readonly onActivity?: (report: Report, principal: PrincipalReport, session?: SessionSummary) => Promise<ActivityResult>;
}

export interface AppProps extends TuiCallbacks {
  /** A report to open straight away. */
  readonly report?: Report;
  /** Or: produce one first (a scan), showing its progress. */
  readonly load?: ReportLoader;
  /** Offered on the empty state (`d`) when no report exists. */
  readonly demoScan?: ReportLoader;
  /** Shown in the title bar: the report file or the scan being run. */
  readonly source?: string;
  readonly reportsDir?: string;
  /** Defaults to the NO_COLOR convention. */
  readonly colors?: boolean;
  /** Clock for expiry validation (tests pin it). */
  readonly now?: () => Date;
  /** The loading line's text (default: source, else "Scanning"). */
  readonly loadingLabel?: string;
  /** A failed load ends the app with the error (opening a report, a scan of input named on the command line) instead of showing it. */
  readonly exitOnLoadError?: boolean;
  /** The load opens a written report (title "loading"), not a scan (title "scanning"). */
  readonly opening?: boolean;
  /** A warning for the status line at start (e.g. the scheduled scan is failing, so this report is old). */
  readonly notice?: string;
}

type Phase = { readonly kind: 'ready' } | { readonly kind: 'loading'; readonly label: string } | { readonly kind: 'failed'; readonly message: string } | { readonly kind: 'empty' };

type Prompt =
  | { readonly kind: 'search' }
  | { readonly kind: 'reason'; readonly finding: Finding; readonly value: string; readonly error?: string }
  | { readonly kind: 'until'; readonly finding: Finding; readonly reason: string; readonly value: string; readonly error?: string }
  | { readonly kind: 'export' };

interface State {
  readonly report: Report | undefined;
  readonly phase: Phase;
  readonly progress: readonly string[];
  readonly stack: readonly View[];
  readonly overviewSelected: number;
  readonly list: ListState;
  readonly detail: DetailState & { readonly arn: string };
  readonly fix: FixState;
  readonly fixList: FixListState;
  /** The Activity screen: which session (undefined: all calls), its read (`id` drops a stale one), scroll. */
  readonly activity: { readonly session: number | undefined; readonly read: ActivityRead; readonly id: number; readonly scroll: number };
  readonly prompt: Prompt | undefined;
  readonly help: boolean;
  readonly status: { readonly text: string; readonly tone: 'ok' | 'error' | 'busy' } | undefined;
}

const MIN_COLUMNS = 50;
const MIN_ROWS = 12;
/** Title bar + status line + key line, and one spare row so ink never has to scroll. */
const CHROME_ROWS = 4;

function initialState(props: AppProps): State {
  const phase: Phase = props.report ? { kind: 'ready' } : props.load ? { kind: 'loading', label: props.loadingLabel ?? props.source ?? 'Scanning' } : { kind: 'empty' };
  return {
    report: props.report,
    phase,
    progress: [],
    stack: [{ screen: 'overview' }],
    overviewSelected: 0,
    list: { selected: 0, query: '', agentsOnly: false, minSeverity: undefined, sort: 'risk', showSuppressed: false, newOnly: false },
    detail: { arn: '', tab: 'findings', selected: 0, scroll: 0 },
    fix: { mode: 'diff', scroll: 0 },
    fixList: { selected: 0 },
    activity: { session: undefined, read: { kind: 'not-read' }, id: 0, scroll: 0 },
    prompt: undefined,
    help: false,
    status: props.notice !== undefined ? { text: props.notice, tone: 'error' } : undefined,
  };
}

function isPrintable(input: string, key: Key): boolean {
  return input !== '' && !key.ctrl && !key.meta && !/[\u0000-\u001f\u007f]/.test(input);
}

function todayUtc(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export function App(props: AppProps) {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();
  const [state, setState] = useState<State>(() => initialState(props));
  // Keys can arrive faster than React re-renders; the handler reads the newest state from here.
  const ref = useRef(state);
  const update = (fn: (s: State) => State) => {
    ref.current = fn(ref.current);
    setState(ref.current);
  };
  const [tick, setTick] = useState(0);
  const colors = props.colors ?? colorsEnabled();
  const bodyHeight = Math.max(1, rows - CHROME_ROWS);
  const width = Math.max(1, columns);
  const now = props.now ?? (() => new Date());

  const startLoad = (loader: ReportLoader, label: string) => {
    update((s) => ({ ...s, phase: { kind: 'loading', label }, progress: [] }));
    loader((p, detail) => update((s) => ({ ...s, progress: [...s.progress, progressText(p, detail)].slice(-200) })))
      .then((report) => update((s) => ({ ...s, report, phase: { kind: 'ready' }, stack: [{ screen: 'overview' }] })))
      .catch((e: unknown) => {
        if (props.exitOnLoadError) exit(e instanceof Error ? e : new Error(String(e)));
        else update((s) => ({ ...s, phase: { kind: 'failed', message: e instanceof Error ? e.message : String(e) } }));
      });
  };

  useEffect(() => {
    if (props.load && !props.report) startLoad(props.load, props.loadingLabel ?? props.source ?? 'Scanning');
    // Runs once: the CLI never swaps the loader mid-session.
  }, []);

  const loading = state.phase.kind === 'loading';
  useEffect(() => {
    if (!loading) return;
    const t = setInterval(() => setTick((n) => n + 1), 120);
    return () => clearInterval(t);
  }, [loading]);

  const current = (s: State): View => s.stack[s.stack.length - 1] ?? { screen: 'overview' };
  const push = (s: State, v: View): State => ({ ...s, stack: [...s.stack, v] });
  const pop = (s: State): State => (s.stack.length > 1 ? { ...s, stack: s.stack.slice(0, -1) } : s);
  const filterOf = (s: State): PrincipalFilter => ({ query: s.list.query, agentsOnly: s.list.agentsOnly, minSeverity: s.list.minSeverity, sort: s.list.sort, showSuppressed: s.list.showSuppressed, newOnly: s.list.newOnly });

  const openPrincipal = (s: State, arn: string): State =>
    push({ ...s, detail: s.detail.arn === arn ? s.detail : { arn, tab: 'findings', selected: 0, scroll: 0 } }, { screen: 'principal', arn });

  const setStatus = (text: string, tone: 'ok' | 'error' | 'busy') => update((s) => ({ ...s, status: { text, tone } }));

  const writeFix = (fix: Fix) => {
    const principal = ref.current.report?.principals.find((p) => p.arn === fix.principalArn);
    setStatus('Writing fix files…', 'busy');
    props.onWriteFix(fix, principal).then(
      (dir) => setStatus(`Wrote policy.json, main.tf, apply.sh to ${dir}`, 'ok'),
      (e: unknown) => setStatus(`Could not write fix files: ${e instanceof Error ? e.message : String(e)}`, 'error'),
    );
  };

  const contain = (report: Report, principal: PrincipalReport) => {
    if (!props.onContain) {
      setStatus('Containment plans are not available here: run leash contain.', 'error');
      return;
    }
    setStatus('Writing the containment plan…', 'busy');
    props.onContain(report, principal).then(
      (dir) => setStatus(`Containment plan in ${dir}/ (nothing applied): read README.md, then contain.sh --apply`, 'ok'),
      (e: unknown) => setStatus(`Could not write the containment plan: ${e instanceof Error ? e.message : String(e)}`, 'error'),
    );
  };

  // Reads through the callback; a read finished after the user moved on (another session) is dropped.
  const readActivity = (s: State, report: Report, principal: PrincipalReport, session: number | undefined): State => {
    const id = s.activity.id + 1;
    const chosen = session !== undefined ? principal.usage?.sessions?.[session] : undefined;
    const done = (read: ActivityRead) => update((x) => (x.activity.id === id ? { ...x, activity: { ...x.activity, read } } : x));
    // Nothing local to read (S3, Athena, LookupEvents only): the screen shows the commands, the callback is not called.
    if (activityPlan(report, principal, chosen).files.length === 0) return { ...s, activity: { session, read: { kind: 'not-read' }, id, scroll: 0 } };
    if (!props.onActivity) return { ...s, activity: { session, read: { kind: 'failed', message: 'not available here: run leash activity' }, id, scroll: 0 } };
    props.onActivity(report, principal, chosen).then(
      (result) => done({ kind: 'done', result }),
      (e: unknown) => done({ kind: 'failed', message: e instanceof Error ? e.message : String(e) }),
    );
    return { ...s, activity: { session, read: { kind: 'reading' }, id, scroll: 0 } };
  };

  const suppress = (finding: Finding, reason: string, until: string | undefined) => {
    setStatus('Saving suppression…', 'busy');
    props.onSuppress(finding, until !== undefined ? { reason, until } : { reason }).then(
      ({ suppressed, file }) =>
        update((s) => {
          if (!s.report) return s;
          const findings = s.report.findings.map((f) => (f.id === finding.id ? { ...f, suppressed } : f));
          return { ...s, report: { ...s.report, findings }, status: { text: `Suppressed, recorded in ${file}: ${finding.title}`, tone: 'ok' } };
        }),
      (e: unknown) => setStatus(`Could not save suppression: ${e instanceof Error ? e.message : String(e)}`, 'error'),
    );
  };

  const unsuppress = (finding: Finding) => {
    if (!props.onUnsuppress) {
      setStatus('Unsuppress is not available here.', 'error');
      return;
    }
    setStatus('Removing suppression…', 'busy');
    props.onUnsuppress(finding).then(
      ({ file }) =>
        update((s) => {
          if (!s.report) return s;
          const findings = s.report.findings.map((f) => {
            if (f.id !== finding.id) return f;
            const { suppressed: _gone, ...rest } = f;
            return rest;
          });
          return { ...s, report: { ...s.report, findings }, status: { text: `Unsuppressed, removed from ${file}: ${finding.title}`, tone: 'ok' } };
        }),
      (e: unknown) => setStatus(`Could not remove suppression: ${e instanceof Error ? e.message : String(e)}`, 'error'),
    );
  };

  const doExport = (format: 'json' | 'markdown') => {
    const s = ref.current;
    if (!s.report) return;
    const exp = exportView(s.report, current(s), filterOf(s));
    setStatus('Exporting…', 'busy');
    props.onExport(exp, format).then(
      (path) => setStatus(`Exported this view to ${path}`, 'ok'),
      (e: unknown) => setStatus(`Could not export: ${e instanceof Error ? e.message : String(e)}`, 'error'),
    );
  };

  const handlePrompt = (s: State, prompt: Prompt, input: string, key: Key): State => {
    const erase = key.backspace || key.delete;
    switch (prompt.kind) {
      case 'search': {
        if (key.return) return { ...s, prompt: undefined };
        if (key.escape) return { ...s, prompt: undefined, list: { ...s.list, query: '', selected: 0 } };
        if (erase) return { ...s, list: { ...s.list, query: s.list.query.slice(0, -1), selected: 0 } };
        if (isPrintable(input, key)) return { ...s, list: { ...s.list, query: s.list.query + input, selected: 0 } };
        return s;
      }
      case 'export': {
        if (input === 'j' || input === 'm') {
          doExport(input === 'j' ? 'json' : 'markdown');
          return { ...ref.current, prompt: undefined };
        }
        return { ...s, prompt: undefined, status: key.escape ? { text: 'Export cancelled', tone: 'ok' } : s.status };
      }
      case 'reason': {
        if (key.escape) return { ...s, prompt: undefined, status: { text: 'Suppression cancelled', tone: 'ok' } };
        if (key.return) {
          const reason = prompt.value.trim();
          if (reason === '') return { ...s, prompt: { ...prompt, error: 'a reason is required' } };
          return { ...s, prompt: { kind: 'until', finding: prompt.finding, reason, value: '' } };
        }
        if (erase) return { ...s, prompt: { kind: 'reason', finding: prompt.finding, value: prompt.value.slice(0, -1) } };
        if (isPrintable(input, key)) return { ...s, prompt: { kind: 'reason', finding: prompt.finding, value: prompt.value + input } };
        return s;
      }
      case 'until': {
        if (key.escape) return { ...s, prompt: undefined, status: { text: 'Suppression cancelled', tone: 'ok' } };
        if (key.return) {
          const until = prompt.value.trim();
          if (until !== '' && !isIsoDate(until)) return { ...s, prompt: { ...prompt, error: 'write the date as YYYY-MM-DD, or leave it empty' } };
          if (until !== '' && until < todayUtc(now())) return { ...s, prompt: { ...prompt, error: `${until} is in the past` } };
          suppress(prompt.finding, prompt.reason, until === '' ? undefined : until);
          return { ...ref.current, prompt: undefined };
        }
        const base = { kind: 'until', finding: prompt.finding, reason: prompt.reason } as const;
        if (erase) return { ...s, prompt: { ...base, value: prompt.value.slice(0, -1) } };
        if (isPrintable(input, key)) return { ...s, prompt: { ...base, value: prompt.value + input } };
        return s;
      }
    }
  };

  const moveKeys = (input: string, key: Key, page: number): number => {
    if (key.upArrow || input === 'k') return -1;
    if (key.downArrow || input === 'j') return 1;
    if (key.pageUp) return -page;
    if (key.pageDown || input === ' ') return page;
    if (key.home || input === 'g') return -Infinity;
    if (key.end || input === 'G') return Infinity;
    return 0;
  };

  const handleScreen = (s: State, input: string, key: Key): State => {
    const report = s.report;
    if (!report) return s;
    const view = current(s);
    const move = moveKeys(input, key, Math.max(1, bodyHeight - 6));
    if (input === 'p' && view.screen !== 'principals') return push(s, { screen: 'principals' });
    switch (view.screen) {
      case 'overview': {
        const agents = riskiestAgents(report, OVERVIEW_AGENT_LIMIT);
        if (move !== 0) return { ...s, overviewSelected: clamp(s.overviewSelected + (Number.isFinite(move) ? move : move > 0 ? agents.length : -agents.length), 0, Math.max(0, agents.length - 1)) };
        if (key.return) {
          const pick = agents[s.overviewSelected];
          return pick ? openPrincipal(s, pick.principal.arn) : push(s, { screen: 'principals' });
        }
        if (key.tab) return push(s, { screen: 'principals' });
        return s;
      }
      case 'principals': {
        const list = filterPrincipals(report, filterOf(s));
        if (move !== 0) return { ...s, list: { ...s.list, selected: clamp(s.list.selected + (Number.isFinite(move) ? move : move > 0 ? list.length : -list.length), 0, Math.max(0, list.length - 1)) } };
        if (key.return) {
          const p = list[s.list.selected];
          return p ? openPrincipal(s, p.arn) : s;
        }
        if (input === '/') return { ...s, prompt: { kind: 'search' } };
        if (input === 'a') return { ...s, list: { ...s.list, agentsOnly: !s.list.agentsOnly, selected: 0 } };
        if (input === 'v') return { ...s, list: { ...s.list, minSeverity: nextSeverityFilter(s.list.minSeverity), selected: 0 } };
        if (input === 'o') return { ...s, list: { ...s.list, sort: cycle(SORT_KEYS, s.list.sort, 1), selected: 0 } };
        if (input === 'x') return { ...s, list: { ...s.list, showSuppressed: !s.list.showSuppressed, selected: 0 } };
        if (input === 'n') {
          if (!hasPreviousScan(report)) return { ...s, status: { text: 'This report has no previous scan to compare with, so nothing is marked new.', tone: 'error' } };
          return { ...s, list: { ...s.list, newOnly: !s.list.newOnly, selected: 0 } };
        }
        if (key.escape) return s.list.query !== '' ? { ...s, list: { ...s.list, query: '', selected: 0 } } : pop(s);
        return s;
      }
      case 'principal': {
        const principal = report.principals.find((p) => p.arn === view.arn);
        if (!principal) return pop(s);
        const d = s.detail;
        if (key.escape) return pop(s);
        if (input === 'c') {
          contain(report, principal);
          return ref.current;
        }
        if (input === 'a') return readActivity(push(s, { screen: 'activity', arn: principal.arn }), report, principal, undefined);
        if (key.tab || key.rightArrow || key.leftArrow) {
          const step = (key.tab && key.shift) || key.leftArrow ? -1 : 1;
          return { ...s, detail: { ...d, tab: cycle(DETAIL_TABS, d.tab, step), scroll: 0 } };
        }
        if (d.tab === 'findings') {
          const fs = findingsFor(report, principal.arn);
          if (move !== 0) return { ...s, detail: { ...d, selected: clamp(d.selected + (Number.isFinite(move) ? move : move > 0 ? fs.length : -fs.length), 0, Math.max(0, fs.length - 1)) } };
          const f = fs[d.selected];
          if (!f) return s;
          if (key.return || input === 'f') {
            // One fix opens straight away; several (a boundary and a right-sized policy…) are listed.
            const fixes = fixesForFinding(report, f.fixIds, f.id);
            if (fixes.length === 1) return push({ ...s, fix: { mode: 'diff', scroll: 0 } }, { screen: 'fix', fixId: fixes[0]!.id });
            if (fixes.length > 1) return push({ ...s, fixList: { selected: 0 } }, { screen: 'fixes', arn: principal.arn, findingId: f.id });
            return { ...s, status: { text: 'No fix was generated for this finding.', tone: 'error' } };
          }
          if (input === 's') {
            if (f.suppressed) return { ...s, status: { text: `Already suppressed: ${f.suppressed.reason} (u removes it)`, tone: 'error' } };
            return { ...s, prompt: { kind: 'reason', finding: f, value: '' } };
          }
          if (input === 'u') {
            if (!f.suppressed) return { ...s, status: { text: 'This finding is not suppressed.', tone: 'error' } };
            unsuppress(f);
            return ref.current;
          }
          return s;
        }
        if (d.tab === 'fixes') {
          const fixes = fixesOf(report, principal.arn);
          if (move !== 0) return { ...s, detail: { ...d, fixSelected: clamp((d.fixSelected ?? 0) + (Number.isFinite(move) ? move : move > 0 ? fixes.length : -fixes.length), 0, Math.max(0, fixes.length - 1)) } };
          const fix = fixes[d.fixSelected ?? 0];
          if ((key.return || input === 'f') && fix) return push({ ...s, fix: { mode: 'diff', scroll: 0 } }, { screen: 'fix', fixId: fix.id });
          return s;
        }
        if (move !== 0) {
          const total = detailBodyLength(report, principal, d.tab, width);
          const max = Math.max(0, total - (bodyHeight - 4));
          return { ...s, detail: { ...d, scroll: clamp(d.scroll + (Number.isFinite(move) ? move : move > 0 ? total : -total), 0, max) } };
        }
        return s;
      }
      case 'activity': {
        const principal = report.principals.find((p) => p.arn === view.arn);
        if (!principal || key.escape) return pop(s);
        const a = s.activity;
        // tab: the principal's recent sessions one by one, then all its calls again.
        const sessions = principal.usage?.sessions ?? [];
        if ((key.tab || key.rightArrow || key.leftArrow) && sessions.length > 0) {
          const scopes = [undefined, ...sessions.map((_, i) => i)];
          return readActivity(s, report, principal, cycle(scopes, a.session, (key.tab && key.shift) || key.leftArrow ? -1 : 1));
        }
        if (input === 'c') {
          contain(report, principal);
          return ref.current;
        }
        if (input === 'e') return { ...s, status: { text: 'No export here: leash activity --json writes the timeline.', tone: 'error' } };
        if (move !== 0) {
          const total = activityBodyRows({ principal, plan: activityPlan(report, principal, a.session !== undefined ? sessions[a.session] : undefined), read: a.read, width }).length;
          const max = Math.max(0, total - (bodyHeight - 2));
          return { ...s, activity: { ...a, scroll: clamp(a.scroll + (Number.isFinite(move) ? move : move > 0 ? total : -total), 0, max) } };
        }
        return s;
      }
      case 'fixes': {
        const finding = view.findingId ? report.findings.find((f) => f.id === view.findingId) : undefined;
        const fixes = finding ? fixesForFinding(report, finding.fixIds, finding.id) : fixesOf(report, view.arn);
        if (key.escape) return pop(s);
        if (move !== 0) return { ...s, fixList: { selected: clamp(s.fixList.selected + (Number.isFinite(move) ? move : move > 0 ? fixes.length : -fixes.length), 0, Math.max(0, fixes.length - 1)) } };
        const fix = fixes[s.fixList.selected];
        if ((key.return || input === 'f') && fix) return push({ ...s, fix: { mode: 'diff', scroll: 0 } }, { screen: 'fix', fixId: fix.id });
        return s;
      }
      case 'fix': {
        const fix = report.fixes.find((x) => x.id === view.fixId);
        if (!fix || key.escape) return pop(s);
        if (key.tab || key.rightArrow || key.leftArrow) {
          const step = (key.tab && key.shift) || key.leftArrow ? -1 : 1;
          return { ...s, fix: { mode: cycle(FIX_MODES, s.fix.mode, step), scroll: 0 } };
        }
        if (move !== 0) {
          const total = fixBodyRows(fix, s.fix.mode).length;
          const max = Math.max(0, total - (bodyHeight - 5));
          return { ...s, fix: { ...s.fix, scroll: clamp(s.fix.scroll + (Number.isFinite(move) ? move : move > 0 ? total : -total), 0, max) } };
        }
        if (input === 'w') {
          writeFix(fix);
          return ref.current;
        }
        return s;
      }
    }
  };

  useKeymap((input, key) => {
    const s = ref.current;
    if (s.help) {
      update((x) => ({ ...x, help: false }));
      return;
    }
    if (s.prompt) {
      const prompt = s.prompt;
      update((x) => handlePrompt(x, prompt, input, key));
      return;
    }
    if (input === 'q') {
      exit();
      return;
    }
    if (input === '?') {
      update((x) => ({ ...x, help: true }));
      return;
    }
    if (s.phase.kind === 'empty' && input === 'd' && props.demoScan) {
      startLoad(props.demoScan, 'Scanning the demo account');
      return;
    }
    if (s.phase.kind !== 'ready') return;
    if (input === 'e' && current(s).screen !== 'activity') {
      update((x) => ({ ...x, prompt: { kind: 'export' }, status: undefined }));
      return;
    }
    // Clear the previous message first; a handler may set a new one (or start async work that does).
    update((x) => handleScreen({ ...x, status: x.status?.tone === 'busy' ? x.status : undefined }, input, key));
  });

  const titleParts = [`leash`, state.report ? `account ${state.report.scan.account.id}` : undefined, screenTitle(state, props.opening === true), props.source].filter((x): x is string => x !== undefined);
  const title: Row = [seg(` ${titleParts.join(' · ')} `, { bold: true, inverse: colors })];

  let body;
  if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
    body = <Rows rows={[`Terminal too small: ${columns}×${rows}. leash needs at least ${MIN_COLUMNS}×${MIN_ROWS}.`]} width={width} />;
  } else if (state.help) {
    body = <Help width={width} />;
  } else if (state.phase.kind === 'loading' || state.phase.kind === 'failed') {
    body = <ScanProgressScreen label={state.phase.kind === 'loading' ? state.phase.label : ''} events={state.progress} tick={tick} error={state.phase.kind === 'failed' ? state.phase.message : undefined} width={width} height={bodyHeight} />;
  } else if (state.phase.kind === 'empty' || !state.report) {
    body = <NoReport canScan={props.demoScan !== undefined} reportsDir={props.reportsDir ?? 'reports'} width={width} />;
  } else {
    const report = state.report;
    const view = current(state);
    if (view.screen === 'overview') body = <Overview report={report} selected={state.overviewSelected} width={width} height={bodyHeight} />;
    else if (view.screen === 'principals') {
      body = <PrincipalList report={report} principals={filterPrincipals(report, filterOf(state))} state={state.list} searching={state.prompt?.kind === 'search'} width={width} height={bodyHeight} />;
    } else if (view.screen === 'principal') {
      const principal = report.principals.find((p) => p.arn === view.arn);
      body = principal ? <PrincipalDetail report={report} principal={principal} state={state.detail} width={width} height={bodyHeight} /> : <Rows rows={['Principal not in this report.']} width={width} />;
    } else if (view.screen === 'activity') {
      const principal = report.principals.find((p) => p.arn === view.arn);
      const a = state.activity;
      const session = a.session !== undefined ? principal?.usage?.sessions?.[a.session] : undefined;
      body = principal ? <Activity report={report} principal={principal} plan={activityPlan(report, principal, session)} session={a.session} read={a.read} scroll={a.scroll} width={width} height={bodyHeight} /> : <Rows rows={['Principal not in this report.']} width={width} />;
    } else if (view.screen === 'fixes') {
      const finding = view.findingId ? report.findings.find((f) => f.id === view.findingId) : undefined;
      const fixes = finding ? fixesForFinding(report, finding.fixIds, finding.id) : fixesOf(report, view.arn);
      // Not every fix a finding links to closes it (a trust-policy fix resolves nothing): each row says.
      const heading = finding ? `Fixes for: ${finding.title}` : `Fixes for ${report.principals.find((p) => p.arn === view.arn)?.name ?? view.arn}`;
      body = <FixList report={report} fixes={fixes} heading={heading} selected={state.fixList.selected} width={width} height={bodyHeight} findingId={finding?.id} />;
    } else {
      const fix = report.fixes.find((x) => x.id === view.fixId);
      body = fix ? <FixView report={report} fix={fix} state={state.fix} width={width} height={bodyHeight} /> : <Rows rows={['Fix not in this report.']} width={width} />;
    }
  }

  return (
    <ColorContext.Provider value={colors}>
      <Box flexDirection="column" width={width} height={Math.max(1, rows - 1)}>
        <Rows rows={[title]} width={width} />
        <Box flexDirection="column" flexGrow={1} overflow="hidden">
          {body}
        </Box>
        <Rows rows={[statusRow(state), keysRow(state, props.demoScan !== undefined)]} width={width} />
      </Box>
    </ColorContext.Provider>
  );
}

function screenTitle(s: State, opening: boolean): string | undefined {
  if (s.help) return 'help';
  if (s.phase.kind !== 'ready') return s.phase.kind === 'loading' ? (opening ? 'loading' : 'scanning') : s.phase.kind === 'failed' ? 'scan failed' : undefined;
  const v = s.stack[s.stack.length - 1];
  if (!v || v.screen === 'overview') return 'overview';
  if (v.screen === 'principals') return 'principals';
  if (v.screen === 'principal') return s.report?.principals.find((p) => p.arn === v.arn)?.name ?? 'principal';
  if (v.screen === 'fixes') return 'fixes';
  if (v.screen === 'activity') return `activity of ${s.report?.principals.find((p) => p.arn === v.arn)?.name ?? 'principal'}`;
  return 'fix';
}

function statusRow(s: State): Row {
  const p = s.prompt;
  if (p?.kind === 'search') return [seg('Search: ', { bold: true }), seg(`${s.list.query}█`), seg('  enter keep · esc clear', { dim: true })];
  if (p?.kind === 'export') return [seg('Export this view as ', { bold: true }), seg('j', { color: 'cyan', bold: true }), seg(' JSON or '), seg('m', { color: 'cyan', bold: true }), seg(' Markdown? (esc cancels)')];
  if (p?.kind === 'reason') {
    return [seg('Reason to suppress (required): ', { bold: true }), seg(`${p.value}█`), seg(p.error ? `  ${p.error}` : '  enter next · esc cancel', { color: p.error ? 'red' : undefined, dim: !p.error })];
  }
  if (p?.kind === 'until') {
    return [seg('Expires (YYYY-MM-DD, empty = never): ', { bold: true }), seg(`${p.value}█`), seg(p.error ? `  ${p.error}` : '  enter save · esc cancel', { color: p.error ? 'red' : undefined, dim: !p.error })];
  }
  if (s.status) return [seg(s.status.text, { color: s.status.tone === 'error' ? 'red' : s.status.tone === 'ok' ? 'green' : 'cyan' })];
  return ' ';
}

function keysRow(s: State, canScan: boolean): Row {
  const k = (text: string): Row => [seg(text, { dim: true })];
  if (s.help) return k('any key closes help');
  if (s.phase.kind === 'empty') return k(`${canScan ? 'd demo scan · ' : ''}q quit`);
  if (s.phase.kind !== 'ready') return k('q quit');
  const v = s.stack[s.stack.length - 1];
  switch (v?.screen) {
    case 'principals':
      return k('↑↓ move · enter open · / search · o sort · a agents · v severity · x suppressed · n new · ? · q');
    case 'principal':
      return k(s.detail.tab === 'findings' ? '↑↓ finding · enter fix · s suppress · u unsuppress · c contain · a activity · tab section · esc · ? · q' : s.detail.tab === 'fixes' ? '↑↓ fix · enter open · c contain · a activity · tab section · esc back · e export · ? · q' : '↑↓ scroll · c contain · a activity · tab section · esc back · e export · ? · q');
    case 'activity':
      return k('↑↓ scroll · tab next session · c contain · esc back · ? help · q quit');
    case 'fixes':
      return k('↑↓ fix · enter open · esc back · e export · ? help · q quit');
    case 'fix':
      return k('tab Diff/JSON/Terraform/CLI · ↑↓ scroll · w write files · esc back · e export · ? · q');
    default:
      return k('↑↓ move · enter open · p principals · e export · ? help · q quit');
  }
}
