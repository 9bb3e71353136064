// leash's judgement lists (destructive actions, escalation techniques, approval conditions),
// loaded from src/data once and validated, because a typo in a hand-edited JSON file would
// otherwise surface as a check that silently matches nothing.
import { z } from 'zod';
import destructiveJson from '../data/destructive-actions.json' with { type: 'json' };
import escalationJson from '../data/escalation-techniques.json' with { type: 'json' };
import approvalJson from '../data/approval-conditions.json' with { type: 'json' };
import { InputError, jsonPath } from '../model/errors.js';
import type { ConditionBlock } from '../model/policy.js';

export const DESTRUCTIVE_CATEGORIES = ['environment', 'compute', 'data', 'network', 'recovery', 'guardrail', 'identity'] as const;
export type DestructiveCategory = (typeof DESTRUCTIVE_CATEGORIES)[number];

export const ESCALATION_CATEGORIES = ['self-escalation', 'principal-access', 'new-passrole', 'existing-passrole', 'credential-access'] as const;
export type EscalationCategory = (typeof ESCALATION_CATEGORIES)[number];

export interface DestructiveAction {
  /** `service:Action` exactly as the catalog spells it; never a wildcard. */
  readonly action: string;
  readonly category: DestructiveCategory;
  readonly why: string;
}

export interface Technique {
  /** Stable kebab-case id; findings and suppressions refer to it. */
  readonly id: string;
  readonly name: string;
  readonly category: EscalationCategory;
  readonly description: string;
  /** Every group must be allowed; within a group any one action suffices. */
  readonly requires: readonly (readonly string[])[];
  /**
   * For iam:PassRole techniques: the service principals the passed role must trust for the
   * service to act as it. The technique needs a role it can pass that trusts one of them.
   */
  readonly passedTo?: readonly string[] | undefined;
  /** Actions that make the technique easier but are not needed. */
  readonly optional: readonly string[];
  readonly severity: 'critical' | 'high';
  readonly references: readonly string[];
  /** DataDog pathfinding.cloud path ids this technique covers (may be empty). */
  readonly pathfinding: readonly string[];
}

export interface NotCoveredPath {
  readonly pathfinding: string;
  readonly why: string;
}

export interface ApprovalGuard {
  readonly where: 'trust-policy' | 'permissions-boundary' | 'identity-policy' | 'scp';
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly condition?: ConditionBlock;
  readonly why: string;
}

export interface ApprovalCondition {
  readonly id: string;
  /** 'approval' proves a human was involved; 'channel' only restricts the path a request takes. */
  readonly kind: 'approval' | 'channel';
  readonly description: string;
  /** The Condition block under which the action is allowed (the approval holds). */
  readonly condition: ConditionBlock;
  /** The complement, for a Deny statement: true whenever the approval does not hold. */
  readonly denyWhen: ConditionBlock;
  readonly caveats: string;
  /** Statements elsewhere that stop the agent from granting itself the approval. */
  readonly guards: readonly ApprovalGuard[];
}

export interface ApprovalConditions {
  readonly source: string;
  readonly default: string;
  readonly conditions: readonly ApprovalCondition[];
}

const nonEmpty = z.string().trim().min(1);
// Exact action names only: a wildcard here would silently widen every deny leash generates.
const actionName = z.string().regex(/^[A-Za-z0-9-]+:[A-Za-z0-9]+$/, 'service:Action with no wildcard');
const kebabId = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'kebab-case id');
const httpsUrl = z.string().regex(/^https:\/\/\S+$/, 'https URL');
const conditionBlock = z.record(z.string().min(1), z.record(z.string().min(1), z.array(z.string()).min(1))).refine((b) => Object.keys(b).length > 0, 'at least one operator');

const destructiveSchema = z.object({
  source: nonEmpty,
  description: nonEmpty,
  actions: z.array(z.object({ action: actionName, category: z.enum(DESTRUCTIVE_CATEGORIES), why: nonEmpty }).strict()).min(1),
});

const techniqueSchema = z.object({
  id: kebabId,
  name: nonEmpty,
  category: z.enum(ESCALATION_CATEGORIES),
  description: nonEmpty,
  requires: z.array(z.array(actionName).min(1)).min(1),
  passedTo: z.array(z.string().regex(/^[a-z0-9.-]+\.amazonaws\.com$/, 'a service principal such as lambda.amazonaws.com')).min(1).optional(),
  optional: z.array(actionName),
  severity: z.enum(['critical', 'high']),
  references: z.array(httpsUrl).min(1),
  pathfinding: z.array(z.string().regex(/^[a-z0-9]+-\d{3}$/, 'pathfinding id such as iam-001')),
}).strict();

const escalationSchema = z.object({
  source: nonEmpty,
  semantics: nonEmpty,
  techniques: z.array(techniqueSchema).min(1),
  notCovered: z.array(z.object({ pathfinding: nonEmpty, why: nonEmpty }).strict()),
});

const approvalSchema = z.object({
  source: nonEmpty,
  description: nonEmpty,
  default: kebabId,
  conditions: z.array(z.object({
    id: kebabId,
    kind: z.enum(['approval', 'channel']),
    description: nonEmpty,
    condition: conditionBlock,
    denyWhen: conditionBlock,
    caveats: nonEmpty,
    guards: z.array(z.object({
      where: z.enum(['trust-policy', 'permissions-boundary', 'identity-policy', 'scp']),
      effect: z.enum(['Allow', 'Deny']),
      actions: z.array(actionName).min(1),
      condition: conditionBlock.optional(),
      why: nonEmpty,
    }).strict()),
  }).strict()).min(1),
});


