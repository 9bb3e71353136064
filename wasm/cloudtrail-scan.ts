// Strict JSON validation of a CloudTrail document in WebAssembly (AssemblyScript, stub runtime:
// no allocation, no GC). The document's bytes are copied by the host to INPUT, followed by 16 zero
// bytes (a zero is a control character: every loop that runs past the end stops on it).
// Prototype step 1: validate the whole text as strictly as JSON.parse and count the records
// (objects at depth 2). Returns -1 on any doubt.

/** Where the document starts in linear memory (past the static data). */
const INPUT: usize = 65536;
/** Nesting bound: deeper documents are declined (the host then uses JSON.parse). */
const MAX_DEPTH: i32 = 512;
/** One byte per open container (1 object, 2 array), below INPUT. */
const STACK: usize = 60000;

const Q = i8x16.splat(0x22);
const BS = i8x16.splat(0x5c);
const SP = i8x16.splat(0x20);

export function inputAt(): usize {
  return INPUT;
}

/** Grows memory so that `len` bytes plus padding fit at INPUT; false when it cannot. */
export function reserve(len: i32): bool {
  const need = <i64>INPUT + <i64>len + 64;
  const have = <i64>memory.size() << 16;
  if (need <= have) return true;
  const pages = <i32>((need - have + 65535) >> 16);
  return memory.grow(pages) >= 0;
}

@inline function ws(i: usize): usize {
  let c = load<u8>(i);
  while (c <= 32 && (c == 32 || c == 10 || c == 13 || c == 9)) c = load<u8>(++i);
  return i;
}

@inline function isHex(c: u32): bool {
  return (c - 48 < 10) || ((c | 32) - 97 < 6);
}

/** At a `"`: past its closing quote, or 0. */
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
    if (c != 0x5c) return 0;
    const e = load<u8>(i + 1);
    if (e == 117) {
      if (!(isHex(load<u8>(i + 2)) && isHex(load<u8>(i + 3)) && isHex(load<u8>(i + 4)) && isHex(load<u8>(i + 5)))) return 0;
      i += 6;
    } else if (e == 0x22 || e == 0x5c || e == 47 || e == 98 || e == 102 || e == 110 || e == 114 || e == 116) i += 2;
    else return 0;
  }
  return 0;
}

@inline function digit(c: u32): bool {
  return c - 48 < 10;
}

function num(i: usize): usize {
  if (load<u8>(i) == 45) i++;
  let c = <u32>load<u8>(i);
  if (c == 48) i++;
  else if (c - 49 < 9) {
    do i++; while (digit(load<u8>(i)));
  } else return 0;
  if (load<u8>(i) == 46) {
    i++;
    if (!digit(load<u8>(i))) return 0;
    do i++; while (digit(load<u8>(i)));
  }
  c = load<u8>(i);
  if (c == 101 || c == 69) {
    i++;
    c = load<u8>(i);
    if (c == 43 || c == 45) i++;
    if (!digit(load<u8>(i))) return 0;
    do i++; while (digit(load<u8>(i)));
  }
  return i;
}

function lit(i: usize): usize {
  const w = load<u32>(i);
  if (w == 0x65757274) return i + 4; // true
  if (w == 0x6c6c756e) return i + 4; // null
  if (w == 0x736c6166 && load<u8>(i + 4) == 0x65) return i + 5; // false
  return 0;
}

@inline function scalar(i: usize, c: u32): usize {
  if (c == 0x22) return str(i);
  if (c == 116 || c == 102 || c == 110) return lit(i);
  return num(i);
}

/** Validates INPUT[0, len); the number of objects at depth 2 (records), or -1. */
export function validate(len: i32): i32 {
  const end = INPUT + <usize>len;
  store<u64>(end, 0);
  store<u64>(end + 8, 0);
  let records = 0;
  let depth = 0;
  let i = ws(INPUT);
  let c = <u32>load<u8>(i);
  if (c != 123) return -1;
  // Open container at i (c is `{` or `[`).
  for (;;) {
    if (c == 123 || c == 91) {
      if (depth == MAX_DEPTH) return -1;
      const kind: u8 = c == 123 ? 1 : 2;
      if (kind == 1 && depth == 2) records++;
      store<u8>(STACK + <usize>depth, kind);
      depth++;
      i = ws(i + 1);
      c = load<u8>(i);
      if (c == (kind == 1 ? 125 : 93)) {
        i++;
        depth--;
      } else {
        if (kind == 1) {
          if (c != 0x22) return -1;
          i = str(i);
          if (i == 0) return -1;
          i = ws(i);
          if (load<u8>(i) != 58) return -1;
          i = ws(i + 1);
          c = load<u8>(i);
        }
        if (c == 123 || c == 91) continue;
        i = scalar(i, c);
        if (i == 0) return -1;
      }
    }
    // After a value at `depth`.
    for (;;) {
      if (depth == 0) {
        i = ws(i);
        return i == end ? records : -1;
      }
      i = ws(i);
      const d = load<u8>(i);
      const k = load<u8>(STACK + <usize>depth - 1);
      if (d == 44) {
        i = ws(i + 1);
        c = load<u8>(i);
        if (k == 1) {
          if (c != 0x22) return -1;
          i = str(i);
          if (i == 0) return -1;
          i = ws(i);
          if (load<u8>(i) != 58) return -1;
          i = ws(i + 1);
          c = load<u8>(i);
        }
        if (c == 123 || c == 91) break;
        i = scalar(i, c);
        if (i == 0) return -1;
      } else if (d == (k == 1 ? 125 : 93)) {
        i++;
        depth--;
      } else return -1;
    }
  }
  return -1;
}
