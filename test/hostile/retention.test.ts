// Retention on `scan` (issue 13 item) and stale temp folders (issue 10): nothing rollback needs,
// and nothing leash did not write, is ever deleted.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { demoDir } from '../../src/pipeline/paths.js';

afterEach(() => { process.exitCode = 0; });
const input = join(demoDir, 'authorization-details.json');
const ACCOUNT = '111122223333';
const scansOf = (reports: string) => readdirSync(join(reports, ACCOUNT)).filter((n) => /^\d{4}-/.test(n)).sort();

describe('scan --keep', () => {
  it('deletes old scans but never one holding an apply.sh backup', async () => {
    const reports = join(mkdtempSync(join(tmpdir(), 'leash-keep-')), 'reports');
    for (let i = 0; i < 3; i++) expect((await runCli(['scan', '--input', input, '--fixes', '--reports', reports, '--ci'])).code).toBe(0);
    const [oldest, middle] = scansOf(reports);
    const fixDir = join(reports, ACCOUNT, oldest!, 'fixes', 'role-kiro-agent');
    mkdirSync(join(fixDir, 'backup-20261201T000000Z'));
    writeFileSync(join(fixDir, 'backup-20261201T000000Z', 'get-role.json'), '{}');
    const r = await runCli(['scan', '--input', input, '--fixes', '--reports', reports, '--ci', '--keep', '1']);
    expect(r.code, r.err).toBe(0);
    const left = scansOf(reports);
    expect(left).toContain(oldest);           // kept: rollback needs its backup and apply.sh
    expect(left).not.toContain(middle);       // negative control: an ordinary old scan goes
    expect(left).toHaveLength(2);
    expect(existsSync(join(fixDir, 'backup-20261201T000000Z', 'get-role.json'))).toBe(true);
    expect(existsSync(join(fixDir, 'apply.sh'))).toBe(true);
  });

  it('cleans temp folders of killed scans at the next scan, only those leash recognises', async () => {
    const reports = join(mkdtempSync(join(tmpdir(), 'leash-stale-')), 'reports');
    expect((await runCli(['scan', '--input', input, '--reports', reports, '--ci'])).code).toBe(0);
    const root = join(reports, ACCOUNT);
    const dead = 2 ** 22 + 12345; // above pid_max defaults: no such process
    const killed = join(root, `.leash-tmp-2026-11-24T03-00-00.000Z-${dead}-abc123`);
    mkdirSync(killed);
    writeFileSync(join(killed, '.leash-bundle'), '{}');
    writeFileSync(join(killed, 'report.json'), '{}');
    const foreign = join(root, `.leash-tmp-mine-${dead}-zzz`);
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'not leash');
    expect((await runCli(['scan', '--input', input, '--reports', reports, '--ci'])).code).toBe(0);
    expect(existsSync(killed)).toBe(false);
    expect(existsSync(join(foreign, 'notes.txt'))).toBe(true);
  });
});
