// AWS Config configuration items → inventory: the delivered-snapshot spelling and the
// get-resource-config-history spelling, JSON-in-strings (Config writes some values as strings,
// sometimes twice), absent policies that mean "none" versus "unknown", and malformed items.
import { describe, expect, it } from 'vitest';
import { normalizeConfigSnapshot, CONFIG_RESOURCE_TYPES } from '../../../src/collect/inventory/config-snapshot.js';
import { normalizeInventory } from '../../../src/collect/inventory/load.js';
import { InputError } from '../../../src/model/errors.js';
import { RESOURCE_TYPES } from '../../../src/model/inventory.js';

const A = '111122223333';
const POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] };
const item = (over: Record<string, unknown>) => ({ configurationItemVersion: '1.3', awsAccountId: A, configurationItemStatus: 'OK', awsRegion: 'us-east-1', tags: {}, configuration: {}, supplementaryConfiguration: {}, ...over });
const snap = (...items: unknown[]) => ({ fileVersion: '1.0', configSnapshotId: 'x', configurationItems: items });

describe('AWS Config snapshot', () => {
  it('maps every inventoried Config type, and only those', () => {
    expect(new Set(Object.values(CONFIG_RESOURCE_TYPES))).toEqual(new Set(RESOURCE_TYPES));
  });

  it('reads a bucket policy as Config records it, as an object, a JSON string, or double-encoded supplementary value', () => {
    const text = JSON.stringify(POLICY);
    const r = normalizeConfigSnapshot(snap(
      item({ resourceType: 'AWS::S3::Bucket', resourceName: 'obj', ARN: 'arn:aws:s3:::obj', supplementaryConfiguration: { BucketPolicy: { policyText: text } } }),
      item({ resourceType: 'AWS::S3::Bucket', resourceName: 'str', ARN: 'arn:aws:s3:::str', supplementaryConfiguration: { BucketPolicy: JSON.stringify({ policyText: text }) } }),
      item({ resourceType: 'AWS::S3::Bucket', resourceName: 'twice', ARN: 'arn:aws:s3:::twice', supplementaryConfiguration: { BucketPolicy: JSON.stringify(JSON.stringify({ policyText: text })) } }),
      item({ resourceType: 'AWS::S3::Bucket', resourceName: 'none', ARN: 'arn:aws:s3:::none', supplementaryConfiguration: { BucketPolicy: { policyText: null } } }),
    ), 'snap.json');
    expect(r.errors).toEqual([]);
    expect(r.resources.map((x) => [x.name, x.account, Boolean(x.policy), x.policyUnknown])).toEqual([['obj', A, true, undefined], ['str', A, true, undefined], ['twice', A, true, undefined], ['none', A, false, undefined]]);
  });

  it('get-resource-config-history items (arn, accountId, configuration as a JSON string) read the same', () => {
    const r = normalizeConfigSnapshot({ configurationItems: [{ resourceType: 'AWS::SQS::Queue', arn: `arn:aws:sqs:us-east-1:${A}:q`, accountId: A, awsRegion: 'us-east-1', resourceName: 'q', configuration: JSON.stringify({ QueueArn: `arn:aws:sqs:us-east-1:${A}:q`, Policy: JSON.stringify(POLICY) }), tags: { env: 'prod' } }] }, 'history.json');
    expect(r.errors).toEqual([]);
    expect(r.resources[0]).toMatchObject({ type: 'sqs:queue', name: 'q', account: A, tags: { env: 'prod' } });
    expect(r.resources[0]!.policy!.statements).toHaveLength(1);
  });

  it('a KMS key or secret whose item holds no policy is unknown (every key has one); a queue without one has none', () => {
    const r = normalizeConfigSnapshot(snap(
      item({ resourceType: 'AWS::KMS::Key', resourceId: 'k1', ARN: `arn:aws:kms:us-east-1:${A}:key/k1` }),
      item({ resourceType: 'AWS::SecretsManager::Secret', resourceName: 'prod/db', ARN: `arn:aws:secretsmanager:us-east-1:${A}:secret:prod/db-AbCdEf` }),
      item({ resourceType: 'AWS::SQS::Queue', resourceName: 'q', ARN: `arn:aws:sqs:us-east-1:${A}:q` }),
      item({ resourceType: 'AWS::KMS::Key', resourceId: 'k2', ARN: `arn:aws:kms:us-east-1:${A}:key/k2`, configuration: { KeyPolicy: POLICY } }),
    ), 'snap.json');
    expect(r.resources.map((x) => [x.name, x.policyUnknown === undefined ? (x.policy ? 'policy' : 'none') : 'unknown'])).toEqual([['k1', 'unknown'], ['prod/db', 'unknown'], ['q', 'none'], ['k2', 'policy']]);
    // Unknown from the source is not an input error.
    expect(r.errors).toEqual([]);
  });

  it('counts other types and deleted resources in the source (not errors); a malformed item is skipped with its path', () => {
    const r = normalizeConfigSnapshot(snap(
      item({ resourceType: 'AWS::EC2::Instance', resourceId: 'i-1', ARN: `arn:aws:ec2:us-east-1:${A}:instance/i-1` }),
      item({ resourceType: 'AWS::EC2::Instance', resourceId: 'i-2', ARN: `arn:aws:ec2:us-east-1:${A}:instance/i-2` }),
      item({ resourceType: 'AWS::CloudFormation::Stack', resourceName: 'gone', ARN: `arn:aws:cloudformation:us-east-1:${A}:stack/gone/1`, configurationItemStatus: 'ResourceDeleted' }),
      item({ resourceType: 42 }),
      item({ resourceType: 'AWS::DynamoDB::Table', resourceName: 't' }),
      item({ resourceType: 'AWS::Lambda::Function', resourceName: 'f', ARN: `arn:aws:lambda:us-east-1:${A}:function:f`, supplementaryConfiguration: { Policy: '{"Version": "2012-10-17", "Statement": {"Effect": "Allow"}}' } }),
      item({ resourceType: 'AWS::CloudFormation::Stack', resourceName: 'kept', ARN: `arn:aws:cloudformation:us-east-1:${A}:stack/kept/2`, tags: { env: 'prod' } }),
    ), 'snap.json');
    expect(r.resources.map((x) => x.name)).toEqual(['f', 'kept']);
    expect(r.resources[0]).toMatchObject({ policyUnknown: expect.stringContaining('$.configurationItems[5].supplementaryConfiguration.Policy.Statement') });
    expect(r.errors.map((e) => e.path)).toEqual(['$.configurationItems[3].resourceType', '$.configurationItems[4].ARN', '$.configurationItems[5].supplementaryConfiguration.Policy.Statement']);
    expect(r.sources[0]).toMatchObject({ kind: 'config-snapshot', status: 'partial', counts: { otherTypes: 2, deleted: 1, skipped: 2, resources: 2 }, detail: expect.stringContaining('AWS::EC2::Instance ×2') });
  });

  it('auto-detection: a snapshot, a leash file, and neither', () => {
    expect(normalizeInventory(snap(), 'a.json').sources[0]!.kind).toBe('config-snapshot');
    expect(normalizeInventory({ leashInventory: 1, resources: [] }, 'b.json').sources[0]!.kind).toBe('inventory-file');
    expect(() => normalizeInventory({ configurationItems: 'nope' }, 'c.json')).toThrow(InputError);
    expect(() => normalizeInventory([], 'd.json')).toThrow(/got an array/);
  });

  it('the role a function or stack runs as: configuration.role / roleARN; a value that is not a role ARN is an error at its path and the resource is kept without it', () => {
    const role = `arn:aws:iam::${A}:role/service-role/orders-fn`;
    const r = normalizeConfigSnapshot(snap(
      item({ resourceType: 'AWS::Lambda::Function', resourceName: 'orders', ARN: `arn:aws:lambda:us-east-1:${A}:function:orders`, configuration: { functionName: 'orders', role } }),
      item({ resourceType: 'AWS::CloudFormation::Stack', resourceName: 'api', ARN: `arn:aws:cloudformation:us-east-1:${A}:stack/api/1`, configuration: JSON.stringify({ stackName: 'api', roleARN: `arn:aws:iam::${A}:role/cfn` }) }),
      item({ resourceType: 'AWS::Lambda::Function', resourceName: 'bad', ARN: `arn:aws:lambda:us-east-1:${A}:function:bad`, configuration: { role: 'arn:aws:iam::1:user/x' } }),
      // Negative control: a table has no role, whatever its configuration says.
      item({ resourceType: 'AWS::DynamoDB::Table', resourceName: 't', ARN: `arn:aws:dynamodb:us-east-1:${A}:table/t`, configuration: { role } }),
    ), 'snap.json');
    expect(r.resources.map((x) => [x.name, x.role])).toEqual([['orders', role], ['api', `arn:aws:iam::${A}:role/cfn`], ['bad', undefined], ['t', undefined]]);
    expect(r.errors).toEqual([expect.objectContaining({ code: 'invalid-input', path: '$.configurationItems[2].configuration.role', message: expect.stringMatching(/expected an IAM role ARN/) })]);
  });
});
