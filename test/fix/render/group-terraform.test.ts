// A boundary group's main.tf (src/fix/render/group-terraform.ts): one line per member in a locals
// block, import and resource blocks with for_each. Proven: every member exactly once, with its
// exact name and trust policy, read back by an HCL parser (hcl2json) and, where the AWS provider
// is available locally, by Terraform itself (`terraform console`, `validate`); the lifecycle of
// each kind equal to a principal's own main.tf (its ignore_changes lists parsed from
// renderTerraform: assume_role_policy for a role whose trust policy stays, in both); one line more per
// member; fmt-clean under the terraform binary, with negative controls for the checks.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { groupTerraformNames, renderGroupTerraform, type GroupTerraformMember } from '../../../src/fix/render/group-terraform.js';
import { hclString, renderTerraform, renderVersionsTf } from '../../../src/fix/render/terraform.js';
import { renderPolicyJson } from '../../../src/fix/render/policy-json.js';
import type { PolicyDocument } from '../../../src/model/policy.js';
import { consoleJson, fmtCheck, initAndValidate, terraformAvailable, TERRAFORM_SKIP, tfWarnings, TF_PLUGIN_DIR, TF_PROVIDER_SKIP } from '../../support/terraform.js';
import { doc, trickyString, unescapeTemplate } from './support.js';

const ACCOUNT = '123456789012';
const BOUNDARY = 'leash-boundary-0123456789ab';
const N = groupTerraformNames(BOUNDARY);

