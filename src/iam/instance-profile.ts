// EC2 takes a role only through an instance profile (RunInstances, launch templates,
// AssociateIamInstanceProfile). Whoever may make one can put any role trusting EC2 in it.
import type { ActionSet } from './action-set.js';
import type { ActionExpander } from './pattern.js';

/** May put any role in an instance profile of its own (iam:CreateInstanceProfile and iam:AddRoleToInstanceProfile). */
export function makesInstanceProfiles(allowed: ActionSet, expander: ActionExpander): boolean {
  const ids = ['iam:CreateInstanceProfile', 'iam:AddRoleToInstanceProfile'].map((a) => expander.catalog.lookup(a)?.id);
  return ids.every((id) => id !== undefined && allowed.has(id));
}
