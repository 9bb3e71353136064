// Writes a principal's fixes to reports/<scan>/fixes/<principal>/: the policy JSON files,
// main.tf, apply.sh (dry run by default) and a README. Never touches an AWS account.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderFixFiles, renderVersionsTf } from './render/index.js';
import type { PrincipalFixPlan } from './plan.js';

/** A directory name for a principal: its name, made filesystem-safe, plus kind to keep users and roles apart. */
export function fixDirName(plan: PrincipalFixPlan): string {
  return plan.principalName.replace(/[^A-Za-z0-9+=,.@_-]/g, '_');
}

export function writeFixPlans(fixesDir: string, plans: readonly PrincipalFixPlan[]): string[] {
  const written: string[] = [];
  for (const plan of plans) {
    const dir = join(fixesDir, fixDirName(plan));
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    for (const f of renderFixFiles(plan.target)) writeFileSync(join(tmp, f.path), f.content, { mode: f.mode });
    writeFileSync(join(tmp, 'README.md'), plan.readme);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    written.push(dir);
  }
  // One terraform {} block for every principal's main.tf concatenated into one module.
  if (plans.length > 0) writeFileSync(join(fixesDir, 'versions.tf'), renderVersionsTf());
  return written;
}
