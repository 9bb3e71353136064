// The leash inventory shape: read through the real file reader (bounds, gzip, JSON positions),
// validated at the edge, policies through the project's parser. Every accepted case has a
// rejected twin.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readInventoryFile, readInventoryFiles } from '../../../src/collect/inventory/load.js';
import { readInventoryJson } from '../../../src/collect/inventory/read-file.js';
import { resourceFromArn } from '../../../src/collect/inventory/arn.js';
import { MAX_POLICY_CHARS } from '../../../src/collect/inventory/resource.js';
import { InputError } from '../../../src/model/errors.js';
import { RESOURCE_TYPES } from '../../../src/model/inventory.js';
import { parsePolicy } from '../../../src/iam/parse.js';
import { repoRoot } from '../../support/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'leash-inv-'));
let n = 0;
const write = (data: unknown, name = `inv-${n++}.json`): string => {
  const f = join(tmp, name);
  writeFileSync(f, typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data));
  return f;
};
const inv = (resources: unknown[], extra: Record<string, unknown> = {}) => ({ leashInventory: 1, account: '111122223333', resources, ...extra });
const POLICY = { Version: '2012-10-17', Statement: [{ Sid: 'Partner', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] };

describe('resource types from ARNs', () => {
  const cases: [string, string, string][] = [
    ['arn:aws:cloudformation:us-east-1:111122223333:stack/api-prod/7d1c9e40-8a2b-11ef-9c1e-0a1b2c3d4e5f', 'cloudformation:stack', 'api-prod'],
    ['arn:aws:s3:::acme-prod-data', 's3:bucket', 'acme-prod-data'],
    ['arn:aws:dynamodb:us-east-1:111122223333:table/orders-prod', 'dynamodb:table', 'orders-prod'],
    ['arn:aws:rds:eu-west-1:111122223333:db:orders-db', 'rds:db', 'orders-db'],
    ['arn:aws:rds:eu-west-1:111122223333:cluster:orders-aurora', 'rds:cluster', 'orders-aurora'],
    ['arn:aws:lambda:us-east-1:111122223333:function:orders-api', 'lambda:function', 'orders-api'],
    ['arn:aws:ecs:us-east-1:111122223333:cluster/prod', 'ecs:cluster', 'prod'],
    ['arn:aws:ecs:us-east-1:111122223333:service/prod/orders-api', 'ecs:service', 'orders-api'],
    ['arn:aws:eks:us-east-1:111122223333:cluster/prod-eks', 'eks:cluster', 'prod-eks'],
    ['arn:aws:kms:us-east-1:111122223333:key/6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b', 'kms:key', '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b'],
    ['arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-Xy12Ab', 'secretsmanager:secret', 'prod/db'],
    ['arn:aws:sqs:us-east-1:111122223333:orders-queue', 'sqs:queue', 'orders-queue'],
    ['arn:aws:sns:us-east-1:111122223333:alerts', 'sns:topic', 'alerts'],
    ['arn:aws:ecr:us-east-1:111122223333:repository/team/api', 'ecr:repository', 'team/api'],
  ];
  it('names every one of the 14 types, with its name', () => {
    expect(new Set(cases.map((c) => c[1]))).toEqual(new Set(RESOURCE_TYPES));
    for (const [arn, type, name] of cases) expect(resourceFromArn(arn), arn).toMatchObject({ type, name, arn });
  });
  it('drops a Lambda qualifier (permissions are read per function)', () => {
    expect(resourceFromArn('arn:aws:lambda:us-east-1:111122223333:function:orders-api:live')).toMatchObject({ arn: 'arn:aws:lambda:us-east-1:111122223333:function:orders-api', name: 'orders-api' });
  });
  it.each([
    'arn:aws:s3:::acme-prod-data/some/object',
    'arn:aws:dynamodb:us-east-1:111122223333:table/orders/stream/2024-01-01T00:00:00.000',
    'arn:aws:sns:us-east-1:111122223333:alerts:0f1e2d3c-aaaa-bbbb-cccc-111122223333',
    'arn:aws:kms:us-east-1:111122223333:alias/prod',
    'arn:aws:iam::111122223333:role/kiro-agent',
    'arn:aws:s3:us-east-1:111122223333:acme',
    'not an arn',
  ])('rejects what is not one of them: %s', (arn) => {
    expect(resourceFromArn(arn)).toBeUndefined();
  });
});

describe('leash inventory file', () => {
  it('reads the demo inventory: production stacks, a bucket policy for another account, tags in both shapes', async () => {
    const r = await readInventoryFile(join(repoRoot, 'demo/inventory.json'));
    expect(r.errors).toEqual([]);
    const byName = new Map(r.resources.map((x) => [x.name, x]));
    expect([...byName.keys()]).toEqual(expect.arrayContaining(['api-prod', 'web-prod', 'api-staging', 'orders-prod', 'acme-prod-data', 'cursor-scratch', 'prod/db', 'orders-api']));
    expect(byName.get('api-prod')).toMatchObject({ type: 'cloudformation:stack', account: '111122223333', region: 'us-east-1', tags: { env: 'prod' } });
    expect(byName.get('prod-network')!.tags).toEqual({ env: 'prod', team: 'platform' });
    const bucket = byName.get('acme-prod-data')!;
    expect(bucket).toMatchObject({ type: 's3:bucket', account: '111122223333', tags: { env: 'production' } });
    expect(bucket.policy!.statements[0]).toMatchObject({ effect: 'Allow', principal: { AWS: ['arn:aws:iam::444455556666:root'] }, action: ['s3:GetObject'] });
    // Negative control: the bucket without a policy has none, and it is not "unknown".
    expect(byName.get('cursor-scratch')!.policy).toBeUndefined();
    expect(byName.get('cursor-scratch')!.policyUnknown).toBeUndefined();
    expect(r.sources[0]).toMatchObject({ kind: 'inventory-file', status: 'ok', counts: { resources: r.resources.length, withPolicy: 3, 'cloudformation:stack': 5 } });
  });

  it('accepts a policy as an object, a JSON string and a URL-encoded string: the same document', async () => {
    const json = JSON.stringify(POLICY);
    const f = write(inv([
      { arn: 'arn:aws:s3:::a', policy: POLICY },
      { arn: 'arn:aws:s3:::b', policy: json },
      { arn: 'arn:aws:s3:::c', policy: encodeURIComponent(json) },
    ]));
    const r = await readInventoryFile(f);
    expect(r.errors).toEqual([]);
    const expected = (parsePolicy(POLICY) as { document: unknown }).document;
    for (const x of r.resources) expect(x.policy).toEqual(expected);
  });

  it('a malformed policy makes that policy unknown, names its JSON path, and keeps every resource', async () => {
    const f = write(inv([
      { arn: 'arn:aws:s3:::good', policy: POLICY },
      { arn: 'arn:aws:s3:::bad-json', policy: '{"Version": "2012-10-17", "Statement": [' },
      { arn: 'arn:aws:s3:::bad-effect', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Principal: '*', Action: 's3:*', Resource: '*' }] } },
    ]));
    const r = await readInventoryFile(f);
    expect(r.resources.map((x) => x.name)).toEqual(['good', 'bad-json', 'bad-effect']);
    expect(r.resources[0]!.policy).toBeDefined();
    expect(r.resources[1]).toMatchObject({ policyUnknown: expect.stringContaining('$.resources[1].policy') });
    expect(r.resources[1]!.policy).toBeUndefined();
    expect(r.resources[2]).toMatchObject({ policyUnknown: expect.stringContaining('$.resources[2].policy.Statement[0].Effect') });
    expect(r.errors.map((e) => [e.code, e.path])).toEqual([['invalid-input', '$.resources[1].policy'], ['invalid-input', '$.resources[2].policy.Statement[0].Effect']]);
    expect(r.errors[1]!.message).toContain(f);
    expect(r.sources[0]).toMatchObject({ status: 'partial', counts: { policyUnknown: 2, withPolicy: 1 } });
  });

  it('a policy past the size cap is unknown, not parsed; one just under it is read', async () => {
    const big = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: Array.from({ length: 12_000 }, (_, i) => `arn:aws:s3:::huge/${'x'.repeat(20)}${i}`) }] };
    const small = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: Array.from({ length: 100 }, (_, i) => `arn:aws:s3:::huge/${i}`) }] };
    expect(JSON.stringify(big).length).toBeGreaterThan(MAX_POLICY_CHARS);
    const r = await readInventoryFile(write(inv([{ arn: 'arn:aws:s3:::huge', policy: big }, { arn: 'arn:aws:s3:::fine', policy: small }])));
    expect(r.resources[0]).toMatchObject({ name: 'huge', policyUnknown: expect.stringMatching(/over the \d+-character limit/) });
    expect(r.resources[0]!.policy).toBeUndefined();
    expect(r.resources[1]!.policy!.statements[0]!.resource).toHaveLength(100);
    expect(r.errors).toHaveLength(1);
  });

  it('a bad resource entry is skipped with its JSON path and what was expected; the others are read', async () => {
    const f = write(inv([
      { arn: 'arn:aws:s3:::kept' },
      { arn: 'arn:aws:s3:::tags-wrong', tags: 42 },
      { arn: 'arn:aws:iam::111122223333:role/not-a-resource' },
      { arn: 'arn:aws:s3:::typo', polcy: POLICY },
      { arn: 'arn:aws:dynamodb:us-east-1:111122223333:table/t', type: 's3:bucket' },
      { arn: 'arn:aws:sqs:us-east-1:111122223333:q' },
    ]));
    const r = await readInventoryFile(f);
    expect(r.resources.map((x) => x.arn)).toEqual(['arn:aws:s3:::kept', 'arn:aws:sqs:us-east-1:111122223333:q']);
    expect(r.errors.map((e) => e.path)).toEqual(['$.resources[1].tags', '$.resources[2].arn', '$.resources[3].polcy', '$.resources[4].type']);
    expect(r.errors[0]!.message).toMatch(/expected tags as .*got 42/);
    expect(r.errors[3]!.message).toMatch(/expected the type its ARN names \(dynamodb:table\), got "s3:bucket"/);
    expect(r.sources[0]!.counts).toMatchObject({ resources: 2, skipped: 4 });
  });

  it.each([
    [{ resources: [] }, '$.leashInventory'],
    [{ leashInventory: 2, resources: [] }, '$.leashInventory'],
    [{ leashInventory: 1, resources: {} }, '$.resources'],
    [{ leashInventory: 1, resources: [], acount: '1' }, '$.acount'],
    [{ leashInventory: 1, account: '1234', resources: [] }, '$.account'],
  ])('a wrong file shape is an InputError at its path: %j', async (data, path) => {
    // No `leashInventory` at all is neither shape, reported at $.
    const err = await readInventoryFile(write(data)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).path).toBe('leashInventory' in data ? path : '$');
  });

  it('escape bytes in names and tags are kept exactly (display code escapes them), and ARNs still match', async () => {
    const name = 'evil\u001b]52;c;AAAA\u0007\u202ename';
    // JSON text, so "__proto__" is a key as an attacker's file would carry it.
    const text = JSON.stringify(inv([{ arn: 'arn:aws:sqs:us-east-1:111122223333:q', name, tags: { 'env\u001b[31m': 'prod\nnext', PROTO: 'x' } }])).replace('"PROTO"', '"__proto__"');
    const r = await readInventoryFile(write(text));
    expect(r.resources[0]!.name).toBe(name);
    expect(r.resources[0]!.tags['env\u001b[31m']).toBe('prod\nnext');
    expect(Object.prototype.hasOwnProperty.call(r.resources[0]!.tags, '__proto__')).toBe(true);
    expect(r.resources[0]!.tags['__proto__']).toBe('x');
    expect(r.errors).toEqual([]);
  });

  it('several files merge by ARN: tags join, a later known policy fills an unknown one', async () => {
    const a = write(inv([{ arn: 'arn:aws:s3:::shared', tags: { env: 'prod' }, policy: '{not json' }, { arn: 'arn:aws:s3:::only-a' }]));
    const b = write(inv([{ arn: 'arn:aws:s3:::shared', tags: { team: 'data' }, policy: POLICY }]));
    const r = await readInventoryFiles([a, b]);
    expect(r.resources.map((x) => x.arn)).toEqual(['arn:aws:s3:::shared', 'arn:aws:s3:::only-a']);
    expect(r.resources[0]).toMatchObject({ tags: { env: 'prod', team: 'data' } });
    expect(r.resources[0]!.policy).toBeDefined();
    expect(r.resources[0]!.policyUnknown).toBeUndefined();
    // The bad policy is still reported: the file had bad input even if another file fills the gap.
    expect(r.errors).toHaveLength(1);
    expect(r.sources).toHaveLength(2);
  });
});

