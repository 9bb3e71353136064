// A CloudTrail file without JSON.parse: one pass over the decompressed bytes that checks the whole
// text is valid JSON and builds only the parts of each record the aggregator reads (WANTED below).
// requestParameters, responseElements and everything else are validated and skipped, not built
// (a file is mostly such parts). Whether that beats V8's native JSON.parse depends on the host and
// Node version: with strings read four bytes at a time (session 40) the scan route is ~11 % faster
// than the JSON route on Node 24 here and level with it on Node 20 (NOTES).
//
// The result is a *partial document*: for every path in WANTED it holds exactly what JSON.parse
// would give (a captured string is decoded from the same bytes; anything unusual — escapes,
// numbers, literals, arrays or strings where an object was expected — is handed to JSON.parse on
// its own slice), so visitDocument + the aggregator compute the same usage from it. Duplicate keys
// keep the last value, as JSON.parse does. The scanner is at least as strict as JSON.parse: on any
// syntax doubt, or a document that is not `{"Records": [...]}` / `{"Events": [...]}`, it returns
// undefined and the caller parses the file with JSON.parse, so errors and their locations are
// JSON.parse's own.

import { internalized } from './internalize.js';

/** How a wanted string value is decoded. */
export type Intern = typeof PLAIN | typeof INTERN | typeof LAST;
export const PLAIN = 0;
export const INTERN = 1;
export const LAST = 2;

/** What to keep under a key: the exact value, an object's wanted keys, or an array's elements. */
export type Want = { readonly kind: 'leaf' } | { readonly kind: 'object'; readonly node: WantNode } | { readonly kind: 'array'; readonly node: WantNode };

export interface WantEntry {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly want: Want;
  /** Decode through the intern table (values that repeat across records), or reuse the previous value when the bytes repeat it. */
  readonly intern: Intern;
}

/**
 * One string object per distinct value, for the fields whose values repeat (ARNs, event names,
 * user agents, IPs). Decoding is not what this saves: the aggregator keys Maps by these strings,
 * and a Map lookup with a string it has seen before (hash kept in the string, equal by identity)
 * is far cheaper than one with a fresh copy of it. Slots are chosen by a hash of the length and
 * the last bytes and one early byte (where ARNs, names and user agents differ); every hit is
 * confirmed against its bytes (sameBytes, four at a time), so a collision only costs a decode.
 * Bounded: 32,768 slots, ASCII values
 * up to 512 bytes (a non-ASCII value decodes to fewer chars than bytes and is never kept: a kept
 * string's char codes are exactly its bytes). Kept strings are V8-internalized (internalize.ts),
 * so a value evicted and decoded again is still the same object.
 */
const INTERN_SLOTS = 32768;
const internText: (string | undefined)[] = new Array(INTERN_SLOTS);
/** Each kept string's bytes as little-endian 32-bit lanes (the last one zero-padded): confirmed a word at a time. */
const internLanes: (Int32Array | undefined)[] = new Array(INTERN_SLOTS);

