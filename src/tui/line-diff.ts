// A line diff for fix previews: longest common subsequence over lines. Policies are small (tens to
// a few thousand lines), so the quadratic table is fine once the common head and tail are peeled
// off; past a cell budget we fall back to "all removed, all added" rather than stall the UI.

export type DiffOp = 'same' | 'add' | 'remove';

export interface DiffLine {
  readonly op: DiffOp;
  readonly text: string;
}

export interface DiffStats {
  readonly added: number;
  readonly removed: number;
  readonly same: number;
}

const MAX_CELLS = 4_000_000;

export function diffLines(before: readonly string[], after: readonly string[]): DiffLine[] {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (
    tail < before.length - head &&
    tail < after.length - head &&
    before[before.length - 1 - tail] === after[after.length - 1 - tail]
  ) tail++;

  const a = before.slice(head, before.length - tail);
  const b = after.slice(head, after.length - tail);
  const out: DiffLine[] = before.slice(0, head).map((text) => ({ op: 'same', text }));
  out.push(...middle(a, b));
  out.push(...before.slice(before.length - tail).map((text): DiffLine => ({ op: 'same', text })));
  return out;
}

function middle(a: readonly string[], b: readonly string[]): DiffLine[] {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0 || (n + 1) * (m + 1) > MAX_CELLS) {
    return [...a.map((text): DiffLine => ({ op: 'remove', text })), ...b.map((text): DiffLine => ({ op: 'add', text }))];
  }
  // lcs[i*(m+1)+j] = LCS length of a[i..] and b[j..]; suffix form lets us walk forwards.
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = a[i] === b[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: 'same', text: a[i]! });
      i++;
      j++;
    } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) {
      // Removals before additions, so a changed line reads "- old / + new".
      out.push({ op: 'remove', text: a[i++]! });
    } else {
      out.push({ op: 'add', text: b[j++]! });
    }
  }
  while (i < n) out.push({ op: 'remove', text: a[i++]! });
  while (j < m) out.push({ op: 'add', text: b[j++]! });
  return out;
}

export function diffStats(lines: readonly DiffLine[]): DiffStats {
  let added = 0;
  let removed = 0;
  let same = 0;
  for (const l of lines) {
    if (l.op === 'add') added++;
    else if (l.op === 'remove') removed++;
    else same++;
  }
  return { added, removed, same };
}

export function diffPrefix(op: DiffOp): string {
  return op === 'add' ? '+ ' : op === 'remove' ? '- ' : '  ';
}
