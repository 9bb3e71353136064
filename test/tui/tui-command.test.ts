// src/cli/commands/tui.ts: what `leash` and `leash tui` do when there is no terminal.
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NOT_A_TTY_HINT, register, startTui } from '../../src/cli/commands/tui.js';

function io() {
  const err: string[] = [];
  return { io: { isTTY: false, err: (l: string) => err.push(l) }, err };
}

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('startTui without a terminal', () => {
  it('`leash` prints one line on stderr pointing at `leash scan` and exits 0 (it asked for nothing)', async () => {
    const x = io();
    expect(await startTui({}, false, x.io)).toBe(0);
    expect(x.err).toEqual([NOT_A_TTY_HINT]);
    expect(NOT_A_TTY_HINT).not.toContain('\n');
    expect(NOT_A_TTY_HINT).toContain('leash scan');
  });

  it('`leash tui` asked for explicitly exits 2 with the same hint', async () => {
    const x = io();
    expect(await startTui({ demo: true }, true, x.io)).toBe(2);
    expect(x.err).toEqual([NOT_A_TTY_HINT]);
  });
});

describe('register', () => {
  it('adds `tui` with its options and makes the TUI the root action', async () => {
    const program = new Command('leash').exitOverride();
    register(program);
    const tui = program.commands.find((c) => c.name() === 'tui');
    expect(tui?.options.map((o) => o.long)).toEqual(['--report', '--account', '--org', '--reports', '--reports-dir', '--input', '--demo', '--profile', '--cloudtrail', '--config']);
    // The scan behind --cloudtrail takes directories and delivery trees, not only files.
    const ct = tui?.options.find((o) => o.long === '--cloudtrail');
    expect(ct?.flags).toBe('--cloudtrail <path...>');
    expect(ct?.description).toContain('directories, a delivery tree');
    // Under vitest stdout is a pipe, so the root action takes the no-terminal path; stdout stays clean.
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await program.parseAsync([], { from: 'user' });
    expect(err).toHaveBeenCalledWith(`${NOT_A_TTY_HINT}\n`);
    expect(out).not.toHaveBeenCalled();
    expect(process.exitCode).toBe(0);
  });
});

describe('startTui in a terminal: one thing to open', () => {
  const tty = () => {
    const err: string[] = [];
    return { io: { isTTY: true, err: (l: string) => err.push(l) }, err };
  };

  it.each([
    [{ input: 'a.json', report: 'reports/x/report.json' }, 'got the report "reports/x/report.json" and --input'],
    [{ demo: true, input: 'a.json' }, 'got --input and --demo'],
    [{ demo: true, profile: 'audit' }, 'got --demo and --profile'],
    [{ org: true, demo: true }, 'got --demo and --org'],
  ])('%o is exit 2, naming both, before anything is scanned or opened', async (opts, named) => {
    const x = tty();
    expect(await startTui(opts, true, x.io)).toBe(2);
    expect(x.err).toHaveLength(1);
    expect(x.err[0]).toContain('leash: tui: expected one thing to open');
    expect(x.err[0]).toContain(named);
  });

  it('control: one source alone passes the check (a report path that does not exist then fails as such)', async () => {
    const x = tty();
    expect(await startTui({ report: '/nonexistent-leash/report.json' }, true, x.io)).toBe(2);
    expect(x.err.join('\n')).not.toContain('one thing to open');
    expect(x.err.join('\n')).toContain('/nonexistent-leash/report.json');
  });
});
