// Known weakness (session 30): a named exfiltration read that a resource policy grants (a bucket
// policy naming the role) was not decided again after the fix, so the right-sized policy claimed
// the finding while the bucket's own policy kept it open. Each case runs the whole analysis
// (checks with the inventory, the access graph, fixes linked to findings), then decides the read
// again with leash's own resource evaluator on the fix's policies.
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import { catalog } from '../../src/iam/catalog.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { analyzeGraph } from '../../src/graph/index.js';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { resourceCaller } from '../../src/resources/blast.js';
import { decideOnResource } from '../../src/resources/evaluate.js';
import type { Caller } from '../../src/graph/request.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import type { ActionUsage, UsageData } from '../../src/model/usage.js';
import { ACCOUNT, doc, snapshotOf } from '../support/snapshot.js';
import { doc as resourceDoc, resource } from '../resources/world.js';

const NOW = new Date('2026-11-24T12:00:00Z');
const NAME = 'data-agent';
const ARN = `arn:aws:iam::${ACCOUNT}:role/${NAME}`;
// Names are data: one with an escape sequence must reach the note escaped.
const BUCKET = 'orders-export\u001b[31m';
const bucketArn = `arn:aws:s3:::${BUCKET}`;
const use = (action: string, resources: string[]): ActionUsage => ({ action, count: 5, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T09:00:00Z', resources });
const usage: UsageData = {
  window: { start: '2026-08-26T00:00:00Z', end: '2026-11-24T00:00:00Z' }, coveredPrincipals: 'all', recordsRead: 100, dataEventsRead: 40, unmapped: [],
  byPrincipal: { [ARN]: { principalArn: ARN, actions: [use('s3:ListBucket', ['arn:aws:s3:::reports'])], sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' } },
};
// The agent lists another bucket (observed) and may read this bucket's objects (never observed)
// through its identity policy; the bucket's policy may also name it. Strict mode: no read siblings,
// so the right-sized policy and the boundary allow s3:GetObject nowhere.
const identity = doc({ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::reports' }, { Effect: 'Allow', Action: 's3:GetObject', Resource: `${bucketArn}/*` });
// Principal "*" narrowed to the role by aws:PrincipalArn (a common form): the engine grants it with no
// identity Allow and no boundary cap (one naming the role ARN itself is capped by the boundary the fix sets).
const bucketPolicy = resourceDoc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${bucketArn}/*`, Condition: { ArnEquals: { 'aws:PrincipalArn': ARN } } });

function run(withResourcePolicy: boolean) {
  const bucket = resource('s3:bucket', BUCKET, ACCOUNT, withResourcePolicy ? { policy: bucketPolicy } : {});
  const snapshot = snapshotOf([{ name: NAME, inline: [identity], tags: { 'ai-agent': 'true' } }], {}, { usage, inventory: { resources: [bucket], sources: [], errors: [] } });
  const config = { ...defaultConfig(), baseline: { ...defaultConfig().baseline, mode: 'strict' as const } };
  const [a] = analyzeSnapshots([snapshot], config, { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: true });
  const finding = a!.report.findings.find((f) => f.principalArn === ARN && f.checkId === 'data-exfiltration' && f.subject === 'exfiltration-named');
  const fixes = a!.report.fixes.filter((f) => f.principalArn === ARN);
  const replace = fixes.find((f) => f.kind === 'replace-policy')!;
  const boundary = fixes.find((f) => f.kind === 'permissions-boundary')!;
  const readme = a!.fixPlans.find((p) => p.principalArn === ARN)!.readme;
  // The read decided again, independently of the planner: the fix's identity policies and boundary, the bucket's policy.
  const expander = new ActionExpander(catalog());
  const graph = analyzeGraph([{ snapshot, analyzed: analyzePrincipals(snapshot, config, expander, NOW) }], { expander, now: NOW });
  const node = graph.node(ARN)!;
  const ids = (Array.isArray(replace.after) ? replace.after : [replace.after]) as PolicyDocument[];
  const caller: Caller = { ...node.caller!, identity: { side: 'identity', docs: ids.map((document) => ({ name: 'fix', document })) }, boundary: { side: 'boundary', docs: [{ name: 'b', document: boundary.after as PolicyDocument }] } };
  const after = decideOnResource(resourceCaller({ ...node, caller })!, 's3:GetObject', `${bucketArn}/any-object`, bucket).decision;
  return { finding, replace, boundary, readme, after };
}

describe('a named read a resource policy grants is not claimed closed by an identity-side fix', () => {
  it('the bucket policy names the role: the read stays after the fix, no fix claims the finding, and the notes name the bucket (escaped)', () => {
    const r = run(true);
    expect(r.finding).toBeDefined();
    expect(r.after).toBe('Allowed');
    expect(r.replace.resolves).not.toContain(r.finding!.id);
    expect(r.boundary.resolves).not.toContain(r.finding!.id);
    const note = r.replace.notes.find((n) => n.includes('resource policies of'));
    expect(note).toContain('orders-export\\x1b[31m');
    expect(note).not.toContain('\u001b');
    expect(note).toContain('s3:GetObject');
    expect(r.readme).toContain('the resource policies of orders-export\\\\x1b\\[31m');
  });

  it('control: the same read granted only by the identity policy is closed by the right-sized policy, claimed, and no such note', () => {
    const r = run(false);
    expect(r.finding).toBeDefined();
    expect(r.after).toBe('ImplicitlyDenied');
    expect(r.replace.resolves).toContain(r.finding!.id);
    expect(r.replace.notes.join(' ')).not.toMatch(/resource policies of/);
    expect(r.readme).not.toMatch(/resource policies of/);
  });
});

