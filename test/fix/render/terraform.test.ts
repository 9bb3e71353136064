import { readFileSync } from 'node:fs';
import { parse } from '@cdktf/hcl2json';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hclString, principalBlockPrefix, renderPolicyDocumentData, renderTerraform, terraformName } from '../../../src/fix/render/terraform.js';
import type { FixTarget } from '../../../src/fix/render/index.js';
import { SKIP_REASON, sharedFixture, sharedFixturesPresent } from '../../support/fixtures.js';
import { doc, policyDocument, policyDocumentsOf, toSetStatements, trickyString, unescapeTemplate } from './support.js';

const identity = doc({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'HomeFolder',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: 'arn:aws:s3:::team-bucket/home/${aws:username}/*',
      Condition: { StringLike: { 's3:prefix': ['home/${aws:username}/', 'shared/%{x}'] }, Bool: { 'aws:SecureTransport': 'true' } },
    },
    { Effect: 'Deny', NotAction: ['iam:Get*', 'iam:List*'], NotResource: 'arn:aws:iam::123456789012:role/agent' },
  ],
});
const trust = doc({
  Version: '2012-10-17',
  Statement: { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'bedrock.amazonaws.com', AWS: ['arn:aws:iam::111122223333:root', 'arn:aws:iam::444455556666:root'] } },
});
const open = doc({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: '*', Principal: '*' } });

const roleTarget: FixTarget = {
  principalKind: 'role',
  principalName: 'kiro-agent',
  accountId: '123456789012',
  policies: [
    { name: 'kiro-agent-least-privilege', purpose: 'identity', attach: 'managed', document: identity },
    { name: 'kiro agent inline', purpose: 'identity', attach: 'inline', document: identity },
    { name: 'kiro-agent-boundary', purpose: 'boundary', attach: 'managed', document: identity },
    { name: 'trust', purpose: 'trust', attach: 'inline', document: trust },
  ],
  maxSessionDuration: 3600,
  replacesPolicies: [{ kind: 'managed', name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }],
};


describe('hclString', () => {
  it('escapes IAM policy variables and template directives so HCL reads them literally', async () => {
    //Given strings with ${…} and %{…}
    //When they are written as HCL and parsed back
    const parsed = await parse('x.tf', `locals {\n  a = ${hclString('home/${aws:username}/')}\n  b = ${hclString('%{if x}')}\n}\n`);
    //Then the parser sees the escapes, not interpolations
    expect(parsed.locals[0].a).toBe('home/$${aws:username}/');
    expect(parsed.locals[0].b).toBe('%%{if x}');
  });

  it('round-trips any string through the HCL parser', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(trickyString, { minLength: 1, maxLength: 20 }), async (values) => {
        const hcl = `locals {\n${values.map((v, i) => `  v${i} = ${hclString(v)}`).join('\n')}\n}\n`;
        const parsed = await parse('x.tf', hcl);
        values.forEach((v, i) => expect(unescapeTemplate(parsed.locals[0][`v${i}`])).toBe(v));
      }),
      { numRuns: 100 },
    );
  });
});

describe('terraformName', () => {
  it('always yields a Terraform identifier', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(terraformName(s)).toMatch(/^[A-Za-z_][A-Za-z0-9_-]*$/);
      }),
    );
  });
  it('keeps names that are already identifiers', () => {
    expect(terraformName('kiro-agent_policy2')).toBe('kiro-agent_policy2');
    expect(terraformName('2fast')).toBe('_2fast');
    expect(terraformName('a b.c')).toBe('a_b_c');
  });
});

