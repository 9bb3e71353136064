// A containment plan's folder: new every time (never an existing one), files created, not overwritten.
import { mkdir, open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InputError } from '../model/errors.js';
import { safeName } from '../safe/name.js';
import type { ContainmentPlan } from './plan.js';
import { renderContainment } from './render.js';

/** Default folder under which each plan gets a sub-folder. */
export const CONTAIN_DIR = 'contain';

/** Write the plan under `root` in `<kind>-<name>-<time>/`; resolves to that folder. */
export async function writeContainment(root: string, plan: ContainmentPlan): Promise<string> {
  const base = resolve(root);
  await mkdir(base, { recursive: true });
  const dir = join(base, `${safeName(plan.principal.kind, plan.principal.name)}-${plan.plannedAt.replace(/[-:]/g, '')}`);
  try {
    await mkdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new InputError(dir, '', 'a folder that does not exist yet (each plan gets its own)', 'it exists');
    throw e;
  }
  for (const f of renderContainment(plan)) {
    const fh = await open(join(dir, f.name), 'wx', f.mode);
    try {
      await fh.writeFile(f.content);
    } finally {
      await fh.close();
    }
  }
  return dir;
}
