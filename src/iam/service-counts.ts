// How many of a set's actions each service has, a popcount per 32-id word and service: the
// catalog numbers each service's actions contiguously, so a word holds one service, or the end of
// one and the start of the next. Used for the report's per-service counts and the fix reasons'
// "kept as today" counts (20k actions of a broad role, counted without visiting each).
import { popcount, type ActionSet } from './action-set.js';
import type { ActionExpander } from './pattern.js';

/** For each 32-id word of the catalog, the services its ids belong to and the mask of each one's ids there. */
interface ServiceWords {
  /** Services in catalog order: the index every count is kept under. */
  readonly names: readonly string[];
  /** Entries of word w: start[w] .. start[w + 1] - 1 of service and mask, in id order. */
  readonly start: Uint32Array;
  readonly service: Uint32Array;
  readonly mask: Int32Array;
}
const serviceWordsCache = new WeakMap<ActionExpander, ServiceWords>();

function serviceWords(expander: ActionExpander): ServiceWords {
  let sw = serviceWordsCache.get(expander);
  if (sw) return sw;
  const actions = expander.catalog.actions;
  const words = (expander.size + 31) >>> 5;
  const names: string[] = [];
  const index = new Map<string, number>();
  const start = new Uint32Array(words + 1);
  const service: number[] = [];
  const mask: number[] = [];
  for (let w = 0; w < words; w++) {
    start[w] = service.length;
    const inWord = new Map<number, number>();
    for (let id = w << 5; id < Math.min((w + 1) << 5, actions.length); id++) {
      const name = actions[id]!.service;
      let i = index.get(name);
      if (i === undefined) { index.set(name, (i = names.length)); names.push(name); }
      inWord.set(i, (inWord.get(i) ?? 0) | (1 << (id & 31)));
    }
    for (const [i, m] of inWord) { service.push(i); mask.push(m); }
  }
  start[words] = service.length;
  sw = { names, start, service: Uint32Array.from(service), mask: Int32Array.from(mask) };
  serviceWordsCache.set(expander, sw);
  return sw;
}

export interface ServiceCounts {
  /** Service names; `counts` and `reached` index into it. */
  readonly names: readonly string[];
  readonly counts: Int32Array;
  /** The services with a count, in the order the set's ids (ascending) first reach them. */
  readonly reached: readonly number[];
}

export function countByService(set: ActionSet, expander: ActionExpander): ServiceCounts {
  const sw = serviceWords(expander);
  const counts = new Int32Array(sw.names.length);
  const reached: number[] = [];
  set.forEachWord((word, bits) => {
    for (let j = sw.start[word]!; j < sw.start[word + 1]!; j++) {
      const b = bits & sw.mask[j]!;
      if (b === 0) continue;
      const k = sw.service[j]!;
      if (counts[k] === 0) reached.push(k);
      counts[k] = counts[k]! + popcount(b);
    }
  });
  return { names: sw.names, counts, reached };
}
