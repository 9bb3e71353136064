// Audit (session 29): with approval-session-tag or approval-source-identity the session itself
// carries the approval, so an agent role's trust policy must let only the approval broker set it.
// The trust fix used to leave sts:TagSession / sts:SetSourceIdentity open to everyone its trust
// named, so anyone who may assume the role could approve themselves. Demo scans under each
// approval condition; the guards are evaluated with leash's own evaluator.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoDir, runScanWithFixes } from '../../src/pipeline/scan.js';
import { statementApplies } from '../../src/iam/evaluate.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import type { Report } from '../../src/model/report.js';
import { approvalFor } from '../../src/fix/approval.js';
import { renderFixFiles } from '../../src/fix/render/index.js';
import { defaultConfig, type LeashConfig } from '../../src/config/config.js';
import type { AnalyzedPrincipal } from '../../src/checks/types.js';

const NOW = new Date('2026-11-24T00:00:00Z');
const BROKER = 'arn:aws:iam::111122223333:role/approval-broker';
const OTHER = 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_3f8a9c2d1e7b6a54';

async function demoWith(approval: string): Promise<Report> {
  const dir = mkdtempSync(join(tmpdir(), 'leash-approval-'));
  const config = join(dir, 'leash.config.yaml');
  writeFileSync(config, readFileSync(join(demoDir, 'leash.config.yaml'), 'utf8').replace(/approval:\n(  .*\n)+/, `approval:\n${approval}`));
  const { report } = await runScanWithFixes({ input: join(demoDir, 'authorization-details.json'), cloudtrail: [join(demoDir, 'cloudtrail')], config, fixes: true, now: NOW });
  return report;
}

const kiroTrust = (r: Report) => {
  const kiro = r.principals.find((p) => p.name === 'kiro-agent')!;
  return r.fixes.find((f) => f.principalArn === kiro.arn && f.kind === 'trust-policy')!;
};
const denied = (doc: PolicyDocument, action: string, context: Record<string, string[]>) =>
  doc.statements.some((s) => s.effect === 'Deny' && statementApplies(s, { action, resource: 'arn:aws:iam::111122223333:role/kiro-agent', context: { values: context } }, true) === true);

