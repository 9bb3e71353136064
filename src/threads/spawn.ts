// Worker threads start from an entry module beside the module that spawns them. Built (dist/,
// .js) it loads as is; run from source (.ts under tsx or vitest) the worker registers tsx first,
// because a worker thread gets no loader hooks from its parent on Node 20.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { codeDirOf } from '../code-location.js';
import { Worker } from 'node:worker_threads';

/** A worker running `./<entry>.js` (or `.ts` from source) next to `moduleUrl`, the caller's import.meta.url (code-location.ts for the bundle). */
export function spawnWorker(entry: string, moduleUrl: string): Worker {
  // No inherited flags: the parent's (e.g. --input-type, loaders) can stop a worker from starting.
  const opts = { execArgv: [] };
  // Compiled: the entry beside the calling module, or beside the bundle's entries for a module in a chunk.
  if (!moduleUrl.endsWith('.ts')) return new Worker(pathToFileURL(join(codeDirOf(moduleUrl), `${entry}.js`)), opts);
  const source = new URL(`./${entry}.ts`, moduleUrl).href;
  const tsxApi = pathToFileURL(join(dirname(createRequire(moduleUrl).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  return new Worker(`import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`, { eval: true, ...opts });
}
