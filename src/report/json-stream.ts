// JSON produced in pieces and written as it comes (report.json, SARIF, the ASFF list, `scan
// --json`): no string of a whole file is ever built. One walker, two layouts (jsonPieces).
import type { FileHandle } from 'node:fs/promises';
import { jsonTextSafe } from '../safe/text.js';

export type JsonLayout = 'pretty' | 'records' | 'line';

/**
 * A list produced as it is written (the ASFF findings, one per report finding): the walker below
 * takes its elements one at a time, so the whole list never exists at once. JSON.stringify sees
 * the same list through toJSON, so both give the same text.
 */
export class LazyList<T> implements Iterable<T> {
  /**
   * `open`: in the records layout, each element is opened key by key like any object instead of
   * written on one line (SARIF's runs[]: one run holds every result, which are the records).
   */
  constructor(private readonly make: () => Iterable<T>, readonly open = false) {}
  [Symbol.iterator](): Iterator<T> {
    return this.make()[Symbol.iterator]();
  }
  toJSON(): T[] {
    return [...this.make()];
  }
}

function isContainer(v: unknown): v is object {
  return v !== null && typeof v === 'object' && (v instanceof LazyList || typeof (v as { toJSON?: unknown }).toJSON !== 'function');
}

/** What JSON.stringify writes for a list element it cannot write: null. */
function element(v: unknown): unknown {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol' ? null : v;
}

/** A value written whole: compact (records), or pretty with every line indented to its place. */
function leaf(value: unknown, layout: JsonLayout, indent: string, escape: (json: string) => string): string {
  const raw = (layout === 'pretty' ? JSON.stringify(value, null, 2) : JSON.stringify(value)) as string | undefined;
  if (raw === undefined) return 'null';
  const text = escape(raw);
  // Strings never hold a raw newline in JSON, so every newline is layout and takes the indent.
  return layout !== 'pretty' || indent === '' ? text : text.replace(/\n/g, `\n${indent}`);
}

/**
 * The one JSON walker. Its pieces, joined, JSON.parse to what JSON.stringify(value) does; memory
 * is one record plus the caller's write buffer, so a report larger than the biggest string V8
 * holds (~512 MiB; 7,000 agent principals with fixes passed it) is still written. Layouts:
 *
 * - `pretty`: exactly JSON.stringify(value, null, 2). Containers down to `depth` are walked,
 *   anything deeper is stringified one element at a time (SARIF, whose records sit deep in runs[]).
 * - `records`: objects are opened key by key and every list element (a finding, a fix, a hop, an
 *   ASFF finding) is written compact on a line of its own: indentation inside records was a third
 *   of report.json at 10,000 principals, and a line per record still greps and diffs well.
 * - `line`: exactly JSON.stringify(value), one line (a report per line of `scan --json` over
 *   several accounts), still walked a record at a time.
 *
 * `escape` turns each JSON.stringify text into what is written: jsonTextSafe (nothing a terminal
 * acts on), or jsonAsciiText for report.json (ASCII only).
 */
export function* jsonPieces(value: unknown, layout: JsonLayout = 'pretty', depth = layout === 'pretty' ? 3 : Infinity, indent = '', escape: (json: string) => string = jsonTextSafe): Generator<string> {
  if (!isContainer(value) || depth <= 0) {
    yield leaf(value, layout, indent, escape);
    return;
  }
  const line = layout === 'line';
  // One frame per open container, all pieces from this one generator: walked recursively, each
  // piece was resumed once per level through yield* (a sixth of writing report.json at 10,000
  // principals, where every record sits two levels down).
  const stack: Frame[] = [];
  const push = (v: object, d: number, ind: string): void => {
    const list = Array.isArray(v) || v instanceof LazyList;
    const inner = line ? '' : `${ind}  `;
    stack.push({
      it: list ? (v as Iterable<unknown>)[Symbol.iterator]() : Object.entries(v)[Symbol.iterator](),
      list,
      // Records (a finding, a hop…) as one piece with the separator before them.
      records: list && layout !== 'pretty' && !(v instanceof LazyList && v.open),
      n: 0, depth: d, inner,
      open: line ? '' : `\n${inner}`,
      close: line ? '' : `\n${ind}`,
    });
  };
  push(value, depth, indent);
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    const r = f.it.next();
    if (r.done) {
      stack.pop();
      yield f.n === 0 ? (f.list ? '[]' : '{}') : `${f.close}${f.list ? ']' : '}'}`;
      continue;
    }
    let v: unknown;
    if (f.list) {
      v = element(r.value);
      const sep = `${f.n++ === 0 ? '[' : ','}${f.open}`;
      if (f.records) {
        yield sep + leaf(v, layout, f.inner, escape);
        continue;
      }
      yield sep;
    } else {
      const [k, x] = r.value as [string, unknown];
      if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
      yield `${f.n++ === 0 ? '{' : ','}${f.open}${escape(JSON.stringify(k))}:${line ? '' : ' '}`;
      v = x;
    }
    if (!isContainer(v) || f.depth - 1 <= 0) yield leaf(v, layout, f.inner, escape);
    else push(v, f.depth - 1, f.inner);
  }
}

