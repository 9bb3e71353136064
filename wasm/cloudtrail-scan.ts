// The CloudTrail scanner's byte loop in WebAssembly (AssemblyScript, stub runtime: no allocation,
// no GC). It validates a whole document as strictly as JSON.parse and walks the wanted tree (a
// table the host writes at init), writing a tape of what the host should build: containers opened
// and closed, and each wanted value's kind and span. The host decodes every value from the bytes
// with the JS scanner's own helpers (src/collect/cloudtrail/scan-wasm.ts), so the semantics of a
// value stay there; this side only says where values are and that the text is valid JSON.
//
// Memory (bytes): [TABLE, +4096) the wanted tree's nodes as i32 words, [KEYS, +4096) their key
// bytes, [HASHES, +4096) each node's 64-slot key table, [STACK, +48K) one bit per open container of a skipped value, [SLOTS, +512K) the intern
// table, [ARENA, +1M) the bytes of interned values, [LOG, +64K) the slots this scan wrote, [INPUT, INPUT + len) the document followed by
// 16 zero bytes (a zero is a control character, so every loop that runs past the end stops on it,
// and 16-byte loads past the end read only the padding), then the tape.

const TABLE: usize = 4096;
const KEYS: usize = 8192;
const HASHES: usize = 12288;
const STACK: usize = 16384;
const STACK_END: usize = 65536;
const SLOTS: usize = 65536;
const SLOT_COUNT: u32 = 32768;
const ARENA: usize = SLOTS + <usize>SLOT_COUNT * 16;
const ARENA_BYTES: usize = 1 << 20;
const LOG: usize = ARENA + ARENA_BYTES;
const LOG_COUNT: i32 = 16384;
export const INPUT: usize = LOG + (<usize>LOG_COUNT << 2);
/** Interned values are ASCII and at most this long (as the JS scanner's table). */
const INTERN_MAX: i32 = 512;
const MAX_DEPTH: i32 = <i32>(STACK_END - STACK) * 8;

// Tape: three i32 words per event — op | flags << 4 | entry << 8 | intern slot << 16, then start
// and end relative to INPUT. Ops (the host's scan-wasm.ts reads the same numbers):
const OPEN_OBJECT = 1; // a wanted object's `{` (entry 0: an element of a wanted array)
const OPEN_ARRAY = 2;
const CLOSE = 3;
const STRING = 4; // span inside the quotes; flags: ESCAPED, or one of INTERN_HIT, INTERN_NEW (slot given), SAME_AS_LAST
const ESCAPED = 1;
const INTERN_HIT = 2;
const INTERN_NEW = 4;
const SAME_AS_LAST = 8;
const LITERAL = 5; // flags: 0 false, 1 true, 2 null
const RAW = 6; // any other value (number, or a container where a leaf is wanted): span of its text
const ESCAPED_KEY = 7; // a key with an escape in a wanted object: span of the quoted key; a RAW event follows

/** Decline reasons are not told apart: the host falls back to JSON.parse, which names the error. */
const FAIL: usize = 0;

const Q = i8x16.splat(0x22);
const BS = i8x16.splat(0x5c);
const SP = i8x16.splat(0x20);

let tape: usize = 0;
let tapeEnd: usize = 0;
let tapeFull = false;
/** Set by str(): the string just scanned held a backslash. */
let escaped = false;

let arenaUsed: usize = 0;
/**
 * Slots written by this scan. The host learns a slot's string only from this scan's tape, which
 * it reads only when the scan succeeds and its building does too: otherwise these slots are
 * emptied (forget), so a later hit never names a string the host was not given.
 */
let logged: i32 = 0;
let logOverflow = false;

/** Empties every slot this scan wrote (all of them when there were too many to log). */
export function forget(): void {
  if (logOverflow) memory.fill(SLOTS, 0, <usize>SLOT_COUNT << 4);
  else for (let j = 0; j < logged; j++) store<i32>(SLOTS + (<usize>load<u32>(LOG + (<usize>j << 2)) << 4), 0, 8);
  logged = 0;
  logOverflow = false;
}
/** The previous value of a same-as-last entry in this document (eventTime): its span. */
let lastStart: usize = 0;
let lastLen: i32 = -1;

