// fast-check generators for IAM policies and requests, shaped like what people really write:
// real actions and ARNs, the wildcards that matter (`s3:Get*`, `iam:*User*`, `bucket-?/*`) and
// the condition operators and keys agent policies lean on. Pools are small on purpose so that
// generated statements and requests collide often enough to exercise matching, not just misses.
import fc from 'fast-check';

export const ACCOUNT = '111122223333';
export const PRINCIPAL_ARN = `arn:aws:iam::${ACCOUNT}:role/agent-runner`;

/**
 * Concrete requests the simulator accepts: each resource has the resource type its action
 * takes, and actions that take no resource type use `*` (IAM's "wildcard-only" actions).
 */
export const REQUEST_POOL: readonly { readonly action: string; readonly resource: string }[] = [
  { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket-a/key.txt' },
  { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket-10/reports/q1.csv' },
  { action: 's3:PutObject', resource: 'arn:aws:s3:::bucket-b/home/alice/notes.md' },
  { action: 's3:DeleteObject', resource: 'arn:aws:s3:::bucket-a/key.txt' },
  { action: 's3:ListBucket', resource: 'arn:aws:s3:::bucket-a' },
  { action: 's3:GetBucketPolicy', resource: 'arn:aws:s3:::bucket-b' },
  { action: 's3:ListAllMyBuckets', resource: '*' },
  { action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/alice` },
  { action: 'iam:DeleteUser', resource: `arn:aws:iam::${ACCOUNT}:user/ops/bob` },
  { action: 'iam:GetUser', resource: `arn:aws:iam::${ACCOUNT}:user/alice` },
  { action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${ACCOUNT}:user/alice` },
  { action: 'iam:AttachUserPolicy', resource: `arn:aws:iam::${ACCOUNT}:user/ops/bob` },
  { action: 'iam:GetRole', resource: `arn:aws:iam::${ACCOUNT}:role/agent-runner` },
  { action: 'iam:ListUsers', resource: '*' },
  { action: 'ec2:TerminateInstances', resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0abc1234def567890` },
  { action: 'ec2:TerminateInstances', resource: `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0fff0000aaaa11112` },
  { action: 'ec2:DescribeInstances', resource: '*' },
  { action: 'dynamodb:DeleteTable', resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders` },
  { action: 'dynamodb:GetItem', resource: `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/orders` },
  { action: 'lambda:InvokeFunction', resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:deploy-bot` },
];

/** Action patterns as written in policies: exact names (in odd cases too) and wildcards. */
export const ACTION_PATTERNS: readonly string[] = [
  ...new Set(REQUEST_POOL.map((r) => r.action)),
  's3:getobject', 'S3:PutObject', 'IAM:createuser',
  's3:Get*', 's3:*', '*', 'iam:*User*', 'iam:Get*', 'iam:List*', 'iam:*', 'ec2:*', 'ec2:Describe*',
  'dynamodb:Delete*', 'lambda:*', 's3:?etObject', 's3:*Object',
];

/**
 * Wildcards in the service prefix. IAM's grammar only documents wildcards in the action name and
 * iam-simulate's validator rejects these ("Service can only contain letters, numbers, and
 * hyphens"), so they stay out of the differential pool; our own matcher still handles them.
 */
export const SERVICE_WILDCARD_PATTERNS: readonly string[] = ['*:Get*', 's?:List*', '*:*'];

/** Resource patterns: real ARNs, per-field wildcards, `?`, and a policy variable. */
export const RESOURCE_PATTERNS: readonly string[] = [
  '*',
  'arn:aws:s3:::bucket-?/*',
  'arn:aws:s3:::bucket-a',
  'arn:aws:s3:::bucket-a/*',
  'arn:aws:s3:::*',
  'arn:aws:s3:::bucket-b/home/${aws:PrincipalTag/team}/*',
  'arn:aws:s3:::Bucket-A/*',
  `arn:aws:iam::${ACCOUNT}:user/*`,
  `arn:aws:iam::${ACCOUNT}:user/alice`,
  `arn:aws:iam::${ACCOUNT}:role/agent-*`,
  `arn:aws:ec2:*:${ACCOUNT}:instance/*`,
  'arn:aws:ec2:us-east-1:*:*',
  `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/*`,
  `arn:aws:*:*:${ACCOUNT}:*`,
  `arn:aws:lambda:*:${ACCOUNT}:function:deploy-*`,
];

export type JsonStatement = Record<string, unknown>;
export interface JsonPolicy {
  Version: '2012-10-17';
  Statement: JsonStatement[];
}

const oneOrMany = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | T[]> =>
  fc.oneof(arb, fc.uniqueArray(arb, { minLength: 1, maxLength: 3 }));

/** One `operator → key → values` entry, from operators and keys that make sense together. */
export const conditionEntryArb: fc.Arbitrary<[string, string, string[]]> = fc.oneof(
  fc.tuple(fc.constantFrom('Bool', 'BoolIfExists'), fc.constant('aws:MultiFactorAuthPresent'), fc.constantFrom<string[]>(['true'], ['false'])),
  fc.tuple(fc.constantFrom('NumericLessThan', 'NumericGreaterThanEquals'), fc.constant('aws:MultiFactorAuthAge'), fc.constantFrom<string[]>(['3600'], ['60'])),
  fc.tuple(
    fc.constantFrom('StringEquals', 'StringNotEquals', 'StringLike', 'StringEqualsIfExists', 'StringNotEqualsIfExists'),
    fc.constantFrom('aws:PrincipalTag/team', 'aws:RequestedRegion'),
    fc.uniqueArray(fc.constantFrom('platform', 'data', 'plat*', 'us-east-1', 'eu-west-1', 'us-*'), { minLength: 1, maxLength: 2 }),
  ),
  fc.tuple(fc.constantFrom('DateGreaterThan', 'DateLessThan'), fc.constant('aws:CurrentTime'), fc.constantFrom<string[]>(['2026-01-01T00:00:00Z'], ['2030-06-30T12:00:00Z'])),
  fc.tuple(
    fc.constantFrom('IpAddress', 'NotIpAddress'),
    fc.constant('aws:SourceIp'),
    fc.uniqueArray(fc.constantFrom('10.0.0.0/8', '192.0.2.0/24', '203.0.113.7/32', '2001:db8::/32'), { minLength: 1, maxLength: 2 }),
  ),
  fc.tuple(
    fc.constantFrom('ArnLike', 'ArnNotLike', 'ArnEquals'),
    fc.constant('aws:PrincipalArn'),
    fc.constantFrom<string[]>([`arn:aws:iam::${ACCOUNT}:role/agent-*`], [`arn:aws:iam::${ACCOUNT}:role/human-*`], [PRINCIPAL_ARN]),
  ),
  fc.tuple(fc.constant('Null'), fc.constantFrom('aws:PrincipalTag/team', 'aws:MultiFactorAuthPresent', 'aws:TagKeys'), fc.constantFrom<string[]>(['true'], ['false'])),
  fc.tuple(
    fc.constantFrom('ForAnyValue:StringEquals', 'ForAllValues:StringEquals', 'ForAnyValue:StringLike', 'ForAllValues:StringLike', 'ForAnyValue:StringNotEquals', 'ForAllValues:StringNotEquals'),
    fc.constant('aws:TagKeys'),
    fc.uniqueArray(fc.constantFrom('env', 'team', 'owner', 'cost-*'), { minLength: 1, maxLength: 3 }),
  ),
  fc.tuple(fc.constantFrom('StringLike', 'StringEquals', 'StringNotLike'), fc.constant('s3:prefix'), fc.constantFrom<string[]>(['home/*'], ['reports/'], ['home/${aws:PrincipalTag/team}/*'])),
);

/** A Condition block of 1–2 entries; duplicate operator+key pairs are merged the way JSON would keep the last. */
export const conditionBlockArb: fc.Arbitrary<Record<string, Record<string, string | string[]>>> = fc
  .array(conditionEntryArb, { minLength: 1, maxLength: 2 })
  .map((entries) => {
    const out: Record<string, Record<string, string | string[]>> = {};
    for (const [op, key, values] of entries) (out[op] ??= {})[key] = values.length === 1 ? values[0]! : values;
    return out;
  });

export interface StatementArbOptions {
  readonly effects?: readonly ('Allow' | 'Deny')[];
  readonly conditions?: boolean;
  readonly notAction?: boolean;
  readonly notResource?: boolean;
  /** Override the pattern pools, e.g. to aim statements at one request. */
  readonly actions?: readonly string[];
  readonly resources?: readonly string[];
}

export function statementArb(opts: StatementArbOptions = {}): fc.Arbitrary<JsonStatement> {
  const effects = opts.effects ?? ['Allow', 'Deny'];
  const actionKey = opts.notAction === false ? fc.constant('Action') : fc.constantFrom('Action', 'Action', 'Action', 'NotAction');
  const resourceKey = opts.notResource === false ? fc.constant('Resource') : fc.constantFrom('Resource', 'Resource', 'Resource', 'NotResource');
  return fc
    .record({
      effect: fc.constantFrom(...effects),
      actionKey,
      actions: oneOrMany(fc.constantFrom(...(opts.actions ?? ACTION_PATTERNS))),
      resourceKey,
      resources: oneOrMany(fc.constantFrom(...(opts.resources ?? RESOURCE_PATTERNS))),
      condition: opts.conditions === false ? fc.constant(undefined) : fc.option(conditionBlockArb, { freq: 2, nil: undefined }),
    })
    .map(({ effect, actionKey: ak, actions, resourceKey: rk, resources, condition }) => {
      const s: JsonStatement = { Effect: effect, [ak]: actions, [rk]: resources };
      if (condition) s.Condition = condition;
      return s;
    });
}

export function policyArb(opts: StatementArbOptions = {}, maxStatements = 4): fc.Arbitrary<JsonPolicy> {
  return fc.array(statementArb(opts), { minLength: 1, maxLength: maxStatements }).map((Statement) => ({ Version: '2012-10-17' as const, Statement }));
}

/** Request context as the simulator takes it (key → string, or string[] for multi-valued keys). */
export const contextArb: fc.Arbitrary<Record<string, string | string[]>> = fc
  .record(
    {
      'aws:MultiFactorAuthPresent': fc.constantFrom('true', 'false'),
      'aws:MultiFactorAuthAge': fc.constantFrom('30', '3600', '86400'),
      'aws:SourceIp': fc.constantFrom('10.1.2.3', '192.0.2.10', '198.51.100.1', '203.0.113.7', '2001:db8::1'),
      'aws:PrincipalTag/team': fc.constantFrom('platform', 'data', 'Platform'),
      'aws:RequestedRegion': fc.constantFrom('us-east-1', 'eu-west-1', 'ap-south-1'),
      'aws:CurrentTime': fc.constantFrom('2025-06-01T00:00:00Z', '2027-03-15T08:30:00Z', '2031-01-01T00:00:00Z'),
      'aws:PrincipalArn': fc.constant(PRINCIPAL_ARN),
      'aws:TagKeys': fc.uniqueArray(fc.constantFrom('env', 'team', 'owner', 'cost-center'), { minLength: 1, maxLength: 3 }),
      's3:prefix': fc.constantFrom('home/alice/', 'reports/', 'home/platform/x'),
    },
    { requiredKeys: [] },
  )
  .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Record<string, string | string[]>);

export const requestArb = fc.record({ target: fc.constantFrom(...REQUEST_POOL), context: contextArb });

/** Patterns that match `action` in different ways (exact, other case, `*`, `?`), so a policy can aim at it. */
export function patternsFor(action: string): string[] {
  const [service, name] = action.split(':') as [string, string];
  return [action, action.toLowerCase(), `${service.toUpperCase()}:${name}`, `${service}:*`, `${service}:${name.slice(0, 3)}*`, `${service}:*${name.slice(-4)}`, `${service}:${name.slice(0, 1)}?${name.slice(2)}`];
}

/** Resource patterns that match `resource` (or just miss it), so a policy can aim at it. */
export function resourcePatternsFor(resource: string): string[] {
  if (resource === '*') return ['*'];
  const slash = resource.lastIndexOf('/');
  const out = [resource, `${resource.slice(0, -1)}?`, '*'];
  if (slash > 0) out.push(`${resource.slice(0, slash)}/*`, `${resource.slice(0, slash + 1)}X*`);
  const parts = resource.split(':');
  out.push([...parts.slice(0, 3), '*', ...parts.slice(4)].join(':')); // any account
  return out;
}

export interface DifferentialCase {
  readonly identity: JsonPolicy[];
  readonly boundary: JsonPolicy | undefined;
  /** SCP levels, root first; each level must allow. */
  readonly scps: JsonPolicy[][] | undefined;
  readonly session: JsonPolicy | undefined;
  readonly request: { readonly target: { readonly action: string; readonly resource: string }; readonly context: Record<string, string | string[]> };
}

/**
 * A request, and 1–3 identity policies plus an optional boundary (and, when asked, SCP levels
 * and a session policy) whose statements are drawn mostly from patterns aimed at that request,
 * so that Allowed, ExplicitlyDenied and ImplicitlyDenied all occur often.
 */
export function differentialCaseArb(layers: { scps?: boolean; session?: boolean } = {}): fc.Arbitrary<DifferentialCase> {
  return requestArb.chain((request) => {
    const aimed: StatementArbOptions = {
      actions: [...patternsFor(request.target.action), ...ACTION_PATTERNS.slice(0, 6)],
      resources: [...resourcePatternsFor(request.target.resource), ...RESOURCE_PATTERNS.slice(0, 4)],
    };
    const st = fc.oneof({ arbitrary: statementArb(aimed), weight: 2 }, { arbitrary: statementArb(), weight: 1 });
    const allowHeavy = fc.oneof({ arbitrary: statementArb({ ...aimed, effects: ['Allow'] }), weight: 3 }, { arbitrary: st, weight: 2 });
    const policy = fc.array(allowHeavy, { minLength: 1, maxLength: 4 }).map((Statement): JsonPolicy => ({ Version: '2012-10-17', Statement }));
    // SCPs and session policies are usually broad (FullAWSAccess is attached by default), so
    // half the time a layer is that, and otherwise a generated policy.
    const fullAccess: JsonPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const layer = fc.oneof(fc.constant(fullAccess), policy);
    return fc.record({
      identity: fc.array(policy, { minLength: 1, maxLength: 3 }),
      boundary: fc.option(policy, { nil: undefined }),
      scps: layers.scps ? fc.option(fc.array(fc.array(layer, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 }), { nil: undefined }) : fc.constant(undefined),
      session: layers.session ? fc.option(layer, { nil: undefined }) : fc.constant(undefined),
      request: fc.constant(request),
    });
  });
}

/** A sample of real catalog actions used where an exhaustive sweep over 22k actions would be slow. */
export const SAMPLE_ACTIONS: readonly string[] = [
  ...new Set(REQUEST_POOL.map((r) => r.action)),
  'iam:PassRole', 'iam:PutRolePolicy', 'iam:CreatePolicyVersion', 'iam:ListRoles', 'iam:TagUser',
  's3:PutBucketPolicy', 's3:DeleteBucket', 'ec2:RunInstances', 'ec2:CreateTags', 'kms:Decrypt',
  'sts:AssumeRole', 'organizations:ListAccounts', 'cloudtrail:StopLogging', 'rds:DeleteDBCluster',
];

const withIfExists = (ops: readonly string[]) => ops.flatMap((o) => [o, `${o}IfExists`]);

const STRING_VALUES = ['team', 'Team', 'platform', 'PLATFORM', 'plat*', 'pl?tform', 'us-*', '*', '', 'us-east-1', '${aws:PrincipalTag/team}', "${aws:PrincipalTag/dept, 'platform'}"];

/**
 * Every operator family on a key of its own type, with IfExists and set-operator variants, and
 * values chosen to sit on the edges (equal, case variants, date-only and offset dates, /32 and
 * bare addresses, `?` and `*` in ARNs, `${*}` literals, default-valued variables).
 *
 * Left out, because IAM's documented behaviour and iam-simulate 0.1.173 part ways or the
 * behaviour is not documented (each one probed by hand, see test/iam/differential.test.ts):
 * comparing epoch and ISO 8601 dates with each other (IAM documents both formats; the simulator
 * does not convert between them), `0.0.0.0/0` (the simulator matches nothing with a /0 IPv4
 * block), IPv6 addresses against IPv4 blocks under NotIpAddress, a bare `*` as an ArnLike value,
 * exponent numbers such as `1e3`, empty multi-valued keys, single-valued operators applied
 * to multi-valued keys (IAM warns against both; the runtime outcome is undocumented), and `${*}`
 * under operators without wildcards (IAM: the special variables "can be used in any string where
 * you can use regular policy variables", so StringEquals "a${*}" is "a*"; the simulator leaves
 * the text "${*}" as is there).
 */
export const typedConditionEntryArb: fc.Arbitrary<[string, string, string[]]> = fc.oneof(
  fc.tuple(
    fc.constantFrom(...withIfExists(['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase'])),
    fc.constantFrom('aws:PrincipalTag/team', 'aws:RequestedRegion'),
    fc.uniqueArray(fc.constantFrom(...STRING_VALUES), { minLength: 1, maxLength: 3 }),
  ),
  fc.tuple(
    fc.constantFrom(...withIfExists(['StringLike', 'StringNotLike'])),
    fc.constantFrom('aws:PrincipalTag/team', 'aws:RequestedRegion'),
    fc.uniqueArray(fc.constantFrom(...STRING_VALUES, 'plat${*}', 'plat${?}'), { minLength: 1, maxLength: 3 }),
  ),
  fc.tuple(
    fc.constantFrom(...['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike', 'StringEqualsIgnoreCase', 'StringEqualsIfExists', 'StringNotLikeIfExists'].flatMap((o) => [`ForAnyValue:${o}`, `ForAllValues:${o}`])),
    fc.constant('aws:TagKeys'),
    fc.uniqueArray(fc.constantFrom('team', 'Team', 'env', 't*', '*', ''), { minLength: 1, maxLength: 3 }),
  ),
  fc.tuple(
    fc.constantFrom(...withIfExists(['NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals'])),
    fc.constant('aws:MultiFactorAuthAge'),
    fc.uniqueArray(fc.constantFrom('3600', '60', '30', '30.0', '0', '-1'), { minLength: 1, maxLength: 2 }),
  ),
  fc.tuple(
    fc.constantFrom(...withIfExists(['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals'])),
    fc.constant('aws:CurrentTime'),
    fc.uniqueArray(fc.constantFrom('2026-01-01T00:00:00Z', '2026-01-01', '2025-06-01T00:00:00Z', '2026-01-01T01:00:00+01:00'), { minLength: 1, maxLength: 2 }),
  ),
  fc.tuple(
    fc.constantFrom(...withIfExists(['DateEquals', 'DateLessThan', 'DateGreaterThanEquals'])),
    fc.constant('aws:EpochTime'),
    fc.uniqueArray(fc.constantFrom('1767225600', '1700000000'), { minLength: 1, maxLength: 2 }),
  ),
  fc.tuple(fc.constantFrom('Bool', 'BoolIfExists'), fc.constant('aws:MultiFactorAuthPresent'), fc.uniqueArray(fc.constantFrom('true', 'false', 'TRUE'), { minLength: 1, maxLength: 2 })),
  fc.tuple(
    fc.constantFrom(...withIfExists(['IpAddress', 'NotIpAddress'])),
    fc.constant('aws:SourceIp'),
    fc.uniqueArray(fc.constantFrom('10.0.0.0/8', '10.1.2.3', '10.1.2.3/32', '192.0.2.0/24', '0.0.0.0/1', '128.0.0.0/1'), { minLength: 1, maxLength: 2 }),
  ),
  fc.tuple(
    fc.constantFrom(...withIfExists(['ArnEquals', 'ArnNotEquals', 'ArnLike', 'ArnNotLike'])),
    fc.constant('aws:PrincipalArn'),
    fc.uniqueArray(
      fc.constantFrom(`arn:aws:iam::${ACCOUNT}:role/agent-*`, 'arn:aws:iam::*:role/*', 'arn:aws:iam::*:*', 'arn:aws:*:*:*:*', PRINCIPAL_ARN, `arn:aws:iam::${ACCOUNT}:role/Agent-runner`, `arn:aws:iam::${ACCOUNT}:role/agent-runne?`),
      { minLength: 1, maxLength: 2 },
    ),
  ),
  fc.tuple(fc.constant('Null'), fc.constantFrom('aws:TagKeys', 'aws:PrincipalTag/team', 'aws:MultiFactorAuthAge', 'aws:SourceIp', 'aws:CurrentTime'), fc.constantFrom<string[]>(['true'], ['false'])),
);

/** Request context for typedConditionEntryArb: each key present or absent, values of the key's type. */
export const typedContextArb: fc.Arbitrary<Record<string, string | string[]>> = fc
  .record(
    {
      'aws:TagKeys': fc.uniqueArray(fc.constantFrom('team', 'Team', 'env'), { minLength: 1, maxLength: 3 }),
      'aws:PrincipalTag/team': fc.constantFrom('platform', 'PLATFORM', 'team', 'plat*'),
      'aws:MultiFactorAuthAge': fc.constantFrom('30', '3600', '0'),
      'aws:CurrentTime': fc.constantFrom('2025-06-01T00:00:00Z', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'),
      'aws:EpochTime': fc.constantFrom('1767225600', '1700000000'),
      'aws:MultiFactorAuthPresent': fc.constantFrom('true', 'false'),
      'aws:SourceIp': fc.constantFrom('10.1.2.3', '192.0.2.1', '198.51.100.200'),
      'aws:PrincipalArn': fc.constant(PRINCIPAL_ARN),
      'aws:RequestedRegion': fc.constantFrom('us-east-1', 'eu-west-1'),
    },
    { requiredKeys: [] },
  )
  .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Record<string, string | string[]>);

/** One Allow * statement guarded by typed conditions, or Allow * plus a Deny * guarded by them. */
export const typedConditionCaseArb: fc.Arbitrary<DifferentialCase> = fc
  .record({
    target: fc.constantFrom(...REQUEST_POOL),
    context: typedContextArb,
    entries: fc.array(typedConditionEntryArb, { minLength: 1, maxLength: 3 }),
    effect: fc.constantFrom('Allow', 'Deny'),
  })
  .map(({ target, context, entries, effect }) => {
    const condition: Record<string, Record<string, string[]>> = {};
    for (const [op, key, values] of entries) (condition[op] ??= {})[key] = values;
    const Statement: JsonStatement[] =
      effect === 'Allow'
        ? [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: condition }]
        : [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: '*', Resource: '*', Condition: condition }];
    return { identity: [{ Version: '2012-10-17' as const, Statement }], boundary: undefined, scps: undefined, session: undefined, request: { target, context } };
  });
