// A set of catalog actions (ids into Catalog.actions) in one of two forms:
// - dense: a bitset over all 22k actions; unions, intersections and differences of large sets
//   are a few hundred word operations;
// - sparse: a sorted id list, for the many small sets (one statement's actions, a principal's
//   destructive ∩ allowed, an empty set) that a bitset would spend 2.8 KB each on.
// A set is sparse while it holds at most as many ids as the bitset has words (the point where
// both cost the same bytes), and turns dense when it grows past that. Results of dense operations
// that come out small stay dense until compact() is called: long-lived sets are compacted where
// they are stored, so 10k principals do not pin 10k bitsets each.

// Dense sets are views onto a shared slab: an account scan makes hundreds of thousands of them,
// and a typed array of its own per set costs more to allocate (and collect) than the operations.
// The slab is zeroed when created.
const SLAB_BYTES = 1 << 20;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabOffset = 0;
function allocWords(count: number): Uint32Array {
  const bytes = count * 4;
  if (bytes > SLAB_BYTES / 4) return new Uint32Array(count);
  if (slabOffset + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabOffset = 0;
  }
  const view = new Uint32Array(slab, slabOffset, count);
  slabOffset += bytes;
  return view;
}

const NO_IDS = new Uint32Array(0);

/** Set bits in a 32-bit word. */
export function popcount(w: number): number {
  let v = w - ((w >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Index of the first element ≥ id in ids[0..len). */
function lowerBound(ids: Uint32Array, len: number, id: number): number {
  let lo = 0, hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class ActionSet {
  /** Dense form: the bitset, or undefined while the set is sparse. */
  private w: Uint32Array | undefined;
  /** Sparse form: ids[0..len) sorted ascending, no duplicates (capacity may exceed len). */
  private s: Uint32Array = NO_IDS;
  private len = 0;
  private readonly wordCount: number;

  constructor(readonly size: number) {
    this.wordCount = (size + 31) >>> 5;
  }

  static full(size: number): ActionSet {
    const s = new ActionSet(size);
    const w = (s.w = allocWords(s.wordCount));
    w.fill(0xffffffff);
    const extra = w.length * 32 - size;
    if (extra > 0) w[w.length - 1] = 0xffffffff >>> extra;
    return s;
  }

  static of(size: number, ids: Iterable<number>): ActionSet {
    const s = new ActionSet(size);
    const sorted = Uint32Array.from(ids).sort();
    let n = 0;
    for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i]!;
    if (n > s.wordCount) {
      const w = (s.w = allocWords(s.wordCount));
      for (let i = 0; i < n; i++) w[sorted[i]! >>> 5]! |= 1 << (sorted[i]! & 31);
    } else {
      s.s = n === sorted.length ? sorted : sorted.slice(0, n);
      s.len = n;
    }
    return s;
  }

  /**
   * The set of the bits held by words[touched[0..count)] (each word listed once), in the smaller
   * form, or dense when asked; those words are zeroed, so the caller's scratch bitset is ready for
   * the next set (see ActionSetGatherer). Sorts `touched` in place.
   */
  static takeWords(size: number, words: Uint32Array, touched: Int32Array, count: number, dense: boolean): ActionSet {
    const s = new ActionSet(size);
    let n = 0;
    if (!dense) for (let i = 0; i < count; i++) n += popcount(words[touched[i]!]!);
    if (dense || n > s.wordCount) {
      const w = (s.w = allocWords(s.wordCount));
      for (let i = 0; i < count; i++) {
        const k = touched[i]!;
        w[k] = words[k]!;
        words[k] = 0;
      }
      return s;
    }
    sortPrefix(touched, count);
    const ids = new Uint32Array(n);
    let m = 0;
    for (let i = 0; i < count; i++) {
      const k = touched[i]!;
      let v = words[k]!;
      words[k] = 0;
      while (v !== 0) {
        const bit = v & -v;
        ids[m++] = (k << 5) + (31 - Math.clz32(bit));
        v ^= bit;
      }
    }
    s.s = ids;
    s.len = n;
    return s;
  }

  isSparse(): boolean {
    return this.w === undefined;
  }

  clone(): ActionSet {
    const c = new ActionSet(this.size);
    if (this.w) {
      c.w = allocWords(this.wordCount);
      c.w.set(this.w);
    } else {
      c.s = this.s.slice(0, this.len);
      c.len = this.len;
    }
    return c;
  }

  /** Empties the set in place (its form is kept, so a reused scratch set does not reallocate). */
  clear(): this {
    if (this.w) this.w.fill(0);
    else this.len = 0;
    return this;
  }

  /** The sparse form when that is no larger; call it on sets that are kept. */
  compact(): this {
    if (this.w) {
      const n = this.count();
      if (n <= this.wordCount) {
        const ids = new Uint32Array(n);
        this.fillIds(ids);
        this.s = ids;
        this.len = n;
        this.w = undefined;
      }
    } else if (this.s.length > this.len) {
      this.s = this.s.slice(0, this.len);
    }
    return this;
  }

  /**
   * A new set with this one's members, in the smaller form; this set is left as it is, so a
   * scratch set keeps its capacity for the next use.
   */
  compactCopy(): ActionSet {
    const c = new ActionSet(this.size);
    if (this.w) {
      const n = this.count();
      if (n > this.wordCount) {
        c.w = allocWords(this.wordCount);
        c.w.set(this.w);
        return c;
      }
      c.s = new Uint32Array(n);
      this.fillIds(c.s);
      c.len = n;
    } else {
      c.s = this.s.slice(0, this.len);
      c.len = this.len;
    }
    return c;
  }

  /** The dense form, in place. */
  toDense(): this {
    if (!this.w) {
      const w = allocWords(this.wordCount);
      for (let i = 0; i < this.len; i++) w[this.s[i]! >>> 5]! |= 1 << (this.s[i]! & 31);
      this.w = w;
      this.s = NO_IDS;
      this.len = 0;
    }
    return this;
  }

  add(id: number): void {
    if (this.w) {
      this.w[id >>> 5]! |= 1 << (id & 31);
      return;
    }
    const at = lowerBound(this.s, this.len, id);
    if (at < this.len && this.s[at] === id) return;
    if (this.len >= this.wordCount) {
      this.toDense();
      this.w![id >>> 5]! |= 1 << (id & 31);
      return;
    }
    if (this.len === this.s.length) {
      const grown = new Uint32Array(Math.min(this.wordCount, Math.max(4, this.len * 2)));
      grown.set(this.s.subarray(0, this.len));
      this.s = grown;
    }
    this.s.copyWithin(at + 1, at, this.len);
    this.s[at] = id;
    this.len++;
  }

  has(id: number): boolean {
    if (this.w) return (this.w[id >>> 5]! & (1 << (id & 31))) !== 0;
    const at = lowerBound(this.s, this.len, id);
    return at < this.len && this.s[at] === id;
  }

  addAll(ids: ArrayLike<number>): this {
    for (let i = 0; i < ids.length; i++) this.add(ids[i]!);
    return this;
  }

  /** In place: this ∪= other */
  or(other: ActionSet): this {
    if (other.w) {
      this.toDense();
      const a = this.w!, b = other.w;
      for (let i = 0; i < a.length; i++) a[i]! |= b[i]!;
    } else if (this.w) {
      const a = this.w, ids = other.s;
      for (let i = 0; i < other.len; i++) a[ids[i]! >>> 5]! |= 1 << (ids[i]! & 31);
    } else if (other.len > 0) {
      this.mergeSparse(other);
    }
    return this;
  }

  // Merged from the back into this set's own id array when it has room (grown by doubling
  // otherwise): a union per statement and layer allocated a fresh array each time.
  private mergeSparse(other: ActionSet): void {
    const b = other.s, la = this.len, lb = other.len, need = la + lb;
    let a = this.s;
    if (a.length < need) {
      const grown = new Uint32Array(Math.max(need, Math.min(this.wordCount, a.length * 2)));
      grown.set(a); // capacity past len comes along: no subarray view to allocate
      a = this.s = grown;
    }
    // Writing at k never passes the next unread id of this set: k > i while j ≥ 0.
    let i = la - 1, j = lb - 1, k = need - 1;
    while (j >= 0) {
      const y = b[j]!;
      if (i >= 0 && a[i]! >= y) {
        if (a[i] === y) j--;
        a[k--] = a[i--]!;
      } else {
        a[k--] = y;
        j--;
      }
    }
    // a[0..i] are in place; duplicates left a gap between them and the merged tail.
    const n = i + 1 + (need - 1 - k);
    if (k > i) a.copyWithin(i + 1, k + 1, need);
    this.len = n;
    if (n > this.wordCount) this.toDense();
  }

  /** Whether every id of the mask is a member: a few word tests for a service's actions against a bitset. */
  holdsMask(m: WordMask): boolean {
    const a = this.w, bits = m.bits;
    for (let i = 0; i < bits.length; i++) {
      const b = bits[i]!;
      if (b === 0) continue;
      if (a) {
        if ((a[m.lo + i]! & b) >>> 0 !== b) return false;
        continue;
      }
      let v = b;
      while (v !== 0) {
        const bit = v & -v;
        if (!this.has(((m.lo + i) << 5) + (31 - Math.clz32(bit)))) return false;
        v ^= bit;
      }
    }
    return true;
  }

  /** In place: this ∩= other */
  and(other: ActionSet): this {
    if (this.w && other.w) {
      const a = this.w, b = other.w;
      for (let i = 0; i < a.length; i++) a[i]! &= b[i]!;
    } else if (this.w) {
      // The result is a subset of other's few ids.
      const mine = this.w, ids = new Uint32Array(other.len);
      let n = 0;
      for (let i = 0; i < other.len; i++) {
        const id = other.s[i]!;
        if ((mine[id >>> 5]! & (1 << (id & 31))) !== 0) ids[n++] = id;
      }
      this.w = undefined;
      this.s = ids;
      this.len = n;
    } else {
      this.keepWhere(other, true);
    }
    return this;
  }

  /** In place: this −= other */
  andNot(other: ActionSet): this {
    if (this.w && other.w) {
      const a = this.w, b = other.w;
      for (let i = 0; i < a.length; i++) a[i]! &= ~b[i]!;
    } else if (this.w) {
      const a = this.w, ids = other.s;
      for (let i = 0; i < other.len; i++) a[ids[i]! >>> 5]! &= ~(1 << (ids[i]! & 31));
    } else {
      this.keepWhere(other, false);
    }
    return this;
  }

  /** Sparse this: keep the ids whose membership in other is `inOther`. */
  private keepWhere(other: ActionSet, inOther: boolean): void {
    const ids = this.s;
    let n = 0;
    for (let i = 0; i < this.len; i++) if (other.has(ids[i]!) === inOther) ids[n++] = ids[i]!;
    this.len = n;
  }

  /** In place: complement within [0, size) */
  invert(): this {
    this.toDense();
    const a = this.w!;
    for (let i = 0; i < a.length; i++) a[i] = ~a[i]! >>> 0;
    const extra = a.length * 32 - this.size;
    if (extra > 0) a[a.length - 1]! &= 0xffffffff >>> extra;
    return this;
  }

  // Indexed loops: a for-of over the words, run before the optimiser picks it up, allocated an
  // iterator result per word (the 10k analysis' largest allocation site after the checks).
  count(): number {
    const a = this.w;
    if (!a) return this.len;
    let n = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== 0) n += popcount(a[i]!);
    return n;
  }

  isEmpty(): boolean {
    const a = this.w;
    if (!a) return this.len === 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== 0) return false;
    return true;
  }

  equals(other: ActionSet): boolean {
    if (this.size !== other.size) return false;
    if (!this.w && !other.w) {
      if (this.len !== other.len) return false;
      for (let i = 0; i < this.len; i++) if (this.s[i] !== other.s[i]) return false;
      return true;
    }
    if (this.w && other.w) {
      const a = this.w, b = other.w;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
      return true;
    }
    return this.count() === other.count() && this.differenceCount(other) === 0;
  }

  *ids(): Generator<number> {
    if (!this.w) {
      for (let i = 0; i < this.len; i++) yield this.s[i]!;
      return;
    }
    const a = this.w;
    for (let i = 0; i < a.length; i++) {
      let w = a[i]!;
      while (w !== 0) {
        const bit = w & -w;
        yield (i << 5) + (31 - Math.clz32(bit));
        w ^= bit;
      }
    }
  }

  /** Ids in both sets, without building a third set (checks run this per principal). */
  intersectionIds(other: ActionSet, limit = Infinity): number[] {
    const out: number[] = [];
    if (!this.w || !other.w) {
      const fewer = this.walksFewer(other), few = fewer ? this : other, many = fewer ? other : this;
      for (let i = 0; i < few.len && out.length < limit; i++) if (many.has(few.s[i]!)) out.push(few.s[i]!);
      return out;
    }
    const a = this.w, b = other.w;
    for (let i = 0; i < a.length && out.length < limit; i++) {
      let w = a[i]! & b[i]!;
      while (w !== 0 && out.length < limit) {
        const bit = w & -w;
        out.push((i << 5) + (31 - Math.clz32(bit)));
        w ^= bit;
      }
    }
    return out;
  }

  /**
   * Whether an intersection with `other` (one of them sparse) walks this set's ids: the sparse
   * one, or the shorter of two sparse ones (a principal's ~50 allowed ids against a 300-id list).
   */
  private walksFewer(other: ActionSet): boolean {
    return !this.w && (other.w !== undefined || this.len <= other.len);
  }

  intersectionCount(other: ActionSet): number {
    if (!this.w || !other.w) {
      const fewer = this.walksFewer(other), few = fewer ? this : other, many = fewer ? other : this;
      let n = 0;
      for (let i = 0; i < few.len; i++) if (many.has(few.s[i]!)) n++;
      return n;
    }
    let n = 0;
    const a = this.w, b = other.w;
    for (let i = 0; i < a.length; i++) {
      const v = a[i]! & b[i]!;
      if (v !== 0) n += popcount(v);
    }
    return n;
  }

  /** How many ids are in this set and not in `other` (without building a third set). */
  differenceCount(other: ActionSet): number {
    if (!this.w) {
      let n = 0;
      for (let i = 0; i < this.len; i++) if (!other.has(this.s[i]!)) n++;
      return n;
    }
    if (!other.w) return this.count() - other.intersectionCount(this);
    let n = 0;
    const a = this.w, b = other.w;
    for (let i = 0; i < a.length; i++) {
      const v = a[i]! & ~b[i]!;
      if (v !== 0) n += popcount(v);
    }
    return n;
  }

  /** Whether (this ∩ tier) − other has any member, without building a set. */
  gainsIn(other: ActionSet, tier: ActionSet): boolean {
    const a = this.w, t = tier.w;
    if (a && t) {
      const b = other.w;
      for (let i = 0; i < t.length; i++) {
        let v = a[i]! & t[i]!;
        if (v === 0) continue;
        if (b) {
          if ((v & ~b[i]!) !== 0) return true;
          continue;
        }
        while (v !== 0) {
          const bit = v & -v;
          if (!other.has((i << 5) + (31 - Math.clz32(bit)))) return true;
          v ^= bit;
        }
      }
      return false;
    }
    const few = a ? tier : this, many = a ? this : tier;
    for (let i = 0; i < few.len; i++) {
      const id = few.s[i]!;
      if (many.has(id) && !other.has(id)) return true;
    }
    return false;
  }

  toArray(): number[] {
    if (!this.w) return Array.from(this.s.subarray(0, this.len));
    const out: number[] = [];
    const a = this.w;
    for (let i = 0; i < a.length; i++) {
      let w = a[i]!;
      while (w !== 0) {
        const bit = w & -w;
        out.push((i << 5) + (31 - Math.clz32(bit)));
        w ^= bit;
      }
    }
    return out;
  }

  /** The members as a sorted Uint32Array (the canonical form: equal sets give equal arrays). */
  toIds(): Uint32Array {
    if (!this.w) return this.s.slice(0, this.len);
    const out = new Uint32Array(this.count());
    this.fillIds(out);
    return out;
  }

  private fillIds(out: Uint32Array): void {
    const a = this.w!;
    let n = 0;
    for (let i = 0; i < a.length; i++) {
      let w = a[i]!;
      while (w !== 0) {
        const bit = w & -w;
        out[n++] = (i << 5) + (31 - Math.clz32(bit));
        w ^= bit;
      }
    }
  }

  /**
   * Members per 32-id word, for callers that aggregate by word (the catalog numbers a service's
   * actions contiguously): calls visit(wordIndex, bits) for each non-empty word, in order.
   */
  forEachWord(visit: (word: number, bits: number) => void): void {
    if (this.w) {
      const a = this.w;
      for (let i = 0; i < a.length; i++) if (a[i] !== 0) visit(i, a[i]!);
      return;
    }
    let i = 0;
    while (i < this.len) {
      const word = this.s[i]! >>> 5;
      let bits = 0;
      for (; i < this.len && this.s[i]! >>> 5 === word; i++) bits |= 1 << (this.s[i]! & 31);
      visit(word, bits >>> 0);
    }
  }
}

/** Ids as words lo..lo+bits.length−1 of a bitset, for holdsMask. */
export interface WordMask {
  readonly lo: number;
  readonly bits: Uint32Array;
}

export function wordMask(ids: ArrayLike<number>): WordMask {
  let lo = Infinity, hi = -1;
  for (let i = 0; i < ids.length; i++) { const k = ids[i]! >>> 5; if (k < lo) lo = k; if (k > hi) hi = k; }
  if (hi < 0) return { lo: 0, bits: new Uint32Array(0) };
  const bits = new Uint32Array(hi - lo + 1);
  for (let i = 0; i < ids.length; i++) bits[(ids[i]! >>> 5) - lo]! |= 1 << (ids[i]! & 31);
  return { lo, bits };
}

/**
 * Builds sets from many id lists (a statement's patterns) in one reused bitset, copied out once in
 * the smaller form. add() kept a sparse list sorted on every insert and regrew it by doubling:
 * ~0.5 µs an id, 0.3 s for the 31k statements of the 10k-principal synthetic account.
 */
/** Lists longer than this (a pattern such as `s3:*`) make a gathered set dense. */
const DENSE_LIST = 64;

export class ActionSetGatherer {
  private readonly words: Uint32Array;
  /** The words that hold a bit, each once: a statement's few services, not the span between them. */
  private readonly touched: Int32Array;
  private count = 0;
  private dense = false;

  constructor(readonly size: number) {
    this.words = new Uint32Array((size + 31) >>> 5);
    this.touched = new Int32Array(this.words.length);
  }

  addIds(ids: ArrayLike<number>): this {
    const w = this.words;
    // A list of a whole service's actions or more makes the set a bitset, as or-ing it into one
    // did before: statements with `s3:*` are tested id by id (has) in evidence and covering-statement
    // lookups, a bit test where a sorted list would be a binary search.
    if (ids.length > DENSE_LIST) this.dense = true;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!, k = id >>> 5;
      if (w[k] === 0) this.touched[this.count++] = k;
      w[k]! |= 1 << (id & 31);
    }
    return this;
  }

  /** The gathered set; the gatherer is empty again. */
  take(): ActionSet {
    const s = ActionSet.takeWords(this.size, this.words, this.touched, this.count, this.dense);
    this.count = 0;
    this.dense = false;
    return s;
  }
}

/** Sorts xs[0..n) ascending: insertion sort for the usual handful, the built-in sort past it. */
function sortPrefix(xs: Int32Array, n: number): void {
  if (n > 32) {
    xs.subarray(0, n).sort();
    return;
  }
  for (let i = 1; i < n; i++) {
    const x = xs[i]!;
    let j = i - 1;
    while (j >= 0 && xs[j]! > x) {
      xs[j + 1] = xs[j]!;
      j--;
    }
    xs[j + 1] = x;
  }
}
