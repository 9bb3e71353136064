// CloudTrail names a role by its session's ARN when a record has no sessionIssuer (some data
// events, some cross-account calls); the role ARN rebuilt from it has no path, so usage keyed
// `role/agent` would never reach the principal `role/ai/agent`. Role and user names are unique in
// an account whatever their path (and IAM compares them without case), so a path-less ARN is
// re-keyed to the one principal of that account and name.
import type { PrincipalUsage, UsageData } from '../../model/usage.js';
import type { Principal } from '../../model/snapshot.js';
import { mergePrincipal } from './merge-usage.js';

const PATHLESS = /^arn:([^:]+):iam::(\d{12}):(role|user)\/([^/]+)$/;

export function alignUsageToPrincipals(usage: UsageData, principals: readonly Principal[]): UsageData {
  const byName = new Map<string, string>();
  const arns = new Set<string>();
  for (const p of principals) {
    arns.add(p.arn);
    const [, partition, , , account] = p.arn.split(':');
    byName.set(`${partition}:${account}:${p.kind}:${p.name.toLowerCase()}`, p.arn);
  }
  const rename = new Map<string, string>();
  for (const arn of Object.keys(usage.byPrincipal)) {
    if (arns.has(arn)) continue;
    const m = PATHLESS.exec(arn);
    const target = m ? byName.get(`${m[1]}:${m[2]}:${m[3]}:${m[4]!.toLowerCase()}`) : undefined;
    if (target && target !== arn) rename.set(arn, target);
  }
  if (rename.size === 0) return usage;
  const byPrincipal: Record<string, PrincipalUsage> = {};
  for (const [arn, u] of Object.entries(usage.byPrincipal)) {
    const key = rename.get(arn) ?? arn;
    const moved = key === arn ? u : { ...u, principalArn: key };
    const prev = byPrincipal[key];
    byPrincipal[key] = prev ? mergePrincipal(prev, moved) : moved;
  }
  const sorted = Object.fromEntries(Object.keys(byPrincipal).sort().map((k) => [k, byPrincipal[k]!]));
  const covered = usage.coveredPrincipals === 'all' ? 'all' : [...new Set(usage.coveredPrincipals.map((a) => rename.get(a) ?? a))].sort();
  return { ...usage, byPrincipal: sorted, coveredPrincipals: covered };
}
