// Boundary groups (fix/group.ts): principals whose fix attaches a shared boundary (and, for a
// role, maybe replaces its trust policy) share one folder, fixes/attach-<boundary>/. Proven on a
// scanned account whose roles carry hostile names: who is grouped and who is not (a role with a
// session-length fix keeps its own folder), each member's trust document, the README's table and
// anchors (fixReasonsFile lands on one), and the group's apply.sh run under bash with `aws`
// stubbed: exact names, trust only where planned, --only, a refused --only, per-principal backups
// and rollback of each.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { PrincipalFixPlan } from '../../src/fix/plan.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import { groupDirName, groupedBoundary, groupFiles, groupTrustFiles, iamPath, sayOnce, type GroupInput } from '../../src/fix/group.js';
import { createHash } from 'node:crypto';
import { fixDirName, fixFiles, fixReasonsFile, writeFixPlans } from '../../src/fix/write.js';
import { runScanWithFixes } from '../../src/pipeline/scan.js';
import { inspectBundle } from '../../src/report/bundle.js';
import { runCli } from '../support/cli.js';
import { awsStub, RAW_ESCAPE } from '../support/aws-stub.js';
import { fmtCheck, terraformAvailable } from '../support/terraform.js';
import { unescapeTemplate } from './render/support.js';
import { parse } from '@cdktf/hcl2json';

const ACCOUNT = '111122223333';
// Roles trusted by EC2 keep their trust policy (no source condition applies) and, with no usage,
// get only the shared boundary: these are grouped.
const HOSTILE = [
  '..',
  '$(touch pwned-subst)',
  '`touch pwned-backtick`',
  `it's "quoted" \\ back | pipe`,
  'line-one\nline-two; touch pwned-newline',
  'title\u001b]0;pwned\u0007\u009b31m\u202e',
  '# heading',
  'x'.repeat(300),
  'plain-agent',
];
// Trusted by Bedrock with no source condition: the same boundary plus a tighter trust policy; grouped too.
const TRUSTED = ['bedrock-agent', "trust $(touch pwned-trust) 'q' `x`", 'trust\nnewline; touch pwned-trust-nl', 'трест-ünï😀\u202e'];
// Two services, so the four get two distinct new trust documents (a file each, shared by two roles).
const TRUSTED_BY = ['bedrock.amazonaws.com', 'lambda.amazonaws.com'];
// Negative control: also a session-length fix (12 h → 1 h), so a folder of its own.
const SESSION_FIXED = 'bedrock-long-session';

function role(name: string, i: number, service: string, maxSession = 3600): Record<string, unknown> {
  return {
    Path: '/', RoleName: name, RoleId: `AROA${String(i).padStart(17, '0')}`, Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, CreateDate: '2025-09-01T09:00:00Z',
    AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] },
    InstanceProfileList: [], AttachedManagedPolicies: [], Tags: [{ Key: 'ai-agent', Value: 'true' }], MaxSessionDuration: maxSession,
    RolePolicyList: [{ PolicyName: `p-${i}`, PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'iam:PassRole'], Resource: '*' }] } }],
  };
}

// plain-agent had a boundary before (put back on rollback); every role's trust policy as read is OLD_TRUST.
const OLD_TRUST = '{"Version": "2012-10-17", "Statement": [{"Sid": "old-trust"}]}';
const STUB = awsStub(ACCOUNT, [
  `*"role-name plain-agent --query Role.PermissionsBoundary"*) echo arn:aws:iam::${ACCOUNT}:policy/old-boundary ;;`,
  // BOUNDARY_NOW / TRUST_NOW: a change someone made after apply.sh (the rollback must keep it).
  '*"--query Role.PermissionsBoundary"*) echo "${BOUNDARY_NOW:-None}" ;;',
  `*"--query Role.AssumeRolePolicyDocument"*) if [ -n "\${TRUST_NOW:-}" ]; then echo "$TRUST_NOW"; else echo '${OLD_TRUST}'; fi ;;`,
  '*"--query PolicyNames"*) echo p-1 ;;',
]);

let root: string;
let fixes: string;
let groupDir: string;
let bin: string;
let input: string;
/** Each trust member's trust.json as its own folder would hold it (fixFiles), by role name. */
let ownTrust: Map<string, string>;
/** Where the group keeps a trust member's document: trust/trust-<12 hex of the text's sha256>.json. */
const groupTrustFile = (name: string): string => `trust/trust-${createHash('sha256').update(ownTrust.get(name)!).digest('hex').slice(0, 12)}.json`;

