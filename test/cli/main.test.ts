// src/cli/main.ts and the commands' help: what a tired engineer sees on --help and on a typo.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram, main } from '../../src/cli/main.js';

async function runMain(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((c) => { out += String(c); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((c) => { err += String(c); return true; });
  try {
    return { code: await main(['node', 'leash', ...args]), out, err };
  } finally {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  }
}

afterEach(() => { process.exitCode = undefined; });

describe('--help of every command lists its exit codes', () => {
  const names = buildProgram().commands.map((c) => c.name());

  it('covers every command', () => {
    expect(names).toEqual(['activity', 'agents', 'blast', 'contain', 'diff', 'explain', 'fix', 'paths', 'report', 'scan', 'schedule', 'tui', 'who-can']);
  });

  it.each(names)('leash %s --help ends with an "Exit codes:" block that includes 2, exit 0', async (name) => {
    const r = await runMain([name, '--help']);
    expect(r.code).toBe(0);
    const block = r.out.slice(r.out.indexOf('\nExit codes:\n'));
    expect(r.out).toContain('\nExit codes:\n');
    expect(block).toMatch(/^ {2}0 {2}\S/m);
    expect(block).toMatch(/^ {2}2 {2}\S/m);
  });

  it('scan says 1 means findings, not failure', async () => {
    const r = await runMain(['scan', '--help']);
    expect(r.out).toMatch(/^ {2}1 {2}scanned and written; open findings at or above --fail-on/m);
  });

  it('leash --help states the exit codes too', async () => {
    const r = await runMain(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Exit codes:\n {2}0 {2}ok\n {2}1 {2}findings at or above --fail-on/);
  });
});

describe('usage errors say where the options are', () => {
  it('an unknown option: commander\'s suggestion, then which --help to read, exit 2', async () => {
    const r = await runMain(['scan', '--fial-on', 'high']);
    expect(r.code).toBe(2);
    expect(r.err).toBe("error: unknown option '--fial-on'\n(Did you mean --fail-on?)\n(see `leash scan --help` for its options and exit codes)\n");
    expect(r.out).toBe('');
  });

  it('a missing argument and a bad choice get the same pointer', async () => {
    const missing = await runMain(['explain']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("error: missing required argument 'subject'\n(see `leash explain --help` for its options and exit codes)\n");
    const choice = await runMain(['scan', '--demo', '--fail-on', 'hihg']);
    expect(choice.code).toBe(2);
    expect(choice.err).toContain('Allowed choices are critical, high, medium, low, info.\n(see `leash scan --help`');
  });
});

describe('a reader that leaves early', () => {
  // `leash scan --help | head -1`: the pipe closes before leash has written; it used to die with
  // an unhandled EPIPE and a Node stack trace.
  async function runClosed(args: string[]): Promise<{ code: number | null; err: string }> {
    const { spawn } = await import('node:child_process');
    const { join } = await import('node:path');
    const repoRoot = join(import.meta.dirname, '../..');
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let err = '';
    child.stderr.on('data', (d) => { err += String(d); });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code, err };
  }

  it('stops printing quietly and keeps its exit code (help: 0)', async () => {
    const r = await runClosed(['scan', '--help']);
    expect(r.err).not.toMatch(/EPIPE|Unhandled|node:events/);
    expect(r.code).toBe(0);
  }, 60_000);

  it('negative control: a usage error still says so on stderr and exits 2', async () => {
    const r = await runClosed(['scan', '--no-such-option']);
    expect(r.err).toMatch(/unknown option '--no-such-option'/);
    expect(r.code).toBe(2);
  }, 60_000);
});
