// The CloudTrail scanner with its byte loop in WebAssembly (wasm/cloudtrail-scan.ts): WASM checks
// the whole text is valid JSON and walks the wanted tree (scan-document.ts's TOP), writing a tape
// of containers and value spans; this module builds the partial document from the tape, decoding
// every value as the JS scanner does (utf8Slice, JSON.parse of a slice with escapes or of a raw
// value), so a value here is exactly what scanDocument gives. Interning (and eventTime's
// same-as-last) is decided in WASM, which hashes and confirms bytes; JS keeps one internalized
// string per slot. Any doubt → undefined, and the caller parses the file with JSON.parse, as for
// scanDocument. WASM's validation alone ran ~7× the JS scanner's whole pass (session 41, NOTES).

import { SCAN_WASM_BASE64 } from './scan-wasm-bytes.js';
import { internalized } from './internalize.js';
import { EMPTY, entriesOf, LAST, PLAIN, scanDocument, TOP, utf8Slice, type Intern, type Want, type WantNode } from './scan-document.js';

interface Exports {
  readonly memory: WebAssembly.Memory;
  readonly INPUT: WebAssembly.Global;
  reserve(len: number, tapeBytes: number): number;
  tapeAt(len: number): number;
  scan(len: number, tapeBytes: number): number;
  forget(): void;
  tableAt(): number;
  hashesAt(): number;
  keysAt(): number;
}

// Tape ops, as wasm/cloudtrail-scan.ts writes them.
const OPEN_OBJECT = 1;
const OPEN_ARRAY = 2;
const CLOSE = 3;
const STRING = 4;
const LITERAL = 5;
const RAW = 6;
const ESCAPED_KEY = 7;
// STRING flags (bits 4–7 of the event's first word).
const ESCAPED = 0x10;
const INTERN_HIT = 0x20;
const INTERN_NEW = 0x40;
const SAME_AS_LAST = 0x80;

/**
 * The interned strings by WASM intern slot (WASM hashes and confirms the bytes; a hit hands out
 * the string kept for the slot, a miss decodes and keeps it). V8-internalized, as scanDocument's:
 * the aggregator's Map lookups with them compare by identity (internalize.ts).
 */
const slotText: string[] = new Array<string>(32768).fill('');

/** A wanted entry by its tape id (0: an element of a wanted array, decoded as is). */
interface Entry {
  readonly name: string;
  readonly want: Want;
  readonly intern: Intern;
}

/** Past this much linear memory the instance is dropped after the scan (memory never shrinks; a new one is small). */
const KEEP_BYTES = 64 * 2 ** 20;
/** The largest tape reserved on a second try (the first is half the file's size plus 4 KiB). */
const TAPE_MAX = 256 * 2 ** 20;

let module: WebAssembly.Module | undefined;
let ex: Exports | undefined;
let input = 0;
let entries: Entry[] = [];

/** A key's slot in its node's 64-slot table, as wasm/cloudtrail-scan.ts keyHash computes it: from its first and last four bytes (shorter: each byte) and its length. */
function keyHash(key: Uint8Array, seed: number): number {
  const n = key.length;
  const word = (i: number): number => key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24);
  const x = n >= 4 ? (Math.imul(word(0), 0x01000193) ^ word(n - 4)) + n : (key[0]! << 16) | (key[n - 1]! << 8) | (key[n >> 1]! + n);
  return Math.imul(x, seed) >>> 26;
}

/**
 * The wanted tree as the WASM table: per node its entry count, key-hash seed and key table offset,
 * then per entry key length, key offset, kind | intern mode << 2 | child << 4, id; and per node a
 * 64-byte key table (entry index + 1 by keyHash), with a seed under which no two keys share a slot.
 */
