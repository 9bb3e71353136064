// collectGarbage (src/pipeline/release.ts) runs a full collection without a node flag at launch:
// an object nothing refers to any more is gone after it, one still referred to is not.
import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../src/pipeline/release.js';

describe('collectGarbage', () => {
  it('collects what is unreachable and keeps what is reachable', async () => {
    const kept = { name: 'kept' };
    const refs = (() => ({ gone: new WeakRef({ name: 'gone', payload: new Array(1000).fill(1) }), kept: new WeakRef(kept) }))();
    await new Promise((r) => setImmediate(r)); // a WeakRef keeps its target until the current job ends
    collectGarbage();
    expect(refs.gone.deref()).toBeUndefined();
    expect(refs.kept.deref()).toBe(kept);
  });
});
