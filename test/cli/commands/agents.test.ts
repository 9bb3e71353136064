import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatLocalScan, register } from '../../../src/cli/commands/agents.js';
import { scanLocalConfigs } from '../../../src/collect/local/scan.js';
import { displayWidth } from '../../../src/report/summary-text.js';
import type { LocalScanResult } from '../../../src/collect/local/types.js';
import { localFixture } from '../../support/fixtures.js';

const fx = (rel: string): string => localFixture(rel);

// The same wiring buildProgram() does for this command, without loading every other command.
async function run(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number | undefined }> {
  const program = new Command('leash').exitOverride();
  register(program);
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { stdout += String(chunk); return true; });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { stderr += String(chunk); return true; });
  const before = process.exitCode;
  try {
    await program.parseAsync(['node', 'leash', ...args]);
    return { stdout, stderr, exitCode: process.exitCode === undefined ? undefined : Number(process.exitCode) };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = before;
  }
}

afterEach(() => { vi.restoreAllMocks(); });

describe('leash agents --local', () => {
  it('prints JSON that parses back to the scan result, exit 0', async () => {
    const r = await run(['agents', '--local', '--home', fx('home-kiro'), '--project', fx('project-claude'), '--json']);
    expect(r.exitCode).toBe(0);
    const result = JSON.parse(r.stdout) as LocalScanResult;
    expect(result.tools.map((t) => `${t.tool}/${t.server}`)).toEqual(expect.arrayContaining(['kiro/aws-api', 'kiro/iam', 'claude-code/aws-api']));
    expect(result.tools.find((t) => t.server === 'aws-api' && t.tool === 'kiro')?.roleArn).toBe('arn:aws:iam::111122223333:role/kiro-agent');
    expect(result.errors).toHaveLength(1);
  });

  it('prints a readable table with issues, errors and a summary, paths under home shown with ~', async () => {
    const r = await run(['agents', '--local', '--home', fx('home-cursor'), '--project', fx('project-vscode')]);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^TOOL\s+SERVER\s+PROFILE\s+ACTS AS\s+ACCOUNT\s+REGION\s+MODE\s+CONFIG$/);
    expect(r.stdout).toMatch(/cursor\s+eks\s+-\s+static key AKIA\*\*\*\*0001\s+-\s+us-east-2\s+write\s+~\/\.cursor\/mcp\.json/);
    expect(r.stdout).toContain('HIGH     static-keys-in-config');
    expect(r.stdout).toContain('Could not read (1):');
    expect(r.stdout).toMatch(/4 config file\(s\) read, 5 AWS-related entries, 0 other MCP server\(s\) ignored\./);
    for (const secret of ['AKIAFAKEFAKEFAKE0001', 'wJalrXUtnFEMI', 'FAKEbearerTOKEN', 'FAKEurlKEY', 'FAKEargSECRET', 'WINDsurfFAKE']) expect(r.stdout).not.toContain(secret);
  });

  it('says so plainly when nothing reaches AWS', async () => {
    const r = await run(['agents', '--local', '--home', fx('project-vscode/.vscode'), '--project', fx('project-vscode/.vscode')]);
    expect(r.stdout).toMatch(/^No AI tool config that reaches AWS found under /);
    expect(r.exitCode).toBe(0);
  });

  it('asks for --local (exit 2) rather than guessing', async () => {
    const r = await run(['agents']);
    expect(r.stderr).toContain('pass --local');
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
  });
});

describe('the agents table with very long names', () => {
  const LONG_ROLE = 'kiro-agent-platform-engineering-shared-services-eu-west-1-staging';
  const LONG_SERVER = 'awslabs.aws-api-mcp-server-for-the-platform-engineering-team';

  it('cuts long server and role names in the middle so every column still lines up; JSON keeps them whole', async () => {
    // Given a real local scan in which one entry has a 64-character role name and a long server name
    const real = await scanLocalConfigs({ home: fx('home-kiro'), projectDirs: [fx('project-claude')], env: {} });
    const withRole = real.tools.find((t) => t.resolved?.identity.kind === 'role')!;
    expect(withRole).toBeDefined();
    const long = {
      ...withRole,
      server: LONG_SERVER,
      resolved: { ...withRole.resolved!, identity: { kind: 'role' as const, roleArn: `arn:aws:iam::111122223333:role/${LONG_ROLE}`, accountId: '111122223333', roleName: LONG_ROLE } },
    };
    const result = { ...real, tools: [long, ...real.tools.filter((t) => t !== withRole)] };
    // When it is printed as a table
    const lines = formatLocalScan(result, true).split('\n');
    const header = lines[0]!;
    const rows = lines.slice(1, 1 + result.tools.length);
    // Then each column starts at the header's offset on every row, measured in terminal columns
    for (const title of ['PROFILE', 'ACTS AS', 'ACCOUNT', 'CONFIG']) {
      const at = header.indexOf(title);
      for (const row of rows) {
        const before = [...row].slice(0, at).join('');
        expect(displayWidth(before), `${title} in ${row}`).toBe(at);
        expect(row[at - 1], `${title} in ${row}`).toBe(' ');
      }
    }
    // (ACTS AS is capped at 40 columns, SERVER at 28: start and end kept)
    expect(rows[0]).toContain(' role/kiro-agent-pla…es-eu-west-1-staging ');
    expect(rows[0]).toContain(' awslabs.aws-a…gineering-team ');
    expect(formatLocalScan(result, true)).not.toContain(LONG_ROLE);
    // Not a terminal (piped, redirected): nothing is cut
    expect(formatLocalScan(result, false)).toContain(LONG_ROLE);
    expect(formatLocalScan(result, false)).toContain(LONG_SERVER);
    // And the JSON output is the result itself, names whole
    expect(JSON.stringify(result)).toContain(LONG_ROLE);
  });
});
