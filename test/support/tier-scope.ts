// The widening worlds of sessions 37–38: an agent (kiro-agent, tagged ai-agent) that may assume
// each named role, its own statements and each role's as given, read through the real export
// normaliser (test/graph/accounts.ts). Shared by the checks', the reach summary's and the fix
// stage's tests, so all three are asked about the same accounts.
import { DEV, allow, arn, doc, trust, type AccountSpec, type Doc } from '../graph/accounts.js';
import type { UsageData, ActionUsage } from '../../src/model/usage.js';
import type { Fix } from '../../src/model/fix.js';
import { policyToJson } from '../../src/iam/parse.js';

export const AGENT = arn(DEV, 'role', 'kiro-agent');
export const table = (name: string) => `arn:aws:dynamodb:us-east-1:${DEV}:table/${name}`;
export const TYPE_WIDE = 'arn:aws:dynamodb:*:*:table/*';
export const deleteTable = (resource: string | string[], condition?: unknown) => allow('dynamodb:DeleteTable', resource, condition);
/** mfa-present's Allow condition (src/data/approval-conditions.json), leash's default approval: a grant under it is approval-gated. */
export const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };

/** The hub worlds (sessions 39–40): the agent may assume `hub`, hub may assume `deploy`; the agent deletes its scratch tables only. */
export const HUB = arn(DEV, 'role', 'hub');
export const DEPLOY = arn(DEV, 'role', 'deploy');
export const SCRATCH = table('kiro-scratch-*');
/** The agent's own observed delete, of one scratch table. */
export const USED = { action: 'dynamodb:DeleteTable', resources: [table('kiro-scratch-1')] };

export interface RoleOpts { boundary?: string; managed?: string[] }

/** The agent may assume each named role (by ARN); each role trusts the account and holds its inline statements. */
export function account(own: unknown[], roles: Record<string, unknown[]>, more: { roleOpts?: Record<string, RoleOpts>; policies?: Record<string, Doc>; extraRoles?: AccountSpec['roles']; assume?: unknown } = {}): AccountSpec {
  const assume = more.assume ?? allow('sts:AssumeRole', Object.keys(roles).map((r) => arn(DEV, 'role', r)));
  return {
    roles: [
      { name: 'kiro-agent', trust: trust({ Service: 'ec2.amazonaws.com' }), tags: { 'ai-agent': 'true' }, inline: [doc(assume, ...own)] },
      ...Object.entries(roles).map(([name, st]) => ({ name, trust: trust({ AWS: DEV }), inline: st.length > 0 ? [doc(...st)] : [], ...(more.roleOpts?.[name] ?? {}) })),
      ...(more.extraRoles ?? []),
    ],
    ...(more.policies ? { policies: more.policies } : {}),
  };
}

/** CloudTrail covering every principal for 90 days, the agent's own calls as given (usage-based fixes need it). */
export function agentUsage(actions: { action: string; resources?: string[] }[]): UsageData {
  const used = actions.map((a): ActionUsage => ({ action: a.action, count: 5, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T09:00:00Z', resources: a.resources ?? [] }));
  return {
    window: { start: '2026-08-26T00:00:00Z', end: '2026-11-24T00:00:00Z' }, coveredPrincipals: 'all', recordsRead: 100, dataEventsRead: 40, unmapped: [],
    byPrincipal: { [AGENT]: { principalArn: AGENT, actions: used, sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' } },
  };
}

/**
 * The account as a reviewer leaves it after applying kiro-agent's fix: its right-sized policy as
 * its only inline policy and its planned boundary attached (sessions 42–43 scan this again).
 */
export function withAgentFixApplied(spec: AccountSpec, agentFixes: readonly Fix[], boundary: Fix): AccountSpec {
  const rightSized = agentFixes.find((f) => f.kind === 'replace-policy');
  if (!rightSized) throw new Error('no right-sized policy was planned for kiro-agent');
  const applied: AccountSpec = structuredClone(spec);
  const agent = applied.roles!.find((r) => r.name === 'kiro-agent')!;
  agent.inline = [policyToJson(rightSized.after as never) as Doc];
  agent.boundary = 'leash-boundary-kiro';
  applied.policies = { ...(applied.policies ?? {}), 'leash-boundary-kiro': policyToJson(boundary.after as never) as Doc };
  return applied;
}