interface Frame {
  readonly it: Iterator<unknown>;
  readonly list: boolean;
  readonly records: boolean;
  n: number;
  readonly depth: number;
  readonly inner: string;
  readonly open: string;
  readonly close: string;
}

/**
 * Text pieces written to an open file through two byte buffers: each piece is encoded straight
 * into a buffer (no joined string to flatten, then encode), and one buffer is encoded into while
 * the other is on its way to the disk. Measured on a 10k report.json (61 MB, tmpfs): 0.53 s of
 * CPU against 0.85–1.35 s for joining pieces into 1 MiB strings and writing those.
 */
/** Where a PieceWriter's bytes go when not straight to a file (report-file.ts: held, or gzipped). It may reuse `buf` once the promise settles. */
export interface ByteSink {
  write(buf: Buffer, length: number): Promise<void>;
}

/** A FileHandle, which has its own write(buf, offset, length), is told from a ByteSink by its fd. */
function isFileHandle(out: FileHandle | ByteSink): out is FileHandle {
  return typeof (out as FileHandle).fd === 'number';
}

export class PieceWriter {
  private readonly buffers: [Buffer, Buffer];
  private current = 0;
  private at = 0;
  /** Each buffer's write, to wait for before it is filled again. */
  private readonly sent: [Promise<void>, Promise<void>] = [Promise.resolve(), Promise.resolve()];
  /** The last write: writes are chained, so the file gets the buffers in the order they filled. */
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly fh: FileHandle | ByteSink, bytes = 1 << 20) {
    this.buffers = [Buffer.allocUnsafe(bytes), Buffer.allocUnsafe(bytes)];
  }

  /** Undefined when the piece went into the buffer; otherwise wait for the promise before the next piece. */
  write(piece: string): Promise<void> | undefined {
    // A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair, two units, is 4).
    if (this.at + piece.length * 3 > this.buffers[this.current]!.length) return this.writeAfterFlip(piece);
    this.at += this.buffers[this.current]!.write(piece, this.at, 'utf8');
    return undefined;
  }

  private async writeAfterFlip(piece: string): Promise<void> {
    await this.flip();
    const buf = this.buffers[this.current]!;
    if (piece.length * 3 <= buf.length) {
      this.at += buf.write(piece, this.at, 'utf8');
      return;
    }
    // Larger than a buffer: after everything before it.
    await this.tail;
    if (isFileHandle(this.fh)) await this.fh.write(piece, null, 'utf8');
    else {
      const bytes = Buffer.from(piece, 'utf8');
      await this.fh.write(bytes, bytes.length);
    }
  }

  /** Sends the current buffer after the writes before it, and waits until the other one is free. */
  private async flip(): Promise<void> {
    if (this.at > 0) {
      const i = this.current;
      const [buf, length] = [this.buffers[i]!, this.at];
      this.tail = this.tail.then(() => this.writeAll(buf, length));
      // Handled here so a failure is not reported as unhandled before it is awaited (it still is).
      this.tail.catch(() => undefined);
      this.sent[i] = this.tail;
      this.current = 1 - i;
      this.at = 0;
    }
    await this.sent[this.current];
  }

  private async writeAll(buf: Buffer, length: number): Promise<void> {
    const fh = this.fh;
    return isFileHandle(fh) ? writeAll(fh, buf, length) : fh.write(buf, length);
  }

  /** Everything written: the file holds every piece, in order. */
  async end(): Promise<void> {
    await this.flip();
    await this.tail;
  }
}

/** The first `length` bytes of `buf` to an open file, however many writes it takes. */
export async function writeAll(fh: FileHandle, buf: Buffer, length = buf.length): Promise<void> {
  for (let done = 0; done < length; ) done += (await fh.write(buf, done, length - done)).bytesWritten;
}

/** Every piece to an open file (or a ByteSink), in order, through a PieceWriter of `bytes`-byte buffers. */
export async function writePieces(fh: FileHandle | ByteSink, pieces: Iterable<string>, bytes = 1 << 20): Promise<void> {
  const out = new PieceWriter(fh, bytes);
  for (const piece of pieces) {
    const wait = out.write(piece);
    if (wait) await wait;
  }
  await out.end();
}

/** Write JSON (pretty by default) and a final newline to an open file, piece by piece. */
export async function writeJsonTo(fh: FileHandle, value: unknown, chunk = 1 << 20, layout: JsonLayout = 'pretty'): Promise<void> {
  await writePieces(fh, withNewline(jsonPieces(value, layout)), chunk);
}

function* withNewline(pieces: Iterable<string>): Generator<string> {
  yield* pieces;
  yield '\n';
}

/** The same, to a stream such as stdout, waiting for it to drain. */
export async function writeJsonToStream(out: NodeJS.WritableStream, value: unknown, chunk = 1 << 20, layout: JsonLayout = 'pretty'): Promise<void> {
  const write = (s: string): Promise<void> => new Promise((res) => (out.write(s) ? res() : out.once('drain', () => res())));
  let buf = '';
  for (const piece of jsonPieces(value, layout)) {
    buf += piece;
    if (buf.length >= chunk) {
      await write(buf);
      buf = '';
    }
  }
  await write(`${buf}\n`);
}
