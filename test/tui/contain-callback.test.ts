// The TUI's `c` plans as `leash contain --report` does: the report's export, read again, decides
// who could remove the Deny (src/contain/report-export.ts). Before, the TUI planned from the
// report alone and its README always said "not decided".
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultCallbacks } from '../../src/tui/run.js';
import { loadReport, resolveReportPath } from '../../src/report/history.js';
import { runCli } from '../support/cli.js';
import { DEV, allow, arn, doc, exportOf, trust } from '../graph/accounts.js';

const dirs: string[] = [];
afterEach(() => {
  process.exitCode = 0;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** An export with an agent role and a role `editor` that may delete the agent role's inline policies; scanned into a history. */
async function scanned(): Promise<{ dir: string; input: string; reports: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'leash-tui-contain-'));
  dirs.push(dir);
  const input = join(dir, 'account.json');
  writeFileSync(input, JSON.stringify(exportOf({
    roles: [
      { name: 'agent-role', trust: trust({ Service: 'ec2.amazonaws.com' }), inline: [doc(allow(['ec2:*', 's3:*']))], tags: { 'ai-agent': 'true' } },
      { name: 'editor', trust: trust({ Service: 'ec2.amazonaws.com' }), inline: [doc(allow('iam:DeleteRolePolicy', arn(DEV, 'role', 'agent-role')))] },
    ],
  })));
  const reports = join(dir, 'reports');
  expect((await runCli(['scan', '--input', input, '--reports', reports, '--format', 'json', '--ci'])).code).toBeLessThan(2);
  return { dir, input, reports };
}

async function containFromTui(reports: string, cwd: string): Promise<string> {
  const report = await loadReport(await resolveReportPath('latest', { reportsRoot: reports }));
  const principal = report.principals.find((p) => p.name === 'agent-role')!;
  const folder = await defaultCallbacks(cwd).onContain(report, principal);
  return readFileSync(join(cwd, folder, 'README.md'), 'utf8');
}

describe('the TUI\'s c (contain) on a report made from an export', () => {
  it('decides who could remove the Deny from that export, as leash contain --report does', async () => {
    const { dir, input, reports } = await scanned();
    const readme = await containFromTui(reports, join(dir));
    expect(readme).toContain('- editor: iam:DeleteRolePolicy');
    expect(readme).toContain(`the export the report was made from, \`${input}\``);
    // The CLI on the same report: the same "Who can remove it" section.
    const r = await runCli(['contain', 'agent-role', '--reports', reports, '-o', join(dir, 'cli')]);
    expect(r.code, r.err).toBe(0);
    const [cliFolder] = readdirSync(join(dir, 'cli'));
    const section = (md: string) => md.slice(md.indexOf('## Who can remove it'), md.indexOf('\n## ', md.indexOf('## Who can remove it') + 1));
    expect(section(readme)).toBe(section(readFileSync(join(dir, 'cli', cliFolder!, 'README.md'), 'utf8')));
  });

  it('control: the export gone since the scan: not decided, and the README says why', async () => {
    const { dir, input, reports } = await scanned();
    rmSync(input);
    const readme = await containFromTui(reports, dir);
    expect(readme).toContain('Not decided: the export the report was made from could not be read again');
    expect(readme).not.toContain('- editor: iam:DeleteRolePolicy');
  });
});
