// Which escalation techniques the graph judges, and how: a technique counts only where an edge
// of it leads somewhere that gives more (target-aware), not because its actions are allowed.
import { escalationTechniques } from '../checks/data.js';
import carriersJson from '../data/compute-carriers.json' with { type: 'json' };
import { ActionSet } from '../iam/action-set.js';
import type { ActionExpander } from '../iam/pattern.js';

/** Techniques whose hop is an edge of the graph under the same id. */
const EDGE = new Set<string>([
  'sts-assume-permissive-role',
  'iam-create-access-key', 'iam-create-login-profile', 'iam-update-login-profile', 'iam-update-assume-role-policy',
  'iam-put-role-policy', 'iam-attach-role-policy', 'iam-put-user-policy', 'iam-attach-user-policy',
  'iam-put-group-policy', 'iam-attach-group-policy', 'iam-add-user-to-group',
  'iam-create-policy-version', 'iam-set-default-policy-version', 'iam-remove-permissions-boundary',
  'iam-create-role-with-policy', 'iam-create-user-with-policy',
  ...Object.keys(carriersJson.carriers),
]);

/** Two-leg techniques: edit another principal, then act as it (the graph has the edit only when it can). */
const EDIT_OTHER = new Set(['iam-modify-role-then-assume', 'iam-modify-role-and-trust', 'iam-modify-user-then-take-credentials']);
const EDIT_TECHNIQUES = new Set(['iam-put-role-policy', 'iam-attach-role-policy', 'iam-put-user-policy', 'iam-attach-user-policy', 'iam-create-policy-version', 'iam-put-group-policy', 'iam-attach-group-policy', 'iam-add-user-to-group']);

export type GraphJudgement =
  | { readonly kind: 'edge'; readonly match: (edgeTechnique: string) => boolean; readonly otherOnly: boolean }
  | undefined;

let passRole: Set<string> | undefined;

/** How the graph judges a technique; undefined when it does not (credential reads, AssumeRoot). */
export function graphJudgement(techniqueId: string): GraphJudgement {
  passRole ??= new Set(escalationTechniques().filter((t) => t.passedTo).map((t) => t.id));
  if (EDGE.has(techniqueId) || passRole.has(techniqueId)) return { kind: 'edge', match: (t) => t === techniqueId, otherOnly: false };
  if (EDIT_OTHER.has(techniqueId)) return { kind: 'edge', match: (t) => EDIT_TECHNIQUES.has(t), otherOnly: true };
  return undefined;
}

const followedCache = new WeakMap<ActionExpander, ActionSet>();

/**
 * The IAM and STS actions of the techniques the graph judges (escalation-techniques.json): where
 * one applies is what the graph's edges already follow (which roles it assumes or passes, which
 * policies and users it edits), each to the power of what it reaches. A tier that asked where
 * they apply as well would count the same reach twice (session 37).
 */
export function followedActions(expander: ActionExpander): ActionSet {
  let s = followedCache.get(expander);
  if (!s) {
    const keys = escalationTechniques().filter((t) => graphJudgement(t.id) !== undefined).flatMap((t) => t.requires.flat()).filter((k) => /^(iam|sts):/i.test(k));
    followedCache.set(expander, (s = ActionSet.of(expander.size, keys.map((k) => expander.catalog.lookup(k)?.id).filter((x): x is number => x !== undefined))));
  }
  return s;
}
