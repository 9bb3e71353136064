// An AWS Config configuration snapshot (the JSON Config delivers to S3:
// AWSLogs/<account>/Config/<region>/…/ConfigSnapshot/…json.gz) → inventory. Also read: the
// `configurationItems` of `aws configservice get-resource-config-history`, whose items spell a
// few keys differently (arn/accountId/version) and carry `configuration` as a JSON string.
// Resource types leash does not inventory are counted per type and skipped (sources, not errors);
// deleted resources are skipped; one malformed item is a ScanError naming its JSON path.
import { z } from 'zod';
import type { Resource, ResourceInventory, ResourceType } from '../../model/inventory.js';
import { InputError, jsonPath, type ScanError } from '../../model/errors.js';
import { issueExpected, issueGot, issueLocation } from '../../config/zod-issue.js';
import { toResource, type ResourceContext } from './resource.js';
import { countByType, dedupeResources } from './merge.js';
import type { InventoryReadOptions } from './leash-file.js';

/** Config's resource types → leash's. */
export const CONFIG_RESOURCE_TYPES: Readonly<Record<string, ResourceType>> = {
  'AWS::CloudFormation::Stack': 'cloudformation:stack',
  'AWS::S3::Bucket': 's3:bucket',
  'AWS::DynamoDB::Table': 'dynamodb:table',
  'AWS::RDS::DBInstance': 'rds:db',
  'AWS::RDS::DBCluster': 'rds:cluster',
  'AWS::Lambda::Function': 'lambda:function',
  'AWS::ECS::Cluster': 'ecs:cluster',
  'AWS::ECS::Service': 'ecs:service',
  'AWS::EKS::Cluster': 'eks:cluster',
  'AWS::KMS::Key': 'kms:key',
  'AWS::SecretsManager::Secret': 'secretsmanager:secret',
  'AWS::SQS::Queue': 'sqs:queue',
  'AWS::SNS::Topic': 'sns:topic',
  'AWS::ECR::Repository': 'ecr:repository',
};

/**
 * Where a configuration item holds the resource-based policy, per type: [area, key, subkey?].
 * Config records S3 bucket policies under supplementaryConfiguration.BucketPolicy.policyText and
 * Lambda function policies under supplementaryConfiguration.Policy; the others follow the
 * service's attribute or CloudFormation property names, in either case. `whenAbsent` says what no
 * key at all means: 'none' where Config records the policy whenever there is one; 'unknown' for
 * KMS keys (every key has a key policy) and secrets (Config does not record their resource policy).
 */
const POLICY_PLACES: Readonly<Partial<Record<ResourceType, { readonly places: readonly (readonly string[])[]; readonly whenAbsent: 'none' | 'unknown' }>>> = {
  's3:bucket': { places: [['supplementaryConfiguration', 'BucketPolicy', 'policyText']], whenAbsent: 'none' },
  'lambda:function': { places: [['supplementaryConfiguration', 'Policy'], ['configuration', 'policy'], ['configuration', 'Policy']], whenAbsent: 'none' },
  'sqs:queue': { places: [['configuration', 'Policy'], ['configuration', 'policy'], ['supplementaryConfiguration', 'Policy']], whenAbsent: 'none' },
  'sns:topic': { places: [['configuration', 'Policy'], ['configuration', 'policy'], ['supplementaryConfiguration', 'Policy']], whenAbsent: 'none' },
  'ecr:repository': { places: [['configuration', 'RepositoryPolicyText'], ['configuration', 'repositoryPolicyText'], ['supplementaryConfiguration', 'RepositoryPolicyText']], whenAbsent: 'none' },
  // The CloudFormation property AWS::DynamoDB::Table ResourcePolicy.PolicyDocument.
  'dynamodb:table': { places: [['configuration', 'ResourcePolicy', 'PolicyDocument'], ['configuration', 'resourcePolicy', 'policyDocument']], whenAbsent: 'none' },
  'kms:key': { places: [['configuration', 'KeyPolicy'], ['configuration', 'keyPolicy'], ['supplementaryConfiguration', 'KeyPolicy']], whenAbsent: 'unknown' },
  'secretsmanager:secret': { places: [['configuration', 'ResourcePolicy'], ['configuration', 'resourcePolicy'], ['supplementaryConfiguration', 'ResourcePolicy']], whenAbsent: 'unknown' },
};

