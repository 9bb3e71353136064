// The built CLI in a real terminal (tmux): what a security engineer does in the first minute.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../support/fixtures.js';
import { TmuxSession, tmuxAvailable, TMUX_SKIP_REASON } from '../support/tmux.js';
import { buildReport, FID } from './support.js';

// LEASH_E2E_CLI points these tests at another build of the CLI entry point.
const CLI = process.env.LEASH_E2E_CLI ?? join(repoRoot, 'dist/bundle/main.js');
const cliBuilt = existsSync(CLI);
const demoScanBuilt = existsSync(join(repoRoot, 'dist/src/pipeline/scan.js'));
const skipReason = !tmuxAvailable ? TMUX_SKIP_REASON : !cliBuilt ? `${CLI} not built (run \`npm run build\`)` : '';
const title = (name: string) => `${name}${skipReason ? ` (skipped: ${skipReason})` : ''}`;

let cwd: string;
let tmux: TmuxSession;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'leash-e2e-'));
  tmux = new TmuxSession();
});
afterEach(() => {
  tmux.kill();
  rmSync(cwd, { recursive: true, force: true });
});

function writeReport(): void {
  const dir = join(cwd, 'reports', '111122223333', '20261124T101500Z');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'report.json'), JSON.stringify(buildReport(), null, 2));
}

const leash = (args = '') => `node ${CLI}${args ? ` ${args}` : ''}`;

/** Fail fast, with the reason, when the built CLI cannot even start (e.g. a module missing from dist). */
function expectCliStarts(): void {
  const r = spawnSync('node', [CLI, '--version'], { encoding: 'utf8' });
  expect(r.status, `\`node ${CLI} --version\` failed:\n${r.stderr.split('\n').slice(0, 6).join('\n')}`).toBe(0);
}

