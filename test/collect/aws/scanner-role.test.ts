// docs/scanner-role (StackSet template, Terraform module) stays in step with docs/scanner-policy.json
// and the read-only allowlist.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import scannerPolicy from '../../../docs/scanner-policy.json' with { type: 'json' };
import { READ_ONLY_OPERATIONS } from '../../../src/collect/aws/allowlist.js';
import { DEFAULT_ROLE_NAME, MEMBER_STATEMENT_SIDS, memberPolicy, memberPolicyJson, SCANNING_ACCOUNT_ONLY, stackSetTemplate } from '../../../src/collect/aws/scanner-role.js';
import { DEFAULT_SCANNER_ROLE } from '../../../src/pipeline/org-scan.js';
import { repoRoot } from '../../support/fixtures.js';

const dir = join(repoRoot, 'docs/scanner-role');
const read = (f: string) => readFileSync(join(dir, f), 'utf8');
const terraform = spawnSync('terraform', ['version'], { stdio: 'ignore' }).status === 0;

describe('scanner role deployables', () => {
  it('the files are what the renderer makes from docs/scanner-policy.json (run scripts/render-scanner-role.ts)', () => {
    expect(read('scanner-role.stackset.yaml')).toBe(stackSetTemplate());
    expect(read('scanner-policy.member.json')).toBe(memberPolicyJson());
  });

  it('every statement of the scanner policy is in the member role or named as scanning-account only; every allowlisted action is covered', () => {
    const sids = (scannerPolicy.Statement as { Sid: string }[]).map((s) => s.Sid).sort();
    expect([...MEMBER_STATEMENT_SIDS, ...Object.keys(SCANNING_ACCOUNT_ONLY)].sort()).toEqual(sids);
    const member = new Set(memberPolicy().Statement.flatMap((s) => s.Action));
    const elsewhere = new Set((scannerPolicy.Statement as { Sid: string; Action: string[] }[]).filter((s) => s.Sid in SCANNING_ACCOUNT_ONLY).flatMap((s) => s.Action));
    for (const op of READ_ONLY_OPERATIONS) expect(member.has(op.action) || elsewhere.has(op.action), op.action).toBe(true);
    // What a scan sends inside a member account is in the member role.
    for (const a of ['sts:GetCallerIdentity', 'iam:GetAccountAuthorizationDetails', 'iam:ListRoles', 'cloudtrail:LookupEvents']) expect(member.has(a), a).toBe(true);
    // Negative control: nothing that writes, and no hop onwards, in a member account.
    expect([...member].filter((a) => /^(s3:Put|athena:Start|sts:AssumeRole$)/.test(a))).toEqual([]);
  });

  it('the StackSet template creates the role with the member policy, a trust on the scanner principal and an optional external id', () => {
    const t = parseYaml(read('scanner-role.stackset.yaml'), { version: '1.1' }) as Record<string, any>;
    const role = t['Resources']['LeashScannerRole'];
    expect(role.Type).toBe('AWS::IAM::Role');
    expect(role.Properties.Policies[0].PolicyDocument).toEqual(memberPolicy());
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ AWS: { Ref: 'ScannerPrincipalArn' } });
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition['Fn::If'][1]).toEqual({ StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } });
    expect(t['Parameters']['RoleName'].Default).toBe(DEFAULT_ROLE_NAME);
    expect(DEFAULT_SCANNER_ROLE).toBe(DEFAULT_ROLE_NAME);
  });

  it('the Terraform module deploys that template as a service-managed StackSet and the same policy in the management account', async () => {
    const main = (await parseHcl('main.tf', read('main.tf'))) as Record<string, any>;
    const vars = (await parseHcl('variables.tf', read('variables.tf'))) as Record<string, any>;
    const ss = main['resource']['aws_cloudformation_stack_set']['leash_scanner'][0];
    expect(ss.permission_model).toBe('SERVICE_MANAGED');
    expect(ss.template_body).toBe('${file("${path.module}/scanner-role.stackset.yaml")}');
    expect(main['resource']['aws_iam_role_policy']['management_account'][0].policy).toBe('${file("${path.module}/scanner-policy.member.json")}');
    expect(vars['variable']['role_name'][0].default).toBe(DEFAULT_ROLE_NAME);
  });

  it.skipIf(!terraform)(`terraform fmt -check passes${terraform ? '' : ' (terraform not installed)'}`, () => {
    const r = spawnSync('terraform', ['fmt', '-check', '-diff', dir], { encoding: 'utf8' });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});
