import type { Clock } from '../../../src/collect/aws/token-bucket.js';

/** A clock that moves only when something sleeps on it: pacing and polling tested without wall time. */
export function manualClock(start = 0): Clock & { sleeps: number[] } {
  let t = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}