function interned(b: Buffer, start: number, end: number): string {
  const len = end - start;
  if (len > 512) return utf8Slice.call(b, start, end);
  let h = Math.imul(len, 0x9e3779b1);
  const tail = Math.max(start, end - 10);
  for (let i = tail; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  if (start + 2 < tail) h = Math.imul(h ^ b[start + 2]!, 0x01000193);
  const slot = (h ^ (h >>> 15)) & (INTERN_SLOTS - 1);
  // Only ASCII values are kept, so a kept string's char codes are its bytes: compared in place.
  const k = internText[slot];
  if (k !== undefined && k.length === len && sameBytes(b, start, len, internLanes[slot]!)) return k;
  const text = utf8Slice.call(b, start, end);
  if (text.length !== len) return text;
  // Kept internalized: the aggregator's Map lookups with it then compare by identity.
  const kept = internalized(text);
  internText[slot] = kept;
  internLanes[slot] = lanesOf(b, start, len);
  return kept;
}

function lanesOf(b: Buffer, start: number, len: number): Int32Array {
  const out = new Int32Array((len + 3) >> 2);
  for (let i = 0; i < len; i++) out[i >> 2]! |= b[start + i]! << ((i & 3) << 3);
  return out;
}

/**
 * Whether b[start, start + len) holds the bytes of `lanes`: four at a time through the document's
 * words (two words shifted together where the value does not start on a word boundary) while whole
 * words of the value lie inside them, the rest byte by byte.
 */
function sameBytes(b: Buffer, start: number, len: number, lanes: Int32Array): boolean {
  let j = 0;
  // Whole lanes whose bytes, and the word after them when shifted, are inside `words`.
  const r = start & 3;
  const k = start >> 2;
  let full = len >> 2;
  if (k + full + (r === 0 ? 0 : 1) > wordCount) full = 0;
  const w = words;
  if (r === 0) {
    for (; j < full; j++) if (w[k + j] !== lanes[j]) return false;
  } else {
    const sh = r << 3;
    const back = 32 - sh;
    for (; j < full; j++) if (((w[k + j]! >>> sh) | (w[k + j + 1]! << back)) !== lanes[j]) return false;
  }
  for (let i = j << 2; i < len; i++) if (b[start + i] !== ((lanes[i >> 2]! >>> ((i & 3) << 3)) & 255)) return false;
  return true;
}

/** Values that differ in (nearly) every record are not interned. */
const NOT_INTERNED = new Set(['eventTime', 'CloudTrailEvent', 'key']);
/**
 * eventTime has a second's resolution and records come in time order, so it often repeats the
 * previous record's: then the previous string is handed out again (a compare of 20 bytes instead
 * of a new string, and the aggregator's compares of equal times end at identity).
 */
const SAME_AS_LAST = new Set(['eventTime']);

/**
 * Buffer's own UTF-8 slice, without toString()'s argument handling (which costs more than the
 * decoding for the short values read here). Same decoder, same replacement of invalid bytes.
 */
export const utf8Slice: (this: Buffer, start: number, end: number) => string =
  (Buffer.prototype as unknown as { utf8Slice?: (this: Buffer, start: number, end: number) => string }).utf8Slice ??
  function (this: Buffer, start: number, end: number): string {
    return this.toString('utf8', start, end);
  };

export interface WantNode {
  /** Entries by signature (length, first and last byte; keys are ASCII): a key is compared only with these. */
  readonly bySignature: readonly (readonly WantEntry[] | undefined)[];
  readonly byName: ReadonlyMap<string, Want>;
}

/** An index into a 16K table; different keys may share one (every candidate is compared in full). */
const signature = (length: number, first: number, last: number): number => ((length & 15) << 10) | ((first & 31) << 5) | (last & 31);

const LEAF: Want = { kind: 'leaf' };

function node(spec: Record<string, Want>): WantNode {
  const bySignature: WantEntry[][] = new Array(1 << 14);
  const byName = new Map<string, Want>();
  for (const [name, want] of Object.entries(spec)) {
    const bytes = Buffer.from(name, 'latin1');
    const sig = signature(bytes.length, bytes[0]!, bytes[bytes.length - 1]!);
    (bySignature[sig] ??= []).push({ name, bytes, want, intern: SAME_AS_LAST.has(name) ? LAST : NOT_INTERNED.has(name) ? PLAIN : INTERN });
    byName.set(name, want);
  }
  return { bySignature, byName };
}
const obj = (spec: Record<string, Want>): Want => ({ kind: 'object', node: node(spec) });
const arr = (spec: Record<string, Want>): Want => ({ kind: 'array', node: node(spec) });

/**
 * Every record path the aggregator reads (record.ts: recordProblem, attribute, sourceIdentityOf,
 * isDenied, isDataEvent, resourcesOf, eventTimeOf; aggregate.ts: userAgent, sourceIPAddress) and
 * visitDocument's CloudTrailEvent. A test reads the aggregator through a Proxy and fails when it
 * touches a path missing here.
 */
export const WANTED_RECORD: Record<string, Want> = {
  eventTime: LEAF,
  eventSource: LEAF,
  eventName: LEAF,
  eventType: LEAF,
  eventCategory: LEAF,
  managementEvent: LEAF,
  awsRegion: LEAF,
  recipientAccountId: LEAF,
  userAgent: LEAF,
  sourceIPAddress: LEAF,
  errorCode: LEAF,
  CloudTrailEvent: LEAF,
  userIdentity: obj({
    type: LEAF,
    arn: LEAF,
    accountId: LEAF,
    sessionContext: obj({ sessionIssuer: obj({ arn: LEAF }), sourceIdentity: LEAF }),
  }),
  resources: arr({ ARN: LEAF }),
  requestParameters: obj({ bucketName: LEAF, key: LEAF, policyArn: LEAF, functionName: LEAF, roleArn: LEAF }),
  responseElements: obj({
    role: obj({ arn: LEAF }),
    user: obj({ arn: LEAF }),
    group: obj({ arn: LEAF }),
    instanceProfile: obj({ arn: LEAF }),
    policy: obj({ arn: LEAF }),
  }),
};

/** The whole document: the records of an S3 delivery file; a lookup-events list whole (rare, small). */
export const TOP = node({ Records: arr(WANTED_RECORD), Events: LEAF });

/** Every wanted object without a wanted key; nothing downstream writes to records. */
export const EMPTY: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/** Thrown inside the scanner on anything it does not accept; never escapes scanDocument. */
class Decline {}
const DECLINE = new Decline();

const QUOTE = 34;
const BACKSLASH = 92;

/**
 * The partial document of a CloudTrail file's bytes, or undefined: not valid JSON, not an object
 * with a Records or Events array, or anything else the caller should leave to JSON.parse.
 */
export function scanDocument(bytes: Uint8Array): { Records?: unknown; Events?: unknown } | undefined {
  const s = new Scanner(bytes instanceof Buffer ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  useWords(s.b);
  try {
    s.ws();
    if (s.b[s.i] !== 123) return undefined;
    const doc = s.object(TOP) as { Records?: unknown; Events?: unknown };
    s.ws();
    if (s.i !== s.n) return undefined;
    return Array.isArray(doc.Records) || Array.isArray(doc.Events) ? doc : undefined;
  } catch (e) {
    // Deep nesting past the stack of a captured value's JSON.parse is a decline too.
    if (e === DECLINE || e instanceof RangeError || e instanceof SyntaxError) return undefined;
    throw e;
  } finally {
    dropWords();
  }
}

/** The view holds the file's bytes: not kept past the scan. */
function dropWords(): void {
  words = NO_WORDS;
  wordCount = 0;
}

/** A node's entries, in no particular order (the WebAssembly scanner's table is built from them). */
export function entriesOf(node: WantNode): readonly WantEntry[] {
  return node.bySignature.flatMap((e) => e ?? []);
}

/** Index of the first non-whitespace byte at or after i (JSON's four whitespace bytes). */
function wsFrom(b: Buffer, i: number): number {
  let c = b[i]!;
  // Compact CloudTrail has none: one compare decides the common case.
  while (c <= 32 && (c === 32 || c === 10 || c === 13 || c === 9)) c = b[++i]!;
  return i;
}

/**
 * At a `"`: the index past its closing quote. Validates escapes and rejects control characters,
 * as JSON.parse does; sets `escaped` when the string held a backslash (its text then needs decoding).
 */
function strFrom(b: Buffer, i: number, n: number): number {
  i++;
  for (;;) {
    i = plainFrom(b, i, n);
    if (i >= n) throw DECLINE;
    const c = b[i]!;
    if (c === QUOTE) return i + 1;
    if (c !== BACKSLASH) throw DECLINE; // a control character
    escaped = true;
    const e = b[i + 1];
    if (e === 117) {
      if (!(isHex(b[i + 2]) && isHex(b[i + 3]) && isHex(b[i + 4]) && isHex(b[i + 5]))) throw DECLINE;
      i += 6;
    } else if (e === QUOTE || e === BACKSLASH || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) i += 2;
    else throw DECLINE;
  }
}

/** A byte a string holds as is: not `"`, not `\`, not a control character (undefined past the end is not). */
function plain(c: number | undefined): boolean {
  // Most bytes are letters, digits and punctuation above `"`: one compare, then the rare cases.
  return c! > 92 || (c! > 34 && c !== 92) || c === 32 || c === 33;
}

/**
 * The first index at or after i whose byte ends a string's plain run (`"`, `\` or a control
 * character), or n. Four bytes at a time through `words` (the same bytes as 32-bit little-endian
 * lanes): a lane is flagged when it equals `"` or `\` or is below 0x20 (the classic "has a zero /
 * has a byte less than" bit tricks: exact for the lowest flagged byte, which is the one taken;
 * a byte above 0x7f never flags). Strings are most of a file's bytes; this is ~1.7× the byte loop here.
 */
function plainFrom(b: Buffer, i: number, n: number): number {
  while ((i & 3) !== 0) {
    if (!plain(b[i])) return i < n ? i : n;
    i++;
  }
  let k = i >> 2;
  const w = words;
  const end = wordCount;
  while (k < end) {
    const x = w[k]!;
    const q = x ^ 0x22222222;
    const s = x ^ 0x5c5c5c5c;
    const m = (((q - 0x01010101) & ~q) | ((s - 0x01010101) & ~s) | ((x - 0x20202020) & ~x)) & 0x80808080;
    if (m !== 0) return (k << 2) + ((31 - Math.clz32(m & -m)) >> 3);
    k++;
  }
  i = k << 2;
  while (plain(b[i])) i++;
  return i < n ? i : n;
}

/**
 * The document's bytes as 32-bit lanes for plainFrom: whole words only, and only where the bytes
 * start on a 4-byte boundary of their ArrayBuffer on a little-endian host (else no words: every
 * byte through the byte loop, same result). Set by scanDocument; shared (one thread, no reentry).
 */
const NO_WORDS = new Int32Array(0);
let words: Int32Array = NO_WORDS;
let wordCount = 0;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function useWords(b: Buffer): void {
  if (LITTLE_ENDIAN && (b.byteOffset & 3) === 0 && b.length >= 4) {
    words = new Int32Array(b.buffer, b.byteOffset, b.length >> 2);
    wordCount = words.length;
  } else {
    words = NO_WORDS;
    wordCount = 0;
  }
}

/** Set by strFrom: the string just scanned had a backslash escape. Reset by the caller that reads it. */
let escaped = false;

function numberFrom(b: Buffer, i: number): number {
  if (b[i] === 45) i++;
  if (b[i] === 48) i++;
  else if (isDigit19(b[i])) while (isDigit(b[++i])) {}
  else throw DECLINE;
  if (b[i] === 46) {
    if (!isDigit(b[++i])) throw DECLINE;
    while (isDigit(b[++i])) {}
  }
  if (b[i] === 101 || b[i] === 69) {
    i++;
    if (b[i] === 43 || b[i] === 45) i++;
    if (!isDigit(b[i])) throw DECLINE;
    while (isDigit(b[++i])) {}
  }
  return i;
}

function literalFrom(b: Buffer, i: number): number {
  const c = b[i];
  if (c === 116 && b[i + 1] === 114 && b[i + 2] === 117 && b[i + 3] === 101) return i + 4;
  if (c === 102 && b[i + 1] === 97 && b[i + 2] === 108 && b[i + 3] === 115 && b[i + 4] === 101) return i + 5;
  if (c === 110 && b[i + 1] === 117 && b[i + 2] === 108 && b[i + 3] === 108) return i + 4;
  throw DECLINE;
}

/** A scalar (string, literal or number) at i: the index past it. */
function scalarFrom(b: Buffer, i: number, n: number, c: number): number {
  if (c === QUOTE) return strFrom(b, i, n);
  if (c === 116 || c === 102 || c === 110) return literalFrom(b, i);
  return numberFrom(b, i);
}

/** At a skipped object's member: key, colon and whitespace; the index of its value. */
function memberFrom(b: Buffer, i: number, n: number): number {
  if (b[i] !== QUOTE) throw DECLINE;
  i = wsFrom(b, strFrom(b, i, n));
  if (b[i] !== 58) throw DECLINE;
  return wsFrom(b, i + 1);
}

/** Container kinds of the value being skipped (1 object, 2 array), grown on demand; shared (one thread, no reentry). */
let kinds = new Uint8Array(64);

/**
 * Skips the value at i, validating it; the index past it. Iterative, so nesting depth costs no
 * stack; every position stays in locals (this is where most of a file's bytes are read).
 */
function skipFrom(b: Buffer, i: number, n: number): number {
  let c = b[i]!;
  if (c !== 123 && c !== 91) return scalarFrom(b, i, n, c);
  let depth = 0;
  for (;;) {
    // At an opening bracket (c): its first member or its closing bracket.
    const kind: number = c === 123 ? 1 : 2;
    if (depth === kinds.length) {
      const grown = new Uint8Array(depth * 2);
      grown.set(kinds);
      kinds = grown;
    }
    kinds[depth++] = kind;
    i = wsFrom(b, i + 1);
    c = b[i]!;
    if (c === (kind === 1 ? 125 : 93)) {
      i++;
      depth--;
    } else {
      if (kind === 1) {
        i = memberFrom(b, i, n);
        c = b[i]!;
      }
      if (c === 123 || c === 91) continue; // descend
      i = scalarFrom(b, i, n, c);
    }
    // After a value (or a closed container) at `depth`: the next member, or close, until a container opens.
    for (;;) {
      if (depth === 0) return i;
      i = wsFrom(b, i);
      const d = b[i];
      const k = kinds[depth - 1]!;
      if (d === 44) {
        i = wsFrom(b, i + 1);
        if (k === 1) i = memberFrom(b, i, n);
        c = b[i]!;
        if (c === 123 || c === 91) break;
        i = scalarFrom(b, i, n, c);
      } else if (d === (k === 1 ? 125 : 93)) {
        i++;
        depth--;
      } else throw DECLINE;
    }
  }
}

class Scanner {
  i = 0;
  readonly n: number;

  /** The last value read in LAST mode: where its bytes are in this file, and its string. */
  private lastAt = 0;
  private lastLen = -1;
  private lastText = '';

  constructor(readonly b: Buffer) {
    this.n = b.length;
  }

  ws(): void {
    this.i = wsFrom(this.b, this.i);
  }

  /** The exact value JSON.parse gives for the value at i; a plain string is decoded directly. */
  leaf(intern: Intern = PLAIN): unknown {
    const b = this.b;
    const start = this.i;
    const c = b[start];
    if (c === QUOTE) {
      escaped = false;
      const end = strFrom(b, start, this.n);
      this.i = end;
      if (!escaped) {
        if (intern === INTERN) return interned(b, start + 1, end - 1);
        if (intern === LAST) return this.sameAsLast(start + 1, end - 1);
        return utf8Slice.call(b, start + 1, end - 1);
      }
    } else if (c === 116 || c === 102 || c === 110) {
      this.i = literalFrom(b, start);
      return c === 116 ? true : c === 102 ? false : null;
    } else this.i = skipFrom(b, start, this.n);
    return JSON.parse(utf8Slice.call(b, start, this.i));
  }

  /** The string of b[from, to): the previous LAST value's own string when its bytes are the same. */
  private sameAsLast(from: number, to: number): string {
    const b = this.b;
    const len = to - from;
    const at = this.lastAt;
    if (len === this.lastLen) {
      let j = len - 1;
      while (j >= 0 && b[from + j] === b[at + j]) j--;
      if (j < 0) return this.lastText;
    }
    this.lastAt = from;
    this.lastLen = len;
    return (this.lastText = utf8Slice.call(b, from, to));
  }

  /** At `{`: an object holding only the wanted keys (each with its exact or partial value). */
  object(want: WantNode): Record<string, unknown> {
    const b = this.b;
    const n = this.n;
    // Made on the first wanted key: an object with none (most requestParameters, responseElements)
    // is the shared empty object, which reads the same and costs no allocation.
    let out: Record<string, unknown> | undefined;
    let i = wsFrom(b, this.i + 1);
    if (b[i] === 125) {
      this.i = i + 1;
      return EMPTY;
    }
    for (;;) {
      if (b[i] !== QUOTE) throw DECLINE;
      const keyStart = i + 1;
      escaped = false;
      i = strFrom(b, i, n);
      const keyEscaped = escaped;
      const keyEnd = i - 1;
      i = wsFrom(b, i);
      if (b[i] !== 58) throw DECLINE;
      i = wsFrom(b, i + 1);
      const found = keyEscaped ? this.matchEscaped(want, keyStart, keyEnd) : match(b, want, keyStart, keyEnd);
      if (found === undefined) i = skipFrom(b, i, n);
      else {
        const { name, want: w } = found;
        const c = b[i];
        out ??= {};
        this.i = i;
        if (w.kind === 'object' && c === 123) out[name] = this.object(w.node);
        else if (w.kind === 'array' && c === 91) out[name] = this.array(w.node);
        else out[name] = this.leaf(found.intern);
        i = this.i;
      }
      i = wsFrom(b, i);
      const d = b[i];
      if (d === 44) i = wsFrom(b, i + 1);
      else if (d === 125) {
        this.i = i + 1;
        return out ?? EMPTY;
      } else throw DECLINE;
    }
  }

  /** At `[`: each element an object's wanted keys, or its exact value when not an object. */
  private array(want: WantNode): unknown[] {
    const b = this.b;
    const out: unknown[] = [];
    this.i = wsFrom(b, this.i + 1);
    if (b[this.i] === 93) {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(b[this.i] === 123 ? this.object(want) : this.leaf());
      const i = wsFrom(b, this.i);
      const d = b[i];
      if (d === 44) this.i = wsFrom(b, i + 1);
      else if (d === 93) {
        this.i = i + 1;
        return out;
      } else throw DECLINE;
    }
  }

  /** A key with escapes is decoded first, as JSON.parse would, and looked up by name. */
  private matchEscaped(want: WantNode, start: number, end: number): Pick<WantEntry, 'name' | 'want' | 'intern'> | undefined {
    const name = JSON.parse(this.b.toString('utf8', start - 1, end + 1)) as string;
    const w = want.byName.get(name);
    return w === undefined ? undefined : { name, want: w, intern: PLAIN };
  }
}

/** The wanted entry the (unescaped) key b[start, end) names. */
function match(b: Buffer, want: WantNode, start: number, end: number): WantEntry | undefined {
  if (end === start) return undefined;
  const entries = want.bySignature[signature(end - start, b[start]!, b[end - 1]!)];
  if (entries === undefined) return undefined;
  next: for (const e of entries) {
    const k = e.bytes;
    for (let j = 0; j < k.length; j++) if (b[start + j] !== k[j]) continue next;
    return e;
  }
  return undefined;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 57;
}
function isDigit19(c: number | undefined): boolean {
  return c !== undefined && c >= 49 && c <= 57;
}
function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102));
}
