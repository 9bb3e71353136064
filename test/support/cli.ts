// Run the real CLI in-process (commander with exitOverride), capturing stdout, stderr and the exit code.
import { vi } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';

export async function runCli(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => { out += String(c); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => { err += String(c); return true; });
  process.exitCode = 0;
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'leash', ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, out, err };
}
