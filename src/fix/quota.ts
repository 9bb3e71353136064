// How many customer managed policies the fixes would create, against IAM's per-account quota.
// Every right-sized policy is a new managed policy, and so is each distinct boundary (shared by content); at thousands of agent
// principals the plan can need more than an account may hold, and apply.sh/Terraform would
// then fail part-way with LimitExceeded. The reviewer hears it before, not from IAM.
import quotas from '../data/iam-quotas.json' with { type: 'json' };
import type { Snapshot } from '../model/snapshot.js';
import type { FixTarget } from './render/index.js';

export const MANAGED_POLICY_QUOTA = quotas.customerManagedPoliciesPerAccount;

/** Managed policies applying this target creates on its own: managed identity policies and an unshared boundary. */
export function managedPoliciesCreated(target: Pick<FixTarget, 'policies'>): number {
  return target.policies.filter((p) => (p.purpose === 'identity' && p.attach === 'managed') || (p.purpose === 'boundary' && p.attach !== 'none' && !p.shared)).length;
}

type PlanLike = { readonly fixes: readonly unknown[]; readonly target: Pick<FixTarget, 'policies' | 'accountId'> };

/** New customer managed policies per account: each plan's own, plus each shared boundary once. */
function createdByAccount(plans: readonly PlanLike[]): Map<string, number> {
  const own = new Map<string, number>();
  const shared = new Map<string, Set<string>>();
  for (const p of plans) {
    if (p.fixes.length === 0) continue;
    const acct = p.target.accountId;
    own.set(acct, (own.get(acct) ?? 0) + managedPoliciesCreated(p.target));
    for (const x of p.target.policies) {
      if (x.purpose !== 'boundary' || !x.shared || x.attach === 'none') continue;
      const set = shared.get(acct) ?? new Set<string>();
      set.add(x.name);
      shared.set(acct, set);
    }
  }
  const out = new Map<string, number>();
  for (const acct of new Set([...own.keys(), ...shared.keys()])) out.set(acct, (own.get(acct) ?? 0) + (shared.get(acct)?.size ?? 0));
  return out;
}

/**
 * A note when the account's customer managed policies plus those the fixes create exceed the
 * default quota; undefined otherwise. The existing count is what the input lists (a lower bound
 * when the export was filtered).
 */
export function managedPolicyQuotaNote(plans: readonly PlanLike[], snapshot: Pick<Snapshot, 'managedPolicies'>): string | undefined {
  const created = [...createdByAccount(plans)].filter(([, n]) => n > 0);
  if (created.length === 0) return undefined;
  // Per account: a quota is an account's, and a multi-account scan plans into several.
  const worst = created.map(([acct, mine]) => {
    const existing = snapshot.managedPolicies.filter((m) => !m.awsManaged && m.arn.split(':')[4] === acct).length;
    return { acct, existing, mine, total: existing + mine };
  }).sort((a, b) => b.total - a.total || a.acct.localeCompare(b.acct))[0]!;
  const { default: quota, maximum } = MANAGED_POLICY_QUOTA;
  if (worst.total <= quota) return undefined;
  return `Applying every fix would create ${worst.mine.toLocaleString('en-US')} customer managed policies in account ${worst.acct}, which already has ${worst.existing.toLocaleString('en-US')}: ${worst.total.toLocaleString('en-US')} against IAM's default quota of ${quota.toLocaleString('en-US')} per account (${worst.total > maximum ? `more than the ${maximum.toLocaleString('en-US')} an increase allows` : `an increase to at most ${maximum.toLocaleString('en-US')} can be requested`}; aws iam get-account-summary shows the account's PoliciesQuota). Apply the fixes in stages, most exposed principals first: past the quota, CreatePolicy fails with LimitExceeded and apply.sh stops before changing the principal.`;
}
