// Real croner on a one-second cron; assertions wait on events (log lines), never on how fast the
// machine is. Each test takes a few seconds of wall time because cron ticks are whole seconds.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/model/errors.js';
import { listScans } from '../../src/report/history.js';
import { writeReportBundle } from '../../src/report/write.js';
import { nextRunOf, runSchedule, type RunLogLine, type RunResult } from '../../src/schedule/run-schedule.js';
import { ACCOUNT, buildReport } from '../report/support.js';

const EVERY_SECOND = '* * * * * *';
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'leash-schedule-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A real runOnce: builds a report stamped now and writes its bundle atomically. */
function scanInto(reportsRoot: string) {
  return async ({ run, signal }: { run: number; signal: AbortSignal }): Promise<RunResult> => {
    const report = buildReport({ startedAt: new Date().toISOString(), scanId: `run-${run}` });
    const { dir } = await writeReportBundle(report, { reportsRoot, formats: ['json', 'md'], signal });
    return { reportDir: dir, findings: report.findings.filter((f) => !f.suppressed).length, exitCode: 1 };
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe.concurrent('runSchedule', () => {
  it('runs on the cron schedule and writes one report per run', async () => {
    const reports = join(root, 'three');
    const lines: RunLogLine[] = [];
    const summary = await runSchedule({ cron: EVERY_SECOND, runOnce: scanInto(reports), log: (l) => lines.push(l), maxRuns: 3 });
    expect(summary).toEqual({ ticks: 3, ok: 3, failed: 0, skipped: 0, stoppedBy: 'max-runs' });
    const scans = await listScans(reports, ACCOUNT);
    expect(scans).toHaveLength(3);
    expect(lines.map((l) => [l.run, l.status, l.findings, l.exitCode])).toEqual([
      [1, 'ok', 3, 1],
      [2, 'ok', 3, 1],
      [3, 'ok', 3, 1],
    ]);
    expect(lines.map((l) => l.reportDir)).toEqual(scans.map((s) => s.dir));
    for (const l of lines) expect(Date.parse(l.finishedAt)).toBeGreaterThanOrEqual(Date.parse(l.startedAt));
  }, 20_000);

  it('never overlaps: a tick during a slow run is logged as skipped', async () => {
    const lines: RunLogLine[] = [];
    const sawSkip = deferred();
    let running = 0;
    let maxRunning = 0;
    const summary = await runSchedule({
      cron: EVERY_SECOND,
      maxRuns: 2,
      log: (l) => {
        lines.push(l);
        if (l.status === 'skipped') sawSkip.resolve();
      },
      runOnce: async ({ run }) => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        // The first run is "slow": it lasts until the scheduler has skipped a tick because of it.
        if (run === 1) await sawSkip.promise;
        running -= 1;
        return { findings: 0 };
      },
    });
    expect(maxRunning).toBe(1);
    expect(summary.ok).toBe(2);
    expect(summary.skipped).toBeGreaterThanOrEqual(1);
    const skipped = lines.find((l) => l.status === 'skipped')!;
    expect(skipped.error).toBe('previous run still in progress');
    expect(skipped.run).toBeGreaterThan(1);
    // The skip is logged while run 1 is still going, so it comes before run 1's own line.
    expect(lines.findIndex((l) => l.status === 'skipped')).toBeLessThan(lines.findIndex((l) => l.run === 1));
  }, 20_000);

  it('survives a failing run: logs it (first line of the message only) and runs again', async () => {
    const reports = join(root, 'failing');
    const lines: RunLogLine[] = [];
    const real = scanInto(reports);
    const summary = await runSchedule({
      cron: EVERY_SECOND,
      maxRuns: 2,
      log: (l) => lines.push(l),
      runOnce: async (ctx) => {
        if (ctx.run === 1) throw new Error('AccessDenied: iam:GetAccountAuthorizationDetails\n    at collect (src/collect/aws.ts:10)');
        return real(ctx);
      },
    });
    expect(summary).toMatchObject({ ok: 1, failed: 1 });
    expect(lines.map((l) => l.status)).toEqual(['failed', 'ok']);
    expect(lines[0]!.error).toBe('AccessDenied: iam:GetAccountAuthorizationDetails');
    expect(lines[0]!.reportDir).toBeUndefined();
    expect(await listScans(reports, ACCOUNT)).toHaveLength(1);
  }, 20_000);

  it('abort stops the loop: no run starts afterwards', async () => {
    const ac = new AbortController();
    const lines: RunLogLine[] = [];
    let runs = 0;
    const summary = await runSchedule({
      cron: EVERY_SECOND,
      signal: ac.signal,
      log: (l) => {
        lines.push(l);
        ac.abort(new Error('SIGTERM'));
      },
      runOnce: async () => {
        runs += 1;
        return {};
      },
    });
    expect(summary.stoppedBy).toBe('signal');
    expect(runs).toBe(1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(runs).toBe(1);
    expect(lines).toHaveLength(1);
  }, 20_000);

  it('abort during a run abandons its write atomically and waits for it to settle', async () => {
    const reports = join(root, 'abandon');
    const ac = new AbortController();
    const lines: RunLogLine[] = [];
    const started = deferred();
    const done = runSchedule({
      cron: EVERY_SECOND,
      signal: ac.signal,
      log: (l) => lines.push(l),
      runOnce: async (ctx) => {
        started.resolve();
        // The scan is "in progress" until the stop request arrives, then tries to write.
        await new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r(), { once: true }));
        return scanInto(reports)(ctx);
      },
    });
    await started.promise;
    ac.abort(new Error('stopped by SIGTERM'));
    const summary = await done;
    expect(summary).toMatchObject({ stoppedBy: 'signal', failed: 1, ok: 0 });
    expect(lines).toEqual([expect.objectContaining({ run: 1, status: 'failed', error: 'stopped by SIGTERM' })]);
    expect(await readdir(join(reports, ACCOUNT))).toEqual([]);
  }, 20_000);

  it('returns at once when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const summary = await runSchedule({ cron: EVERY_SECOND, signal: ac.signal, log: () => undefined, runOnce: async () => ({}) });
    expect(summary).toEqual({ ticks: 0, ok: 0, failed: 0, skipped: 0, stoppedBy: 'signal' });
  });
});

describe('schedule input', () => {
  it('rejects a bad cron expression with the flag and what was expected', () => {
    expect(() => runSchedule({ cron: 'every night', runOnce: async () => ({}), log: () => undefined })).toThrow(InputError);
    expect(() => nextRunOf('61 * * * *')).toThrow(/--cron: expected a cron expression with 5 fields/);
  });

  it('rejects a max-runs below one', () => {
    expect(() => runSchedule({ cron: EVERY_SECOND, runOnce: async () => ({}), log: () => undefined, maxRuns: 0 })).toThrow(/--max-runs/);
  });

  it('reads 5-field expressions at minute precision and honours a time zone', () => {
    const next = nextRunOf('0 3 * * *', 'UTC');
    expect(next.getUTCHours()).toBe(3);
    expect(next.getUTCMinutes()).toBe(0);
    expect(next.getTime()).toBeGreaterThan(Date.now());
  });
});
