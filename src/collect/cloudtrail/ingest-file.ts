// One CloudTrail log file, read and folded into an aggregator. The same code runs on the main
// thread and in ingest workers, so a file gives the same outcome (counts, errors naming it)
// whichever thread read it.
import { closeSync, constants, fstatSync, openSync, read } from 'node:fs';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { ScanError } from '../../model/errors.js';
import type { UsageAggregator } from './aggregate.js';
import { visitDocument, type DocumentShape } from './document.js';
import { jsonErrorOffset, lineColumn } from './json-error.js';
import { scanDocument } from './scan-document.js';
import { scanDocumentWasm } from './scan-wasm.js';

const gunzipAsync = promisify(gunzip);

function readAsync(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buf, offset, length, position, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

/**
 * How a file's text becomes records: 'wasm' (default) and 'scan' build only the fields usage needs
 * — 'scan' in one JavaScript pass over the bytes (scan-document.ts), 'wasm' with that pass's byte
 * loop in WebAssembly (scan-wasm.ts) — and hand anything unusual to JSON.parse; 'json' parses every
 * file whole with JSON.parse. All give the same usage, errors and locations.
 */
export type CloudTrailParser = 'wasm' | 'scan' | 'json';

/** A file's bytes after gunzip (UTF-8 JSON, not yet decoded), or why it could not be read. */
export type LoadedFile =
  | { readonly file: string; readonly bytes: Buffer }
  | { readonly file: string; readonly error: string; readonly code: ScanError['code'] };

/**
 * Largest CloudTrail file read, on disk and after gunzip. CloudTrail delivers a file every ~5
 * minutes per region (a few MB); past this a file is reported in errors[] and the read goes on.
 */
export const MAX_LOG_FILE_BYTES = 256 * 2 ** 20;

export function loadLogFile(file: string, maxBytes = MAX_LOG_FILE_BYTES): Promise<LoadedFile> {
  return startLoad(file, maxBytes).loading;
}

/** A load under way, with the file's size on disk (0 when it could not be opened). */
interface Load {
  readonly size: number;
  readonly loading: Promise<LoadedFile>;
}

/**
 * Opens and checks the file now (this thread: two cheap system calls on metadata the directory
 * walk just read), then reads it on the thread pool in one step and gunzips it there. The open,
 * stat, read and close of a promise-based read were four asynchronous steps, and each needs a
 * turn of this thread (see forEachLoaded). O_NONBLOCK: opening a FIFO must not wait for a writer;
 * only a regular file is read.
 */
function startLoad(file: string, maxBytes: number): Load {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isFile()) return done(fd, { file, error: 'not a regular file (a device, FIFO or socket): expected a CloudTrail log file', code: 'invalid-input' });
    if (st.size > maxBytes) return done(fd, { file, error: `file is ${st.size} bytes, over the ${maxBytes}-byte limit per CloudTrail file; skipped`, code: 'invalid-input' });
    const opened = fd;
    fd = undefined;
    return { size: st.size, loading: readAndGunzip(file, opened, st.size, maxBytes) };
  } catch (e) {
    if (fd !== undefined) closeQuietly(fd);
    return { size: 0, loading: Promise.resolve(readFailed(file, e)) };
  }
}

function done(fd: number, result: LoadedFile): Load {
  closeSync(fd);
  return { size: 0, loading: Promise.resolve(result) };
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already failing: the first error is the one reported
  }
}

function readFailed(file: string, e: unknown): LoadedFile {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENAMETOOLONG') return { file, error: 'file name too long (over 255 bytes per name)', code: 'invalid-input' };
  return { file, error: `cannot read file: ${code ?? String(e)}`, code: 'not-found' };
}

