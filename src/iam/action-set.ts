// A set of catalog actions as a bitset over Catalog.actions ids: unions, intersections and
// differences across 22k actions are a few hundred word operations, which keeps analysing
// 10k principals well under a second of set work.
//
// Dual form: a set that is kept (a principal's effective permissions) is usually small, and
// 10k–50k principals × several 2.8 KB bitsets is most of an analysis' memory. compact() turns a
// set of at most one id per bitset word (691 for the 22k catalog: the point where a sorted Int32
// id list costs as much as the bitset) into that sorted list. The first mutation turns it back
// into a bitset, so the working sets of set algebra stay dense and fast; readers (has, counts,
// intersections) work on either form without converting.

// Sets are 2.8 KB each and an account scan makes hundreds of thousands of them; a typed array
// of its own per set costs more to allocate (and collect) than the set operations themselves.
// Views onto a shared slab cost a third as much. The slab is zeroed when created.
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

export class ActionSet {
  /** Dense form: a bit per id. Exactly one of words / sparse is set. */
  private w: Uint32Array | undefined;
  /** Sparse form: sorted, distinct ids. */
  private s: Int32Array | undefined;

  constructor(readonly size: number, words?: Uint32Array) {
    this.w = words ?? allocWords((size + 31) >>> 5);
  }

  static full(size: number): ActionSet {
    const s = new ActionSet(size);
    const w = s.w!;
    w.fill(0xffffffff);
    const extra = w.length * 32 - size;
    if (extra > 0) w[w.length - 1] = 0xffffffff >>> extra;
    return s;
  }

  static of(size: number, ids: Iterable<number>): ActionSet {
    const s = new ActionSet(size);
    for (const id of ids) s.add(id);
    return s;
  }

  /** Number of 32-bit words of the dense form; also the largest sparse set (same bytes). */
  private get wordCount(): number {
    return (this.size + 31) >>> 5;
  }

  /** The bitset, building it from the sorted ids if the set is compact (mutators call this). */
  private dense(): Uint32Array {
    let w = this.w;
    if (!w) {
      w = allocWords(this.wordCount);
      const s = this.s!;
      for (let i = 0; i < s.length; i++) w[s[i]! >>> 5]! |= 1 << (s[i]! & 31);
      this.w = w;
      this.s = undefined;
    }
    return w;
  }

  isSparse(): boolean {
    return this.s !== undefined;
  }

  /**
   * Shrink for keeping: a sorted id list when that is no larger than the bitset, else a bitset
   * in an array of its own (a view onto the shared slab would keep the whole 1 MiB slab alive).
   */
  compact(): this {
    if (this.s) return this;
    const w = this.w!;
    const n = this.count();
    if (n <= w.length) {
      const ids = new Int32Array(n);
      let k = 0;
      for (let i = 0; i < w.length; i++) {
        let v = w[i]!;
        while (v !== 0) {
          const bit = v & -v;
          ids[k++] = (i << 5) + (31 - Math.clz32(bit));
          v ^= bit;
        }
      }
      this.s = ids;
      this.w = undefined;
    } else if (w.byteLength !== w.buffer.byteLength) {
      this.w = new Uint32Array(w);
    }
    return this;
  }

  /** A compact copy, leaving this set as it is (for keeping a scratch set's contents). */
  compactCopy(): ActionSet {
    if (this.s) return this.clone();
    const out = new ActionSet(this.size, new Uint32Array(this.w!));
    return out.compact();
  }

  clone(): ActionSet {
    if (this.s) {
      const out = Object.create(ActionSet.prototype) as ActionSet;
      (out as { size: number }).size = this.size;
      out.w = undefined;
      out.s = this.s.slice();
      return out;
    }
    const words = allocWords(this.w!.length);
    words.set(this.w!);
    return new ActionSet(this.size, words);
  }

  /** Empty the set in place (a reused scratch set). */
  clear(): this {
    if (this.s) {
      this.s = undefined;
      this.w = allocWords(this.wordCount);
    } else this.w!.fill(0);
    return this;
  }

  add(id: number): void {
    this.dense()[id >>> 5]! |= 1 << (id & 31);
  }

