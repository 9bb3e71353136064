import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanLocalConfigs } from '../../../src/collect/local/scan.js';
import { localSourceInfo } from '../../../src/collect/local/index.js';
import type { LocalAgentConfig, LocalScanResult } from '../../../src/collect/local/types.js';
import { localFixture } from '../../support/fixtures.js';

const fx = (rel: string): string => localFixture(rel);
const find = (r: LocalScanResult, tool: string, server: string, path?: string): LocalAgentConfig => {
  const hit = r.tools.find((t) => t.tool === tool && t.server === server && (path === undefined || t.configPath.endsWith(path)));
  if (!hit) throw new Error(`no ${tool} ${server} in ${r.tools.map((t) => `${t.tool}/${t.server}`).join(', ')}`);
  return hit;
};
const issueKinds = (r: LocalScanResult, server: string): string[] => r.issues.filter((i) => i.server === server).map((i) => `${i.severity}:${i.kind}`).sort();

describe('scanLocalConfigs: Kiro user with a source_profile chain', () => {
  let r: LocalScanResult;
  beforeAll(async () => { r = await scanLocalConfigs({ home: fx('home-kiro'), projectDirs: [] }); });

  it('resolves AWS_PROFILE=kiro-admin through source_profile to the kiro-agent role', () => {
    const c = find(r, 'kiro', 'aws-api');
    expect(c).toMatchObject({
      configId: 'kiro-user-mcp', scope: 'user', kind: 'mcp-server', jsonPath: '$.mcpServers["aws-api"]',
      package: 'awslabs.aws-api-mcp-server', profile: 'kiro-admin', profileSource: 'env',
      roleArn: 'arn:aws:iam::111122223333:role/kiro-agent', accountId: '111122223333',
      // The server's own AWS_REGION wins over the profile's region.
      region: 'eu-central-1', readOnly: 'read-only', autoApprove: ['call_aws'],
    });
    expect(c.resolved?.chain).toEqual(['kiro-admin', 'kiro-base']);
  });

  it('flags the auto-approved tool and the long-term key behind the role, and only suspects the profile name', () => {
    expect(issueKinds(r, 'aws-api')).toEqual(['low:admin-profile', 'medium:auto-approve', 'medium:static-keys-in-profile']);
  });

  it('reports the profile loop as an error naming file and line, and the write-mode iam server', () => {
    expect(find(r, 'kiro', 'iam').resolved?.identity.kind).toBe('unresolved');
    expect(issueKinds(r, 'iam')).toEqual(['low:profile-not-found', 'medium:write-mode']);
    expect(r.errors).toEqual([expect.objectContaining({ code: 'invalid-input', location: expect.stringMatching(/home-kiro\/\.aws\/config$/), path: 'line 20 [profile loop-b] source_profile' })]);
  });

  it('lists the Kiro CLI agent built-in use_aws as an unprompted AWS tool, and ignores the GitHub server', () => {
    const c = find(r, 'kiro', 'use_aws (built-in)');
    expect(c).toMatchObject({ kind: 'tool-setting', configId: 'kiro-cli-agents', readOnly: 'write', profile: 'default', profileSource: 'default' });
    expect(c.autoApprove).toEqual(expect.arrayContaining(['use_aws', 'toolsSettings.use_aws.autoAllowReadonly=true']));
    expect(issueKinds(r, 'use_aws (built-in)')).toEqual(['high:auto-approve']);
    expect(r.nonAwsServers).toBe(1);
    expect(r.tools.some((t) => t.server === 'github')).toBe(false);
  });
});

