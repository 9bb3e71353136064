// CloudTrail event → IAM action(s). CloudTrail names the API operation and the endpoint; IAM
// authorizes a service prefix and an action name. They agree for most services, and the
// exceptions are data (src/data/cloudtrail-event-map.json), each with its reason. Every result is
// checked against the catalog, so leash never reports an action IAM does not have.
import eventMap from '../../data/cloudtrail-event-map.json' with { type: 'json' };
import { catalog, type Catalog } from '../../iam/catalog.js';
import { internalized } from './internalize.js';

export type EventMapping =
  | { readonly ok: true; readonly actions: readonly string[] }
  | { readonly ok: false; readonly reason: string };

const AMAZONAWS_SUFFIX = '.amazonaws.com';
const versionSuffix = new RegExp(eventMap.versionSuffix.pattern);

const sourcePrefixes = new Map<string, string>(eventMap.eventSources.map((e) => [e.eventSource, e.prefix]));
const renames = new Map<string, readonly string[]>(eventMap.renames.map((r) => [`${r.eventSource} ${r.eventName}`, r.actions]));
const noAction = new Map<string, string>(eventMap.noAction.map((n) => [`${n.eventSource} ${n.eventName}`, n.reason]));

/** IAM service prefix for a CloudTrail eventSource (`<prefix>.amazonaws.com` unless listed as an exception). */
export function servicePrefix(eventSource: string): string | undefined {
  const listed = sourcePrefixes.get(eventSource);
  if (listed !== undefined) return listed;
  if (!eventSource.endsWith(AMAZONAWS_SUFFIX)) return undefined;
  const prefix = eventSource.slice(0, -AMAZONAWS_SUFFIX.length);
  return prefix.length > 0 && !prefix.includes('.') ? prefix : undefined;
}

/** Strips an API-version suffix (`UpdateFunctionCode20150331v2` → `UpdateFunctionCode`). Idempotent. */
export function stripVersionSuffix(eventName: string): string {
  let name = eventName;
  // Loop so that stripping is idempotent even for stacked suffixes.
  for (;;) {
    const stripped = name.replace(versionSuffix, '');
    // A name the suffix would empty (only digits) is not versioned; keep what is left.
    if (stripped === name || stripped.length === 0) return name;
    name = stripped;
  }
}

function verbRule(eventSource: string, eventName: string): string | undefined {
  for (const rule of eventMap.verbRules) {
    if (rule.eventSource === eventSource && rule.eventNamePrefixes.some((p) => eventName.startsWith(p))) return rule.action;
  }
  return undefined;
}

/** Maps one event without caching; `mapEvent` is the cached entry point for hot loops. */
export function mapEventUncached(eventSource: string, eventName: string, cat: Catalog = catalog()): EventMapping {
  const prefix = servicePrefix(eventSource);
  if (prefix === undefined) return { ok: false, reason: `eventSource "${eventSource}" is not an AWS service endpoint` };
  const not = noAction.get(`${eventSource} ${eventName}`);
  if (not !== undefined) return { ok: false, reason: not };
  if (!cat.byService.has(prefix)) return { ok: false, reason: `service prefix "${prefix}" is not in the IAM catalog` };

  const direct = cat.lookup(`${prefix}:${eventName}`);
  if (direct) return { ok: true, actions: [direct.key] };

  const base = stripVersionSuffix(eventName);
  const renamed = renames.get(`${eventSource} ${eventName}`) ?? (base !== eventName ? renames.get(`${eventSource} ${base}`) : undefined);
  if (renamed) return resolveAll(renamed, cat, eventSource, eventName);

  if (base !== eventName) {
    const versioned = cat.lookup(`${prefix}:${base}`);
    if (versioned) return { ok: true, actions: [versioned.key] };
  }
  const verb = verbRule(eventSource, base);
  if (verb !== undefined) return resolveAll([verb], cat, eventSource, eventName);
  return { ok: false, reason: `no IAM action ${prefix}:${base} in the catalog` };
}

function resolveAll(actions: readonly string[], cat: Catalog, eventSource: string, eventName: string): EventMapping {
  const keys: string[] = [];
  for (const a of actions) {
    const found = cat.lookup(a);
    // A data-file entry the catalog lost is a leash bug, surfaced as unmapped rather than invented.
    if (!found) return { ok: false, reason: `mapping for ${eventSource} ${eventName} names ${a}, which is not in the IAM catalog` };
    keys.push(found.key);
  }
  return { ok: true, actions: keys };
}

/**
 * Cached mapper: the set of distinct (eventSource, eventName) pairs is small (the API surface),
 * while a corpus has millions of records, so each pair is resolved once.
 */
export class EventMapper {
  // Two levels (eventSource → eventName) so the hot path builds no key string.
  private readonly cache = new Map<string, Map<string, EventMapping>>();
  private size = 0;
  constructor(private readonly cat: Catalog = catalog()) {}

  map(eventSource: string, eventName: string): EventMapping {
    let bySource = this.cache.get(eventSource);
    if (bySource === undefined) {
      bySource = new Map();
      if (this.size < 50_000) this.cache.set(eventSource, bySource);
    }
    let hit = bySource.get(eventName);
    if (hit === undefined) {
      hit = mapEventUncached(eventSource, eventName, this.cat);
      // Action names key the aggregator's per-principal Maps and Sets (see internalize.ts).
      if (hit.ok) hit = { ok: true, actions: hit.actions.map(internalized) };
      // Bound the cache against garbage names in hostile input; beyond it we just recompute.
      if (this.size < 50_000) {
        bySource.set(eventName, hit);
        this.size++;
      }
    }
    return hit;
  }
}

let sharedMapper: EventMapper | undefined;
export function mapEvent(eventSource: string, eventName: string): EventMapping {
  sharedMapper ??= new EventMapper();
  return sharedMapper.map(eventSource, eventName);
}
