import { describe, expect, it } from 'vitest';
import { readAuthorizationDetailsFile } from '../../../src/collect/iam/authorization-details-file.js';
import { linkLocalToSnapshot, matchesSso, type LinkablePrincipal } from '../../../src/collect/local/link.js';
import { scanLocalConfigs } from '../../../src/collect/local/scan.js';
import type { LocalScanResult } from '../../../src/collect/local/types.js';
import { sharedFixture, sharedFixturesPresent, SKIP_REASON, localFixture } from '../../support/fixtures.js';

const fx = (rel: string): string => localFixture(rel);

const principals: LinkablePrincipal[] = [
  { kind: 'role', name: 'kiro-agent', arn: 'arn:aws:iam::111122223333:role/kiro-agent' },
  { kind: 'role', name: 'kiro-agent', arn: 'arn:aws:iam::999999999999:role/kiro-agent' },
  { kind: 'role', name: 'AWSReservedSSO_AdministratorAccess_0123456789abcdef', arn: 'arn:aws:iam::444455556666:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef' },
  { kind: 'role', name: 'AWSReservedSSO_AdministratorAccessExtra_fedcba9876543210', arn: 'arn:aws:iam::444455556666:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccessExtra_fedcba9876543210' },
  { kind: 'role', name: 'AWSReservedSSO_AdministratorAccess_1111111111111111', arn: 'arn:aws:iam::777777777777:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_1111111111111111' },
  { kind: 'role', name: 'AWSReservedSSO_AdministratorAccess_2222222222222222', arn: 'arn:aws:iam::444455556666:role/AWSReservedSSO_AdministratorAccess_2222222222222222' },
  { kind: 'user', name: 'kiro-agent', arn: 'arn:aws:iam::111122223333:user/kiro-agent' },
];

describe('linkLocalToSnapshot', () => {
  it('links an exact role_arn with high confidence, only in its own account', async () => {
    const r = await scanLocalConfigs({ home: fx('home-kiro'), projectDirs: [] });
    const ev = linkLocalToSnapshot(r, principals);
    expect(Object.keys(ev)).toEqual(['arn:aws:iam::111122223333:role/kiro-agent']);
    expect(ev['arn:aws:iam::111122223333:role/kiro-agent']).toEqual([{
      kind: 'local-config', confidence: 'high', tool: 'kiro',
      detail: expect.stringMatching(/^kiro MCP server "aws-api" in .*\.kiro\/settings\/mcp\.json uses role_arn arn:aws:iam::111122223333:role\/kiro-agent \(profile kiro-admin, via kiro-base\)$/),
    }]);
  });

  it('links an SSO profile to AWSReservedSSO_<set>_* roles in its account only, with medium confidence and one entry per tool', async () => {
    const r = await scanLocalConfigs({ home: fx('home-claude'), projectDirs: [fx('project-claude')] });
    const ev = linkLocalToSnapshot(r, principals);
    const admin = 'arn:aws:iam::444455556666:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef';
    expect(Object.keys(ev)).toEqual([admin]);
    expect(ev[admin]!.every((e) => e.kind === 'local-config' && e.confidence === 'medium' && e.tool === 'claude-code')).toBe(true);
    // The .mcp.json server and the Bedrock settings both use dev-admin.
    expect(ev[admin]).toHaveLength(2);
  });

  it('matchesSso needs the account, the sso path and the exact permission-set prefix', () => {
    const m = { accountId: '444455556666', permissionSetName: 'AdministratorAccess', roleNamePrefix: 'AWSReservedSSO_AdministratorAccess_', pathPrefix: '/aws-reserved/sso.amazonaws.com/' };
    expect(principals.filter((p) => matchesSso(p.arn, m)).map((p) => p.name)).toEqual(['AWSReservedSSO_AdministratorAccess_0123456789abcdef']);
  });

  it('returns nothing when no principal matches', async () => {
    const r = await scanLocalConfigs({ home: fx('home-cursor'), projectDirs: [] });
    expect(linkLocalToSnapshot(r, principals)).toEqual({});
  });
});

describe.skipIf(!sharedFixturesPresent)(`linkLocalToSnapshot against a real authorization-details export${sharedFixturesPresent ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  it('matches a role_arn written without the role path to the role (bad_role lives under /service-role/)', () => {
    //Given principals from a real export and a profile whose role_arn omits the path
    const auth = readAuthorizationDetailsFile(sharedFixture('authorization-details/cloudmapper-demo-authorization-details.json'));
    const role = auth.principals.find((p) => p.kind === 'role' && p.name === 'bad_role');
    expect(role?.arn).toBe('arn:aws:iam::123456789012:role/service-role/bad_role');
    const result: LocalScanResult = {
      home: '/home/dev', projectDirs: [], filesRead: [], awsConfigFiles: [], nonAwsServers: 0, issues: [], errors: [],
      tools: [{
        id: 'x', tool: 'cursor', configId: 'cursor-user-mcp', configPath: '/home/dev/.cursor/mcp.json', scope: 'user', jsonPath: '$.mcpServers.aws',
        kind: 'mcp-server', server: 'aws', args: [], disabled: false, readOnly: 'write', readOnlyDetail: '', autoApprove: [], trustAll: false, bedrock: false,
        profile: 'bad', roleArn: 'arn:aws:iam::123456789012:role/bad_role',
        resolved: { name: 'bad', chain: ['bad'], staticKeys: [], identity: { kind: 'role', roleArn: 'arn:aws:iam::123456789012:role/bad_role', accountId: '123456789012', roleName: 'bad_role' } },
      }],
    };
    //When linked / Then the real role gets high-confidence evidence saying it matched by name
    const ev = linkLocalToSnapshot(result, auth.principals);
    expect(Object.keys(ev)).toEqual([role?.arn]);
    expect(ev[role!.arn]![0]).toMatchObject({ confidence: 'high', detail: expect.stringContaining('(matched by name)') });
  });
});