function writeTable(e: Exports): Entry[] {
  const words: number[] = [];
  const keys: number[] = [];
  const hashes: number[] = [];
  const byId: Entry[] = [{ name: '', want: { kind: 'leaf' }, intern: PLAIN }];
  const place = (node: WantNode): number => {
    const at = words.length;
    const list = entriesOf(node);
    let seed = 0x9e3779b1;
    for (let tries = 0; new Set(list.map((x) => keyHash(x.bytes, seed))).size !== list.length; tries++) {
      if (tries === 100_000) throw new Error('wanted keys that share length and hashed bytes: the WebAssembly key table cannot tell them apart');
      seed = (seed + 2) >>> 0;
    }
    const table = new Array<number>(64).fill(0);
    list.forEach((x, j) => (table[keyHash(x.bytes, seed)] = j + 1));
    words.push(list.length, seed | 0, hashes.length);
    hashes.push(...table);
    const slots = list.map(() => {
      const s = words.length;
      words.push(0, 0, 0, 0);
      return s;
    });
    list.forEach((entry, j) => {
      if (entry.bytes.length === 0) throw new Error('a wanted key is empty');
      const s = slots[j]!;
      words[s] = entry.bytes.length;
      words[s + 1] = keys.length;
      keys.push(...entry.bytes);
      const child = entry.want.kind === 'leaf' ? 0 : place(entry.want.node);
      words[s + 2] = (entry.want.kind === 'leaf' ? 0 : entry.want.kind === 'object' ? 1 : 2) | (entry.intern << 2) | (child << 4);
      words[s + 3] = byId.length;
      byId.push({ name: entry.name, want: entry.want, intern: entry.intern });
    });
    return at;
  };
  place(TOP);
  if (words.length * 4 > 4096 || keys.length > 4096 || hashes.length > 4096 || byId.length > 256) throw new Error('the wanted tree does not fit the WebAssembly scanner table');
  new Int32Array(e.memory.buffer, e.tableAt(), words.length).set(words);
  new Uint8Array(e.memory.buffer, e.keysAt(), keys.length).set(keys);
  new Uint8Array(e.memory.buffer, e.hashesAt(), hashes.length).set(hashes);
  return byId;
}

function instance(): Exports {
  if (ex) return ex;
  module ??= new WebAssembly.Module(Buffer.from(SCAN_WASM_BASE64, 'base64'));
  const e = new WebAssembly.Instance(module, {}).exports as unknown as Exports;
  entries = writeTable(e);
  input = e.INPUT.value as number;
  ex = e;
  return e;
}

/** Set when this runtime runs no WebAssembly (node --jitless) or refuses the module: the JS scanner then reads every file. */
let unavailable = false;

/** The partial document of a CloudTrail file's bytes (exactly scanDocument's), or undefined. */
export function scanDocumentWasm(bytes: Uint8Array): { Records?: unknown; Events?: unknown } | undefined {
  if (unavailable) return scanDocument(bytes);
  let e: Exports;
  try {
    e = instance();
  } catch (err) {
    if (typeof WebAssembly === 'object' && !(err instanceof WebAssembly.CompileError || err instanceof WebAssembly.LinkError || err instanceof WebAssembly.RuntimeError)) throw err;
    unavailable = true;
    return scanDocument(bytes);
  }
  const len = bytes.length;
  // Real files need a tape of ~a quarter of their bytes; 8× is the most any text can (a 12-byte event per `{}` of 3).
  let tapeBytes = (len >> 1) + 4096;
  if (!e.reserve(len, tapeBytes)) return undefined;
  new Uint8Array(e.memory.buffer, input, len).set(bytes);
  let n = e.scan(len, tapeBytes);
  if (n === -2) {
    // A text of tiny wanted values (hostile, or unlike CloudTrail): past TAPE_MAX the JS scanner,
    // which needs no tape, reads it (same document) rather than a tape of up to 8× a 256 MiB file.
    tapeBytes = len * 8 + 4096;
    if (tapeBytes > TAPE_MAX) return scanDocument(bytes);
    if (!e.reserve(len, tapeBytes)) return undefined;
    n = e.scan(len, tapeBytes);
  }
  if (n < 0) return undefined;
  let built = false;
  try {
    const doc = build(e, len, n);
    built = true;
    return doc;
  } catch (err) {
    // A captured value's JSON.parse past its stack: declined, as scanDocument does.
    if (err instanceof RangeError || err instanceof SyntaxError) return undefined;
    throw err;
  } finally {
    // Slots whose strings the tape would have given are emptied when the tape was not read through.
    if (!built) e.forget();
    if (e.memory.buffer.byteLength > KEEP_BYTES) ex = undefined;
  }
}

// The builder's open containers (the wanted tree is a few levels deep; grown if ever deeper).
let outs: (Record<string, unknown> | unknown[] | undefined)[] = new Array(16);
let nodes: (WantNode | undefined)[] = new Array(16);
let names: (string | undefined)[] = new Array(16);

