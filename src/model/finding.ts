import type { PolicyOrigin, Statement } from './policy.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Higher is worse; used for sorting and `--fail-on`. */
export const severityRank: Readonly<Record<Severity, number>> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

/** Which statement of which policy grants (or shows) what a finding is about. */
export interface StatementEvidence {
  readonly kind: 'statement';
  readonly policy: PolicyOrigin;
  readonly statementIndex: number;
  readonly sid?: string;
  /** The statement as written in the policy (AWS JSON shape), for display. */
  readonly statement: unknown;
  /** Actions of the finding this statement grants. */
  readonly grants?: readonly string[];
}

export interface AttributeEvidence {
  readonly kind: 'attribute';
  /** e.g. "MaxSessionDuration", "RoleLastUsed", "PermissionsBoundary" */
  readonly name: string;
  readonly value: string;
}

export interface UsageEvidence {
  readonly kind: 'usage';
  readonly detail: string;
  readonly events?: number;
}

export type Evidence = StatementEvidence | AttributeEvidence | UsageEvidence;

export interface Suppression {
  readonly reason: string;
  readonly by?: string;
  readonly until?: string;
}

/** A resource a finding is about, by name (schema 1.3.0; present when an inventory was read). */
export interface FindingResource {
  readonly arn: string;
  readonly type: string;
  readonly name: string;
  readonly account: string;
  readonly environment: 'production' | 'non-production' | 'unknown';
  /** The actions of the finding allowed on it. */
  readonly actions: readonly string[];
  /** The principal it is reached through (absent: the finding's principal itself). */
  readonly through?: string;
  /** Who gets it, for exposure findings: an account id, `*` (anyone), or a service principal. */
  readonly grantee?: string;
}

export interface Finding {
  /** Stable across scans: hash of checkId, principal ARN and subject. */
  readonly id: string;
  readonly checkId: string;
  readonly severity: Severity;
  readonly principalArn: string;
  readonly title: string;
  readonly description: string;
  /** What the finding is about within the principal (an action group, a technique id, a statement…). */
  readonly subject: string;
  readonly evidence: readonly Evidence[];
  readonly actions: readonly string[];
  readonly technique?: string;
  readonly remediation?: string;
  /**
   * Fixes to open from this finding: those that resolve it (Fix.resolves), and on a principal's
   * worst finding also any of its fixes that resolves none of its findings.
   */
  fixIds: string[];
  suppressed?: Suppression;
  /** Resources named by the finding, at most 50 (schema 1.3.0; only when an inventory was read). */
  readonly resources?: readonly FindingResource[];
  /** Start of the earliest scan of this account's history that reported it (set when the scan is written). */
  readonly firstSeen?: string;
}

export type { Statement };
