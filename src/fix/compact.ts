// Writing action sets back as policy text, compactly but never more broadly than meant:
// `svc:Prefix*` replaces a list only when everything it matches is in the set, so an Allow
// never grants more. For Deny lists (compactDeny) the rule flips: a wildcard may cover more, but
// only actions the caller says may be denied for free (nothing the principal needs) or, to meet a
// size budget, at a counted cost (remove/stop verbs); never less than the set.
import { hash } from 'node:crypto';
import { ActionSet } from '../iam/action-set.js';
import { hasWildcard, LITERAL_STAR, type ActionExpander } from '../iam/pattern.js';

/** `DeleteStackInstances` → ["Delete", "DeleteStack", "DeleteStackInstances"] (CamelCase word prefixes). */
function wordPrefixes(name: string): string[] {
  const cuts: number[] = [];
  for (let i = 1; i < name.length; i++) if (/[A-Z]/.test(name[i]!) && /[a-z0-9]/.test(name[i - 1]!)) cuts.push(i);
  return cuts.map((c) => name.slice(0, c));
}

/**
 * Express `set` as patterns: `svc:*` for whole services, `svc:Prefix*` where the prefix's
 * expansion ⊆ allowedCover (defaults to `set`), exact names otherwise. Sorted, deterministic.
 */
export function compactActions(set: ActionSet, expander: ActionExpander, allowedCover: ActionSet = set): string[] {
  const out: string[] = [];
  const byService = new Map<string, number[]>();
  for (const id of set.ids()) {
    const a = expander.catalog.actions[id]!;
    let list = byService.get(a.service);
    if (!list) byService.set(a.service, (list = []));
    list.push(id);
  }
  for (const [service, ids] of [...byService].sort(([a], [b]) => a.localeCompare(b))) {
    const all = expander.catalog.byService.get(service) ?? [];
    if (all.every((a) => allowedCover.has(a.id)) && ids.length === all.length) { out.push(`${service}:*`); continue; }
    const remaining = new Set(ids);
    const patterns: string[] = [];
    // Try the shortest word prefixes first: fewer, wider patterns.
    const candidates = new Set<string>();
    for (const id of ids) for (const p of wordPrefixes(expander.catalog.actions[id]!.name)) candidates.add(p);
    for (const prefix of [...candidates].sort((a, b) => a.length - b.length || a.localeCompare(b))) {
      const hits = expander.expand(`${service}:${prefix}*`);
      if (hits.length < 2) continue;
      let ok = true, useful = false;
      for (const h of hits) { if (!allowedCover.has(h)) { ok = false; break; } if (remaining.has(h)) useful = true; }
      if (!ok || !useful) continue;
      if ([...hits].filter((h) => remaining.has(h)).length < 2) continue;
      patterns.push(`${service}:${prefix}*`);
      for (const h of hits) remaining.delete(h);
    }
    const names = [...remaining].map((id) => expander.catalog.actions[id]!.key);
    out.push(...patterns, ...names);
  }
  return out.sort((a, b) => a.localeCompare(b));
}

/**
 * Name patterns for one action that a deny may use: `Prefix*`, `*Suffix` and `Prefix*Suffix` on
 * CamelCase word boundaries, and `*` for the whole service. IAM allows wildcards anywhere in the
 * action name; a wildcard in the service prefix is not documented, so none is generated.
 */
function namePatterns(name: string): string[] {
  const cuts = wordPrefixes(name).map((p) => p.length);
  const out = ['*'];
  for (const i of cuts) out.push(`${name.slice(0, i)}*`, `*${name.slice(i)}`);
  for (const i of cuts) for (const j of cuts) if (j > i) out.push(`${name.slice(0, i)}*${name.slice(j)}`);
  return out;
}

export interface DenyCompactionOptions {
  /** Actions a pattern may also match at no cost: with a known need, everything that is not needed. */
  readonly free?: ActionSet;
  /**
   * Actions a pattern may also match only to meet `maxChars`, each one counted as a cost: with no
   * known need, the remove/stop verbs of destructive-verbs.json. Never ordinary writes.
   */
  readonly widen?: ActionSet;
  /** Characters the action list may take in the policy JSON (its `[...]` included). */
  readonly maxChars?: number;
}

