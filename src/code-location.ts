// Where the running code lives, for the files that sit beside it (the catalog cache, worker entry
// modules). leash ships as one bundle (dist/bundle: its entry files, the code they share in
// dist/bundle/chunks/, see scripts/bundle.mjs) and also runs as compiled modules (dist/src: tests,
// the bench) or from sources under tsx. A module's own URL names its folder; in the bundle a module
// may be inside a chunk, whose folder is one below the bundle's.
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bundle's folder for shared code (scripts/bundle.mjs writes chunks there). */
export const BUNDLE_CHUNKS_DIR = 'chunks';

/** The folder of the code a module URL belongs to: its own, or the bundle's for a chunk. */
export function codeDirOf(moduleUrl: string): string {
  const dir = dirname(fileURLToPath(moduleUrl));
  return basename(dir) === BUNDLE_CHUNKS_DIR ? dirname(dir) : dir;
}
