import { describe, expect, it } from 'vitest';
import { exportView, liveCounts } from '../../src/tui/export.js';
import { buildReport, KIRO_ARN } from './support.js';

const filter = { query: '', agentsOnly: false, minSeverity: undefined };

describe('exportView', () => {
  const report = buildReport();

  it('overview: counts, riskiest agents and what leash could not see', () => {
    const e = exportView(report, { screen: 'overview' }, filter);
    expect(e.name).toBe('leash-111122223333-overview');
    expect(e.json).toMatchObject({ view: 'overview', findingsBySeverity: { critical: 1, high: 2, medium: 1, low: 1, info: 0, suppressed: 0 } });
    expect(e.markdown).toContain('**kiro-agent** (risk 92) — CRITICAL kiro-agent can run 4 destructive actions without approval');
    expect(e.markdown).toContain('- SCPs were not collected');
    expect(e.markdown).toContain('error (cloudtrail-file): demo/cloudtrail/broken.json');
  });

  it('principals: exactly the filtered rows', () => {
    const e = exportView(report, { screen: 'principals' }, { ...filter, agentsOnly: true });
    expect((e.json as { principals: { name: string }[] }).principals.map((p) => p.name)).toEqual(['kiro-agent', 'claude-code-dev', 'orders-bedrock-agent']);
    expect(e.markdown).toContain('Filter: agents only.');
  });

  it('principal: evidence, findings with the granting statement, and fixes', () => {
    const e = exportView(report, { screen: 'principal', arn: KIRO_ARN }, filter);
    expect(e.name).toBe('leash-111122223333-kiro-agent');
    expect(e.markdown).toContain('### CRITICAL kiro-agent can run 4 destructive actions without approval');
    expect(e.markdown).toContain('- Statement[0] of AWS managed policy PowerUserAccess');
    expect(e.markdown).toContain('(local-config, high confidence)');
    expect(e.markdown).toContain('- Replace PowerUserAccess with observed-use policy (replace-policy, verified safe)');
  });

  it('fix: counts table, verification, a unified diff and the Terraform', () => {
    const e = exportView(report, { screen: 'fix', fixId: 'fix-kiro-replace' }, filter);
    expect(e.markdown).toContain('| destructive actions | 412 | 0 |');
    expect(e.markdown).toContain('Verification: safe — 11 observed calls checked.');
    const diff = e.markdown.split('```diff\n')[1]!.split('\n```')[0]!.split('\n');
    expect(diff).toContain('-      "NotAction": [');
    expect(diff).toContain('+      "Sid": "ObservedUse",');
    expect(diff.every((l) => /^[ +-]/.test(l))).toBe(true);
    expect(e.markdown).toContain('data "aws_iam_policy_document" "kiro_agent"');
  });

  it('fix not safe: lists why', () => {
    const e = exportView(report, { screen: 'fix', fixId: 'fix-claude-boundary' }, filter);
    expect(e.markdown).toContain('Verification: NOT safe');
    expect(e.markdown).toContain('- would deny observed call s3:PutObject');
  });

  it('liveCounts leaves suppressed findings out of the severity counts', () => {
    const findings = report.findings.map((f) => (f.severity === 'critical' ? { ...f, suppressed: { reason: 'x' } } : f));
    expect(liveCounts({ ...report, findings })).toMatchObject({ critical: 0, suppressed: 1 });
  });
});