describe('renderPolicyDocumentData', () => {
  it('renders the iam-policy-json-to-terraform shape with aligned `=` and nested blocks on their own lines', () => {
    const hcl = renderPolicyDocumentData('example', identity);
    expect(hcl).toContain('data "aws_iam_policy_document" "example" {');
    expect(hcl).toContain('    sid       = "HomeFolder"\n    effect    = "Allow"\n    resources = ["arn:aws:s3:::team-bucket/home/$${aws:username}/*"]');
    expect(hcl).toContain('    actions = [\n      "s3:GetObject",\n      "s3:PutObject",\n    ]');
    expect(hcl).toContain('    condition {\n      test     = "Bool"\n      variable = "aws:SecureTransport"\n      values   = ["true"]\n    }');
    expect(hcl).toContain('not_actions');
    expect(hcl).toContain('not_resources = ["arn:aws:iam::123456789012:role/agent"]');
    // No one-line blocks: every `{` ends its line.
    for (const line of hcl.split('\n')) if (line.includes('{') && !line.includes('${') && !line.includes('%{')) expect(line.trimEnd().endsWith('{')).toBe(true);
  });

  it('aligns `=` in every run of one-line attributes, as terraform fmt does', () => {
    fc.assert(
      fc.property(policyDocument, (d) => {
        const lines = renderPolicyDocumentData('p', d).split('\n');
        let run: string[] = [];
        const flush = () => {
          const cols = new Set(run.map((l) => l.indexOf(' = ')));
          expect(cols.size).toBeLessThanOrEqual(1);
          run = [];
        };
        for (const l of lines) {
          const attrLine = /^\s*[a-z_]+\s+= /.test(l);
          const indent = l.length - l.trimStart().length;
          if (attrLine && (run.length === 0 || run[0]!.length - run[0]!.trimStart().length === indent)) run.push(l);
          else {
            flush();
            if (attrLine) run.push(l);
          }
          if (attrLine && /= \[$/.test(l)) flush();
        }
        flush();
      }),
      { numRuns: 50 },
    );
  });

  it('round-trips: HCL parsed back gives the same statements as the JSON policy', async () => {
    const parsed = await parse('main.tf', renderPolicyDocumentData('example', identity));
    expect(policyDocumentsOf(parsed).get('example')).toEqual(toSetStatements(identity));
  });

  it('round-trips generated policies (catalog actions, ${} variables, conditions, principals, NotAction/NotResource)', async () => {
    await fc.assert(
      fc.asyncProperty(policyDocument, async (d) => {
        const parsed = await parse('main.tf', renderPolicyDocumentData('generated', d));
        expect(policyDocumentsOf(parsed).get('generated')).toEqual(toSetStatements(d));
        expect(parsed.data.aws_iam_policy_document.generated[0].version).toBe(d.version);
      }),
      { numRuns: 150 },
    );
  });

  it('writes "Principal": "*" as type "*" (type "AWS" would mean {"AWS": "*"})', async () => {
    const parsed = await parse('main.tf', renderPolicyDocumentData('open', open));
    expect(parsed.data.aws_iam_policy_document.open[0].statement[0].principals).toEqual([{ type: '*', identifiers: ['*'] }]);
  });
});

describe.skipIf(!sharedFixturesPresent)(`renderPolicyDocumentData on real AWS managed policies${sharedFixturesPresent ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  it('round-trips a sample of 200 and the 5 largest', async () => {
    //Given the AWS managed policies (default versions)
    const all = JSON.parse(readFileSync(sharedFixture('aws-managed-policies/aws-managed-policies.json'), 'utf8')) as Record<string, { document: unknown }>;
    const entries = Object.entries(all);
    const bySize = [...entries].sort((a, b) => JSON.stringify(b[1].document).length - JSON.stringify(a[1].document).length);
    const step = Math.floor(entries.length / 200);
    const chosen = new Map([...entries.filter((_, i) => i % step === 0).slice(0, 200), ...bySize.slice(0, 5)]);
    expect(chosen.size).toBeGreaterThanOrEqual(200);
    //When each is rendered as a data source and the whole file parsed
    const docs = new Map([...chosen].map(([name, v]) => [terraformName(name), doc(v.document)]));
    const hcl = [...docs].map(([name, d]) => renderPolicyDocumentData(name, d)).join('\n\n');
    const parsed = policyDocumentsOf(await parse('managed.tf', hcl));
    //Then every one comes back with the same statements
    expect(parsed.size).toBe(docs.size);
    for (const [name, d] of docs) expect(parsed.get(name), name).toEqual(toSetStatements(d));
  });
});

describe('renderTerraform', () => {
  it('creates and attaches policies, adopts the role by import to set boundary, trust and duration, and removes what it replaces', async () => {
    const tf = renderTerraform({ ...roleTarget, replacesPolicies: [...roleTarget.replacesPolicies!, { kind: 'inline', name: 'old-inline' }] });
    const parsed = await parse('main.tf', tf);
    const P = 'role_kiro-agent';
    // (hcl2json returns object keys sorted) — every block name starts with the principal
    expect(Object.keys(parsed.data.aws_iam_policy_document).sort()).toEqual([`${P}_boundary`, `${P}_policy`, `${P}_policy_2`, `${P}_trust`]);
    expect(parsed.resource.aws_iam_policy[`${P}_policy`][0]).toMatchObject({ name: 'kiro-agent-least-privilege', policy: `\${data.aws_iam_policy_document.${P}_policy.json}` });
    expect(parsed.resource.aws_iam_role_policy_attachment[`${P}_policy`][0]).toEqual({ role: 'kiro-agent', policy_arn: `\${aws_iam_policy.${P}_policy.arn}` });
    expect(parsed.resource.aws_iam_role_policy[`${P}_policy_2`][0]).toEqual({ name: 'kiro agent inline', role: 'kiro-agent', policy: `\${data.aws_iam_policy_document.${P}_policy_2.json}` });
    // The role: imported (a change, not a create), trust, boundary and session length set, never destroyed.
    expect(parsed.import).toEqual(expect.arrayContaining([{ to: `\${aws_iam_role.${P}}`, id: 'kiro-agent' }]));
    expect(parsed.resource.aws_iam_role[P][0]).toMatchObject({
      name: 'kiro-agent',
      permissions_boundary: `\${aws_iam_policy.${P}_boundary.arn}`,
      assume_role_policy: `\${data.aws_iam_policy_document.${P}_trust.json}`,
      max_session_duration: 3600,
    });
    expect(parsed.resource.aws_iam_role[P][0].lifecycle[0].prevent_destroy).toBe(true);
    // What it replaces goes: exclusive lists, imported from today's state, keep only the new policies.
    expect(parsed.import).toEqual(expect.arrayContaining([
      { to: `\${aws_iam_role_policies_exclusive.${P}}`, id: 'kiro-agent' },
      { to: `\${aws_iam_role_policy_attachments_exclusive.${P}}`, id: 'kiro-agent' },
    ]));
    expect(parsed.resource.aws_iam_role_policies_exclusive[P][0]).toEqual({ role_name: 'kiro-agent', policy_names: ['kiro agent inline'] });
    expect(parsed.resource.aws_iam_role_policy_attachments_exclusive[P][0]).toEqual({ role_name: 'kiro-agent', policy_arns: [`\${aws_iam_policy.${P}_policy.arn}`] });
    expect(tf).not.toMatch(/^terraform \{/m);
    expect(tf.split('\n')[0]).toMatch(/^# Generated by leash for IAM role "kiro-agent"/);
  });

  it('without a replace-policy fix leaves attachments alone (no exclusive lists), and a negative control keeps unset settings ignored', async () => {
    const tf = renderTerraform({ principalKind: 'role', principalName: 'r', accountId: '1', currentTrust: trust, policies: [{ name: 'b', purpose: 'boundary', attach: 'managed', document: identity }] });
    const parsed = await parse('main.tf', tf);
    expect(parsed.resource.aws_iam_role_policies_exclusive).toBeUndefined();
    expect(parsed.resource.aws_iam_role_policy_attachments_exclusive).toBeUndefined();
    // Today's trust policy, unchanged, from the scan; max_session_duration is not touched.
    expect(parsed.resource.aws_iam_role.role_r[0].assume_role_policy).toBe('${data.aws_iam_policy_document.role_r_current_trust.json}');
    expect(policyDocumentsOf(parsed).get('role_r_current_trust')).toEqual(toSetStatements(trust));
    expect(parsed.resource.aws_iam_role.role_r[0].max_session_duration).toBeUndefined();
    expect(parsed.resource.aws_iam_role.role_r[0].lifecycle[0].ignore_changes).toContain('${max_session_duration}');
  });

  it('uses the user resources for a user, and gives unique Terraform names to clashing policy names', async () => {
    const tf = renderTerraform({
      principalKind: 'user',
      principalName: 'ci "bot"',
      accountId: '123456789012',
      policies: [
        { name: 'a.b', purpose: 'identity', attach: 'inline', document: identity },
        { name: 'a b', purpose: 'identity', attach: 'managed', document: identity },
        { name: 'b', purpose: 'boundary', attach: 'managed', document: identity },
        { name: 'trust', purpose: 'trust', attach: 'inline', document: trust },
      ],
      maxSessionDuration: 7200,
    });
    const parsed = await parse('main.tf', tf);
    const P = principalBlockPrefix('user', 'ci "bot"');
    expect(P).toMatch(/^user_ci__bot__[0-9a-f]{6}$/);
    expect(parsed.resource.aws_iam_user_policy[`${P}_policy`][0]).toMatchObject({ name: 'a.b', user: 'ci "bot"' });
    expect(parsed.resource.aws_iam_user_policy_attachment[`${P}_policy_2`][0]).toEqual({ user: 'ci "bot"', policy_arn: `\${aws_iam_policy.${P}_policy_2.arn}` });
    expect(parsed.resource.aws_iam_user[P][0].permissions_boundary).toBe(`\${aws_iam_policy.${P}_boundary.arn}`);
    expect(parsed.resource.aws_iam_user[P][0].assume_role_policy).toBeUndefined();
    expect(tf).toContain('IAM users have no trust policy');
    expect(tf).toContain('roles only');
  });

  it('gives names that differ only in characters Terraform refuses different prefixes', () => {
    expect(principalBlockPrefix('role', 'a.b')).not.toBe(principalBlockPrefix('role', 'a_b'));
    expect(principalBlockPrefix('role', 'a_b')).toBe('role_a_b');
    expect(principalBlockPrefix('role', 'x')).not.toBe(principalBlockPrefix('user', 'x'));
  });

  it('renders a session policy as a document and an output, with how to use it', async () => {
    const tf = renderTerraform({ principalKind: 'role', principalName: 'r', accountId: '1', policies: [{ name: 'session', purpose: 'session', attach: 'none', document: identity }] });
    const parsed = await parse('main.tf', tf);
    expect(Object.keys(parsed.data.aws_iam_policy_document)).toEqual(['role_r_session_policy']);
    expect(parsed.output.role_r_session_policy[0].value).toBe('${data.aws_iam_policy_document.role_r_session_policy.json}');
    expect(parsed.resource).toBeUndefined();
    expect(tf).toContain('--policy file://session-policy.json');
    expect(tf).not.toContain('import {');
  });

  it('targets the permission set for an Identity Center role: looked up by name without ARNs, literal ARNs when collected', async () => {
    const base: FixTarget = { principalKind: 'role', principalName: 'AWSReservedSSO_Admin_0123456789abcdef', accountId: '1', identityCenter: { permissionSetName: 'Admin' }, policies: [{ name: 'leash-b', purpose: 'boundary', attach: 'managed', document: identity }, { name: 'rs', purpose: 'identity', attach: 'managed', document: identity }], maxSessionDuration: 3600 };
    const parsed = await parse('main.tf', renderTerraform(base));
    const P = 'role_AWSReservedSSO_Admin_0123456789abcdef';
    expect(parsed.resource.aws_iam_role).toBeUndefined();
    expect(parsed.data.aws_ssoadmin_permission_set[P][0].name).toBe('Admin');
    expect(parsed.resource.aws_ssoadmin_permissions_boundary_attachment[`${P}_boundary`][0]).toMatchObject({
      permission_set_arn: `\${data.aws_ssoadmin_permission_set.${P}.arn}`,
      permissions_boundary: [{ customer_managed_policy_reference: [{ name: 'leash-b', path: '/' }] }],
    });
    expect(parsed.resource.aws_ssoadmin_permission_set_inline_policy[`${P}_inline`][0].inline_policy).toBe(`\${data.aws_iam_policy_document.${P}_policy.json}`);
    const live = await parse('main.tf', renderTerraform({ ...base, identityCenter: { permissionSetName: 'Admin', instanceArn: 'arn:aws:sso:::instance/ssoins-1', permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-1' } }));
    expect(live.data.aws_ssoadmin_permission_set).toBeUndefined();
    expect(live.resource.aws_ssoadmin_permissions_boundary_attachment[`${P}_boundary`][0]).toMatchObject({ instance_arn: 'arn:aws:sso:::instance/ssoins-1', permission_set_arn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-1' });
  });

  it('keeps names with quotes, newlines and ${ out of comments and strings safely', async () => {
    await fc.assert(
      fc.asyncProperty(trickyString, trickyString, async (principalName, policyName) => {
        const tf = renderTerraform({
          principalKind: 'role',
          principalName,
          accountId: '123456789012',
          policies: [{ name: policyName, purpose: 'identity', attach: 'inline', document: identity }, { name: 'b', purpose: 'boundary', attach: 'managed', document: identity }],
          replacesPolicies: [{ kind: 'inline', name: policyName }],
        });
        const parsed = await parse('main.tf', tf);
        const inline = Object.values(parsed.resource.aws_iam_role_policy as Record<string, { name: string; role: string }[]>)[0]![0]!;
        expect(unescapeTemplate(inline.name)).toBe(policyName);
        expect(unescapeTemplate(inline.role)).toBe(principalName);
        const role = Object.values(parsed.resource.aws_iam_role as Record<string, { name: string }[]>)[0]![0]!;
        expect(unescapeTemplate(role.name)).toBe(principalName);
      }),
      { numRuns: 60 },
    );
  });
});