/**
 * The intern flag and slot of an ASCII value [start, end) of at most INTERN_MAX bytes, or 0 (not
 * interned: longer, or not ASCII). A hit is confirmed byte for byte against the arena's copy; a
 * miss replaces the slot (the host decodes the value and keeps it for that slot). When the arena is
 * full every slot is emptied: later values are misses until they are seen again.
 */
function intern(start: usize, end: usize): i32 {
  const len = <i32>(end - start);
  if (len > INTERN_MAX) return 0;
  let h: u32 = <u32>len * 0x9e3779b1;
  let high: u32 = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const w = load<u32>(i);
    high |= w;
    h = rotl<u32>(h ^ w, 13) * 0x01000193;
  }
  for (; i < end; i++) {
    const c = <u32>load<u8>(i);
    high |= c;
    h = (h ^ c) * 0x01000193;
  }
  if ((high & 0x80808080) != 0) return 0;
  h ^= h >> 15;
  h *= 0x2c1b3c6d;
  h ^= h >> 12;
  const slot = h & (SLOT_COUNT - 1);
  const at = SLOTS + (<usize>slot << 4);
  // Slot words: hash, arena offset, length + 1 (0: empty).
  if (load<u32>(at) == h && load<i32>(at, 8) == len + 1 && sameBytes(ARENA + <usize>load<u32>(at, 4), start, <usize>len)) {
    return (INTERN_HIT << 4) | (<i32>slot << 16);
  }
  if (arenaUsed + <usize>len > ARENA_BYTES) {
    memory.fill(SLOTS, 0, <usize>SLOT_COUNT << 4);
    arenaUsed = 0;
  }
  memory.copy(ARENA + arenaUsed, start, <usize>len);
  store<u32>(at, h);
  store<u32>(at, <u32>arenaUsed, 4);
  store<i32>(at, len + 1, 8);
  arenaUsed += <usize>len;
  if (logged < LOG_COUNT) {
    store<u32>(LOG + (<usize>logged << 2), slot);
    logged++;
  } else logOverflow = true;
  return (INTERN_NEW << 4) | (<i32>slot << 16);
}

/** SAME_AS_LAST when [start, end) holds the previous same-as-last value's bytes; else remembers it. */
function sameAsLast(start: usize, end: usize): i32 {
  const len = <i32>(end - start);
  if (len == lastLen && sameBytes(lastStart, start, <usize>len)) return SAME_AS_LAST << 4;
  lastStart = start;
  lastLen = len;
  return 0;
}

/** Grows memory so a document of `len` bytes and a tape of `tapeBytes` fit; false when it cannot. */
export function reserve(len: i32, tapeBytes: i32): bool {
  const need = <i64>INPUT + <i64>len + 64 + <i64>tapeBytes;
  const have = <i64>memory.size() << 16;
  if (need <= have) return true;
  if (need > 0xffff0000) return false;
  return memory.grow(<i32>((need - have + 65535) >> 16)) >= 0;
}

/** Where the tape of a document of `len` bytes starts (word-aligned, past the padding). */
export function tapeAt(len: i32): usize {
  return (INPUT + <usize>len + 16 + 15) & ~15;
}

function emit(word: i32, start: usize, end: usize): void {
  const t = tape;
  if (t + 12 > tapeEnd) {
    tapeFull = true;
    return;
  }
  store<i32>(t, word);
  store<i32>(t, <i32>(start - INPUT), 4);
  store<i32>(t, <i32>(end - INPUT), 8);
  tape = t + 12;
}

@inline function ws(i: usize): usize {
  let c = load<u8>(i);
  while (c <= 32 && (c == 32 || c == 10 || c == 13 || c == 9)) c = load<u8>(++i);
  return i;
}

@inline function isHex(c: u32): bool {
  return c - 48 < 10 || (c | 32) - 97 < 6;
}

