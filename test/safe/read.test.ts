// The one bounded regular-file reader (src/safe/read.ts): exact bytes up to the limit, and a
// FileReadError saying what the path is otherwise, sync and async alike, never blocking.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileReadError, readRegularFile, readRegularFileSync } from '../../src/safe/read.js';

const dir = mkdtempSync(join(tmpdir(), 'leash-safe-read-'));
const exact = join(dir, 'exact.txt');
writeFileSync(exact, 'x'.repeat(100_000));
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
const zero = join(dir, 'zero');
symlinkSync('/dev/zero', zero);
mkdirSync(join(dir, 'sub'));

const readers = [
  ['sync', async (f: string, max: number) => readRegularFileSync(f, max, 'a test file')],
  ['async', (f: string, max: number) => readRegularFile(f, max, 'a test file')],
] as const;

describe.each(readers)('%s reader', (_name, read) => {
  it('returns the exact bytes of a file at the limit (negative control for the refusals)', async () => {
    expect((await read(exact, 100_000)).toString()).toBe('x'.repeat(100_000));
    expect((await read(join(dir, 'empty'), 10).catch((e: FileReadError) => e.problem))).toBe('missing');
  });

  it.each([
    ['one byte over the limit', () => exact, 99_999, 'too-large', /a file of 100000 bytes.*over the limit/],
    ['a FIFO (no writer: would block)', () => fifo, 10, 'not-regular', /FIFO/],
    ['a link to /dev/zero', () => zero, 10, 'not-regular', /character device/],
    ['a directory', () => join(dir, 'sub'), 10, 'not-regular', /a directory/],
    ['a name over 255 bytes', () => join(dir, 'n'.repeat(300)), 10, 'name-too-long', /255 bytes/],
  ] as const)('refuses %s with the file and what was expected', async (_what, path, max, problem, got) => {
    const e = await Promise.resolve().then(() => read(path(), max)).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(FileReadError);
    const err = e as FileReadError;
    expect(err.problem).toBe(problem);
    expect(err.message).toContain(path());
    expect(err.message).toMatch(/expected a test file/);
    expect(err.message).toMatch(got);
  });
});
