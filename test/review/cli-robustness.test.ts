// Review r2: every input path fails with file + place + expectation, exit 2, and no damage.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCli } from '../support/cli.js';
import { demoDir } from '../../src/pipeline/paths.js';
import { loadConfig } from '../../src/config/config.js';
import { parseReport } from '../../src/report/history.js';

const tmp = mkdtempSync(join(tmpdir(), 'leash-r2-'));
const demoAuth = join(demoDir, 'authorization-details.json');
const demoText = readFileSync(demoAuth, 'utf8');
let n = 0;
const file = (name: string, content: string | Buffer): string => {
  const p = join(tmp, `${n++}-${name}`);
  writeFileSync(p, content);
  return p;
};
const dir = (name: string): string => {
  const p = join(tmp, `${n++}-${name}`);
  mkdirSync(p, { recursive: true });
  return p;
};

/** main() as `node main.js …` runs it: the exit code it returns, and what it printed. */
async function runMain(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => { out += String(c); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => { err += String(c); return true; });
  process.exitCode = 0;
  try {
    const code = await main(['node', 'leash', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = 0;
  }
}

afterEach(() => { process.exitCode = 0; });

describe('usage errors exit 2, never 1 (which means "findings")', () => {
  it.each([
    [['frob'], /unknown command 'frob'/],
    [['scan', '--frob'], /unknown option '--frob'/],
    [['scan', '--demo', '--fail-on', 'severe'], /'severe' is invalid/],
    [['fix'], /required option '--principal <arn>'/],
    [['scan', '--demo', '--mode', 'lax'], /'lax' is invalid/],
  ])('%j', async (args, message) => {
    const r = await runMain(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('help and --version still exit 0, and `leash help scan` shows the scan help', async () => {
    expect((await runMain(['--version'])).code).toBe(0);
    const h = await runMain(['help', 'scan']);
    expect(h.code).toBe(0);
    expect(h.out).toContain('Usage: leash scan');
  });

  it('--fail-on-new without --fail-on is refused instead of never failing', async () => {
    const r = await runCli(['scan', '--demo', '--fail-on-new', '--reports', dir('r'), '--ci']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--fail-on-new: expected to be used with --fail-on/);
  });
});

describe('--output never destroys what is not a leash bundle', () => {
  it('refuses a directory holding other files, and leaves them alone', async () => {
    const d = dir('project');
    writeFileSync(join(d, 'important.txt'), 'keep me');
    const r = await runCli(['scan', '--demo', '--output', d, '--ci']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(d);
    expect(r.err).toMatch(/expected an empty directory or an earlier leash bundle.*important\.txt/);
    expect(readFileSync(join(d, 'important.txt'), 'utf8')).toBe('keep me');
    expect(readdirSync(d)).toEqual(['important.txt']);
  });

  it('refuses an existing file', async () => {
    const f = file('notes.txt', 'hello');
    const r = await runCli(['scan', '--demo', '--output', f, '--ci']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/expected a directory for the report bundle \(--output\), got an existing file/);
    expect(readFileSync(f, 'utf8')).toBe('hello');
  });

  it('still replaces an earlier bundle', async () => {
    const d = join(dir('out'), 'bundle');
    expect((await runCli(['scan', '--demo', '--output', d, '--format', 'json', '--ci'])).code).toBe(0);
    expect((await runCli(['scan', '--demo', '--output', d, '--format', 'md', '--fixes', '--ci'])).code).toBe(0);
    expect(readdirSync(d).sort()).toEqual(['.leash-bundle', 'fixes', 'summary.md']);
  });

  it('an unwritable --reports names the directory and exits 2', async () => {
    const f = file('plain', 'x');
    const r = await runCli(['scan', '--demo', '--reports', join(f, 'sub'), '--ci']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/expected a writable directory for the report \(--reports\)/);
  });
});

describe('authorization-details input', () => {
  it('reads a file with a UTF-8 BOM and UTF-16 from Windows PowerShell', async () => {
    const bom = file('bom.json', `\uFEFF${demoText}`);
    const u16 = file('u16.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(demoText, 'utf16le')]));
    for (const f of [bom, u16]) {
      const r = await runCli(['scan', '--input', f, '--reports', dir('r'), '--json', '--ci']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out).summary.principals).toBe(JSON.parse(demoText).RoleDetailList.length + JSON.parse(demoText).UserDetailList.length);
    }
  });

  it('says "expected a string, got 42" (not "expected expected …") and masks keys quoted from the input', async () => {
    const d = JSON.parse(demoText);
    d.RoleDetailList[1].RoleName = 42;
    const r = await runCli(['scan', '--input', file('t.json', JSON.stringify(d)), '--reports', dir('r'), '--ci']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/at \$\.RoleDetailList\[1\]\.RoleName: expected a string, got 42/);
    d.RoleDetailList[1].RoleName = 'x';
    d.RoleDetailList[1].Path = ['AKIAIOSFODNN7EXAMPLE'];
    d.UserDetailList[0].UserName = 'AKIAIOSFODNN7EXAMPLE';
    d.UserDetailList[0].Arn = 7;
    const s = await runCli(['scan', '--input', file('s.json', JSON.stringify(d)), '--reports', dir('r'), '--ci']);
    expect(s.code).toBe(2);
    expect(s.err).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });

  it('a bad policy inside a good export: report written, exit 2, and stderr says why', async () => {
    const d = JSON.parse(demoText);
    d.RoleDetailList[2].RolePolicyList = [{ PolicyName: 'x', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 5, Resource: '*' }] } }];
    const r = await runCli(['scan', '--input', file('p.json', JSON.stringify(d)), '--reports', dir('r'), '--json']);
    expect(r.code).toBe(2);
    expect(() => JSON.parse(r.out) as unknown).not.toThrow();
    expect(r.err).toMatch(/1 input error\(s\).*\$\.RoleDetailList\[2\]\.RolePolicyList\[0\]\.PolicyDocument\.Statement\[0\]\.Action/);
  });
});

describe('CloudTrail and last-accessed paths named on the command line', () => {
  it('a missing --cloudtrail path exits 2 before anything is written', async () => {
    const reports = join(tmp, `${n++}-none`);
    const r = await runCli(['scan', '--demo', '--cloudtrail', join(tmp, 'no-such-dir'), '--reports', reports, '--ci']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no-such-dir: expected a CloudTrail file or directory/);
    expect(existsSync(reports)).toBe(false);
  });

  it('a directory with no log files is an input error, not silent "no usage"', async () => {
    const d = dir('ct');
    writeFileSync(join(d, 'README.txt'), 'x');
    const r = await runCli(['scan', '--demo', '--cloudtrail', d, '--reports', dir('r'), '--ci']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/expected CloudTrail \.json or \.json\.gz files, found none \(1 other file\(s\) skipped\)/);
  });

  it('--last-accessed: a missing file or a directory exits 2; invalid JSON names line and column', async () => {
    const arn = 'arn:aws:iam::111122223333:role/kiro-agent';
    const missing = await runCli(['scan', '--demo', '--last-accessed', `${join(tmp, 'nope.json')}@${arn}`, '--reports', dir('r'), '--ci']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope\.json: expected the output of `aws iam get-service-last-accessed-details`.*got no such file/);
    const d = dir('la-dir');
    expect((await runCli(['scan', '--demo', '--last-accessed', `${d}@${arn}`, '--reports', dir('r'), '--ci'])).err).toMatch(/got a directory/);
    const bad = file('la.json', '{\n  "JobStatus": "COMPLETED",\n  "ServicesLastAccessed": [\n');
    const r = await runCli(['scan', '--demo', '--last-accessed', `${bad}@${arn}`, '--reports', dir('r'), '--ci']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/la\.json at line 4 column 1: invalid JSON/);
  });
});

describe('leash.config.yaml', () => {
  const cfg = (text: string) => file('leash.config.yaml', text);
  it.each([
    ['a typo in a key', 'checks:\n  unusedRoleDays: 3\n  maxSessionSecond: 100\n', /line 3, \$\.checks: expected only known keys .*got unknown key "maxSessionSecond"/],
    ['an unknown approval condition', 'approval:\n  condition: approval-sesion-tag\n', /line 2, \$\.approval\.condition: expected one of "mfa-present".*got "approval-sesion-tag"/],
    ['an undefined profile', 'baseline:\n  principals:\n    - match: kiro-*\n      profile: nope\n', /line 4, \$\.baseline\.principals\[0\]\.profile: expected a profile defined under baseline\.profiles/],
    ['an unknown check id', 'checks:\n  disabled: [unused-roles]\n', /line 2, \$\.checks\.disabled\[0\]: expected a check id \(.*unused-role.*\), got "unused-roles"/],
    ['a bad regex', 'agents:\n  namePatterns: ["(x"]\n', /line 2, \$\.agents\.namePatterns\[0\]: expected a regular expression in RE2 syntax .*refused: missing closing \).*got "\(x"/],
    ['a wrong type', 'checks:\n  unusedRoleDays: ninety\n', /line 2, \$\.checks\.unusedRoleDays: expected a number, got "ninety"/],
    ['an unquoted account id', 'accounts:\n  - id: 111122223333\n    roleArn: x\n', /expected a 12-digit account id in quotes/],
    ['tabs', 'checks:\n\tunusedRoleDays: 3\n', /line 2, column 1: expected valid YAML, got Tabs are not allowed as indentation$/],
  ])('%s', (_name, text, message) => {
    const p = cfg(text);
    expect(() => loadConfig(p)).toThrow(message);
    expect(() => loadConfig(p)).toThrow(p);
  });

  it('still loads the demo config and a valid one with every section', () => {
    expect(loadConfig(join(demoDir, 'leash.config.yaml')).baseline.windowDays).toBe(30);
    const ok = loadConfig(cfg('agents:\n  namePatterns: ["^ml-"]\nbaseline:\n  profiles:\n    ro: { allow: ["logs:Get*"] }\n  principals:\n    - match: kiro-*\n      profile: ro\napproval:\n  condition: mfa-recent\nchecks:\n  disabled: [unused-role]\n'));
    expect([ok.approval.condition, ok.baseline.principals[0]!.profile, ok.checks.disabled]).toEqual(['mfa-recent', 'ro', ['unused-role']]);
  });

  it('a directory given as --config is named as such', async () => {
    const r = await runCli(['scan', '--demo', '--config', dir('cfgdir'), '--reports', dir('r'), '--ci']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/expected a leash\.config\.yaml file, got a directory/);
  });
});

describe('report.json readers', () => {
  it('invalid JSON names the line and column; a BOM is accepted', async () => {
    expect(() => parseReport('{\n  "schemaVersion": "1.0.0",\n  oops', 'r.json')).toThrow(/r\.json at line 3 column 3: expected a JSON report/);
    const reports = dir('r');
    await runCli(['scan', '--demo', '--reports', reports, '--ci']);
    const r = await runCli(['report', '--reports', reports]);
    expect(r.code).toBe(0);
  });

  it('latest with no scans says so rather than asking for --account', async () => {
    const r = await runCli(['diff', 'previous', 'latest', '--reports', dir('empty')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/expected a scan under .* \(run `leash scan` first.*got no scans there/);
  });

  it('explain of a finding-like id says the report could not be read', async () => {
    const bad = file('report.json', '{');
    const r = await runCli(['explain', 'deadbeef', '--report', bad]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/got "deadbeef"; the report for finding ids could not be read: .*report\.json at line 1 column 2/);
  });
});
