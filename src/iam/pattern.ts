// IAM wildcard semantics. Actions: case-insensitive, `*` and `?`, service and name matched
// separately (a `*` in the name never crosses into another service). ARNs: case-sensitive,
// each of the six colon-separated parts matched on its own; the resource part may contain
// further colons and slashes, which `*` spans.
import { ActionSet, ActionSetGatherer } from './action-set.js';
import type { Catalog } from './catalog.js';

/** What globRegex returns: a RegExp, or a linear matcher for patterns with many stars. */
export interface GlobMatcher {
  test(s: string): boolean;
}

/** flags → glob → matcher. */
const regexCaches = new Map<string, Map<string, GlobMatcher>>();

/**
 * Stand-ins for a literal `*` and `?`: what `${*}` and `${?}` stand for, and how characters of a
 * substituted policy-variable value are kept from acting as wildcards. globRegex and arnMatches
 * match them as the literal character. Private-use code points never occur in real policies.
 */
export const LITERAL_STAR = '\uE000';
export const LITERAL_QUESTION = '\uE001';

function hasLiteralMarker(s: string): boolean {
  return s.includes(LITERAL_STAR) || s.includes(LITERAL_QUESTION);
}

/**
 * Glob match without a regex: one backtrack point (the last `*`), so the work is at most
 * pattern length × subject length whatever the pattern. `*`/`?` are wildcards; LITERAL_STAR and
 * LITERAL_QUESTION match the literal character.
 */
export function globMatchLinear(glob: string, subject: string, ignoreCase = false): boolean {
  const p = ignoreCase ? glob.toLowerCase() : glob;
  const s = ignoreCase ? subject.toLowerCase() : subject;
  let pi = 0, si = 0, star = -1, mark = 0;
  while (si < s.length) {
    const c = p[pi];
    if (c === '*') { star = pi++; mark = si; }
    else if (c !== undefined && (c === '?' || c === s[si] || (c === LITERAL_STAR && s[si] === '*') || (c === LITERAL_QUESTION && s[si] === '?'))) { pi++; si++; }
    else if (star >= 0) { pi = star + 1; si = ++mark; }
    else return false;
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}

/** Above this many `*`, a backtracking regex can take time exponential in the star count. */
const MAX_REGEX_STARS = 2;

/**
 * Glob → anchored matcher. `flags` 'i' for actions and the *IgnoreCase operators. A regex for the
 * usual patterns (fast); the linear matcher for patterns with more than two `*`, which a hostile
 * policy can use to make a backtracking regex run for hours (`*a*a*a*a*a*a*a*a*b` on a 64-character
 * ARN segment).
 */
export function globRegex(glob: string, flags = ''): GlobMatcher {
  let cache = regexCaches.get(flags);
  if (!cache) regexCaches.set(flags, (cache = new Map()));
  let re = cache.get(glob);
  if (!re) {
    let stars = 0;
    for (const ch of glob) if (ch === '*') stars++;
    if (stars > MAX_REGEX_STARS) {
      const ignoreCase = flags.includes('i');
      re = { test: (s: string) => globMatchLinear(glob, s, ignoreCase) };
    } else {
      let src = '^';
      for (const ch of glob) {
        if (ch === '*') src += '.*';
        else if (ch === '?') src += '.';
        else if (ch === LITERAL_STAR) src += '\\*';
        else if (ch === LITERAL_QUESTION) src += '\\?';
        else src += ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
      }
      re = new RegExp(`${src}$`, `s${flags}`);
    }
    if (cache.size > 50_000) cache.clear();
    cache.set(glob, re);
  }
  return re;
}

const NO_IDS = new Int32Array(0);

export function hasWildcard(s: string): boolean {
  return s.includes('*') || s.includes('?');
}

/** Does an action pattern (as written in a policy) match a concrete action `service:Name`? */
export function actionMatches(pattern: string, action: string): boolean {
  if (pattern === '*') return true;
  const pp = splitPattern(pattern);
  const sa = splitAction(action);
  if (pp === null || sa === null) return false;
  if (typeof pp.service === 'string' ? pp.service !== sa.serviceLower : !pp.service.test(sa.service)) return false;
  return typeof pp.name === 'string' ? pp.name === sa.nameLower : pp.name.test(sa.name);
}

/** actionMatches without the split caches: the reference its property test compares with. */
export function actionMatchesFresh(pattern: string, action: string): boolean {
  if (pattern === '*') return true;
  const p = pattern.indexOf(':'), a = action.indexOf(':');
  if (p < 0 || a < 0) return false;
  const ps = pattern.slice(0, p), pn = pattern.slice(p + 1), as = action.slice(0, a), an = action.slice(a + 1);
  if (hasWildcard(ps) ? !globRegex(ps, 'i').test(as) : ps.toLowerCase() !== as.toLowerCase()) return false;
  return hasWildcard(pn) ? globRegex(pn, 'i').test(an) : pn.toLowerCase() === an.toLowerCase();
}

/** An asked action's parts, as written and lower-cased. */
interface SplitAction { readonly service: string; readonly name: string; readonly serviceLower: string; readonly nameLower: string }
const splitActions = new Map<string, SplitAction | null>();

// The graph and the checks ask the same few dozen actions of every statement of every principal
// (tens of millions of calls at 50k principals): slicing and lower-casing the action on each call
// was four strings of garbage per call.
function splitAction(action: string): SplitAction | null {
  let sa = splitActions.get(action);
  if (sa === undefined) {
    const a = action.indexOf(':');
    if (a < 0) sa = null;
    else {
      const service = action.slice(0, a), name = action.slice(a + 1);
      sa = { service, name, serviceLower: service.toLowerCase(), nameLower: name.toLowerCase() };
    }
    if (splitActions.size >= 50_000) splitActions.clear(); // bounded: a cache, not an index
    splitActions.set(action, sa);
  }
  return sa;
}

/** A pattern's service and name parts: lower-cased when exact, a matcher when wildcarded. */
interface SplitPattern { readonly service: string | GlobMatcher; readonly name: string | GlobMatcher }
const splitPatterns = new Map<string, SplitPattern | null>();

// Evidence and statementCovers match the same few patterns against many actions: split and
// lower-case each pattern once, not on every call.
function splitPattern(pattern: string): SplitPattern | null {
  let sp = splitPatterns.get(pattern);
  if (sp === undefined) {
    const p = pattern.indexOf(':');
    if (p < 0) sp = null;
    else {
      const ps = pattern.slice(0, p), pn = pattern.slice(p + 1);
      sp = { service: hasWildcard(ps) ? globRegex(ps, 'i') : ps.toLowerCase(), name: hasWildcard(pn) ? globRegex(pn, 'i') : pn.toLowerCase() };
    }
    if (splitPatterns.size >= 50_000) splitPatterns.clear(); // bounded: a cache, not an index
    splitPatterns.set(pattern, sp);
  }
  return sp;
}

/** Does a statement's Action (or NotAction: everything it does not list) cover this action? */
export function statementCovers(s: { readonly action?: readonly string[]; readonly notAction?: readonly string[] }, action: string): boolean {
  return s.action ? s.action.some((p) => actionMatches(p, action)) : !(s.notAction ?? []).some((p) => actionMatches(p, action));
}

function splitArn(arn: string): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < 5; i++) {
    const c = arn.indexOf(':', start);
    if (c < 0) return undefined;
    parts.push(arn.slice(start, c));
    start = c + 1;
  }
  parts.push(arn.slice(start));
  return parts;
}

