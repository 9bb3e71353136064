// Pretty JSON (exactly what JSON.stringify(value, null, 2) gives) produced in pieces, so that a
// report larger than the biggest string V8 can hold (~512 MiB; 7,000 agent principals with fixes
// pass it) is still written: containers near the top are walked, everything below `depth` is
// stringified one element at a time. Memory is one element plus the write buffer.
import type { FileHandle } from 'node:fs/promises';
import { jsonTextSafe } from '../safe/text.js';

function isContainer(v: unknown): v is object {
  return v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

/** The pieces of JSON.stringify(value, null, 2), in order. */
export function* jsonPieces(value: unknown, depth = 3, indent = ''): Generator<string> {
  if (!isContainer(value) || depth <= 0) {
    const raw = JSON.stringify(value, null, 2) as string | undefined;
    const text = raw === undefined ? undefined : jsonTextSafe(raw);
    // Strings never hold a raw newline in JSON, so every newline is layout and takes the indent.
    yield indent === '' || text === undefined ? (text ?? 'null') : text.replace(/\n/g, `\n${indent}`);
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    yield '[';
    for (let i = 0; i < value.length; i++) {
      yield `${i === 0 ? '' : ','}\n${inner}`;
      const v: unknown = value[i];
      yield* jsonPieces(v === undefined || typeof v === 'function' || typeof v === 'symbol' ? null : v, depth - 1, inner);
    }
    yield `\n${indent}]`;
    return;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol');
  if (entries.length === 0) {
    yield '{}';
    return;
  }
  yield '{';
  let first = true;
  for (const [k, v] of entries) {
    yield `${first ? '' : ','}\n${inner}${jsonTextSafe(JSON.stringify(k))}: `;
    first = false;
    yield* jsonPieces(v, depth - 1, inner);
  }
  yield `\n${indent}}`;
}

/**
 * JSON laid out one record per line (report.json, the ASFF file): objects that are not array
 * elements are opened key by key, arrays element by element, and every array element (a finding,
 * a fix, a principal, a hop) is written compact on its own line. Indentation inside records was
 * a third of report.json at 10,000 principals; a line per record still greps and diffs well.
 */
export function* jsonRecordPieces(value: unknown, indent = ''): Generator<string> {
  if (!isContainer(value)) {
    yield jsonTextSafe((JSON.stringify(value) as string | undefined) ?? 'null');
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    yield '[';
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      yield `${i === 0 ? '' : ','}\n${inner}${jsonTextSafe((JSON.stringify(v === undefined || typeof v === 'function' || typeof v === 'symbol' ? null : v) as string | undefined) ?? 'null')}`;
    }
    yield `\n${indent}]`;
    return;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol');
  if (entries.length === 0) {
    yield '{}';
    return;
  }
  yield '{';
  let first = true;
  for (const [k, v] of entries) {
    yield `${first ? '' : ','}\n${inner}${jsonTextSafe(JSON.stringify(k))}: `;
    first = false;
    yield* jsonRecordPieces(v, inner);
  }
  yield `\n${indent}}`;
}

export type JsonLayout = 'pretty' | 'records';

/** Write pretty JSON and a final newline to an open file, in chunks of about `chunk` characters. */
export async function writeJsonTo(fh: FileHandle, value: unknown, chunk = 1 << 20, layout: JsonLayout = 'pretty'): Promise<void> {
  let buf = '';
  for (const piece of layout === 'records' ? jsonRecordPieces(value) : jsonPieces(value)) {
    buf += piece;
    if (buf.length >= chunk) {
      await fh.write(buf);
      buf = '';
    }
  }
  await fh.write(`${buf}\n`);
}

/** The same, to a stream such as stdout, waiting for it to drain. */
export async function writeJsonToStream(out: NodeJS.WritableStream, value: unknown, chunk = 1 << 20, layout: JsonLayout = 'pretty'): Promise<void> {
  const write = (s: string): Promise<void> => new Promise((res) => (out.write(s) ? res() : out.once('drain', () => res())));
  let buf = '';
  for (const piece of layout === 'records' ? jsonRecordPieces(value) : jsonPieces(value)) {
    buf += piece;
    if (buf.length >= chunk) {
      await write(buf);
      buf = '';
    }
  }
  await write(`${buf}\n`);
}
