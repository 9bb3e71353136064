import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAwsProfiles } from '../../../src/collect/local/aws-profiles.js';
import { localFixture } from '../../support/fixtures.js';

const kiroHome = localFixture('home-kiro');
const claudeHome = localFixture('home-claude');
const cursorHome = localFixture('home-cursor');

const temps: string[] = [];
function tempHome(config: string, credentials?: string): string {
  const home = mkdtempSync(join(tmpdir(), 'leash-profiles-'));
  temps.push(home);
  mkdirSync(join(home, '.aws'));
  writeFileSync(join(home, '.aws/config'), config);
  if (credentials !== undefined) writeFileSync(join(home, '.aws/credentials'), credentials);
  return home;
}
afterEach(() => { for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true }); });

describe('loadAwsProfiles', () => {
  it('follows role_arn + source_profile to the role, and notes the long-term key at the root of the chain', () => {
    //Given kiro-admin assumes kiro-agent with keys from kiro-base (credentials file)
    const store = loadAwsProfiles({ home: kiroHome });
    //When kiro-admin is resolved
    const p = store.resolve('kiro-admin');
    //Then the identity is the role, the chain and region are the profile's, and the key id is redacted
    expect(p.identity).toEqual({ kind: 'role', roleArn: 'arn:aws:iam::111122223333:role/kiro-agent', accountId: '111122223333', roleName: 'kiro-agent' });
    expect(p.chain).toEqual(['kiro-admin', 'kiro-base']);
    expect(p.region).toBe('us-west-2');
    expect(p.staticKeys).toHaveLength(1);
    expect(p.staticKeys[0]).toMatchObject({ accessKeyId: 'AKIA****0002', longTerm: true });
    expect(p.location).toMatch(/home-kiro\/\.aws\/config:5$/);
  });

  it('detects a source_profile loop, reports it once with its line, and leaves the identity unresolved', () => {
    const store = loadAwsProfiles({ home: kiroHome });
    const a = store.resolve('loop-a');
    const b = store.resolve('loop-b');
    expect(a.identity).toEqual({ kind: 'unresolved', reason: 'source_profile loop: loop-a → loop-b → loop-a' });
    expect(b.identity.kind).toBe('unresolved');
    expect(store.errors).toHaveLength(1);
    expect(store.errors[0]).toMatchObject({ source: 'local-ai-config', code: 'invalid-input', path: 'line 20 [profile loop-b] source_profile' });
    expect(store.errors[0]!.message).toContain('loop-a → loop-b → loop-a');
  });

  it('turns an SSO profile into a matcher (the role name hash is unknown), taking sso-session details', () => {
    const p = loadAwsProfiles({ home: claudeHome }).resolve('dev-admin');
    expect(p.identity).toEqual({
      kind: 'sso',
      matcher: {
        accountId: '444455556666', permissionSetName: 'AdministratorAccess',
        roleNamePrefix: 'AWSReservedSSO_AdministratorAccess_', pathPrefix: '/aws-reserved/sso.amazonaws.com/',
        ssoRegion: 'us-east-1', ssoStartUrl: 'https://corp.awsapps.com/start',
      },
    });
    expect(p.region).toBe('eu-west-1');
  });

  it('keeps credential_process commands, redacted', () => {
    const p = loadAwsProfiles({ home: claudeHome }).resolve('build');
    expect(p.identity.kind).toBe('credential-process');
    expect(JSON.stringify(p)).not.toContain('FAKEprocessTOKEN');
  });

  it('classifies static keys: AKIA long-term, ASIA + session token temporary; secrets never kept', () => {
    const store = loadAwsProfiles({ home: cursorHome });
    expect(store.resolve('default').identity).toMatchObject({ kind: 'static-keys', key: { accessKeyId: 'AKIA****0003', longTerm: true } });
    expect(store.resolve('temp').identity).toMatchObject({ kind: 'static-keys', key: { accessKeyId: 'ASIA****0004', longTerm: false } });
    const dump = JSON.stringify([store.resolve('default'), store.resolve('temp')]);
    expect(dump).not.toMatch(/FAKEsecret|IQoJb3JpZ2lu|AKIAFAKE|ASIAFAKE/);
  });

  it('reads AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE from the given env (~ is the home)', () => {
    const store = loadAwsProfiles({ home: kiroHome, env: { AWS_CONFIG_FILE: join(claudeHome, '.aws/config'), AWS_SHARED_CREDENTIALS_FILE: '~/nope' } });
    expect(store.configFile).toBe(join(claudeHome, '.aws/config'));
    expect(store.credentialsFile).toBe(join(kiroHome, 'nope'));
    expect(store.resolve('dev-admin').identity.kind).toBe('sso');
    expect(store.resolve('kiro-admin').identity).toMatchObject({ kind: 'unresolved' });
  });

  it('treats missing files as empty, not as an error', () => {
    const store = loadAwsProfiles({ home: join(kiroHome, 'does-not-exist') });
    expect(store.filesRead).toEqual([]);
    expect(store.errors).toEqual([]);
    expect(store.resolve('x').identity).toMatchObject({ kind: 'unresolved', reason: expect.stringContaining('not found') });
  });

  it('allows source_profile naming itself when the profile has its own keys, and flags it as a loop when not', () => {
    const home = tempHome(
      '[profile self]\nrole_arn = arn:aws:iam::111122223333:role/self\nsource_profile = self\n[profile bare]\nrole_arn = arn:aws:iam::111122223333:role/bare\nsource_profile = bare\n',
      '[self]\naws_access_key_id = AKIAFAKEFAKEFAKE0009\naws_secret_access_key = selfFAKEsecretKEYabcdefghij0123456789/+A\n',
    );
    const store = loadAwsProfiles({ home });
    expect(store.resolve('self').identity).toMatchObject({ kind: 'role', roleName: 'self' });
    expect(store.resolve('self').staticKeys[0]?.accessKeyId).toBe('AKIA****0009');
    expect(store.resolve('bare').identity.kind).toBe('unresolved');
    expect(store.errors.map((e) => e.message).join()).toContain('bare → bare');
  });

  it('rejects a role_arn that is not an IAM role ARN, and reports malformed lines with their number', () => {
    const home = tempHome('[profile odd]\nrole_arn = arn:aws:s3:::bucket\ncredential_source = Environment\nthis line is wrong\n[profile env]\ncredential_source = Ec2InstanceMetadata\n');
    const store = loadAwsProfiles({ home });
    expect(store.resolve('odd').identity).toMatchObject({ kind: 'unresolved', reason: expect.stringContaining('not an IAM role ARN') });
    expect(store.resolve('env').identity).toMatchObject({ kind: 'unresolved', reason: expect.stringContaining('Ec2InstanceMetadata') });
    expect(store.errors).toEqual([expect.objectContaining({ path: 'line 4', message: expect.stringContaining('line 4: expected key = value') })]);
  });
});