export interface DenyCompaction {
  /** Exact names and wildcards, sorted. */
  readonly patterns: string[];
  /** What `patterns` takes in the policy JSON. */
  readonly chars: number;
  /** Catalog actions the patterns match beyond the set and `free`: all of them inside `widen`. */
  readonly widened: ActionSet;
}

interface Candidate {
  readonly pattern: string;
  readonly service: string;
  /** Catalog ids the pattern matches, ascending. */
  readonly hits: Int32Array;
  /** Of those, the ones in the set to deny. */
  readonly inSet: readonly number[];
  /** Of those, the ones only `widen` allows (each gated one is a cost). */
  readonly extra: readonly number[];
}

interface Step { readonly pattern: string; readonly subsumed: readonly string[]; readonly covered: readonly number[]; readonly chars: number }

interface DenyPlan {
  readonly patterns: readonly string[];
  readonly remaining: readonly number[];
  readonly chars: number;
  /** Greedy widening, best ratio of characters saved to actions newly gated first, run to the end. */
  readonly steps: readonly Step[];
}

const itemChars = (s: string) => s.length + 3; // "…", plus its share of the comma and brackets
const listChars = (items: readonly string[]) => (items.length === 0 ? 2 : items.reduce((n, s) => n + itemChars(s), 0) + 1);

function isSubset(a: Int32Array, b: Int32Array): boolean {
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    while (j < b.length && b[j]! < a[i]!) j++;
    if (j === b.length || b[j] !== a[i]) return false;
  }
  return true;
}

const hitsCache = new WeakMap<ActionExpander, Map<string, Int32Array>>();
function sortedHits(expander: ActionExpander, pattern: string): Int32Array {
  let cache = hitsCache.get(expander);
  if (!cache) hitsCache.set(expander, (cache = new Map()));
  let hits = cache.get(pattern);
  if (!hits) cache.set(pattern, (hits = oneStarHits(expander, pattern) ?? Int32Array.from(expander.expand(pattern)).sort()));
  return hits;
}

/**
 * What `svc:Pre*Suf` (one `*` in the name, as namePatterns makes them) matches, by comparing
 * lower-cased names: what the expander's case-insensitive glob matches, without compiling a
 * regular expression for each of the thousands of candidates a deny list tries. Undefined for
 * any other pattern.
 */
export function oneStarHits(expander: ActionExpander, pattern: string): Int32Array | undefined {
  const colon = pattern.indexOf(':');
  const body = pattern.slice(colon + 1);
  const star = body.indexOf('*');
  if (colon < 0 || star < 0 || body.indexOf('*', star + 1) >= 0 || body.includes('?') || body.includes(LITERAL_STAR)) return undefined;
  const service = pattern.slice(0, colon).toLowerCase();
  if (hasWildcard(service)) return undefined;
  const names = lowerNames(expander, service);
  const pre = body.slice(0, star).toLowerCase();
  const suf = body.slice(star + 1).toLowerCase();
  const out: number[] = [];
  for (const [name, id] of names) if (name.length >= pre.length + suf.length && name.startsWith(pre) && name.endsWith(suf)) out.push(id);
  return Int32Array.from(out).sort();
}

const lowerNameCache = new WeakMap<ActionExpander, Map<string, readonly (readonly [string, number])[]>>();
/** A service's action names, lower-cased, with their ids (none for a service not in the catalog). */
function lowerNames(expander: ActionExpander, service: string): readonly (readonly [string, number])[] {
  let byService = lowerNameCache.get(expander);
  if (!byService) lowerNameCache.set(expander, (byService = new Map()));
  let names = byService.get(service);
  if (!names) byService.set(service, (names = (expander.catalog.byService.get(service) ?? []).map((a) => [a.name.toLowerCase(), a.id] as const)));
  return names;
}

