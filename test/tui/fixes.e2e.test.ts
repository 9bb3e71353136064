// Issue 11, in a real terminal (tmux) on the demo scan: every fix of every principal opens from a
// finding it resolves (through the chooser when a finding has several), and each principal's
// Fixes tab lists all of its fixes.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { findingsFor } from '../../src/tui/format.js';
import { fixesForFinding, fixesOf } from '../../src/tui/screens/FixList.js';
import { repoRoot } from '../support/fixtures.js';
import { TmuxSession, tmuxAvailable, TMUX_SKIP_REASON } from '../support/tmux.js';
import { parseReport } from '../../src/report/history.js';

const CLI = process.env.LEASH_E2E_CLI ?? join(repoRoot, 'dist/bundle/main.js');
const skip = !tmuxAvailable ? TMUX_SKIP_REASON : !existsSync(CLI) ? `${CLI} not built (run \`npm run build\`)` : !existsSync(join(repoRoot, 'dist/src/pipeline/scan.js')) ? 'the demo scan is not in this build' : '';

let cwd = '';
let report: Report;
beforeAll(() => {
  if (skip) return;
  expect(spawnSync('node', [CLI, '--version'], { encoding: 'utf8' }).status).toBe(0);
  cwd = mkdtempSync(join(tmpdir(), 'leash-fixes-e2e-'));
  const out = join(cwd, 'reports/demo/x');
  execFileSync('node', [CLI, 'scan', '--demo', '--fixes', '--output', out], { cwd, stdio: 'pipe' });
  report = parseReport(readFileSync(join(out, 'report.json'), 'utf8'), 'report.json');
});
afterAll(() => {
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

/** Open one principal from the principal list (search by its full name). */
async function openPrincipal(tmux: TmuxSession, name: string): Promise<void> {
  const kind = report.principals.find((p) => p.name === name)!.kind;
  tmux.start({ command: `node ${CLI}`, cwd, columns: 240, rows: 50 });
  await tmux.waitFor('Riskiest agent');
  tmux.send('p', true);
  await tmux.waitFor(/\d+ of \d+/);
  tmux.send('/', true);
  tmux.send(name, true);
  // The search is typed and the principal is the selected row (a bare "1 of N" matched "11 of 11"
  // before the search was typed; and other principals can match a name, e.g. roles that trust it).
  await tmux.waitFor(`search: "${name}"`);
  await tmux.waitFor(`❯ ${name} `);
  // One key at a time: two Enters that arrive together reach the app as one input.
  tmux.send('Enter');
  await tmux.waitFor(/↑↓ move · enter open/);
  tmux.send('Enter');
  await tmux.waitFor(new RegExp(`\\[Findings \\d+\\]`));
  await tmux.waitFor(`${name}  ${kind}`);
}

describe.skipIf(skip !== '')(`every demo fix is reachable in the TUI${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('the demo has fixes for every agent principal, and every fix is linked from a finding or listed in its Fixes tab', () => {
    const agents = report.principals.filter((p) => p.isAgent);
    expect(agents.length).toBeGreaterThanOrEqual(5);
    for (const p of agents) expect(fixesOf(report, p.arn).length, p.name).toBeGreaterThan(0);
    // Negative control: a principal that is not an agent gets no fix.
    const human = report.principals.find((p) => p.name === 'dana')!;
    expect(fixesOf(report, human.arn)).toEqual([]);
  });

  it('opens every fix of every principal from a finding it resolves', async () => {
    let opened = 0;
    for (const p of report.principals.filter((x) => fixesOf(report, x.arn).length > 0)) {
      const findings = findingsFor(report, p.arn);
      const linked = fixesOf(report, p.arn).filter((fx) => findings.some((f) => f.fixIds.includes(fx.id)));
      if (findings.length > 0) expect(linked.map((x) => x.kind), p.name).toEqual(fixesOf(report, p.arn).map((x) => x.kind));
      if (linked.length === 0) continue;
      const tmux = new TmuxSession();
      try {
        await openPrincipal(tmux, p.name);
        for (const fix of linked) {
          const fi = findings.findIndex((f) => f.fixIds.includes(fix.id));
          const finding = findings[fi]!;
          // One key at a time: keys that arrive together reach the app as one input.
          tmux.send('g', true);
          await tmux.waitFor(`❯ ${findings[0]!.severity.toUpperCase().padEnd(9)}${findings[0]!.title}`);
          for (let i = 1; i <= fi; i++) {
            tmux.send('j', true);
            await tmux.waitFor(`❯ ${findings[i]!.severity.toUpperCase().padEnd(9)}${findings[i]!.title}`);
          }
          tmux.send('Enter');
          const choices = fixesForFinding(report, finding.fixIds, finding.id);
          if (choices.length > 1) {
            await tmux.waitFor(`Fixes for: ${finding.title}`);
            await tmux.waitFor(`❯ ${choices[0]!.kind}`);
            for (let i = 1; i <= choices.findIndex((c) => c.id === fix.id); i++) {
              tmux.send('j', true);
              await tmux.waitFor(`❯ ${choices[i]!.kind}`);
            }
            tmux.send('Enter');
          }
          const screen = await tmux.waitFor(`Fix ${fix.title}`);
          expect(screen).toContain(`${fix.kind} for ${p.name}`);
          // The verification says what it checked, and policy fixes diff by service and action.
          expect(screen).toMatch(/✔ verified: |\? unverified: |✘ NOT safe: /);
          if (fix.actionReasons) expect(screen).toContain('Diff by action');
          opened++;
          tmux.send('Escape');
          if (choices.length > 1) { await tmux.waitFor('Fixes for:'); tmux.send('Escape'); }
          await tmux.waitFor('[Findings');
        }
        tmux.send('q', true);
        expect(await tmux.waitForExit()).toBe(0);
      } finally {
        tmux.kill();
      }
    }
    expect(opened).toBe(report.fixes.filter((fx) => findingsFor(report, fx.principalArn).some((f) => f.fixIds.includes(fx.id))).length);
    expect(opened).toBeGreaterThanOrEqual(12);
  }, 240_000);

  it("lists a principal's fixes in its Fixes tab, and opens one from there", async () => {
    const kiro = report.principals.find((p) => p.name === 'kiro-agent')!;
    const fixes = fixesOf(report, kiro.arn);
    const tmux = new TmuxSession();
    try {
      await openPrincipal(tmux, 'kiro-agent');
      tmux.send('Tab');
      const screen = await tmux.waitFor(`[Fixes ${fixes.length}]`);
      for (const f of fixes) expect(screen).toContain(f.title);
      tmux.send('j', true);
      await tmux.waitFor(`❯ ${fixes[1]!.kind}`);
      tmux.send('Enter');
      const fixScreen = await tmux.waitFor(`Fix ${fixes[1]!.title}`);
      expect(fixScreen).toContain('Diff by action');
      // The diff names each action with its reason, by service.
      expect(fixScreen).toMatch(/\+ cloudformation:DescribeStack\w*\s+observed: 12 times, last on 2026-11-23/);
      expect(fixScreen).toMatch(/\+ cloudformation:DescribeStacks /);
    } finally {
      tmux.kill();
    }
  }, 60_000);
});
