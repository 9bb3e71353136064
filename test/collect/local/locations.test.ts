import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configTargets, localConfigData } from '../../../src/collect/local/locations.js';
import { catalog } from '../../../src/iam/catalog.js';
import { localFixture } from '../../support/fixtures.js';

const data = localConfigData();

describe('local-configs.json', () => {
  it('gives every location, server and judgement a source or reason', () => {
    for (const f of data.configFiles) expect(f.source.length, f.id).toBeGreaterThan(10);
    for (const s of data.knownServers) expect(s.source.length, s.package).toBeGreaterThan(10);
    for (const r of [...data.envKeys, ...data.broadRoleNames, ...data.autoApprove, ...data.awsPackagePatterns, ...data.awsUrlPatterns]) expect(r.why.length).toBeGreaterThan(5);
  });

  it('has unique ids and packages, and each known server has exactly one way to tell its mode', () => {
    expect(new Set(data.configFiles.map((f) => f.id)).size).toBe(data.configFiles.length);
    expect(new Set(data.knownServers.map((s) => s.package)).size).toBe(data.knownServers.length);
    for (const s of data.knownServers) {
      const switches = [s.readOnlyArg, s.readOnlyEnv, s.writeArg, s.writeEnv].filter(Boolean);
      expect(switches, s.package).toHaveLength(1);
      // A write switch implies read-only by default, a read-only switch the opposite.
      expect(s.defaultMode, s.package).toBe(s.writeArg || s.writeEnv ? 'read-only' : 'write');
    }
  });

  it('covers the locations each tool documents (VS Code under `servers`, Claude Code user + project scopes)', () => {
    const paths = (tool: string): string[] => data.configFiles.filter((f) => f.tool === tool).flatMap((f) => f.paths.map((p) => `${f.scope}:${p}`));
    expect(paths('kiro')).toEqual(expect.arrayContaining(['project:.kiro/settings/mcp.json', 'user:.kiro/settings/mcp.json', 'user:.kiro/agents/*.json']));
    expect(paths('amazon-q')).toEqual(expect.arrayContaining(['user:.aws/amazonq/mcp.json', 'project:.amazonq/mcp.json', 'user:.aws/amazonq/cli-agents/*.json']));
    expect(paths('claude-code')).toEqual(expect.arrayContaining(['project:.mcp.json', 'user:.claude.json', 'user:.claude/settings.json', 'project:.claude/settings.json', 'project:.claude/settings.local.json']));
    expect(paths('cursor')).toEqual(expect.arrayContaining(['project:.cursor/mcp.json', 'user:.cursor/mcp.json']));
    expect(data.configFiles.find((f) => f.id === 'vscode-workspace-mcp')?.serverKeys).toEqual(['servers']);
    for (const tool of ['claude-desktop', 'copilot', 'windsurf', 'cline']) expect(paths(tool).length, tool).toBeGreaterThan(0);
  });

  it('broad-role patterns are valid regular expressions and match the AWS names they describe', () => {
    const names = ['AdministratorAccess', 'OrganizationAccountAccessRole', 'AWSControlTowerExecution', 'PowerUserAccess'];
    for (const n of names) expect(data.broadRoleNames.some((p) => new RegExp(p.pattern, 'i').test(n)), n).toBe(true);
    expect(data.broadRoleNames.some((p) => new RegExp(p.pattern, 'i').test('ReadOnlyAccess'))).toBe(false);
  });

  it('Bedrock mode is about a real IAM action family (the issue text names bedrock:InvokeModel*)', () => {
    expect(catalog().lookup('bedrock:InvokeModel')).toBeDefined();
  });
});

describe('configTargets', () => {
  it('expands user paths under home, project paths under each project, and agent globs to files', () => {
    const home = localFixture('home-kiro');
    const project = localFixture('project-claude');
    const targets = configTargets(home, [project]);
    const has = (id: string, path: string): boolean => targets.some((t) => t.spec.id === id && t.path === path);
    expect(has('kiro-user-mcp', join(home, '.kiro/settings/mcp.json'))).toBe(true);
    expect(has('kiro-cli-agents', join(home, '.kiro/agents/ops.json'))).toBe(true);
    expect(has('claude-code-project-mcp', join(project, '.mcp.json'))).toBe(true);
    expect(targets.some((t) => t.path.includes('*'))).toBe(false);
  });

  it('does not list a file twice when a project dir is the home dir', () => {
    const home = localFixture('home-kiro');
    const targets = configTargets(home, [home]);
    const keys = targets.map((t) => `${t.tool}|${t.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
