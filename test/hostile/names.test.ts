// Hostile names (issue 10): a role called `..`, `.`, `terraform`, a user and a role of one name,
// escape sequences and newlines in names. Every write stays inside its bundle, nothing outside
// is deleted, and no escape byte reaches any output. Each case failed before the fix.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { safeName } from '../../src/safe/name.js';
import { safeText, safeLines } from '../../src/safe/text.js';
import { renderCliScript } from '../../src/fix/render/aws-cli.js';
import { renderTerraform } from '../../src/fix/render/terraform.js';
import { parsePolicy, policyToJson } from '../../src/iam/parse.js';
import { memberTrustFile } from '../support/group-trust.js';

afterEach(() => { process.exitCode = 0; });

const ACCOUNT = '111122223333';
const ESC_NAME = 'evil\u001b]52;c;aGVsbG8=\u0007\u001b]0;pwned\u0007\nsecond-line\u009b31m\u202e';
// These roles also get a session-length fix (12 h → 1 h), so each keeps a folder of its own named
// from its IAM name; the others' fixes (a shared boundary and a tighter trust policy) put them in
// their boundary's group folder (fix/group.ts), whose hostile names test/fix/group.test.ts covers.
const OWN_FOLDER = new Set(['..', '.', 'terraform', 'twin']);

function role(name: string): Record<string, unknown> {
  return {
    Path: '/', RoleName: name, RoleId: `AROA${Math.random().toString(36).slice(2, 12).toUpperCase()}`, Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    CreateDate: '2025-09-01T09:00:00Z',
    AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    InstanceProfileList: [], RolePolicyList: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'ec2:TerminateInstances'], Resource: '*' }] } }],
    AttachedManagedPolicies: [], Tags: [{ Key: 'ai-agent', Value: 'true' }], MaxSessionDuration: OWN_FOLDER.has(name) ? 43200 : 3600,
  };
}
function user(name: string): Record<string, unknown> {
  return {
    Path: '/', UserName: name, UserId: `AIDA${Math.random().toString(36).slice(2, 12).toUpperCase()}`, Arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, CreateDate: '2025-09-01T09:00:00Z',
    GroupList: [], AttachedManagedPolicies: [], Tags: [{ Key: 'ai-agent', Value: 'true' }],
    UserPolicyList: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] } }],
  };
}

function exportWith(roles: string[], users: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'leash-hostile-'));
  const file = join(dir, 'account.json');
  writeFileSync(file, JSON.stringify({ UserDetailList: users.map(user), GroupDetailList: [], RoleDetailList: roles.map(role), Policies: [] }));
  return file;
}

/** Every path under dir (files and folders), relative. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      out.push(relative(dir, p));
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

const RAW_ESCAPE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** A file's text; a gzipped one (the scan index, a large report) inflated first. */
function textOf(path: string): string {
  const b = readFileSync(path);
  return (b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b) : b).toString('utf8');
}

function assertNoEscapes(text: string, where: string): void {
  const m = RAW_ESCAPE.exec(text);
  expect(m, `${where}: raw control character U+${m?.[0].charCodeAt(0).toString(16)} at ${m?.index}`).toBeNull();
}

