// The scope tests' agent with a Deny with NotResource (deny-not-resource-scope, -intersect): one
// role `kiro-agent` with the given inline policies, an optional boundary and SCPs, analysed through
// the real pipeline; its destructive-actions findings.
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import type { Finding } from '../../src/model/finding.js';
import { DEV, snapshot, trust, type AccountSpec, type Doc } from '../graph/accounts.js';
import { AGENT, table } from './tier-scope.js';

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
