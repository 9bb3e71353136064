// Policy JSON as a human reviews it and as `aws iam … --policy-document file://…` reads it.
import { policyToJson } from '../../iam/parse.js';
import type { PolicyDocument } from '../../model/policy.js';
import { jsonTextSafe } from '../../safe/text.js';

export interface PolicyJsonOptions {
  /**
   * One line, no indentation. For session policies: STS counts their plaintext characters
   * (white space included) against 2,048, unlike IAM, which ignores white space.
   */
  readonly compact?: boolean;
}

/**
 * The AWS JSON shape (policyToJson), 2-space indent, trailing newline. Keys come out in one
 * fixed order whatever order the input object had: Version, Id, Statement; and per statement
 * Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition.
 */
export function renderPolicyJson(doc: PolicyDocument, options: PolicyJsonOptions = {}): string {
  const json = policyToJson(doc);
  // Control and bidi characters in a value become \u escapes: the same policy to AWS, nothing raw on a terminal.
  return jsonTextSafe(options.compact ? `${JSON.stringify(json)}\n` : `${JSON.stringify(json, null, 2)}\n`);
}
