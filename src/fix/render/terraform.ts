// Terraform for a fix plan, in the shape iam-policy-json-to-terraform produces: one
// `data "aws_iam_policy_document"` per policy with `statement` blocks, plus the resources that
// attach the policies. HCL is written by hand (no formatter at run time) in `terraform fmt`
// layout: nested blocks on their own lines, `=` aligned within a run of one-line attributes,
// blank lines around multi-line values and blocks (a blank line ends an alignment run).
import type { ConditionBlock, PolicyDocument, PrincipalBlock, Statement } from '../../model/policy.js';
import type { FixPolicy, FixTarget } from './index.js';
import { isSafeText, safeText } from '../../safe/text.js';
import { shellQuote } from './aws-cli.js';

// ---- HCL primitives --------------------------------------------------------------------------

/**
 * A quoted HCL string. Besides the usual escapes, `${` and `%{` start template interpolation and
 * directives in HCL, so literal ones (IAM policy variables like `${aws:username}`) are written
 * `$${` and `%%{`.
 */
export function hclString(value: string): string {
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
    else if (!isSafeText(ch)) out += code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `"${out.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{')}"`;
}

/** A Terraform identifier: letters, digits, `_` and `-`, not starting with a digit or `-`. */
export function terraformName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_-]/g, '_');
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

/** One-line text safe inside a `#` comment. */
function commentText(s: string): string {
  return safeText(JSON.stringify(s));
}

/** A value in a shell command shown in a comment: copy-pasteable, and never spanning lines. */
function shellHint(s: string): string {
  return shellQuote(s);
}

interface HclAttr {
  readonly kind: 'attr';
  readonly name: string;
  readonly lines: readonly string[];
}
interface HclBlock {
  readonly kind: 'block';
  readonly header: string;
  readonly body: readonly HclNode[];
}
type HclNode = HclAttr | HclBlock;

const attr = (name: string, value: string): HclAttr => ({ kind: 'attr', name, lines: [value] });
const block = (header: string, body: readonly HclNode[]): HclBlock => ({ kind: 'block', header, body });

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

