// Renderers for fix plans: what a human reviews and applies. Nothing here talks to AWS.
import type { PolicyDocument } from '../../model/policy.js';
import { policyFileName, renderCliScript } from './aws-cli.js';
import { renderPolicyJson } from './policy-json.js';
import { renderTerraform, renderVersionsTf } from './terraform.js';

export interface FixPolicy {
  /** The IAM policy name (inline policy name, or managed policy name). */
  readonly name: string;
  readonly purpose: 'identity' | 'boundary' | 'trust' | 'session';
  /** How the policy reaches the principal; `none` renders the document only. Boundaries are always managed policies. */
  readonly attach: 'inline' | 'managed' | 'none';
  readonly document: PolicyDocument;
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
 * and apply.sh. Session policies are written compact because STS counts their white space.
 */
export function renderFixFiles(target: FixTarget): RenderedFile[] {
  const files: RenderedFile[] = target.policies.map((p, i) => ({
    path: policyFileName(target, i),
    content: renderPolicyJson(p.document, { compact: p.purpose === 'session' }),
    mode: 0o644,
  }));
  files.push({ path: 'main.tf', content: renderTerraform(target), mode: 0o644 });
  files.push({ path: 'versions.tf', content: renderVersionsTf(), mode: 0o644 });
  files.push({ path: 'apply.sh', content: renderCliScript(target), mode: 0o755 });
  return files;
}

export { policyFileName, renderCliScript, shellQuote } from './aws-cli.js';
export { renderPolicyJson, type PolicyJsonOptions } from './policy-json.js';
export { AWS_PROVIDER_CONSTRAINT, hclString, principalBlockPrefix, renderPolicyDocumentData, renderTerraform, renderVersionsTf, terraformName } from './terraform.js';
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