describe('bounded reading', () => {
  it('reads .json.gz by its magic number, whatever the name', async () => {
    const f = write(gzipSync(JSON.stringify(inv([{ arn: 'arn:aws:s3:::gz' }]))), 'snapshot.json');
    expect((await readInventoryFile(f)).resources[0]!.name).toBe('gz');
  });
  it('refuses a file over the cap, and a gzip bomb past it, naming the file', async () => {
    const f = write(JSON.stringify(inv([{ arn: 'arn:aws:s3:::x', name: 'y'.repeat(4000) }])));
    await expect(readInventoryJson(f, 1000)).rejects.toThrow(/of at most 1000 bytes, got \d+ bytes/);
    const bomb = write(gzipSync(Buffer.alloc(50_000, 0x20)));
    await expect(readInventoryJson(bomb, 10_000)).rejects.toThrow(/decompresses to at most 10000 bytes/);
    // Negative control: the same content under the cap is read.
    await expect(readInventoryJson(f, 10_000)).resolves.toBeTypeOf('object');
  });
  it('refuses a directory and a FIFO without blocking', async () => {
    const dir = join(tmp, 'a-dir');
    mkdirSync(dir);
    await expect(readInventoryFile(dir)).rejects.toThrow(/got a directory/);
    const fifo = join(tmp, 'fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(readInventoryFile(fifo)).rejects.toThrow(/not a regular file/);
  });
  it('invalid JSON names line and column; an empty file and a missing one say so', async () => {
    const e = await readInventoryFile(write('{\n  "leashInventory": 1,\n  "resources": [,]\n}')).catch((x: unknown) => x as InputError);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).path).toBe('line 3 column 17');
    await expect(readInventoryFile(write(''))).rejects.toThrow(/empty file/);
    await expect(readInventoryFile(join(tmp, 'nope.json'))).rejects.toThrow(/no such file/);
  });
  it('neither shape is an InputError that says which shapes are accepted', async () => {
    await expect(readInventoryFile(write({ RoleDetailList: [] }))).rejects.toThrow(/leash inventory .* or an AWS Config configuration snapshot/);
    expect(readFileSync(join(repoRoot, 'demo/inventory.json'), 'utf8')).toContain('"leashInventory": 1');
  });

  it('a function or stack may name the role it runs as; a role that is not an IAM role ARN is an error naming its path, the resource kept', async () => {
    const role = 'arn:aws:iam::111122223333:role/orders-fn';
    const r = await readInventoryFile(write(inv([
      { arn: 'arn:aws:lambda:us-east-1:111122223333:function:orders', role },
      { arn: 'arn:aws:lambda:us-east-1:111122223333:function:bad', role: 'not-an-arn' },
      { arn: 'arn:aws:dynamodb:us-east-1:111122223333:table/t' },
    ])));
    expect(r.resources.map((x) => [x.name, x.role])).toEqual([['orders', role], ['bad', undefined], ['t', undefined]]);
    expect(r.errors).toEqual([expect.objectContaining({ path: '$.resources[1].role', message: expect.stringMatching(/expected an IAM role ARN/) })]);
  });
});