/** At a `"`: past its closing quote, or FAIL. Sets `escaped` when it held an escape. */
function str(i: usize): usize {
  i++;
  for (;;) {
    const v = v128.load(i);
    const m = i8x16.bitmask(v128.or(v128.or(i8x16.eq(v, Q), i8x16.eq(v, BS)), i8x16.lt_u(v, SP)));
    if (m == 0) {
      i += 16;
      continue;
    }
    i += <usize>ctz(m);
    const c = load<u8>(i);
    if (c == 0x22) return i + 1;
    if (c != 0x5c) return FAIL; // a control character (or the padding past the end)
    escaped = true;
    const e = load<u8>(i + 1);
    if (e == 117) {
      if (!(isHex(load<u8>(i + 2)) && isHex(load<u8>(i + 3)) && isHex(load<u8>(i + 4)) && isHex(load<u8>(i + 5)))) return FAIL;
      i += 6;
    } else if (e == 0x22 || e == 0x5c || e == 47 || e == 98 || e == 102 || e == 110 || e == 114 || e == 116) i += 2;
    else return FAIL;
  }
  return FAIL;
}

@inline function digit(c: u32): bool {
  return c - 48 < 10;
}

function num(i: usize): usize {
  if (load<u8>(i) == 45) i++;
  let c = <u32>load<u8>(i);
  if (c == 48) i++;
  else if (c - 49 < 9) {
    do i++;
    while (digit(load<u8>(i)));
  } else return FAIL;
  if (load<u8>(i) == 46) {
    i++;
    if (!digit(load<u8>(i))) return FAIL;
    do i++;
    while (digit(load<u8>(i)));
  }
  c = load<u8>(i);
  if (c == 101 || c == 69) {
    i++;
    c = load<u8>(i);
    if (c == 43 || c == 45) i++;
    if (!digit(load<u8>(i))) return FAIL;
    do i++;
    while (digit(load<u8>(i)));
  }
  return i;
}

/** At t, f or n: past the literal, or FAIL. Reads at most 5 bytes (inside the padding). */
function lit(i: usize): usize {
  const w = load<u32>(i);
  if (w == 0x65757274 || w == 0x6c6c756e) return i + 4; // true, null
  if (w == 0x736c6166 && load<u8>(i + 4) == 0x65) return i + 5; // false
  return FAIL;
}

@inline function scalar(i: usize, c: u32): usize {
  if (c == 0x22) return str(i);
  if (c == 116 || c == 102 || c == 110) return lit(i);
  return num(i);
}

/** At a member of a skipped object: past its key, colon and whitespace (at its value), or FAIL. */
@inline function member(i: usize): usize {
  if (load<u8>(i) != 0x22) return FAIL;
  i = str(i);
  if (i == FAIL) return FAIL;
  i = ws(i);
  if (load<u8>(i) != 58) return FAIL;
  return ws(i + 1);
}

@inline function setKind(depth: i32, object: bool): void {
  const at = STACK + <usize>(depth >> 3);
  const bit = <u8>(<i32>1 << (depth & 7));
  const b = load<u8>(at);
  store<u8>(at, object ? b | bit : b & ~bit);
}

@inline function isObject(depth: i32): bool {
  return ((load<u8>(STACK + <usize>(depth >> 3)) >> <u8>(depth & 7)) & 1) != 0;
}

/** Skips the value at i, validating it: past it, or FAIL. Iterative (a bit per level). */
function skip(i: usize): usize {
  let c = <u32>load<u8>(i);
  if (c != 123 && c != 91) return scalar(i, c);
  let depth = 0;
  let obj = false;
  for (;;) {
    // At an opening bracket c.
    if (depth == MAX_DEPTH) return FAIL;
    obj = c == 123;
    setKind(depth++, obj);
    i = ws(i + 1);
    c = load<u8>(i);
    if (c == (obj ? 125 : 93)) {
      i++;
      depth--;
      if (depth > 0) obj = isObject(depth - 1);
    } else {
      if (obj) {
        i = member(i);
        if (i == FAIL) return FAIL;
        c = load<u8>(i);
      }
      if (c == 123 || c == 91) continue;
      i = scalar(i, c);
      if (i == FAIL) return FAIL;
    }
    // After a value inside the container at depth - 1 (kind `obj`).
    for (;;) {
      if (depth == 0) return i;
      i = ws(i);
      const d = load<u8>(i);
      if (d == 44) {
        i = ws(i + 1);
        if (obj) {
          i = member(i);
          if (i == FAIL) return FAIL;
        }
        c = load<u8>(i);
        if (c == 123 || c == 91) break;
        i = scalar(i, c);
        if (i == FAIL) return FAIL;
      } else if (d == (obj ? 125 : 93)) {
        i++;
        depth--;
        if (depth > 0) obj = isObject(depth - 1);
      } else return FAIL;
    }
  }
  return FAIL;
}