const trust = (service: string): PolicyDocument =>
  doc({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole', Condition: { StringLike: { 'aws:userid': ['${aws:username}-%{x}', 'a"b\\c'] } } }] });
const NEW = trust('bedrock.amazonaws.com');
const SAME = trust('ec2.amazonaws.com');

// Names no IAM account holds (IAM allows [\w+=,.@-]), so that the escaping, not IAM, keeps them apart.
const HOSTILE = [
  'plain-agent',
  '$(touch pwned)',
  '`x`',
  `it's "quoted" \\ back`,
  'line-one\nline-two',
  'title\u001b]0;pwned\u0007\u009b31m\u202e',
  '${var.secret}',
  '%{ if true }x%{ endif }',
  '$${already}',
  'éé\u0301 😀 가 日本',
  'x'.repeat(64),
];
const members = (names: readonly string[]): GroupTerraformMember[] => [
  ...names.map((name) => ({ kind: 'user' as const, name })),
  ...names.map((name) => ({ kind: 'role' as const, name, newTrust: NEW })),
  ...names.map((name) => ({ kind: 'role' as const, name: `same ${name}`, currentTrust: SAME })),
];
const compact = (d: PolicyDocument) => renderPolicyJson(d, { compact: true }).trimEnd();

/** The members of a parsed group main.tf, as Terraform reads its strings (template escapes undone). */
function membersOf(parsed: Record<string, any>): { users: string[]; newTrust: [string, string][]; sameTrust: [string, string][] } {
  const locals = Object.assign({}, ...(parsed.locals ?? [])) as Record<string, unknown>;
  const map = (v: unknown) => Object.entries((v ?? {}) as Record<string, string>).map(([k, x]) => [unescapeTemplate(k), unescapeTemplate(x)] as [string, string]);
  return {
    users: ((locals[N.users.local] ?? []) as string[]).map(unescapeTemplate),
    newTrust: map(locals[N.new.local]),
    sameTrust: map(locals[N.same.local]),
  };
}

const sorted = <T>(xs: readonly T[]) => [...xs].sort();

let tmp: string | undefined;
function dir(name: string): string {
  tmp ??= mkdtempSync(join(tmpdir(), 'leash-group-tf-'));
  const d = join(tmp, name);
  mkdirSync(d);
  return d;
}
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('group main.tf', () => {
  it('holds every member exactly once, with its exact name and trust policy, read back by an HCL parser', async () => {
    const tf = renderGroupTerraform(ACCOUNT, BOUNDARY, members(HOSTILE));
    const got = membersOf(await parse('main.tf', tf));
    expect(got.users).toEqual(HOSTILE);
    // (hcl2json returns object keys sorted.)
    expect(sorted(got.newTrust.map(([k]) => k))).toEqual(sorted(HOSTILE));
    expect(sorted(got.sameTrust.map(([k]) => k))).toEqual(sorted(HOSTILE.map((n) => `same ${n}`)));
    // Each value is the compact JSON of the document (for a replaced trust policy: the trust/<dir>.json apply.sh applies).
    for (const [, v] of got.newTrust) expect(v).toBe(compact(NEW));
    for (const [, v] of got.sameTrust) expect(v).toBe(compact(SAME));
    expect(JSON.parse(got.newTrust[0]![1]).Statement[0].Condition.StringLike['aws:userid']).toEqual(['${aws:username}-%{x}', 'a"b\\c']);
    // Nothing raw a terminal would act on, no interpolation Terraform would evaluate.
    expect(tf).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(tf.replace(/\$\$\{/g, '')).not.toMatch(/"[^"\n]*\$\{/);
    // A member is one line: every hostile name is on exactly three lines (user, new-trust role, same-trust role).
    const lines = tf.split('\n').filter((l) => l.startsWith('    "'));
    expect(lines).toHaveLength(3 * HOSTILE.length);
    const inner = (q: string) => q.slice(1, -1);
    for (const n of HOSTILE) expect(lines.filter((l) => l.includes(inner(hclString(n))) || l.includes(inner(hclString(n, { ascii: true }))))).toHaveLength(3);
  });

  it('round-trips any names through the HCL parser, each once (property)', async () => {
    const names = fc.uniqueArray(trickyString, { minLength: 1, maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(names, names, names, async (users, roles, same) => {
        const m: GroupTerraformMember[] = [
          ...users.map((name) => ({ kind: 'user' as const, name })),
          ...roles.map((name) => ({ kind: 'role' as const, name, newTrust: NEW })),
          ...same.map((name) => ({ kind: 'role' as const, name: `same ${name}`, currentTrust: SAME })),
        ];
        const got = membersOf(await parse('main.tf', renderGroupTerraform(ACCOUNT, BOUNDARY, m)));
        expect(got.users).toEqual(users);
        expect(sorted(got.newTrust)).toEqual(sorted(roles.map((n) => [n, compact(NEW)])));
        expect(sorted(got.sameTrust)).toEqual(sorted(same.map((n) => [`same ${n}`, compact(SAME)])));
      }),
      { numRuns: 60 },
    );
  });

  it("imports each kind with for_each and keeps a principal's own lifecycle; a role whose trust stays also ignores assume_role_policy", async () => {
    const parsed = await parse('main.tf', renderGroupTerraform(ACCOUNT, BOUNDARY, members(['a'])));
    expect(parsed.data.aws_iam_policy[N.boundary][0]).toEqual({ name: BOUNDARY });
    const arn = `\${data.aws_iam_policy.${N.boundary}.arn}`;
    expect(parsed.import).toEqual([
      { for_each: `\${toset(local.${N.users.local})}`, to: `\${${N.users.resource}[each.key]}`, id: '${each.key}' },
      { for_each: `\${local.${N.new.local}}`, to: `\${${N.new.resource}[each.key]}`, id: '${each.key}' },
      { for_each: `\${local.${N.same.local}}`, to: `\${${N.same.resource}[each.key]}`, id: '${each.key}' },
    ]);
    const res = (r: string) => {
      const [type, name] = r.split('.') as [string, string];
      return parsed.resource[type][name][0];
    };
    // A principal's own main.tf for the same fixes: its resource's lifecycle is the reference.
    const own = async (t: Parameters<typeof renderTerraform>[0]) => {
      const p = await parse('own.tf', renderTerraform(t));
      return (Object.values(p.resource[`aws_iam_${t.principalKind}`])[0] as any[])[0];
    };
    const boundary = { name: BOUNDARY, purpose: 'boundary' as const, attach: 'managed' as const, shared: true as const, document: SAME };
    const ownUser = await own({ principalKind: 'user', principalName: 'a', accountId: ACCOUNT, policies: [boundary] });
    const ownNew = await own({ principalKind: 'role', principalName: 'a', accountId: ACCOUNT, currentTrust: SAME, policies: [boundary, { name: 'trust', purpose: 'trust', attach: 'inline', document: NEW }] });
    const ownSame = await own({ principalKind: 'role', principalName: 'a', accountId: ACCOUNT, currentTrust: SAME, policies: [boundary] });
    expect(res(N.users.resource)).toEqual({ for_each: `\${toset(local.${N.users.local})}`, name: '${each.key}', permissions_boundary: arn, lifecycle: ownUser.lifecycle });
    expect(res(N.new.resource)).toEqual({ for_each: `\${local.${N.new.local}}`, name: '${each.key}', permissions_boundary: arn, assume_role_policy: '${each.value}', lifecycle: ownNew.lifecycle });
    // A role whose trust stays ignores its trust policy in its own main.tf too (today's is there
    // only because aws_iam_role requires one); one whose trust the fix replaces does not.
    expect(ownSame.lifecycle[0].ignore_changes).toContain('${assume_role_policy}');
    expect(ownNew.lifecycle[0].ignore_changes).not.toContain('${assume_role_policy}');
    expect(res(N.same.resource)).toEqual({
      for_each: `\${local.${N.same.local}}`, name: '${each.key}', permissions_boundary: arn, assume_role_policy: '${each.value}',
      lifecycle: ownSame.lifecycle,
    });
    for (const r of [N.users.resource, N.new.resource, N.same.resource]) expect(res(r).lifecycle[0].prevent_destroy).toBe(true);
  });

  it('grows by one line per member; a kind the group lacks has no block; a role with no trust policy at all is refused', () => {
    const base = members(['a', 'b']);
    const lines = (m: GroupTerraformMember[]) => renderGroupTerraform(ACCOUNT, BOUNDARY, m).split('\n').length;
    for (const extra of [{ kind: 'user' as const, name: 'c' }, { kind: 'role' as const, name: 'c', newTrust: NEW }, { kind: 'role' as const, name: 'c', currentTrust: SAME }]) {
      expect(lines([...base, extra]) - lines(base)).toBe(1);
    }
    const usersOnly = renderGroupTerraform(ACCOUNT, BOUNDARY, [{ kind: 'user', name: 'u' }]);
    expect(usersOnly).not.toContain('aws_iam_role');
    expect(usersOnly).not.toContain('trust policy is replaced');
    expect(usersOnly.match(/^import \{$/gm)).toHaveLength(1);
    expect(() => renderGroupTerraform(ACCOUNT, BOUNDARY, [{ kind: 'role', name: 'r' }])).toThrow(/neither a new trust policy nor today's/);
    // A name twice in one kind (Terraform would keep the last line without a word): refused. A user and a role of one name are two principals.
    expect(() => renderGroupTerraform(ACCOUNT, BOUNDARY, [{ kind: 'role', name: 'r', newTrust: NEW }, { kind: 'role', name: 'r', currentTrust: SAME }])).toThrow(/role "r" twice/);
    expect(() => renderGroupTerraform(ACCOUNT, BOUNDARY, [{ kind: 'user', name: 'r' }, { kind: 'user', name: 'r' }])).toThrow(/user "r" twice/);
    expect(renderGroupTerraform(ACCOUNT, BOUNDARY, [{ kind: 'user', name: 'r' }, { kind: 'role', name: 'r', currentTrust: SAME }])).toContain('"r"');
  });

  it('block and local names start with the group, so two groups concatenate without a clash', async () => {
    const other = 'leash-boundary-ba9876543210';
    const both = `${renderGroupTerraform(ACCOUNT, BOUNDARY, members(['a']))}\n${renderGroupTerraform(ACCOUNT, other, members(['a']))}`;
    const names = [...both.matchAll(/^(resource|data) ("[^"]+" "[^"]+") \{/gm), ...both.matchAll(/^ {2}([A-Za-z_][\w-]*) = [[{]$/gm)].map((m) => `${m[1]} ${m[2] ?? ''}`);
    expect(names.length).toBe(2 * 7);
    expect(new Set(names).size).toBe(names.length);
    expect(both.match(/^(resource|data) "[^"]+" "([^"]+)"/gm)!.every((l) => l.includes('"attach_leash-boundary-'))).toBe(true);
  });
});

describe('versions.tf', () => {
  it('asks for Terraform >= 1.7 (import blocks with for_each)', async () => {
    expect((await parse('versions.tf', renderVersionsTf())).terraform[0].required_version).toBe('>= 1.7');
  });
});

describe.skipIf(!terraformAvailable)(`group main.tf under the terraform binary${terraformAvailable ? '' : ` (skipped: ${TERRAFORM_SKIP})`}`, () => {
  it('passes terraform fmt -check with hostile and non-ASCII names; negative control: keys padded by JS length without the ASCII escape do not', () => {
    const tf = renderGroupTerraform(ACCOUNT, BOUNDARY, members(HOSTILE));
    const d = dir('fmt');
    writeFileSync(join(d, 'main.tf'), tf);
    const r = fmtCheck(d);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
    // The same map with each key as hclString writes it elsewhere (é, a combining accent, an emoji
    // and Hangul raw) and padded to its UTF-16 length: terraform fmt measures those differently.
    const keys = HOSTILE.map((n) => hclString(n));
    const w = Math.max(...keys.map((k) => k.length));
    const naive = ['locals {', '  m = {', ...keys.map((k) => `    ${k.padEnd(w)} = "x"`), '  }', '}', ''].join('\n');
    const bad = dir('fmt-naive');
    writeFileSync(join(bad, 'main.tf'), naive);
    expect(fmtCheck(bad).status).not.toBe(0);
  });
});

describe.skipIf(!TF_PLUGIN_DIR)(`group main.tf read by Terraform itself${TF_PLUGIN_DIR ? '' : ` (skipped: ${TF_PROVIDER_SKIP})`}`, () => {
  it('validates, and terraform console gives back every member exactly once with its exact name and trust policy', () => {
    const d = dir('validate');
    writeFileSync(join(d, 'main.tf'), renderGroupTerraform(ACCOUNT, BOUNDARY, members(HOSTILE)));
    writeFileSync(join(d, 'versions.tf'), renderVersionsTf());
    const v = initAndValidate(d);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toContain('The configuration is valid');
    // No deprecated argument named anywhere (session 32); bundle-review.test.ts has the control.
    expect(tfWarnings(v)).toEqual([]);
    const got = consoleJson(d, `{ users = toset(local.${N.users.local}), new = local.${N.new.local}, same = local.${N.same.local} }`) as { users: string[]; new: Record<string, string>; same: Record<string, string> };
    // A set and maps: sorted by Terraform; each name once (a set or a key could not hold it twice).
    expect(sorted(got.users)).toEqual(sorted(HOSTILE));
    expect(got.users).toHaveLength(HOSTILE.length);
    expect(got.new).toEqual(Object.fromEntries(HOSTILE.map((n) => [n, compact(NEW)])));
    expect(got.same).toEqual(Object.fromEntries(HOSTILE.map((n) => [`same ${n}`, compact(SAME)])));
    expect(JSON.parse(got.new[HOSTILE[0]!]!)).toEqual(JSON.parse(renderPolicyJson(NEW)));
  }, 120_000);

  it('negative control: Terraform takes a map key written twice without a word (the last wins), so the renderer refuses a member twice', () => {
    const tf = renderGroupTerraform(ACCOUNT, BOUNDARY, members(['a', 'b']));
    const line = tf.split('\n').find((l) => l.startsWith('    "b"') && l.includes(' = '))!;
    const d = dir('dup');
    writeFileSync(join(d, 'main.tf'), tf.replace(`${line}\n`, () => `${line}\n${line.replace(/ = .*/, ' = "{}"')}\n`));
    writeFileSync(join(d, 'versions.tf'), renderVersionsTf());
    const v = initAndValidate(d);
    expect(v.status, v.stderr).toBe(0);
    expect(consoleJson(d, `local.${N.new.local}`)).toEqual({ a: compact(NEW), b: '{}' });
    // One member missing is seen the same way.
    const m = dir('missing');
    writeFileSync(join(m, 'main.tf'), tf.replace(`${line}\n`, ''));
    writeFileSync(join(m, 'versions.tf'), renderVersionsTf());
    expect(initAndValidate(m).status).toBe(0);
    expect(Object.keys(consoleJson(m, `local.${N.new.local}`) as object)).toEqual(['a']);
  }, 120_000);
});
