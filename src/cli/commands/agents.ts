// `leash agents --local`: which AI tools on this machine reach AWS, as whom, and what is risky.
import { homedir } from 'node:os';
import type { Command } from 'commander';
import { EXIT_ERROR, EXIT_OK, exitCodesHelp } from '../exit-codes.js';
import { scanLocalConfigs } from '../../collect/local/scan.js';
import { redact } from '../../collect/local/redact.js';
import { displayWidth, padColumns, truncateMiddle } from '../../report/summary-text.js';
import type { LocalAgentConfig, LocalScanResult } from '../../collect/local/types.js';
import { jsonTextSafe, safeDeep } from '../../safe/text.js';

interface AgentsOptions {
  readonly local?: boolean;
  readonly home: string;
  readonly project?: string[];
  readonly json?: boolean;
}

function tilde(path: string, home: string): string {
  return path === home ? '~' : path.startsWith(`${home}/`) ? `~/${path.slice(home.length + 1)}` : path;
}

function actsAs(c: LocalAgentConfig): string {
  if (c.envStaticKey) return `static key ${c.envStaticKey.accessKeyId ?? '(no id)'}`;
  const id = c.resolved?.identity;
  switch (id?.kind) {
    case 'role': return `role/${id.roleName}`;
    case 'sso': return `sso ${id.matcher.roleNamePrefix}*`;
    case 'static-keys': return `static key ${id.key.accessKeyId ?? '(no id)'}`;
    case 'credential-process': return 'credential_process';
    case 'unresolved': return 'unresolved';
    default: return c.url ? 'remote (own auth)' : '-';
  }
}

/**
 * Columns padded to their widest cell, measured in terminal columns; a cell wider than its column's
 * cap (a 64-character role name, a long server name) is cut in the middle so one entry cannot push
 * every other column off the screen. The last column is never padded or cut (it is a path).
 */
export function table(rows: readonly (readonly string[])[], caps: readonly (number | undefined)[] = []): string {
  const last = (rows[0]?.length ?? 1) - 1;
  // Redact before cutting: a key cut in half would no longer look like a key to redact().
  const fitted = rows.map((r) => r.map((cell, i) => (i !== last && caps[i] !== undefined ? truncateMiddle(redact(cell), caps[i]!) : cell)));
  const widths = fitted[0]?.map((_, i) => Math.max(...fitted.map((r) => displayWidth(r[i] ?? '')))) ?? [];
  return fitted.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : padColumns(cell, widths[i] ?? 0))).join('  ').trimEnd()).join('\n');
}

// Only the free-form names are capped: SERVER, PROFILE and ACTS AS (`role/<up to 64 characters>`).
// TOOL, ACCOUNT, REGION and MODE are short fixed vocabularies; CONFIG is last.
const COLUMN_CAPS = [undefined, 28, 28, 40];

/** The readable form of a local scan. Every line goes through redact() before it is printed. */
export function formatLocalScan(result: LocalScanResult, fit: boolean = Boolean(process.stdout.isTTY)): string {
  const home = result.home;
  const out: string[] = [];
  if (result.tools.length === 0) {
    out.push(`No AI tool config that reaches AWS found under ${home}${result.projectDirs.length ? ` or ${result.projectDirs.join(', ')}` : ''}.`);
  } else {
    const rows = [['TOOL', 'SERVER', 'PROFILE', 'ACTS AS', 'ACCOUNT', 'REGION', 'MODE', 'CONFIG']];
    for (const c of result.tools) {
      rows.push([
        c.tool,
        `${c.server ?? '-'}${c.disabled ? ' (disabled)' : ''}`,
        c.profile ? `${c.profile}${c.profileSource === 'env' || c.profileSource === 'args' ? '' : ` (${c.profileSource ?? ''})`}` : '-',
        actsAs(c),
        c.accountId ?? '-',
        c.region ?? '-',
        c.readOnly,
        tilde(c.configPath, home),
      ]);
    }
    // Cut to fit a terminal only; piped or redirected, every name stays whole.
    out.push(table(rows, fit ? COLUMN_CAPS : []));
  }
  if (result.issues.length) {
    out.push('', `Issues (${result.issues.length}):`);
    for (const i of result.issues) out.push(`  ${i.severity.toUpperCase().padEnd(8)} ${i.kind.padEnd(22)} ${tilde(i.configPath, home)}: ${i.message}`);
  }
  if (result.errors.length) {
    out.push('', `Could not read (${result.errors.length}):`);
    for (const e of result.errors) out.push(`  ${e.message}`);
  }
  out.push('', `${result.filesRead.length} config file(s) read, ${result.tools.length} AWS-related entr${result.tools.length === 1 ? 'y' : 'ies'}, ${result.nonAwsServers} other MCP server(s) ignored.`);
  return redact(out.join('\n')) + '\n';
}

export function register(program: Command): void {
  program
    .command('agents')
    .description('List the AI tools and MCP servers on this machine that use AWS, the identity each acts as, and what is risky')
    .option('--local', 'read AI tool configs on this machine (Kiro, Amazon Q, Claude Code, Cursor, VS Code, Copilot, Windsurf, Cline)')
    .option('--home <dir>', 'home directory to read', homedir())
    .option('--project <dir...>', 'project directories to read (default: the current directory)')
    .option('--json', 'print JSON instead of a table')
    .addHelpText('after', exitCodesHelp({ 0: 'listed (also when nothing was found)', 2: '--local missing' }))
    .action(async (opts: AgentsOptions) => {
      if (!opts.local) {
        process.stderr.write('leash agents: pass --local to read AI tool configs on this machine; agents in an account are listed by `leash scan`.\n');
        process.exitCode = EXIT_ERROR;
        return;
      }
      const result = await scanLocalConfigs({ home: opts.home, projectDirs: opts.project ?? [process.cwd()], env: process.env });
      process.stdout.write(opts.json ? jsonTextSafe(redact(JSON.stringify(result, null, 2))) + '\n' : formatLocalScan(safeDeep(result)));
      process.exitCode = EXIT_OK;
    });
}
