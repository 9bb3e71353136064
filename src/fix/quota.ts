// How many customer managed policies the fixes would create, against IAM's per-account quota.
// Every right-sized policy and every boundary is a new managed policy; at thousands of agent
// principals the plan can need more than an account may hold, and apply.sh/Terraform would
// then fail part-way with LimitExceeded. The reviewer hears it before, not from IAM.
import quotas from '../data/iam-quotas.json' with { type: 'json' };
import type { Snapshot } from '../model/snapshot.js';
import type { FixTarget } from './render/index.js';

export const MANAGED_POLICY_QUOTA = quotas.customerManagedPoliciesPerAccount;

/** Managed policies applying this target creates: managed identity policies and the boundary. */
export function managedPoliciesCreated(target: Pick<FixTarget, 'policies'>): number {
  return target.policies.filter((p) => (p.purpose === 'identity' && p.attach === 'managed') || (p.purpose === 'boundary' && p.attach !== 'none')).length;
}

/**
 * A note when the account's customer managed policies plus those the fixes create exceed the
 * default quota; undefined otherwise. The existing count is what the input lists (a lower bound
 * when the export was filtered).
 */
export function managedPolicyQuotaNote(plans: readonly { readonly fixes: readonly unknown[]; readonly target: Pick<FixTarget, 'policies' | 'accountId'> }[], snapshot: Pick<Snapshot, 'managedPolicies'>): string | undefined {
  let created = 0;
  const accounts = new Set<string>();
  for (const p of plans) {
    if (p.fixes.length === 0) continue;
    const n = managedPoliciesCreated(p.target);
    if (n > 0) accounts.add(p.target.accountId);
    created += n;
  }
  if (created === 0) return undefined;
  // Per account: a quota is an account's, and a multi-account scan plans into several.
  const worst = [...accounts].map((acct) => {
    const existing = snapshot.managedPolicies.filter((m) => !m.awsManaged && m.arn.split(':')[4] === acct).length;
    const mine = plans.filter((p) => p.fixes.length > 0 && p.target.accountId === acct).reduce((s, p) => s + managedPoliciesCreated(p.target), 0);
    return { acct, existing, mine, total: existing + mine };
  }).sort((a, b) => b.total - a.total || a.acct.localeCompare(b.acct))[0]!;
  const { default: quota, maximum } = MANAGED_POLICY_QUOTA;
  if (worst.total <= quota) return undefined;
  return `Applying every fix would create ${worst.mine.toLocaleString('en-US')} customer managed policies in account ${worst.acct}, which already has ${worst.existing.toLocaleString('en-US')}: ${worst.total.toLocaleString('en-US')} against IAM's default quota of ${quota.toLocaleString('en-US')} per account (${worst.total > maximum ? `more than the ${maximum.toLocaleString('en-US')} an increase allows` : `an increase to at most ${maximum.toLocaleString('en-US')} can be requested`}; aws iam get-account-summary shows the account's PoliciesQuota). Apply the fixes in stages, most exposed principals first: past the quota, CreatePolicy fails with LimitExceeded and apply.sh stops before changing the principal.`;
}