describe.skipIf(skipReason !== '')(title('leash TUI in a real terminal'), () => {
  beforeAll(expectCliStarts);

  it('opens the newest report, drills into the agent and its fix, writes it, suppresses, quits with 0', async () => {
    writeReport();
    tmux.start({ command: leash(), cwd, columns: 80, rows: 24 });
    await tmux.waitFor('Riskiest agent: kiro-agent — CRITICAL');
    tmux.send('Enter');
    await tmux.waitFor('Granted by Statement[0] of AWS managed policy PowerUserAccess');
    tmux.send('Enter');
    await tmux.waitFor('allowed 16840 → 7');
    expect(tmux.screen()).toContain('✔ verified: 11 observed calls still allowed');
    tmux.send('Tab');
    tmux.send('Tab');
    await tmux.waitFor('data "aws_iam_policy_document" "kiro_agent"');
    tmux.send('w', true);
    await tmux.waitFor('Wrote policy.json, main.tf, apply.sh');
    expect(readdirSync(join(cwd, 'reports/fixes/role-kiro-agent/replace-policy')).sort()).toEqual(['apply.sh', 'main.tf', 'policy.json']);

    tmux.send('Escape');
    await tmux.waitFor('❯ CRITICAL kiro-agent can run 4');
    tmux.send('s', true);
    await tmux.waitFor('Reason to suppress (required):');
    tmux.send('approved sandbox, ticket SEC-42', true);
    tmux.send('Enter');
    await tmux.waitFor('Expires (YYYY-MM-DD, empty = never):');
    tmux.send('Enter');
    await tmux.waitFor('recorded in leash.suppressions.yaml');
    const file = parse(readFileSync(join(cwd, 'leash.suppressions.yaml'), 'utf8')) as { suppressions: { findingId: string; reason: string }[] };
    expect(file.suppressions).toEqual([expect.objectContaining({ findingId: FID('f-kiro-destructive'), reason: 'approved sandbox, ticket SEC-42' })]);

    tmux.send('q', true);
    expect(await tmux.waitForExit()).toBe(0);
  });

  it('navigates the principal list with search', async () => {
    writeReport();
    tmux.start({ command: leash(), cwd, columns: 100, rows: 30 });
    await tmux.waitFor('Riskiest agent');
    tmux.send('p', true);
    await tmux.waitFor('5 of 5');
    tmux.send('/', true);
    tmux.send('claude', true);
    await tmux.waitFor('1 of 5');
    tmux.send('Enter');
    tmux.send('Enter');
    await tmux.waitFor('claude-code-dev can escalate via iam:PassRole');
    tmux.send('Enter');
    await tmux.waitFor('✘ NOT safe: would deny s3:PutObject');
    tmux.send('q', true);
    expect(await tmux.waitForExit()).toBe(0);
  });

  it('honours NO_COLOR: no colour escapes at all, while the same screen is coloured without it', async () => {
    writeReport();
    const colourSgr = /\u001B\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7]|38;[0-9;]+)m/;
    tmux.start({ command: leash(), cwd, env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    await tmux.waitFor('Riskiest agent');
    expect(tmux.screen(true)).not.toMatch(colourSgr);
    tmux.send('q', true);
    await tmux.waitForExit();
    tmux.kill();

    tmux = new TmuxSession();
    tmux.start({ command: leash(), cwd, env: { FORCE_COLOR: '1' } });
    await tmux.waitFor('Riskiest agent');
    expect(tmux.screen(true)).toMatch(colourSgr);
  });

  it('a broken report is an error naming the file and JSON path, exit 2', async () => {
    writeFileSync(join(cwd, 'bad.json'), JSON.stringify({ ...buildReport(), principals: 'none' }));
    tmux.start({ command: leash('tui --report bad.json'), cwd });
    const code = await tmux.waitForExit();
    expect(tmux.transcript()).toContain('leash: bad.json at $.principals: expected an array');
    expect(code).toBe(2);
  });

  it('runs React\'s production build, whatever NODE_ENV the shell has (the development build cost 0.4–2 s a key at 10k principals)', async () => {
    writeReport();
    // Which React modules the process executed (the ESM loader also lists, unloaded, the branch it skipped).
    writeFileSync(join(cwd, 'react-build.mjs'), [
      "import { createRequire } from 'node:module';",
      "import { writeFileSync } from 'node:fs';",
      'const require = createRequire(import.meta.url);',
      "process.on('exit', () => writeFileSync('react-build.txt', Object.keys(require.cache).filter((k) => /[\\\\/]react[\\\\/]cjs[\\\\/]/.test(k) && require.cache[k].loaded).join('\\n')));",
    ].join('\n'));
    for (const env of [{}, { NODE_ENV: 'development' }]) {
      tmux.kill();
      tmux = new TmuxSession();
      rmSync(join(cwd, 'react-build.txt'), { force: true });
      tmux.start({ command: `node --import ./react-build.mjs ${CLI} tui`, cwd, env });
      await tmux.waitFor('Riskiest agent: kiro-agent');
      tmux.send('q', true);
      expect(await tmux.waitForExit()).toBe(0);
      const loaded = readFileSync(join(cwd, 'react-build.txt'), 'utf8');
      expect(loaded).toMatch(/react\.production\.js/);
      expect(loaded).not.toMatch(/development/);
    }
  });

  it('without a terminal, `leash` prints a one-line hint on stderr to use `leash scan` and exits 0', () => {
    const r = spawnSync('node', [CLI], { cwd, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(''); // stdout stays clean for pipes
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('use `leash scan`');
    const explicit = spawnSync('node', [CLI, 'tui'], { cwd, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    expect(explicit.status).toBe(2);
  });
});

const demoSkip = skipReason || (!demoScanBuilt ? 'dist/src/pipeline/scan.js not built: the demo scan is not available in this build' : '');
describe.skipIf(demoSkip !== '')(`leash TUI on the real demo scan${demoSkip ? ` (skipped: ${demoSkip})` : ''}`, () => {
  beforeAll(expectCliStarts);

  it('a new user finds the demo agent role’s destructive-access finding and its fix from the overview', async () => {
    execFileSync('node', [CLI, 'scan', '--demo', '--fixes', '--output', join(cwd, 'reports/demo/x')], { cwd, stdio: 'pipe' });
    tmux.start({ command: leash(), cwd, columns: 80, rows: 24 });
    await tmux.waitFor(/Riskiest agent: \S+ — CRITICAL/);
    tmux.send('Enter');
    // With the demo inventory the title names what it can delete ("can delete 4 production stacks…").
    await tmux.waitFor(/❯ CRITICAL .*(destructive|can delete)/);
    tmux.send('Enter');
    // The destructive-access finding is resolved by several fixes: a chooser lists them.
    await tmux.waitFor(/Fixes for: .*(destructive|can delete)/);
    tmux.send('Enter');
    await tmux.waitFor(/Fix .*\n.*allowed \d+ → \d+/);
    tmux.send('q', true);
    expect(await tmux.waitForExit()).toBe(0);
  });

  it('`leash tui --demo` (and --input) scans first and opens the overview: the bundle carries the pipeline', async () => {
    tmux.start({ command: leash('tui --demo'), cwd, columns: 100, rows: 30 });
    await tmux.waitFor('Riskiest agent: kiro-agent — CRITICAL', 60_000);
    expect(tmux.screen()).toContain('Scanning the demo account');
    tmux.send('q', true);
    expect(await tmux.waitForExit()).toBe(0);
    expect(tmux.transcript()).not.toContain('no scan pipeline');

    // Control, and bad input: an export that does not exist, malformed JSON or a directory ends
    // the TUI with the message `leash scan` gives, and exit 2.
    writeFileSync(join(cwd, 'bad.json'), '{"UserDetailList": [');
    mkdirSync(join(cwd, 'adir'));
    for (const [arg, message] of [
      ['missing.json', 'leash: missing.json: expected an authorization-details JSON file, got no such file'],
      ['bad.json', 'leash: bad.json at line 1, column 21: expected valid JSON'],
      ['adir', 'leash: adir: expected an authorization-details JSON file, got a directory'],
    ] as const) {
      tmux.kill();
      tmux = new TmuxSession();
      tmux.start({ command: leash(`tui --input ${arg}`), cwd, columns: 100, rows: 30 });
      expect(await tmux.waitForExit(60_000)).toBe(2);
      expect(tmux.transcript()).toContain(message);
    }
  }, 120_000);
});
