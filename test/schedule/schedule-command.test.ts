// The `leash schedule` shell: option validation and scan-option pass-through. The scan loop itself
// is tested in run-schedule.test.ts; here a stand-in scan writes real bundles.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { register } from '../../src/cli/commands/schedule.js';
import { EXIT_ERROR } from '../../src/cli/exit-codes.js';
import { listScans } from '../../src/report/history.js';
import { ACCOUNT } from '../report/support.js';
import { repoRoot } from '../support/fixtures.js';

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

async function leash(...args: string[]): Promise<{ stderr: string; exitCode: number | string | undefined }> {
  let stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const program = new Command('leash').exitOverride();
  // A stand-in `scan` command with the option shapes the real one has, so pass-through is checked
  // against real commander parsing.
  program.command('scan').option('--reports <dir>', 'reports root', 'reports').option('--demo').action(() => undefined);
  register(program);
  await program.parseAsync(['schedule', ...args], { from: 'user' });
  const exitCode = process.exitCode;
  vi.restoreAllMocks();
  return { stderr, exitCode };
}

describe('leash schedule', () => {
  it('rejects a bad cron expression before starting', async () => {
    const r = await leash('--cron', 'nightly please', '--max-runs', '1');
    expect(r.exitCode).toBe(EXIT_ERROR);
    expect(r.stderr).toContain('--cron: expected a cron expression with 5 fields');
  });

  it('rejects --max-runs and --keep that are not positive whole numbers', async () => {
    expect((await leash('--cron', '0 3 * * *', '--max-runs', '0')).stderr).toContain('--max-runs: expected a whole number, at least 1');
    expect((await leash('--cron', '0 3 * * *', '--keep', '2.5')).stderr).toContain('--keep: expected a whole number, at least 1');
  });

  it('rejects scan options the scan command does not know', async () => {
    const r = await leash('--cron', '0 3 * * *', '--', '--demo', '--no-such-flag');
    expect(r.exitCode).toBe(EXIT_ERROR);
    expect(r.stderr).toContain('expected options of `leash scan` after --');
    expect(r.stderr).toContain('--no-such-flag');
  });
});

describe('leash schedule as a process', () => {
  it('logs one JSON line per run, forwards scan options, prunes with --keep, and exits 0 on SIGTERM', async () => {
    const reports = await mkdtemp(join(tmpdir(), 'leash-schedule-cli-'));
    try {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(repoRoot, 'test/schedule/schedule-cli.child.ts'), 'schedule', '--cron', '* * * * * *', '--keep', '1', '--', '--reports', reports],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      // Wait for two runs, then ask it to stop.
      await new Promise<void>((resolveTwo, reject) => {
        child.stdout.on('data', (b: Buffer) => {
          stdout += b.toString();
          if (stdout.split('\n').filter((l) => l.trim() !== '').length >= 2) resolveTwo();
        });
        void exited.then((code) => reject(new Error(`exited early (${code}): ${stderr}`)));
      });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { run: number; status: string; reportDir?: string; findings?: number; exitCode?: number });
      expect(lines.slice(0, 2).map((l) => [l.run, l.status, l.findings, l.exitCode])).toEqual([
        [1, 'ok', 3, 1],
        [2, 'ok', 3, 1],
      ]);
      expect(lines[0]!.reportDir!.startsWith(join(reports, ACCOUNT))).toBe(true);
      expect(stderr).toContain('SIGTERM: no new runs');
      // --keep 1: only the newest scan is left.
      const scans = await listScans(reports, ACCOUNT);
      expect(scans).toHaveLength(1);
      // (A run caught mid-write by SIGTERM is abandoned and logged as failed, so look at the last ok one.)
      expect(scans[0]!.dir).toBe(lines.filter((l) => l.status === 'ok').pop()!.reportDir);
    } finally {
      await rm(reports, { recursive: true, force: true });
    }
  }, 30_000);
});
