// Who could take the containment off again: principals of the account whose own policies let them
// delete or overwrite the inline Deny, or detach AWSDenyAll, on the contained principal. Decided
// request by request with the repo's evaluator (identity, boundary, SCP levels); IAM policies are
// not resource-based, so only principals of the same account can change them.
import { evaluate } from '../iam/evaluate.js';
import { principalPolicyInput } from '../iam/effective.js';
import type { Snapshot } from '../model/snapshot.js';
import { snapshotOrganization } from '../iam/organization.js';

export interface Undoer {
  readonly arn: string;
  readonly name: string;
  /** The actions it may call on the contained principal. */
  readonly actions: readonly string[];
  /** True when only a condition the export cannot settle (MFA, a tag, the source IP…) stands between it and them. */
  readonly conditional: boolean;
}

/** The IAM calls that undo each kind of containment. */
export function undoActions(kind: 'role' | 'user', inline: boolean): readonly string[] {
  const k = kind === 'role' ? 'Role' : 'User';
  return inline ? [`iam:Delete${k}Policy`, `iam:Put${k}Policy`] : [`iam:Detach${k}Policy`];
}

/**
 * Principals allowed to undo the containment. `self` says whether the contained principal itself
 * counts: it does when the Deny leaves some of its sessions working (one session, or sessions so
 * far), not when everything is denied.
 */
export function whoCanUndo(snapshot: Snapshot, target: { readonly arn: string; readonly kind: 'role' | 'user' }, inline: boolean, self: boolean, organizationId?: string): Undoer[] {
  const actions = undoActions(target.kind, inline);
  // The callers are this account's principals: a condition on their organization is decided as
  // the analysis decides it (an --org scan's facts, else config resources.organizationId).
  const org = snapshotOrganization(snapshot, organizationId);
  const context = org ? { values: org } : undefined;
  const out: Undoer[] = [];
  for (const p of snapshot.principals) {
    if (p.arn === target.arn && !self) continue;
    // Its identity policies, boundary and SCP levels, as the effective permissions read them.
    const policies = principalPolicyInput(p, snapshot.scps);
    const allowed: string[] = [];
    let conditional = true;
    for (const action of actions) {
      const d = evaluate({ action, resource: target.arn, ...(context ? { context } : {}) }, policies).decision;
      if (d === 'Allowed') conditional = false;
      if (d === 'Allowed' || d === 'Conditional') allowed.push(action);
    }
    if (allowed.length > 0) out.push({ arn: p.arn, name: p.name, actions: allowed, conditional });
  }
  return out.sort((a, b) => Number(a.conditional) - Number(b.conditional) || a.name.localeCompare(b.name) || a.arn.localeCompare(b.arn));
}
