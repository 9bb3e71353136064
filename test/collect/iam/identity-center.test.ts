// Identity Center read through the read-only client factory against moto (a real sso-admin API
// emulator): the instance ARN and the ARNs of the permission sets behind AWSReservedSSO_* roles.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { CreatePermissionSetCommand, DeletePermissionSetCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../src/collect/aws/client-factory.js';
import { ReadOnlyViolationError } from '../../../src/collect/aws/allowlist.js';
import { fetchIdentityCenter } from '../../../src/collect/iam/identity-center.js';
import { startAwsProxy } from '../../support/aws-proxy.js';

const motoAvailable = spawnSync('python3', ['-c', 'import moto.server'], { encoding: 'utf8' }).status === 0;
const creds = { accessKeyId: 'testing', secretAccessKey: 'testing' };
let moto: ChildProcess | undefined;
let url = '';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  if (!motoAvailable) return;
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  moto = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/moto-api/`)).ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('moto did not start');
}, 20_000);
afterAll(() => {
  moto?.kill();
});

describe.skipIf(!motoAvailable)(`fetchIdentityCenter against moto${motoAvailable ? '' : ' (skipped: moto not installed)'}`, () => {
  it('reads the instance and the ARNs of the wanted permission sets, and nothing it was not asked for', async () => {
    const clients = createAwsClients({ region: 'us-east-1', endpointUrl: url, credentials: creds, maxAttempts: 1 });
    // Setup writes with a plain client (a test may write to its emulator; the scan's client cannot).
    const setup = new SSOAdminClient({ region: 'us-east-1', endpoint: url, credentials: creds });
    try {
      const first = await fetchIdentityCenter(clients.ssoAdmin, ['AdministratorAccess']);
      const instanceArn = first.info!.instanceArn;
      expect(instanceArn).toMatch(/^arn:aws:sso:::instance\/ssoins-/);
      // Negative control: no permission set of that name yet.
      expect(first.info!.permissionSets).toEqual([]);
      const made = await setup.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'AdministratorAccess' }));
      await setup.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'ReadOnly' }));
      const r = await fetchIdentityCenter(clients.ssoAdmin, ['AdministratorAccess']);
      expect(r.source).toMatchObject({ kind: 'identity-center', status: 'ok' });
      expect(r.info).toEqual({ instanceArn, permissionSets: [{ name: 'AdministratorAccess', arn: made.PermissionSet!.PermissionSetArn }] });
      await setup.send(new DeletePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: made.PermissionSet!.PermissionSetArn! }));
    } finally {
      clients.destroy();
      setup.destroy();
    }
  });

  it('the factory client refuses sso-admin writes before anything is sent', async () => {
    const clients = createAwsClients({ region: 'us-east-1', endpointUrl: url, credentials: creds, maxAttempts: 1 });
    try {
      await expect(clients.ssoAdmin.send(new CreatePermissionSetCommand({ InstanceArn: 'arn:aws:sso:::instance/ssoins-x', Name: 'x' }))).rejects.toBeInstanceOf(ReadOnlyViolationError);
    } finally {
      clients.destroy();
    }
  });

  it('refused (a member account: the instance is read where it is administered) is "skipped" with the reason, not a failed source', async () => {
    const proxy = await startAwsProxy(url);
    proxy.faults.set('sso', 'AccessDenied');
    const clients = createAwsClients({ region: 'us-east-1', endpointUrl: proxy.url, credentials: creds, maxAttempts: 1 });
    try {
      const r = await fetchIdentityCenter(clients.ssoAdmin, ['AdministratorAccess']);
      expect(proxy.requests.map((q) => `${q.service}:${q.operation}:${q.fault ?? ''}`)).toEqual(['sso:ListInstances:AccessDenied']);
      expect(r.info).toBeUndefined();
      expect(r.source.status).toBe('skipped');
      expect(r.source.detail).toMatch(/management account or its delegated administrator/);
      expect(r.errors[0]).toMatchObject({ source: 'identity-center', code: 'access-denied' });
    } finally {
      clients.destroy();
      await proxy.close();
    }
  });

  it('an unreachable Identity Center is "unavailable" with the reason, and the scan goes on', async () => {
    const clients = createAwsClients({ region: 'us-east-1', endpointUrl: 'http://127.0.0.1:9', credentials: creds, maxAttempts: 1 });
    try {
      const r = await fetchIdentityCenter(clients.ssoAdmin, ['AdministratorAccess']);
      expect(r.info).toBeUndefined();
      expect(r.source.status).toBe('unavailable');
      expect(r.errors[0]).toMatchObject({ source: 'identity-center', code: 'network' });
    } finally {
      clients.destroy();
    }
  });
});