/** Does a Resource pattern match a concrete resource ARN (or `*`)? */
export function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === '*' || pattern === arn) return true;
  return arnMatcher(pattern)(arn);
}

const arnMatcherCache = new Map<string, (arn: string) => boolean>();

/**
 * arnMatches with the pattern split and its segment regexes compiled once: for matching one
 * pattern against many ARNs (every role of an account, say).
 */
export function arnMatcher(pattern: string): (arn: string) => boolean {
  let m = arnMatcherCache.get(pattern);
  if (m) return m;
  const pp = pattern === '*' ? undefined : splitArn(pattern);
  if (pattern === '*') m = () => true;
  else if (!pp) { const re = globRegex(pattern); m = (arn) => arn === pattern || re.test(arn); }
  else {
    const segs = pp.map((p) => (hasWildcard(p) || hasLiteralMarker(p) ? globRegex(p) : p));
    // The subject is walked colon by colon, not split: no array per match and no cache of split
    // ARNs (which at 50k principals held ~100k arrays and emptied itself when full).
    m = (arn) => {
      if (arn === pattern) return true;
      let start = 0;
      for (let i = 0; i < 6; i++) {
        const end = i < 5 ? arn.indexOf(':', start) : arn.length;
        // Fewer than six parts: every literal ':' of the pattern (it has five) needs one in the subject.
        if (end < 0) return false;
        const seg = segs[i]!;
        if (typeof seg === 'string' ? end - start !== seg.length || !arn.startsWith(seg, start) : !seg.test(arn.slice(start, end))) return false;
        start = end + 1;
      }
      return true;
    };
  }
  if (arnMatcherCache.size > 100_000) arnMatcherCache.clear(); // bounded: patterns come from policies
  arnMatcherCache.set(pattern, m);
  return m;
}

/** Expands action patterns against the catalog, caching each pattern's result. */
export class ActionExpander {
  private readonly cache = new Map<string, Int32Array>();
  /** The same, by the pattern as written (no lower-casing per call). */
  private readonly rawCache = new Map<string, Int32Array>();
  private readonly sharedLists = new Map<string, ActionSet>();
  /** expandAll's scratch bitset (emptied by each take). */
  private readonly gatherer: ActionSetGatherer;
  private readonly all: ActionSet;
  /** Patterns that matched nothing in the catalog (typos, or actions newer than the catalog). */
  readonly unknownPatterns = new Set<string>();

