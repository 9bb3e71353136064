// `leash contain` through the real CLI into a fresh folder under `root`: the plan folder it wrote
// (exactly one), for tests that then run its scripts.
import { mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli } from './cli.js';

export async function containPlan(root: string, reports: string, args: readonly string[]): Promise<string> {
  const out = mkdtempSync(join(root, 'plan-'));
  const r = await runCli(['contain', ...args, '--reports', reports, '-o', out]);
  expect(r.code, r.err).toBe(0);
  const dirs = readdirSync(out);
  expect(dirs).toHaveLength(1);
  return join(out, dirs[0]!);
}
