import type { PolicyDocument } from './policy.js';

export type FixKind = 'replace-policy' | 'permissions-boundary' | 'trust-policy' | 'session-policy' | 'max-session-duration';

export interface PermissionCounts {
  readonly allowedActions: number;
  readonly destructiveActions: number;
  readonly escalationTechniques: number;
}

export interface Verification {
  /** true only when every check below passed. */
  readonly safe: boolean;
  readonly observedCallsChecked: number;
  /** Observed calls the new policy set would deny (must be empty for safe). */
  readonly observedCallsDenied: readonly string[];
  /** Destructive/escalation actions still allowed without the approval condition (must be empty). */
  readonly forbiddenStillAllowed: readonly string[];
  readonly notes: readonly string[];
}

export interface FixRenderings {
  readonly json: string;
  readonly terraform: string;
  readonly cli: string;
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
  /** Findings this fix resolves. */
  readonly resolves: readonly string[];
  readonly notes: readonly string[];
}
