// A policy document after parsing: every string-or-array field is an array, field names are
// camelCase, and each statement remembers its position so evidence can point at it.

export type Effect = 'Allow' | 'Deny';

/** `{ "AWS": [...], "Service": [...], "Federated": [...], "CanonicalUser": [...] }`, or `"*"`. */
export type PrincipalBlock = '*' | Readonly<Record<string, readonly string[]>>;

/** operator (e.g. `StringEquals`, `ForAnyValue:StringLike`, `BoolIfExists`) → condition key → values. */
export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

export interface Statement {
  /** 0-based position in the document's Statement array (0 when Statement was a single object). */
  readonly index: number;
  readonly sid?: string;
  readonly effect: Effect;
  /** Exactly one of action / notAction is set (trust policies may carry neither in malformed input; parse rejects that). */
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  /** Identity policies have resource or notResource; trust policies have neither. */
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly principal?: PrincipalBlock;
  readonly notPrincipal?: PrincipalBlock;
  readonly condition?: ConditionBlock;
}

export interface PolicyDocument {
  readonly version: '2012-10-17' | '2008-10-17';
  readonly id?: string;
  readonly statements: readonly Statement[];
}

/** Where a policy attached to a principal comes from. */
export type PolicyOrigin =
  | { readonly kind: 'inline'; readonly name: string }
  | { readonly kind: 'managed'; readonly name: string; readonly arn: string; readonly awsManaged: boolean }
  | { readonly kind: 'group-inline'; readonly name: string; readonly group: string }
  | { readonly kind: 'group-managed'; readonly name: string; readonly arn: string; readonly awsManaged: boolean; readonly group: string }
  | { readonly kind: 'boundary'; readonly name: string; readonly arn: string; readonly awsManaged: boolean }
  | { readonly kind: 'trust'; readonly name: 'AssumeRolePolicyDocument' }
  | { readonly kind: 'scp'; readonly name: string; readonly arn: string; readonly target: string }
  | { readonly kind: 'rcp'; readonly name: string; readonly arn: string; readonly target: string }
  | { readonly kind: 'resource'; readonly name: string; readonly arn: string }
  | { readonly kind: 'session'; readonly name: string }
  | { readonly kind: 'generated'; readonly name: string };

export interface AttachedPolicy {
  readonly origin: PolicyOrigin;
  readonly document: PolicyDocument;
}
