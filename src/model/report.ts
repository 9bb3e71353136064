// The published contract (reports/schema/report.schema.json describes the JSON form).
import type { GraphPath, HopCondition, GraphSummary } from './graph.js';
import type { AgentDecision, AgentEvidence, AgentKind } from './agent.js';
import type { ScanError, SourceInfo } from './errors.js';
import type { Finding, Severity } from './finding.js';
import type { Fix } from './fix.js';
import type { PrincipalKind } from './snapshot.js';

// 1.5.0: a fix's boundary may be `shared` (named from its content, written once under fixes/boundaries/).
// 1.6.0: report.json refers to more repeated values in `texts` (principals' permission lists, policies
// and agent evidence; the graph's hop actions and why, reach powers and paths) and says the most common
// firstSeen once (firstSeenDefault); readers put both back (src/report/documents.ts).
// 1.7.0: principals carry IAM's unique id (`uniqueId`: AIDA…/AROA…); the delta names principals
// renamed (same unique id, new ARN) and recreated (same ARN, new unique id).
// 1.8.0: a fix's verification says when it checked observed calls on a sample of their resources (`sampled`).
// 1.9.0: a principal's usage names its most recent sessions (`sessions`: name, source identity, the AI tools their user agents match), for containing one.
// 1.10.0: a fix's target names the principal's own policies the export names but does not hold (`keepsPolicies`).
// 1.11.0: the graph's reach names what a principal gains by where, not what (`widened`: held itself only on named resources, on every resource by something it reaches).
// 1.12.0: a source and error kind `organizations-membership` (a live scan of one account asks DescribeOrganization which organization it is in).
// 1.13.0: a principal's actions its layers leave on no resource, dropped from its permissions and named (`permissions.allowedNowhere`).
export const REPORT_SCHEMA_VERSION = '1.13.0';

export interface Coverage {
  /** Was IAM (authorization details) read completely? */
  readonly iam: 'complete' | 'partial' | 'missing';
  /** Usage data: none, or the window it spans and how many principals it covers. */
  readonly usage: {
    readonly status: 'none' | 'partial' | 'complete';
    readonly window?: { readonly start: string; readonly end: string };
    readonly coveredPrincipals: number;
    readonly recordsRead: number;
    readonly unmappedEvents: number;
  };
  readonly scps: 'evaluated' | 'not-collected';
  /** The resource inventory read, when one was (absent: no --inventory, --resources or demo). */
  readonly inventory?: InventoryCoverage;
  /** Things leash did not look at, said plainly. */
  readonly notes: readonly string[];
}

export interface InventoryCoverage {
  /** partial: some source or region could not be read, or a resource or policy in it was bad. */
  readonly status: 'complete' | 'partial';
  readonly resources: number;
  /** Resources per type (RESOURCE_TYPES). */
  readonly byType: Readonly<Record<string, number>>;
  readonly withPolicy: number;
  /** Resources whose resource-based policy could not be read: unknown, not absent. */
  readonly policyUnknown: number;
  /** Resource control policies read with the inventory (evaluating them is the analysis' part). */
  readonly rcps: 'collected' | 'not-collected';
}

export interface PrincipalBaselineSummary {
  /** observed | declared | observed+declared | none (no coverage, no profile: unknown, not unused). */
  readonly basis: 'observed' | 'declared' | 'observed+declared' | 'none';
  readonly covered: boolean;
  readonly grantedActions: number;
  readonly neededActions: number;
  readonly unusedActions?: number;
  readonly unusedServices?: readonly string[];
  readonly excessPercent?: number;
}

/** One resource of a principal's blast radius, as the report keeps it (schema 1.3.0). */
export interface BlastResourceReport {
  readonly arn: string;
  readonly type: string;
  readonly name: string;
  readonly environment: 'production' | 'non-production' | 'unknown';
  /** delete, destructive, read: what it can do to it. */
  readonly kinds: readonly string[];
  /** Up to eight of the actions. */
  readonly actions: readonly string[];
  /** none, or only behind an approval / an unknown condition (the least conditional of its grants). */
  readonly condition: HopCondition;
  /** The principal it acts as (absent: itself), and the path to it. */
  readonly through?: string;
  readonly path?: GraphPath;
}

/** Blast radius by name (schema 1.3.0; present when an inventory was read): what a principal can delete, change or read. */
export interface PrincipalBlastReport {
  readonly count: number;
  readonly production: number;
  /** Resource type → resources and production resources it can act on. */
  readonly byType: Readonly<Record<string, { readonly count: number; readonly production: number }>>;
  /** A sample, production first (50 for agents, 10 for others). */
  readonly resources: readonly BlastResourceReport[];
}

