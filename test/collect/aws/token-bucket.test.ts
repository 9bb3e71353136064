import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../src/collect/aws/token-bucket.js';
import { manualClock } from './manual-clock.js';

describe('TokenBucket', () => {
  it('lets a burst of `capacity` through, then paces at the rate', async () => {
    const clock = manualClock(1_000);
    const bucket = new TokenBucket(2, 2, clock);
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      await bucket.take();
      times.push(clock.now() - 1_000);
    }
    expect(times).toEqual([0, 0, 500, 1000, 1500, 2000]);
  });

  it('never exceeds rate × window + capacity requests in any run (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0.2, max: 2, noNaN: true }), async (n, rate) => {
        const clock = manualClock();
        const bucket = new TokenBucket(rate, 1, clock);
        for (let i = 0; i < n; i++) await bucket.take();
        // n requests need at least (n - capacity) / rate seconds
        expect(clock.now()).toBeGreaterThanOrEqual(Math.floor(((n - 1) / rate) * 1000) - n);
      }),
    );
  });

  it('serves concurrent callers in order', async () => {
    const clock = manualClock();
    const bucket = new TokenBucket(1, 1, clock);
    const order: number[] = [];
    await Promise.all([0, 1, 2].map((i) => bucket.take().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2]);
    expect(clock.now()).toBe(2000);
  });

  it('rejects a rate or capacity that cannot work', () => {
    expect(() => new TokenBucket(0, 1)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0)).toThrow(RangeError);
  });
});
