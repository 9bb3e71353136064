// A --history directory (a CI cache, a mounted volume). Keys are relative paths; each file is
// written to a temp file beside it, flushed and renamed, so a killed run leaves the old file.
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../../model/errors.js';
import { TEMP_PREFIX } from '../history.js';
import type { BlobStore } from './store.js';

/** Keys come from leash itself, but one made from hostile data must never climb out of the root. */
export function checkKey(key: string, where: string): string[] {
  const parts = key.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\') || p.includes('\0'))) {
    throw new InputError(where, '', 'a plain relative key inside the history', JSON.stringify(key));
  }
  return parts;
}

export function dirBlobStore(root: string): BlobStore {
  const base = resolve(root);
  return {
    location: base,
    async get(key) {
      const path = join(base, ...checkKey(key, base));
      try {
        return await readFile(path);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return undefined;
        throw new InputError(path, '', 'a readable file in the --history directory', code ?? (e as Error).message);
      }
    },
    async put(key, body) {
      const path = join(base, ...checkKey(key, base));
      const tmp = join(dirname(path), `${TEMP_PREFIX}${process.pid}-${Math.random().toString(36).slice(2)}`);
      try {
        await mkdir(dirname(path), { recursive: true });
        const fh = await open(tmp, 'wx');
        try {
          await fh.writeFile(body);
          await fh.sync();
        } finally {
          await fh.close();
        }
        await rename(tmp, path);
      } catch (e) {
        await rm(tmp, { force: true }).catch(() => undefined);
        if (e instanceof InputError) throw e;
        throw new InputError(base, '', 'a writable --history directory', (e as Error).message);
      }
    },
    close() {},
  };
}