  constructor(readonly catalog: Catalog) {
    this.all = ActionSet.full(catalog.actions.length);
    this.gatherer = new ActionSetGatherer(catalog.actions.length);
    this.singles = new Array<Int32Array | undefined>(catalog.actions.length).fill(undefined);
  }

  get size(): number {
    return this.catalog.actions.length;
  }

  fullSet(): ActionSet {
    return this.all.clone();
  }

  private readonly ids = new Map<string, number>();
  /** expand's answer for each single action, by catalog id (read-only, like every answer of expand); sized once, so never sparse. */
  private readonly singles: (Int32Array | undefined)[];

  /** The catalog id of an action as asked (any case), or -1: one lookup per distinct spelling, not a lower-cased copy per call. */
  idOf(action: string): number {
    let id = this.ids.get(action);
    if (id === undefined) {
      id = this.catalog.lookup(action)?.id ?? -1;
      if (this.ids.size >= 100_000) this.ids.clear(); // bounded: a cache, not an index
      this.ids.set(action, id);
    }
    return id;
  }

  /** Catalog action ids matched by one pattern. */
  expand(pattern: string): Int32Array {
    const seen = this.rawCache.get(pattern);
    if (seen) return seen;
    const ids = this.expandKey(pattern);
    if (this.rawCache.size > 100_000) this.rawCache.clear();
    this.rawCache.set(pattern, ids);
    return ids;
  }

  private expandKey(pattern: string): Int32Array {
    const key = pattern.toLowerCase();
    let ids = this.cache.get(key);
    if (ids) return ids;
    if (key === '*') {
      ids = Int32Array.from(this.all.ids());
    } else if (!hasWildcard(key)) {
      // One action (most patterns): the catalog's key is `service:name` lower-cased, as `key` is,
      // and a key without a colon names no action. Its one-element list is shared by every spelling.
      const id = this.catalog.byKey.get(key)?.id;
      ids = id === undefined ? NO_IDS : (this.singles[id] ??= Int32Array.of(id));
    } else {
      const colon = key.indexOf(':');
      const service = colon < 0 ? key : key.slice(0, colon);
      const name = colon < 0 ? '' : key.slice(colon + 1);
      const out: number[] = [];
      const services = hasWildcard(service)
        ? this.catalog.services.filter((s) => globRegex(service, 'i').test(s))
        : this.catalog.byService.has(service) ? [service] : [];
      for (const s of services) {
        const actions = this.catalog.byService.get(s) ?? [];
        if (!hasWildcard(name)) {
          const a = this.catalog.byKey.get(`${s}:${name}`);
          if (a) out.push(a.id);
          continue;
        }
        const re = globRegex(name, 'i');
        for (const a of actions) if (re.test(a.name)) out.push(a.id);
      }
      ids = Int32Array.from(out);
    }
    if (ids.length === 0) this.unknownPatterns.add(pattern);
    this.cache.set(key, ids);
    return ids;
  }

  /** Set of actions matched by any of the patterns. */
  expandAll(patterns: readonly string[]): ActionSet {
    if (patterns.includes('*')) return this.fullSet();
    const g = this.gatherer;
    try {
      for (let i = 0; i < patterns.length; i++) g.addIds(this.expand(patterns[i]!));
    } catch (e) {
      g.take(); // never leave one list's ids in the next list's set
      throw e;
    }
    return g.take();
  }

  /** Actions a statement's Action / NotAction covers (NotAction = every catalog action except those). */
  statementActions(action: readonly string[] | undefined, notAction: readonly string[] | undefined): ActionSet {
    if (action) return this.expandAll(action);
    return this.expandAll(notAction ?? []).invert();
  }

  /**
   * statementActions for a reader that never writes to the set: statements with the same Action
   * list (policy templates, copies across principals) share one set.
   */
  statementActionsShared(action: readonly string[] | undefined, notAction: readonly string[] | undefined): ActionSet {
    if (!action) return this.statementActions(action, notAction);
    // The key joins with U+0000: a list with a pattern holding one could spell another list's key.
    if (action.some((p) => p.includes('\u0000'))) return this.expandAll(action);
    const key = action.length === 1 ? action[0]! : action.join('\u0000');
    let set = this.sharedLists.get(key);
    if (!set) {
      set = this.expandAll(action);
      if (this.sharedLists.size > 50_000) this.sharedLists.clear();
      this.sharedLists.set(key, set);
    }
    return set;
  }

  keys(set: ActionSet): string[] {
    return set.toArray().map((id) => this.catalog.actions[id]!.key);
  }
}