function planDeny(set: ActionSet, expander: ActionExpander, free: ActionSet | undefined, widen: ActionSet | undefined): DenyPlan {
  const actions = expander.catalog.actions;
  const exactCover = free ? set.clone().or(free) : set;
  const wideCover = widen ? exactCover.clone().or(widen) : exactCover;
  const exact: Candidate[] = [];
  const wide: Candidate[] = [];
  const seen = new Set<string>();
  for (const id of set.ids()) {
    const a = actions[id]!;
    for (const body of namePatterns(a.name)) {
      const pattern = `${a.service}:${body}`;
      if (seen.has(pattern)) continue;
      seen.add(pattern);
      const hits = sortedHits(expander, pattern);
      const inSet: number[] = [];
      const extra: number[] = [];
      let ok = true;
      for (const h of hits) {
        if (set.has(h)) inSet.push(h);
        else if (!exactCover.has(h)) {
          if (!wideCover.has(h)) { ok = false; break; }
          extra.push(h);
        }
      }
      if (ok) (extra.length === 0 ? exact : wide).push({ pattern, service: a.service, hits, inSet, extra });
    }
  }

  const remaining = new Set(set.ids());
  const chosen = new Map<string, Candidate>();
  const gated = new Uint8Array(expander.size);
  let chars = listChars(expander.keys(set));
  const evaluate = (c: Candidate) => {
    let gain = -itemChars(c.pattern), items = 0;
    const covered: number[] = [];
    for (const h of c.inSet) if (remaining.has(h)) { covered.push(h); gain += itemChars(actions[h]!.key); items++; }
    const subsumed: string[] = [];
    for (const q of chosen.values()) {
      if (q.service !== c.service || !isSubset(q.hits, c.hits)) continue;
      subsumed.push(q.pattern); gain += itemChars(q.pattern); items++;
    }
    let cost = 0;
    for (const h of c.extra) if (!gated[h]) cost++;
    return { gain, items, covered, subsumed, cost };
  };
  const apply = (c: Candidate, e: ReturnType<typeof evaluate>) => {
    chosen.set(c.pattern, c);
    for (const q of e.subsumed) chosen.delete(q);
    for (const h of e.covered) remaining.delete(h);
    for (const h of c.extra) gated[h] = 1;
    chars -= e.gain;
  };

  // Greedy, one pick at a time. A pick changes only its own service's remaining names, chosen
  // patterns and gated actions, so only that service's best candidate is worked out again.
  type Pick = { c: Candidate; e: ReturnType<typeof evaluate>; score: number };
  const better = (a: Pick, b: Pick | undefined) => !b || a.score > b.score || (a.score === b.score && (a.e.gain > b.e.gain || (a.e.gain === b.e.gain && a.c.pattern < b.c.pattern)));
  const run = (pool: readonly Candidate[], pick: (c: Candidate) => Pick | undefined, onPick: (p: Pick) => void) => {
    const byService = new Map<string, Candidate[]>();
    for (const c of pool) {
      let list = byService.get(c.service);
      if (!list) byService.set(c.service, (list = []));
      list.push(c);
    }
    const bestIn = (service: string) => {
      let best: Pick | undefined;
      for (const c of byService.get(service)!) {
        if (chosen.has(c.pattern)) continue;
        const p = pick(c);
        if (p && better(p, best)) best = p;
      }
      return best;
    };
    const bests = new Map([...byService.keys()].map((svc) => [svc, bestIn(svc)] as const));
    for (;;) {
      let best: Pick | undefined;
      for (const p of bests.values()) if (p && better(p, best)) best = p;
      if (!best) return;
      apply(best.c, best.e);
      onPick(best);
      bests.set(best.c.service, bestIn(best.c.service));
    }
  };

  // Exact: a wildcard only where everything it matches may be denied anyway, and only where it
  // replaces at least two entries (a wildcard standing for one name gains little and reads worse).
  run(exact, (c) => {
    const e = evaluate(c);
    return e.items < 2 || e.gain <= 0 ? undefined : { c, e, score: e.gain };
  }, () => {});
  const patterns = [...chosen.keys()];
  const rest = [...remaining];
  const atExact = chars;

  // Widening: the most characters saved per action newly gated first, run to the end; callers
  // replay only as many steps as their budget needs.
  const steps: Step[] = [];
  if (wide.length > 0) {
    run([...exact, ...wide], (c) => {
      const e = evaluate(c);
      return e.items < 1 || e.gain <= 0 ? undefined : { c, e, score: e.gain / (1 + e.cost) };
    }, (p) => steps.push({ pattern: p.c.pattern, subsumed: p.e.subsumed, covered: p.e.covered, chars }));
  }
  return { patterns, remaining: rest, chars: atExact, steps };
}

