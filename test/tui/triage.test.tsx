// Daily triage in the TUI: sort keys, search across actions/checks/finding text, suppressed
// findings counted on demand and unsuppressed, and what is new since the previous scan.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import type { Report } from '../../src/model/report.js';
import { App } from '../../src/tui/App.js';
import { filterPrincipals, isNewFinding, isNewPrincipal, searchText, sortPrincipals } from '../../src/tui/format.js';
import { defaultCallbacks } from '../../src/tui/run.js';
import { saveSuppression, SUPPRESSIONS_FILE } from '../../src/config/suppressions.js';
import { KEYS, renderTui, type RenderedTui } from '../support/render-tui.js';
import { buildReport, FID } from './support.js';

const base = { query: '', agentsOnly: false } as const;
const names = (r: Report, f: Parameters<typeof filterPrincipals>[1]) => filterPrincipals(r, f).map((p) => p.name);

function withDelta(r: Report, newIds: string[], added: string[] = []): Report {
  return { ...r, delta: { previousScanId: 'prev', newFindings: newIds, resolvedFindings: [], changedFindings: [], principalsAdded: added, principalsRemoved: [], permissionGrowth: [] } };
}

describe('sorting and search (pure)', () => {
  const r = buildReport();

  it('sorts by risk, name, findings and last used', () => {
    expect(names(r, { ...base, sort: 'risk' })).toEqual(['kiro-agent', 'claude-code-dev', 'ci-deploy', 'orders-bedrock-agent', 'security-audit']);
    expect(names(r, { ...base, sort: 'name' })).toEqual(['ci-deploy', 'claude-code-dev', 'kiro-agent', 'orders-bedrock-agent', 'security-audit']);
    expect(names(r, { ...base, sort: 'findings' })[0]).toBe('kiro-agent'); // 2 open findings, the others 1 or 0
    expect(names(r, { ...base, sort: 'findings' }).at(-1)).toBe('security-audit');
    const used = sortPrincipals(r, r.principals, 'last-used');
    const withDates = used.filter((p) => p.usage?.lastSeen).map((p) => p.usage!.lastSeen!);
    expect(withDates).toEqual([...withDates].sort().reverse());
    expect(used.at(-1)!.usage?.lastSeen).toBeUndefined(); // never seen used: last
  });

  it('searches principal, action, check id and finding text; a miss matches nothing', () => {
    expect(names(r, { ...base, query: 'TerminateInstances' })).toEqual(['kiro-agent']); // an action it holds
    expect(names(r, { ...base, query: 'privilege-escalation' })).toEqual(['claude-code-dev']); // a check id
    expect(names(r, { ...base, query: 'no permissions boundary' })).toEqual(['orders-bedrock-agent']); // finding text
    expect(names(r, { ...base, query: 'ci-dep' })).toEqual(['ci-deploy']); // a name
    expect(names(r, { ...base, query: 'nothing-like-this' })).toEqual([]);
    expect(searchText(r, r.principals[0]!)).toBe(searchText(r, r.principals[0]!)); // cached, stable
  });

  it('marks new findings and principals only against a previous scan', () => {
    const f = r.findings.find((x) => x.id === FID('f-ci-destructive'))!;
    expect(isNewFinding(r, f)).toBe(false); // no delta: nothing is new
    const d = withDelta(r, [f.id], ['arn:aws:iam::111122223333:role/security-audit']);
    expect(isNewFinding(d, f)).toBe(true);
    expect(isNewFinding(d, r.findings.find((x) => x.id === FID('f-kiro-unused'))!)).toBe(false);
    expect(names(d, { ...base, newOnly: true }).sort()).toEqual(['ci-deploy', 'security-audit']);
    expect(isNewPrincipal(d, r.principals.find((p) => p.name === 'kiro-agent')!.arn)).toBe(false);
  });

  it('counts suppressed findings for the severity filter only when asked', () => {
    const findings = r.findings.map((f) => (f.id === FID('f-ci-destructive') ? { ...f, suppressed: { reason: 'accepted' } } : f));
    const s = { ...r, findings };
    expect(names(s, { ...base, minSeverity: 'high' })).not.toContain('ci-deploy');
    expect(names(s, { ...base, minSeverity: 'high', showSuppressed: true })).toContain('ci-deploy');
  });

  it('stays usable on 10k principals: filtering and sorting every key over all of them', () => {
    const big = buildReport({ extraPrincipals: 10_000 });
    for (const sort of ['risk', 'name', 'findings', 'last-used'] as const) expect(filterPrincipals(big, { ...base, sort })).toHaveLength(10_005);
    expect(names(big, { ...base, query: 'app-role-9999' })).toEqual(['app-role-9999']);
  });
});

