// One place where a resource read from any source (leash file, Config snapshot, live API)
// becomes a model Resource: type and name from the ARN, tags as a map, the resource-based policy
// parsed by the project's parser. A policy that cannot be read is `policyUnknown` plus a
// ScanError naming where it was — unknown, never "no policy" — and the resource is kept.
import type { Resource, ResourceType } from '../../model/inventory.js';
import type { PolicyDocument } from '../../model/policy.js';
import type { ScanError, SourceKind } from '../../model/errors.js';
import { parsePolicy } from '../../iam/parse.js';
import { resourceFromArn } from './arn.js';

/**
 * Longest resource-based policy read, in characters of JSON (URL-decoded). AWS caps them far
 * lower (S3 bucket policy 20 KB, KMS key policy 32 KB, Lambda 20 KB, SNS 30 KB, ECR 10 KB);
 * past this the policy is unknown, not parsed.
 */
export const MAX_POLICY_CHARS = 256 * 1024;
/** Most tags kept per resource (AWS allows 50); past it the rest are dropped and said so. */
export const MAX_TAGS = 200;

export interface RawResource {
  readonly arn: string;
  readonly type?: string;
  readonly name?: string;
  readonly account?: string;
  readonly region?: string;
  /** A map, or AWS's [{Key, Value}] list (Config also writes {key, value}). */
  readonly tags?: unknown;
  /** Object, JSON string or URL-encoded JSON string; undefined = the resource has none. */
  readonly policy?: unknown;
  /** Set when the policy could not be read at the source (e.g. AccessDenied): unknown, not absent. */
  readonly policyUnknown?: string;
  /** The role ARN it runs as (function execution role, stack service role); undefined or null = none stated. */
  readonly role?: unknown;
}

/** An IAM role ARN (paths allowed), as functions and stacks name their role. */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]{1,512}$/;

export interface ResourceContext {
  readonly source: SourceKind;
  /** File name or API location, for messages. */
  readonly location: string;
  /** JSON path of this resource ("$.resources[3]"), or the API call, for messages. */
  readonly path: string;
  /** Where the policy sits below `path` (".policy", ".supplementaryConfiguration.BucketPolicy.policyText"). */
  readonly policyPath?: string;
  /** Where the role sits below `path` (".role", ".configuration.role"). */
  readonly rolePath?: string;
  /** Account for resources whose ARN names none (S3 buckets), when the entry does not say. */
  readonly defaultAccount?: string;
  readonly errors: ScanError[];
}

function err(ctx: ResourceContext, path: string, message: string): void {
  ctx.errors.push({ source: ctx.source, code: 'invalid-input', location: ctx.location, path, message: `${ctx.location} at ${path}: ${message}` });
}

/** Tags as a plain map (null prototype: a tag named "__proto__" is a tag like any other). */
export function tagMap(raw: unknown, ctx: ResourceContext, path: string): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  if (raw === undefined || raw === null) return out;
  const entries: [unknown, unknown][] = Array.isArray(raw)
    ? raw.map((t) => (t !== null && typeof t === 'object' ? [(t as Record<string, unknown>).Key ?? (t as Record<string, unknown>).key, (t as Record<string, unknown>).Value ?? (t as Record<string, unknown>).value ?? ''] : [undefined, undefined]))
    : typeof raw === 'object'
      ? Object.entries(raw as object)
      : [];
  if (!Array.isArray(raw) && typeof raw !== 'object') {
    err(ctx, path, `expected tags as an object {key: value} or a list [{Key, Value}], got ${typeof raw}`);
    return out;
  }
  let dropped = 0;
  entries.forEach(([k, v], i) => {
    if (typeof k !== 'string' || (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')) {
      err(ctx, Array.isArray(raw) ? `${path}[${i}]` : `${path}[${JSON.stringify(String(k))}]`, 'expected a tag with a string key and a string value');
      return;
    }
    if (Object.keys(out).length >= MAX_TAGS && !(k in out)) {
      dropped++;
      return;
    }
    out[k] = String(v);
  });
  if (dropped > 0) err(ctx, path, `expected at most ${MAX_TAGS} tags, got ${MAX_TAGS + dropped}; ${dropped} dropped`);
  return out;
}

/** The resource-based policy, parsed; or why it is unknown (and a ScanError naming where). */
export function readPolicy(raw: unknown, ctx: ResourceContext): { policy?: PolicyDocument; policyUnknown?: string } {
  if (raw === undefined || raw === null || raw === '') return {};
  const path = `${ctx.path}${ctx.policyPath ?? '.policy'}`;
  const size = typeof raw === 'string' ? raw.length : JSON.stringify(raw).length;
  if (size > MAX_POLICY_CHARS) {
    const why = `policy of ${size} characters, over the ${MAX_POLICY_CHARS}-character limit; not read`;
    err(ctx, path, `expected a resource-based policy of at most ${MAX_POLICY_CHARS} characters, got ${size}`);
    return { policyUnknown: why };
  }
  const r = parsePolicy(raw, 'any', path);
  if (r.ok) return { policy: r.document };
  err(ctx, r.error.path, `expected ${r.error.expected}, got ${r.error.got}`);
  return { policyUnknown: `${r.error.path}: expected ${r.error.expected}` };
}

/**
 * A Resource from raw fields, or undefined (with a ScanError) when the ARN names none of the
 * inventoried types or disagrees with the stated type.
 */
export function toResource(raw: RawResource, ctx: ResourceContext): Resource | undefined {
  const parsed = resourceFromArn(raw.arn);
  if (!parsed) {
    err(ctx, `${ctx.path}.arn`, `expected the ARN of a stack, bucket, table, DB instance or cluster, function, ECS cluster or service, EKS cluster, KMS key, secret, queue, topic or repository, got ${JSON.stringify(raw.arn.slice(0, 200))}`);
    return undefined;
  }
  if (raw.type !== undefined && raw.type !== parsed.type) {
    err(ctx, `${ctx.path}.type`, `expected the type its ARN names (${parsed.type}), got ${JSON.stringify(raw.type)}`);
    return undefined;
  }
  const account = parsed.account || raw.account || ctx.defaultAccount || '';
  if (parsed.account && raw.account && raw.account !== parsed.account) {
    err(ctx, `${ctx.path}.account`, `expected the account its ARN names (${parsed.account}), got ${JSON.stringify(raw.account)}`);
    return undefined;
  }
  const policy = raw.policyUnknown !== undefined ? { policyUnknown: raw.policyUnknown } : readPolicy(raw.policy, ctx);
  let role: string | undefined;
  if (raw.role !== undefined && raw.role !== null && raw.role !== '') {
    if (typeof raw.role === 'string' && ROLE_ARN.test(raw.role)) role = raw.role;
    else err(ctx, `${ctx.path}${ctx.rolePath ?? '.role'}`, `expected an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME), got ${JSON.stringify(raw.role).slice(0, 200)}; the resource is kept without its role`);
  }
  return {
    arn: parsed.arn,
    type: parsed.type as ResourceType,
    name: raw.name ?? parsed.name,
    account,
    region: parsed.region || raw.region || '',
    tags: tagMap(raw.tags, ctx, `${ctx.path}.tags`),
    ...policy,
    ...(role ? { role } : {}),
  };
}
