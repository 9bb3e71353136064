// What moto 5 lacks of sso-admin for an Identity Center fix's apply.sh, answered by the recording
// proxy (aws-proxy.ts) from a test's own state: the permission-set boundary operations
// (Put/Get/DeletePermissionsBoundary…PermissionSet) and ListAccountsForProvisionedPermissionSet's
// ProvisioningStatus filter (moto lists every provisioned account whatever the filter asks; a
// listing without it still goes to moto). One definition for every test that runs such a script.
import { spawn } from 'node:child_process';
import type { AwsProxy, ProxyAnswer } from './aws-proxy.js';

export interface PermissionSetRequest {
  readonly PermissionSetArn: string;
  readonly PermissionsBoundary?: unknown;
  readonly ProvisioningStatus?: string;
  readonly ProvisionPermissionSetRequestId?: string;
}

export interface PermissionSetState {
  /** The boundaries moto does not keep, by permission set ARN, as the API takes and returns them. */
  readonly boundaries: Map<string, unknown>;
  /** Accounts whose copy of a permission set is older than the set (a provisioning that failed there). */
  readonly stale: Map<string, string[]>;
}

/** A JSON body of sso-admin's (only parsed for its operations: STS and IAM bodies are form-encoded). */
export const permissionSetRequest = (body: string): PermissionSetRequest => JSON.parse(body) as PermissionSetRequest;

/** The answer to one of the operations above; undefined for any other (or the filter unset): forwarded to moto. */
export function permissionSetAnswer(operation: string, body: string, state: PermissionSetState): ProxyAnswer | undefined {
  const req = (): PermissionSetRequest => permissionSetRequest(body);
  switch (operation) {
    case 'ListAccountsForProvisionedPermissionSet':
      if (req().ProvisioningStatus !== 'LATEST_PERMISSION_SET_NOT_PROVISIONED') return undefined;
      return { status: 200, body: { AccountIds: state.stale.get(req().PermissionSetArn) ?? [] } };
    case 'PutPermissionsBoundaryToPermissionSet':
      state.boundaries.set(req().PermissionSetArn, req().PermissionsBoundary);
      return { status: 200, body: {} };
    case 'DeletePermissionsBoundaryFromPermissionSet':
      state.boundaries.delete(req().PermissionSetArn);
      return { status: 200, body: {} };
    case 'GetPermissionsBoundaryForPermissionSet': {
      const b = state.boundaries.get(req().PermissionSetArn);
      return b === undefined ? { status: 400, errorType: 'ResourceNotFoundException', body: { message: 'no permissions boundary' } } : { status: 200, body: { PermissionsBoundary: b } };
    }
    default:
      return undefined;
  }
}

/** The aws CLI's and apply.sh's environment for moto: its credentials, no profile files of the machine's. */
export function motoCliEnv(credentials: { readonly accessKeyId: string; readonly secretAccessKey: string }): NodeJS.ProcessEnv {
  return { ...process.env, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
}

export interface ProcessResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The operations the proxy received while it ran, in order. */
  readonly ops: string[];
}

/**
 * Commands whose AWS calls all go through the proxy (asked for when a command starts: a test's
 * proxy is made in its beforeAll). Asynchronous: a synchronous child would block
 * the proxy, which answers in this process.
 */
export function throughProxy(proxyOf: () => AwsProxy, env: () => NodeJS.ProcessEnv): { run(cmd: string, args: string[], extra?: NodeJS.ProcessEnv): Promise<ProcessResult>; aws(args: string[]): Promise<string> } {
  const run = (cmd: string, args: string[], extra: NodeJS.ProcessEnv = {}): Promise<ProcessResult> => {
    const proxy = proxyOf();
    const from = proxy.requests.length;
    return new Promise((resolve) => {
      const c = spawn(cmd, args, { env: { ...env(), AWS_ENDPOINT_URL: proxy.url, ...extra } });
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      c.on('close', (status) => resolve({ status, stdout, stderr, ops: proxy.requests.slice(from).map((r) => r.operation) }));
    });
  };
  const aws = async (args: string[]): Promise<string> => {
    const r = await run('aws', args);
    if (r.status !== 0) throw new Error(`aws ${args.slice(0, 2).join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  return { run, aws };
}

/** moto's Identity Center instance. */
export async function instanceArnOf(aws: (args: string[]) => Promise<string>): Promise<string> {
  return (JSON.parse(await aws(['sso-admin', 'list-instances', '--output', 'json'])) as { Instances: { InstanceArn: string }[] }).Instances[0]!.InstanceArn;
}

/** A new permission set, provisioned to `account`; its ARN. */
export async function provisionedPermissionSet(aws: (args: string[]) => Promise<string>, instanceArn: string, name: string, account: string): Promise<string> {
  const arn = (JSON.parse(await aws(['sso-admin', 'create-permission-set', '--instance-arn', instanceArn, '--name', name, '--output', 'json'])) as { PermissionSet: { PermissionSetArn: string } }).PermissionSet.PermissionSetArn;
  await aws(['sso-admin', 'provision-permission-set', '--instance-arn', instanceArn, '--permission-set-arn', arn, '--target-type', 'AWS_ACCOUNT', '--target-id', account]);
  return arn;
}
