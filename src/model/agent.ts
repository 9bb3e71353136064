export type Confidence = 'high' | 'medium' | 'low';

export type AgentEvidenceKind =
  | 'trust-service-principal'
  | 'name-pattern'
  | 'path-pattern'
  | 'tag'
  | 'declared'
  | 'cloudtrail-user-agent'
  | 'cloudtrail-session-name'
  | 'cloudtrail-source-identity'
  | 'local-config'
  /** A user agent with an agent-framework or MCP marker no registry signature knows (schema 1.2.0). */
  | 'unrecognised-agent-tooling';

export interface AgentEvidence {
  readonly kind: AgentEvidenceKind;
  /** Human-readable: what matched, where. Never a secret. */
  readonly detail: string;
  readonly confidence: Confidence;
  /** The AI tool or platform this points at, when known (e.g. "kiro", "amazon-q", "bedrock-agentcore"). */
  readonly tool?: string;
  /** The registry signature or rule that matched (ids in src/data/agents/ai-tools.json; schema 1.2.0). */
  readonly signature?: string;
  /** Why this evidence earns its confidence (schema 1.2.0). */
  readonly why?: string;
  /** For unrecognised agent tooling: the user agent (sanitised, at most 256 characters; schema 1.2.0). */
  readonly userAgent?: string;
}

/** Which evidence made a principal an agent (or not), and why (schema 1.2.0). */
export interface AgentDecision {
  readonly verdict: 'agent' | 'not-agent' | 'human-session';
  /** Indexes into agentEvidence of the evidence that decided. */
  readonly decidedBy: readonly number[];
  readonly reason: string;
}

/**
 * The one definition of an agent principal, used by every output: a principal an AI agent acts
 * through. `agent-principal`: a role or user handed to an AI tool or platform. `ai-driven-human-session`:
 * an engineer's own session role (IAM Identity Center) that CloudTrail, local tool configs or
 * leash.config.yaml show an AI tool driving — the incident pattern.
 */
export type AgentKind = 'agent-principal' | 'ai-driven-human-session';
