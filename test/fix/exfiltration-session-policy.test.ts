// Session 31 left the session-policy fix credited with no resource-policy read it caps (the
// resource evaluator's caller had no session layer). AWS: a resource policy naming the role's ARN
// grants "before the session is created" and the session policy limits it; one naming the role
// session's ARN (or anyone, "*") is not limited by it (IAM User Guide, "Session policies",
// access_policies.html#policies_session). Each case runs the whole analysis (checks with the
// inventory, the access graph, fixes linked to findings).
//
// The secret's policy grants secretsmanager:GetSecretValue, which the agent used (so the fix gates
// it) and which the data-exfiltration check lists. With the approval deny for production
// resources only, the boundary lets the agent read this untagged secret with no approval; the
// session policy leaves gated actions out. So only the session layer can close the read.
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import type { ActionUsage, UsageData } from '../../src/model/usage.js';
import { ACCOUNT, doc, snapshotOf } from '../support/snapshot.js';
import { resource } from '../resources/world.js';

const NOW = new Date('2026-11-24T12:00:00Z');
const NAME = 'data-agent';
const ARN = `arn:aws:iam::${ACCOUNT}:role/${NAME}`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/${NAME}/tool-session`;
const use = (action: string, resources: string[]): ActionUsage => ({ action, count: 5, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T09:00:00Z', resources });

function run(principal: unknown) {
  const used = resource('secretsmanager:secret', 'app/config', ACCOUNT);
  const target = resource('secretsmanager:secret', 'orders/db', ACCOUNT, { policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] } });
  const usage: UsageData = {
    window: { start: '2026-08-26T00:00:00Z', end: '2026-11-24T00:00:00Z' }, coveredPrincipals: 'all', recordsRead: 100, dataEventsRead: 40, unmapped: [],
    byPrincipal: { [ARN]: { principalArn: ARN, actions: [use('secretsmanager:GetSecretValue', [used.arn])], sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' } },
  };
  const identity = doc({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: [used.arn, target.arn] });
  const snapshot = snapshotOf([{ name: NAME, inline: [identity], tags: { 'ai-agent': 'true' } }], {}, { usage, inventory: { resources: [used, target], sources: [], errors: [] } });
  const config = { ...defaultConfig(), baseline: { ...defaultConfig().baseline, mode: 'strict' as const }, resources: { ...defaultConfig().resources, approvalOnlyForProduction: true } };
  const [a] = analyzeSnapshots([snapshot], config, { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: true });
  const finding = a!.report.findings.find((f) => f.principalArn === ARN && f.checkId === 'data-exfiltration' && f.subject === 'exfiltration-named');
  const fix = (kind: string) => a!.report.fixes.find((f) => f.principalArn === ARN && f.kind === kind)!;
  return { finding, session: fix('session-policy'), boundary: fix('permissions-boundary'), replace: fix('replace-policy') };
}
const noted = (notes: readonly string[]) => notes.some((n) => n.includes('resource policies of orders/db') && n.includes('secretsmanager:GetSecretValue'));

describe('a session-policy fix and the resource-policy reads it caps', () => {
  it('the secret policy names the role ARN: the session policy caps the read, so that fix claims the finding; the boundary does not cap it and does not', () => {
    const r = run({ AWS: ARN });
    expect(r.finding).toBeDefined();
    expect(r.finding!.resources!.map((x) => x.name)).toContain('orders/db');
    expect(r.session.resolves).toContain(r.finding!.id);
    expect(noted(r.session.notes)).toBe(false);
    expect(r.boundary.resolves).not.toContain(r.finding!.id);
    expect(r.replace.resolves).not.toContain(r.finding!.id);
  });

  it('control: it names the role session ARN: not limited by the session policy, so the finding stays open and the note names the secret', () => {
    const r = run({ AWS: SESSION });
    expect(r.finding).toBeDefined();
    expect(r.session.resolves).not.toContain(r.finding!.id);
    expect(noted(r.session.notes)).toBe(true);
  });

  it('control: Principal "*" names the session itself: the same', () => {
    const r = run('*');
    expect(r.finding).toBeDefined();
    expect(r.session.resolves).not.toContain(r.finding!.id);
    expect(noted(r.session.notes)).toBe(true);
  });
});
