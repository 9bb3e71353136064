// Terraform for a fix plan, in the shape iam-policy-json-to-terraform produces: one
// `data "aws_iam_policy_document"` per policy with `statement` blocks, plus the resources that
// attach the policies. HCL is written by hand (no formatter at run time) in `terraform fmt`
// layout: nested blocks on their own lines, `=` aligned within a run of one-line attributes,
// blank lines around multi-line values and blocks (a blank line ends an alignment run).
import type { ConditionBlock, PolicyDocument, PrincipalBlock, Statement } from '../../model/policy.js';
import type { FixPolicy, FixTarget } from './index.js';
import { sharedBoundaryDir } from './shared-boundary.js';
import { isSafeText, safeText } from '../../safe/text.js';
import { shellQuote } from './aws-cli.js';

// ---- HCL primitives --------------------------------------------------------------------------

/**
 * A quoted HCL string. Besides the usual escapes, `${` and `%{` start template interpolation and
 * directives in HCL, so literal ones (IAM policy variables like `${aws:username}`) are written
 * `$${` and `%%{`. With `ascii`, every character past `~` is a \u escape too (the same value to
 * Terraform): text whose width `terraform fmt` measures (a key it aligns `=` after) is then one
 * column per character, never a question of how wide a grapheme is.
 */
export function hclString(value: string, options: { readonly ascii?: boolean } = {}): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    // Controls, C1 controls and bidi/zero-width characters as \u escapes (the value is the same
    // to Terraform; `cat main.tf` shows no escape sequence).
    else if (!isSafeText(ch) || (options.ascii === true && code > 0x7e)) out += code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `"${out.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{')}"`;
}

/** A Terraform identifier: letters, digits, `_` and `-`, not starting with a digit or `-`. */
export function terraformName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_-]/g, '_');
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

/** One-line text safe inside a `#` comment (quoted, like a JSON string). */
export function commentText(s: string): string {
  return safeText(JSON.stringify(s));
}

/** A value in a shell command shown in a comment: copy-pasteable, and never spanning lines. */
function shellHint(s: string): string {
  return shellQuote(s);
}

export interface HclAttr {
  readonly kind: 'attr';
  readonly name: string;
  readonly lines: readonly string[];
}
export interface HclBlock {
  readonly kind: 'block';
  readonly header: string;
  readonly body: readonly HclNode[];
}
export type HclNode = HclAttr | HclBlock;

export const attr = (name: string, value: string): HclAttr => ({ kind: 'attr', name, lines: [value] });
export const block = (header: string, body: readonly HclNode[]): HclBlock => ({ kind: 'block', header, body });

function stringList(name: string, values: readonly string[]): HclAttr {
  if (values.length === 1) return { kind: 'attr', name, lines: [`[${hclString(values[0]!)}]`] };
  return { kind: 'attr', name, lines: ['[', ...values.map((v) => `  ${hclString(v)},`), ']'] };
}

function renderNodes(nodes: readonly HclNode[], indent: string): string[] {
  const single = nodes.filter((n): n is HclAttr => n.kind === 'attr' && n.lines.length === 1);
  const multi = nodes.filter((n): n is HclAttr => n.kind === 'attr' && n.lines.length > 1);
  const blocks = nodes.filter((n): n is HclBlock => n.kind === 'block');
  const out: string[] = [];
  const width = Math.max(0, ...single.map((a) => a.name.length));
  for (const a of single) out.push(`${indent}${a.name.padEnd(width)} = ${a.lines[0]}`);
  for (const a of multi) {
    if (out.length > 0) out.push('');
    out.push(`${indent}${a.name} = ${a.lines[0]}`, ...a.lines.slice(1).map((l) => `${indent}${l}`));
  }
  for (const b of blocks) {
    if (out.length > 0) out.push('');
    out.push(...renderBlock(b, indent));
  }
  return out;
}

export function renderBlock(b: HclBlock, indent = ''): string[] {
  return [`${indent}${b.header} {`, ...renderNodes(b.body, `${indent}  `), `${indent}}`];
}