function renderBlock(b: HclBlock, indent = ''): string[] {
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

function uniqueNames(policies: readonly FixPolicy[]): string[] {
  const used = new Set<string>();
  return policies.map((p) => {
    const base = terraformName(p.name);
    let name = base;
    for (let i = 2; used.has(name.toLowerCase()); i++) name = `${base}_${i}`;
    used.add(name.toLowerCase());
    return name;
  });
}

const HEADER = (t: FixTarget) => [
  `# Generated by leash for IAM ${t.principalKind} ${commentText(t.principalName)} in account ${commentText(t.accountId)}.`,
  '# Review it, run `terraform plan`, and apply it yourself: leash never changes an AWS account.',
  '#',
  `# The ${t.principalKind} already exists and this configuration does not manage it. Policies are`,
  '# created and attached by resources that refer to it by name, which Terraform can add and',
  `# remove without owning the ${t.principalKind}. Settings that live on the ${t.principalKind} itself (permissions`,
  `# boundary${t.principalKind === 'role' ? ', trust policy, maximum session duration' : ''}) can only be set by an`,
  `# aws_iam_${t.principalKind} resource, and adopting an existing ${t.principalKind} into Terraform is a decision for`,
  '# its owner: a resource that disagrees with the real one (path, description, tags) would change',
  '# it, and a different path or name would replace it. So that part is written out below but',
  `# commented: uncomment the import block and resource, or copy the attributes into the`,
  `# configuration that already manages the ${t.principalKind}, and check that the plan changes only them.`,
];

/** main.tf for a fix: policy documents, the resources that attach them, and role settings (commented). */
export function renderTerraform(target: FixTarget): string {
  const kind = target.principalKind;
  const names = uniqueNames(target.policies);
  const sections: string[] = [HEADER(target).join('\n')];
  const principalAttr = attr(kind, hclString(target.principalName));
  const roleSettings: HclNode[] = [];
  const notes: string[] = [];

  target.policies.forEach((p, i) => {
    const name = names[i]!;
    const docRef = `data.aws_iam_policy_document.${name}.json`;
    const out: string[] = [`# ${p.purpose} policy ${commentText(p.name)}`, renderPolicyDocumentData(name, p.document)];
    const managed = (description: string) =>
      renderBlock(block(`resource "aws_iam_policy" ${hclString(name)}`, [
        attr('name', hclString(p.name)),
        attr('description', hclString(description)),
        attr('policy', docRef),
      ])).join('\n');
    if (p.purpose === 'identity' && p.attach === 'managed') {
      out.push(managed(`leash: least-privilege policy for ${kind} ${target.principalName}`));
      out.push(renderBlock(block(`resource "aws_iam_${kind}_policy_attachment" ${hclString(name)}`, [
        principalAttr,
        attr('policy_arn', `aws_iam_policy.${name}.arn`),
      ])).join('\n'));
    } else if (p.purpose === 'identity' && p.attach === 'inline') {
      out.push(renderBlock(block(`resource "aws_iam_${kind}_policy" ${hclString(name)}`, [
        attr('name', hclString(p.name)),
        principalAttr,
        attr('policy', docRef),
      ])).join('\n'));
    } else if (p.purpose === 'boundary' && p.attach !== 'none') {
      // A permissions boundary is always a managed policy.
      out.push(managed(`leash: permissions boundary for ${kind} ${target.principalName}`));
      roleSettings.push(attr('permissions_boundary', `aws_iam_policy.${name}.arn`));
    } else if (p.purpose === 'trust' && p.attach !== 'none') {
      if (kind === 'role') roleSettings.push(attr('assume_role_policy', docRef));
      else notes.push(`# IAM users have no trust policy; ${commentText(p.name)} is rendered but not attached.`);
    } else if (p.purpose === 'session') {
      out.push(`# A session policy is not attached to anything: pass it when assuming the role, e.g.\n#   aws sts assume-role --role-arn … --role-session-name … --policy file://session-policy.json`);
    }
    sections.push(out.join('\n\n'));
  });

  if (target.maxSessionDuration !== undefined) {
    if (kind === 'role') roleSettings.push(attr('max_session_duration', String(target.maxSessionDuration)));
    else notes.push('# maxSessionDuration applies to roles only; ignored for a user.');
  }

  const keepsTrust = kind === 'role' && roleSettings.length > 0 && !roleSettings.some((a) => a.kind === 'attr' && a.name === 'assume_role_policy');
  if (keepsTrust) {
    // aws_iam_role requires a trust policy even when the fix leaves it alone: read the current one
    // from a file the reviewer saves, so the resource stays valid HCL and the plan shows no change.
    roleSettings.push(attr('assume_role_policy', 'file("${path.module}/current-trust-policy.json")'));
  }
  if (roleSettings.length > 0) {
    const importBlock = block('import', [attr('to', `aws_iam_${kind}.this`), attr('id', hclString(target.principalName))]);
    const resource = block(`resource "aws_iam_${kind}" "this"`, [
      attr('name', hclString(target.principalName)),
      ...roleSettings,
      block('lifecycle', [
        attr('prevent_destroy', 'true'),
        attr('ignore_changes', kind === 'role' ? '[path, description, tags, force_detach_policies]' : '[path, tags, force_destroy]'),
      ]),
    ]);
    const lines = [
      ...renderBlock(importBlock, ''),
      '',
      ...renderBlock(resource, ''),
    ];
    sections.push([
      `# ${kind === 'role' ? 'Role' : 'User'} settings (see the note at the top). prevent_destroy guards against a plan that`,
      `# would replace the ${kind}; ignore_changes keeps Terraform from rewriting what leash did not set.`,
      ...(keepsTrust
        ? [
            '# This fix does not change the trust policy, but aws_iam_role needs one: save the current one with',
            `#   aws iam get-role --role-name ${shellHint(target.principalName)} --query Role.AssumeRolePolicyDocument > current-trust-policy.json`,
          ]
        : []),
      '#',
      ...lines.map((l) => (l === '' ? '#' : `# ${l}`)),
    ].join('\n'));
  }

  for (const r of target.replacesPolicies ?? []) {
    notes.push(
      r.kind === 'inline'
        ? `# After applying, delete the inline policy this replaces: aws iam delete-${kind}-policy --${kind}-name ${shellHint(target.principalName)} --policy-name ${shellHint(r.name)}`
        : `# After applying, detach the managed policy this replaces: aws iam detach-${kind}-policy --${kind}-name ${shellHint(target.principalName)} --policy-arn ${shellHint(r.arn ?? `arn:aws:iam::${target.accountId}:policy/${r.name}`)}`,
    );
  }
  if (notes.length > 0) sections.push(notes.join('\n'));
  return `${sections.join('\n\n')}\n`;
}
