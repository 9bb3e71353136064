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
  | 'local-config';

export interface AgentEvidence {
  readonly kind: AgentEvidenceKind;
  /** Human-readable: what matched, where. Never a secret. */
  readonly detail: string;
  readonly confidence: Confidence;
  /** The AI tool or platform this points at, when known (e.g. "kiro", "amazon-q", "bedrock-agentcore"). */
  readonly tool?: string;
}

/**
 * The one definition of an agent principal, used by every output: a principal an AI agent acts
 * through. `agent-principal`: a role or user handed to an AI tool or platform. `ai-driven-human-session`:
 * an engineer's own session role (IAM Identity Center) that CloudTrail, local tool configs or
 * leash.config.yaml show an AI tool driving — the incident pattern.
 */
export type AgentKind = 'agent-principal' | 'ai-driven-human-session';