// ---- policy documents ------------------------------------------------------------------------

function principalBlocks(name: 'principals' | 'not_principals', p: PrincipalBlock): HclNode[] {
  // `"Principal": "*"` is written type "*"; type "AWS" with identifier "*" would render {"AWS": "*"}.
  if (p === '*') return [block(name, [attr('type', hclString('*')), stringList('identifiers', ['*'])])];
  return Object.entries(p).map(([type, ids]) => block(name, [attr('type', hclString(type)), stringList('identifiers', ids)]));
}

function conditionBlocks(c: ConditionBlock): HclNode[] {
  const out: HclNode[] = [];
  for (const [test, keys] of Object.entries(c)) {
    for (const [variable, values] of Object.entries(keys)) {
      out.push(block('condition', [attr('test', hclString(test)), attr('variable', hclString(variable)), stringList('values', values)]));
    }
  }
  return out;
}

function statementBlock(s: Statement): HclNode {
  const body: HclNode[] = [];
  if (s.sid !== undefined) body.push(attr('sid', hclString(s.sid)));
  body.push(attr('effect', hclString(s.effect)));
  if (s.action) body.push(stringList('actions', s.action));
  if (s.notAction) body.push(stringList('not_actions', s.notAction));
  if (s.resource) body.push(stringList('resources', s.resource));
  if (s.notResource) body.push(stringList('not_resources', s.notResource));
  if (s.principal) body.push(...principalBlocks('principals', s.principal));
  if (s.notPrincipal) body.push(...principalBlocks('not_principals', s.notPrincipal));
  if (s.condition) body.push(...conditionBlocks(s.condition));
  return block('statement', body);
}

/** `data "aws_iam_policy_document" "<name>" { … }` for one document; `name` must already be a Terraform name. */
export function renderPolicyDocumentData(name: string, doc: PolicyDocument): string {
  const body: HclNode[] = [attr('version', hclString(doc.version))];
  if (doc.id !== undefined) body.push(attr('policy_id', hclString(doc.id)));
  body.push(...doc.statements.map(statementBlock));
  return renderBlock(block(`data "aws_iam_policy_document" ${hclString(name)}`, body)).join('\n');
}

// ---- the fix ---------------------------------------------------------------------------------

/**
 * Block-name prefix for one principal: every block of its main.tf starts with it, so all
 * principals' main.tf files concatenate into one module without duplicate names. A name the
 * identifier rules had to change gets a short hash, so `a.b` and `a_b` stay apart.
 */
export function principalBlockPrefix(kind: string, name: string): string {
  const base = `${kind}_${name}`;
  const cleaned = terraformName(base);
  if (cleaned === base) return cleaned;
  let h = 0x811c9dc5;
  for (const ch of base) h = Math.imul(h ^ ch.codePointAt(0)!, 0x01000193) >>> 0;
  return `${cleaned}_${h.toString(16).padStart(8, '0').slice(0, 6)}`;
}

function blockNames(prefix: string, policies: readonly FixPolicy[]): string[] {
  const used = new Set<string>();
  return policies.map((p) => {
    const stem = p.purpose === 'identity' ? 'policy' : p.purpose === 'session' ? 'session_policy' : p.purpose;
    const base = `${prefix}_${stem}`;
    let name = base;
    for (let i = 2; used.has(name.toLowerCase()); i++) name = `${base}_${i}`;
    used.add(name.toLowerCase());
    return name;
  });
}

/** The Terraform version the generated files need: a boundary group's import blocks take for_each (1.7). */
export const TERRAFORM_VERSION_CONSTRAINT = '>= 1.7';

/** The AWS provider version the generated resources need (aws_iam_*_exclusive came in 5.80). */
export const AWS_PROVIDER_CONSTRAINT = '>= 5.80';

/**
 * versions.tf: the one `terraform {}` block, once in fixes/ (so `cat fixes/*\/main.tf` plus
 * fixes/versions.tf is one module; a folder alone takes a copy of it): main.tf never holds it, so
 * concatenating main.tf files never duplicates it. One file per principal was 3,700 files at 10k.
 */
