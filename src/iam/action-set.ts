// A set of catalog actions as a bitset over Catalog.actions ids: unions, intersections and
// differences across 22k actions are a few hundred word operations, which keeps analysing
// 10k principals well under a second of set work.

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
  readonly words: Uint32Array;

  constructor(readonly size: number, words?: Uint32Array) {
    this.words = words ?? allocWords((size + 31) >>> 5);
  }

  static full(size: number): ActionSet {
    const s = new ActionSet(size);
    s.words.fill(0xffffffff);
    const extra = s.words.length * 32 - size;
    if (extra > 0) s.words[s.words.length - 1] = 0xffffffff >>> extra;
    return s;
  }

  static of(size: number, ids: Iterable<number>): ActionSet {
    const s = new ActionSet(size);
    for (const id of ids) s.add(id);
    return s;
  }

  clone(): ActionSet {
    const words = allocWords(this.words.length);
    words.set(this.words);
    return new ActionSet(this.size, words);
  }

  add(id: number): void {
    this.words[id >>> 5]! |= 1 << (id & 31);
  }

  has(id: number): boolean {
    return (this.words[id >>> 5]! & (1 << (id & 31))) !== 0;
  }

  addAll(ids: ArrayLike<number>): this {
    for (let i = 0; i < ids.length; i++) this.add(ids[i]!);
    return this;
  }

  /** In place: this ∪= other */
  or(other: ActionSet): this {
    const a = this.words, b = other.words;
    for (let i = 0; i < a.length; i++) a[i]! |= b[i]!;
    return this;
  }

  /** In place: this ∪= other.set, over the words other.set can have bits in (lo..hi). */
  orWords(other: { readonly set: ActionSet; readonly lo: number; readonly hi: number }): this {
    const a = this.words, b = other.set.words;
    for (let i = other.lo; i <= other.hi; i++) a[i]! |= b[i]!;
    return this;
  }

  /** In place: this ∩= other */
  and(other: ActionSet): this {
    const a = this.words, b = other.words;
    for (let i = 0; i < a.length; i++) a[i]! &= b[i]!;
    return this;
  }

  /** In place: this −= other */
  andNot(other: ActionSet): this {
    const a = this.words, b = other.words;
    for (let i = 0; i < a.length; i++) a[i]! &= ~b[i]!;
    return this;
  }

  /** In place: complement within [0, size) */
  invert(): this {
    const a = this.words;
    for (let i = 0; i < a.length; i++) a[i] = ~a[i]! >>> 0;
    const extra = a.length * 32 - this.size;
    if (extra > 0) a[a.length - 1]! &= 0xffffffff >>> extra;
    return this;
  }

  count(): number {
    let n = 0;
    for (const w of this.words) {
      let v = w - ((w >>> 1) & 0x55555555);
      v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
      n += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return n;
  }

  isEmpty(): boolean {
    return this.words.every((w) => w === 0);
  }

  *ids(): Generator<number> {
    const a = this.words;
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
    const a = this.words, b = other.words;
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
    let n = 0;
    const a = this.words, b = other.words;
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
    let n = 0;
    const a = this.words, b = other.words;
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
    const out: number[] = [];
    const a = this.words;
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