describe('a role named .., ., terraform; a user and a role of one name; escapes in names', () => {
  const names = ['..', '.', 'terraform', 'twin', ESC_NAME, 'Agent', 'agent'];

  it('scan --fixes writes one folder per principal, all inside the bundle, and exits normally', async () => {
    const input = exportWith(names, ['twin']);
    const root = mkdtempSync(join(tmpdir(), 'leash-hostile-out-'));
    const reports = join(root, 'reports');
    const r = await runCli(['scan', '--input', input, '--fixes', '--reports', reports, '--ci']);
    expect(r.err).toBe('');
    const accountDir = join(reports, ACCOUNT);
    const scans = readdirSync(accountDir).filter((n) => /^\d{4}-/.test(n));
    expect(scans).toHaveLength(1);
    const bundle = join(accountDir, scans[0]!);
    // The report is still there (a role named `..` once replaced it with fix files).
    expect(existsSync(join(bundle, 'report.json'))).toBe(true);
    const entries = readdirSync(join(bundle, 'fixes')).filter((n) => !n.startsWith('.') && n !== 'versions.tf' && n !== 'README.md' && n !== 'boundaries' && n !== 'lib');
    // A principal whose fixes are the shared boundary (and a trust policy) is in its boundary's group folder.
    const manifest = JSON.parse(readFileSync(join(bundle, 'fixes', '.leash-fixes'), 'utf8')) as { folders: Record<string, { principals?: string[] }> };
    const grouped = entries.flatMap((n) => manifest.folders[n]?.principals ?? []);
    const fixDirs = entries.filter((n) => !n.startsWith('attach-'));
    // 7 roles + 1 user, each its own folder or in a group; case-insensitively distinct too.
    expect(fixDirs.length + grouped.length).toBe(8);
    expect(new Set([...entries, ...fixDirs].map((d) => d.toLowerCase())).size).toBe(entries.length);
    for (const d of fixDirs) {
      expect(existsSync(join(bundle, 'fixes', d, 'apply.sh')), d).toBe(true);
      expect(resolve(bundle, 'fixes', d).startsWith(resolve(bundle, 'fixes') + '/')).toBe(true);
    }
    expect(fixDirs).toContain('role-terraform');
    expect(fixDirs).toContain('role-twin');
    expect(grouped).toContain(`arn:aws:iam::${ACCOUNT}:user/twin`);
    // The grouped roles' trust documents: named by their text's hash, nothing of a name; each of the
    // three roles (two apart only by case) has its line in apply.sh naming one of them.
    const groups = entries.filter((n) => n.startsWith('attach-'));
    const trustFiles = groups.flatMap((n) => (existsSync(join(bundle, 'fixes', n, 'trust')) ? readdirSync(join(bundle, 'fixes', n, 'trust')) : []));
    expect(trustFiles.length).toBeGreaterThan(0);
    for (const f of trustFiles) expect(f).toMatch(/^trust-[0-9a-f]{12}\.json$/);
    for (const name of ['Agent', 'agent', ESC_NAME]) {
      const file = groups.map((g) => memberTrustFile(join(bundle, 'fixes', g), safeName('role', name))).find((f) => f !== undefined);
      expect(file !== undefined && existsSync(file), name).toBe(true);
    }
    // Nothing written beside the scans but the latest pointer.
    expect(readdirSync(accountDir).sort()).toEqual([scans[0], 'latest', 'trend.ndjson']);
    // No raw escape in stdout, summary.md, any apply.sh, main.tf, README.md or policy file.
    assertNoEscapes(r.out, 'stdout');
    for (const f of tree(bundle)) {
      if (statSync(join(bundle, f)).isFile()) assertNoEscapes(textOf(join(bundle, f)), f);
    }
    expect(readFileSync(join(bundle, 'summary.md'), 'utf8')).toContain('\\x1b]52');
  });

  it('scan --format json,asff: the scan index\'s asff section and findings.asff.json hold no raw escape either', async () => {
    const input = exportWith(names, ['twin']);
    const out = join(mkdtempSync(join(tmpdir(), 'leash-hostile-asff-')), 'bundle');
    const r = await runCli(['scan', '--input', input, '--output', out, '--format', 'json,asff', '--ci']);
    expect(r.err).toBe('');
    // Control: both are written, and the hostile name is in them (escaped, so it reads back as written).
    const index = JSON.parse(textOf(join(out, '.leash-index.json.gz'))) as { principals: unknown[][]; asff?: { kinds: string[] } };
    expect(index.asff?.kinds).toHaveLength(index.principals.length);
    expect(index.principals.some((p) => String(p[0]).includes(ESC_NAME))).toBe(true);
    const asff = JSON.parse(textOf(join(out, 'findings.asff.json'))) as { Resources: { Id: string }[] }[];
    expect(asff.some((f) => f.Resources[0]!.Id.includes(ESC_NAME))).toBe(true);
    for (const f of tree(out)) if (statSync(join(out, f)).isFile()) assertNoEscapes(textOf(join(out, f)), f);
  });

  it('leash fix --principal .. --output DIR refuses a folder holding other files, and deletes nothing', async () => {
    const input = exportWith(['..', 'terraform']);
    const root = mkdtempSync(join(tmpdir(), 'leash-hostile-fix-'));
    const reports = join(root, 'reports');
    expect((await runCli(['scan', '--input', input, '--reports', reports, '--ci'])).code).toBe(0);
    const home = join(root, 'home');
    mkdirSync(join(home, 'leash-fixes'), { recursive: true });
    writeFileSync(join(home, 'precious.txt'), 'keep me');
    writeFileSync(join(home, 'terraform.tfstate'), '{}');
    mkdirSync(join(home, 'terraform'));
    writeFileSync(join(home, 'terraform', 'terraform.tfstate'), '{}');
    const before = tree(home);
    // A folder holding the user's files: refused, exit 2, nothing touched.
    const refused = await runCli(['fix', '--report', 'latest', '--reports', reports, '--principal', 'terraform', '--output', home]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/holding other files/);
    expect(tree(home)).toEqual(before);
    // An empty folder: the fix lands in one plain folder inside it.
    const ok = await runCli(['fix', '--report', 'latest', '--reports', reports, '--principal', '..', '--output', join(home, 'leash-fixes')]);
    expect(ok.code, ok.err).toBe(0);
    const inside = readdirSync(join(home, 'leash-fixes')).filter((n) => !n.startsWith('.') && n !== 'versions.tf' && n !== 'README.md' && n !== 'boundaries' && n !== 'lib');
    expect(inside).toHaveLength(1);
    expect(inside[0]).toMatch(/^role-__~[0-9a-f]{12}$/);
    expect(tree(home).filter((p) => !p.startsWith('leash-fixes'))).toEqual(before.filter((p) => !p.startsWith('leash-fixes')));
    // Run again: the principal's own folder is rewritten, an apply.sh backup inside it survives.
    const backup = join(home, 'leash-fixes', inside[0]!, 'backup-20261201T000000Z');
    mkdirSync(backup);
    writeFileSync(join(backup, 'get-role.json'), '{}');
    expect((await runCli(['fix', '--report', 'latest', '--reports', reports, '--principal', '..', '--output', join(home, 'leash-fixes')])).code).toBe(0);
    expect(existsSync(join(backup, 'get-role.json'))).toBe(true);
    // Another principal's folder name taken by something leash did not write: refused.
    const fixesOfTf = join(home, 'leash-fixes', 'role-terraform');
    mkdirSync(fixesOfTf);
    writeFileSync(join(fixesOfTf, 'terraform.tfstate'), '{}');
    const clash = await runCli(['fix', '--report', 'latest', '--reports', reports, '--principal', 'terraform', '--output', join(home, 'leash-fixes')]);
    expect(clash.code).toBe(2);
    expect(readFileSync(join(fixesOfTf, 'terraform.tfstate'), 'utf8')).toBe('{}');
  });

  it('scan --output refuses a user folder that merely looks like a bundle (summary.md + fixes/)', async () => {
    const input = exportWith(['kiro']);
    const out = mkdtempSync(join(tmpdir(), 'leash-hostile-look-'));
    writeFileSync(join(out, 'summary.md'), 'my notes');
    mkdirSync(join(out, 'fixes'));
    const r = await runCli(['scan', '--input', input, '--output', out, '--ci']);
    expect(r.code).toBe(2);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toBe('my notes');
    // Negative control: an earlier leash bundle there is replaced.
    const out2 = join(mkdtempSync(join(tmpdir(), 'leash-hostile-look2-')), 'b');
    expect((await runCli(['scan', '--input', input, '--output', out2, '--ci'])).code).toBe(0);
    expect((await runCli(['scan', '--input', input, '--output', out2, '--ci'])).code).toBe(0);
    expect(existsSync(join(out2, 'report.json'))).toBe(true);
  });

  it('scan --output refuses a bundle whose fixes hold an apply.sh backup (rollback needs it)', async () => {
    const input = exportWith(['kiro']);
    const out = join(mkdtempSync(join(tmpdir(), 'leash-hostile-bk-')), 'b');
    expect((await runCli(['scan', '--input', input, '--output', out, '--fixes', '--ci'])).code).toBe(0);
    const fixDir = readdirSync(join(out, 'fixes')).find((n) => !n.startsWith('.') && n !== 'README.md' && n !== 'versions.tf' && n !== 'boundaries' && n !== 'lib')!;
    mkdirSync(join(out, 'fixes', fixDir, 'backup-20261201T000000Z'));
    const r = await runCli(['scan', '--input', input, '--output', out, '--fixes', '--ci']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/backup/);
    expect(existsSync(join(out, 'fixes', fixDir, 'backup-20261201T000000Z'))).toBe(true);
  });

  it('scan --output refuses a bundle where apply.sh created a shared boundary (its policy-id.txt), and replaces one without (negative control)', async () => {
    const input = exportWith(['kiro']);
    const out = join(mkdtempSync(join(tmpdir(), 'leash-hostile-pid-')), 'b');
    expect((await runCli(['scan', '--input', input, '--output', out, '--fixes', '--ci'])).code).toBe(0);
    const shared = join(out, 'fixes', 'boundaries', readdirSync(join(out, 'fixes', 'boundaries')).find((n) => n.startsWith('leash-boundary-'))!);
    expect((await runCli(['scan', '--input', input, '--output', out, '--fixes', '--ci'])).code).toBe(0);
    writeFileSync(join(shared, 'policy-id.txt'), 'ANPAEXAMPLE\n');
    const r = await runCli(['scan', '--input', input, '--output', out, '--fixes', '--ci']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/policy-id\.txt/);
    expect(readFileSync(join(shared, 'policy-id.txt'), 'utf8')).toBe('ANPAEXAMPLE\n');
  });
});

