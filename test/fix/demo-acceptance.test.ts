// Issue 11's "done when", on the demo scan: kiro-agent's balanced fix leaves no escalation technique
// and no destructive action without approval, balanced never widens into sensitive reads, every
// action of every fix has its reason (report.json and README), the trust fix is applied and rolled
// back by apply.sh (stubbed aws), every main.tf concatenates into one `terraform fmt`-clean module,
// the SSO role's fix targets its permission set, and all outputs agree on which principals are agents.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import type { Fix } from '../../src/model/fix.js';
import { runScanWithFixes } from '../../src/pipeline/scan.js';
import type { PrincipalFixPlan } from '../../src/fix/plan.js';
import { fixReasonsFile, writeFixPlans } from '../../src/fix/write.js';
import { flattenReasons } from '../../src/fix/reasons.js';
import { sensitiveReads } from '../../src/baseline/sensitive-reads.js';
import { catalog } from '../../src/iam/catalog.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { renderSummary } from '../../src/report/summary-text.js';
import { toMarkdown } from '../../src/report/markdown.js';
import { principalListRows } from '../../src/tui/screens/PrincipalList.js';
import { filterPrincipals } from '../../src/tui/format.js';
import { parsePolicy } from '../../src/iam/parse.js';
import { effectivePermissions } from '../../src/iam/effective.js';
import { approvalCondition } from '../../src/checks/data.js';

