import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The package root, from src/pipeline or dist/src/pipeline. */
export const packageRoot = [resolve(here, '../..'), resolve(here, '../../..')].find((d) => existsSync(join(d, 'demo', 'authorization-details.json'))) ?? resolve(here, '../..');
export const demoDir = join(packageRoot, 'demo');