describe('safeName (property)', () => {
  const kinds = fc.constantFrom('role', 'user');
  const names = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 80 }), fc.constantFrom('.', '..', '', '/', '\\', 'CON', 'a.', '.a', '../../etc', 'x'.repeat(400)));

  it('is one plain segment inside its folder, at most 255 bytes, for any name', () => {
    const root = resolve('/tmp/bundle/fixes');
    fc.assert(fc.property(kinds, names, (kind, name) => {
      const seg = safeName(kind, name);
      expect(Buffer.byteLength(seg)).toBeLessThanOrEqual(255);
      expect(seg).toMatch(/^[A-Za-z0-9+=,.@_~-]+$/);
      expect(seg.endsWith('.')).toBe(false);
      const p = resolve(root, seg);
      expect(relative(root, p)).toBe(seg);
    }), { numRuns: 2000 });
  });

  it('keeps different (kind, name) pairs apart, even case-insensitively', () => {
    fc.assert(fc.property(kinds, names, kinds, names, (k1, n1, k2, n2) => {
      fc.pre(k1 !== k2 || n1 !== n2);
      expect(safeName(k1, n1).toLowerCase()).not.toBe(safeName(k2, n2).toLowerCase());
    }), { numRuns: 2000 });
    expect(safeName('role', 'Agent').toLowerCase()).not.toBe(safeName('role', 'agent'));
  });
});

