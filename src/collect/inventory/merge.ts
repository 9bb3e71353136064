// Several inventories (files of several kinds, live regions, accounts) become one: resources are
// deduplicated by ARN. A later entry fills or replaces what it states (name, region, policy),
// tags are merged (later wins per key), and a known policy beats "unknown" from either side —
// so a leash file can add the policy a Config snapshot lacks without repeating the resource.
import type { Resource, ResourceInventory } from '../../model/inventory.js';

export function mergeResource(a: Resource, b: Resource): Resource {
  const policy = b.policy ?? a.policy;
  const unknown = policy ? undefined : (b.policyUnknown ?? a.policyUnknown);
  const tags = Object.assign(Object.create(null) as Record<string, string>, a.tags, b.tags);
  return {
    arn: a.arn,
    type: a.type,
    name: b.name || a.name,
    account: b.account || a.account,
    region: b.region || a.region,
    tags,
    ...(policy ? { policy } : {}),
    ...(unknown !== undefined ? { policyUnknown: unknown } : {}),
    ...(b.role ?? a.role ? { role: (b.role ?? a.role)! } : {}),
  };
}

/** Resources deduplicated by ARN, in order of first appearance. */
export function dedupeResources(list: readonly Resource[]): Resource[] {
  const byArn = new Map<string, Resource>();
  for (const r of list) {
    const seen = byArn.get(r.arn);
    byArn.set(r.arn, seen ? mergeResource(seen, r) : r);
  }
  return [...byArn.values()];
}

export function mergeInventories(parts: readonly ResourceInventory[]): ResourceInventory {
  const rcpParts = parts.filter((p) => p.rcps !== undefined);
  return {
    resources: dedupeResources(parts.flatMap((p) => p.resources)),
    // RCP levels of one account; the first source that has them states them.
    ...(rcpParts.length > 0 ? { rcps: rcpParts[0]!.rcps! } : {}),
    sources: parts.flatMap((p) => p.sources),
    errors: parts.flatMap((p) => p.errors),
  };
}

/** Per-type counts for a source's `counts` (and the report's coverage). */
export function countByType(resources: readonly Resource[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of resources) out[r.type] = (out[r.type] ?? 0) + 1;
  return out;
}
