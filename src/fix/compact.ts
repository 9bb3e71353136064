// Writing action sets back as policy text, compactly but never more broadly than meant:
// `svc:Prefix*` replaces a list only when everything it matches is in the set, so an Allow
// never grants more. For Deny lists the rule flips: a wildcard may cover more, as long as it
// touches nothing the principal needs.
import { ActionSet } from '../iam/action-set.js';
import type { ActionExpander } from '../iam/pattern.js';

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