export function renderVersionsTf(): string {
  return [
    '# Generated by leash. The terraform block for the fixes; main.tf files hold none, so several',
    "# principals' main.tf files concatenate into one module with this file beside them. To use one",
    "# fix folder alone, copy this file into it (README.md says more).",
    renderBlock(block('terraform', [
      attr('required_version', hclString(TERRAFORM_VERSION_CONSTRAINT)),
      block('required_providers', [{ kind: 'attr', name: 'aws', lines: ['{', `  source  = ${hclString('hashicorp/aws')}`, `  version = ${hclString(AWS_PROVIDER_CONSTRAINT)}`, '}'] }]),
    ])).join('\n'),
  ].join('\n') + '\n';
}

/**
 * The settings of an imported role or user that leash's Terraform never writes (lifecycle
 * ignore_changes): what it does not set stays as it is in the account. A principal's main.tf and
 * a boundary group's (group-terraform.ts) both take them from here.
 * Not `inline_policy` / `managed_policy_arns`: naming a deprecated argument, even in
 * ignore_changes, makes `terraform validate` warn, and left unset they already manage nothing
 * (optional + computed in provider 5.x and 6.x; the aws_iam_role docs: "If no blocks are
 * configured, Terraform will not manage any inline policies", "If this attribute is not
 * configured, Terraform will ignore policy attachments"). What the fix removes, it removes with
 * the *_exclusive resources below. test/fix/group-terraform-moto.test.ts applies it to a role
 * holding policies the fix does not touch.
 */
export const IGNORED_ROLE_SETTINGS: readonly string[] = ['path', 'description', 'tags', 'force_detach_policies'];
export const IGNORED_USER_SETTINGS: readonly string[] = ['path', 'tags', 'force_destroy'];

const HEADER = (t: FixTarget) => [
  `# Generated by leash for IAM ${t.principalKind} ${commentText(t.principalName)} in account ${commentText(t.accountId)}. Review it, run`,
  '# `terraform plan`, and apply it yourself (leash never changes an AWS account); ../README.md says how',
  "# (the terraform {} block is ../versions.tf). Block names start with the principal: main.tf files concatenate.",
  ...(t.identityCenter
    ? [
        `# IAM Identity Center owns this role: the fix goes to permission set ${commentText(t.identityCenter.permissionSetName)}.`,
        '# Plan and apply the aws_ssoadmin_* resources with credentials for the management account (or',
        '# the Identity Center delegated administrator); the boundary policy must exist in every account',
        '# the permission set is provisioned to.',
      ]
    : [
        `# Import blocks adopt the ${t.principalKind} and its policy lists (the plan shows changes, not creations);`,
        `# prevent_destroy and ignore_changes keep Terraform from replacing it or rewriting what leash did not set.`,
      ]),
];

