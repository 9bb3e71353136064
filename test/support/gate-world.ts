// Session 44: the gate worlds of session 43 (test/fix/reach-guards-approval-gate.test.ts) under a
// chosen configuration: kiro-agent trusted by its account (a human can assume it with MFA, so its
// approval is meetable), dynamodb:* and sts:AssumeRole on the named roles; its fixes planned
// through the real analysis, then applied to the export and the account scanned again.
import { expect } from 'vitest';
import { analyzeSnapshots } from '../../src/pipeline/scan.js';
import { configSchema, type LeashConfig } from '../../src/config/config.js';
import type { Fix } from '../../src/model/fix.js';
import type { PolicyDocument, Statement } from '../../src/model/policy.js';
import { DEV, allow, snapshot, trust, type AccountSpec } from '../graph/accounts.js';
import { AGENT, account, agentUsage, table, withAgentFixApplied } from './tier-scope.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: true };
export const GET_ORDERS = { action: 'dynamodb:GetItem', resources: [table('orders')] };
/** The agent's own delete, with no table named: the right-sized policy keeps it on every table, the boundary gates it. */
export const DELETE = { action: 'dynamodb:DeleteTable' };
export type Used = { action: string; resources?: string[] };

/** A configuration from its YAML/JSON form (the schema's defaults for the rest). */
export const configOf = (raw: unknown = {}): LeashConfig => configSchema.parse(raw);
/** resources.approvalOnlyForProduction on: the approval deny tests aws:ResourceTag/env (the first default tag key). */
export const PRODUCTION_ONLY = configOf({ resources: { approvalOnlyForProduction: true } });

/** kiro-agent trusted by its account (mfa-present is meetable), dynamodb:* and sts:AssumeRole on the roles. */
export function gatedWorld(roles: Record<string, unknown[]>, more: Parameters<typeof account>[2] = {}): AccountSpec {
  const spec = account([allow('dynamodb:*')], roles, more);
  spec.roles![0]!.trust = trust({ AWS: DEV });
  return spec;
}

export interface Planned { agentFixes: readonly Fix[]; boundary: Fix; deny: Statement | undefined; gate: Statement | undefined; notes: readonly string[] }

export function plan(spec: AccountSpec, config: LeashConfig, used: Used[] = [GET_ORDERS, DELETE]): Planned {
  const [a] = analyzeSnapshots([{ ...snapshot(spec), usage: agentUsage(used) }], config, opts);
  const agentFixes = a!.report.fixes.filter((f) => f.principalArn === AGENT);
  const boundary = agentFixes.find((f) => f.kind === 'permissions-boundary');
  expect(boundary, 'the agent gets a boundary fix').toBeDefined();
  const st = docOf(boundary!).statements;
  return { agentFixes, boundary: boundary!, deny: st.find((s) => s.sid === 'NoUnusedRoleHops'), gate: st.find((s) => s.sid === 'GatedRoleHops'), notes: boundary!.notes };
}
export const docOf = (f: Fix) => f.after as unknown as PolicyDocument;
/** The notes that say a role is a way around the approval. */
export const skipNotes = (p: Planned) => p.notes.filter((n) => n.includes('with no approval'));

/**
 * The export with the agent's fixes applied, scanned again: the agent's assume edge to `role`
 * ('none': the agent alone takes it; 'approval': only with a human; undefined: no edge) and
 * whether it holds its own DeleteTable with no approval somewhere / on every table.
 */
export function afterApplying(spec: AccountSpec, p: Planned, config: LeashConfig): { hop: (role: string) => string | undefined; deletesUngated: boolean; deletesEverywhere: boolean } {
  const [a] = analyzeSnapshots([snapshot(withAgentFixApplied(spec, p.agentFixes, p.boundary))], config, { ...opts, fixes: false });
  const g = a!.graph;
  const node = g.node(AGENT)!;
  const id = g.built.expander.catalog.lookup('dynamodb:DeleteTable')!.id;
  const hop = (role: string) => (g.built.out[node.index] ?? []).find((e) => e.technique === 'sts-assume-permissive-role' && e.to === role)?.condition;
  return { hop, deletesUngated: node.power.unconditional.has(id), deletesEverywhere: node.power.allResources.has(id) };
}

export function without(p: Planned, sid: string): Planned {
  const d = docOf(p.boundary);
  return { ...p, boundary: { ...p.boundary, after: { ...d, statements: d.statements.filter((s) => s.sid !== sid) } } as Fix };
}