export interface PrincipalReport {
  readonly arn: string;
  readonly kind: PrincipalKind;
  readonly name: string;
  /**
   * IAM's unique id (RoleId `AROA…`, UserId `AIDA…`; schema 1.7.0), when the source gave one. It
   * survives a user's rename (UpdateUser) and changes when a principal is deleted and made again
   * under the same name: what the diff matches principals by.
   */
  readonly uniqueId?: string;
  readonly isAgent: boolean;
  /** Present exactly when isAgent (schema 1.2): what kind of agent principal it is. */
  readonly agentKind?: AgentKind;
  readonly agentEvidence: readonly AgentEvidence[];
  /** Which evidence decided isAgent, and why (schema 1.2.0; present when there is evidence). */
  readonly agentDecision?: AgentDecision;
  readonly riskScore: number;
  readonly permissions: {
    readonly allowedActionCount: number;
    readonly destructiveActions: readonly string[];
    readonly escalationTechniques: readonly string[];
    /** Service prefix → allowed action count, for granted-vs-used views. */
    readonly byService: Readonly<Record<string, number>>;
    /**
     * Schema 1.13.0: actions its Allow layers (identity, boundary, SCP levels) and Denies with
     * NotResource allow by action but leave on no resource, so not counted above; and why (at most
     * 100, catalog order). Absent: none.
     */
    readonly allowedNowhere?: readonly { readonly action: string; readonly why: string }[];
  };
  readonly policies: readonly { readonly kind: string; readonly name: string; readonly arn?: string }[];
  /** Blast radius by name, when an inventory was read (schema 1.3.0). */
  readonly blast?: PrincipalBlastReport;
  readonly boundaryArn?: string;
  readonly trustPolicy?: unknown;
  readonly usage?: {
    readonly actionsUsed: number;
    /** Service prefix → distinct actions used */
    readonly byService: Readonly<Record<string, number>>;
    readonly userAgents: readonly string[];
    readonly lastSeen?: string;
    /** Observed actions, most used first (at most 200): the "used" side of granted vs used. */
    readonly actions?: readonly { readonly action: string; readonly count: number; readonly lastSeen: string }[];
    /** Actions attempted but refused (AccessDenied): tried, not needed-and-granted. */
    readonly deniedActions?: readonly string[];
    /** Schema 1.9.0: its most recent sessions (at most 10), which `leash contain` can stop one by one. */
    readonly sessions?: readonly SessionSummary[];
  };
  readonly baseline?: PrincipalBaselineSummary;
}

/** One session of a principal as CloudTrail showed it (schema 1.9.0). */
export interface SessionSummary {
  /** Role session name (for a user's temporary credentials there is none). */
  readonly name?: string;
  readonly sourceIdentity?: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly events: number;
  /** AI tools the session's user agents name (registry and config signatures of high or medium confidence; a weak match is in agentEvidence only). */
  readonly tools?: readonly string[];
}

export interface ReportDelta {
  readonly previousScanId: string;
  readonly newFindings: readonly string[];
  readonly resolvedFindings: readonly string[];
  readonly changedFindings: readonly string[];
  readonly principalsAdded: readonly string[];
  readonly principalsRemoved: readonly string[];
  readonly permissionGrowth: readonly { readonly arn: string; readonly before: number; readonly after: number }[];
  /** Schema 1.7.0, present when not empty: principals whose ARN changed, same unique id (a renamed user); their findings carry over. */
  readonly principalsRenamed?: readonly { readonly uniqueId: string; readonly from: string; readonly to: string }[];
  /** Schema 1.7.0, present when not empty: ARNs now held by a different principal (deleted and made again under the same name). */
  readonly principalsRecreated?: readonly string[];
}

export interface Report {
  readonly schemaVersion: string;
  readonly tool: { readonly name: 'leash'; readonly version: string };
  readonly scan: {
    readonly id: string;
    readonly startedAt: string;
    readonly finishedAt: string;
    readonly account: { readonly id: string; readonly alias?: string };
    readonly sources: readonly SourceInfo[];
    readonly coverage: Coverage;
  };
  readonly summary: {
    readonly principals: number;
    readonly agentPrincipals: number;
    readonly findingsBySeverity: Readonly<Record<Severity, number>>;
    readonly suppressedFindings: number;
  };
  readonly principals: readonly PrincipalReport[];
  readonly findings: readonly Finding[];
  readonly fixes: readonly Fix[];
  readonly checks: readonly { readonly id: string; readonly title: string; readonly severity: Severity; readonly rationale: string; readonly references: readonly string[] }[];
  readonly unmappedEvents?: readonly { readonly eventSource: string; readonly eventName: string; readonly count: number; readonly reason: string }[];
  /**
   * Calls whose user agent carries an agent-framework or MCP marker that no registry signature
   * knows ("unrecognised agent tooling"), at most 50 (schema 1.2.0).
   */
  readonly unrecognisedAgentTooling?: readonly { readonly principalArn: string; readonly userAgent: string; readonly detail: string }[];
  readonly delta?: ReportDelta;
  /** Who can become whom (schema 1.2): edges out of this account's principals, and each one's reach. */
  readonly graph?: GraphSummary;
  /**
   * Schema 1.3, report.json only: each distinct policy document or evidence statement once, keyed
   * `sha256:<32 hex>`; principals' trustPolicy, evidence statements and fixes' before/after there
   * may be `{ "$doc": key }`. Readers resolve on load (src/report/documents.ts), so a Report in
   * memory never holds references and has no table.
   */
  readonly documents?: Readonly<Record<string, unknown>>;
  readonly errors: readonly ScanError[];
}