function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, file: string): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new InputError(file, jsonPath(issue.path), issue.message, describe(valueAt(input, issue.path)));
}

function firstDuplicate(keys: readonly string[]): number {
  const seen = new Set<string>();
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!.toLowerCase();
    if (seen.has(k)) return i;
    seen.add(k);
  }
  return -1;
}

const DESTRUCTIVE_FILE = 'src/data/destructive-actions.json';
const ESCALATION_FILE = 'src/data/escalation-techniques.json';
const APPROVAL_FILE = 'src/data/approval-conditions.json';

/** Validate a destructive-actions document (exported for tests and for user-supplied overrides). */
export function parseDestructiveActions(input: unknown, file = DESTRUCTIVE_FILE): readonly DestructiveAction[] {
  const doc = parseOrThrow(destructiveSchema, input, file);
  const dup = firstDuplicate(doc.actions.map((a) => a.action));
  if (dup >= 0) throw new InputError(file, `$.actions[${dup}].action`, 'each action listed once', doc.actions[dup]!.action);
  return Object.freeze(doc.actions.map((a) => Object.freeze(a)));
}

export function parseEscalationTechniques(input: unknown, file = ESCALATION_FILE): { readonly techniques: readonly Technique[]; readonly notCovered: readonly NotCoveredPath[] } {
  const doc = parseOrThrow(escalationSchema, input, file);
  const dup = firstDuplicate(doc.techniques.map((t) => t.id));
  if (dup >= 0) throw new InputError(file, `$.techniques[${dup}].id`, 'a unique technique id', doc.techniques[dup]!.id);
  const cited = new Set(doc.techniques.flatMap((t) => t.pathfinding));
  const both = doc.notCovered.findIndex((n) => cited.has(n.pathfinding));
  if (both >= 0) throw new InputError(file, `$.notCovered[${both}].pathfinding`, 'a path no technique cites', doc.notCovered[both]!.pathfinding);
  return Object.freeze({ techniques: Object.freeze(doc.techniques.map((t) => Object.freeze(t))), notCovered: Object.freeze(doc.notCovered) });
}

export function parseApprovalConditions(input: unknown, file = APPROVAL_FILE): ApprovalConditions {
  const doc = parseOrThrow(approvalSchema, input, file);
  const dup = firstDuplicate(doc.conditions.map((c) => c.id));
  if (dup >= 0) throw new InputError(file, `$.conditions[${dup}].id`, 'a unique condition id', doc.conditions[dup]!.id);
  const def = doc.conditions.find((c) => c.id === doc.default);
  if (!def) throw new InputError(file, '$.default', `one of the condition ids (${doc.conditions.map((c) => c.id).join(', ')})`, doc.default);
  // A channel restriction never proves a human approved anything, so it cannot be the default.
  if (def.kind !== 'approval') throw new InputError(file, '$.default', 'a condition of kind "approval"', `${def.id} (kind ${def.kind})`);
  const conditions = doc.conditions.map((c): ApprovalCondition => Object.freeze({
    ...c,
    guards: Object.freeze(c.guards.map(({ condition, ...g }): ApprovalGuard => Object.freeze(condition ? { ...g, condition } : g))),
  }));
  return Object.freeze({ source: doc.source, default: doc.default, conditions: Object.freeze(conditions) });
}

let destructiveCache: readonly DestructiveAction[] | undefined;
let escalationCache: ReturnType<typeof parseEscalationTechniques> | undefined;
let approvalCache: ApprovalConditions | undefined;

/** The destructive-action list, validated on first use. */
export function destructiveActions(): readonly DestructiveAction[] {
  destructiveCache ??= parseDestructiveActions(destructiveJson);
  return destructiveCache;
}

/** The escalation-technique catalog, validated on first use. */
export function escalationTechniques(): readonly Technique[] {
  escalationCache ??= parseEscalationTechniques(escalationJson);
  return escalationCache.techniques;
}

/** pathfinding.cloud paths deliberately left without a technique, with the reason. */
export function uncoveredPathfindingPaths(): readonly NotCoveredPath[] {
  escalationCache ??= parseEscalationTechniques(escalationJson);
  return escalationCache.notCovered;
}

/** The approval conditions, validated on first use. */
export function approvalConditions(): ApprovalConditions {
  approvalCache ??= parseApprovalConditions(approvalJson);
  return approvalCache;
}

/** An approval condition by id, or the default one when the id is unknown or not given. */
export function approvalCondition(id?: string): ApprovalCondition {
  const a = approvalConditions();
  return a.conditions.find((c) => c.id === id) ?? a.conditions.find((c) => c.id === a.default)!;
}

let destructiveIndex: ReadonlyMap<string, DestructiveAction> | undefined;
/** The list entry for an exact action name (case-insensitive, as IAM action names are). */
export function destructiveAction(action: string): DestructiveAction | undefined {
  destructiveIndex ??= new Map(destructiveActions().map((d) => [d.action.toLowerCase(), d]));
  return destructiveIndex.get(action.toLowerCase());
}

/**
 * Whether a technique's requirements are met, given which actions are allowed: every group needs
 * at least one allowed action. Returns the allowed action chosen for each group, or undefined.
 */
export function techniqueSatisfied(t: Technique, isAllowed: (action: string) => boolean): readonly string[] | undefined {
  const chosen: string[] = [];
  for (const group of t.requires) {
    const hit = group.find(isAllowed);
    if (hit === undefined) return undefined;
    chosen.push(hit);
  }
  return chosen;
}