// The wanted tree (written by the host): a node at word index k of TABLE is its entry count, the
// seed of its key hash, its 64-byte key table's offset from HASHES, then four words per entry: key
// length, key byte offset from KEYS, kind (0 leaf, 1 object, 2 array) | intern mode (0 plain,
// 1 interned, 2 same-as-last) << 2 | child node's word index << 4, entry id (1..255; 0 means an
// array element on the tape). The key table maps keyHash to the entry's index + 1 (0: none); the
// host picks each node's seed so that its keys never share a slot.

/** A key's slot in its node's table: from its first and last four bytes (shorter keys: each byte) and its length. */
@inline function keyHash(start: usize, len: u32, seed: u32): u32 {
  const n = <usize>len;
  const x: u32 = len >= 4 ? (load<u32>(start) * 0x01000193 ^ load<u32>(start + n - 4)) + len : (<u32>load<u8>(start) << 16) | (<u32>load<u8>(start + n - 1) << 8) | (<u32>load<u8>(start + (n >> 1)) + len);
  return (x * seed) >> 26;
}

/** Whether [a, a + len) and [b, b + len) hold the same bytes (8 at a time). */
@inline function sameBytes(a: usize, b: usize, len: usize): bool {
  let j: usize = 0;
  for (; j + 8 <= len; j += 8) if (load<u64>(a + j) != load<u64>(b + j)) return false;
  for (; j < len; j++) if (load<u8>(a + j) != load<u8>(b + j)) return false;
  return true;
}

/** The word index of the entry the unescaped key [start, end) names in node k, or -1. */
function match(k: i32, start: usize, end: usize): i32 {
  const len = <i32>(end - start);
  if (len == 0) return -1;
  const node = TABLE + (<usize>k << 2);
  const h = keyHash(start, <u32>len, load<u32>(node, 4));
  const idx = <i32>load<u8>(HASHES + <usize>load<i32>(node, 8) + <usize>h);
  if (idx == 0) return -1;
  const e = k + 3 + (idx - 1) * 4;
  const at = TABLE + (<usize>e << 2);
  if (load<i32>(at) != len) return -1;
  return sameBytes(KEYS + <usize>load<i32>(at, 4), start, <usize>len) ? e : -1;
}

/** A wanted leaf at i (entry id; mode 0 plain, 1 interned, 2 same-as-last): its tape event; past it, or FAIL. */
function leaf(i: usize, id: i32, mode: i32): usize {
  const c = <u32>load<u8>(i);
  if (c == 0x22) {
    escaped = false;
    const end = str(i);
    if (end == FAIL) return FAIL;
    let flags = 0;
    if (escaped) flags = ESCAPED << 4;
    else if (mode == 1) flags = intern(i + 1, end - 1);
    else if (mode == 2) flags = sameAsLast(i + 1, end - 1);
    emit(STRING | flags | (id << 8), i + 1, end - 1);
    return end;
  }
  if (c == 116 || c == 102 || c == 110) {
    const end = lit(i);
    if (end == FAIL) return FAIL;
    emit(LITERAL | ((c == 116 ? 1 : c == 102 ? 0 : 2) << 4) | (id << 8), i, end);
    return end;
  }
  const end = skip(i);
  if (end == FAIL) return FAIL;
  emit(RAW | (id << 8), i, end);
  return end;
}

