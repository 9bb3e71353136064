// Renderers for fix plans: what a human reviews and applies. Nothing here talks to AWS.
import type { PolicyDocument } from '../../model/policy.js';
import { policyFileName, renderCliScript, type CliScriptOptions } from './aws-cli.js';
import { renderPolicyJson } from './policy-json.js';
import { renderSharedBoundaryTf, renderTerraform } from './terraform.js';
import { POLICY_ID_FILE } from './shared-boundary.js';
import { SIZE_HEADING } from './readme.js';

export interface FixPolicy {
  /** The IAM policy name (inline policy name, or managed policy name). */
  readonly name: string;
  readonly purpose: 'identity' | 'boundary' | 'trust' | 'session';
  /** How the policy reaches the principal; `none` renders the document only. Boundaries are always managed policies. */
  readonly attach: 'inline' | 'managed' | 'none';
  readonly document: PolicyDocument;
  /**
   * A boundary shared by content (shared-boundary.ts): created once, from
   * fixes/boundaries/<name>/, and only attached by this principal's files.
   */
  readonly shared?: true;
  /**
   * Rendered, not applied (attach `none`): why the change is held back (a trust policy whose
   * verification says it is not safe as it stands: a placeholder, callers it would lock out).
   * main.tf and apply.sh say so and leave today's policy in place.
   */
  readonly heldBack?: string;
}

export interface FixTarget {
  readonly principalKind: 'role' | 'user';
  readonly principalName: string;
  readonly accountId: string;
  readonly policies: readonly FixPolicy[];
  /** Seconds (3600–43200); roles only. */
  readonly maxSessionDuration?: number;
  /** An IAM Identity Center role: the fix goes to its permission set (sso-admin, aws_ssoadmin_*). */
  readonly identityCenter?: { readonly permissionSetName: string; readonly instanceArn?: string; readonly permissionSetArn?: string };
  /** Today's trust policy (roles): Terraform's aws_iam_role needs one even when the fix leaves it as is. */
  readonly currentTrust?: PolicyDocument;
  /** Today's permissions boundary, if any (rollback puts it back). */
  readonly currentBoundaryArn?: string;
  /** Policies the fix replaces: removed after the new ones are in place. */
  readonly replacesPolicies?: readonly { readonly kind: 'inline' | 'managed'; readonly name: string; readonly arn?: string }[];
  /**
   * Schema 1.10.0. The principal's own policies the export names but does not hold: not read, so
   * not replaced; Terraform's exclusive lists keep them attached, as apply.sh does.
   */
  readonly keepsPolicies?: readonly { readonly kind: 'inline' | 'managed'; readonly name: string; readonly arn?: string }[];
}

export interface RenderedFile {
  /** Relative to the fix's output directory. */
  readonly path: string;
  readonly content: string;
  /** POSIX mode to write it with (the script is executable). */
  readonly mode: number;
}

/**
 * Every file of a fix, ready to write into one directory: the policy JSON files the script
 * reads (policy.json, policy-2.json…, boundary.json, trust.json, session-policy.json), main.tf
 * and apply.sh. Session policies are written compact because STS counts their white space. The
 * terraform {} block is the fixes folder's versions.tf, once (fix/write.ts).
 */
export function renderFixFiles(target: FixTarget, opts: CliScriptOptions = {}): RenderedFile[] {
  // A shared boundary's JSON is in its own folder (fixes/boundaries/<name>/), once.
  const files: RenderedFile[] = target.policies.flatMap((p, i) => p.shared ? [] : [{
    path: policyFileName(target, i),
    content: renderPolicyJson(p.document, { compact: p.purpose === 'session' }),
    mode: 0o644,
  }]);
  files.push({ path: 'main.tf', content: renderTerraform(target, opts), mode: 0o644 });
  files.push({ path: 'apply.sh', content: renderCliScript(target, opts), mode: 0o755 });
  return files;
}

/**
 * The folder of a boundary shared by content (fixes/boundaries/<name>/): its JSON (which every
 * principal's apply.sh creates it from), main.tf and a README naming who uses it.
 * `principals` are ARNs with their fix folders relative to the fixes folder; `sizeNotes` say how
 * the document fits IAM's size limit (each principal's README links there instead of saying it).
 */
export function renderSharedBoundaryFiles(policy: Pick<FixPolicy, 'name' | 'document'>, accountId: string, partition: string, principals: readonly { readonly arn: string; readonly dir: string }[], sizeNotes: readonly string[] = []): RenderedFile[] {
  const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
  const arn = `arn:${partition}:iam::${accountId}:policy/${policy.name}`;
  const readme = [
    `# Permissions boundary ${code(policy.name)}`,
    '',
    `Account ${code(accountId)}. Shared by ${principals.length} principal(s): every one whose planned boundary says exactly this (the name is a hash of boundary.json, so a boundary that says anything else has another name). Why each action is denied is in each principal's README.md (for a principal whose only fix attaches this boundary: its section of \`../../attach-<this name>/README.md\`, or of the members page its row there links).`,
    '',
    'leash never applies it. It is created once, by whichever route you use:',
    '',
    `- **apply.sh**: the first principal's \`apply.sh --apply\` creates it from boundary.json here and writes its PolicyId to \`${POLICY_ID_FILE}\`; the others attach it only when the live policy has that PolicyId, so a policy someone else created under this name is never taken for leash's.`,
    '- **Terraform**: apply main.tf here (with `../../versions.tf` copied beside it) before the principals\' main.tf, which look it up by name. If you then use apply.sh, it finds a policy it did not create: compare the live document with boundary.json (`aws iam get-policy-version --policy-arn <arn> --version-id v1`) and, if they match, write its PolicyId to ' + `\`${POLICY_ID_FILE}\`.`,
    '',
    'When no principal uses it any more:',
    '',
    '```',
    `aws iam list-entities-for-policy --policy-arn ${arn} --policy-usage-filter PermissionsBoundary`,
    `aws iam delete-policy --policy-arn ${arn}`,
    '```',
    '',
    ...(sizeNotes.length > 0 ? [`## ${SIZE_HEADING}`, '', ...sizeNotes.map((n) => `- ${n}`), ''] : []),
    `## Principals (${principals.length})`,
    '',
    ...principals.map((p) => `- ${code(p.arn)}: ${code(`../../${p.dir}/`)}`),
    '',
  ].join('\n');
  return [
    { path: 'boundary.json', content: renderPolicyJson(policy.document), mode: 0o644 },
    { path: 'main.tf', content: renderSharedBoundaryTf(policy, accountId, principals.length), mode: 0o644 },
    { path: 'README.md', content: readme, mode: 0o644 },
  ];
}

export { applyLibFile, policyFileName, renderCliScript, shellQuote, type CliScriptOptions } from './aws-cli.js';
export { renderPolicyJson, type PolicyJsonOptions } from './policy-json.js';
export { BOUNDARIES_DIR, policyDigest, POLICY_ID_FILE, SHARED_BOUNDARY_PREFIX, sharedBoundaryDir, sharedBoundaryName } from './shared-boundary.js';
export { AWS_PROVIDER_CONSTRAINT, hclString, principalBlockPrefix, renderPolicyDocumentData, renderSharedBoundaryTf, renderTerraform, renderVersionsTf, terraformName } from './terraform.js';
export {
  checkSizeLimits,
  fitPolicy,
  generaliseActions,
  generalisePolicy,
  nonWhitespaceLength,
  POLICY_SIZE_LIMITS,
  policySize,
  splitPolicy,
  type PolicySizeKind,
  type SizeCheck,
  type SplitResult,
} from './size-limits.js';
