import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUNDLE_CHUNKS_DIR, codeDirOf } from '../src/code-location.js';

describe('codeDirOf', () => {
  it('is a module\'s own folder, or the bundle\'s for a module in a chunk', () => {
    const root = join('/opt', 'leash', 'dist');
    expect(codeDirOf(pathToFileURL(join(root, 'src', 'iam', 'catalog-cache.js')).href)).toBe(join(root, 'src', 'iam'));
    expect(codeDirOf(pathToFileURL(join(root, 'bundle', 'main.js')).href)).toBe(join(root, 'bundle'));
    expect(codeDirOf(pathToFileURL(join(root, 'bundle', BUNDLE_CHUNKS_DIR, 'chunk-AB12.js')).href)).toBe(join(root, 'bundle'));
    // A folder that only ends like the chunks' folder is a folder of its own.
    expect(codeDirOf(pathToFileURL(join(root, 'src', `my${BUNDLE_CHUNKS_DIR}`, 'x.js')).href)).toBe(join(root, 'src', `my${BUNDLE_CHUNKS_DIR}`));
  });
});