  has(id: number): boolean {
    const s = this.s;
    if (!s) return (this.w![id >>> 5]! & (1 << (id & 31))) !== 0;
    let lo = 0, hi = s.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1, v = s[mid]!;
      if (v === id) return true;
      if (v < id) lo = mid + 1; else hi = mid - 1;
    }
    return false;
  }

  addAll(ids: ArrayLike<number>): this {
    const w = this.dense();
    for (let i = 0; i < ids.length; i++) w[ids[i]! >>> 5]! |= 1 << (ids[i]! & 31);
    return this;
  }

  /** In place: this ∪= other */
  or(other: ActionSet): this {
    const a = this.dense();
    if (other.s) {
      const s = other.s;
      for (let i = 0; i < s.length; i++) a[s[i]! >>> 5]! |= 1 << (s[i]! & 31);
      return this;
    }
    const b = other.w!;
    for (let i = 0; i < a.length; i++) a[i]! |= b[i]!;
    return this;
  }

  /** In place: this ∪= other.set, over the words other.set can have bits in (lo..hi). */
  orWords(other: { readonly set: ActionSet; readonly lo: number; readonly hi: number }): this {
    if (other.set.s) return this.or(other.set);
    const a = this.dense(), b = other.set.w!;
    for (let i = other.lo; i <= other.hi; i++) a[i]! |= b[i]!;
    return this;
  }

  /** In place: this ∩= other */
  and(other: ActionSet): this {
    const a = this.dense();
    if (other.s) {
      // Keep only the bits other lists: rebuild each word from other's ids in it.
      const s = other.s;
      let k = 0;
      for (let i = 0; i < a.length; i++) {
        let m = 0;
        while (k < s.length && s[k]! >>> 5 === i) m |= 1 << (s[k++]! & 31);
        a[i]! &= m;
      }
      return this;
    }
    const b = other.w!;
    for (let i = 0; i < a.length; i++) a[i]! &= b[i]!;
    return this;
  }

  /** In place: this −= other */
  andNot(other: ActionSet): this {
    const a = this.dense();
    if (other.s) {
      const s = other.s;
      for (let i = 0; i < s.length; i++) a[s[i]! >>> 5]! &= ~(1 << (s[i]! & 31));
      return this;
    }
    const b = other.w!;
    for (let i = 0; i < a.length; i++) a[i]! &= ~b[i]!;
    return this;
  }

  /** In place: complement within [0, size) */
  invert(): this {
    const a = this.dense();
    for (let i = 0; i < a.length; i++) a[i] = ~a[i]! >>> 0;
    const extra = a.length * 32 - this.size;
    if (extra > 0) a[a.length - 1]! &= 0xffffffff >>> extra;
    return this;
  }

  count(): number {
    if (this.s) return this.s.length;
    let n = 0;
    for (const w of this.w!) {
      let v = w - ((w >>> 1) & 0x55555555);
      v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
      n += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return n;
  }

  isEmpty(): boolean {
    if (this.s) return this.s.length === 0;
    return this.w!.every((w) => w === 0);
  }

  equals(other: ActionSet): boolean {
    if (this.size !== other.size) return false;
    if (this.s && other.s) {
      const a = this.s, b = other.s;
      if (a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
      return true;
    }
    const a = this.toWords(), b = other.toWords();
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** |(this ∧ tier) − base| > 0, without building a set. */
  gainsIn(base: ActionSet, tier: ActionSet): boolean {
    if (this.s) {
      const s = this.s;
      for (let i = 0; i < s.length; i++) if (tier.has(s[i]!) && !base.has(s[i]!)) return true;
      return false;
    }
    const aw = this.w!, bw = base.toWords(), tw = tier.toWords();
    for (let i = 0; i < tw.length; i++) if ((aw[i]! & tw[i]! & ~bw[i]!) !== 0) return true;
    return false;
  }

  /**
   * The bitset words, read-only. For a compact set this builds a fresh array each call (it does
   * not convert the set), so callers that loop should hold on to it.
   */
  toWords(): Uint32Array {
    if (this.w) return this.w;
    const w = new Uint32Array(this.wordCount), s = this.s!;
    for (let i = 0; i < s.length; i++) w[s[i]! >>> 5]! |= 1 << (s[i]! & 31);
    return w;
  }

  /** First and last word holding a bit (lo > hi when empty): catalog ids run by service, so a service's range is short. */
  wordRange(): { lo: number; hi: number } {
    if (this.s) {
      const s = this.s;
      return s.length === 0 ? { lo: this.wordCount, hi: -1 } : { lo: s[0]! >>> 5, hi: s[s.length - 1]! >>> 5 };
    }
    const w = this.w!;
    let lo = w.length, hi = -1;
    for (let i = 0; i < w.length; i++) if (w[i] !== 0) { if (i < lo) lo = i; hi = i; }
    return { lo, hi };
  }

  *ids(): Generator<number> {
    if (this.s) { yield* this.s; return; }
    const a = this.w!;
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
    if (this.s || other.s) {
      // Walk the sparse side (ascending) and test the other.
      const [walk, test] = this.s ? [this.s, other] : [other.s!, this as ActionSet];
      for (let i = 0; i < walk.length && out.length < limit; i++) if (test.has(walk[i]!)) out.push(walk[i]!);
      return out;
    }
    const a = this.w!, b = other.w!;
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

  intersectionCount(other: ActionSet): number {
    if (this.s || other.s) {
      const [walk, test] = this.s ? [this.s, other] : [other.s!, this as ActionSet];
      let n = 0;
      for (let i = 0; i < walk.length; i++) if (test.has(walk[i]!)) n++;
      return n;
    }
    let n = 0;
    const a = this.w!, b = other.w!;
    for (let i = 0; i < a.length; i++) {
      let v = a[i]! & b[i]!;
      if (v === 0) continue;
      v = v - ((v >>> 1) & 0x55555555);
      v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
      n += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return n;
  }

  /** How many ids are in this set and not in `other` (without building a third set). */
  differenceCount(other: ActionSet): number {
    if (this.s || other.s) return this.count() - this.intersectionCount(other);
    let n = 0;
    const a = this.w!, b = other.w!;
    for (let i = 0; i < a.length; i++) {
      let v = a[i]! & ~b[i]!;
      if (v === 0) continue;
      v = v - ((v >>> 1) & 0x55555555);
      v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
      n += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return n;
  }

  toArray(): number[] {
    if (this.s) return Array.from(this.s);
    const out: number[] = [];
    const a = this.w!;
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
}