/**
 * Where a configuration item names the role the resource runs as: a Lambda function's execution
 * role (`configuration.role`, as GetFunctionConfiguration spells it) and a stack's service role
 * (`configuration.roleARN`); other spellings of the same keys are accepted.
 */
const ROLE_PLACES: Readonly<Partial<Record<ResourceType, readonly string[]>>> = {
  'lambda:function': ['role', 'Role'],
  'cloudformation:stack': ['roleARN', 'RoleARN', 'roleArn'],
};

const DELETED = new Set(['ResourceDeleted', 'ResourceDeletedNotRecorded']);

const item = z
  .object({
    resourceType: z.string({ error: 'resourceType (e.g. "AWS::S3::Bucket")' }),
    resourceId: z.string().optional(),
    resourceName: z.string().nullish(),
    ARN: z.string().nullish(),
    arn: z.string().nullish(),
    awsRegion: z.string().nullish(),
    awsAccountId: z.string().nullish(),
    accountId: z.string().nullish(),
    configurationItemStatus: z.string().nullish(),
    tags: z.unknown().optional(),
    // An object in delivered snapshots, a JSON string from get-resource-config-history.
    configuration: z.unknown().optional(),
    supplementaryConfiguration: z.record(z.string(), z.unknown()).nullish(),
  })
  .passthrough();

const snapshot = z.object({
  fileVersion: z.string().optional(),
  configSnapshotId: z.string().optional(),
  configurationItems: z.array(z.unknown(), { error: 'configurationItems: an array of configuration items' }),
}).passthrough();

export function isConfigSnapshot(raw: unknown): boolean {
  return raw !== null && typeof raw === 'object' && !Array.isArray(raw) && Array.isArray((raw as { configurationItems?: unknown }).configurationItems);
}

/** Config writes some nested values as JSON strings (sometimes twice); objects pass through. */
function unwrap(v: unknown): unknown {
  for (let i = 0; i < 2 && typeof v === 'string'; i++) {
    const t = v.trim();
    if (!t.startsWith('{') && !t.startsWith('"')) break;
    try {
      v = JSON.parse(t) as unknown;
    } catch {
      break;
    }
  }
  return v;
}

/** The policy value and its JSON path suffix, or `absent` when the item has none of the places. */
function findPolicy(ci: Record<string, unknown>, type: ResourceType): { value: unknown; path: string } | 'absent' | undefined {
  const spec = POLICY_PLACES[type];
  if (!spec) return undefined;
  for (const place of spec.places) {
    let v: unknown = ci;
    let found = true;
    for (const [i, key] of place.entries()) {
      // The policy text itself stays a string for parsePolicy; containers above it are unwrapped.
      const container = i === 0 ? v : unwrap(v);
      if (container === null || typeof container !== 'object' || !(key in container)) {
        found = false;
        break;
      }
      v = (container as Record<string, unknown>)[key];
    }
    if (found) return { value: v, path: '.' + place.join('.') };
  }
  return 'absent';
}

