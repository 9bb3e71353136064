// The one place AWS SDK clients are made. Every client gets the read-only guard, adaptive
// retries and the same credentials, region and endpoint, so no code path can reach AWS around it.
import { AccountClient } from '@aws-sdk/client-account';
import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient, type IAMClientConfig } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RDSClient } from '@aws-sdk/client-rds';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EKSClient } from '@aws-sdk/client-eks';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SNSClient } from '@aws-sdk/client-sns';
import { ECRClient } from '@aws-sdk/client-ecr';
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { isAllowedOperation, ReadOnlyViolationError } from './allowlist.js';

export type AwsCredentials = NonNullable<IAMClientConfig['credentials']>;

export interface AwsConnectionOptions {
  /** Named profile in ~/.aws/config (SSO, role_arn, credential_process profiles all work). */
  readonly profile?: string;
  /** CloudTrail is regional; IAM, STS and Organizations default to us-east-1 when none is given. */
  readonly region?: string;
  /** One endpoint for every service (e.g. a loopback test server). The SDK's AWS_ENDPOINT_URL* env vars apply when unset. */
  readonly endpointUrl?: string;
  /** Explicit credentials or provider; overrides profile and the default chain. */
  readonly credentials?: AwsCredentials;
  /** Attempts per call, including the first (adaptive retry mode). Default 8. */
  readonly maxAttempts?: number;
  /** S3 path-style addressing (emulators, and bucket names with dots). Default: on with endpointUrl. */
  readonly s3PathStyle?: boolean;
}

export interface AwsClients {
  readonly iam: IAMClient;
  readonly sts: STSClient;
  readonly cloudtrail: CloudTrailClient;
  readonly organizations: OrganizationsClient;
  /** IAM Identity Center (regional: the instance's home region). */
  readonly ssoAdmin: SSOAdminClient;
  readonly s3: S3Client;
  readonly athena: AthenaClient;
  /** The Account API (global: one endpoint per partition, like Organizations); ListRegions only. */
  readonly account: AccountClient;
  /** The resource inventory's clients for one region (made on first use, guarded like the rest). */
  regional(region: string): RegionalClients;
  /** Close sockets of the clients that were created. */
  destroy(): void;
}

/** Clients of the services the live resource inventory reads, bound to one region. */
export interface RegionalClients {
  readonly region: string;
  readonly cloudformation: CloudFormationClient;
  /** S3 answers for every bucket from any region (region redirects followed). */
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly rds: RDSClient;
  readonly lambda: LambdaClient;
  readonly ecs: ECSClient;
  readonly eks: EKSClient;
  readonly kms: KMSClient;
  readonly secretsManager: SecretsManagerClient;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly ecr: ECRClient;
  /** LookupEvents is regional (global services' events are looked up in us-east-1). */
  readonly cloudtrail: CloudTrailClient;
}

export const DEFAULT_MAX_ATTEMPTS = 8;
const GLOBAL_REGION = 'us-east-1';

/** Organizations has one endpoint per partition; pick the partition from the scan's region. */
export function organizationsRegion(region: string | undefined): string {
  if (region?.startsWith('us-gov-')) return 'us-gov-west-1';
  if (region?.startsWith('cn-')) return 'cn-northwest-1';
  return GLOBAL_REGION;
}

interface GuardableClient {
  middlewareStack: {
    add(
      mw: (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string; priority: 'high' },
    ): void;
  };
}

/** Refuse, before serialisation and signing, any command that is not on the allowlist. */
export function applyReadOnlyGuard<C>(client: C): C {
  (client as unknown as GuardableClient).middlewareStack.add(
    (next, context) => async (args) => {
      if (!isAllowedOperation(context.clientName, context.commandName)) {
        throw new ReadOnlyViolationError(context.clientName ?? 'unknown client', context.commandName ?? 'unknown command');
      }
      return next(args);
    },
    { step: 'initialize', name: 'leashReadOnlyGuard', priority: 'high' },
  );
  return client;
}

