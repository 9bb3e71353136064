// The access graph: who can act as whom. A node is a principal (or a principal in a state it can
// be put in: its policies rewritten, its boundary removed), an outside principal (another
// account, an identity provider, anyone), or a shared hop ("any role that trusts Lambda").
// An edge A → B means "A can act as B", with the technique and the evidence on both sides.

export type NodeKind =
  | 'user'
  | 'role'
  /**
   * A principal whose identity policies someone can rewrite: its power is its ceiling (boundary ∩
   * SCPs); or, id ending `#elevated+unbounded`, rewritten and its boundary removed too (SCPs only);
   * `#elevated+boundary:<policy ARN>`, rewritten and capped by that named policy instead.
   */
  | 'elevated'
  /** A principal whose permissions boundary someone can remove or replace (`#boundary:<policy ARN>`: by that named policy). */
  | 'unbounded'
  /** A user added to a group it is not in. */
  | 'joined'
  /** Another account's root (its principals, as far as their own policies allow). */
  | 'account'
  | 'federated'
  | 'anyone'
  /** A shared hop: every role a service may be handed, or compute of a service may already carry. */
  | 'hub';

/** The order in which power is compared (issue 9): first differing tier wins; counts never decide. */
export const POWER_TIERS = ['admin', 'iam-write', 'destructive', 'credential-access', 'data-read', 'other'] as const;
export type PowerTier = (typeof POWER_TIERS)[number];

export interface PowerSummary {
  readonly admin: boolean;
  /** Counts of actions allowed without approval, per tier (data-read: on every resource). */
  readonly iamWrite: number;
  readonly destructive: number;
  readonly credentialAccess: number;
  readonly dataRead: number;
  readonly total: number;
}

/** none: holds as written; approval: only behind a human-approval condition; unknown: a condition leash cannot settle. */
export type HopCondition = 'none' | 'approval' | 'unknown';

/**
 * proven: the target exists and the hop reaches it (a role, a user, an instance profile);
 * inferred: compute of the service may carry the role, but leash has no inventory to prove one does.
 */
export type HopTarget = 'proven' | 'inferred';

export interface HopEvidence {
  readonly side: 'identity' | 'trust' | 'boundary' | 'scp';
  /** The principal or role whose policy it is. */
  readonly principalArn: string;
  readonly policy: string;
  readonly statementIndex: number;
  readonly sid?: string;
  /** The existing resource the statement was decided on (a function or stack the hop goes through; src/graph/carriers.ts). */
  readonly resource?: string;
}

export interface GraphNode {
  readonly id: string;
  readonly kind: NodeKind;
  /** The principal a user/role/elevated/unbounded/joined node stands for. */
  readonly principalArn?: string;
  readonly account?: string;
  readonly label: string;
  /** Nodes of a scanned account (outside principals and hubs are not). */
  readonly scanned: boolean;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** `assume-role`, `assume-role-with-web-identity`, `assume-role-with-saml`, or an escalation technique id. */
  readonly technique: string;
  readonly actions: readonly string[];
  readonly condition: HopCondition;
  readonly target: HopTarget;
  /** One line, for people. */
  readonly why: string;
  readonly evidence: readonly HopEvidence[];
}

/** One hop of a path as reports show it (hubs folded into the hop that uses them). */
export interface PathHop {
  readonly from: string;
  readonly to: string;
  readonly technique: string;
  readonly actions: readonly string[];
  readonly condition: HopCondition;
  readonly target: HopTarget;
  readonly why: string;
  readonly evidence: readonly HopEvidence[];
  /** The first tier in which the hop's target has power its source lacks (absent: it adds nothing that ranks). */
  readonly adds?: PowerTier;
}

export interface GraphPath {
  readonly from: string;
  readonly to: string;
  readonly hops: readonly PathHop[];
  /** The weakest hop decides: an approval or unknown condition, or an inferred target, anywhere on it. */
  readonly condition: HopCondition;
  readonly target: HopTarget;
}

/** What a principal can become, as report.json keeps it. */
export interface PrincipalReach {
  readonly principalArn: string;
  /** Principals (of any scanned account) it can act as, itself excluded. */
  readonly principals: number;
  readonly power: PowerSummary;
  /** Power of everything it reaches, itself included. */
  readonly reachPower: PowerSummary;
  /** The first tier it gains through others (absent: none). */
  readonly gains?: PowerTier;
  /**
   * Schema 1.11.0: ranked actions (IAM write, destructive, credential access) it holds itself only
   * on named resources and something it reaches holds on every resource (at most 20, catalog
   * order); `gains` counts them (absent: none).
   */
  readonly widened?: readonly string[];
  /** The shortest path to the most powerful principal it reaches (when it gains). */
  readonly path?: GraphPath;
}

export interface GraphSummary {
  readonly nodes: number;
  readonly edges: number;
  /** Edges between principals, hubs folded; the graph a reader can walk (`leash paths`, the TUI). */
  readonly hops: readonly PathHop[];
  /**
   * Schema 1.3: hops left out of report.json (src/report/stored-graph.ts). report.json keeps the
   * hops on shortest paths to an administrator or to the end of a reach path, and those that cross accounts; absent: every hop is there.
   */
  readonly hopsOmitted?: number;
  readonly reach: readonly PrincipalReach[];
  /** Accounts whose principals are in the graph. */
  readonly accounts: readonly string[];
  /** Nodes with administrator power that some hop leads to (so readers can ask "path to admin"). */
  readonly admins?: readonly string[];
  /** Labels of nodes that are not principals (states, hubs, outside principals), for display. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Searches that stopped at a bound: what the graph may be missing. */
  readonly limits?: readonly string[];
}
