import { describe, expect, it } from 'vitest';
import { agentEvidenceFor, isAgent } from '../../src/agents/identify.js';
import { defaultConfig } from '../../src/config/config.js';
import type { Role } from '../../src/model/snapshot.js';
import type { AgentEvidence } from '../../src/model/agent.js';
import { doc, snapshotOf } from '../support/snapshot.js';

function role(name: string, trustStatement: Record<string, unknown>): Role {
  const p = snapshotOf([{ name, trust: doc(trustStatement) }]).principals[0]!;
  if (p.kind !== 'role') throw new Error('expected a role');
  return p;
}
const bedrock = (condition?: Record<string, unknown>) => ({ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole', ...(condition ? { Condition: condition } : {}) });
const trustEvidence = (r: Role) => agentEvidenceFor(r, defaultConfig()).filter((e) => e.kind === 'trust-service-principal');

describe('trust-policy evidence for Bedrock service roles', () => {
  it('a role Bedrock assumes for an agent (aws:SourceArn agent/…) is an agent with high confidence', () => {
    const r = role('orders-runtime', bedrock({ StringEquals: { 'aws:SourceAccount': '111122223333' }, ArnLike: { 'aws:SourceArn': 'arn:aws:bedrock:us-east-1:111122223333:agent/*' } }));
    const ev = trustEvidence(r);
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ confidence: 'high', tool: 'bedrock-agents' });
    expect(ev[0]!.detail).toContain('agent/*');
    expect(isAgent(agentEvidenceFor(r, defaultConfig()))).toBe(true);
  });

  it('a knowledge-base or batch-inference service role is no agent', () => {
    for (const arn of ['arn:aws:bedrock:us-east-1:111122223333:knowledge-base/*', 'arn:aws:bedrock:us-east-1:111122223333:model-invocation-job/*']) {
      const r = role('kb-service', bedrock({ ArnLike: { 'aws:SourceArn': arn } }));
      expect(trustEvidence(r), arn).toEqual([]);
      expect(isAgent(agentEvidenceFor(r, defaultConfig())), arn).toBe(false);
    }
  });

  it('without aws:SourceArn the role may serve an agent or not: medium, still counted as an agent', () => {
    const ev = trustEvidence(role('bedrock-role', bedrock()));
    expect(ev).toEqual([expect.objectContaining({ confidence: 'medium', tool: 'bedrock-agents' })]);
  });

  it('one knowledge base and one agent in aws:SourceArn: the agent decides', () => {
    const r = role('mixed', bedrock({ ArnLike: { 'aws:SourceArn': ['arn:aws:bedrock:us-east-1:111122223333:knowledge-base/*', 'arn:aws:bedrock:us-east-1:111122223333:agent/ABC'] } }));
    expect(trustEvidence(r)).toEqual([expect.objectContaining({ confidence: 'high' })]);
  });

  it('other agent platforms keep their rule: bedrock-agentcore is high', () => {
    const r = role('runtime', { Effect: 'Allow', Principal: { Service: 'bedrock-agentcore.amazonaws.com' }, Action: 'sts:AssumeRole' });
    expect(trustEvidence(r)).toEqual([expect.objectContaining({ confidence: 'high', tool: 'bedrock-agentcore' })]);
  });
});

describe('name patterns on IAM users that read like people', () => {
  const user = (name: string) => {
    const s = snapshotOf([]);
    return { ...s, principals: [{ kind: 'user' as const, arn: `arn:aws:iam::111122223333:user/${name}`, id: 'AIDAX', name, path: '/', tags: {}, policies: [], unresolvedPolicyArns: [], groups: [] }] }.principals[0]!;
  };
  it('claude.dupont and claude@example.com are weak evidence, not an agent on their own', () => {
    for (const name of ['claude.dupont', 'Claude_Martin', 'claude@example.com']) {
      const ev = agentEvidenceFor(user(name), defaultConfig());
      expect(ev, name).toEqual([expect.objectContaining({ kind: 'name-pattern', confidence: 'low', tool: 'claude-code' })]);
      expect(isAgent(ev), name).toBe(false);
    }
  });
  it('tool-style user names decide; cursor, an everyday word, is weak and needs a second, independent signal', () => {
    for (const name of ['claude-code-ci', 'kiro_agent_2']) expect(isAgent(agentEvidenceFor(user(name), defaultConfig())), name).toBe(true);
    const ev = agentEvidenceFor(user('cursor-ci-bot'), defaultConfig());
    expect(ev.map((e) => [e.tool, e.confidence])).toEqual([['cursor', 'low']]);
    expect(isAgent(ev)).toBe(false);
    const ua: AgentEvidence = { kind: 'cloudtrail-user-agent', detail: 'user agent matched ai-sdk-amazon-bedrock', confidence: 'low', tool: 'ai-sdk' };
    expect(isAgent([...ev, ua])).toBe(true);
  });
});