describe('scanLocalConfigs: Claude Code project with aws-api and an SSO AdministratorAccess profile', () => {
  let r: LocalScanResult;
  beforeAll(async () => { r = await scanLocalConfigs({ home: fx('home-claude'), projectDirs: [fx('project-claude')] }); });

  it('resolves the SSO profile to a matcher, not a made-up ARN', () => {
    const c = find(r, 'claude-code', 'aws-api', '.mcp.json');
    expect(c.roleArn).toBeUndefined();
    expect(c.ssoMatcher).toMatchObject({ accountId: '444455556666', roleNamePrefix: 'AWSReservedSSO_AdministratorAccess_' });
    expect(c).toMatchObject({ scope: 'project', readOnly: 'write', accountId: '444455556666', region: 'eu-west-1' });
  });

  it('flags admin + write mode (raised to high because the identity is admin) + trust-all from the project settings', () => {
    expect(issueKinds(r, 'aws-api')).toEqual(['high:admin-profile', 'high:trust-all', 'high:write-mode']);
  });

  it('applies Claude Code approvals from .claude/settings.local.json to the servers of the same project only', () => {
    const c = find(r, 'claude-code', 'aws-api', '.mcp.json');
    expect(c.autoApprove).toEqual(expect.arrayContaining(['mcp__aws-api', 'permissions.defaultMode=bypassPermissions']));
    expect(c.trustAll).toBe(true);
    // ~/.claude.json servers belong to another project: the project settings do not reach them.
    expect(find(r, 'claude-code', 'cost')).toMatchObject({ autoApprove: [], trustAll: false });
  });

  it('finds Claude Code in Bedrock mode with the admin profile in ~/.claude/settings.json', () => {
    const c = r.tools.find((t) => t.configId === 'claude-code-user-settings');
    expect(c).toMatchObject({ kind: 'tool-setting', bedrock: true, profile: 'dev-admin', region: 'us-east-1' });
    expect(r.issues.filter((i) => i.configPath === c?.configPath).map((i) => i.kind).sort()).toEqual(['admin-profile', 'bedrock-broad-profile']);
  });

  it('flags bypassPermissions in the project settings as trust-all', () => {
    const c = r.tools.find((t) => t.configId === 'claude-code-project-settings');
    expect(c?.trustAll).toBe(true);
    expect(r.issues).toContainEqual(expect.objectContaining({ kind: 'trust-all', severity: 'high', configPath: c?.configPath }));
  });

  it('reads local-scope servers from ~/.claude.json projects, including a profile given as --profile', () => {
    expect(find(r, 'claude-code', 'cost')).toMatchObject({ jsonPath: '$.projects["/home/dev/app"].mcpServers.cost', ssoMatcher: { permissionSetName: 'ReadOnlyAccess' } });
    expect(find(r, 'claude-code', 'builder')).toMatchObject({ profile: 'build', profileSource: 'args', resolved: { identity: { kind: 'credential-process' } } });
    expect(issueKinds(r, 'cost')).toEqual([]);
  });

  it('keeps awslabs servers with no profile (docs) and counts the rest as non-AWS', () => {
    expect(find(r, 'claude-code', 'docs').profile).toBeUndefined();
    expect(r.nonAwsServers).toBe(1);
  });
});

describe('scanLocalConfigs: Cursor keys, VS Code servers, Copilot remote, malformed Windsurf', () => {
  let r: LocalScanResult;
  beforeAll(async () => { r = await scanLocalConfigs({ home: fx('home-cursor'), projectDirs: [fx('project-vscode')], env: { LEASH_TEST_PROFILE: 'temp' } }); });

  it('flags static keys in the Cursor env block, with the key id redacted and no profile guessed', () => {
    const c = find(r, 'cursor', 'eks');
    expect(c.envStaticKey).toMatchObject({ accessKeyId: 'AKIA****0001', longTerm: true });
    expect(c.profile).toBeUndefined();
    expect(issueKinds(r, 'eks')).toEqual(['high:static-keys-in-config', 'medium:sensitive-data-access', 'medium:write-mode']);
  });

  it('reads VS Code servers under `servers` despite comments and trailing commas, and expands ${env:…}', () => {
    expect(find(r, 'vscode', 'ccapi')).toMatchObject({ jsonPath: '$.servers.ccapi', profile: '${input:aws-profile}', readOnly: 'write' });
    expect(find(r, 'vscode', 'aws-api-ro')).toMatchObject({ profile: 'temp', readOnly: 'read-only', resolved: { identity: { kind: 'static-keys', key: { longTerm: false } } } });
  });

  it('does not pin the local profile on a remote url server', () => {
    const c = find(r, 'copilot', 'agentcore-gateway');
    expect(c.profile).toBeUndefined();
    expect(c.url).toContain('api_key=****');
  });

  it('masks secret-looking arguments', () => {
    expect(find(r, 'copilot', 'aws-proxy').args).toEqual(['mcp-proxy-for-aws@latest', 'https://aws-mcp.us-east-1.api.aws/mcp', '--api-key', '****', '--profile', 'temp']);
  });

  it('returns the malformed file as an error value with line and column, and keeps the rest', () => {
    expect(r.errors).toEqual([expect.objectContaining({ source: 'local-ai-config', code: 'invalid-input', path: 'line 6, column 7', location: expect.stringMatching(/windsurf\/mcp_config\.json$/) })]);
    expect(r.filesRead).toHaveLength(4);
    expect(r.tools.length).toBe(5);
    expect(localSourceInfo(r)).toMatchObject({ kind: 'local-ai-config', status: 'partial', counts: { filesRead: 4, awsTools: 5 } });
  });
});

