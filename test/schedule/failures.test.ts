// Schedules that fail loudly: N failures in a row stop the loop (exit 2) and leave a marker that
// `leash report` shows; a failure retrying cannot fix (a missing profile) stops at once; a hung
// run is reported stale; SIGINT exits 130. Real croner, real processes; every wait is on an event.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/model/errors.js';
import { runSchedule, type FailureInfo, type RunLogLine, type StaleInfo } from '../../src/schedule/run-schedule.js';
import { FAILURE_MARKER, readFailureMarker } from '../../src/schedule/failure-marker.js';
import { parseDuration } from '../../src/cli/commands/schedule.js';
import { repoRoot } from '../support/fixtures.js';
import { runCli } from '../support/cli.js';
import { startWebhook, type Webhook } from '../support/webhook.js';

const EVERY_SECOND = '* * * * * *';
let root: string;
let hook: Webhook;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'leash-sched-fail-'));
  hook = await startWebhook();
});
afterAll(async () => {
  await hook.close();
  await rm(root, { recursive: true, force: true });
});

describe.concurrent('runSchedule failure limits', () => {
  it('stops after maxFailures failures in a row, counting them in the log', async () => {
    const lines: RunLogLine[] = [];
    const failures: FailureInfo[] = [];
    const summary = await runSchedule({
      cron: EVERY_SECOND,
      maxFailures: 2,
      log: (l) => lines.push(l),
      onFailure: (f) => void failures.push(f),
      runOnce: async () => {
        throw new Error('ExpiredToken: The security token included in the request is expired');
      },
    });
    expect(summary.stoppedBy).toBe('failures');
    expect(summary.consecutiveFailures).toBe(2);
    expect(summary.lastError).toContain('ExpiredToken');
    expect(lines.map((l) => [l.status, l.consecutiveFailures])).toEqual([['failed', 1], ['failed', 2]]);
    expect(failures.map((f) => f.stopping)).toEqual([false, true]);
  }, 20_000);

  it('control: failures broken by a success never reach the limit', async () => {
    const summary = await runSchedule({
      cron: EVERY_SECOND,
      maxFailures: 2,
      maxRuns: 4,
      log: () => undefined,
      runOnce: async ({ run }) => {
        if (run % 2 === 1) throw new Error('flaky');
        return { findings: 0 };
      },
    });
    expect(summary).toMatchObject({ stoppedBy: 'max-runs', ok: 2, failed: 2 });
  }, 20_000);

  it('a fatal failure stops at once', async () => {
    const summary = await runSchedule({
      cron: EVERY_SECOND,
      maxFailures: 5,
      isFatal: (e) => e instanceof InputError,
      log: () => undefined,
      runOnce: async () => {
        throw new InputError('account.json', '', 'a readable file', 'ENOENT');
      },
    });
    expect(summary).toMatchObject({ stoppedBy: 'fatal', failed: 1, consecutiveFailures: 1 });
  }, 20_000);

  it('reports a hung run as stale once, without waiting for the next tick', async () => {
    let release!: () => void;
    const hung = new Promise<void>((r) => (release = r));
    const stale: StaleInfo[] = [];
    const summary = await runSchedule({
      cron: EVERY_SECOND,
      maxRuns: 1,
      staleAfterMs: 1000,
      log: () => undefined,
      onStale: (s) => {
        stale.push(s);
        release();
      },
      runOnce: async () => {
        await hung;
        return { findings: 0 };
      },
    });
    expect(summary.ok).toBe(1);
    expect(stale).toHaveLength(1);
    expect(stale[0]!.reason).toContain('in progress');
    expect(stale[0]!.lastOkAt).toBeUndefined();
  }, 20_000);
});

it('parses durations and rejects nonsense', () => {
  expect(parseDuration('90s', '--stale-after')).toBe(90_000);
  expect(parseDuration('30m', '--stale-after')).toBe(1_800_000);
  expect(parseDuration('2d', '--stale-after')).toBe(172_800_000);
  expect(parseDuration('45', '--stale-after')).toBe(45_000);
  expect(() => parseDuration('soon', '--stale-after')).toThrow(/90s, 30m/);
  expect(() => parseDuration('0s', '--stale-after')).toThrow(InputError);
});

/** Log lines of runs that ran (not ticks skipped because a run was still going). */
function executed(stdout: string): RunLogLine[] {
  return stdout.trim().split('\n').map((l) => JSON.parse(l) as RunLogLine).filter((l) => l.status !== 'skipped');
}

