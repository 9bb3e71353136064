// resources.approvalOnlyForProduction: the boundary's approval deny is limited to production-tagged
// resources (aws:ResourceTag), and the fix says so. Negative control: by default it is not.
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, collectSnapshot } from '../../src/pipeline/scan.js';
import { configSchema } from '../../src/config/config.js';
import { policyToJson } from '../../src/iam/parse.js';
import type { PolicyDocument } from '../../src/model/policy.js';

const NOW = new Date('2026-12-03T00:00:00Z');
const c = await collectSnapshot({ demo: true });

function kiroBoundary(resources: Record<string, unknown>) {
  const config = configSchema.parse({ ...c.config, resources });
  const [a] = analyzeSnapshots([c.snapshot], config, { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: true });
  const fix = a!.report.fixes.find((f) => f.principalArn.endsWith(':role/kiro-agent') && f.kind === 'permissions-boundary')!;
  const doc = fix.after as PolicyDocument;
  const st = doc.statements.find((s) => s.sid === 'NeedsApproval');
  return { fix, approval: st && (policyToJson({ ...doc, statements: [st] }).Statement as { Condition?: Record<string, Record<string, unknown>> }[])[0] };
}

describe('approval only for production resources', () => {
  it('adds aws:ResourceTag/env to the approval deny and states it in the fix notes', () => {
    const { fix, approval } = kiroBoundary({ approvalOnlyForProduction: true });
    expect(approval!.Condition!['StringEquals']!['aws:ResourceTag/env']).toEqual(['prod', 'production', 'prd', 'live']);
    expect(fix.notes.join(' ')).toContain('the approval deny applies only to resources tagged env=prod|production|prd|live');
  });
  it('negative control: by default the approval deny has no resource-tag condition and no such note', () => {
    const { fix, approval } = kiroBoundary({});
    expect(JSON.stringify(approval!.Condition ?? {})).not.toContain('aws:ResourceTag');
    expect(fix.notes.join(' ')).not.toContain('approvalOnlyForProduction');
  });
});