describe('scanLocalConfigs: no secret from the fixtures leaves the scan', () => {
  // Every value in the fixtures that is a credential, token or secret.
  function fixtureSecrets(): string[] {
    const out = new Set<string>();
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) { walk(p); continue; }
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(/[A-Za-z0-9/+=]{100,}|\b(?:AKIA|ASIA)[A-Z0-9]{16}\b|[A-Za-z0-9/+]{40}|ghp_[A-Za-z0-9]+|Bearer [^"]+|FAKE[A-Za-z0-9/+]*/g)) out.add(m[0]);
      }
    };
    walk(fx(''));
    return [...out];
  }

  it('finds the secrets it is looking for (the check below is not vacuous)', () => {
    const secrets = fixtureSecrets();
    expect(secrets).toEqual(expect.arrayContaining(['AKIAFAKEFAKEFAKE0001', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKEFAKE01', 'ASIAFAKEFAKEFAKE0004']));
    expect(secrets.length).toBeGreaterThan(10);
  });

  it('serialises every result without any of them', async () => {
    const secrets = fixtureSecrets();
    const runs = await Promise.all([
      scanLocalConfigs({ home: fx('home-kiro'), projectDirs: [fx('project-claude'), fx('project-vscode')] }),
      scanLocalConfigs({ home: fx('home-claude'), projectDirs: [fx('project-claude')] }),
      scanLocalConfigs({ home: fx('home-cursor'), projectDirs: [fx('project-vscode')], env: { AWS_PROFILE: 'temp', CLAUDE_CODE_USE_BEDROCK: '1' } }),
    ]);
    const dump = JSON.stringify(runs);
    for (const s of secrets) expect(dump, `leaked ${s.slice(0, 6)}…`).not.toContain(s);
  });
});

describe('scanLocalConfigs: structure problems are error values with JSON paths', () => {
  const home = mkdtempSync(join(tmpdir(), 'leash-local-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('names the JSON path of a wrong shape and goes on with the good servers', async () => {
    mkdirSync(join(home, '.cursor'), { recursive: true });
    writeFileSync(join(home, '.cursor/mcp.json'), JSON.stringify({
      mcpServers: {
        bad: 'uvx awslabs.aws-api-mcp-server',
        weird: { command: 'uvx', args: 'awslabs.eks-mcp-server', env: { AWS_PROFILE: ['x'] } },
        good: { command: 'uvx', args: ['awslabs.eks-mcp-server@latest'], env: { AWS_PROFILE: 'p' } },
      },
    }));
    mkdirSync(join(home, '.kiro/settings'), { recursive: true });
    writeFileSync(join(home, '.kiro/settings/mcp.json'), JSON.stringify({ mcpServers: [] }));
    mkdirSync(join(home, '.codeium/windsurf'), { recursive: true });
    writeFileSync(join(home, '.codeium/windsurf/mcp_config.json'), '[1, 2]');

    const r = await scanLocalConfigs({ home, projectDirs: [] });
    expect(r.errors.map((e) => e.path)).toEqual(expect.arrayContaining([
      '$.mcpServers.bad', '$.mcpServers.weird.args', '$.mcpServers.weird.env.AWS_PROFILE', '$.mcpServers', '$',
    ]));
    for (const e of r.errors) expect(e.message).toMatch(/expected /);
    expect(find(r, 'cursor', 'good')).toMatchObject({ profile: 'p', resolved: { identity: { kind: 'unresolved' } } });
  });

  it('uses the inherited AWS_PROFILE for a server that names none, and Bedrock mode from the environment', async () => {
    const r = await scanLocalConfigs({ home, projectDirs: [], env: { AWS_PROFILE: 'shell-profile', CLAUDE_CODE_USE_BEDROCK: '1' } });
    const env = r.tools.find((t) => t.configPath === 'environment');
    expect(env).toMatchObject({ tool: 'claude-code', bedrock: true, profile: 'shell-profile' });
  });

  it('finds nothing, without errors, in an empty home', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'leash-empty-'));
    try {
      const r = await scanLocalConfigs({ home: empty, projectDirs: [empty] });
      expect(r).toMatchObject({ tools: [], issues: [], errors: [], filesRead: [], nonAwsServers: 0 });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('scanLocalConfigs: Roo Code project MCP settings (.roo/mcp.json)', () => {
  const project = mkdtempSync(join(tmpdir(), 'leash-roo-'));
  const home = mkdtempSync(join(tmpdir(), 'leash-roo-home-'));
  mkdirSync(join(project, '.roo'));
  writeFileSync(join(project, '.roo', 'mcp.json'), JSON.stringify({ mcpServers: { 'aws-api': { command: 'uvx', args: ['awslabs.aws-api-mcp-server@latest'], env: { AWS_PROFILE: 'roo-dev', AWS_REGION: 'us-east-1' } } } }));
  afterAll(() => { rmSync(project, { recursive: true, force: true }); rmSync(home, { recursive: true, force: true }); });

  it('finds the server as Roo Code\'s, with its profile', async () => {
    const r = await scanLocalConfigs({ home, projectDirs: [project] });
    expect(find(r, 'roo-code', 'aws-api', '.roo/mcp.json')).toMatchObject({ scope: 'project', profile: 'roo-dev' });
  });

  it('a .roo folder without mcp.json is nothing (negative control)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'leash-roo-empty-'));
    mkdirSync(join(empty, '.roo'));
    const r = await scanLocalConfigs({ home, projectDirs: [empty] });
    expect(r.tools.filter((t) => t.tool === 'roo-code')).toEqual([]);
    rmSync(empty, { recursive: true, force: true });
  });
});
