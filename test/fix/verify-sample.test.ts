// Audit (session 29): fix verification re-checks observed calls on the resources the usage kept,
// at most 50 per action; past that bound it was a sample, and neither the summary nor report.json
// said so. Now both do, and only then.
import { describe, expect, it } from 'vitest';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { defaultConfig } from '../../src/config/config.js';
import { computeNeeded } from '../../src/baseline/needed.js';
import { planFixes } from '../../src/fix/plan.js';
import { catalog } from '../../src/iam/catalog.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { ActionUsage, UsageData } from '../../src/model/usage.js';
import { ACCOUNT, doc, snapshotOf } from '../support/snapshot.js';

const expander = new ActionExpander(catalog());
const ARN = `arn:aws:iam::${ACCOUNT}:role/etl-agent`;
const objects = (n: number) => Array.from({ length: n }, (_, i) => `arn:aws:s3:::lake/part-${i}`);
const use = (action: string, resources: string[], truncated: boolean): ActionUsage => ({
  action, count: 900, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T09:00:00Z', resources, ...(truncated ? { truncated: true } : {}),
});

function replaceFix(actions: ActionUsage[]) {
  const usage: UsageData = {
    window: { start: '2026-08-26T00:00:00Z', end: '2026-11-24T00:00:00Z' }, coveredPrincipals: 'all', recordsRead: 1000, dataEventsRead: 900, unmapped: [],
    byPrincipal: { [ARN]: { principalArn: ARN, actions, sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' } },
  };
  const s = snapshotOf([{ name: 'etl-agent', inline: [doc({ Effect: 'Allow', Action: ['s3:*', 'sqs:*'], Resource: '*' })], tags: { 'ai-agent': 'true' } }], {}, { usage });
  const config = defaultConfig();
  const a = analyzePrincipals(s, config, expander).find((x) => x.principal.arn === ARN)!;
  const fixes = planFixes(a, computeNeeded(a, s.usage, config, expander), s, config, expander, []).fixes;
  return { replace: fixes.find((f) => f.kind === 'replace-policy')!, boundary: fixes.find((f) => f.kind === 'permissions-boundary')! };
}

describe('a verification over a sample of resources says it sampled', () => {
  it('an action whose resources were truncated by the usage bound: summary, notes and the structured field say so', () => {
    const { replace, boundary } = replaceFix([use('s3:GetObject', objects(50), true), use('s3:ListBucket', ['arn:aws:s3:::lake'], false)]);
    for (const v of [replace.verification, boundary.verification]) {
      expect(v.observedCallsChecked).toBe(51);
      expect(v.sampled).toEqual({ actions: ['s3:GetObject'], resourcesPerAction: 50 });
      expect(v.summary).toMatch(/; sampled: 1 action\(s\) checked on at most 50 of their resources each, CloudTrail showed more \(s3:GetObject\)$/);
      expect(v.notes.join(' ')).toMatch(/Checked on a sample: CloudTrail showed 1 action\(s\) \(s3:GetObject\) on more resources than the usage keeps/);
      expect(v.status).toBe('verified');
    }
  });

  it('the count is what was checked (a smaller bound checks fewer), and an action on no resource is never a sample', () => {
    const { replace } = replaceFix([use('s3:GetObject', objects(7), true), use('sqs:ListQueues', [], true)]);
    expect(replace.verification.sampled).toEqual({ actions: ['s3:GetObject'], resourcesPerAction: 7 });
  });

  it('negative control: every resource kept (not truncated), nothing extra is said', () => {
    const { replace } = replaceFix([use('s3:GetObject', objects(50), false), use('s3:ListBucket', ['arn:aws:s3:::lake'], false)]);
    expect(replace.verification.observedCallsChecked).toBe(51);
    expect(replace.verification).not.toHaveProperty('sampled');
    expect(replace.verification.summary).not.toMatch(/sample/);
    expect(replace.verification.notes.join(' ')).not.toMatch(/sample/);
  });
});
