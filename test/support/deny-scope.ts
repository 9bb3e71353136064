// The scope tests' agent with a Deny with NotResource (deny-not-resource-scope, -intersect): one
// role `kiro-agent` with the given inline policies, an optional boundary and SCPs, analysed through
// the real pipeline; its destructive-actions findings.
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import type { Finding } from '../../src/model/finding.js';
import { DEV, snapshot, trust, type AccountSpec, type Doc } from '../graph/accounts.js';
import { AGENT, table } from './tier-scope.js';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { grantScope, scopeVerdict } from '../../src/checks/scope.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { catalog } from '../../src/iam/catalog.js';
import { markersFrom } from '../../src/resources/markers.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false };

export const secret = (name: string) => `arn:aws:secretsmanager:us-east-1:${DEV}:secret:${name}`;
export const denyNot = (action: string | string[], notResource: string | string[], extra: Record<string, unknown> = {}) => ({ Effect: 'Deny', Action: action, NotResource: notResource, ...extra });
/** Every table but the agent's scratch tables. */
export const SCRATCH_ONLY = denyNot('dynamodb:DeleteTable', table('kiro-scratch-*'));

export const agent = (inline: Doc[], extra: { boundary?: Doc; scps?: Doc[] } = {}): AccountSpec => ({
  roles: [{ name: 'kiro-agent', trust: trust({ Service: 'ec2.amazonaws.com' }), tags: { 'ai-agent': 'true' }, inline, ...(extra.boundary ? { boundary: 'cap' } : {}) }],
  ...(extra.boundary ? { policies: { cap: extra.boundary } } : {}),
  ...(extra.scps ? { scps: extra.scps } : {}),
});

/** The agent's findings, through the real analysis (no fixes). */
export function findings(spec: AccountSpec): Finding[] {
  return analyzeSnapshots([snapshot(spec)], defaultConfig(), opts).flatMap((a) => a.report.findings).filter((f) => f.principalArn === AGENT);
}
export const destructive = (spec: AccountSpec) => findings(spec).filter((f) => f.checkId === 'destructive-actions' && f.subject === 'destructive');

/**
 * Session 42: what the effective stage drops as allowed nowhere for the agent (absent: nothing),
 * and what the checks' scope would say of `actions` if asked anyway (grantScope and scopeVerdict
 * directly; the checks only see it where the effective stage could not prove it, e.g. a policy
 * variable).
 */
export function nowhereOf(spec: AccountSpec) {
  const snap = snapshot(spec);
  const expander = new ActionExpander(catalog());
  const a = analyzePrincipals(snap, defaultConfig(), expander, NOW).find((x) => x.principal.arn === AGENT)!;
  return a.effective.nowhere;
}
export function scopeAnyway(spec: AccountSpec, actions: string[]) {
  const snap = snapshot(spec);
  const expander = new ActionExpander(catalog());
  const p = snap.principals.find((x) => x.arn === AGENT)!;
  const s = grantScope(expander, p, actions, { ...(snap.scps ? { scps: snap.scps } : {}), markers: markersFrom(undefined) });
  return { scope: s, verdict: scopeVerdict(s) };
}