const NOW = new Date('2026-11-24T07:00:00Z');
let report: Report;
let plans: readonly PrincipalFixPlan[];
let root: string;
const expander = new ActionExpander(catalog());
beforeAll(async () => {
  ({ report, fixPlans: plans } = await runScanWithFixes({ demo: true, fixes: true, now: NOW }));
  root = mkdtempSync(join(tmpdir(), 'leash-demo-acceptance-'));
  await writeFixPlans(join(root, 'fixes'), plans);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fix folder is `<kind>-<name>`, with `~<hash>` when the name needed escaping (src/safe/name.ts). */
const principalNameOfDir = (d: string) => d.replace(/^(role|user)-/, '').replace(/~[0-9a-f]{12}$/, '');
const kiroArn = () => report.principals.find((p) => p.name === 'kiro-agent')!.arn;
const fixOf = (arn: string, kind: Fix['kind']) => report.fixes.find((f) => f.principalArn === arn && f.kind === kind)!;
const docs = (f: Fix) => (Array.isArray(f.after) ? f.after : [f.after]) as Parameters<typeof effectivePermissions>[0]['identity'];

describe("kiro-agent's balanced fix", () => {
  // 12 since session 44: the trust-only hop to prod-stack-deployer (its trust names kiro-agent's
  // role ARN; kiro-agent holds no sts:AssumeRole) counts as privilege-escalation reports it, and
  // each fix closes it (NoUnusedRoleHops denies it; the boundary allows no sts:AssumeRole).
  it('leaves 0 escalation techniques and 0 destructive actions without approval (from 12 and 97)', () => {
    for (const kind of ['replace-policy', 'permissions-boundary', 'session-policy'] as const) {
      const f = fixOf(kiroArn(), kind);
      expect(f.countsBefore, kind).toMatchObject({ destructiveActions: 97, escalationTechniques: 12 });
      expect(f.countsAfter, kind).toMatchObject({ destructiveActions: 0, escalationTechniques: 0 });
      expect(f.verification.forbiddenStillAllowed).toEqual([]);
    }
  });

  it('never widens into sensitive reads: only the observed one stays, and only behind approval', () => {
    const f = fixOf(kiroArn(), 'replace-policy');
    const boundary = fixOf(kiroArn(), 'permissions-boundary').after as Parameters<typeof effectivePermissions>[0]['identity'][number];
    const eff = effectivePermissions({ identity: docs(f), boundary: [boundary] }, expander);
    const sensitive = sensitiveReads().actions.map((a) => a.action);
    const allowed = sensitive.filter((a) => eff.allowed.has(expander.catalog.lookup(a)!.id));
    // ssm:GetParameter was observed (12 calls): kept, but gated; lambda:GetFunction was observed
    // too (kept: a read, not an escalation leg); the rest of their kind are gone.
    expect(allowed.sort()).toEqual(['lambda:GetFunction', 'ssm:GetParameter']);
    expect(eff.unconditional.has(expander.catalog.lookup('ssm:GetParameter')!.id)).toBe(false);
    const reasons = flattenReasons(f.actionReasons!);
    // Escalation legs (credential access) say so first; the other sensitive reads say why they are sensitive.
    for (const a of ['ec2:GetPasswordData', 'ssm:GetParameters']) expect(reasons.find((r) => r.action === a), a).toMatchObject({ decision: 'removed', reason: 'escalation', detail: 'never observed' });
    for (const a of ['logs:Unmask', 'dynamodb:Scan', 'ssm:GetParameterHistory', 'lambda:GetFunctionConfiguration']) expect(reasons.find((r) => r.action === a), a).toMatchObject({ decision: 'removed', reason: 'sensitive-read', detail: expect.stringMatching(/^never observed; /) });
    expect(reasons.find((r) => r.action === 'ssm:GetParameter')).toMatchObject({ decision: 'gated', detail: expect.stringContaining('observed 12 times') });
    // Negative control: an ordinary read sibling of a used service stays, with its reason.
    expect(reasons.find((r) => r.action === 'ec2:DescribeVolumes')).toMatchObject({ decision: 'kept', reason: 'read-sibling' });
    // No wildcard in the policy reaches a sensitive read.
    const json = JSON.stringify(docs(f));
    for (const w of ['"ec2:Get*"', '"ssm:Get*"', '"logs:Unmask"', '"dynamodb:Scan"']) expect(json).not.toContain(w);
  });

  it('says exactly what verification checked: N allowed, M approval-gated (listed), K denied', () => {
    const v = fixOf(kiroArn(), 'replace-policy').verification;
    expect(v.status).toBe('verified');
    expect(v.summary).toMatch(/^\d+ observed calls still allowed; 2 become approval-gated \(.*lambda:UpdateFunctionConfiguration.*ssm:GetParameter.*\); none denied$/);
    expect(v.observedCallsAllowed! + v.observedCallsGated!.length + v.observedCallsDenied.length).toBe(v.observedCallsChecked);
  });
});

describe('every fix explains every action', () => {
  it('accounts for each action granted today (or after) exactly once, in report.json', () => {
    for (const f of report.fixes.filter((x) => x.actionReasons)) {
      const p = report.principals.find((x) => x.arn === f.principalArn)!;
      const total = f.actionReasons!.reduce((n, s) => n + s.kept + s.gated + s.removed, 0);
      const listed = f.actionReasons!.reduce((n, s) => n + s.groups.reduce((m, g) => m + g.actions.length, 0) + (s.rest?.count ?? 0), 0);
      expect(listed, `${p.name} ${f.kind}`).toBe(total);
      expect(total, `${p.name} ${f.kind}`).toBe(p.permissions.allowedActionCount);
      const keys = flattenReasons(f.actionReasons!).map((a) => a.action);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  it("writes the reasons as the last section of each fix folder's README, by service; the fixes above link to it and stay short", () => {
    const readme = readFileSync(join(root, 'fixes', 'role-kiro-agent', 'README.md'), 'utf8');
    const at = readme.indexOf('\n## Why each action is kept, gated or removed\n');
    expect(at).toBeGreaterThan(0);
    const fixes = readme.slice(0, at);
    const reasons = readme.slice(at);
    expect(fixes).toMatch(/Every action, by service, with why it is kept, gated or removed: \[below\]\(#why-each-action-is-kept-gated-or-removed\) \(\d+ kept, \d+ gated, \d+ removed\)/);
    expect(fixes).not.toContain('#### ');
    expect(fixes).toMatch(/Verification \(verified\): \d+ observed calls still allowed; 2 become approval-gated/);
    expect(existsSync(join(root, 'fixes', 'role-kiro-agent', 'reasons.md'))).toBe(false);
    const kiro = report.principals.find((p) => p.name === 'kiro-agent')!;
    expect(fixReasonsFile({ principalName: kiro.name, target: { principalKind: 'role' } as PrincipalFixPlan['target'], fixes: [] })).toBe('role-kiro-agent/README.md#why-each-action-is-kept-gated-or-removed');
    expect(reasons).toMatch(/\n### Permissions boundary for kiro-agent/);
    expect(reasons).toMatch(/- \*\*kept\*\* \(observed: 12 times, last on 2026-11-23\): .*`cloudformation:DescribeStacks`/);
    expect(reasons).toMatch(/- \*\*removed\*\* \(unused: 2026-10-24 → 2026-11-23, the whole window\): .*`ec2:RunInstances`/);
    expect(reasons).toMatch(/- \*\*gated\*\* \(destructive: observed 1 time, last on 2026-11-22; allowed only when approved \(mfa-present\)\): `lambda:UpdateFunctionConfiguration`/);
    expect(reasons).toMatch(/- \*\*gated\*\* \(escalation: observed 12 times, last on 2026-11-23; allowed only when approved \(mfa-present\)\): `ssm:GetParameter`/);
  });

  it("says what every README said alike once, in the fixes folder's README, and links there", () => {
    const shared = readFileSync(join(root, 'fixes', 'README.md'), 'utf8');
    const readme = readFileSync(join(root, 'fixes', 'role-kiro-agent', 'README.md'), 'utf8');
    const mfa = approvalCondition('mfa-present');
    //Then the condition's wording and caveats are in the shared README, under the heading the link names
    expect(shared).toContain('\n### Approval condition mfa-present\n');
    expect(shared).toContain(mfa.description);
    expect(shared).toContain(mfa.caveats);
    expect(shared).toContain('cp versions.tf role-<name>/');
    //And the principal's README links there instead of repeating them, keeping how it meets the condition
    expect(readme).toContain('[mfa-present](../README.md#approval-condition-mfa-present)');
    expect(readme).not.toContain(mfa.caveats.replace(/([\\`*_[\]|<>#])/g, '\\$1').slice(0, 60));
    expect(readme).not.toContain(mfa.description.slice(0, 60));
    expect(readme).toMatch(/How this principal meets it: A human assumes the role with MFA/);
    expect(readme).toContain('as [../README.md](../README.md) says');
    expect(readme).not.toContain('Caveats');
    //And how a shared boundary fits IAM's size limit is said in its folder's README, once, and linked
    const ssoDir = readdirSync(join(root, 'fixes')).find((d) => d.startsWith('role-AWSReservedSSO_'))!;
    const sso = readFileSync(join(root, 'fixes', ssoDir, 'README.md'), 'utf8');
    const link = /\[its README\]\(\.\.\/(boundaries\/leash-boundary-[0-9a-f]{12})\/README\.md#how-it-fits-iams-size-limit\)/.exec(sso);
    expect(link).not.toBeNull();
    expect(sso).not.toContain('To fit the 6,144-character limit');
    const boundaryReadme = readFileSync(join(root, 'fixes', link![1]!, 'README.md'), 'utf8');
    expect(boundaryReadme).toContain("\n## How it fits IAM's size limit\n");
    expect(boundaryReadme).toMatch(/\n- To fit the 6,144-character limit .*\n/);
    //And a principal's folder has no versions.tf of its own: the fixes folder has the one
    expect(existsSync(join(root, 'fixes', 'role-kiro-agent', 'versions.tf'))).toBe(false);
    expect(existsSync(join(root, 'fixes', 'versions.tf'))).toBe(true);
  });
});

describe('honest verification', () => {
  it('a fix checked against nothing says unverified; the SSO boundary says what it denies outright', () => {
    const mcp = report.principals.find((p) => p.name === 'mcp-cost-explorer-readonly')!;
    expect(fixOf(mcp.arn, 'replace-policy').verification.status).toBe('verified');
    const sso = report.principals.find((p) => p.name.startsWith('AWSReservedSSO_'))!;
    const b = fixOf(sso.arn, 'permissions-boundary');
    expect(b.verification.status).toBe('verified');
    expect(b.verification.observedCallsDeniedByDesign).toEqual([expect.stringMatching(/^cloudformation:DeleteStack on /)]);
    expect(b.verification.summary).toContain('denied outright by design');
    expect(b.notes.join(' ')).toMatch(/Identity Center sessions cannot meet it/);
    // The boundary's deny carries no MFA condition no session could meet.
    const deny = (b.after as unknown as { statements: { sid?: string; effect: string; condition?: unknown }[] }).statements.find((s) => s.sid === 'DeniedOutright')!;
    expect(deny.effect).toBe('Deny');
    expect(deny.condition).toBeUndefined();
    // Negative control: kiro-agent, assumed by engineers who can use MFA, keeps the approval condition.
    const kb = (fixOf(kiroArn(), 'permissions-boundary').after as unknown as { statements: { sid?: string; condition?: unknown }[] }).statements;
    expect(kb.find((s) => s.sid === 'NeedsApproval')!.condition).toEqual({ BoolIfExists: { 'aws:MultiFactorAuthPresent': ['false'] } });
  });
});

describe('the SSO role', () => {
  it('is fixed on its permission set, by apply.sh and by Terraform', () => {
    const dir = readdirSync(join(root, 'fixes')).find((d) => d.startsWith('role-AWSReservedSSO_'))!;
    const sh = readFileSync(join(root, 'fixes', dir, 'apply.sh'), 'utf8');
    expect(sh).toContain('sso-admin put-permissions-boundary-to-permission-set');
    expect(sh).toContain('sso-admin provision-permission-set');
    expect(sh).not.toMatch(/put-role-permissions-boundary/);
    expect(sh).toContain("PERMISSION_SET_NAME='AdministratorAccess'");
    // It waits for the provisioning it starts, bounded by a knob its header and fixes/README.md name.
    expect(sh).toMatch(/^# .*PROVISIONING_TIMEOUT seconds \(environment; default 300/m);
    expect(readFileSync(join(root, 'fixes', 'README.md'), 'utf8')).toContain('for at most `PROVISIONING_TIMEOUT` seconds (environment; default 300');
    const tf = readFileSync(join(root, 'fixes', dir, 'main.tf'), 'utf8');
    expect(tf).toContain('resource "aws_ssoadmin_permissions_boundary_attachment"');
    expect(tf).not.toContain('resource "aws_iam_role"');
    const sso = report.principals.find((p) => p.name === principalNameOfDir(dir))!;
    expect(fixOf(sso.arn, 'permissions-boundary').target).toEqual({ kind: 'identity-center-permission-set', name: 'AdministratorAccess' });
  });
});

describe('Terraform for all demo principals', () => {
  const terraform = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!terraform)(`concatenates into one module that passes terraform fmt -check, with unique block names${terraform ? '' : ' (skipped: terraform not installed)'}`, async () => {
    const mod = join(root, 'module');
    mkdirSync(mod);
    const dirs = readdirSync(join(root, 'fixes'), { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== 'boundaries' && d.name !== 'lib').map((d) => join(root, 'fixes', d.name));
    expect(dirs.length).toBe(plans.length);
    const all = dirs.map((d) => readFileSync(join(d, 'main.tf'), 'utf8')).join('\n');
    writeFileSync(join(mod, 'main.tf'), all);
    writeFileSync(join(mod, 'versions.tf'), readFileSync(join(root, 'fixes', 'versions.tf'), 'utf8'));
    const fmt = spawnSync('terraform', ['fmt', '-check', '-recursive', '-diff', root], { encoding: 'utf8', env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' } });
    expect(fmt.stdout + fmt.stderr.replace(/.*CLI configuration[\s\S]*?╵\n?/g, '')).toBe('');
    expect(fmt.status).toBe(0);
    const names = [...all.matchAll(/^(resource|data|output) ("[^"]+"(?: "[^"]+")?) \{/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    expect(all).not.toMatch(/^terraform \{/m);
    const parsed = await parse('main.tf', all);
    expect(Object.keys(parsed.resource.aws_iam_role)).toEqual(expect.arrayContaining(['role_kiro-agent']));
    // The trust fix is applied (not only rendered), and the old policies go by imported exclusive lists.
    expect(parsed.resource.aws_iam_role['role_kiro-agent'][0].assume_role_policy).toBe('${data.aws_iam_policy_document.role_kiro-agent_trust.json}');
    expect(parsed.resource.aws_iam_role_policies_exclusive['role_kiro-agent'][0].policy_names).toEqual([]);
    const versions = await parse('versions.tf', readFileSync(join(mod, 'versions.tf'), 'utf8'));
    expect(versions.terraform[0].required_providers[0].aws.source).toBe('hashicorp/aws');
  });
});

describe('one definition of agent principal', () => {
  it('report.json, the summary, summary.md and the TUI list the same principals, the AI-driven SSO session among them', () => {
    const agents = report.principals.filter((p) => p.isAgent).map((p) => p.name).sort();
    expect(report.summary.agentPrincipals).toBe(agents.length);
    expect(report.principals.filter((p) => p.agentKind !== undefined).map((p) => p.name).sort()).toEqual(agents);
    expect(agents.some((n) => n.startsWith('AWSReservedSSO_'))).toBe(true);
    const text = renderSummary(report, { color: false, width: 400 });
    expect(text).toContain(`of which AI-agent principals: ${agents.length}`);
    for (const n of agents) expect(text).toContain(n);
    expect(text).toContain("engineer's session driven by an AI tool");
    const md = toMarkdown(report);
    const table = md.slice(md.indexOf('## Agent principals by risk'), md.indexOf('## Top findings'));
    for (const n of agents) expect(table).toContain(n);
    expect(table).not.toContain('dana');
    const rows = principalListRows({ report, principals: filterPrincipals(report, { query: '', agentsOnly: true }), state: { selected: 0, query: '', agentsOnly: true, minSeverity: undefined, sort: 'risk', showSuppressed: false, newOnly: false }, searching: false, width: 200, height: 40 });
    const shown = rows.slice(2).map((r) => (typeof r === 'string' ? r : r.map((s) => s.text).join(''))).filter((r) => / agent\+? /.test(r));
    expect(shown.length).toBe(agents.length);
    // Fixes are planned for exactly these principals, and for the roles that trust an agent which
    // never assumed them (their trust policy only).
    const trusting = [...new Set(report.findings.filter((f) => f.checkId === 'unused-agent-trust').map((f) => report.principals.find((p) => p.arn === f.principalArn)!.name))];
    expect(trusting).toEqual(['dr-restore-admin']);
    expect(plans.map((p) => p.principalName).sort()).toEqual([...agents, ...trusting].sort());
    for (const p of plans.filter((x) => trusting.includes(x.principalName))) expect(p.fixes.map((f) => f.kind)).toEqual(['trust-policy']);
  });
});

describe('apply.sh for kiro-agent (stubbed aws)', () => {
  const FAKE = String.raw`#!/usr/bin/env bash
{ printf '%s\x1f' "$@"; printf '\x1e'; } >> "$FAKE_AWS_LOG"
args=" $* "
case "$args" in
  *" sts get-caller-identity "*"--query Account"*) echo 111122223333 ;;
  *" sts get-caller-identity "*"--query Arn"*) echo "arn:aws:sts::111122223333:assumed-role/admin/me" ;;
  *" iam get-policy "*) exit 254 ;;
  *" iam create-policy "*"--query Policy.PolicyId"*) echo ANPACREATEDBYAPPLY ;;
  *" --query PolicyNames "*) printf 'kiro-workbench\n' ;;
  *"PermissionsBoundary.PermissionsBoundaryArn"*) echo None ;;
  *"--query Role.MaxSessionDuration"*) echo 43200 ;;
  *"--query Role.AssumeRolePolicyDocument"*) echo '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}' ;;
  # The permission set's boundary kept between calls, as Identity Center does (none until one is put).
  *" put-permissions-boundary-to-permission-set "*) while [ "$#" -gt 0 ]; do if [ "$1" = --permissions-boundary ]; then printf '%s
' "$2" > "$FAKE_AWS_LOG.boundary"; fi; shift; done ;;
  *" delete-permissions-boundary-from-permission-set "*) rm -f "$FAKE_AWS_LOG.boundary" ;;
  *" get-permissions-boundary-for-permission-set "*) if [ -f "$FAKE_AWS_LOG.boundary" ]; then cat "$FAKE_AWS_LOG.boundary"; else echo "An error occurred (ResourceNotFoundException)" >&2; exit 254; fi ;;
  *" get-inline-policy-for-permission-set "*) echo None ;;
  *" provision-permission-set "*"--query PermissionSetProvisioningStatus.RequestId"*) echo 3f2a9c1e-0000-4000-8000-00000000abcd ;;
  *" describe-permission-set-provisioning-status "*) printf 'SUCCEEDED\tNone\n' ;;
  *" list-accounts-for-provisioned-permission-set "*) echo 111122223333 ;;
  *) echo '{}' ;;
