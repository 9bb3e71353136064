import type { AgentEvidence, AgentKind } from '../model/agent.js';
import type { Finding, Severity } from '../model/finding.js';
import type { Principal, Snapshot } from '../model/snapshot.js';
import type { PrincipalUsage } from '../model/usage.js';
import type { LeashConfig } from '../config/config.js';
import type { EffectivePermissions } from '../iam/effective.js';
import type { ActionExpander } from '../iam/pattern.js';
import type { AccessGraph } from '../graph/index.js';
import type { EvidenceIndex } from './evidence.js';

export interface EscalationHit {
  readonly techniqueId: string;
  readonly name: string;
  readonly severity: 'critical' | 'high';
  /** Reachable only when some condition holds (e.g. an approval condition). */
  readonly conditional: boolean;
  /** The allowed actions that satisfy the technique's requirements. */
  readonly actions: readonly string[];
  /** PassRole techniques: roles it may pass that can do more than it can (examples, up to three). */
  readonly passableRoles?: readonly string[];
  readonly description: string;
  readonly references: readonly string[];
}

/** A principal with everything the checks need, computed once. */
export interface AnalyzedPrincipal {
  readonly principal: Principal;
  readonly effective: EffectivePermissions;
  /** An administrator (graph/power.ts isAdminSet): at least 99 % of all actions on every resource unconditionally, one IAM policy write among them. */
  readonly isAdmin: boolean;
  readonly allowedCount: number;
  readonly agentEvidence: readonly AgentEvidence[];
  readonly isAgent: boolean;
  /** Set exactly when isAgent: an agent principal, or an engineer's session an AI tool drives. */
  readonly agentKind?: AgentKind;
  /** An engineer's own session role (IAM Identity Center permission set). */
  readonly humanSession: boolean;
  readonly destructive: { readonly unconditional: readonly string[]; readonly conditional: readonly string[] };
  readonly escalation: readonly EscalationHit[];
  readonly usage?: PrincipalUsage;
}

export interface CheckContext {
  readonly snapshot: Snapshot;
  /** Who can become whom (absent when a caller analyses principals without it). */
  readonly graph?: AccessGraph;
  readonly principals: readonly AnalyzedPrincipal[];
  readonly config: LeashConfig;
  readonly expander: ActionExpander;
  readonly now: Date;
  /**
   * Per-principal work shared by the checks' statement evidence (which statements apply to a
   * principal, their sets): runChecks makes one per run when the caller gives none, and it goes
   * with the run. Evidence without it is the same, worked out per finding.
   */
  readonly evidence?: EvidenceIndex;
}

/** A finding as a check reports it; runChecks adds the stable id, the check id and fix links. */
export type FindingDraft = Omit<Finding, 'id' | 'checkId' | 'fixIds' | 'suppressed'>;

export interface Check {
  readonly id: string;
  readonly title: string;
  /** The highest severity the check reports. */
  readonly severity: Severity;
  readonly rationale: string;
  readonly references: readonly string[];
  run(ctx: CheckContext): FindingDraft[];
}

export const defineCheck = (c: Check): Check => c;