describe('safe text', () => {
  it('escapes ESC, OSC 52, C1, newline and bidi; negative control: plain text passes unchanged', () => {
    expect(safeText(ESC_NAME)).toBe('evil\\x1b]52;c;aGVsbG8=\\x07\\x1b]0;pwned\\x07\\nsecond-line\\x9b31m\\u202e');
    expect(safeLines('a\nb\u001b')).toBe('a\nb\\x1b');
    // Lines only: the same text back; every other control still escaped, \r and a lone surrogate too.
    const lines = 'line one\nline two\n\nlast 🙂';
    expect(safeLines(lines)).toBe(lines);
    expect(safeLines('a\r\nb\u202e\n\ud800')).toBe('a\\r\nb\\u202e\n\\ud800');
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      const out = safeLines(s);
      for (const line of out.split('\n')) assertNoEscapes(line, 'safeLines');
      expect(out.split('\n').length).toBe(s.split('\n').length);
    }));
    expect(safeText('kiro-agent (role; claude-code) é 🙂')).toBe('kiro-agent (role; claude-code) é 🙂');
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => { assertNoEscapes(safeText(s), 'safeText'); }));
  });

  it('apply.sh and main.tf carry the exact name without a raw escape byte', () => {
    const target = { principalKind: 'role' as const, principalName: ESC_NAME, accountId: ACCOUNT, policies: [{ name: `p${ESC_NAME}`, purpose: 'identity' as const, attach: 'inline' as const, document: (parsePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::b/${ESC_NAME}` }] }) as unknown as { document: never }).document }] };
    const sh = renderCliScript(target);
    const tf = renderTerraform(target);
    assertNoEscapes(sh, 'apply.sh');
    assertNoEscapes(tf, 'main.tf');
    expect(sh).toContain("PRINCIPAL_NAME=$'evil\\x1b]52;");
  });
});

describe('__proto__ as a condition key', () => {
  it('is kept, so a fix never grants without the condition', () => {
    const r = parsePolicy(JSON.parse('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"__proto__":"x"}}}]}'));
    expect(r.ok).toBe(true);
    const back = JSON.stringify(policyToJson((r as unknown as { document: never }).document));
    expect(back).toContain('"__proto__":"x"');
  });
});
