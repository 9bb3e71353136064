import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { codeDirOf } from '../code-location.js';

const here = codeDirOf(import.meta.url);
/** The package root, from src/pipeline, dist/src/pipeline or the bundle (dist/bundle). */
export const packageRoot = [resolve(here, '../..'), resolve(here, '../../..')].find((d) => existsSync(join(d, 'demo', 'authorization-details.json'))) ?? resolve(here, '../..');
export const demoDir = join(packageRoot, 'demo');
