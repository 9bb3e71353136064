import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { App } from '../../src/tui/App.js';
import type { AppProps } from '../../src/tui/App.js';
import { defaultCallbacks } from '../../src/tui/run.js';
import { KEYS, renderTui } from '../support/render-tui.js';
import type { RenderedTui } from '../support/render-tui.js';
import { buildReport, FID } from './support.js';

let cwd: string;
let t: RenderedTui | undefined;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'leash-tui-'));
});
afterEach(() => {
  t?.unmount();
  t = undefined;
  rmSync(cwd, { recursive: true, force: true });
});

const NOW = () => new Date('2026-11-24T12:00:00Z');

type Overrides = { [K in keyof AppProps]?: AppProps[K] | undefined };

async function open(props: Overrides = {}, size = { columns: 80, rows: 24 }) {
  t = await renderTui(<App report={buildReport()} {...defaultCallbacks(cwd)} now={NOW} colors={false} {...(props as Partial<AppProps>)} />, size);
  return t;
}

const until = async (tui: RenderedTui, text: string | RegExp) =>
  vi.waitFor(() => (typeof text === 'string' ? expect(tui.frame()).toContain(text) : expect(tui.frame()).toMatch(text)));

describe('App navigation', () => {
  it('overview → enter opens the riskiest agent → enter opens its fix → esc back twice', async () => {
    const tui = await open();
    expect(tui.frame()).toContain('Riskiest agent: kiro-agent');
    await tui.press(KEYS.enter);
    await until(tui, 'Granted by Statement[0] of AWS managed policy PowerUserAccess');
    expect(tui.frame()).toContain('leash · account 111122223333 · kiro-agent');
    await tui.press(KEYS.enter);
    await until(tui, 'allowed 16840 → 7');
    expect(tui.frame()).toContain('· fix');
    await tui.press(KEYS.escape);
    await until(tui, '❯ CRITICAL kiro-agent can run 4 destructive');
    await tui.press(KEYS.escape);
    await until(tui, 'Riskiest agent: kiro-agent');
  });

  it('principal list: j/k move, a toggles agents, / searches, esc clears the search then goes back', async () => {
    const tui = await open({}, { columns: 100, rows: 30 });
    await tui.press('p');
    await until(tui, '5 of 5');
    await tui.press('j', 'j');
    await until(tui, /❯ ci-deploy/);
    await tui.press('k');
    await until(tui, /❯ claude-code-dev/);
    await tui.press('a');
    await until(tui, '3 of 5');
    expect(tui.frame()).not.toContain('ci-deploy');
    await tui.press('/');
    await tui.type('bedrock');
    await until(tui, '1 of 5');
    await tui.press(KEYS.enter);
    await tui.press(KEYS.enter);
    await until(tui, 'orders-bedrock-agent  role  AGENT (bedrock-agent)');
    await tui.press(KEYS.escape);
    await until(tui, '[/] search: "bedrock"');
    await tui.press(KEYS.escape);
    await until(tui, '3 of 5');
    await tui.press(KEYS.escape);
    await until(tui, 'Riskiest agent');
  });

  it('principal list: v cycles the severity filter', async () => {
    const tui = await open({}, { columns: 100, rows: 30 });
    await tui.press('p', 'v');
    await until(tui, 'severity: critical+');
    expect(tui.frame()).toContain('1 of 5');
    await tui.press('v');
    await until(tui, 'severity: high+');
    expect(tui.frame()).toContain('3 of 5');
  });

  it('principal detail: tab and arrows switch sections', async () => {
    const tui = await open({}, { columns: 100, rows: 30 });
    await tui.press(KEYS.enter, KEYS.tab);
    await until(tui, '[Fixes 1]');
    await tui.press(KEYS.right);
    await until(tui, '[Granted vs used]');
    await tui.press(KEYS.right);
    await until(tui, '[Policies & trust]');
    await tui.press(KEYS.shiftTab);
    await until(tui, '[Granted vs used]');
    await tui.press(KEYS.left, KEYS.left);
    await until(tui, '[Findings 2]');
  });

  it('fix view: tab cycles Diff → JSON → Terraform → CLI', async () => {
    const tui = await open({}, { columns: 100, rows: 30 });
    await tui.press(KEYS.enter, KEYS.enter);
    await until(tui, '[Diff +21 -13]');
    await tui.press(KEYS.tab);
    await until(tui, '[JSON]');
    await tui.press(KEYS.tab);
    await until(tui, 'data "aws_iam_policy_document" "kiro_agent"');
    await tui.press(KEYS.tab);
    await until(tui, 'aws iam create-policy-version');
    await tui.press(KEYS.tab);
    await until(tui, '[Diff +21 -13]');
  });

  it('a finding without a fix says so instead of opening nothing', async () => {
    const tui = await open({}, { columns: 100, rows: 30 });
    await tui.press('p', 'j', 'j', KEYS.enter);
    await until(tui, 'ci-deploy  role');
    await tui.press(KEYS.enter);
    await until(tui, 'No fix was generated for this finding.');
  });
});

