// `leash schedule … -- --history DIR`: the real CLI and the real scan, two runs, each reading the
// run before from the history store (the option is the scan command's own, passed through).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { parseTrend } from '../../src/report/trend.js';
import { repoRoot } from '../support/fixtures.js';
import { parseReport } from '../../src/report/history.js';

describe('leash schedule with --history', () => {
  it('each run compares with the one before it through the history store', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'leash-sched-hist-'));
    const history = join(tmp, 'history');
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'schedule', '--cron', '* * * * * *', '--max-runs', '2', '--',
      '--demo', '--reports', join(tmp, 'reports'), '--history', history, '--format', 'json', '--ci'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code, stderr).toBe(0);
    // Ticks that come while a scan runs are logged as skipped; two runs complete.
    const runs = stdout.trim().split('\n').map((l) => JSON.parse(l) as { status: string; reportDir: string }).filter((r) => r.status !== 'skipped');
    expect(runs.map((r) => r.status)).toEqual(['ok', 'ok']);
    const [first, second] = runs.map((r) => parseReport(readFileSync(join(r.reportDir, 'report.json'), 'utf8'), 'report.json'));
    expect(second!.delta?.previousScanId).toBe(first!.scan.id);
    const trend = parseTrend(readFileSync(join(history, '111122223333', 'trend.ndjson'), 'utf8'), 'trend');
    expect(trend.map((t) => t.startedAt)).toEqual([first!.scan.startedAt, second!.scan.startedAt]);
  }, 90_000);
});
