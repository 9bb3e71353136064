// The CloudTrail scanner with its byte loop in WebAssembly (wasm/cloudtrail-scan.ts): WASM checks
// the whole text is valid JSON and walks the wanted tree (scan-document.ts's TOP), writing a tape
// of containers and value spans; this module builds the partial document from the tape, decoding
// every value with the JS scanner's own helpers (interned, utf8Slice, JSON.parse of a slice), so a
// value here is exactly what scanDocument gives. Any doubt → undefined, and the caller parses the
// file with JSON.parse, as for scanDocument. The byte loop was ~7× the JS scanner's in isolation
// (session 41, NOTES); the building stays JavaScript.

import { SCAN_WASM_BASE64 } from './scan-wasm-bytes.js';
import { dropWords, EMPTY, entriesOf, interned, INTERN, LAST, PLAIN, TOP, useWords, utf8Slice, type Intern, type Want, type WantNode } from './scan-document.js';

interface Exports {
  readonly memory: WebAssembly.Memory;
  readonly INPUT: WebAssembly.Global;
  reserve(len: number, tapeBytes: number): number;
  tapeAt(len: number): number;
  scan(len: number, tapeBytes: number): number;
  tableAt(): number;
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

/** A wanted entry by its tape id (0: an element of a wanted array, decoded as is). */
interface Entry {
  readonly name: string;
  readonly want: Want;
  readonly intern: Intern;
}

/** Past this much linear memory the instance is dropped after the scan (memory never shrinks; a new one is small). */
const KEEP_BYTES = 64 * 2 ** 20;

let module: WebAssembly.Module | undefined;
let ex: Exports | undefined;
let input = 0;
let entries: Entry[] = [];

/** The wanted tree as the WASM table: per node its entry count, then per entry key length, key offset, kind | child << 2, id. */
function writeTable(e: Exports): Entry[] {
  const words: number[] = [];
  const keys: number[] = [];
  const byId: Entry[] = [{ name: '', want: { kind: 'leaf' }, intern: PLAIN }];
  const place = (node: WantNode): number => {
    const at = words.length;
    const list = entriesOf(node);
    words.push(list.length);
    const slots = list.map(() => {
      const s = words.length;
      words.push(0, 0, 0, 0);
      return s;
    });
    list.forEach((entry, j) => {
      const s = slots[j]!;
      words[s] = entry.bytes.length;
      words[s + 1] = keys.length;
      keys.push(...entry.bytes);
      const child = entry.want.kind === 'leaf' ? 0 : place(entry.want.node);
      words[s + 2] = (entry.want.kind === 'leaf' ? 0 : entry.want.kind === 'object' ? 1 : 2) | (child << 2);
      words[s + 3] = byId.length;
      byId.push({ name: entry.name, want: entry.want, intern: entry.intern });
    });
    return at;
  };
  place(TOP);
  if (words.length * 4 > 4096 || keys.length > 4096) throw new Error('the wanted tree does not fit the WebAssembly scanner table');
  new Int32Array(e.memory.buffer, e.tableAt(), words.length).set(words);
  new Uint8Array(e.memory.buffer, e.keysAt(), keys.length).set(keys);
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

/** The partial document of a CloudTrail file's bytes (exactly scanDocument's), or undefined. */
export function scanDocumentWasm(bytes: Uint8Array): { Records?: unknown; Events?: unknown } | undefined {
  const e = instance();
  const len = bytes.length;
  // Real files need a tape of ~a quarter of their bytes; 8× is the most any text can (a 12-byte event per `{}` of 3).
  let tapeBytes = (len >> 1) + 4096;
  if (!e.reserve(len, tapeBytes)) return undefined;
  new Uint8Array(e.memory.buffer, input, len).set(bytes);
  let n = e.scan(len, tapeBytes);
  if (n === -2) {
    tapeBytes = len * 8 + 4096;
    if (!e.reserve(len, tapeBytes)) return undefined;
    n = e.scan(len, tapeBytes);
  }
  try {
    if (n < 0) return undefined;
    return build(e, len, n);
  } catch (err) {
    // A captured value's JSON.parse past its stack: declined, as scanDocument does.
    if (err instanceof RangeError || err instanceof SyntaxError) return undefined;
    throw err;
  } finally {
    dropWords();
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
  useWords(b);
  const tape = new Int32Array(mem, e.tapeAt(len), n * 3);
  const byId = entries;
  // Frame 0: the document (TOP); an object frame's out is made on its first wanted key.
  let depth = 0;
  outs[0] = undefined;
  nodes[0] = TOP;
  names[0] = undefined;
  let lastAt = 0;
  let lastLen = -1;
  let lastText = '';
  for (let t = 0; t < n * 3; t += 3) {
    const w = tape[t]!;
    const op = w & 15;
    const start = tape[t + 1]!;
    const end = tape[t + 2]!;
    let value: unknown;
    let entry = byId[w >>> 8]!;
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
        nodes[d] = w >>> 8 === 0 ? nodes[d - 1] : (entry.want as { node: WantNode }).node;
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
        if ((w & 0x10) !== 0) value = JSON.parse(utf8Slice.call(b, start - 1, end + 1));
        else if (entry.intern === INTERN) value = interned(b, start, end);
        else if (entry.intern === LAST) {
          // As scanDocument's sameAsLast: the previous value's own string when the bytes repeat.
          const l = end - start;
          let j = l - 1;
          if (l === lastLen) while (j >= 0 && b[start + j] === b[lastAt + j]) j--;
          if (l === lastLen && j < 0) value = lastText;
          else {
            lastAt = start;
            lastLen = l;
            value = lastText = utf8Slice.call(b, start, end);
          }
        } else value = utf8Slice.call(b, start, end);
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
        return undefined;
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
