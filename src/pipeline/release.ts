// One full garbage collection between the analysis and the writing of a bundle.
// When the analysis ends, most of its heap is garbage (the access graph, the snapshot, effective
// sets, memos: ~600 MB of 1.3 GB live at 50,000 principals), but V8 collects the old generation only
// when it reaches the limit it set at its last full collection, during the analysis. Writing then
// allocates on top of that garbage, and the scan's peak RSS depended on when that collection came
// (1,898–2,305 MiB at 50k across runs of the same code). Collecting once here makes writing start
// from what is live. `gc` is not exposed without a node flag at launch, so it is taken from a fresh
// context after setting the flag (V8 reads --expose-gc when it makes a context); if that fails,
// nothing happens and the scan is as before.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (gc === undefined) {
    gc = typeof globalThis.gc === 'function' ? globalThis.gc : null;
    if (!gc) {
      try {
        setFlagsFromString('--expose-gc');
        const f = runInNewContext('gc') as unknown;
        gc = typeof f === 'function' ? (f as () => void) : null;
      } catch {
        gc = null;
      }
    }
  }
  gc?.();
}
