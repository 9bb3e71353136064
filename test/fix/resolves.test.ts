// Audit (session 29): a fix claimed findings its kind cannot close — a permissions boundary
// "resolved" a long-session-duration finding (Identity Center owns that session length), a trust
// policy "resolved" the principal's destructive-actions finding. A fix resolves only what its
// kind can change; a fix that resolves nothing is still opened from the principal's worst finding.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { demoDir, runScanWithFixes } from '../../src/pipeline/scan.js';
import { linkApprovalText } from '../../src/fix/render/readme.js';
import { approvalConditions } from '../../src/checks/data.js';

const NOW = new Date('2026-11-24T00:00:00Z');
const CAN_CLOSE: Record<string, readonly string[]> = {
  'trust-policy': ['trust-policy-too-broad', 'unused-agent-trust'],
  'max-session-duration': ['long-session-duration'],
};
const NEVER_BY_PERMISSIONS = ['long-session-duration', 'trust-policy-too-broad', 'unused-agent-trust', 'human-session-driven-by-agent'];

describe('what a fix resolves', () => {
  it('on the demo: every claim is one the fix\'s kind can make; every fix can still be opened from a finding', async () => {
    const { report } = await runScanWithFixes({ demo: true, fixes: true, now: NOW });
    const byId = new Map(report.findings.map((f) => [f.id, f]));
    let claims = 0;
    for (const fix of report.fixes) {
      for (const id of fix.resolves) {
        const f = byId.get(id)!;
        expect(f.principalArn, fix.id).toBe(fix.principalArn);
        const allowed = CAN_CLOSE[fix.kind];
        if (allowed) expect(allowed, `${fix.kind} claims ${f.checkId}`).toContain(f.checkId);
        else expect(NEVER_BY_PERMISSIONS, `${fix.kind} claims ${f.checkId}`).not.toContain(f.checkId);
        expect(f.fixIds).toContain(fix.id);
        claims++;
      }
      // A principal with findings opens each of its fixes from one (one without any lists them in its Fixes tab).
      if (report.findings.some((f) => f.principalArn === fix.principalArn)) expect(report.findings.some((f) => f.fixIds.includes(fix.id)), `${fix.id} opened from some finding`).toBe(true);
    }
    expect(claims).toBeGreaterThan(10);
    // The cases the audit found: the SSO admin role's boundary, kiro-agent's trust policy.
    const sso = report.principals.find((p) => p.name.startsWith('AWSReservedSSO_AdministratorAccess'))!;
    const ssoBoundary = report.fixes.find((x) => x.principalArn === sso.arn && x.kind === 'permissions-boundary')!;
    const claimed = ssoBoundary.resolves.map((id) => byId.get(id)!.checkId);
    expect(claimed).not.toContain('long-session-duration');
    expect(claimed).not.toContain('human-session-driven-by-agent');
    expect(claimed).toContain('destructive-actions'); // control: what a boundary does close
  });
});

describe('a boundary says what approval unlocks', () => {
  it('a capped boundary: the actions it did not use stay denied, only the ones it used need approval (counts agree with the document)', async () => {
    const { report } = await runScanWithFixes({ demo: true, fixes: true, now: NOW });
    const kiro = report.principals.find((p) => p.name === 'kiro-agent')!;
    const boundary = report.fixes.find((f) => f.principalArn === kiro.arn && f.kind === 'permissions-boundary')!;
    const m = /allows none of the (\d+) destructive and escalation actions it did not use, approval or not; the (\d+) it used needs? approval/.exec(boundary.description);
    expect(m, boundary.description).not.toBeNull();
    // The same count the verification gives for the observed destructive/escalation actions.
    const used = /(\d+) observed action\(s\) are destructive or escalation actions and now need the approval condition/.exec(boundary.verification.notes.join('\n'));
    expect(Number(m![2])).toBeGreaterThan(0);
    expect(Number(m![2])).toBe(Number(used![1]));
    expect(boundary.description).not.toMatch(/denies \d+ destructive and escalation actions unless/);
  });

  it('a capped boundary of a principal that used none: approval unlocks nothing, and the description does not name a condition', async () => {
    const { report } = await runScanWithFixes({ demo: true, fixes: true, now: NOW });
    const mcp = report.principals.find((p) => p.name === 'mcp-cost-explorer-readonly')!;
    const boundary = report.fixes.find((f) => f.principalArn === mcp.arn && f.kind === 'permissions-boundary')!;
    // Nothing of the right-sized set is destructive or escalation: the boundary gates nothing.
    expect(boundary.verification.notes.join('\n')).not.toMatch(/observed action\(s\) are destructive or escalation actions/);
    expect(boundary.description).toMatch(/^Caps the principal to its right-sized set; allows none of the \d+ destructive and escalation actions, approval or not \(it used none of them\); always denies/);
    // Before: "…; the 0 it used need approval: approval condition mfa-present holds", an approval path that opens nothing.
    expect(boundary.description).not.toMatch(/the 0 it used|approval condition \S+ holds/);
  });
});

describe('a boundary names its approval condition', () => {
  it('with no usage to cap to, the description names the condition (its sentences are the README\'s), and a README links it', async () => {
    // The demo export without its CloudTrail: nothing observed, so the boundary is not capped.
    const { report } = await runScanWithFixes({ input: join(demoDir, 'authorization-details.json'), config: join(demoDir, 'leash.config.yaml'), fixes: true, now: NOW });
    const kiro = report.principals.find((p) => p.name === 'kiro-agent')!;
    const boundary = report.fixes.find((f) => f.principalArn === kiro.arn && f.kind === 'permissions-boundary')!;
    expect(boundary.description).toMatch(/denies \d+ destructive and escalation actions unless approval condition mfa-present holds; always denies/);
    const mfa = approvalConditions().conditions.find((c) => c.id === 'mfa-present')!;
    // Before: the condition's own sentences sat mid-sentence ("unless Allow only requests … step in.; always denies").
    expect(boundary.description).not.toContain(mfa.description);
    const linked = linkApprovalText(boundary.description, (x) => x);
    expect(linked).toContain('unless approval condition [mfa-present](../README.md#approval-condition-mfa-present) holds; always denies');
    // Control: text without the phrase is left as it is.
    expect(linkApprovalText('denies 3 actions outright', (x) => x)).toBe('denies 3 actions outright');
  });
});
