// "Did you mean …?" for a mistyped command: the nearest name by edit distance, when it is near
// enough to be a typo (commander's own suggestion never fires here, because `leash` with no
// command is the TUI and so takes excess arguments).

/** Damerau–Levenshtein (optimal string alignment) distance: a swap of two letters costs 1. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate within a typo's reach (≤ 40 % of the word, at least 1), or undefined. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const c of candidates) {
    const distance = c.startsWith(w) && w.length >= 2 ? 0.5 : editDistance(w, c);
    if (!best || distance < best.distance) best = { name: c, distance };
  }
  if (!best) return undefined;
  return best.distance <= Math.max(1, Math.floor(w.length * 0.4)) ? best.name : undefined;
}
