// `leash tui latest --account X` and `leash tui <scan folder>` in a real terminal (tmux), with two
// accounts in reports/: before, `latest` could not be opened at all once a second account appeared.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { repoRoot } from '../support/fixtures.js';
import { TmuxSession, tmuxAvailable, TMUX_SKIP_REASON } from '../support/tmux.js';
import { runCli } from '../support/cli.js';
import { buildReport } from './support.js';

const CLI = process.env.LEASH_E2E_CLI ?? join(repoRoot, 'dist/bundle/main.js');
const skipReason = !tmuxAvailable ? TMUX_SKIP_REASON : !existsSync(CLI) ? `${CLI} not built (run \`npm run build\`)` : '';

let cwd: string;
let tmux: TmuxSession;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'leash-e2e-latest-'));
  tmux = new TmuxSession();
});
afterEach(() => {
  tmux.kill();
  rmSync(cwd, { recursive: true, force: true });
});

/** Two accounts, one scan each, filed as `leash scan` files them (with the latest pointer). */
function twoAccounts(): { a: string; b: string } {
  const dirs: Record<string, string> = {};
  for (const [id, alias, scan] of [['111122223333', 'alpha-dev', '2026-11-24T10-15-00.000Z'], ['444455556666', 'beta-prod', '2026-11-25T10-15-00.000Z']] as const) {
    const base = buildReport();
    const report: Report = { ...base, scan: { ...base.scan, account: { id, alias } } };
    const dir = join(cwd, 'reports', id, scan);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'report.json'), JSON.stringify(report));
    writeFileSync(join(cwd, 'reports', id, 'latest'), `${scan}\n`);
    dirs[id] = dir;
  }
  return { a: dirs['111122223333']!, b: dirs['444455556666']! };
}

describe('latest with two accounts, outside a terminal', () => {
  it('report/explain/fix without --account say which accounts there are; with it, they work', async () => {
    twoAccounts();
    const reports = join(cwd, 'reports');
    const without = await runCli(['report', '--reports', reports]);
    expect(without.code).toBe(2);
    expect(without.err).toMatch(/--account ID .*111122223333, 444455556666/);
    const withA = await runCli(['report', '--reports', reports, '--account', '444455556666']);
    expect(withA.code).toBe(0);
    expect(withA.out).toContain('444455556666');
    // A path that contradicts --account is stopped, not silently preferred.
    const clash = await runCli(['report', '--reports', reports, '--account', '111122223333', '--report', join(reports, '444455556666', '2026-11-25T10-15-00.000Z')]);
    expect(clash.code).toBe(2);
    expect(clash.err).toMatch(/expected a scan of account 111122223333 \(--account\), got "444455556666"/);
    const fix = await runCli(['fix', '--reports', reports, '--principal', 'nobody-by-that-name', '--account', '111122223333']);
    expect(fix.err).toMatch(/a principal with ARN or name nobody-by-that-name/); // got past `latest`
    const diff = await runCli(['diff', 'latest', 'latest', '--reports', reports, '--account', '444455556666']);
    expect(diff.code).toBe(0);
  });
});

describe.skipIf(skipReason !== '')(`leash tui latest / scan folder in a real terminal${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('`tui latest --account` opens that account; `tui <scan folder>` opens the folder', async () => {
    const { a } = twoAccounts();
    tmux.start({ command: `node ${CLI} tui latest --account 444455556666`, cwd, columns: 100, rows: 30 });
    await tmux.waitFor('444455556666 (beta-prod)');
    tmux.send('q', true);
    await tmux.waitForExit();
    tmux.kill();

    tmux = new TmuxSession();
    tmux.start({ command: `node ${CLI} tui ${a}`, cwd, columns: 100, rows: 30 });
    await tmux.waitFor('111122223333 (alpha-dev)');
    tmux.send('q', true);
    await tmux.waitForExit();
  });

  it('a scan folder of another account than --account: exit 2 naming both (checked on the one load of the report)', async () => {
    const { b } = twoAccounts();
    tmux.start({ command: `node ${CLI} tui ${b} --account 111122223333`, cwd, columns: 100, rows: 30 });
    await tmux.waitFor('[exit=2]');
    expect(tmux.transcript().replace(/\n/g, '')).toMatch(/expected a scan of account 111122223333 \(--account\), got "444455556666"/);
  });

  it('negative control: `tui latest` without --account names the accounts and exits 2', async () => {
    twoAccounts();
    tmux.start({ command: `node ${CLI} tui latest`, cwd, columns: 100, rows: 30 });
    await tmux.waitFor('[exit=2]');
    expect(tmux.transcript().replace(/\n/g, '')).toMatch(/--account ID .*111122223333, 444455556666/);
  });
});