/** The value at i under wanted entry e (word index) with id `id`: past it, or FAIL. */
function wanted(i: usize, e: i32, id: i32): usize {
  const kc = load<i32>(TABLE + (<usize>(e + 2) << 2));
  const kind = kc & 3;
  const c = load<u8>(i);
  if (kind == 1 && c == 123) {
    emit(OPEN_OBJECT | (id << 8), i, i);
    i = object(i, kc >> 4);
    if (i == FAIL) return FAIL;
    emit(CLOSE, i, i);
    return i;
  }
  if (kind == 2 && c == 91) {
    emit(OPEN_ARRAY | (id << 8), i, i);
    i = array(i, kc >> 4);
    if (i == FAIL) return FAIL;
    emit(CLOSE, i, i);
    return i;
  }
  return leaf(i, id, (kc >> 2) & 3);
}

/** At `{` of a wanted object (node k): its members; past its `}`, or FAIL. */
function object(i: usize, k: i32): usize {
  i = ws(i + 1);
  if (load<u8>(i) == 125) return i + 1;
  for (;;) {
    if (load<u8>(i) != 0x22) return FAIL;
    const keyAt = i;
    escaped = false;
    i = str(i);
    if (i == FAIL) return FAIL;
    const keyEscaped = escaped;
    const keyEnd = i;
    i = ws(i);
    if (load<u8>(i) != 58) return FAIL;
    i = ws(i + 1);
    if (keyEscaped) {
      // The host decodes the key and builds the value from its text (rare: keys are plain).
      emit(ESCAPED_KEY, keyAt, keyEnd);
      const end = skip(i);
      if (end == FAIL) return FAIL;
      emit(RAW, i, end);
      i = end;
    } else {
      const e = match(k, keyAt + 1, keyEnd - 1);
      if (e < 0) i = skip(i);
      else i = wanted(i, e, load<i32>(TABLE + (<usize>(e + 3) << 2)));
      if (i == FAIL) return FAIL;
    }
    i = ws(i);
    const d = load<u8>(i);
    if (d == 44) i = ws(i + 1);
    else if (d == 125) return i + 1;
    else return FAIL;
  }
  return FAIL;
}

/** At `[` of a wanted array (elements: node k when objects, exact values otherwise): past `]`, or FAIL. */
function array(i: usize, k: i32): usize {
  i = ws(i + 1);
  if (load<u8>(i) == 93) return i + 1;
  for (;;) {
    if (load<u8>(i) == 123) {
      emit(OPEN_OBJECT, i, i);
      i = object(i, k);
      if (i == FAIL) return FAIL;
      emit(CLOSE, i, i);
    } else {
      i = leaf(i, 0, 0);
      if (i == FAIL) return FAIL;
    }
    i = ws(i);
    const d = load<u8>(i);
    if (d == 44) i = ws(i + 1);
    else if (d == 93) return i + 1;
    else return FAIL;
  }
  return FAIL;
}

/**
 * Scans INPUT[0, len) against the wanted tree's node 0 (the document): the number of tape events
 * (at tapeAt(len)), -1 when the text is not valid JSON or not an object, -2 when the tape did not
 * fit in `tapeBytes` (the host reserves more and scans again).
 */
export function scan(len: i32, tapeBytes: i32): i32 {
  const end = INPUT + <usize>len;
  v128.store(end, i8x16.splat(0));
  const t0 = tapeAt(len);
  tape = t0;
  tapeEnd = t0 + <usize>tapeBytes;
  tapeFull = false;
  lastLen = -1;
  logged = 0;
  logOverflow = false;
  const r = walk(end);
  if (r < 0) forget();
  return r;
}

function walk(end: usize): i32 {
  let i = ws(INPUT);
  if (load<u8>(i) != 123) return -1;
  i = object(i, 0);
  if (i == FAIL) return -1;
  if (ws(i) != end) return -1;
  if (tapeFull) return -2;
  return <i32>((tape - tapeAt(<i32>(end - INPUT))) / 12);
}

/** Where the host writes the wanted tree's words and key bytes. */
export function tableAt(): usize {
  return TABLE;
}
export function hashesAt(): usize {
  return HASHES;
}
export function keysAt(): usize {
  return KEYS;
}
