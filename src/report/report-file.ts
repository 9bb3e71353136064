// Where a bundle keeps its report: `report.json`, or `report.json.gz` when the report is large.
// At 10,000 principals report.json is ~61 MB of distinct text (findings naming their principal,
// per-principal evidence) and gzip makes it ~9 MB; an account of a few hundred principals writes a
// few MB, which stays plain for `jq` and an editor. The history store (history-store/) has always
// kept reports gzipped, and CloudTrail, Config and S3 Inventory deliver gzipped JSON the same way.
//
// `auto` decides by the report's own size: its bytes are held (at most COMPRESS_ABOVE_BYTES of
// them) until it is known to pass the bound, then everything goes through gzip into
// report.json.gz. So exactly one of the two files is written, and its name says what it is.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { isAscii, isUtf8 } from 'node:buffer';
import { join } from 'node:path';
import { constants as zlibConstants, createGzip, gunzipSync, type Gzip } from 'node:zlib';
import { InputError } from '../model/errors.js';
import { READ_LIMITS, readRegularFile, readRegularFileSync } from '../safe/read.js';
import { FORMAT_FILES } from './formats.js';
import { writeAll, writePieces, type ByteSink } from './json-stream.js';

export const REPORT_FILE = FORMAT_FILES.json;
export const REPORT_FILE_GZ = 'report.json.gz';
/** Both names, in the order readers prefer them when a folder holds both (`leash report --format json` writes a plain one beside a gzipped one). */
export const REPORT_FILES = [REPORT_FILE, REPORT_FILE_GZ] as const;

export const REPORT_COMPRESSIONS = ['auto', 'always', 'never'] as const;
export type ReportCompression = (typeof REPORT_COMPRESSIONS)[number];

/** `auto` writes report.json.gz past this many bytes of JSON (~2,500 principals of the synthetic account). */
export const COMPRESS_ABOVE_BYTES = 16 * 2 ** 20;

/**
 * gzip level 1: at 10,000 principals 61 MB → 8.9 MB in 0.35 s of one core, against 7.3 MB in
 * 0.53 s at the default 6; it runs on zlib's thread pool while this thread writes the JSON.
 */
const GZIP_LEVEL = 1;
/** Compressed bytes waiting for the disk before the writer waits for them. */
const MAX_PENDING = 8 * 2 ** 20;

/**
 * zlib's output buffer. Node compresses on the thread pool one output buffer at a time, and starts
 * the next only from this thread's event loop: with 64 KiB (~450 KB of JSON in at level 1) a 1 MiB
 * batch took three turns, and this thread, busy making the next batch, gave them only when it
 * waited for the last one, so compressing rarely overlapped the JSON (at 10,000 principals the
 * writing's profile showed this thread idle ~0.3 s, at 50,000 ~1.6 s). 512 KiB takes a batch in one.
 */
const GZIP_CHUNK = 1 << 19;

/** Bytes through gzip into an open file, in order; `end` resolves when every byte is on its way to the file. */
class GzipFileSink implements ByteSink {
  private readonly gz: Gzip = createGzip({ level: GZIP_LEVEL, chunkSize: GZIP_CHUNK });
  private fileTail: Promise<void> = Promise.resolve();
  private pending = 0;
  private failure: unknown;

  constructor(private readonly fh: FileHandle) {
    this.gz.on('data', (chunk: Buffer) => {
      this.pending += chunk.length;
      this.fileTail = this.fileTail.then(async () => {
        await writeAll(this.fh, chunk);
        this.pending -= chunk.length;
      });
      // Kept for the next await of fileTail; not an unhandled rejection meanwhile.
      this.fileTail.catch((e: unknown) => (this.failure ??= e));
    });
    this.gz.on('error', (e) => (this.failure ??= e));
  }

  async write(buf: Buffer, length: number): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    // The callback comes once zlib has read the bytes, so the caller may reuse `buf` after it.
    await new Promise<void>((res, rej) => this.gz.write(buf.subarray(0, length), (e) => (e ? rej(e) : res())));
    if (this.pending > MAX_PENDING) await this.fileTail;
  }

  async end(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    await new Promise<void>((res, rej) => {
      this.gz.once('end', res);
      this.gz.once('error', rej);
      this.gz.end();
    });
    await this.fileTail;
    if (this.failure !== undefined) throw this.failure;
  }

  destroy(): void {
    this.gz.destroy();
  }
}

/**
 * The report's bytes, held until the compression is decided, then to report.json or
 * report.json.gz in `dir` (created with `wx`: never over an existing file).
 */
class ReportSink implements ByteSink {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private fh: FileHandle | undefined;
  private gzip: GzipFileSink | undefined;

  constructor(
    private readonly dir: string,
    private readonly compression: ReportCompression,
    private readonly above: number,
  ) {}

