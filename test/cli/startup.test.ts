// What every leash command pays before it does anything: the modules loaded at start-up. The AWS
// SDK clients, the PostgreSQL driver and the TUI (ink) are loaded by the commands that use them,
// not by `leash --version` or an offline scan (the Organizations client alone, pulled in for one
// regular expression, was ~0.15 s of every start).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'leash-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function importsOf(args: string[]): { status: number | null; urls: string[] } {
  const file = join(dir, `imports-${args.join('-').replace(/[^a-z0-9-]/gi, '_')}.txt`);
  const r = spawnSync(process.execPath, ['--import', join(repoRoot, 'test/cli/support/record-imports.mjs'), '--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args], {
    cwd: repoRoot, encoding: 'utf8', env: { ...process.env, LEASH_TEST_IMPORTS: file, AWS_EC2_METADATA_DISABLED: 'true' },
  });
  let urls: string[] = [];
  try { urls = readFileSync(file, 'utf8').split('\n').filter(Boolean); } catch { /* nothing recorded */ }
  return { status: r.status, urls };
}

const heavy = /node_modules\/(@aws-sdk\/client-[^/]+|pg|ink)\//;

describe('start-up', () => {
  it.each([
    [['--version']],
    [['scan', '--help']],
    [['scan', '--demo', '--output', join(dir, 'bundle'), '--reports', join(dir, 'reports'), '--ci', '--quiet']],
  ])('leash %s loads no AWS SDK client, PostgreSQL driver or ink', (args) => {
    const r = importsOf(args);
    expect(r.status).toBe(0);
    // Control: the hook did record this run's modules (commander is loaded by every command).
    expect(r.urls.some((u) => u.includes('node_modules/commander/'))).toBe(true);
    expect(r.urls.filter((u) => heavy.test(u))).toEqual([]);
  }, 120_000);

  it('the TUI module loads no AWS SDK client, and the activity reader only when a is pressed', () => {
    const file = join(dir, 'imports-tui.txt');
    const r = spawnSync(process.execPath, ['--import', join(repoRoot, 'test/cli/support/record-imports.mjs'), '--import', 'tsx', '-e', "await import('./src/tui/run.tsx')"], {
      cwd: repoRoot, encoding: 'utf8', env: { ...process.env, LEASH_TEST_IMPORTS: file, AWS_EC2_METADATA_DISABLED: 'true' },
    });
    expect(r.status).toBe(0);
    const urls = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    // Control: the TUI and its Activity screen were loaded.
    expect(urls.some((u) => u.endsWith('src/tui/screens/Activity.tsx'))).toBe(true);
    expect(urls.filter((u) => /node_modules\/@aws-sdk\/client-/.test(u) || /src\/activity\/(read|athena)\.ts$/.test(u))).toEqual([]);
  }, 120_000);
});
