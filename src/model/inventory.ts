// Resources an account holds, with their resource-based policies: the contract between the
// inventory readers (collect/inventory: live, AWS Config snapshot, leash's own JSON shape) and the
// blast-radius analysis (src/resources). Everything here came from data an attacker may write
// (names, tags, policies): validated at the edge, shown through safeText.
import type { PolicyDocument } from './policy.js';
import type { ScanError, SourceInfo } from './errors.js';

/** The resource types leash inventories. One word per type, service-prefixed, IAM's own nouns. */
export const RESOURCE_TYPES = [
  'cloudformation:stack',
  's3:bucket',
  'dynamodb:table',
  'rds:db',
  'rds:cluster',
  'lambda:function',
  'ecs:cluster',
  'ecs:service',
  'eks:cluster',
  'kms:key',
  'secretsmanager:secret',
  'sqs:queue',
  'sns:topic',
  'ecr:repository',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export interface Resource {
  /** The ARN IAM evaluates requests against (S3 buckets: arn:aws:s3:::name, no region or account). */
  readonly arn: string;
  readonly type: ResourceType;
  readonly name: string;
  /** Owning account; for S3 buckets (no account in the ARN) the account it was read from. */
  readonly account: string;
  /** Region it lives in; '' when unknown. */
  readonly region: string;
  readonly tags: Readonly<Record<string, string>>;
  /** The resource-based policy (bucket policy, key policy, Lambda permissions, secret/queue/topic/repository policy), parsed. */
  readonly policy?: PolicyDocument;
  /** The policy could not be read or parsed: unknown, not absent (then `policy` is undefined). */
  readonly policyUnknown?: string;
  /**
   * The IAM role the resource runs as, when its source says: a Lambda function's execution role,
   * a CloudFormation stack's service role. Joins existing compute to the access graph
   * (src/graph/carriers.ts): whoever may update it acts as that role.
   */
  readonly role?: string;
}

/** A resource control policy (RCP) level: each level must allow, like SCPs. */
export interface ResourceInventory {
  readonly resources: readonly Resource[];
  /** Resource control policies that apply to the account(s), outermost first, when collected. */
  readonly rcps?: readonly (readonly { readonly name: string; readonly arn: string; readonly document: PolicyDocument }[])[];
  /** Where the inventory came from; collectSnapshot also copies these into Snapshot.sources (report one, not both). */
  readonly sources: readonly SourceInfo[];
  /** Problems reading it; collectSnapshot also copies these into Snapshot.errors (report one, not both). */
  readonly errors: readonly ScanError[];
}
