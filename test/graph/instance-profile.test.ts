// Audit (session 29): PassRole + ec2:RunInstances was reported as reaching an administrator role
// that is in no instance profile. EC2 takes a role only through an instance profile, and the
// export's InstanceProfileList is authoritative; so without iam:CreateInstanceProfile and
// iam:AddRoleToInstanceProfile the caller can launch with the roles that are in one, no other.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScan } from '../../src/pipeline/scan.js';
import { IamExportBuilder, allow, policy } from '../support/iam-export-builder.js';

const A = '111111111111';
const ATTACKER = `arn:aws:iam::${A}:user/attacker`;
const ec2Trust = policy({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });

async function scan(opts: { adminProfile: boolean; webProfile?: boolean; makesProfiles?: boolean }) {
  const b = new IamExportBuilder(A);
  const actions = ['iam:PassRole', 'ec2:RunInstances', ...(opts.makesProfiles ? ['iam:CreateInstanceProfile', 'iam:AddRoleToInstanceProfile'] : [])];
  b.user('attacker', { inline: { launch: policy(allow(actions, '*')) } });
  b.role('AdminEC2', { trust: ec2Trust, inline: { admin: policy(allow('*', '*')) }, ...(opts.adminProfile ? { instanceProfiles: ['AdminEC2'] } : {}) });
  b.role('Web', { trust: ec2Trust, inline: { read: policy(allow('s3:GetObject', '*')) }, ...(opts.webProfile ? { instanceProfiles: ['Web'] } : {}) });
  const dir = mkdtempSync(join(tmpdir(), 'leash-ip-'));
  const input = join(dir, 'auth.json');
  writeFileSync(input, JSON.stringify(b.build()));
  const r = await runScan({ input, now: new Date('2026-11-24T00:00:00Z') });
  const of = (check: string) => r.findings.filter((f) => f.principalArn === ATTACKER && f.checkId === check);
  return { admin: of('reaches-admin'), escalation: of('privilege-escalation').filter((f) => f.subject.includes('ec2-passrole-run-instances')) };
  // (the Web role gives s3:GetObject, which the attacker lacks: passing it is a real, smaller gain)
}

describe('PassRole to EC2 needs an instance profile', () => {
  it('the admin role is in no instance profile: no path, and no RunInstances escalation', async () => {
    const r = await scan({ adminProfile: false });
    expect(r.admin).toEqual([]);
    expect(r.escalation).toEqual([]);
  });

  it('another role is in one: the escalation reaches that role, never the admin role', async () => {
    const r = await scan({ adminProfile: false, webProfile: true });
    expect(r.admin).toEqual([]);
    expect(r.escalation.length).toBe(1);
    expect(JSON.stringify(r.escalation[0])).not.toContain('AdminEC2');
  });

  it('control: the admin role is in an instance profile: critical', async () => {
    const r = await scan({ adminProfile: true });
    expect(r.admin.map((f) => f.severity)).toEqual(['critical']);
    expect(r.escalation.length).toBe(1);
  });

  it('control: a caller who may make instance profiles reaches the admin role without one', async () => {
    const r = await scan({ adminProfile: false, makesProfiles: true });
    expect(r.admin.map((f) => f.severity)).toEqual(['critical']);
    expect(r.escalation.length).toBe(1);
  });
});