describe('App actions', () => {
  it('w writes the fix files under reports/fixes/<kind>-<principal>/<fix kind>/', async () => {
    const tui = await open();
    await tui.press(KEYS.enter, KEYS.enter);
    await until(tui, 'allowed 16840 → 7');
    await tui.press('w');
    await until(tui, `Wrote policy.json, main.tf, apply.sh to ${join(cwd, 'reports/fixes/role-kiro-agent')}`.slice(0, 70));
    // One folder per fix kind, so writing a second fix of the principal does not overwrite this one.
    expect(readdirSync(join(cwd, 'reports/fixes/role-kiro-agent'))).toEqual(['replace-policy']);
    expect(readdirSync(join(cwd, 'reports/fixes/role-kiro-agent/replace-policy')).sort()).toEqual(['apply.sh', 'main.tf', 'policy.json']);
  });

  it('s suppresses the selected finding with a required reason and an expiry', async () => {
    const tui = await open({}, { columns: 100, rows: 30 });
    await tui.press(KEYS.enter, 's');
    await until(tui, 'Reason to suppress (required):');
    // An empty reason is refused.
    await tui.press(KEYS.enter);
    await until(tui, 'a reason is required');
    await tui.type('sandbox account, no prod data');
    await tui.press(KEYS.enter);
    await until(tui, 'Expires (YYYY-MM-DD, empty = never):');
    await tui.type('2026-13-01');
    await tui.press(KEYS.enter);
    await until(tui, 'write the date as YYYY-MM-DD');
    for (let i = 0; i < 10; i++) await tui.press(KEYS.backspace);
    await tui.type('2026-01-01');
    await tui.press(KEYS.enter);
    await until(tui, '2026-01-01 is in the past');
    for (let i = 0; i < 10; i++) await tui.press(KEYS.backspace);
    await tui.type('2026-12-31');
    await tui.press(KEYS.enter);
    await until(tui, 'recorded in leash.suppressions.yaml');
    // The finding stays, marked, and moves below the live ones.
    await until(tui, 'kiro-agent can run 4 destructive actions without approval  (suppressed)');
    expect(tui.frame()).toContain('[Findings 1]');
    const file = parse(readFileSync(join(cwd, 'leash.suppressions.yaml'), 'utf8')) as { suppressions: Record<string, string>[] };
    expect(file.suppressions).toHaveLength(1);
    expect(file.suppressions[0]).toMatchObject({
      findingId: FID('f-kiro-destructive'),
      checkId: 'destructive-actions',
      principalArn: 'arn:aws:iam::111122223333:role/kiro-agent',
      reason: 'sandbox account, no prod data',
      until: '2026-12-31',
    });
    // Back on the overview, the critical count no longer includes it.
    await tui.press(KEYS.escape);
    await until(tui, 'CRITICAL 0');
    expect(tui.frame()).toContain('(suppressed 1)');
  });

  it('esc cancels a suppression and writes nothing', async () => {
    const tui = await open();
    await tui.press(KEYS.enter, 's');
    await tui.type('q is text here, not quit');
    await until(tui, 'not quit█');
    await tui.press(KEYS.escape);
    await until(tui, 'Suppression cancelled');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('e exports the current view as Markdown or JSON', async () => {
    const tui = await open({}, { columns: 120, rows: 30 });
    await tui.press(KEYS.enter, 'e');
    await until(tui, 'Export this view as j JSON or m Markdown?');
    await tui.press('m');
    await until(tui, 'Exported this view to');
    await tui.press('e', 'j');
    await vi.waitFor(() => expect(readdirSync(cwd).sort()).toEqual(['leash-111122223333-kiro-agent.json', 'leash-111122223333-kiro-agent.md']));
    const md = readFileSync(join(cwd, 'leash-111122223333-kiro-agent.md'), 'utf8');
    expect(md).toContain('### CRITICAL kiro-agent can run 4 destructive actions without approval');
    const json = JSON.parse(readFileSync(join(cwd, 'leash-111122223333-kiro-agent.json'), 'utf8')) as { principal: { name: string } };
    expect(json.principal.name).toBe('kiro-agent');
  });

  it('c on a principal writes its containment plan under ./contain and says nothing is applied', async () => {
    const tui = await open({}, { columns: 140, rows: 30 });
    await tui.press(KEYS.enter, 'c');
    // The report's export (demo/authorization-details.json) is read again first, as leash contain --report does.
    await vi.waitFor(() => expect(tui.frame()).toMatch(/Containment plan in contain\/role-kiro-agent-\d{8}T\d{6}Z\/ \(nothing applied\): read README\.md, then contain\.sh --apply/), { timeout: 20_000 });
    const [folder] = readdirSync(join(cwd, 'contain'));
    expect(readdirSync(join(cwd, 'contain', folder!)).sort()).toEqual(['README.md', 'contain.sh', 'revoke-sessions.json', 'undo.sh']);
    const readme = readFileSync(join(cwd, 'contain', folder!, 'README.md'), 'utf8');
    expect(readme).toContain('# Contain role kiro-agent');
    expect(readme).toContain('the export the report was made from, `demo/authorization-details.json`');
  });

  it('negative: c elsewhere (the overview) writes nothing', async () => {
    const tui = await open();
    await tui.press('c');
    await until(tui, 'Riskiest agent');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a failing callback shows an error and the TUI keeps running', async () => {
    const tui = await open({ onWriteFix: async () => Promise.reject(new Error('EACCES: permission denied')) });
    await tui.press(KEYS.enter, KEYS.enter, 'w');
    await until(tui, 'Could not write fix files: EACCES: permission denied');
    await tui.press(KEYS.escape);
    await until(tui, 'Granted by');
  });

  it('? shows help and any key closes it', async () => {
    const tui = await open();
    await tui.press('?');
    await until(tui, 'Keys');
    expect(tui.frame()).toContain('suppress the selected finding');
    await tui.press('x');
    await until(tui, 'Riskiest agent');
  });

  it('q quits: ink lets go of the keyboard and stops rendering', async () => {
    const tui = await open();
    expect(tui.stdin.listenerCount('readable')).toBeGreaterThan(0);
    await tui.press('q');
    await vi.waitFor(() => expect(tui.stdin.listenerCount('readable')).toBe(0));
    // Count frames, not compare the last one: with CI set, ink writes its final frame (or a bare
    // newline) on exit, so the last frame differs by environment; what must hold is that nothing
    // renders after quitting.
    const framesAfterQuit = tui.stdout.frames.length;
    await tui.press('p');
    expect(tui.stdout.frames.length).toBe(framesAfterQuit);
    expect(tui.frame()).not.toContain('5 of 5');
  });
});

describe('App layout', () => {
  it('fits 80×24 on every screen', async () => {
    const tui = await open();
    const check = () => {
      const lines = tui.frame().split('\n');
      expect(lines.length).toBeLessThanOrEqual(23);
      expect(lines.every((l) => l.length <= 80)).toBe(true);
    };
    check();
    await tui.press(KEYS.enter);
    await until(tui, 'Granted by');
    check();
    for (const key of [KEYS.tab, KEYS.tab, KEYS.tab]) {
      await tui.press(key);
      check();
    }
    await tui.press(KEYS.tab, KEYS.enter);
    await until(tui, 'allowed 16840');
    check();
    await tui.press('p');
    await until(tui, 'of 5');
    check();
  });

  it('re-lays out on resize', async () => {
    const tui = await open({}, { columns: 120, rows: 30 });
    const wide = tui.frame().split('\n').reduce((m, l) => Math.max(m, l.length), 0);
    expect(wide).toBeGreaterThan(80);
    await tui.resize({ columns: 70, rows: 20 });
    await vi.waitFor(() => expect(tui.frame().split('\n').every((l) => l.length <= 70)).toBe(true));
    await tui.resize({ columns: 40, rows: 10 });
    await until(tui, 'Terminal too small: 40×10');
  });
});

describe('App scanning', () => {
  it('shows live progress, then the overview of the scanned report', async () => {
    let finish!: () => void;
    const gate = new Promise<void>((r) => (finish = r));
    const tui = await open({
      report: undefined,
      source: 'Scanning the demo account',
      load: async (onProgress) => {
        onProgress('collect', 'reading demo/authorization-details.json');
        onProgress('analyze', '5 principals');
        await gate;
        return buildReport();
      },
    });
    await until(tui, 'Scanning the demo account');
    await until(tui, '› analyze: 5 principals');
    expect(tui.frame()).toContain('leash · scanning · Scanning the demo account');
    expect(tui.frame()).toContain('✔ collect: reading demo/authorization-details.json');
    finish();
    await until(tui, 'Riskiest agent: kiro-agent');
  });

  it('a scan of input named on the command line (exitOnLoadError) is titled "scanning"; opening a report "loading"', async () => {
    const never = new Promise<never>(() => undefined);
    const scan = await open({ report: undefined, source: 'Scanning a.json', exitOnLoadError: true, load: async () => never });
    await until(scan, 'leash · scanning · Scanning a.json');
    scan.unmount();
    t = undefined;
    const opening = await open({ report: undefined, source: 'r.json', loadingLabel: 'Opening r.json', exitOnLoadError: true, opening: true, load: async () => never });
    await until(opening, 'leash · loading · r.json');
    expect(opening.frame()).not.toContain('scanning');
  });

  it('shows a failed scan and still quits on q', async () => {
    const tui = await open({ report: undefined, load: async () => Promise.reject(new Error('demo/authorization-details.json at $.RoleDetailList[3]: expected an object')) });
    await until(tui, '✘ Scan failed');
    expect(tui.frame()).toContain('expected an object');
  });

  it('with no report, offers the demo scan on d', async () => {
    const tui = await open({ report: undefined, reportsDir: 'reports', demoScan: async () => buildReport() });
    await until(tui, 'No report found under reports/.');
    await tui.press('d');
    await until(tui, 'Riskiest agent: kiro-agent');
  });
});
