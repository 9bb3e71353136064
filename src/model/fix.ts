import type { PolicyDocument } from './policy.js';

export type FixKind = 'replace-policy' | 'permissions-boundary' | 'trust-policy' | 'session-policy' | 'max-session-duration';

export interface PermissionCounts {
  readonly allowedActions: number;
  readonly destructiveActions: number;
  readonly escalationTechniques: number;
}

export interface Verification {
  /** true only when no check below failed (a fix with nothing to check is safe but `unverified`). */
  readonly safe: boolean;
  /**
   * Schema 1.2. verified: observed calls were re-checked and none is denied; unverified: there were
   * no observed calls (or sessions) to check it against; not-safe: some check failed.
   */
  readonly status?: 'verified' | 'unverified' | 'not-safe';
  /** Schema 1.2. Exactly what was checked, in one sentence ("N observed calls still allowed; M become approval-gated (…); none denied" or "K denied, so not safe to apply as is (…)"). */
  readonly summary?: string;
  readonly observedCallsChecked: number;
  /** Schema 1.2. Observed calls (distinct action and resource) still allowed as before. */
  readonly observedCallsAllowed?: number;
  /** Schema 1.2. Observed calls that now need the approval condition (which the principal can meet). */
  readonly observedCallsGated?: readonly string[];
  /** Schema 1.2. Observed destructive/escalation calls denied outright on purpose: the principal cannot meet the approval condition. */
  readonly observedCallsDeniedByDesign?: readonly string[];
  /** Observed calls the new policy set would deny (must be empty for safe). */
  readonly observedCallsDenied: readonly string[];
  /** Destructive/escalation actions still allowed without the approval condition (must be empty). */
  readonly forbiddenStillAllowed: readonly string[];
  /**
   * Schema 1.8.0. Present only when observed calls were checked on a sample of their resources:
   * CloudTrail showed these actions on more resources than the usage keeps (its bound, 50 per
   * action by default), so each was checked on the `resourcesPerAction` (at most) it kept.
   */
  readonly sampled?: { readonly actions: readonly string[]; readonly resourcesPerAction: number };
  readonly notes: readonly string[];
}

export interface FixRenderings {
  readonly json: string;
  readonly terraform: string;
  readonly cli: string;
}

export type ActionDecision = 'kept' | 'gated' | 'removed';
export type ActionReasonCode =
  // kept
  | 'observed' | 'declared' | 'service-evidence' | 'data-event-unknown' | 'read-sibling' | 'not-restricted'
  // removed (or, for destructive/escalation, gated)
  | 'unused' | 'not-declared' | 'destructive' | 'escalation' | 'sensitive-read' | 'guardrail' | 'deny-wildcard';

/** Why one action is kept, gated behind approval or removed by a fix (schema 1.2). */
export interface ActionReason {
  readonly action: string;
  readonly decision: ActionDecision;
  readonly reason: ActionReasonCode;
  /** e.g. "12 times, last on 2026-11-20"; "declared in profile read-only-observability". */
  readonly detail?: string;
}

/** Actions of one service that share a decision, a reason and its detail (kept compact: a fix can touch thousands). */
export interface ReasonGroup {
  readonly decision: ActionDecision;
  readonly reason: ActionReasonCode;
  readonly detail?: string;
  readonly actions: readonly string[];
}

/** One service's actions in a fix: counts, and every action in exactly one group (or in `rest`). */
export interface ServiceReasons {
  readonly service: string;
  readonly kept: number;
  readonly gated: number;
  readonly removed: number;
  readonly groups: readonly ReasonGroup[];
  /** Many actions with one decision and reason, counted rather than listed (a boundary that caps nothing keeps "every other action"). */
  readonly rest?: { readonly decision: ActionDecision; readonly reason: ActionReasonCode; readonly detail: string; readonly count: number };
}

export interface Fix {
  readonly id: string;
  readonly kind: FixKind;
  readonly principalArn: string;
  readonly title: string;
  readonly description: string;
  readonly before?: PolicyDocument | readonly PolicyDocument[] | number;
  readonly after: PolicyDocument | readonly PolicyDocument[] | number;
  readonly countsBefore?: PermissionCounts;
  readonly countsAfter?: PermissionCounts;
  readonly renderings: FixRenderings;
  readonly verification: Verification;
  /** Schema 1.2: every action the fix touches, by service, with why it is kept, gated or removed. */
  readonly actionReasons?: readonly ServiceReasons[];
  /** Schema 1.2: what the fix applies to when not the IAM principal itself (an Identity Center permission set). */
  readonly target?: { readonly kind: 'iam-principal' | 'identity-center-permission-set'; readonly name: string; readonly instanceArn?: string; readonly permissionSetArn?: string };
  /** Findings this fix resolves: by the finding's check, only what a fix of this kind can close (fix/plan.ts linkFixes). */
  readonly resolves: readonly string[];
  readonly notes: readonly string[];
}
