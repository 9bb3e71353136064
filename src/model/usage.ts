// Observed use of permissions, from CloudTrail or service-last-accessed data.

export interface ActionUsage {
  /** Canonical IAM action, `service:ActionName` as the catalog spells it. */
  readonly action: string;
  /** Calls not refused by IAM (denied calls are in deniedCount only; count 0 = only ever denied). */
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** Resource ARNs seen for this action (bounded; `truncated` says when more were dropped). */
  readonly resources: readonly string[];
  readonly truncated?: boolean;
  /** Calls that failed with AccessDenied/Unauthorized: attempted, not needed-and-granted. */
  readonly deniedCount?: number;
}

export interface SessionUsage {
  readonly sessionName?: string;
  readonly sourceIdentity?: string;
  readonly userAgents: readonly string[];
  readonly sourceIps: readonly string[];
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly eventCount: number;
  /** Actions attempted in this session (granted or denied; bounded). */
  readonly actions?: readonly string[];
  /** Per user agent: events and actions in this session (bounded), so agent-driven calls can be told from human ones. */
  readonly userAgentActivity?: readonly { readonly userAgent: string; readonly events: number; readonly actions: readonly string[] }[];
}

export interface PrincipalUsage {
  readonly principalArn: string;
  readonly actions: readonly ActionUsage[];
  readonly sessions: readonly SessionUsage[];
  /** userAgent → event count */
  readonly userAgents: Readonly<Record<string, number>>;
  readonly sourceIps: readonly string[];
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** Services seen only at service level (service-last-accessed without action detail). */
  readonly servicesOnly?: readonly string[];
  /** Sessions not kept because the per-principal bound was reached (their events still count). */
  readonly sessionsDropped?: number;
}

export interface UnmappedEvent {
  readonly eventSource: string;
  readonly eventName: string;
  readonly count: number;
  readonly reason: string;
}

export interface UsageData {
  /** The time span the usage sources cover (earliest..latest event / report window). */
  readonly window: { readonly start: string; readonly end: string };
  readonly byPrincipal: Readonly<Record<string, PrincipalUsage>>;
  /**
   * Principals whose activity the sources cover for the whole window. Only for these is a
   * granted-but-unseen permission "unused"; for the rest it is unknown.
   */
  readonly coveredPrincipals: 'all' | readonly string[];
  readonly recordsRead: number;
  /**
   * CloudTrail data events among the records read (S3 object calls, Lambda invokes, DynamoDB item
   * calls…). Zero or absent: the trail logged management events only, so data-plane actions are
   * unknown, not unused.
   */
  readonly dataEventsRead?: number;
  readonly unmapped: readonly UnmappedEvent[];
  /** Records not attributed to an account principal (AWS service calls, service events), by reason. */
  readonly unattributed?: readonly { readonly reason: string; readonly count: number }[];
}