export function normalizeConfigSnapshot(raw: unknown, file: string, opts: InventoryReadOptions = {}): ResourceInventory {
  const parsed = snapshot.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(file, jsonPath(issueLocation(issue)), issueExpected(issue), issueGot(raw, issue));
  }
  const errors: ScanError[] = [];
  const resources: Resource[] = [];
  const otherTypes: Record<string, number> = {};
  let deleted = 0;
  let skipped = 0;
  parsed.data.configurationItems.forEach((entry, i) => {
    const path = `$.configurationItems[${i}]`;
    const r = item.safeParse(entry);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      const at = `${path}${jsonPath(issueLocation(issue)).slice(1)}`;
      errors.push({ source: 'config-snapshot', code: 'invalid-input', location: file, path: at, message: `${file} at ${at}: expected ${issueExpected(issue)}, got ${issueGot(entry, issue)}; item skipped` });
      skipped++;
      return;
    }
    const ci = r.data;
    const type = CONFIG_RESOURCE_TYPES[ci.resourceType];
    if (!type) {
      otherTypes[ci.resourceType] = (otherTypes[ci.resourceType] ?? 0) + 1;
      return;
    }
    if (ci.configurationItemStatus && DELETED.has(ci.configurationItemStatus)) {
      deleted++;
      return;
    }
    const account = ci.awsAccountId ?? ci.accountId ?? undefined;
    const arn = ci.ARN ?? ci.arn ?? (type === 's3:bucket' && (ci.resourceName ?? ci.resourceId) ? `arn:aws:s3:::${ci.resourceName ?? ci.resourceId}` : undefined);
    if (!arn) {
      errors.push({ source: 'config-snapshot', code: 'invalid-input', location: file, path: `${path}.ARN`, message: `${file} at ${path}.ARN: expected the ARN of the ${ci.resourceType}, got nothing (missing); item skipped` });
      skipped++;
      return;
    }
    const full = { ...ci, configuration: unwrap(ci.configuration), supplementaryConfiguration: ci.supplementaryConfiguration ?? {} } as Record<string, unknown>;
    const found = findPolicy(full, type);
    const conf = full['configuration'];
    const roleKey = conf !== null && typeof conf === 'object' ? ROLE_PLACES[type]?.find((k) => k in (conf as object)) : undefined;
    const ctx: ResourceContext = {
      source: 'config-snapshot', location: file, path,
      ...(found && found !== 'absent' ? { policyPath: found.path } : {}),
      ...(opts.defaultAccount ? { defaultAccount: opts.defaultAccount } : {}),
      ...(roleKey ? { rolePath: `.configuration.${roleKey}` } : {}),
      errors,
    };
    const notRecorded = ci.configurationItemStatus === 'ResourceNotRecorded';
    const policy =
      notRecorded && POLICY_PLACES[type]
        ? { policyUnknown: 'AWS Config does not record this resource (ResourceNotRecorded)' }
        : found === undefined || (found === 'absent' && POLICY_PLACES[type]!.whenAbsent === 'none')
          ? {}
          : found === 'absent'
            ? { policyUnknown: `AWS Config's configuration item holds no ${type === 'kms:key' ? 'key policy' : 'resource policy'}; add it with a leash inventory file or read it live (--resources)` }
            : { policy: found.value };
    const resource = toResource(
      {
        arn,
        // KMS keys are named by their key id (as the ARN and live listing do), not an alias.
        ...(ci.resourceName && type !== 'kms:key' ? { name: ci.resourceName } : {}),
        ...(account && /^\d{12}$/.test(account) ? { account } : {}),
        ...(ci.awsRegion ? { region: ci.awsRegion } : {}),
        ...(ci.tags !== undefined ? { tags: ci.tags } : {}),
        ...policy,
        ...(roleKey ? { role: (conf as Record<string, unknown>)[roleKey] } : {}),
      },
      ctx,
    );
    if (resource) resources.push(resource);
    else skipped++;
  });
  const unique = dedupeResources(resources);
  const otherCount = Object.values(otherTypes).reduce((a, b) => a + b, 0);
  const top = Object.entries(otherTypes).sort((a, b) => b[1] - a[1]).slice(0, 5);
  return {
    resources: unique,
    sources: [{
      kind: 'config-snapshot',
      location: file,
      status: errors.length > 0 ? 'partial' : 'ok',
      ...(otherCount > 0 ? { detail: `${otherCount} configuration item(s) of ${Object.keys(otherTypes).length} type(s) leash does not inventory were skipped (e.g. ${top.map(([t, n]) => `${t} ×${n}`).join(', ')})` } : {}),
      counts: {
        resources: unique.length,
        ...countByType(unique),
        withPolicy: unique.filter((r) => r.policy).length,
        policyUnknown: unique.filter((r) => r.policyUnknown !== undefined).length,
        otherTypes: otherCount,
        deleted,
        skipped,
      },
    }],
    errors,
  };
}