describe('approval carried by the session: only the broker may set it', () => {
  it('approval-session-tag: leash-approved on a session is denied to everyone but the broker, and never transitive', async () => {
    const r = await demoWith('  condition: approval-session-tag\n  brokerRoleArn: "arn:aws:iam::111122223333:role/approval-broker"\n');
    const fix = kiroTrust(r);
    const doc = fix.after as PolicyDocument;
    const tagging = (who: string, keys: string[], transitive: string[] = []) => ({ 'aws:principalarn': [who], 'aws:tagkeys': keys, 'sts:transitivetagkeys': transitive });
    expect(denied(doc, 'sts:TagSession', tagging(OTHER, ['leash-approved']))).toBe(true);
    expect(denied(doc, 'sts:TagSession', tagging(BROKER, ['leash-approved']))).toBe(false);
    expect(denied(doc, 'sts:TagSession', tagging(BROKER, ['leash-approved'], ['leash-approved']))).toBe(true);
    // Controls: other tags stay open to the role's callers; AssumeRole itself is not denied.
    expect(denied(doc, 'sts:TagSession', tagging(OTHER, ['team']))).toBe(false);
    expect(denied(doc, 'sts:AssumeRole', { 'aws:principalarn': [OTHER] })).toBe(false);
    expect(fix.verification.status).not.toBe('not-safe');
    expect(fix.notes.join(' ')).toContain(BROKER);
  });

  it('approval-source-identity: an approved-* source identity is the broker\'s alone; without a configured broker the fix is not safe to apply', async () => {
    const r = await demoWith('  condition: approval-source-identity\n');
    const fix = kiroTrust(r);
    const doc = fix.after as PolicyDocument;
    const setting = (who: string, id: string) => ({ 'aws:principalarn': [who], 'sts:sourceidentity': [id] });
    expect(denied(doc, 'sts:SetSourceIdentity', setting(OTHER, 'approved-123-alice'))).toBe(true);
    expect(denied(doc, 'sts:SetSourceIdentity', setting(OTHER, 'alice@example.com'))).toBe(false);
    expect(JSON.stringify(doc)).toContain('REPLACE-WITH-APPROVAL-BROKER-ROLE-ARN');
    expect(fix.verification.status).toBe('not-safe');
    expect(fix.verification.summary).toMatch(/REPLACE-WITH-APPROVAL-BROKER-ROLE-ARN/);
  });

  it('mfa-present: the approval is the human\'s sign-in, nothing to guard in the trust policy (control)', async () => {
    const r = await demoWith('  condition: mfa-present\n');
    const doc = kiroTrust(r).after as PolicyDocument;
    expect(doc.statements.filter((s) => s.sid?.startsWith('ApprovalOnlyFromBroker'))).toEqual([]);
  });

  it('an IAM user cannot carry a broker-set approval: under approval-session-tag its boundary denies outright and says why', async () => {
    const r = await demoWith('  condition: approval-session-tag\n');
    const bot = r.principals.find((p) => p.name === 'cursor-ci-bot')!;
    const boundary = r.fixes.find((f) => f.principalArn === bot.arn && f.kind === 'permissions-boundary')!;
    expect(boundary.notes.join(' ') + boundary.description).toMatch(/IAM user's requests carry no session tag or source identity/);
  });
});

describe('an approval no session of the principal can meet is called a deny', () => {
  const roleWith = (principal: Record<string, string[]>, action: string) => ({
    humanSession: false,
    principal: { kind: 'role', name: 'gha-deployer', trustPolicy: { version: '2012-10-17', statements: [{ index: 0, effect: 'Allow', principal, action: [action] }] } },
  }) as unknown as AnalyzedPrincipal;
  const config = (condition: string) => ({ ...defaultConfig(), approval: { condition } }) as LeashConfig;

  it('a role only GitHub OIDC (web identity) assumes cannot meet mfa-present; the same role assumed by an account can (control)', () => {
    const oidc = approvalFor(roleWith({ Federated: ['arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com'] }, 'sts:AssumeRoleWithWebIdentity'), config('mfa-present'));
    expect([oidc.meetable, oidc.why]).toEqual([false, expect.stringMatching(/web-identity or SAML federation/)]);
    const account = approvalFor(roleWith({ AWS: ['arn:aws:iam::111122223333:root'] }, 'sts:AssumeRole'), config('mfa-present'));
    expect(account.meetable).toBe(true);
  });
});

describe('a trust fix that is not safe as it stands is written, not applied', () => {
  it('its main.tf keeps today\'s trust policy and its apply.sh does not update it; both say it is held back (control: a safe one is applied)', async () => {
    const run = async (approval: string) => {
      const dir = mkdtempSync(join(tmpdir(), 'leash-held-'));
      const config = join(dir, 'leash.config.yaml');
      writeFileSync(config, readFileSync(join(demoDir, 'leash.config.yaml'), 'utf8').replace(/approval:\n(  .*\n)+/, `approval:\n${approval}`));
      const { fixPlans } = await runScanWithFixes({ input: join(demoDir, 'authorization-details.json'), cloudtrail: [join(demoDir, 'cloudtrail')], config, fixes: true, now: NOW });
      const plan = fixPlans.find((x) => x.principalName === 'kiro-agent')!;
      const files = Object.fromEntries(renderFixFiles(plan.target).map((f) => [f.path, f.content]));
      return { plan, files };
    };
    const held = await run('  condition: approval-source-identity\n');
    expect(held.plan.fixes.find((f) => f.kind === 'trust-policy')!.verification.status).toBe('not-safe');
    expect(held.files['trust.json']).toContain('REPLACE-WITH-APPROVAL-BROKER-ROLE-ARN');
    expect(held.files['apply.sh']).not.toMatch(/^\s*change iam update-assume-role-policy/m);
    expect(held.files['apply.sh']).toMatch(/trust\.json is held back, not applied/);
    expect(held.files['main.tf']).toMatch(/trust\.json\) is held back, not applied/);
    expect(held.files['main.tf']).not.toMatch(/assume_role_policy\s*=\s*data\.aws_iam_policy_document\.\w*trust\.json/);
    const applied = await run('  condition: approval-session-tag\n  brokerRoleArn: "arn:aws:iam::111122223333:role/approval-broker"\n');
    expect(applied.files['apply.sh']).toMatch(/^\s*change iam update-assume-role-policy .*trust\.json/m);
    expect(applied.files['apply.sh']).not.toMatch(/held back/);
  });
});