async function readAndGunzip(file: string, fd: number, size: number, maxBytes: number): Promise<LoadedFile> {
  let buf: Buffer;
  try {
    try {
      buf = await readWhole(fd, size, maxBytes);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    return readFailed(file, e);
  }
  if (buf.length === 0) return { file, error: 'empty file (0 bytes): expected a CloudTrail log file; interrupted download?', code: 'invalid-input' };
  // Trust the gzip magic number over the file name: S3 downloads sometimes lose or add ".gz".
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      // Bounded inflation: a 1 MB file that inflates to 1 GB stops at the limit (a gzip bomb).
      buf = await gunzipBounded(buf, maxBytes);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
        return { file, error: `decompresses to more than the ${maxBytes}-byte limit per CloudTrail file; skipped`, code: 'invalid-input' };
      }
      return { file, error: `not a readable gzip file (${(e as Error).message}); truncated download?`, code: 'invalid-input' };
    }
  }
  return { file, bytes: buf };
}

/**
 * The file's bytes: `size` of them (from fstat; fewer if it shrank), as fs.promises' readFile reads
 * a regular file. Usually one read: one trip to the thread pool. A file whose size fstat gives as
 * 0 is read to its end in chunks, up to `maxBytes`.
 */
async function readWhole(fd: number, size: number, maxBytes: number): Promise<Buffer> {
  if (size === 0) {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(64 * 1024);
      const n = await readAsync(fd, chunk, 0, chunk.length, total);
      if (n === 0) return Buffer.concat(chunks, total);
      total += n;
      if (total > maxBytes) throw Object.assign(new Error(`over ${maxBytes} bytes`), { code: 'EFBIG' });
      chunks.push(chunk.subarray(0, n));
    }
  }
  const buf = Buffer.allocUnsafe(size);
  let at = 0;
  while (at < size) {
    const n = await readAsync(fd, buf, at, size - at, at);
    if (n === 0) return buf.subarray(0, at);
    at += n;
  }
  return buf;
}

/**
 * gunzip up to `maxBytes` of output. zlib's output chunk defaults to 16 KiB, and each chunk is a
 * callback on this thread plus a copy at the end; the gzip trailer's ISIZE (the uncompressed size
 * mod 2^32, as the writer claims it) sizes one chunk for the whole file instead. It is only a hint:
 * a wrong value costs speed, never correctness, and it is clamped to [64 KiB, 16 MiB].
 */
export function gunzipBounded(buf: Buffer, maxBytes: number): Promise<Buffer> {
  const claimed = buf.length >= 18 ? buf.readUInt32LE(buf.length - 4) : 0;
  const chunkSize = Math.max(64, Math.min(16 * 2 ** 20, maxBytes + 1, Math.max(64 * 1024, claimed + 1024)));
  return gunzipAsync(buf, { maxOutputLength: maxBytes, chunkSize });
}

/** "line L column C" of the first syntax error of a text JSON.parse rejected. */
export function jsonErrorLocation(text: string): string {
  const at = jsonErrorOffset(text);
  return lineColumn(text, at < 0 ? text.length : at);
}

/** What one file contributed, besides what went into the aggregator. Small: no records. */
export interface FileOutcome {
  readonly file: string;
  /** false: the file as a whole could not be used (unreadable, not JSON, wrong shape). */
  readonly ok: boolean;
  readonly shape?: DocumentShape;
  /** Well-formed records handed to the aggregator (in the window or not). */
  readonly records: number;
  readonly badRecords: number;
  readonly outsideWindow: number;
  readonly errors: readonly ScanError[];
}

