// The one way leash opens a file it was given: only a regular file, opened without blocking, and
// at most a stated number of bytes. A path may name a FIFO (opening it would wait for a writer
// forever), /dev/zero or a link to it (reading never ends while memory grows), a directory, or a
// file larger than a JavaScript string can hold (V8 then aborts with "Cannot create a string
// longer than 0x1fffffe8 characters", naming no file). Each of those becomes a FileReadError
// naming the file, what was expected and what it is, before any byte is read.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { InputError } from '../model/errors.js';

const MiB = 2 ** 20;

/**
 * Largest file read, per kind of input. Documents parsed whole stay under V8's longest string
 * (0x1fffffe8 characters, about 512 MiB); hand-written files get far less, as no real one comes
 * near it and a bigger one is a mistake or an attack.
 */
export const READ_LIMITS = {
  /** `aws iam get-account-authorization-details` output (--input). */
  authorizationDetails: 500 * MiB,
  /** A report.json read back (--report, latest/previous, diff, fix, explain, tui). */
  report: 500 * MiB,
  /** `aws iam get-service-last-accessed-details` output (--last-accessed). */
  lastAccessed: 64 * MiB,
  /** leash.config.yaml, the suppressions file, ~/.aws/config and credentials, AI tool configs. */
  config: 4 * MiB,
  suppressions: 16 * MiB,
} as const;

export type FileReadProblem = 'missing' | 'not-regular' | 'too-large' | 'name-too-long' | 'unreadable';

export class FileReadError extends InputError {
  constructor(
    file: string,
    expected: string,
    got: string,
    readonly problem: FileReadProblem,
    readonly errno?: string,
  ) {
    super(file, '', expected, got);
    this.name = 'FileReadError';
  }
}

function whatItIs(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe), which is not a regular file';
  if (st.isCharacterDevice()) return 'a character device (such as /dev/zero), which is not a regular file';
  if (st.isBlockDevice()) return 'a block device, which is not a regular file';
  if (st.isSocket()) return 'a socket, which is not a regular file';
  return 'something that is not a regular file';
}

function human(n: number): string {
  return n >= MiB ? `${Math.round((n / MiB) * 10) / 10} MiB` : `${n} bytes`;
}

function tooLarge(file: string, expected: string, size: number | undefined, max: number): FileReadError {
  const got = size === undefined ? `more than ${max} bytes` : `a file of ${size} bytes (${human(size)})`;
  return new FileReadError(file, `${expected} of at most ${max} bytes (${human(max)})`, `${got}, over the limit`, 'too-large');
}

function fromErrno(file: string, expected: string, e: unknown): FileReadError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new FileReadError(file, expected, 'no such file', 'missing', code);
  if (code === 'ENAMETOOLONG') return new FileReadError(file, expected, 'a file name over 255 bytes (ENAMETOOLONG)', 'name-too-long', code);
  if (code === 'EISDIR') return new FileReadError(file, expected, 'a directory', 'not-regular', code);
  return new FileReadError(file, expected, `an unreadable file (${code ?? String(e)})`, 'unreadable', code);
}

// O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer; fstat then refuses it.
const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;
const CHUNK = 4 * MiB;

/**
 * The bytes of `file`, when it is a regular file of at most `maxBytes` bytes; else a FileReadError
 * (an InputError: file, what was expected, what it is). `expected` reads like "a leash config file".
 */
export function readRegularFileSync(file: string, maxBytes: number, expected: string): Buffer {
  let fd: number;
  try {
    fd = openSync(file, FLAGS);
  } catch (e) {
    throw fromErrno(file, expected, e);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new FileReadError(file, expected, whatItIs(st), 'not-regular');
    if (st.size > maxBytes) throw tooLarge(file, expected, st.size, maxBytes);
    // Read to the end, not to st.size: a file still being written may have grown since fstat.
    const parts: Buffer[] = [];
    let total = 0;
    let buf = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(st.size + 1, 64 * 1024)));
    let at = 0;
    for (;;) {
      if (at === buf.length) {
        parts.push(buf);
        buf = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 2 - total));
        at = 0;
      }
      const n = readSync(fd, buf, at, buf.length - at, null);
      if (n === 0) break;
      at += n;
      total += n;
      if (total > maxBytes) throw tooLarge(file, expected, undefined, maxBytes);
    }
    parts.push(buf.subarray(0, at));
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
  } catch (e) {
    if (e instanceof FileReadError) throw e;
    throw fromErrno(file, expected, e);
  } finally {
    closeSync(fd);
  }
}

/** The same, without blocking the event loop. */
export async function readRegularFile(file: string, maxBytes: number, expected: string): Promise<Buffer> {
  let fh;
  try {
    fh = await open(file, FLAGS);
  } catch (e) {
    throw fromErrno(file, expected, e);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new FileReadError(file, expected, whatItIs(st), 'not-regular');
    if (st.size > maxBytes) throw tooLarge(file, expected, st.size, maxBytes);
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(st.size - total + 1, 64 * 1024), maxBytes + 2 - total));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      parts.push(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw tooLarge(file, expected, undefined, maxBytes);
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
  } catch (e) {
    if (e instanceof FileReadError) throw e;
    throw fromErrno(file, expected, e);
  } finally {
    await fh.close();
  }
}