function resolveCredentials(opts: AwsConnectionOptions): AwsCredentials {
  if (opts.credentials) return opts.credentials;
  if (opts.profile) return fromIni({ profile: opts.profile });
  return fromNodeProviderChain();
}

export function createAwsClients(opts: AwsConnectionOptions = {}): AwsClients {
  // toolchain.md P5: the SDK's Node-version notice would garble the TUI and cron logs.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const credentials = resolveCredentials(opts);
  const regional = opts.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'];
  const base = {
    credentials,
    maxAttempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'adaptive',
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.endpointUrl ? { endpoint: opts.endpointUrl } : {}),
  } as const;
  const made: { destroy(): void }[] = [];
  const lazy = <T extends { destroy(): void }>(make: () => T): (() => T) => {
    let client: T | undefined;
    return () => {
      if (!client) {
        client = applyReadOnlyGuard(make());
        made.push(client);
      }
      return client;
    };
  };
  const iam = lazy(() => new IAMClient({ ...base, region: regional ?? GLOBAL_REGION }));
  const sts = lazy(() => new STSClient({ ...base, region: regional ?? GLOBAL_REGION }));
  const cloudtrail = lazy(() => new CloudTrailClient({ ...base, region: regional ?? GLOBAL_REGION }));
  const organizations = lazy(() => new OrganizationsClient({ ...base, region: organizationsRegion(regional) }));
  const ssoAdmin = lazy(() => new SSOAdminClient({ ...base, region: regional ?? GLOBAL_REGION }));
  const s3 = lazy(() => new S3Client({ ...base, region: regional ?? GLOBAL_REGION, forcePathStyle: opts.s3PathStyle ?? Boolean(opts.endpointUrl), followRegionRedirects: true }));
  const athena = lazy(() => new AthenaClient({ ...base, region: regional ?? GLOBAL_REGION }));
  // Global like Organizations: account.us-east-1.amazonaws.com in the aws partition, whatever the scan's region.
  const account = lazy(() => new AccountClient({ ...base, region: organizationsRegion(regional) }));
  const regionalSets = new Map<string, RegionalClients>();
  const regionalClients = (region: string): RegionalClients => {
    let set = regionalSets.get(region);
    if (set) return set;
    const r = { ...base, region };
    const cf = lazy(() => new CloudFormationClient(r));
    const s3r = lazy(() => new S3Client({ ...r, forcePathStyle: opts.s3PathStyle ?? Boolean(opts.endpointUrl), followRegionRedirects: true }));
    const ddb = lazy(() => new DynamoDBClient(r));
    const rds = lazy(() => new RDSClient(r));
    const lambda = lazy(() => new LambdaClient(r));
    const ecs = lazy(() => new ECSClient(r));
    const eks = lazy(() => new EKSClient(r));
    const kms = lazy(() => new KMSClient(r));
    const sm = lazy(() => new SecretsManagerClient(r));
    const sqs = lazy(() => new SQSClient(r));
    const sns = lazy(() => new SNSClient(r));
    const ecr = lazy(() => new ECRClient(r));
    const ct = lazy(() => new CloudTrailClient(r));
    set = {
      region,
      get cloudformation() { return cf(); },
      get s3() { return s3r(); },
      get dynamodb() { return ddb(); },
      get rds() { return rds(); },
      get lambda() { return lambda(); },
      get ecs() { return ecs(); },
      get eks() { return eks(); },
      get kms() { return kms(); },
      get secretsManager() { return sm(); },
      get sqs() { return sqs(); },
      get sns() { return sns(); },
      get ecr() { return ecr(); },
      get cloudtrail() { return ct(); },
    };
    regionalSets.set(region, set);
    return set;
  };
  return {
    regional: regionalClients,
    get iam() {
      return iam();
    },
    get sts() {
      return sts();
    },
    get cloudtrail() {
      return cloudtrail();
    },
    get organizations() {
      return organizations();
    },
    get ssoAdmin() {
      return ssoAdmin();
    },
    get s3() {
      return s3();
    },
    get athena() {
      return athena();
    },
    get account() {
      return account();
    },
    destroy() {
      for (const c of made.splice(0)) c.destroy();
    },
  };
}