function build(e: Exports, len: number, n: number): { Records?: unknown; Events?: unknown } | undefined {
  const mem = e.memory.buffer;
  const b = Buffer.from(mem, input, len);
  const tape = new Int32Array(mem, e.tapeAt(len), n * 3);
  const byId = entries;
  // Frame 0: the document (TOP); an object frame's out is made on its first wanted key.
  let depth = 0;
  outs[0] = undefined;
  nodes[0] = TOP;
  names[0] = undefined;
  let lastText = '';
  for (let t = 0; t < n * 3; t += 3) {
    const w = tape[t]!;
    const op = w & 15;
    const start = tape[t + 1]!;
    const end = tape[t + 2]!;
    let value: unknown;
    let entry = byId[(w >>> 8) & 255]!;
    switch (op) {
      case OPEN_OBJECT:
      case OPEN_ARRAY: {
        const d = ++depth;
        if (d === outs.length) {
          outs = [...outs, ...new Array<undefined>(16)];
          nodes = [...nodes, ...new Array<undefined>(16)];
          names = [...names, ...new Array<undefined>(16)];
        }
        // An element of a wanted array has the array's node; a named value its entry's.
        nodes[d] = (w & 0xff00) === 0 ? nodes[d - 1] : (entry.want as { node: WantNode }).node;
        names[d] = entry.name;
        outs[d] = op === OPEN_ARRAY ? [] : undefined;
        continue;
      }
      case CLOSE: {
        const d = depth--;
        value = outs[d] ?? EMPTY;
        outs[d] = undefined;
        const parent = outs[depth];
        if (Array.isArray(parent)) parent.push(value);
        else (outs[depth] = parent ?? {})[names[d]!] = value;
        continue;
      }
      case STRING:
        // WASM decided how (flags); every decode is the JS scanner's: utf8Slice, or JSON.parse with escapes.
        if ((w & INTERN_HIT) !== 0) value = slotText[w >>> 16]!;
        else if ((w & INTERN_NEW) !== 0) value = slotText[w >>> 16] = internalized(utf8Slice.call(b, start, end));
        else if ((w & SAME_AS_LAST) !== 0) value = lastText;
        else if ((w & ESCAPED) !== 0) value = JSON.parse(utf8Slice.call(b, start - 1, end + 1));
        else {
          value = utf8Slice.call(b, start, end);
          if (entry.intern === LAST) lastText = value as string;
        }
        break;
      case LITERAL:
        value = (w & 0x30) === 0x10 ? true : (w & 0x30) === 0 ? false : null;
        break;
      case RAW:
        value = JSON.parse(utf8Slice.call(b, start, end));
        break;
      case ESCAPED_KEY: {
        // The key decoded as JSON.parse would; its value (the next event, RAW) built from its text.
        const name = JSON.parse(utf8Slice.call(b, start, end)) as string;
        t += 3;
        const want = nodes[depth]!.byName.get(name);
        if (want === undefined) continue;
        value = projected(JSON.parse(utf8Slice.call(b, tape[t + 1]!, tape[t + 2]!)), want);
        entry = { name, want, intern: PLAIN };
        break;
      }
      default:
        throw new Error(`WebAssembly scanner tape: unknown event ${op}`);
    }
    const parent = outs[depth];
    if (Array.isArray(parent)) parent.push(value);
    else (outs[depth] = parent ?? {})[entry.name] = value;
  }
  const doc = (outs[0] ?? EMPTY) as { Records?: unknown; Events?: unknown };
  outs[0] = undefined;
  return Array.isArray(doc.Records) || Array.isArray(doc.Events) ? doc : undefined;
}

/** JSON.parse's value cut to the wanted keys, as scanDocument builds it from the same text. */
function projected(v: unknown, want: Want): unknown {
  if (want.kind === 'leaf') return v;
  if (want.kind === 'array') return Array.isArray(v) ? v.map((x) => (isObject(x) ? pick(x, want.node) : x)) : v;
  return isObject(v) ? pick(v, want.node) : v;
}
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function pick(v: Record<string, unknown>, node: WantNode): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const [k, w] of node.byName) if (Object.hasOwn(v, k)) (out ??= {})[k] = projected(v[k], w);
  return out ?? EMPTY;
}
