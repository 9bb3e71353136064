// Which resources are production: a tag (env / environment / stage …) with a production value,
// else a production word in the name. Defaults are a data file (src/data/production-markers.json);
// leash.config.yaml (`resources.production`) adds to or replaces them. Pure; everything read here
// came from tags and names an attacker may have written, so it only decides, never prints.
import { z } from 'zod';
import markersJson from '../data/production-markers.json' with { type: 'json' };
import type { Resource } from '../model/inventory.js';
import { globRegex } from '../iam/pattern.js';

export type Environment = 'production' | 'non-production' | 'unknown';

export interface ProductionMarkers {
  /** Tag keys that name an environment (case-insensitive). */
  readonly tagKeys: readonly string[];
  readonly productionValues: readonly string[];
  readonly nonProductionValues: readonly string[];
  /** Whole words of a name that mark it production. */
  readonly nameTokens: readonly string[];
  /** Globs over the name (case-insensitive) that mark it production, from the config. */
  readonly namePatterns?: readonly string[];
}

const data = z.object({
  source: z.string().min(1),
  tagKeys: z.array(z.string().min(1)).min(1),
  productionValues: z.array(z.string().min(1)).min(1),
  nonProductionValues: z.array(z.string().min(1)),
  nameTokens: z.array(z.string().min(1)),
}).parse(markersJson);

export const DEFAULT_MARKERS: ProductionMarkers = data;

/** The config's `resources.production` block over the defaults: lists given replace, `extra*` lists add. */
export function markersFrom(cfg?: { readonly tagKeys?: readonly string[] | undefined; readonly productionValues?: readonly string[] | undefined; readonly nameTokens?: readonly string[] | undefined; readonly namePatterns?: readonly string[] | undefined }): ProductionMarkers {
  if (!cfg) return DEFAULT_MARKERS;
  return {
    tagKeys: cfg.tagKeys ?? DEFAULT_MARKERS.tagKeys,
    productionValues: cfg.productionValues ?? DEFAULT_MARKERS.productionValues,
    nonProductionValues: DEFAULT_MARKERS.nonProductionValues,
    nameTokens: cfg.nameTokens ?? DEFAULT_MARKERS.nameTokens,
    ...(cfg.namePatterns ? { namePatterns: cfg.namePatterns } : {}),
  };
}

const words = (s: string) => s.toLowerCase().split(/[-_./:\s]+/).filter(Boolean);

export interface EnvironmentOf {
  readonly environment: Environment;
  /** What decided it: `tag env=prod`, `name token prod`, `name pattern *-live`. */
  readonly why?: string;
}

const compiled = new WeakMap<ProductionMarkers, { keys: Set<string>; prod: Set<string>; nonProd: Set<string>; tokens: Set<string>; globs: { glob: string; test: (s: string) => boolean }[] }>();

function compile(m: ProductionMarkers) {
  let c = compiled.get(m);
  if (!c) {
    c = {
      keys: new Set(m.tagKeys.map((k) => k.toLowerCase())),
      prod: new Set(m.productionValues.map((v) => v.toLowerCase())),
      nonProd: new Set(m.nonProductionValues.map((v) => v.toLowerCase())),
      tokens: new Set(m.nameTokens.map((v) => v.toLowerCase())),
      globs: (m.namePatterns ?? []).map((g) => { const r = globRegex(g.toLowerCase()); return { glob: g, test: (s: string) => r.test(s.toLowerCase()) }; }),
    };
    compiled.set(m, c);
  }
  return c;
}

/**
 * A tag decides first (a resource tagged env=staging is not production whatever its name says);
 * a tag value is matched whole or by its words (`prod-eu` is production). Then the name.
 */
export function environmentOf(r: Pick<Resource, 'name' | 'tags'>, m: ProductionMarkers = DEFAULT_MARKERS): EnvironmentOf {
  const c = compile(m);
  for (const [k, v] of Object.entries(r.tags)) {
    if (!c.keys.has(k.toLowerCase())) continue;
    const value = v.toLowerCase();
    const ws = words(value);
    if (c.prod.has(value) || ws.some((w) => c.prod.has(w))) return { environment: 'production', why: `tag ${k}=${v}` };
    if (c.nonProd.has(value) || ws.some((w) => c.nonProd.has(w))) return { environment: 'non-production', why: `tag ${k}=${v}` };
  }
  for (const g of c.globs) if (g.test(r.name)) return { environment: 'production', why: `name pattern ${g.glob}` };
  const ws = words(r.name);
  const hit = ws.find((w) => c.tokens.has(w));
  if (hit) return { environment: 'production', why: `name word ${hit}` };
  if (ws.some((w) => c.nonProd.has(w))) return { environment: 'non-production' };
  return { environment: 'unknown' };
}