/** main.tf for a fix: policy documents, the resources that attach them, and the principal's settings. */
export function renderTerraform(target: FixTarget, opts: { readonly notSafe?: string | undefined } = {}): string {
  const kind = target.principalKind;
  const prefix = principalBlockPrefix(kind, target.principalName);
  const names = blockNames(prefix, target.policies);
  const sections: string[] = [[
    ...HEADER(target),
    // Terraform has no --accept-not-safe: the reviewer is told, as apply.sh tells them (group.ts notSafeToApply).
    ...(opts.notSafe !== undefined ? [`# NOT SAFE as it stands, says leash: ${commentText(opts.notSafe)}. Do not apply it until you have checked that (apply.sh refuses it without --accept-not-safe).`] : []),
  ].join('\n')];
  const principalAttr = attr(kind, hclString(target.principalName));
  const roleSettings: HclNode[] = [];
  const ignored = kind === 'role' ? IGNORED_ROLE_SETTINGS : IGNORED_USER_SETTINGS;
  const notes: string[] = [];
  const ic = target.identityCenter;
  const newManagedArns: string[] = [];
  const keptInline: string[] = [];
  let icBoundary: string | undefined;
  let icInline: string | undefined;
  let trustSet = false;

  target.policies.forEach((p, i) => {
    const name = names[i]!;
    const docRef = `data.aws_iam_policy_document.${name}.json`;
    if (p.purpose === 'boundary' && p.shared && p.attach !== 'none') {
      // Shared by content: created once by fixes/boundaries/<name>/main.tf, looked up here by name
      // (terraform plan fails clearly until it exists).
      sections.push([
        `# boundary policy ${commentText(p.name)}, shared by content: created by ../${commentText(sharedBoundaryDir(p.name)).slice(1, -1)}/ (apply that first).`,
        renderBlock(block(`data "aws_iam_policy" ${hclString(name)}`, [attr('name', hclString(p.name))])).join('\n'),
      ].join('\n'));
      if (ic) icBoundary = p.name;
      else roleSettings.push(attr('permissions_boundary', `data.aws_iam_policy.${name}.arn`));
      return;
    }
    const out: string[] = [`# ${p.purpose} policy ${commentText(p.name)}`, renderPolicyDocumentData(name, p.document)];
    const managed = (description: string) =>
      renderBlock(block(`resource "aws_iam_policy" ${hclString(name)}`, [
        attr('name', hclString(p.name)),
        attr('description', hclString(description)),
        attr('policy', docRef),
      ])).join('\n');
    if (p.purpose === 'identity' && ic) {
      // A permission set has one inline policy: the right-sized policy becomes it.
      icInline = docRef;
    } else if (p.purpose === 'identity' && p.attach === 'managed') {
      out.push(managed(`leash: least-privilege policy for ${kind} ${target.principalName}`));
      out.push(renderBlock(block(`resource "aws_iam_${kind}_policy_attachment" ${hclString(name)}`, [
        principalAttr,
        attr('policy_arn', `aws_iam_policy.${name}.arn`),
      ])).join('\n'));
      newManagedArns.push(`aws_iam_policy.${name}.arn`);
    } else if (p.purpose === 'identity' && p.attach === 'inline') {
      out.push(renderBlock(block(`resource "aws_iam_${kind}_policy" ${hclString(name)}`, [
        attr('name', hclString(p.name)),
        principalAttr,
        attr('policy', docRef),
      ])).join('\n'));
      keptInline.push(p.name);
    } else if (p.purpose === 'boundary' && p.attach !== 'none') {
      // A permissions boundary is always a managed policy.
      out.push(managed(`leash: permissions boundary for ${kind} ${target.principalName}`));
      if (ic) icBoundary = p.name;
      else roleSettings.push(attr('permissions_boundary', `aws_iam_policy.${name}.arn`));
    } else if (p.purpose === 'trust' && p.heldBack !== undefined) {
      notes.push(`# ${commentText(p.name)} (trust.json) is held back, not applied: ${commentText(p.heldBack)}. Once that is resolved, set assume_role_policy from it by hand.`);
    } else if (p.purpose === 'trust' && p.attach !== 'none') {
      if (kind === 'role' && !ic) { roleSettings.push(attr('assume_role_policy', docRef)); trustSet = true; }
      else notes.push(ic ? '# Identity Center owns the trust policy of its roles; not applied.' : `# IAM users have no trust policy; ${commentText(p.name)} is rendered but not attached.`);
    } else if (p.purpose === 'session') {
      out.push('# A session policy is not attached to anything: pass it when assuming the role, e.g.\n#   aws sts assume-role --role-arn … --role-session-name … --policy file://session-policy.json\n# The output below gives the JSON to tools that take it from Terraform.');
      out.push(renderBlock(block(`output ${hclString(name)}`, [
        attr('description', hclString(`leash: session policy for AI tool sessions as ${kind} ${target.principalName}`)),
        attr('value', docRef),
      ])).join('\n'));
    }
    sections.push(out.join('\n\n'));
  });

  if (target.maxSessionDuration !== undefined) {
    if (kind === 'role' && !ic) roleSettings.push(attr('max_session_duration', String(target.maxSessionDuration)));
    else notes.push(ic ? '# Identity Center sets the session length on the permission set (session_duration); not applied.' : '# maxSessionDuration applies to roles only; ignored for a user.');
  }

  if (ic) sections.push(identityCenterSection(prefix, ic, icBoundary, icInline));
  else if (roleSettings.length > 0) {
    if (kind === 'role' && !trustSet) {
      if (target.currentTrust) {
        // aws_iam_role needs a trust policy even when the fix leaves it alone: today's, as read by
        // the scan, and ignored (below), so a trust policy changed since the scan is not reverted.
        const currentName = `${prefix}_current_trust`;
        sections.push([`# Today's trust policy, unchanged (aws_iam_role requires one; ignore_changes keeps Terraform from writing it).`, renderPolicyDocumentData(currentName, target.currentTrust)].join('\n\n'));
        roleSettings.push(attr('assume_role_policy', `data.aws_iam_policy_document.${currentName}.json`));
      } else {
        roleSettings.push(attr('assume_role_policy', 'file("${path.module}/current-trust-policy.json")'));
        notes.push(`# Save today's trust policy first: aws iam get-role --role-name ${shellHint(target.principalName)} --query Role.AssumeRolePolicyDocument > current-trust-policy.json`);
      }
    }
    const set = new Set(roleSettings.map((a) => (a.kind === 'attr' ? a.name : '')));
    const ignore = [
      ...ignored,
      ...(kind === 'role' && !set.has('max_session_duration') ? ['max_session_duration'] : []),
      ...(!set.has('permissions_boundary') ? ['permissions_boundary'] : []),
      // The fix leaves the trust policy alone, as apply.sh does: never written back.
      ...(kind === 'role' && !trustSet ? ['assume_role_policy'] : []),
    ];
    sections.push([
      `# The ${kind} itself: imported, then only the settings above change.`,
      renderBlock(block('import', [attr('to', `aws_iam_${kind}.${prefix}`), attr('id', hclString(target.principalName))])).join('\n'),
      renderBlock(block(`resource "aws_iam_${kind}" ${hclString(prefix)}`, [
        attr('name', hclString(target.principalName)),
        ...roleSettings,
        block('lifecycle', [attr('prevent_destroy', 'true'), attr('ignore_changes', `[${ignore.join(', ')}]`)]),
      ])).join('\n'),
    ].join('\n\n'));
  }

  const replaced = target.replacesPolicies ?? [];
  // Attached policies the export did not hold were not read, so not replaced: an exclusive list
  // without them would remove them (apply.sh leaves them too).
  for (const k of target.keepsPolicies ?? []) {
    if (k.kind === 'inline') keptInline.push(k.name);
    else if (k.arn !== undefined) newManagedArns.push(hclString(k.arn));
  }
  if (replaced.length > 0 && !ic) {
    // The policies the fix replaces are removed by exclusive lists of what stays: imported from
    // today's state, so the plan shows the old names leaving, not a create.
    const who = kind === 'role' ? 'role_name' : 'user_name';
    const inlineRes = `aws_iam_${kind}_policies_exclusive`;
    const attachRes = `aws_iam_${kind}_policy_attachments_exclusive`;
    sections.push([
      `# Replaced: ${replaced.map((r) => `${r.kind} ${commentText(r.name)}`).join(', ')}. Only the policies listed below stay attached.`,
      ...((target.keepsPolicies ?? []).length > 0 ? [`# Kept, not read (the export does not hold them): ${target.keepsPolicies!.map((k) => `${k.kind} ${commentText(k.name)}`).join(', ')}.`] : []),
      renderBlock(block('import', [attr('to', `${inlineRes}.${prefix}`), attr('id', hclString(target.principalName))])).join('\n'),
      renderBlock(block(`resource "${inlineRes}" ${hclString(prefix)}`, [
        attr(who, hclString(target.principalName)),
        keptInline.length > 0 ? stringList('policy_names', keptInline) : attr('policy_names', '[]'),
      ])).join('\n'),
      renderBlock(block('import', [attr('to', `${attachRes}.${prefix}`), attr('id', hclString(target.principalName))])).join('\n'),
      renderBlock(block(`resource "${attachRes}" ${hclString(prefix)}`, [
        attr(who, hclString(target.principalName)),
        { kind: 'attr', name: 'policy_arns', lines: newManagedArns.length === 0 ? ['[]'] : ['[', ...newManagedArns.map((x) => `  ${x},`), ']'] },
      ])).join('\n'),
    ].join('\n\n'));
  }

  return `${[...sections, ...(notes.length > 0 ? [notes.join('\n')] : [])].join('\n\n')}\n`;
}