  async write(batch: Buffer, batchLength: number): Promise<void> {
    // ASCII on disk: readers parse a one-byte string (reportJsonText).
    const buf = asciiJson(batch.subarray(0, batchLength));
    const length = buf.length;
    if (this.compression === 'never') {
      this.fh ??= await open(join(this.dir, REPORT_FILE), 'wx');
      return writeAll(this.fh, buf, length);
    }
    if (this.gzip === undefined && (this.compression === 'always' || this.heldBytes + length > this.above)) await this.startGzip();
    if (this.gzip !== undefined) return this.gzip.write(buf, length);
    // The writer reuses its buffer: keep a copy (an escaped batch is one already).
    this.held.push(buf.buffer === batch.buffer ? Buffer.from(buf) : buf);
    this.heldBytes += length;
  }

  private async startGzip(): Promise<void> {
    this.fh = await open(join(this.dir, REPORT_FILE_GZ), 'wx');
    this.gzip = new GzipFileSink(this.fh);
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const h of held) await this.gzip.write(h, h.length);
  }

  /** Writes what is held (plain) or ends the gzip stream; flushed to disk; the file's name. */
  async finish(): Promise<string> {
    // `always` with nothing written (no piece) is still a .gz, as asked.
    if (this.gzip === undefined && this.compression === 'always') await this.startGzip();
    let name = REPORT_FILE_GZ;
    if (this.gzip !== undefined) await this.gzip.end();
    else {
      name = REPORT_FILE;
      this.fh ??= await open(join(this.dir, REPORT_FILE), 'wx');
      for (const h of this.held) await writeAll(this.fh, h);
      this.held = [];
    }
    // A power cut after the bundle's rename must not leave an empty file behind it.
    await this.fh!.sync();
    await this.close();
    return name;
  }

  async close(): Promise<void> {
    this.gzip?.destroy();
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close();
  }
}

/**
 * Write a report's JSON pieces into `dir` as report.json or report.json.gz (see the top of this
 * file); returns the name written. A failure closes what was opened; the caller's temp folder
 * holds any partial file.
 */
export async function writeReportFile(dir: string, pieces: Iterable<string>, compression: ReportCompression, opts: { above?: number; batch?: number } = {}): Promise<string> {
  const sink = new ReportSink(dir, compression, opts.above ?? COMPRESS_ABOVE_BYTES);
  try {
    await writePieces(sink, pieces, opts.batch ?? 1 << 16);
    return await sink.finish();
  } catch (e) {
    await sink.close().catch(() => undefined);
    throw e;
  }
}

// ---- reading ------------------------------------------------------------------------------------

const EXPECTED = 'a readable report.json (or report.json.gz)';

/** gzip's magic number: trusted over the file's name (a download may lose or gain ".gz"). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * A report's bytes, inflated when they are gzip, at most READ_LIMITS.report bytes either way (a
 * small .gz that inflates past it, a gzip bomb, stops there). Errors name the file.
 */
export function reportBytes(bytes: Buffer, file: string, maxBytes: number = READ_LIMITS.report): Buffer {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes, chunkSize: inflateChunkSize(bytes, maxBytes) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new InputError(file, '', `a report.json.gz that inflates to at most ${maxBytes} bytes`, 'more than that once inflated');
    }
    throw new InputError(file, '', 'a gzip-compressed report.json', `an unreadable gzip stream (${(e as Error).message}); truncated copy?`);
  }
}

/**
 * One output buffer for the whole report: gzip's trailer states the inflated size (ISIZE, modulo
 * 2^32, RFC 1952 §2.3.1), and zlib's default 16 KB chunks were 3,600 buffers joined by one more
 * 58 MB copy at 10,000 principals (~0.2 s). The trailer is the file's word: bounded by deflate's
 * largest ratio (1032:1) and the read limit; a wrong one only means chunks joined as before.
 */
function inflateChunkSize(gz: Buffer, maxBytes: number): number {
  const stated = gz.length >= 18 ? gz.readUInt32LE(gz.length - 4) : 0;
  // + room, so the end of the stream is met before the buffer is full (a full one makes zlib allocate the next).
  return Math.max(16 * 1024, Math.min(stated + 1024, maxBytes + 1, gz.length * 1032));
}

/** A report's text from its bytes (reportBytes, decoded as UTF-8). */
export function reportText(bytes: Buffer, file: string, maxBytes: number = READ_LIMITS.report): string {
  return reportBytes(bytes, file, maxBytes).toString('utf8');
}

/**
 * The text of report JSON bytes. ASCII (what writeReportFile writes since session 31) is read as
 * latin1, into a one-byte string; anything else as UTF-8, which is a two-byte string as soon as
 * one character needs it (→, —): at 10,000 principals decoding and JSON.parse took ~0.3 s more
 * CPU that way (12 interleaved runs each). Escaping at read time instead cost as much as it saved.
 */
