// The live inventory against moto with the real SDK, across two accounts (the second entered
// with STS AssumeRole, which is how moto selects an account); the same account written as an
// AWS Config snapshot gives the same inventory. Faults (AccessDenied, throttling) come from a
// loopback proxy in front of moto, per service and region; the rest of the inventory goes on.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../../src/collect/aws/client-factory.js';
import { READ_ONLY_OPERATIONS } from '../../../src/collect/aws/allowlist.js';
import { collectLiveInventory } from '../../../src/collect/inventory/live.js';
import { readInventoryFile } from '../../../src/collect/inventory/load.js';
import type { Resource, ResourceInventory } from '../../../src/model/inventory.js';
import { RESOURCE_TYPES } from '../../../src/model/inventory.js';
import { boto3, MOTO_CREDENTIALS, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../../support/moto.js';
import { startAwsProxy, type AwsProxy } from '../../support/aws-proxy.js';
import { repoRoot } from '../../support/fixtures.js';
import { runCli } from '../../support/cli.js';
import { collectSnapshot } from '../../../src/pipeline/scan.js';
import { InputError } from '../../../src/model/errors.js';
import type { Report } from '../../../src/model/report.js';

const A = '123456789012';
const B = '222233334444';
const setupScript = readFileSync(join(repoRoot, 'test/support/moto-inventory.py'), 'utf8');
const snapshotScript = readFileSync(join(repoRoot, 'test/support/moto-config-snapshot.py'), 'utf8');
type Creds = { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };

/** What both routes must agree on, in a stable order. */
const comparable = (inv: ResourceInventory) =>
  [...inv.resources].sort((a, b) => a.arn.localeCompare(b.arn)).map((r: Resource) => ({ arn: r.arn, type: r.type, name: r.name, account: r.account, region: r.region, tags: { ...r.tags }, policy: r.policy, policyUnknown: r.policyUnknown, role: r.role }));

describe.skipIf(!motoAvailable)(`live inventory (moto)${motoAvailable ? '' : `: ${MOTO_SKIP_REASON}`}`, () => {
  let moto: Moto;
  let proxy: AwsProxy;
  let credsB: Creds;
  const made: AwsClients[] = [];
  const clientsFor = (endpointUrl: string, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = MOTO_CREDENTIALS) => {
    // One attempt: an injected fault must show as a fault, not be retried away.
    const c = createAwsClients({ endpointUrl, region: 'us-east-1', credentials, maxAttempts: 1 });
    made.push(c);
    return c;
  };

  beforeAll(async () => {
    moto = await startMoto();
    boto3(moto, setupScript, { account: A, prefix: 'a', creds: null });
    credsB = boto3(moto, `r = client('sts').assume_role(RoleArn='arn:aws:iam::${B}:role/setup', RoleSessionName='setup')['Credentials']\nprint(json.dumps({k: r[k] for k in ['AccessKeyId', 'SecretAccessKey', 'SessionToken']}))`) as Creds;
    boto3(moto, setupScript, { account: B, prefix: 'b', creds: credsB });
    // A second region of account A: one queue.
    boto3(moto, `client('sqs', None, 'eu-west-1').create_queue(QueueName='a-eu-jobs', tags={'env': 'prod'})\nprint('{}')`);
    proxy = await startAwsProxy(moto.endpoint);
  }, 120_000);
  afterAll(async () => {
    for (const c of made) c.destroy();
    await proxy?.close();
    await moto?.stop();
  });

  it('reads all 14 types of account A with tags and resource-based policies, and nothing of account B', async () => {
    const inv = await collectLiveInventory(clientsFor(moto.endpoint), { accountId: A, regions: ['us-east-1'] });
    expect(inv.errors).toEqual([]);
    expect(new Set(inv.resources.map((r) => r.type))).toEqual(new Set(RESOURCE_TYPES));
    expect(inv.resources.every((r) => r.account === A)).toBe(true);
    // Negative control: account B's resources (prefix b-) are not in account A's inventory.
    expect(inv.resources.filter((r) => /[:/]b[-/]/.test(r.arn))).toEqual([]);
    const by = (name: string) => inv.resources.find((r) => r.name === name)!;
    expect(by('a-prod-data')).toMatchObject({ type: 's3:bucket', arn: 'arn:aws:s3:::a-prod-data', region: 'us-east-1', tags: { env: 'production', evil: 'x\u202eevil' } });
    expect(by('a-prod-data').policy!.statements[0]).toMatchObject({ effect: 'Allow', principal: { AWS: ['arn:aws:iam::444455556666:root'] }, action: ['s3:GetObject'] });
    expect(by('a-no-policy').policy).toBeUndefined();
    expect(by('a-no-policy').policyUnknown).toBeUndefined();
    expect(by('a-api-prod')).toMatchObject({ type: 'cloudformation:stack', tags: { env: 'prod' } });
    expect(by('a-api-staging').tags).toEqual({ env: 'staging' });
    expect(by('a-orders-api')).toMatchObject({ type: 'lambda:function', tags: { env: 'prod', evil: 'a\u001b]52;c;QUFB\u0007b' } });
    expect(by('a-orders-api').policy!.statements[0]).toMatchObject({ principal: { Service: ['apigateway.amazonaws.com'] }, action: ['lambda:InvokeFunction'] });
    expect(by('a-no-perm').policy).toBeUndefined();
    expect(by('a/db')).toMatchObject({ type: 'secretsmanager:secret' });
    expect(by('a/db').policy!.statements[0]!.action).toEqual(['secretsmanager:GetSecretValue']);
    expect(by('a/plain').policy).toBeUndefined();
    const key = inv.resources.find((r) => r.type === 'kms:key')!;
    expect(key.policy!.statements[0]).toMatchObject({ principal: { AWS: [`arn:aws:iam::${A}:root`] }, action: ['kms:*'] });
    expect(key.tags).toEqual({ env: 'prod' });
    expect(inv.resources.find((r) => r.type === 'sqs:queue' && r.name === 'a-jobs')!.policy!.statements[0]!.action).toEqual(['sqs:SendMessage']);
    expect(inv.resources.find((r) => r.type === 'sns:topic')!.policy!.statements.some((s) => s.action?.includes('sns:Publish'))).toBe(true);
    expect(by('a/api')).toMatchObject({ type: 'ecr:repository', tags: { env: 'prod' } });
    expect(by('a/api').policy!.statements[0]!.action).toEqual(['ecr:BatchGetImage']);
    expect(by('a-svc')).toMatchObject({ type: 'ecs:service', tags: { env: 'prod' } });
    expect(by('a-eks')).toMatchObject({ type: 'eks:cluster', tags: { env: 'prod' } });
    expect(by('a-db')).toMatchObject({ type: 'rds:db', tags: { env: 'prod' } });
    expect(by('a-aurora')).toMatchObject({ type: 'rds:cluster', tags: { env: 'prod' } });
    expect(by('a-orders-prod')).toMatchObject({ type: 'dynamodb:table', tags: { env: 'prod' } });
    expect(by('a-orders-prod').policy!.statements[0]!.action).toEqual(['dynamodb:GetItem']);
    // The eu-west-1 queue is not read when only us-east-1 is asked for.
    expect(inv.resources.some((r) => r.name === 'a-eu-jobs')).toBe(false);
  });

  it('account B, entered with AssumeRole credentials, holds its own resources only', async () => {
    const inv = await collectLiveInventory(clientsFor(moto.endpoint, { accessKeyId: credsB.AccessKeyId, secretAccessKey: credsB.SecretAccessKey, sessionToken: credsB.SessionToken }), { accountId: B, regions: ['us-east-1'] });
    expect(inv.errors).toEqual([]);
    expect(inv.resources.length).toBeGreaterThan(14);
    expect(inv.resources.every((r) => r.account === B && !r.name.startsWith('a-') && !r.name.startsWith('a/'))).toBe(true);
    expect(inv.resources.find((r) => r.name === 'b-prod-data')!.policy).toBeDefined();
  });

  it('region by region: --regions us-east-1 eu-west-1 adds the eu-west-1 queue, with its region', async () => {
    const inv = await collectLiveInventory(clientsFor(moto.endpoint), { accountId: A, regions: ['us-east-1', 'eu-west-1'] });
    expect(inv.resources.find((r) => r.name === 'a-eu-jobs')).toMatchObject({ type: 'sqs:queue', region: 'eu-west-1', arn: `arn:aws:sqs:eu-west-1:${A}:a-eu-jobs` });
    expect(inv.sources.map((s) => s.location).sort()).toEqual([`account ${A} eu-west-1`, `account ${A} s3 (global)`, `account ${A} us-east-1`]);
  });

  it('the same account as an AWS Config snapshot gives the same inventory: ARNs, types, names, tags, policies', async () => {
    const snapshot = boto3(moto, snapshotScript, { account: A, creds: null });
    const file = join(mkdtempSync(join(tmpdir(), 'leash-config-')), 'snapshot.json');
    writeFileSync(file, JSON.stringify(snapshot));
    const fromConfig = await readInventoryFile(file);
    const live = await collectLiveInventory(clientsFor(moto.endpoint), { accountId: A, regions: ['us-east-1'] });
    expect(fromConfig.errors).toEqual([]);
    expect(comparable(fromConfig)).toEqual(comparable(live));
    // The VPC and the deleted stack are counted, not inventoried.
    expect(fromConfig.sources[0]).toMatchObject({ kind: 'config-snapshot', counts: { otherTypes: 1, deleted: 1 }, detail: expect.stringContaining('AWS::EC2::VPC') });
  });

  it('AccessDenied for one service in one region and throttling in another: recorded per service and region, the rest is read', async () => {
    proxy.faults.clear();
    proxy.faults.set('kms@us-east-1', 'AccessDenied');
    proxy.faults.set('lambda@eu-west-1', 'Throttling');
    proxy.requests.length = 0;
    const inv = await collectLiveInventory(clientsFor(proxy.url), { accountId: A, regions: ['us-east-1', 'eu-west-1'] });
    expect(inv.errors.map((e) => [e.source, e.code, e.location])).toEqual(expect.arrayContaining([
      ['inventory-api', 'access-denied', `account ${A} kms us-east-1`],
      ['inventory-api', 'throttled', `account ${A} lambda eu-west-1`],
    ]));
    expect(inv.errors).toHaveLength(2);
    expect(inv.resources.some((r) => r.type === 'kms:key')).toBe(false);
    // Everything else of us-east-1 is there (negative control for the fault's reach).
    expect(inv.resources.some((r) => r.type === 'lambda:function' && r.region === 'us-east-1')).toBe(true);
    expect(inv.resources.some((r) => r.name === 'a-eu-jobs')).toBe(true);
    expect(inv.sources.find((s) => s.location === `account ${A} us-east-1`)).toMatchObject({ status: 'partial', detail: 'not read: kms (see errors)' });
    // Read-only: every operation sent is a List/Describe/Get on the allowlist.
    const allowed = new Set(READ_ONLY_OPERATIONS.map((o) => o.command.replace(/Command$/, '')));
    const named = proxy.requests.filter((r) => !r.operation.includes(' ')).map((r) => r.operation);
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((op) => !allowed.has(op))).toEqual([]);
    expect(proxy.requests.every((r) => /^(GET|HEAD) /.test(r.operation) || !r.operation.includes(' '))).toBe(true);
  });

  it('AccessDenied on one policy read makes that policy unknown (not absent); the resource and the other policies stay', async () => {
    proxy.faults.clear();
    proxy.faults.set('secretsmanager:GetResourcePolicy', 'AccessDenied');
    const inv = await collectLiveInventory(clientsFor(proxy.url), { accountId: A, regions: ['us-east-1'] });
    proxy.faults.clear();
    const secrets = inv.resources.filter((r) => r.type === 'secretsmanager:secret');
    expect(secrets.map((r) => r.name).sort()).toEqual(['a/db', 'a/plain']);
    for (const s of secrets) {
      expect(s.policy).toBeUndefined();
      expect(s.policyUnknown).toMatch(/secretsmanager:GetResourcePolicy failed \(access-denied\)/);
    }
    expect(inv.errors.map((e) => `${e.code} ${e.location}`).sort()).toEqual(secrets.map((s) => `access-denied secretsmanager:GetResourcePolicy ${s.arn}`).sort());
    // Negative control: other policies are read as usual.
    expect(inv.resources.find((r) => r.name === 'a-prod-data')!.policy).toBeDefined();
    expect(inv.sources.find((s) => s.location === `account ${A} us-east-1`)).toMatchObject({ status: 'partial', counts: { policyUnknown: 2 } });
  });

  it('`leash scan --resources --regions` end to end: the report lists the inventory in sources and coverage; without --resources no inventory call is sent', async () => {
    const saved = { ...process.env };
    process.env['AWS_ACCESS_KEY_ID'] = MOTO_CREDENTIALS.accessKeyId;
    process.env['AWS_SECRET_ACCESS_KEY'] = MOTO_CREDENTIALS.secretAccessKey;
    const out = mkdtempSync(join(tmpdir(), 'leash-live-inv-'));
    try {
      proxy.requests.length = 0;
      const r = await runCli(['scan', '--endpoint-url', proxy.url, '--region', 'us-east-1', '--resources', '--regions', 'us-east-1,eu-west-1', '--ci', '-o', join(out, 'with'), '--format', 'json']);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const report = JSON.parse(readFileSync(join(out, 'with', 'report.json'), 'utf8')) as Report;
      expect(report.scan.sources.filter((s) => s.kind === 'inventory-api').map((s) => s.location).sort()).toEqual([`account ${A} eu-west-1`, `account ${A} s3 (global)`, `account ${A} us-east-1`]);
      expect(report.scan.coverage.inventory).toMatchObject({ status: 'complete', rcps: 'not-collected', byType: { 's3:bucket': 2, 'sqs:queue': 3 } });
      expect(proxy.requests.some((q) => q.service === 'kms')).toBe(true);
      // Negative control: a live scan without --resources sends no inventory call.
      proxy.requests.length = 0;
      const plain = await runCli(['scan', '--endpoint-url', proxy.url, '--region', 'us-east-1', '--ci', '-o', join(out, 'without'), '--format', 'json']);
      expect(plain.code).toBe(0);
      // (A live scan of one account also asks which organization it is in: not an inventory call.)
      expect(proxy.requests.filter((q) => !['iam', 'sts'].includes(q.service) && q.operation !== 'DescribeOrganization')).toEqual([]);
      expect(proxy.requests.filter((q) => q.operation === 'DescribeOrganization')).toHaveLength(1);
      const plainReport = JSON.parse(readFileSync(join(out, 'without', 'report.json'), 'utf8')) as Report;
      expect(plainReport.scan.coverage.inventory).toBeUndefined();
      // --resources on an offline scan is a usage error, not a silent no-op.
      const offline = await runCli(['scan', '--demo', '--resources', '--ci', '-o', join(out, 'offline')]);
      expect(offline.code).toBe(2);
      expect(offline.err).toMatch(/--resources: expected a live scan/);
    } finally {
      process.env = saved;
    }
  }, 120_000);

  it('resource control policies: read from Organizations like SCPs (root, then the account), parsed', async () => {
    const before = await collectLiveInventory(clientsFor(moto.endpoint), { accountId: A, regions: ['us-east-1'], rcps: true });
    // Negative control: no organization yet, so no RCP levels and the source says why.
    expect(before.rcps).toBeUndefined();
    expect(before.sources.find((s) => s.kind === 'organizations-rcp')).toMatchObject({ status: 'unavailable' });
    boto3(moto, `
o = client('organizations')
o.create_organization(FeatureSet='ALL')
root = o.list_roots()['Roots'][0]['Id']
p = o.create_policy(Name='deny-outside-org', Description='d', Type='RESOURCE_CONTROL_POLICY', Content=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Deny', 'Principal': '*', 'Action': 's3:*', 'Resource': '*', 'Condition': {'StringNotEqualsIfExists': {'aws:PrincipalOrgID': 'o-example'}}}]}))['Policy']['PolicySummary']['Id']
o.attach_policy(PolicyId=p, TargetId=root)
print('{}')`);
    const inv = await collectLiveInventory(clientsFor(moto.endpoint), { accountId: A, regions: ['us-east-1'], rcps: true });
    expect(inv.sources.find((s) => s.kind === 'organizations-rcp')).toMatchObject({ status: 'ok' });
    const all = inv.rcps!.flat();
    expect(all.map((p) => p.name)).toContain('deny-outside-org');
    expect(all.find((p) => p.name === 'deny-outside-org')!.document.statements[0]).toMatchObject({ effect: 'Deny', principal: '*', condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': ['o-example'] } } });
    // SCPs are not RCPs: moto's default FullAWSAccess SCP is not among them.
    expect(all.some((p) => p.name === 'FullAWSAccess')).toBe(false);
  });

  it('--inventory s3://bucket/key reads a Config snapshot where Config delivered it (GetObject through the factory); a missing object or a malformed spec is exit-2 input', async () => {
    const key = `AWSLogs/${A}/Config/us-east-1/2026/12/1/ConfigSnapshot/${A}_Config_us-east-1_ConfigSnapshot_20261201T000000Z_x.json.gz`;
    boto3(moto, `
import gzip
s3 = client('s3')
s3.create_bucket(Bucket='a-config-delivery')
s3.put_object(Bucket='a-config-delivery', Key=INPUT['key'], Body=gzip.compress(json.dumps(INPUT['snapshot']).encode()))
print('{}')`, { key, snapshot: { fileVersion: '1.0', configSnapshotId: 's3', configurationItems: [{ resourceType: 'AWS::DynamoDB::Table', ARN: `arn:aws:dynamodb:us-east-1:${A}:table/from-s3`, resourceName: 'from-s3', awsAccountId: A, awsRegion: 'us-east-1', tags: { env: 'prod' } }] } });
    const saved = { ...process.env };
    process.env['AWS_ACCESS_KEY_ID'] = MOTO_CREDENTIALS.accessKeyId;
    process.env['AWS_SECRET_ACCESS_KEY'] = MOTO_CREDENTIALS.secretAccessKey;
    try {
      const url = `s3://a-config-delivery/${key}`;
      const { snapshot } = await collectSnapshot({ demo: true, inventory: [url], endpointUrl: moto.endpoint, region: 'us-east-1' });
      expect(snapshot.inventory!.resources.find((r) => r.name === 'from-s3')).toMatchObject({ type: 'dynamodb:table', tags: { env: 'prod' } });
      expect(snapshot.sources.find((s) => s.location === url)).toMatchObject({ kind: 'config-snapshot', status: 'ok' });
      const missing = await collectSnapshot({ demo: true, inventory: ['s3://a-config-delivery/nope.json.gz'], endpointUrl: moto.endpoint, region: 'us-east-1' }).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(InputError);
      expect(String(missing)).toMatch(/nope\.json\.gz: expected a readable S3 object \(s3:GetObject\), got NoSuchKey/);
      // A prefix (ending in "/") is read as the newest snapshot under it (test/collect/inventory/s3-prefix-moto.test.ts); a malformed spec stops before any call.
      await expect(collectSnapshot({ demo: true, inventory: ['s3://a-config-delivery//AWSLogs/'] })).rejects.toThrow(/--inventory: expected s3:\/\/BUCKET\/KEY of one object .* or s3:\/\/BUCKET\/PREFIX\//);
    } finally {
      process.env = saved;
    }
  });
});