esac
`;
  const stub = () => {
    const bin = join(root, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'aws'), FAKE);
    chmodSync(join(bin, 'aws'), 0o755);
    return bin;
  };
  it('for the SSO role: changes the permission set (boundary, provision) and rolls it back; refuses --apply with placeholder ARNs', () => {
    const dir = join(root, 'fixes', readdirSync(join(root, 'fixes')).find((d) => d.startsWith('role-AWSReservedSSO_'))!);
    const bin = stub();
    const log = join(root, 'sso.log');
    const run = (args: string[], env: Record<string, string> = {}) => {
      const r = spawnSync('bash', [join(dir, 'apply.sh'), ...args], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, FAKE_AWS_LOG: log, ...env } });
      const calls = existsSync(log) ? readFileSync(log, 'utf8').split('\x1e').filter(Boolean).map((c) => c.split('\x1f').slice(0, -1)) : [];
      rmSync(log, { force: true });
      return { ...r, calls };
    };
    const refused = run(['--apply']);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('fill in INSTANCE_ARN and PERMISSION_SET_ARN');
    expect(refused.calls).toEqual([]);
    const arns = { INSTANCE_ARN: 'arn:aws:sso:::instance/ssoins-1', PERMISSION_SET_ARN: 'arn:aws:sso:::permissionSet/ssoins-1/ps-1' };
    const applied = run(['--apply', '--sso-profile', 'org-admin'], arns);
    expect(applied.status, applied.stderr).toBe(0);
    const ops = applied.calls.map((c) => (c[0] === '--profile' ? c.slice(2) : c)).map((c) => `${c[0]} ${c[1]}`);
    expect(ops.filter((o) => !o.startsWith('sts ') && !/ (get|describe|list)-/.test(o))).toEqual(['iam create-policy', 'sso-admin put-permissions-boundary-to-permission-set', 'sso-admin provision-permission-set']);
    // It waits for the provisioning it started (identity-center-provisioning-moto.test.ts has the FAILED and timeout paths).
    expect(ops.slice(ops.indexOf('sso-admin provision-permission-set'))).toContain('sso-admin describe-permission-set-provisioning-status');
    expect(applied.stdout).toContain('Provisioned: permission set AdministratorAccess is in effect in account(s) 111122223333 (request 3f2a9c1e-0000-4000-8000-00000000abcd SUCCEEDED).');
    const put = applied.calls.find((c) => c.includes('put-permissions-boundary-to-permission-set'))!;
    expect(put.slice(0, 2)).toEqual(['--profile', 'org-admin']);
    // The boundary is shared by content: created from fixes/boundaries/<name>/, its PolicyId kept there.
    const name = /shared_boundary_check '(leash-boundary-[0-9a-f]{12})'/.exec(readFileSync(join(dir, 'apply.sh'), 'utf8'))![1]!;
    const create = applied.calls.find((c) => c.includes('create-policy'))!;
    expect(create[create.indexOf('--policy-name') + 1]).toBe(name);
    expect(create[create.indexOf('--policy-document') + 1]).toBe(`file://${dir}/../boundaries/${name}/boundary.json`);
    expect(readFileSync(join(root, 'fixes', 'boundaries', name, 'policy-id.txt'), 'utf8').trim()).toBe('ANPACREATEDBYAPPLY');
    expect(JSON.parse(put[put.indexOf('--permissions-boundary') + 1]!)).toEqual({ CustomerManagedPolicyReference: { Name: name, Path: '/' } });
    expect(applied.calls.some((c) => c.includes('put-role-permissions-boundary'))).toBe(false);
    const backup = readdirSync(dir).find((d) => d.startsWith('backup-'))!;
    expect(readFileSync(join(dir, backup, 'permission-set-boundary.json'), 'utf8').trim()).toBe('null');
    const back = run(['--rollback', join(dir, backup), '--apply', '--sso-profile', 'org-admin'], arns);
    expect(back.status, back.stderr).toBe(0);
    const backOps = back.calls.map((c) => (c[0] === '--profile' ? c.slice(2) : c)).map((c) => `${c[0]} ${c[1]}`).filter((o) => !o.startsWith('sts '));
    // The shared boundary stays (other principals may attach it); rollback says so.
    // The boundary is read first: put back only while it is what the run left (identity-center-apply-twice-moto.test.ts).
    // (read twice: whether it already holds the saved state, a rollback run again; then whether it is still what the run left)
    expect(backOps).toEqual(['sso-admin get-permissions-boundary-for-permission-set', 'sso-admin get-permissions-boundary-for-permission-set', 'sso-admin delete-permissions-boundary-from-permission-set', 'sso-admin provision-permission-set', 'sso-admin describe-permission-set-provisioning-status', 'sso-admin list-accounts-for-provisioned-permission-set']);
    expect(back.stdout).toContain(`The shared boundary ${name} stays`);
  });

  it('updates the trust policy with trust.json, and rolls it back from the backup', () => {
    const dir = join(root, 'fixes', 'role-kiro-agent');
    const bin = stub();
    const log = join(root, 'aws.log');
    const run = (args: string[]) => {
      const r = spawnSync('bash', [join(dir, 'apply.sh'), ...args], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, FAKE_AWS_LOG: log } });
      const calls = existsSync(log) ? readFileSync(log, 'utf8').split('\x1e').filter(Boolean).map((c) => c.split('\x1f').slice(0, -1)) : [];
      rmSync(log, { force: true });
      return { ...r, calls };
    };
    // Dry run: nothing but nothing sent.
    const dry = run([]);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.calls).toEqual([]);
    expect(dry.stdout).toContain('[dry run] aws iam update-assume-role-policy');
    const applied = run(['--apply']);
    expect(applied.status, applied.stderr).toBe(0);
    const update = applied.calls.find((c) => c[0] === 'iam' && c[1] === 'update-assume-role-policy')!;
    expect(update[update.indexOf('--role-name') + 1]).toBe('kiro-agent');
    const sent = update[update.indexOf('--policy-document') + 1]!;
    expect(sent).toBe(`file://${dir}/trust.json`);
    const trust = parsePolicy(JSON.parse(readFileSync(join(dir, 'trust.json'), 'utf8')), 'trust');
    expect(trust.ok).toBe(true);
    expect(applied.calls.findIndex((c) => c[1] === 'get-role' && c.includes('Role.AssumeRolePolicyDocument'))).toBeLessThan(applied.calls.indexOf(update));
    // The old inline policy is deleted last, the boundary and session length set.
    expect(applied.calls.map((c) => `${c[0]} ${c[1]}`)).toEqual(expect.arrayContaining(['iam put-role-permissions-boundary', 'iam update-role', 'iam delete-role-policy']));
    const backup = readdirSync(dir).find((d) => d.startsWith('backup-'))!;
    expect(readFileSync(join(dir, backup, 'trust-policy.json'), 'utf8')).toContain('arn:aws:iam::111122223333:root');
    const back = run(['--rollback', join(dir, backup), '--apply']);
    expect(back.status, back.stderr).toBe(0);
    const restore = back.calls.find((c) => c[1] === 'update-assume-role-policy')!;
    expect(restore[restore.indexOf('--policy-document') + 1]).toBe(`file://${join(dir, backup)}/trust-policy.json`);
    expect(back.calls.map((c) => `${c[0]} ${c[1]}`)).toEqual(expect.arrayContaining(['iam delete-role-permissions-boundary', 'iam put-role-policy', 'iam delete-policy']));
  });
});
