// Audit (session 29): the session policy's verification dropped the observed calls it leaves out
// (gated destructive/escalation actions) and said "none denied"; and session policies were written
// for principals nobody can pass one for (an IAM user, a role only an AWS service assumes).
import { describe, expect, it } from 'vitest';
import { runScanWithFixes } from '../../src/pipeline/scan.js';

const NOW = new Date('2026-11-24T00:00:00Z');

describe('session policies', () => {
  it('count the observed calls they leave out, by name; the other fixes check the same calls', async () => {
    const { report } = await runScanWithFixes({ demo: true, fixes: true, now: NOW });
    const kiro = report.principals.find((p) => p.name === 'kiro-agent')!;
    const fixes = report.fixes.filter((f) => f.principalArn === kiro.arn);
    const session = fixes.find((f) => f.kind === 'session-policy')!;
    const replace = fixes.find((f) => f.kind === 'replace-policy')!;
    expect(session.verification.observedCallsChecked).toBe(replace.verification.observedCallsChecked);
    const left = session.verification.observedCallsDeniedByDesign ?? [];
    expect(left.length).toBeGreaterThan(0);
    expect(left.some((c) => c.startsWith('lambda:UpdateFunctionConfiguration'))).toBe(true);
    expect(session.verification.summary).toMatch(/left out on purpose/);
    expect(session.verification.observedCallsDenied).toEqual([]);
    // Control: what it allows is still allowed.
    expect(session.verification.observedCallsAllowed).toBeGreaterThan(0);
  });

  it('are written only for roles people or their tools assume: not for an IAM user, not for a role only Bedrock assumes', async () => {
    const { report } = await runScanWithFixes({ demo: true, fixes: true, now: NOW });
    const kinds = (name: string) => report.fixes.filter((f) => f.principalArn === report.principals.find((p) => p.name === name)!.arn).map((f) => f.kind);
    expect(kinds('cursor-ci-bot')).not.toContain('session-policy');
    expect(kinds('AmazonBedrockExecutionRoleForAgents_orders')).not.toContain('session-policy');
    expect(kinds('kiro-agent')).toContain('session-policy'); // control
  });
});