function files(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** Runs the group's apply.sh with the stub; returns its exit code, stderr and every aws argv. */
function run(script: string, args: string[], env: Record<string, string> = {}): { status: number | null; stderr: string; stdout: string; calls: string[][] } {
  const log = mkdtempSync(join(root, 'argv-'));
  const r = spawnSync('bash', [script, ...args], { cwd: join(root, 'cwd'), env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, AWS_ARGV_DIR: log, ...env }, encoding: 'utf8' });
  const calls = readdirSync(log).sort().map((f) => readFileSync(join(log, f), 'utf8').split('\0').slice(0, -1));
  rmSync(log, { recursive: true });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout, calls };
}
const changes = (calls: string[][]) => calls.filter((a) => /^(put|delete|create|attach|detach|update)-/.test(a[1] ?? ''));
const namesOf = (calls: string[][]) => calls.flatMap((a) => a.flatMap((x, i) => (x === '--role-name' ? [a[i + 1]!] : [])));
const trustUpdates = (calls: string[][]) => calls.filter((a) => a[1] === 'update-assume-role-policy');
/** The file an update-assume-role-policy call reads (its file:// argument). */
const docOf = (call: string[]) => call[call.indexOf('--policy-document') + 1]!.replace(/^file:\/\//, '');
const roleDir = (name: string) => fixDirName({ principalName: name, target: { principalKind: 'role' } as PrincipalFixPlan['target'] });
const GROUPED = [...HOSTILE, ...TRUSTED];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'leash-group-'));
  input = join(root, 'account.json');
  writeFileSync(input, JSON.stringify({ UserDetailList: [], GroupDetailList: [], Policies: [], RoleDetailList: [...HOSTILE.map((n, i) => role(n, i, 'ec2.amazonaws.com')), ...TRUSTED.map((n, i) => role(n, 40 + i, TRUSTED_BY[i % 2]!)), role(SESSION_FIXED, 50, 'bedrock.amazonaws.com', 43200)] }));
  const r = await runCli(['scan', '--input', input, '--fixes', '--output', join(root, 'bundle'), '--ci']);
  expect(r.code, r.err).toBe(0);
  fixes = join(root, 'bundle', 'fixes');
  const groups = readdirSync(fixes).filter((e) => e.startsWith('attach-'));
  expect(groups).toHaveLength(1);
  groupDir = join(fixes, groups[0]!);
  bin = join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'aws'), STUB);
  chmodSync(join(bin, 'aws'), 0o755);
  mkdirSync(join(root, 'cwd'));
  const { fixPlans } = await runScanWithFixes({ input, fixes: true });
  ownTrust = new Map(TRUSTED.map((n) => [n, fixFiles(fixPlans.find((p) => p.principalName === n)!).find((f) => f.path === 'trust.json')!.content]));
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('boundary group folder', () => {
  it('holds every grouped principal, and only them, with each trust document; a session-length fix keeps its own folder', async () => {
    const manifest = JSON.parse(readFileSync(join(fixes, '.leash-fixes'), 'utf8')) as { folders: Record<string, { principalArn: string; files: string[]; principals?: string[] }> };
    const entry = manifest.folders[relative(fixes, groupDir)]!;
    expect(entry.principalArn).toMatch(new RegExp(`^arn:aws:iam::${ACCOUNT}:policy/leash-boundary-[0-9a-f]{12}$`));
    // One file per distinct document: members given the same one share it.
    const trustFiles = [...new Set(TRUSTED.map((n) => groupTrustFile(n)))].sort();
    expect(trustFiles.length).toBe(new Set(ownTrust.values()).size);
    expect(entry.files.sort()).toEqual(['README.md', 'apply.sh', 'main.tf', ...trustFiles].sort());
    expect([...entry.principals!].sort()).toEqual(GROUPED.map((n) => `arn:aws:iam::${ACCOUNT}:role/${n}`).sort());
    expect(files(groupDir)).toEqual(['README.md', 'apply.sh', 'main.tf', ...trustFiles].sort());
    // Each member's trust document is byte for byte the trust.json its own folder would have had.
    const { fixPlans } = await runScanWithFixes({ input, fixes: true });
    for (const n of TRUSTED) {
      const own = fixFiles(fixPlans.find((p) => p.principalName === n)!).find((f) => f.path === 'trust.json')!;
      expect(readFileSync(join(groupDir, groupTrustFile(n)), 'utf8')).toBe(own.content);
    }
    // Negative control: the role with a session-length fix too has its own folder (trust.json and all), not the group.
    const own = Object.entries(manifest.folders).filter(([, e]) => e.principals === undefined);
    expect(own.map(([, e]) => e.principalArn)).toEqual([`arn:aws:iam::${ACCOUNT}:role/${SESSION_FIXED}`]);
    expect(readdirSync(join(fixes, own[0]![0]))).toContain('trust.json');
    expect(readFileSync(join(groupDir, 'README.md'), 'utf8')).not.toContain(SESSION_FIXED);
    // The shared boundary's README points each member at the group folder.
    const boundaryReadme = readFileSync(join(fixes, 'boundaries', entry.principalArn.split('/').pop()!, 'README.md'), 'utf8');
    expect(boundaryReadme.match(new RegExp(`\\.\\./\\.\\./${relative(fixes, groupDir)}/`, 'g'))).toHaveLength(GROUPED.length);
    // The bundle holds nothing foreign: trust/ is the group's; a file leash did not write there is foreign.
    expect(inspectBundle(join(root, 'bundle')).foreign).toEqual([]);
    writeFileSync(join(groupDir, 'trust', 'notes.txt'), 'mine');
    expect(inspectBundle(join(root, 'bundle')).foreign).toEqual([`fixes/${relative(fixes, groupDir)}/trust/notes.txt`]);
    rmSync(join(groupDir, 'trust', 'notes.txt'));
  }, 60_000);

  it('README: one table row and one anchored section per principal, each trust change shown; hostile names stay text', () => {
    const readme = readFileSync(join(groupDir, 'README.md'), 'utf8');
    expect(readme).not.toMatch(RAW_ESCAPE);
    const rows = readme.split('\n').filter((l) => l.startsWith('| [') && l.includes('](#fix-role-'));
    expect(rows).toHaveLength(GROUPED.length);
    // Every row has the table's 8 cells: a name's pipe or newline does not add one.
    for (const r of rows) expect(r.replace(/\\\|/g, '').split('|').length - 2).toBe(8);
    // The third cell is the principal's path (the ARN is the title's account plus kind, path, name).
    expect(readme).toContain('| principal | kind | path | allowed |');
    for (const r of rows) expect(r.split(' | ')[2]).toBe('`/`');
    // The trust column links each trust member's own document, and says "unchanged" for the others.
    for (const n of GROUPED) {
      const row = rows.find((r) => r.includes(`](#fix-${roleDir(n)})`))!;
      if (TRUSTED.includes(n)) expect(row).toMatch(new RegExp(`\\| \\[replaced\\]\\(${groupTrustFile(n).replace(/[.+]/g, '\\$&')}\\) \\(unverified\\) \\|$`));
      else expect(row.endsWith('| unchanged |')).toBe(true);
    }
    const anchors = [...readme.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]!);
    expect(new Set(anchors).size).toBe(anchors.length);
    // Headings are leash's: a name starting with `#` is escaped, never a heading of its own.
    const named = readme.split('\n').filter((l) => /^#+ /.test(l) && l.includes('heading'));
    expect(named.length).toBeGreaterThan(0);
    for (const l of named) expect(l).toContain('\\# heading');
    expect(readme).not.toMatch(/^#+ heading/m);
    // What every member's section says alike is said once, before the sections; what is each one's own stays there.
    const [head = '', ...sections] = readme.split(/^<a id="fix-role-[^"]*"><\/a>$/m).filter((x, i) => i === 0 || !x.startsWith('\n\n### Why'));
    expect(head).toContain('## What every principal here has in common');
    expect(head.match(/^Baseline: /gm)).toHaveLength(1);
    expect(readme.match(/^Baseline: /gm)).toHaveLength(1);
    expect(sections).toHaveLength(GROUPED.length);
    // Each trust member's section names its own document.
    const trusted = sections.filter((s) => /^Trust policy: replaced by \[trust\/trust-[0-9a-f]{12}\.json\]\(trust\/trust-[0-9a-f]{12}\.json\), which apply\.sh here applies after the boundary\.$/m.test(s));
    expect(trusted).toHaveLength(TRUSTED.length);
    for (const n of TRUSTED) expect(trusted.some((s) => s.includes(`](${groupTrustFile(n)})`))).toBe(true);
    for (const s of sections) expect(s).toMatch(/^Principal: `arn:aws:iam::111122223333:role\//m);
    // What every member of a class says alike (the EC2 roles' trust note; the Bedrock roles' trust fix text) is said once for the class.
    expect(head).toContain(`## What every principal here whose trust policy is unchanged (${HOSTILE.length}) also has in common`);
    expect(head).toContain(`## What every principal here with a trust change (${TRUSTED.length}) also has in common`);
    expect(readme.match(/^### Trust policy left as is$/gm)).toHaveLength(1);
    for (const s of sections) expect(s).not.toContain('Trust policy left as is');
    // The two services' trust fixes differ, so each trust member's section keeps its own (and names its service).
    expect(head).not.toMatch(/^Kind: trust-policy/m);
    expect(readme.match(/^Kind: trust-policy\. /gm)).toHaveLength(TRUSTED.length);
    for (const service of TRUSTED_BY) expect(readme.match(new RegExp(`^Kind: trust-policy\\. Statement 0: ${service.replace(/\./g, '\\.')} `, 'gm'))).toHaveLength(TRUSTED.length / 2);
  });

  it('main.tf: one line per member (its new trust policy, the trust/ document; or today\'s, never written), import and resources with for_each; fmt-clean', async () => {
    const tf = readFileSync(join(groupDir, 'main.tf'), 'utf8');
    expect(tf).not.toMatch(RAW_ESCAPE);
    const parsed = await parse('main.tf', tf);
    const locals = Object.assign({}, ...parsed.locals) as Record<string, Record<string, string>>;
    const newTrust = Object.entries(Object.entries(locals).find(([k]) => k.endsWith('_roles_new_trust'))![1]);
    const sameTrust = Object.entries(Object.entries(locals).find(([k]) => k.endsWith('_roles_same_trust'))![1]);
    expect(Object.keys(locals).some((k) => k.endsWith('_users'))).toBe(false);
    // Every grouped role exactly once (a line each), in the class its fix puts it; the session-length role not at all.
    expect(newTrust.map(([k]) => unescapeTemplate(k)).sort()).toEqual([...TRUSTED].sort());
    expect(sameTrust.map(([k]) => unescapeTemplate(k)).sort()).toEqual([...HOSTILE].sort());
    expect(tf.split('\n').filter((l) => /^ {4}"/.test(l))).toHaveLength(GROUPED.length);
    expect(tf).not.toContain(SESSION_FIXED);
    // A replaced trust policy is the document apply.sh applies (trust/<dir>.json), on one line; a kept one is today's.
    for (const [k, v] of newTrust) expect(JSON.parse(unescapeTemplate(v))).toEqual(JSON.parse(readFileSync(join(groupDir, groupTrustFile(unescapeTemplate(k))), 'utf8')));
    for (const [, v] of sameTrust) expect(JSON.parse(unescapeTemplate(v))).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    expect(parsed.import).toHaveLength(2);
    expect(Object.keys(parsed.resource.aws_iam_role)).toHaveLength(2);
    for (const r of Object.values(parsed.resource.aws_iam_role) as { lifecycle: { prevent_destroy: boolean; ignore_changes: string[] }[] }[][]) expect(r[0]!.lifecycle[0]!.prevent_destroy).toBe(true);
    expect(readFileSync(join(groupDir, 'README.md'), 'utf8')).toContain('`import` and resource blocks with `for_each`');
    expect(readFileSync(join(fixes, 'versions.tf'), 'utf8')).toContain('required_version = ">= 1.7"');
    if (terraformAvailable) {
      const d = mkdtempSync(join(root, 'tf-'));
      writeFileSync(join(d, 'main.tf'), tf);
      const r = fmtCheck(d);
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });

  it('fixReasonsFile of a grouped principal names the group README and an anchor there', async () => {
    const { fixPlans } = await runScanWithFixes({ input, fixes: true });
    const grouped = fixPlans.filter((p) => groupedBoundary(p) !== undefined);
    expect(grouped.map((p) => p.principalName).sort()).toEqual([...GROUPED].sort());
    for (const p of grouped) {
      const [file, anchor] = fixReasonsFile(p).split('#');
      expect(file).toBe(`${relative(fixes, groupDir)}/README.md`);
      expect(anchor).toBe(`fix-${fixDirName(p)}-why`);
    }
    const other = fixPlans.find((p) => p.principalName === SESSION_FIXED)!;
    expect(fixReasonsFile(other)).toBe(`${fixDirName(other)}/README.md#why-each-action-is-kept-gated-or-removed`);
  }, 60_000);

  it('apply.sh: a dry run contacts nothing; --apply attaches the boundary to each exact name and replaces the trust of the trust members only, backing each up', () => {
    const script = join(groupDir, 'apply.sh');
    expect(readFileSync(script, 'utf8')).not.toMatch(RAW_ESCAPE);
    const dry = run(script, []);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.calls).toEqual([]);
    // The dry run shows each trust change (and only those) without making it.
    expect(dry.stdout.match(/^\[dry run\] aws iam update-assume-role-policy /gm)).toHaveLength(TRUSTED.length);

    const before = files(root).filter((f) => !f.startsWith('bundle/'));
    const r = run(script, ['--apply']);
    expect(r.status, r.stderr).toBe(0);
    const puts = changes(r.calls).filter((a) => a[1] === 'put-role-permissions-boundary');
    expect(namesOf(puts).sort()).toEqual([...GROUPED].sort());
    expect(puts.every((a) => a.at(-1)!.startsWith(`arn:aws:iam::${ACCOUNT}:policy/leash-boundary-`))).toBe(true);
    expect(changes(r.calls).filter((a) => a[1] === 'create-policy')).toHaveLength(1);
    // Each trust member's trust policy from its own document, after its boundary; no other member's trust is touched.
    const updates = trustUpdates(r.calls);
    expect(namesOf(updates).sort()).toEqual([...TRUSTED].sort());
    for (const u of updates) {
      expect(docOf(u)).toBe(join(groupDir, groupTrustFile(u[3]!)));
      expect(r.calls.indexOf(u)).toBeGreaterThan(r.calls.findIndex((a) => a[1] === 'put-role-permissions-boundary' && a[3] === u[3]));
    }
    // Every name reached aws exactly; nothing ran from one; nothing was written outside the fix folders.
    for (const n of namesOf(r.calls)) expect(GROUPED).toContain(n);
    expect(files(root).filter((f) => !f.startsWith('bundle/'))).toEqual(before);
    const backups = readdirSync(groupDir).filter((e) => e.startsWith('backup-'));
    expect(backups).toHaveLength(1);
    const backup = join(groupDir, backups[0]!);
    expect(readdirSync(backup)).toHaveLength(GROUPED.length);
    // Each backup records the trust policy as read, and, for the trust members only, that this run replaced it.
    for (const n of GROUPED) {
      expect(readFileSync(join(backup, roleDir(n), 'trust-policy.json'), 'utf8').trim()).toBe(OLD_TRUST);
      expect(existsSync(join(backup, roleDir(n), 'trust-policy-applied.json')), n).toBe(TRUSTED.includes(n));
    }
    // The bundle counts the group's backup as one (retention keeps a scan holding it) and nothing as foreign.
    const inspected = inspectBundle(join(root, 'bundle'));
    // (The boundary's policy-id.txt, which apply.sh wrote when it created it, is kept the same way.)
    expect(inspected.backups.sort()).toEqual([`fixes/${relative(fixes, groupDir)}/${backups[0]}`, `fixes/boundaries/${readdirSync(join(fixes, 'boundaries')).find((e) => !e.startsWith('.'))}/policy-id.txt`]);
    expect(inspected.foreign).toEqual([]);
    rmSync(join(groupDir, backups[0]!), { recursive: true });
    // Negative control: the names really were hostile to a shell.
    expect(readdirSync(join(root, 'cwd'))).toEqual([]);
    spawnSync('bash', ['-c', `echo ${HOSTILE[1]}`], { cwd: join(root, 'cwd') });
    expect(existsSync(join(root, 'cwd', 'pwned-subst'))).toBe(true);
    rmSync(join(root, 'cwd', 'pwned-subst'));
  }, 120_000);

  it('--only applies to the principals named; an --only not in the group refuses before any aws call', () => {
    const script = join(groupDir, 'apply.sh');
    const r = run(script, ['--apply', '--only', `role/${HOSTILE[1]}`, `--only=role/${HOSTILE[4]}`, '--only', `role/${TRUSTED[1]}`]);
    expect(r.status, r.stderr).toBe(0);
    expect(namesOf(changes(r.calls).filter((a) => a[1] === 'put-role-permissions-boundary')).sort()).toEqual([HOSTILE[1], HOSTILE[4], TRUSTED[1]].sort());
    expect(namesOf(trustUpdates(r.calls))).toEqual([TRUSTED[1]]);
    const backup = readdirSync(groupDir).find((e) => e.startsWith('backup-'))!;
    expect(readdirSync(join(groupDir, backup))).toHaveLength(3);
    rmSync(join(groupDir, backup), { recursive: true });

    for (const only of [`role/${SESSION_FIXED}`, 'user/plain-agent', 'plain-agent', 'role/plain-agent2', `user/${TRUSTED[0]}`]) {
      const bad = run(script, ['--apply', '--only', 'role/plain-agent', '--only', only]);
      expect(bad.status, only).not.toBe(0);
      expect(bad.stderr).toContain('not a principal this script attaches the boundary to');
      expect(bad.calls).toEqual([]);
    }
    expect(readdirSync(groupDir).filter((e) => e.startsWith('backup-'))).toEqual([]);
  }, 120_000);

  it('--rollback puts back each principal of the backup (its saved boundary, or none, and its saved trust where replaced), --only some', () => {
    const script = join(groupDir, 'apply.sh');
    const applied = run(script, ['--apply']);
    expect(applied.status, applied.stderr).toBe(0);
    const backup = join(groupDir, readdirSync(groupDir).find((e) => e.startsWith('backup-'))!);

    // Negative control: a member without a trust change: its boundary only, its trust untouched.
    const one = run(script, ['--rollback', backup, '--apply', '--only', 'role/plain-agent']);
    expect(one.status, one.stderr).toBe(0);
    expect(changes(one.calls)).toEqual([['iam', 'put-role-permissions-boundary', '--role-name', 'plain-agent', '--permissions-boundary', `arn:aws:iam::${ACCOUNT}:policy/old-boundary`]]);
    // A trust member: its saved trust policy, then its boundary.
    const t = run(script, ['--rollback', backup, '--apply', '--only', `role/${TRUSTED[2]}`]);
    expect(t.status, t.stderr).toBe(0);
    expect(changes(t.calls)).toEqual([
      ['iam', 'update-assume-role-policy', '--role-name', TRUSTED[2], '--policy-document', `file://${join(backup, roleDir(TRUSTED[2]!), 'trust-policy.json')}`],
      ['iam', 'delete-role-permissions-boundary', '--role-name', TRUSTED[2]],
    ]);

    const all = run(script, ['--rollback', backup, '--apply']);
    expect(all.status, all.stderr).toBe(0);
    const undo = changes(all.calls);
    const boundaries = undo.filter((a) => a[1] !== 'update-assume-role-policy');
    expect(namesOf(boundaries).sort()).toEqual([...GROUPED].sort());
    for (const a of boundaries) expect(a[1]).toBe(a[3] === 'plain-agent' ? 'put-role-permissions-boundary' : 'delete-role-permissions-boundary');
    // The saved trust policy of exactly the members whose trust that run replaced.
    const trusts = trustUpdates(undo);
    expect(namesOf(trusts).sort()).toEqual([...TRUSTED].sort());
    for (const u of trusts) expect(docOf(u)).toBe(join(backup, roleDir(u[3]!), 'trust-policy.json'));
    // The shared boundary stays (others may use it).
    expect(undo.some((a) => a[1] === 'delete-policy')).toBe(false);

    // A folder that is no backup of this script, and an --only the backup lacks, are refused before any call.
    const notBackup = run(script, ['--rollback', join(root, 'cwd'), '--apply']);
    expect(notBackup.status).not.toBe(0);
    expect(notBackup.calls).toEqual([]);
    const missing = run(script, ['--rollback', backup, '--apply', '--only', `role/${SESSION_FIXED}`]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('no backup of that principal');
    expect(missing.calls).toEqual([]);
    // A backup that says a trust policy was replaced but holds no saved one: refused before any call, for any --only.
    rmSync(join(backup, roleDir(TRUSTED[3]!), 'trust-policy.json'));
    for (const args of [[], ['--only', 'role/plain-agent']]) {
      const broken = run(script, ['--rollback', backup, '--apply', ...args]);
      expect(broken.status).not.toBe(0);
      expect(broken.stderr).toContain("is there, but not a role's saved trust-policy.json");
      expect(broken.calls).toEqual([]);
    }
    rmSync(backup, { recursive: true });
  }, 120_000);

  it('--rollback leaves a boundary or trust policy changed after the apply as it is, per member, and says so', () => {
    const script = join(groupDir, 'apply.sh');
    const applied = run(script, ['--apply']);
    expect(applied.status, applied.stderr).toBe(0);
    const backup = join(groupDir, readdirSync(groupDir).find((e) => e.startsWith('backup-'))!);
    // Each member's sub-folder records what the run left: its boundary, and the trust policy where it replaced it.
    for (const n of GROUPED) {
      expect(readFileSync(join(backup, roleDir(n), 'applied-permissions-boundary-arn.txt'), 'utf8').trim(), n).toBe(n === 'plain-agent' ? `arn:aws:iam::${ACCOUNT}:policy/old-boundary` : 'None');
      expect(existsSync(join(backup, roleDir(n), 'applied-trust-policy.json')), n).toBe(TRUSTED.includes(n));
    }
    // Then someone sets another boundary on every role but plain-agent, and edits every trust policy.
    const later = { BOUNDARY_NOW: `arn:aws:iam::${ACCOUNT}:policy/their-boundary`, TRUST_NOW: '{"Statement":[{"Sid":"oncall"}]}' };
    const r = run(script, ['--rollback', backup, '--apply'], later);
    expect(r.status).toBe(1);
    const undo = changes(r.calls);
    // Negative control: plain-agent's boundary is still what the run left, so it is put back.
    expect(undo).toEqual([['iam', 'put-role-permissions-boundary', '--role-name', 'plain-agent', '--permissions-boundary', `arn:aws:iam::${ACCOUNT}:policy/old-boundary`]]);
    expect(r.stderr.match(/Left as is: permissions-boundary-arn\.txt changed after apply\.sh set it/g)).toHaveLength(GROUPED.length - 1);
    expect(r.stderr.match(/Left as is: trust-policy\.json changed after apply\.sh set it/g)).toHaveLength(TRUSTED.length);
    // A backup without the record (an older group apply.sh) undoes as before.
    for (const n of GROUPED) for (const f of readdirSync(join(backup, roleDir(n)))) if (f.startsWith('applied-')) rmSync(join(backup, roleDir(n), f));
    const old = run(script, ['--rollback', backup, '--apply'], later);
    expect(old.status, old.stderr).toBe(0);
    expect(namesOf(trustUpdates(old.calls)).sort()).toEqual([...TRUSTED].sort());
    expect(namesOf(changes(old.calls).filter((a) => a[1] !== 'update-assume-role-policy')).sort()).toEqual([...GROUPED].sort());
    rmSync(backup, { recursive: true });
  }, 120_000);

  it('a trust document missing from trust/ stops apply.sh before any aws call; --only of another member runs', () => {
    const script = join(groupDir, 'apply.sh');
    const file = join(groupDir, groupTrustFile(TRUSTED[0]!));
    const text = readFileSync(file, 'utf8');
    rmSync(file);
    try {
      const r = run(script, ['--apply']);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(`missing ${file}`);
      expect(r.calls).toEqual([]);
      const other = run(script, ['--apply', '--only', `role/${TRUSTED[1]}`]);
      expect(other.status, other.stderr).toBe(0);
      expect(namesOf(trustUpdates(other.calls))).toEqual([TRUSTED[1]]);
    } finally {
      writeFileSync(file, text);
      for (const e of readdirSync(groupDir)) if (e.startsWith('backup-')) rmSync(join(groupDir, e), { recursive: true });
    }
  }, 120_000);
});

describe('writeFixPlans with boundary groups', () => {
  let plans: PrincipalFixPlan[];
  beforeAll(async () => { plans = (await runScanWithFixes({ input, fixes: true })).fixPlans.filter((p) => p.fixes.length > 0); }, 60_000);

  it('rewrites a group folder for the same boundary over its own files, keeping backups', async () => {
    const out = join(root, 'rewrite');
    await writeFixPlans(out, plans);
    const dir = join(out, relative(fixes, groupDir));
    mkdirSync(join(dir, 'backup-20261201T000000Z', 'role-plain-agent'), { recursive: true });
    writeFileSync(join(dir, 'apply.sh'), '# old\n');
    const docs = (names: readonly string[]) => [...new Set(names.map((n) => groupTrustFile(n).slice('trust/'.length)))].sort();
    // A member leaves whose document another member still gets: the document stays.
    const fewer = plans.filter((p) => p.principalName !== 'plain-agent' && p.principalName !== TRUSTED[0]);
    await writeFixPlans(out, fewer);
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'apply.sh', 'backup-20261201T000000Z', 'main.tf', 'trust']);
    expect(readFileSync(join(dir, 'apply.sh'), 'utf8')).not.toContain("'plain-agent'");
    expect(readFileSync(join(dir, 'apply.sh'), 'utf8')).toContain('PRINCIPALS=(');
    expect(groupTrustFile(TRUSTED[2]!)).toBe(groupTrustFile(TRUSTED[0]!));
    expect(readdirSync(join(dir, 'trust')).sort()).toEqual(docs(TRUSTED));
    // The last member with that document leaves: it goes; the other document stays.
    await writeFixPlans(out, fewer.filter((p) => p.principalName !== TRUSTED[2]));
    expect(readdirSync(join(dir, 'trust')).sort()).toEqual(docs([TRUSTED[1]!, TRUSTED[3]!]));
    expect(docs([TRUSTED[1]!, TRUSTED[3]!])).toHaveLength(1);
  });

  it('a trust/ that is a link in a group folder being rewritten is refused, not written through', async () => {
    const out = join(root, 'linked');
    await writeFixPlans(out, plans);
    const dir = join(out, relative(fixes, groupDir));
    const elsewhere = mkdtempSync(join(root, 'elsewhere-'));
    rmSync(join(dir, 'trust'), { recursive: true });
    symlinkSync(elsewhere, join(dir, 'trust'));
    await expect(writeFixPlans(out, plans)).rejects.toThrow(/symbolic link/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('a member with a session length or replaced policies besides is not grouped: its own folder', async () => {
    const member = plans.find((p) => p.principalName === TRUSTED[0])!;
    const target = { ...member.target, replacesPolicies: [{ kind: 'inline' as const, name: 'p-40' }] };
    const replaced = Object.defineProperty({ ...member, target }, 'readme', { value: member.readme }) as PrincipalFixPlan;
    expect(groupedBoundary(replaced)).toBeUndefined();
    const out = join(root, 'replaced');
    const dirs = await writeFixPlans(out, plans.map((p) => (p === member ? replaced : p)));
    expect(dirs).toContain(join(out, roleDir(TRUSTED[0]!)));
    expect(readdirSync(join(out, roleDir(TRUSTED[0]!))).sort()).toEqual(['README.md', 'apply.sh', 'main.tf', 'trust.json']);
    const group = join(out, relative(fixes, groupDir));
    expect(readdirSync(join(group, 'trust')).sort()).toEqual([...new Set(TRUSTED.slice(1).map((n) => groupTrustFile(n).slice('trust/'.length)))].sort());
    expect(readFileSync(join(group, 'apply.sh'), 'utf8')).not.toContain(`'${roleDir(TRUSTED[0]!)}'`);
    expect(readdirSync(join(out, roleDir(SESSION_FIXED)))).toContain('trust.json');
  });

  it('partial (leash fix): a group folder holding others stays whole; the principal gets its own folder', async () => {
    const out = join(root, 'partial');
    await writeFixPlans(out, plans);
    const dir = join(out, relative(fixes, groupDir));
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    const one = plans.find((p) => p.principalName === 'plain-agent')!;
    const dirs = await writeFixPlans(out, [one], out, { partial: true });
    expect(dirs[0]).toBe(join(out, fixDirName(one)));
    expect(readdirSync(dirs[0]!).sort()).toEqual(['README.md', 'apply.sh', 'main.tf']);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe(readme);
    // Into a fixes folder of its own, the same principal is a group of one (the scan's location).
    const alone = join(root, 'alone');
    const [d] = await writeFixPlans(alone, [one], alone, { partial: true });
    expect(d).toBe(join(alone, relative(fixes, groupDir)));
    expect(readFileSync(join(d!, 'apply.sh'), 'utf8').match(/^ {2}role /gm)).toHaveLength(1);
  });

  it('leash fix of one grouped principal, into the scan\'s fixes folder: its own folder; the group stays whole', async () => {
    const bundle = join(root, 'fix-bundle');
    expect((await runCli(['scan', '--input', input, '--fixes', '--output', bundle, '--ci'])).code).toBe(0);
    const group = join(bundle, 'fixes', relative(fixes, groupDir));
    const before = ['README.md', 'apply.sh', 'main.tf'].map((f) => readFileSync(join(group, f), 'utf8'));
    const r = await runCli(['fix', '--report', join(bundle, 'report.json'), '--principal', 'plain-agent']);
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(join(bundle, 'fixes', 'role-plain-agent')).sort()).toEqual(['README.md', 'apply.sh', 'main.tf']);
    expect(['README.md', 'apply.sh', 'main.tf'].map((f) => readFileSync(join(group, f), 'utf8'))).toEqual(before);
    // A member with a trust change too: its own folder, with its trust.json (the same document as its file in the group's trust/).
    const t = await runCli(['fix', '--report', join(bundle, 'report.json'), '--principal', TRUSTED[0]!]);
    expect(t.code, t.err).toBe(0);
    const own = join(bundle, 'fixes', roleDir(TRUSTED[0]!));
    expect(readdirSync(own).sort()).toEqual(['README.md', 'apply.sh', 'main.tf', 'trust.json']);
    expect(readFileSync(join(own, 'trust.json'), 'utf8')).toBe(readFileSync(join(group, groupTrustFile(TRUSTED[0]!)), 'utf8'));
    expect(['README.md', 'apply.sh', 'main.tf'].map((f) => readFileSync(join(group, f), 'utf8'))).toEqual(before);
  }, 120_000);

  it('a group folder name is never a principal folder name', () => {
    fc.assert(fc.property(fc.string(), fc.constantFrom<'role' | 'user'>('role', 'user'), (name, kind) => {
      expect(groupDirName(`leash-boundary-${name}`)).not.toBe(fixDirName({ principalName: name, target: { principalKind: kind } as PrincipalFixPlan['target'] }));
      expect(groupDirName(name).startsWith('attach-')).toBe(true);
    }));
  });
});

describe('groupFiles', () => {
  /** Every text the group writes: a file's content, or its pieces joined. */
  const texts = (g: GroupInput) => groupFiles(g).map((f) => [f.path, 'content' in f ? f.content : [...f.pieces()].join('')] as const);

  it("renders each member's README once, and writes what rendering it again each time would", async () => {
    const { fixPlans } = await runScanWithFixes({ input, fixes: true });
    const grouped = fixPlans.filter((p) => groupedBoundary(p) !== undefined);
    expect(grouped.map((p) => p.principalName).sort()).toEqual([...GROUPED].sort());
    const boundaryName = groupedBoundary(grouped[0]!)!;
    const reads = new Map<string, number>();
    // The same plans with a readme that counts its readings (each reading renders it).
    const counted = grouped.map((p) => {
      const readme = Object.getOwnPropertyDescriptor(p, 'readme')!;
      return Object.defineProperty({ ...p }, 'readme', { enumerable: true, get: () => {
        reads.set(p.principalName, (reads.get(p.principalName) ?? 0) + 1);
        return readme.get ? readme.get.call(p) : readme.value;
      } }) as PrincipalFixPlan;
    });
    const g = (plans: readonly PrincipalFixPlan[]): GroupInput => ({ boundaryName, accountId: ACCOUNT, plans, ownDirs: plans.map(fixDirName) });
    const once = texts(g(counted));
    expect([...reads.keys()].sort()).toEqual([...GROUPED].sort());
    for (const [name, n] of reads) expect(n, name).toBe(1);
    // Negative control for the counter: a second groupFiles reads each once more.
    texts(g(counted));
    for (const [name, n] of reads) expect(n, name).toBe(2);
    // Same files, same text as from the plans themselves.
    expect(once).toEqual(texts(g(grouped)));
    expect(once.map(([path]) => path)).toContain('README.md');
  }, 60_000);
});

describe('groupedBoundary', () => {
  const document = { version: '2012-10-17', statements: [] } as unknown as PolicyDocument;
  const shared = { name: 'leash-boundary-0123456789ab', purpose: 'boundary', attach: 'managed', shared: true, document } as const;
  const trust = { name: 'trust', purpose: 'trust', attach: 'inline', document } as const;
  const base = { principalKind: 'role', principalName: 'r', accountId: ACCOUNT } as const;
  const fix = [{ kind: 'permissions-boundary', verification: { safe: true, status: 'unverified' } }] as unknown as PrincipalFixPlan['fixes'];
  it('is the boundary when the shared boundary, and for a role at most one trust document, is everything the plan writes', () => {
    expect(groupedBoundary({ fixes: fix, target: { ...base, currentTrust: document, policies: [shared] } })).toBe(shared.name);
    expect(groupedBoundary({ fixes: fix, target: { ...base, principalKind: 'user', policies: [shared] } })).toBe(shared.name);
    expect(groupedBoundary({ fixes: fix, target: { ...base, policies: [shared, trust] } })).toBe(shared.name);
    expect(groupedBoundary({ fixes: fix, target: { ...base, policies: [trust, shared] } })).toBe(shared.name);
    // Negative controls: anything else of its own keeps the principal out of the group.
    const own = { name: 'own-boundary', purpose: 'boundary', attach: 'managed', document } as const;
    const policy = { name: 'p', purpose: 'identity', attach: 'inline', document } as const;
    const session = { name: 'session', purpose: 'session', attach: 'none', document } as const;
    for (const target of [
      // A role whose trust policy stays, without today's (the group's main.tf needs it): its own folder asks for it.
      { ...base, policies: [shared] },
      { ...base, policies: [own] },
      { ...base, policies: [trust] },
      { ...base, policies: [shared, trust, trust] },
      { ...base, policies: [shared, shared] },
      { ...base, principalKind: 'user' as const, policies: [shared, trust] },
      { ...base, policies: [shared, { ...trust, attach: 'none' as const }] },
      { ...base, policies: [shared, policy] },
      { ...base, policies: [shared, trust, session] },
      { ...base, policies: [{ ...shared, attach: 'none' as const }] },
      { ...base, policies: [shared], maxSessionDuration: 3600 },
      { ...base, policies: [shared, trust], maxSessionDuration: 3600 },
      { ...base, policies: [shared], replacesPolicies: [{ kind: 'inline' as const, name: 'x' }] },
      { ...base, policies: [shared, trust], replacesPolicies: [{ kind: 'managed' as const, name: 'x' }] },
      { ...base, policies: [shared], identityCenter: { permissionSetName: 'ps' } },
      { ...base, policies: [shared, trust], identityCenter: { permissionSetName: 'ps' } },
    ]) expect(groupedBoundary({ fixes: fix, target }), JSON.stringify(target)).toBeUndefined();
    expect(groupedBoundary({ fixes: [], target: { ...base, policies: [shared] } })).toBeUndefined();
    // A fix leash calls not-safe keeps the principal out too (its own apply.sh refuses it without --accept-not-safe).
    const notSafe = [{ kind: 'permissions-boundary', verification: { safe: false, status: 'not-safe', summary: 'not safe: x' } }] as unknown as PrincipalFixPlan['fixes'];
    expect(groupedBoundary({ fixes: notSafe, target: { ...base, currentTrust: document, policies: [shared] } })).toBeUndefined();
  });
});

describe('sayOnce', () => {
  // Sections drawn from a few lines, so that some are shared by all, some by a few, some by one.
  const line = fc.constantFrom('## Fixes', '### A', '#### B', '- note one', '- note two', 'Para one.', 'Para two.', '', '| t |', '<a id="x"></a>');
  it('loses no line: each is in its section or said once, and only a line every section has is said once', () => {
    fc.assert(fc.property(fc.array(fc.array(line, { maxLength: 12 }), { minLength: 1, maxLength: 5 }), (sections) => {
      const { shared, sectionAt } = sayOnce(sections.length, (i) => sections[i]!);
      const left = sections.map((_, i) => sectionAt(i));
      const sharedText = shared.filter((l) => l !== '' && !l.startsWith('#'));
      expect(new Set(sharedText).size).toBe(sharedText.length);
      for (const l of sharedText) for (const s of sections) expect(s).toContain(l);
      if (sections.length < 2) expect(shared).toEqual([]);
      sections.forEach((s, i) => {
        for (const l of s) if (l !== '' && !l.startsWith('#')) expect(left[i]!.includes(l) || sharedText.includes(l), l).toBe(true);
        // Negative control: a line only this section has stays in it.
        for (const l of s) if (l !== '' && !l.startsWith('#') && sections.some((o) => !o.includes(l))) expect(left[i]).toContain(l);
      });
    }));
  });

  it('with classes: a line is said once for a class only when every section of that class has it, and lost from none', () => {
    fc.assert(fc.property(fc.array(fc.record({ cls: fc.constantFrom(0, 1), lines: fc.array(line as fc.Arbitrary<string>, { maxLength: 12 }) }), { minLength: 1, maxLength: 6 }), (members) => {
      const { shared, byClass, sectionAt } = sayOnce(members.length, (i) => members[i]!.lines, (i) => members[i]!.cls);
      const text = (ls: readonly string[]) => ls.filter((l) => l !== '' && !l.startsWith('#'));
      const all = text(shared);
      for (const l of all) for (const m of members) expect(m.lines).toContain(l);
      for (const c of byClass) {
        const of = members.filter((m) => m.cls === c.cls);
        expect(c.count).toBe(of.length);
        // Only a class of two or more, not everyone, says anything once.
        expect(of.length).toBeGreaterThan(1);
        expect(of.length).toBeLessThan(members.length);
        for (const l of text(c.shared)) {
          expect(all).not.toContain(l);
          for (const m of of) expect(m.lines).toContain(l);
        }
      }
      members.forEach((m, i) => {
        const left = sectionAt(i);
        const mine = text(byClass.find((c) => c.cls === m.cls)?.shared ?? []);
        for (const l of text(m.lines)) expect(left.includes(l) || all.includes(l) || mine.includes(l), l).toBe(true);
        // Negative control: a line some member of its class lacks stays in its section.
        for (const l of text(m.lines)) if (members.some((o) => o.cls === m.cls && !o.lines.includes(l))) expect(left).toContain(l);
      });
    }));
  });
});

describe('iamPath', () => {
  it('is the part of the ARN between the kind and the name', () => {
    expect(iamPath('arn:aws:iam::111122223333:role/team/agents/kiro-agent', 'kiro-agent')).toBe('/team/agents/');
    expect(iamPath('arn:aws:iam::111122223333:user/ci-bot', 'ci-bot')).toBe('/');
    expect(iamPath('arn:aws-cn:iam::111122223333:role/service-role/x', 'x')).toBe('/service-role/');
  });
  it('negative control: an ARN that does not end with the name says `/`, not a piece of something else', () => {
    expect(iamPath('arn:aws:iam::111122223333:role/team/other', 'kiro-agent')).toBe('/');
    expect(iamPath('not-an-arn', 'x')).toBe('/');
    // The name must be the last path segment, not the end of one.
    expect(iamPath('arn:aws:iam::111122223333:role/team/xname', 'name')).toBe('/');
  });
});

describe('groupTrustFiles', () => {
  const trustPlan = (service: string | undefined) =>
    ({ target: { principalKind: 'role', policies: service === undefined ? [] : [{ purpose: 'trust', attach: 'inline', name: 'trust', document: { version: '2012-10-17', statements: [{ index: 0, effect: 'Allow', principal: { Service: [service] }, action: ['sts:AssumeRole'] }] } }] } }) as unknown as PrincipalFixPlan;
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');

  it('one file per distinct text, named by its sha256; members without a trust change get none', () => {
    const files = groupTrustFiles(['a.example', undefined, 'b.example', 'a.example'].map(trustPlan));
    expect(files[1]).toBeUndefined();
    expect(files[0]).toBe(files[3]);
    expect(files[0]!.path).not.toBe(files[2]!.path);
    for (const f of [files[0]!, files[2]!]) {
      expect(f.path).toBe(`trust/trust-${sha(f.content).slice(0, 12)}.json`);
      expect(JSON.parse(f.content).Statement[0].Principal.Service).toMatch(/^[ab]\.example$/);
    }
  });

  it('never gives two texts one file: a short name already taken by another text means the full hash', () => {
    // One hex digit of name: 17 texts cannot all have their own, so some take the full 64.
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z]{1,12}$/), { minLength: 17, maxLength: 40 }), fc.array(fc.nat(), { maxLength: 60 }), (services, picks) => {
        const chosen = [...services, ...picks.map((k) => services[k % services.length]!)];
        const files = groupTrustFiles(chosen.map(trustPlan), 1);
        const textOf = new Map<string, string>();
        for (const f of files) {
          expect(textOf.get(f!.path) ?? f!.content).toBe(f!.content);
          textOf.set(f!.path, f!.content);
          const digest = sha(f!.content);
          expect([`trust/trust-${digest.slice(0, 1)}.json`, `trust/trust-${digest}.json`]).toContain(f!.path);
        }
        expect(textOf.size).toBe(services.length);
        expect([...textOf.keys()].some((p) => p.length > 'trust/trust-x.json'.length)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });
});
