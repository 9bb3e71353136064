import * as accountSdk from '@aws-sdk/client-account';
import * as cloudtrailSdk from '@aws-sdk/client-cloudtrail';
import * as iamSdk from '@aws-sdk/client-iam';
import * as organizationsSdk from '@aws-sdk/client-organizations';
import * as stsSdk from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_ONLY_OPERATIONS, ReadOnlyViolationError } from '../../../src/collect/aws/allowlist.js';
import { createAwsClients, organizationsRegion, type AwsClients } from '../../../src/collect/aws/client-factory.js';
import { generateAccount } from '../../support/fake-aws-account.js';
import { fakeConnection, startFakeAws, type FakeAws } from '../../support/fake-aws.js';

type Sendable = { send(command: unknown): Promise<unknown> };
type CommandClass = new (input: Record<string, unknown>) => unknown;

const allowed = new Set(READ_ONLY_OPERATIONS.map((o) => `${o.client}.${o.command}`));

function commandsOf(clientName: string, mod: Record<string, unknown>): [string, CommandClass][] {
  return Object.entries(mod)
    .filter(([name, value]) => /^[A-Z]\w*Command$/.test(name) && typeof value === 'function')
    .filter(([name]) => !allowed.has(`${clientName}.${name}`)) as [string, CommandClass][];
}

describe('client factory read-only guard', () => {
  let fake: FakeAws;
  let clients: AwsClients;
  beforeAll(async () => {
    fake = await startFakeAws(generateAccount({ roles: 3 }));
    clients = createAwsClients(fakeConnection(fake));
  });
  afterAll(async () => {
    clients.destroy();
    await fake.close();
  });

  it('DeleteRoleCommand throws ReadOnlyViolationError and the endpoint receives nothing', async () => {
    // Given a factory-made IAM client pointed at the loopback endpoint
    // When a mutating command is sent
    const attempt = clients.iam.send(new iamSdk.DeleteRoleCommand({ RoleName: 'app-role-1' }));
    // Then it fails before any request is made
    await expect(attempt).rejects.toBeInstanceOf(ReadOnlyViolationError);
    await expect(attempt).rejects.toThrow(/IAMClient\.DeleteRoleCommand is not on the allowlist/);
    expect(fake.requests).toEqual([]);
  });

  const every: [string, keyof AwsClients, Record<string, unknown>][] = [
    ['IAMClient', 'iam', iamSdk],
    ['STSClient', 'sts', stsSdk],
    ['CloudTrailClient', 'cloudtrail', cloudtrailSdk],
    ['OrganizationsClient', 'organizations', organizationsSdk],
    // EnableRegion, DisableRegion, PutAlternateContact…: only ListRegions passes.
    ['AccountClient', 'account', accountSdk],
  ];
  it.each(every)('every %s command not on the allowlist is refused before sending', async (clientName, key, mod) => {
    const commands = commandsOf(clientName, mod);
    expect(commands.length).toBeGreaterThan(clientName === 'STSClient' ? 3 : 10);
    const client = clients[key] as unknown as Sendable;
    const outcomes = await Promise.all(
      commands.map(async ([name, Cmd]) => {
        try {
          await client.send(new Cmd({}));
          return `${name}: sent`;
        } catch (e) {
          return e instanceof ReadOnlyViolationError ? 'refused' : `${name}: ${(e as Error).name}`;
        }
      }),
    );
    expect(outcomes.filter((o) => o !== 'refused')).toEqual([]);
    expect(fake.requests).toEqual([]);
  });

  it('lets allowlisted reads through to the endpoint', async () => {
    const out = await clients.sts.send(new stsSdk.GetCallerIdentityCommand({}));
    expect(out.Account).toBe('111122223333');
    expect(fake.operations()).toEqual(['GetCallerIdentity']);
  });
});

describe('client factory configuration', () => {
  it('honours the SDK AWS_ENDPOINT_URL_<SERVICE> variables when no endpoint URL is given', async () => {
    const fake = await startFakeAws(generateAccount({ roles: 1 }));
    const saved = process.env['AWS_ENDPOINT_URL_STS'];
    process.env['AWS_ENDPOINT_URL_STS'] = fake.url;
    const { endpointUrl: _none, ...withoutEndpoint } = fakeConnection(fake);
    const clients = createAwsClients(withoutEndpoint);
    try {
      const out = await clients.sts.send(new stsSdk.GetCallerIdentityCommand({}));
      expect(out.Arn).toBe('arn:aws:iam::111122223333:user/leash-scanner');
      expect(fake.operations()).toEqual(['GetCallerIdentity']);
    } finally {
      if (saved === undefined) delete process.env['AWS_ENDPOINT_URL_STS'];
      else process.env['AWS_ENDPOINT_URL_STS'] = saved;
      clients.destroy();
      await fake.close();
    }
  });

  it('uses adaptive retries with the requested attempt count', async () => {
    const clients = createAwsClients({ region: 'eu-west-1', endpointUrl: 'http://127.0.0.1:9', credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'x' }, maxAttempts: 3 });
    try {
      const strategy = (await clients.iam.config.retryStrategy()) as { mode?: string };
      expect(strategy.mode).toBe('adaptive');
      expect(await clients.iam.config.maxAttempts()).toBe(3);
      expect(await clients.cloudtrail.config.region()).toBe('eu-west-1');
      expect(await clients.organizations.config.region()).toBe('us-east-1');
      // The Account API is global: its partition's one endpoint, whatever the scan's region.
      expect(await clients.account.config.region()).toBe('us-east-1');
    } finally {
      clients.destroy();
    }
  });

  it('picks the Organizations endpoint region from the partition', () => {
    expect(organizationsRegion('eu-central-1')).toBe('us-east-1');
    expect(organizationsRegion('us-gov-east-1')).toBe('us-gov-west-1');
    expect(organizationsRegion('cn-north-1')).toBe('cn-northwest-1');
    expect(organizationsRegion(undefined)).toBe('us-east-1');
  });
});