export function reportJsonText(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

const NON_ASCII = /[^\x00-\x7f]/g;
const escapeUnit = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
const HEX = Buffer.from('0123456789abcdef', 'latin1');

/**
 * JSON bytes with each non-ASCII character written as its escape (`→` as `\u2192`; a character
 * past U+FFFF as its two surrogates): the same JSON value, read back as one-byte text
 * (reportJsonText). Exact for JSON.stringify's output, whose non-ASCII characters stand only
 * inside strings, never after a backslash. `bytes` hold whole characters (PieceWriter never splits
 * a piece). Only batches that need it are changed: 127 of 889 at 10,000 principals (finding texts
 * with → and —), ~35 ms of CPU for the scan (a decode and regex replace per batch took ~120).
 */
export function asciiJson(bytes: Buffer): Buffer {
  if (isAscii(bytes)) return bytes;
  // Not UTF-8 (never from Buffer.write of a string): decoded as readers decode it, U+FFFD for what is invalid.
  if (!isUtf8(bytes)) return Buffer.from(bytes.toString('utf8').replace(NON_ASCII, escapeUnit), 'latin1');
  const n = bytes.length;
  let size = n;
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (c < 0x80) continue;
    const len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    size += (len === 4 ? 12 : 6) - len;
    i += len - 1;
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  const unit = (u: number): void => {
    out[at] = 0x5c;
    out[at + 1] = 0x75;
    out[at + 2] = HEX[u >> 12]!;
    out[at + 3] = HEX[(u >> 8) & 15]!;
    out[at + 4] = HEX[(u >> 4) & 15]!;
    out[at + 5] = HEX[u & 15]!;
    at += 6;
  };
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (c < 0x80) {
      out[at++] = c;
    } else if (c >= 0xf0) {
      const v = (((c & 7) << 18) | ((bytes[i + 1]! & 63) << 12) | ((bytes[i + 2]! & 63) << 6) | (bytes[i + 3]! & 63)) - 0x10000;
      unit(0xd800 + (v >> 10));
      unit(0xdc00 + (v & 0x3ff));
      i += 3;
    } else if (c >= 0xe0) {
      unit(((c & 15) << 12) | ((bytes[i + 1]! & 63) << 6) | (bytes[i + 2]! & 63));
      i += 2;
    } else {
      unit(((c & 31) << 6) | (bytes[i + 1]! & 63));
      i += 1;
    }
  }
  return out;
}

/** The bytes of a report file (report.json or report.json.gz, inflated), bounded and regular-only. */
export async function readReportBytes(file: string): Promise<Buffer> {
  return reportBytes(await readRegularFile(file, READ_LIMITS.report, EXPECTED), file);
}

export function readReportBytesSync(file: string): Buffer {
  return reportBytes(readRegularFileSync(file, READ_LIMITS.report, EXPECTED), file);
}

/** The text of a report file (report.json or report.json.gz), bounded and regular-only. */
export async function readReportText(file: string): Promise<string> {
  return (await readReportBytes(file)).toString('utf8');
}

export function readReportTextSync(file: string): string {
  return readReportBytesSync(file).toString('utf8');
}

/**
 * The start of a report's text, at most `maxChars` of it, for a field near the top (scan times):
 * a gzipped one is inflated only as far as its first compressed bytes go. Undefined when unreadable.
 */
export function reportHead(head: Buffer): string | undefined {
  if (!isGzip(head)) return head.toString('utf8');
  try {
    // A truncated stream inflates as far as it goes with a sync flush instead of failing.
    return gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 64 * head.length }).toString('utf8');
  } catch {
    return undefined;
  }
}

const HEAD_BYTES = 64 * 1024;

/** The start of a report file's text (its first 64 KB, see reportHead), or undefined when unreadable. */
export function readReportHead(path: string): string | undefined {
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(HEAD_BYTES);
      return reportHead(buf.subarray(0, readSync(fd, buf, 0, HEAD_BYTES, 0)))?.slice(0, HEAD_BYTES);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** The report file a bundle folder holds (report.json first), or undefined. */
export function reportFileIn(dir: string): string | undefined {
  for (const name of REPORT_FILES) {
    const path = join(dir, name);
    if (statSync(path, { throwIfNoEntry: false })?.isFile()) return path;
  }
  return undefined;
}

/**
 * JSON pieces through gzip into a new file (`wx`: never over an existing one), flushed to disk: the
 * scan index (report/scan-index.ts). A failure closes the file; the caller's temp folder holds it.
 */
export async function writeGzipJsonFile(path: string, pieces: Iterable<string>, batch = 1 << 16): Promise<void> {
  const fh = await open(path, 'wx');
  const gzip = new GzipFileSink(fh);
  try {
    await writePieces(gzip, pieces, batch);
    await gzip.end();
    await fh.sync();
  } finally {
    gzip.destroy();
    await fh.close();
  }
}