let cwd: string;
let t: RenderedTui | undefined;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'leash-triage-'));
});
afterEach(() => {
  t?.unmount();
  t = undefined;
  rmSync(cwd, { recursive: true, force: true });
});
const until = async (tui: RenderedTui, text: string | RegExp) => vi.waitFor(() => (typeof text === 'string' ? expect(tui.frame()).toContain(text) : expect(tui.frame()).toMatch(text)));

describe('in the App', () => {
  it('o cycles the sort, x counts suppressed findings, n shows only what is new', async () => {
    const r = withDelta(buildReport(), [FID('f-bedrock-boundary')]);
    const findings = r.findings.map((f) => (f.id === FID('f-ci-destructive') ? { ...f, suppressed: { reason: 'accepted' } } : f));
    t = await renderTui(<App report={{ ...r, findings }} {...defaultCallbacks(cwd)} colors={false} />, { columns: 100, rows: 30 });
    await t.press('p');
    await until(t, '[o] sort: risk');
    await t.press('o');
    await until(t, '[o] sort: name');
    await until(t, /❯ ci-deploy/);
    await t.press('o', 'o', 'o');
    await until(t, '[o] sort: risk');
    expect(t.frame()).toMatch(/orders-bedrock-agent .* NEW/);
    expect(t.frame()).not.toMatch(/kiro-agent .* NEW/);
    await t.press('x');
    await until(t, '[x] suppressed: counted');
    await until(t, /ci-deploy .*HIGH .*\+1 supp\./);
    await t.press('n');
    await until(t, '1 of 5');
    expect(t.frame()).toMatch(/❯ orders-bedrock-agent/);
  });

  it('u removes a suppression from the file and the finding counts again; the control keeps others', async () => {
    const file = join(cwd, SUPPRESSIONS_FILE);
    const r = buildReport();
    const kiro = r.findings.find((f) => f.id === FID('f-kiro-destructive'))!;
    const other = r.findings.find((f) => f.id === FID('f-ci-destructive'))!;
    saveSuppression(file, { findingId: kiro.id, reason: 'sandbox' });
    saveSuppression(file, { findingId: other.id, reason: 'accepted risk' });
    const findings = r.findings.map((f) => (f.id === kiro.id || f.id === other.id ? { ...f, suppressed: { reason: 'x' } } : f));
    t = await renderTui(<App report={{ ...r, findings }} {...defaultCallbacks(cwd)} colors={false} />, { columns: 100, rows: 30 });
    await t.press(KEYS.enter); // the riskiest agent, kiro-agent
    await until(t, 'kiro-agent can run 4 destructive actions without approval  (suppressed)');
    await t.press('j');
    await until(t, /❯ CRITICAL kiro-agent can run 4/);
    await t.press('u');
    await until(t, 'Unsuppressed, removed from leash.suppressions.yaml');
    expect(t.frame()).not.toContain('(suppressed)');
    const left = parse(readFileSync(file, 'utf8')) as { suppressions: { findingId: string }[] };
    expect(left.suppressions.map((s) => s.findingId)).toEqual([other.id]);
    // u on a live finding says so and writes nothing.
    await t.press('u');
    await until(t, 'This finding is not suppressed.');
    expect((parse(readFileSync(file, 'utf8')) as { suppressions: unknown[] }).suppressions).toHaveLength(1);
  });
});