/** The permission set side: boundary attachment (and inline policy), looked up by name when the scan did not read the ARNs. */
function identityCenterSection(prefix: string, ic: NonNullable<FixTarget['identityCenter']>, boundaryName: string | undefined, inlineDoc: string | undefined): string {
  const out: string[] = [];
  let instance: string;
  let permissionSet: string;
  if (ic.instanceArn && ic.permissionSetArn) {
    instance = hclString(ic.instanceArn);
    permissionSet = hclString(ic.permissionSetArn);
  } else {
    out.push(`# The scan did not read Identity Center (sso-admin List/Describe): the ARNs are looked up by name.`);
    out.push(renderBlock(block(`data "aws_ssoadmin_instances" ${hclString(prefix)}`, [])).join('\n'));
    instance = `tolist(data.aws_ssoadmin_instances.${prefix}.arns)[0]`;
    out.push(renderBlock(block(`data "aws_ssoadmin_permission_set" ${hclString(prefix)}`, [
      attr('instance_arn', instance),
      attr('name', hclString(ic.permissionSetName)),
    ])).join('\n'));
    permissionSet = `data.aws_ssoadmin_permission_set.${prefix}.arn`;
  }
  if (boundaryName !== undefined) {
    out.push(renderBlock(block(`resource "aws_ssoadmin_permissions_boundary_attachment" ${hclString(`${prefix}_boundary`)}`, [
      attr('instance_arn', instance),
      attr('permission_set_arn', permissionSet),
      block('permissions_boundary', [block('customer_managed_policy_reference', [attr('name', hclString(boundaryName)), attr('path', hclString('/'))])]),
    ])).join('\n'));
  }
  if (inlineDoc !== undefined) {
    out.push(renderBlock(block(`resource "aws_ssoadmin_permission_set_inline_policy" ${hclString(`${prefix}_inline`)}`, [
      attr('instance_arn', instance),
      attr('permission_set_arn', permissionSet),
      attr('inline_policy', inlineDoc),
    ])).join('\n'));
  }
  out.push('# Terraform provisions the permission set to its accounts when these resources change.');
  return out.join('\n\n');
}

/**
 * main.tf of a shared boundary's folder (fixes/boundaries/<name>/): the one managed policy every
 * principal with this boundary attaches. Their main.tf look it up by name, so it is applied first.
 */
export function renderSharedBoundaryTf(policy: Pick<FixPolicy, 'name' | 'document'>, accountId: string, principals: number): string {
  const name = terraformName(policy.name);
  return [
    `# Generated by leash: permissions boundary ${commentText(policy.name)} in account ${commentText(accountId)}, shared by ${principals} principal(s) (README.md).`,
    '# Review it, run `terraform plan`, and apply it yourself before the main.tf of the principals that',
    "# attach it (they look it up by name). The terraform {} block is the fixes folder's versions.tf (copy",
    '# it here). The name comes from the content: a boundary that says something else gets another name,',
    '# never a new version of this one.',
    '',
    renderPolicyDocumentData(name, policy.document),
    '',
    renderBlock(block(`resource "aws_iam_policy" ${hclString(name)}`, [
      attr('name', hclString(policy.name)),
      attr('description', hclString('leash: permissions boundary shared by every principal it is the same for')),
      attr('policy', `data.aws_iam_policy_document.${name}.json`),
    ])).join('\n'),
    '',
  ].join('\n');
}
