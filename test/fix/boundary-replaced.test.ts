// A reviewer's pass (session 33): setting leash's boundary replaces the one in place (a principal
// has one), and the fix folder never said which (the demo's mcp-cost-explorer-readonly loses
// agent-readonly-boundary without a word). Worse, when the export names a boundary it does not
// hold (a filtered export), the replacement was planned without its scope and called verified
// while allowing more than today: a boundary of s3:GetObject became s3:Get*, s3:List*, s3:PutObject*.
import { describe, expect, it } from 'vitest';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { computeNeeded } from '../../src/baseline/needed.js';
import { defaultConfig } from '../../src/config/config.js';
import { planFixes } from '../../src/fix/plan.js';
import { catalog } from '../../src/iam/catalog.js';
import { evaluate } from '../../src/iam/evaluate.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import type { UsageData } from '../../src/model/usage.js';
import { IamExportBuilder, allow, policy } from '../support/iam-export-builder.js';
import { snapshotFromExport } from '../support/privesc-run.js';

const ACCOUNT = '111122223333';
const expander = new ActionExpander(catalog());
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/old-boundary`;

function plan(opts: { boundary: 'none' | 'present' | 'missing' }) {
  const b = new IamExportBuilder(ACCOUNT);
  const ba = opts.boundary === 'none' ? undefined : b.customerPolicy('old-boundary', policy(allow('s3:GetObject', '*')));
  const arn = b.role('agent', {
    trust: policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }),
    inline: { p: policy(allow(['s3:*', 'ec2:*'], '*')) }, tags: { 'ai-agent': 'true' }, ...(ba ? { boundary: ba } : {}),
  });
  const e = b.build();
  if (opts.boundary === 'missing') e.Policies = e.Policies.filter((x) => x.Arn !== BOUNDARY);
  const usage: UsageData = {
    window: { start: '2026-10-24T00:00:00Z', end: '2026-11-23T23:59:59Z' }, coveredPrincipals: 'all', recordsRead: 1, unmapped: [],
    byPrincipal: { [arn]: { principalArn: arn, sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z',
      actions: [{ action: 's3:GetObject', resources: ['arn:aws:s3:::b/k'], count: 3, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' }] } },
  };
  const s = { ...snapshotFromExport(e, 'x.json', { now: new Date('2026-11-24T12:00:00Z') }), usage };
  const config = defaultConfig();
  const a = analyzePrincipals(s, config, expander).find((x) => x.principal.arn === arn)!;
  return planFixes(a, computeNeeded(a, s.usage, config, expander), s, config, expander, ['f1']).fixes;
}
const kind = (fixes: ReturnType<typeof plan>, k: string) => fixes.find((f) => f.kind === k)!;

describe('a boundary fix says which boundary it replaces', () => {
  it('names the current boundary in its notes', () => {
    const f = kind(plan({ boundary: 'present' }), 'permissions-boundary');
    expect(f.notes.join(' ')).toContain(`Replaces the current permissions boundary ${BOUNDARY}`);
    expect(f.verification.status).toBe('verified');
  });
  it('control: a principal without a boundary gets no such note', () => {
    expect(kind(plan({ boundary: 'none' }), 'permissions-boundary').notes.join(' ')).not.toContain('Replaces the current permissions boundary');
  });
});

describe('a boundary the export names but does not hold: the replacement is not called safe', () => {
  it('the boundary fix and the right-sized policy applied with it are not-safe, and say why', () => {
    const fixes = plan({ boundary: 'missing' });
    // What makes it unsafe: the replacement lets through a read the current boundary (s3:GetObject only) refuses.
    const after = kind(fixes, 'permissions-boundary').after as PolicyDocument;
    expect(evaluate({ action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: { values: {}, closedWorld: true } }, { identity: [after] }).decision).toBe('Allowed');
    for (const k of ['permissions-boundary', 'replace-policy']) {
      const v = kind(fixes, k).verification;
      expect(v.safe, k).toBe(false);
      expect(v.status, k).toBe('not-safe');
      expect(v.summary, k).toContain(`the current permissions boundary ${BOUNDARY} is not in the export`);
    }
  });
  it('control: the same boundary present in the export keeps the replacement inside it, verified', () => {
    const fixes = plan({ boundary: 'present' });
    const after = kind(fixes, 'permissions-boundary').after as PolicyDocument;
    expect(evaluate({ action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: { values: {}, closedWorld: true } }, { identity: [after] }).decision).not.toBe('Allowed');
    for (const k of ['permissions-boundary', 'replace-policy']) expect(kind(fixes, k).verification.status, k).toBe('verified');
  });
});
