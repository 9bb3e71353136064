// src/cli/commands/tui.ts through the real program: without a terminal, `leash` and `leash tui`
// print their hint on stderr, so `leash | …` and `leash > file` in scripts get no stray text.
import { describe, expect, it } from 'vitest';
import { NOT_A_TTY_HINT } from '../../../src/cli/commands/tui.js';
import { runCli } from '../../support/cli.js';

describe('leash / leash tui when stdout is not a terminal', () => {
  it('`leash` alone: hint on stderr, nothing on stdout, exit 0 (it asked for nothing)', async () => {
    const r = await runCli([]);
    expect(r.out).toBe('');
    expect(r.err).toBe(`${NOT_A_TTY_HINT}\n`);
    expect(r.code).toBe(0);
  });

  it('`leash tui`: same hint on stderr, nothing on stdout, exit 2 (it asked for a view that cannot be drawn)', async () => {
    const r = await runCli(['tui', '--demo']);
    expect(r.out).toBe('');
    expect(r.err).toBe(`${NOT_A_TTY_HINT}\n`);
    expect(r.code).toBe(2);
  });
});