interface Proc { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function leashProcess(args: string[], env: NodeJS.ProcessEnv, entry = 'src/cli/main.ts', onStdout?: (all: string, kill: (s: NodeJS.Signals) => void) => void): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, entry), ...args], { cwd: repoRoot, env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => {
    stdout += b.toString();
    onStdout?.(stdout, (s) => child.kill(s));
  });
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((r) => child.on('exit', (code, signal) => r({ code, signal, stdout, stderr })));
}

describe('leash schedule as a process', () => {
  it('a missing profile stops the schedule after one run: exit 2, one-line hint, marker, alert, and `leash report` shows it', async () => {
    const reports = join(root, 'bad-profile');
    const empty = join(root, 'empty-aws-config');
    writeFileSync(empty, '');
    hook.received.length = 0;
    // --stale-after: a first run slower than two ticks (a loaded machine) would also, rightly, send run-stale.
    const p = await leashProcess(['schedule', '--cron', EVERY_SECOND, '--stale-after', '1h', '--notify', hook.url, '--', '--profile', 'no-such-profile', '--reports', reports], {
      AWS_CONFIG_FILE: empty,
      AWS_SHARED_CREDENTIALS_FILE: empty,
      AWS_PROFILE: '',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
    });
    expect(p.code).toBe(2);
    // Ticks that came while the (slow, under load) first run was going are logged as skipped.
    const lines = executed(p.stdout);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.status).toBe('failed');
    expect(lines[0]!.error).toContain('AWS profile "no-such-profile" is not defined');
    expect(p.stderr).toContain('retrying cannot fix this');
    const marker = readFailureMarker(reports);
    expect(marker).toMatchObject({ consecutiveFailures: 1, stopped: true, fatal: true });
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]!.body).toMatchObject({ schema: 'leash.alert/1', event: 'run-failed', stopped: true, consecutiveFailures: 1 });

    const r = await runCli(['report', '--reports', reports]);
    expect(r.code).toBe(2); // no report was ever written…
    expect(r.err).toMatch(/WARNING 1 scheduled run in a row failed .*no-such-profile.*the schedule stopped/); // …and it says why
  }, 60_000);

  it('N retryable failures in a row: exit 2 with the marker; a later success removes it', async () => {
    const reports = join(root, 'expired');
    const p = await leashProcess(['schedule', '--cron', EVERY_SECOND, '--max-failures', '2', '--', '--reports', reports], { LEASH_TEST_FAIL: '1' }, 'test/schedule/schedule-cli.child.ts');
    expect(p.code).toBe(2);
    const lines = executed(p.stdout);
    expect(lines.map((l) => l.consecutiveFailures)).toEqual([1, 2]);
    // The hint, not the SDK's words, is what the log carries.
    expect(lines[1]!.error).toContain('the AWS credentials have expired');
    expect(p.stderr).toContain('stopped after 2 failed runs in a row');
    expect(readFailureMarker(reports)).toMatchObject({ consecutiveFailures: 2, stopped: true, fatal: false, maxFailures: 2 });

    // Control: the same schedule with a working scan clears the marker on its first success.
    const ok = await leashProcess(['schedule', '--cron', EVERY_SECOND, '--max-runs', '1', '--', '--reports', reports], {}, 'test/schedule/schedule-cli.child.ts');
    expect(ok.code).toBe(0);
    expect(existsSync(join(reports, FAILURE_MARKER))).toBe(false);
    const r = await runCli(['report', '--reports', reports]);
    expect(r.err).not.toContain('WARNING');
  }, 60_000);

  it('SIGINT exits 130 (SIGTERM stays 0, tested in schedule-command.test.ts)', async () => {
    const reports = join(root, 'sigint');
    let sent = false;
    const p = await leashProcess(['schedule', '--cron', EVERY_SECOND, '--', '--reports', reports], {}, 'test/schedule/schedule-cli.child.ts', (out, kill) => {
      if (!sent && out.includes('"status":"ok"')) {
        sent = true;
        kill('SIGINT');
      }
    });
    expect(p.code).toBe(130);
    expect(p.stderr).toContain('SIGINT: no new runs');
    expect(readFileSync(join(reports, '111122223333', 'latest'), 'utf8').trim()).not.toBe('');
  }, 60_000);
});