export function ingestLoaded(loaded: LoadedFile, agg: UsageAggregator, maxRecordErrors: number, parser: CloudTrailParser = 'wasm'): FileOutcome {
  const { file } = loaded;
  const failed = (error: ScanError): FileOutcome => ({ file, ok: false, records: 0, badRecords: 0, outsideWindow: 0, errors: [error] });
  if ('error' in loaded) return failed({ source: 'cloudtrail-file', code: loaded.code, message: `${file}: ${loaded.error}`, location: file });
  // The scanner declines (undefined) anything it would not read exactly as JSON.parse does,
  // invalid JSON included: then JSON.parse decides, and names the error's location.
  let doc: unknown = parser === 'wasm' ? scanDocumentWasm(loaded.bytes) : parser === 'scan' ? scanDocument(loaded.bytes) : undefined;
  if (doc === undefined) {
    const text = loaded.bytes.toString('utf8');
    try {
      doc = JSON.parse(text);
    } catch {
      const where = jsonErrorLocation(text);
      return failed({ source: 'cloudtrail-file', code: 'invalid-input', message: `${file}: invalid JSON at ${where}: expected a CloudTrail log file`, location: file, path: where });
    }
  }
  const errors: ScanError[] = [];
  let badRecords = 0;
  const outsideBefore = agg.outsideWindow;
  const visit = visitDocument(
    doc,
    (r) => {
      agg.add(r);
    },
    (p) => {
      if (badRecords++ < maxRecordErrors) {
        errors.push({ source: 'cloudtrail-file', code: 'invalid-input', message: `${file} at ${p.path}: ${p.expected}`, location: file, path: p.path });
      }
    },
  );
  if (!visit.ok) {
    return failed({ source: 'cloudtrail-file', code: 'invalid-input', message: `${file} at ${visit.path}: expected ${visit.expected}, got ${visit.got}`, location: file, path: visit.path });
  }
  if (badRecords > maxRecordErrors) {
    errors.push({ source: 'cloudtrail-file', code: 'invalid-input', message: `${file}: ${badRecords - maxRecordErrors} more bad records not listed`, location: file });
  }
  return { file, ok: true, shape: visit.shape, records: visit.records, badRecords, outsideWindow: agg.outsideWindow - outsideBefore, errors };
}

/**
 * Hands `use` each item in order, with its file loaded when it names one. Files are read ahead
 * (READ_AHEAD): their reads and gunzips run on the thread pool while this thread parses; memory
 * is bounded by the files in flight.
 *
 * A load is a chain of asynchronous steps (read, then gunzip's write and end), and each step
 * needs a turn of this thread's event loop to start the next. Awaiting a load that has already
 * finished gives no such turn (only a microtask), so without the explicit turn after each `use`
 * the loads in flight stood still until this thread found the next file unfinished and waited
 * (measured: 11 % of the main thread waiting). A turn after each file moves every load in flight
 * on by a step; with four files ahead a load's three steps are done before it is needed.
 */
export async function forEachLoaded<T>(
  items: AsyncIterator<T> | Iterator<T>,
  fileOf: (item: T) => string | undefined,
  use: (item: T, loaded: LoadedFile | undefined) => void,
  readAhead: ReadAhead = READ_AHEAD,
): Promise<void> {
  const queue: { item: T; load: Load | undefined }[] = [];
  let exhausted = false;
  let files = 0;
  let bytes = 0;
  const refill = async (): Promise<void> => {
    while (!exhausted && files < readAhead.maxFiles && (files < readAhead.minFiles || bytes < readAhead.maxBytes)) {
      const next = await items.next();
      if (next.done) {
        exhausted = true;
        return;
      }
      const file = fileOf(next.value);
      let load: Load | undefined;
      if (file !== undefined) {
        load = startLoad(file, MAX_LOG_FILE_BYTES);
        files++;
        bytes += load.size;
      }
      queue.push({ item: next.value, load });
    }
  };
  await refill();
  while (queue.length > 0) {
    const { item, load } = queue.shift()!;
    const loaded = load && (await load.loading);
    if (load) {
      files--;
      bytes -= load.size;
    }
    await refill();
    use(item, loaded);
    if (load && queue.length > 0) {
      // Two turns: the second catches a step the first one started that finished at once (the
      // end of a gunzip).
      await turn();
      await turn();
    }
  }
}

/**
 * How far ahead forEachLoaded reads: always `minFiles` files, and up to `maxFiles` while the
 * files in flight hold less than `maxBytes` on disk (CloudTrail files are a few MB at most; a
 * corpus of large ones is read two ahead, as before).
 */
export interface ReadAhead {
  readonly minFiles: number;
  readonly maxFiles: number;
  readonly maxBytes: number;
}

export const READ_AHEAD: ReadAhead = { minFiles: 2, maxFiles: 4, maxBytes: 8 * 2 ** 20 };

/** One turn of the event loop: I/O callbacks that are due run before this resolves. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