const planCache = new WeakMap<ActionExpander, Map<string, DenyPlan>>();
/**
 * A set's content as a hash of its non-empty words (index, bits): canonical whatever the set's
 * form, and a few hundred words even for a set of most of the catalog (its id list is 20k).
 */
export function setKey(s: ActionSet | undefined): string {
  if (!s) return '-';
  const words = new Uint32Array(((s.size + 31) >>> 5) * 2);
  let i = 0;
  s.forEachWord((word, bits) => { words[i++] = word; words[i++] = bits; });
  return hash('sha1', new Uint8Array(words.buffer, 0, i * 4), 'hex');
}

/**
 * Express a Deny's action set as patterns, never denying less than `set`. Wildcards match only
 * `set` and `free`; only when the list is longer than `maxChars` do they also match actions of
 * `widen`, choosing first the wildcards that save the most characters per action newly gated,
 * and only as many as needed. Exact against the catalog: `widened` lists every extra match.
 */
export function compactDeny(set: ActionSet, expander: ActionExpander, opts: DenyCompactionOptions = {}): DenyCompaction {
  let cache = planCache.get(expander);
  if (!cache) planCache.set(expander, (cache = new Map()));
  const key = `${setKey(set)}|${setKey(opts.free)}|${setKey(opts.widen)}`;
  let plan = cache.get(key);
  if (!plan) {
    plan = planDeny(set, expander, opts.free, opts.widen);
    if (cache.size > 256) cache.clear();
    cache.set(key, plan);
  }
  // Principals alike (the same need, the same budget) get the same list: replaying the plan and
  // sorting it is most of a call, so the list is kept per plan and budget.
  const patterns = [...replayed(plan, expander, opts.maxChars)];
  let widened: ActionSet | undefined;
  return {
    patterns,
    chars: listChars(patterns),
    // Planning reads only the patterns; the catalog expansion is made when asked for.
    get widened() {
      if (!widened) {
        widened = expander.expandAll(patterns).andNot(set);
        if (opts.free) widened.andNot(opts.free);
      }
      return widened;
    },
  };
}

const replayCache = new WeakMap<DenyPlan, Map<number, readonly string[]>>();
/** The plan's patterns once as many widening steps as `maxChars` needs are taken, sorted. */
function replayed(plan: DenyPlan, expander: ActionExpander, maxChars: number | undefined): readonly string[] {
  const budget = maxChars ?? Infinity;
  let byBudget = replayCache.get(plan);
  if (!byBudget) replayCache.set(plan, (byBudget = new Map()));
  const seen = byBudget.get(budget);
  if (seen) return seen;
  const chosen = new Set(plan.patterns);
  const remaining = new Set(plan.remaining);
  let chars = plan.chars;
  for (const step of plan.steps) {
    if (chars <= budget) break;
    chosen.add(step.pattern);
    for (const q of step.subsumed) chosen.delete(q);
    for (const h of step.covered) remaining.delete(h);
    chars = step.chars;
  }
  const patterns = [...chosen, ...[...remaining].map((id) => expander.catalog.actions[id]!.key)].sort((a, b) => a.localeCompare(b));
  if (byBudget.size > 64) byBudget.clear();
  byBudget.set(budget, patterns);
  return patterns;
}
