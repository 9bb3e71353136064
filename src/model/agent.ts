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
