// The first frame of a big report comes before the report is parsed: the built CLI opens a
// 10k-principal report through a named pipe, and the test holds back the second half of the bytes.
// While they are held back the report cannot have been parsed, yet the screen already shows the
// loading line; once they arrive, the overview. No timing is measured or assumed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { writeFailureMarker } from '../../src/schedule/failure-marker.js';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/fixtures.js';
import { TmuxSession, tmuxAvailable, TMUX_SKIP_REASON } from '../support/tmux.js';
import { buildReport } from './support.js';

const CLI = process.env.LEASH_E2E_CLI ?? join(repoRoot, 'dist/bundle/main.js');
const hasMkfifo = spawnSync('mkfifo', ['--version']).status === 0;
const skipReason = !tmuxAvailable ? TMUX_SKIP_REASON : !existsSync(CLI) ? `${CLI} not built (run \`npm run build\`)` : !hasMkfifo ? 'mkfifo not available' : '';

let cwd: string;
let tmux: TmuxSession;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'leash-e2e-load-'));
  tmux = new TmuxSession();
});
afterEach(() => {
  tmux.kill();
  rmSync(cwd, { recursive: true, force: true });
});

describe.skipIf(skipReason !== '')(`opening a 10k-principal report${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('shows the loading line while the report is still arriving, then the overview', async () => {
    const text = JSON.stringify(buildReport({ extraPrincipals: 10_000 }));
    const fifo = join(cwd, 'report.json');
    execFileSync('mkfifo', [fifo]);
    tmux.start({ command: `node ${CLI} tui --report report.json`, cwd, columns: 100, rows: 30 });
    // Opening for writing waits (off the event loop) until the TUI opens the pipe to read it.
    const writer = await open(fifo, 'w');
    try {
      const half = Math.floor(text.length / 2);
      await writer.write(text.slice(0, half));
      await tmux.waitFor('Opening report.json');
      await tmux.waitFor('Reading report');
      expect(tmux.screen()).not.toContain('Riskiest agent');
      await writer.write(text.slice(half));
    } finally {
      await writer.close();
    }
    await tmux.waitFor('Riskiest agent: kiro-agent');
    tmux.send('p', true);
    await tmux.waitFor('10005 of 10005');
    tmux.send('q', true);
    expect(await tmux.waitForExit()).toBe(0);
  });

  it('control: a report cut short is still an error naming the file, exit 2', async () => {
    const fifo = join(cwd, 'report.json');
    execFileSync('mkfifo', [fifo]);
    tmux.start({ command: `node ${CLI} tui --report report.json`, cwd });
    const writer = await open(fifo, 'w');
    await writer.write(JSON.stringify(buildReport()).slice(0, 500));
    await writer.close();
    const code = await tmux.waitForExit();
    expect(tmux.transcript()).toMatch(/leash: report\.json at line 1,? column \d+: expected a JSON report/);
    expect(code).toBe(2);
  });

  it('says when the scheduled scan that should refresh the report is failing; control: silent without the marker', async () => {
    const dir = join(cwd, 'reports', '111122223333', '20261124T101500Z');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'report.json'), JSON.stringify(buildReport()));
    tmux.start({ command: `node ${CLI}`, cwd, columns: 120, rows: 30 });
    await tmux.waitFor('Riskiest agent: kiro-agent');
    expect(tmux.screen()).not.toContain('scheduled scan has failed');
    tmux.send('q', true);
    await tmux.waitForExit();
    tmux.kill();

    writeFailureMarker(join(cwd, 'reports'), { failedAt: '2026-11-25T03:00:05Z', consecutiveFailures: 2, maxFailures: 2, stopped: true, fatal: false, lastError: 'the AWS credentials have expired', cron: '0 3 * * *' });
    tmux = new TmuxSession();
    tmux.start({ command: `node ${CLI}`, cwd, columns: 120, rows: 30 });
    await tmux.waitFor('The scheduled scan has failed 2× in a row and stopped');
    tmux.send('q', true);
    expect(await tmux.waitForExit()).toBe(0);
  });
});
