// The one AWS write leash makes: storing the scan history in the S3 bucket the user names with
// `--history s3://bucket/prefix`. It lives here, outside src/collect/aws/, on purpose: the
// read-only client factory there has no S3 client and its allowlist has no write, so a scan can
// never obtain this client. This client is built for one bucket and one prefix; a guard in its
// middleware stack refuses, before a request is built or signed, any command other than GetObject
// and PutObject and any bucket or key outside that prefix. The policy it needs: GetObject and
// PutObject on the prefix, and ListBucket so a missing object is NoSuchKey rather than AccessDenied
// (README: "History that survives ephemeral runners").
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { InputError } from '../../model/errors.js';
import { checkKey } from './dir.js';
import type { BlobStore } from './store.js';

/** The only commands the history client may send, and why. */
export const HISTORY_S3_OPERATIONS: readonly { readonly command: string; readonly action: string; readonly why: string }[] = [
  { command: 'GetObjectCommand', action: 's3:GetObject', why: 'read the previous scan, the trend and the pointers' },
  { command: 'PutObjectCommand', action: 's3:PutObject', why: 'store this scan, the trend and the pointers' },
];
const ALLOWED = new Set(HISTORY_S3_OPERATIONS.map((o) => o.command));

export interface S3Location {
  readonly bucket: string;
  /** No leading or trailing slash; '' for the bucket root. */
  readonly prefix: string;
}

// General-purpose bucket names (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `s3://bucket/some/prefix/` → { bucket, prefix: 'some/prefix' }; anything else is bad input naming what was expected. */
export function parseS3Url(url: string): S3Location {
  const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(url);
  const expected = 's3://BUCKET/PREFIX (a bucket name of 3–63 lower-case letters, digits, dots and hyphens)';
  if (!m) throw new InputError('--history', '', expected, JSON.stringify(url));
  const bucket = m[1]!;
  if (!BUCKET_RE.test(bucket) || bucket.includes('..')) throw new InputError('--history', '', expected, `bucket ${JSON.stringify(bucket)}`);
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix !== '') checkKey(prefix, '--history');
  return { bucket, prefix };
}

/** Thrown before a request is built when the history client is asked for anything outside its scope. */
export class HistoryScopeError extends Error {
  constructor(readonly command: string, readonly target: string, readonly scope: string) {
    super(`leash writes only its history: ${command} on ${target} is outside ${scope} (src/report/history-store/s3.ts)`);
    this.name = 'HistoryScopeError';
  }
}

interface GuardableClient {
  middlewareStack: {
    add(
      mw: (next: (args: { input?: unknown }) => Promise<unknown>, context: { commandName?: string }) => (args: { input?: unknown }) => Promise<unknown>,
      options: { step: 'initialize'; name: string; priority: 'high' },
    ): void;
  };
}

/** Pin a client to one bucket and prefix: GetObject/PutObject on keys under the prefix, nothing else. */
export function guardHistoryClient<C>(client: C, loc: S3Location): C {
  const scope = `s3://${loc.bucket}/${loc.prefix}`;
  (client as unknown as GuardableClient).middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown command';
      const input = (args.input ?? {}) as { Bucket?: unknown; Key?: unknown };
      const target = `s3://${String(input.Bucket)}/${String(input.Key ?? '')}`;
      if (!ALLOWED.has(command) || input.Bucket !== loc.bucket || typeof input.Key !== 'string') throw new HistoryScopeError(command, target, scope);
      const rel = loc.prefix === '' ? input.Key : input.Key.startsWith(`${loc.prefix}/`) ? input.Key.slice(loc.prefix.length + 1) : undefined;
      try {
        if (rel === undefined) throw new Error('outside');
        checkKey(rel, scope);
      } catch {
        throw new HistoryScopeError(command, target, scope);
      }
      return next(args);
    },
    { step: 'initialize', name: 'leashHistoryScopeGuard', priority: 'high' },
  );
  return client;
}

export interface HistoryS3Options extends S3Location {
  readonly profile?: string;
  readonly region?: string;
  /** An S3-compatible endpoint (a loopback emulator in tests); path-style addressing then. */
  readonly endpointUrl?: string;
  readonly credentials?: ConstructorParameters<typeof S3Client>[0] extends infer C ? C extends { credentials?: infer K } ? K : never : never;
  readonly maxAttempts?: number;
}

/** The history store on S3; its client is private to this closure and guarded to the one prefix. */
export function createHistoryS3Writer(opts: HistoryS3Options): BlobStore {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const loc: S3Location = { bucket: opts.bucket, prefix: opts.prefix };
  const credentials = opts.credentials ?? (opts.profile ? fromIni({ profile: opts.profile }) : fromNodeProviderChain());
  const client = guardHistoryClient(
    new S3Client({
      credentials,
      region: opts.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1',
      // The bucket may live in another region than the scan's: follow S3's redirect.
      followRegionRedirects: true,
      maxAttempts: opts.maxAttempts ?? 5,
      ...(opts.endpointUrl ? { endpoint: opts.endpointUrl, forcePathStyle: true } : {}),
    }),
    loc,
  );
  const location = `s3://${loc.bucket}${loc.prefix ? `/${loc.prefix}` : ''}`;
  const fullKey = (key: string): string => {
    checkKey(key, location);
    return loc.prefix ? `${loc.prefix}/${key}` : key;
  };
  const fail = (verb: string, key: string, e: unknown): never => {
    if (e instanceof InputError || e instanceof HistoryScopeError) throw e;
    const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = err.$metadata?.httpStatusCode;
    // Without s3:ListBucket, S3 reports a missing object as AccessDenied: say so, it is the usual first-night cause.
    const hint = verb === 'read' && status === 403 ? `; a missing object reads as AccessDenied unless the role also has s3:ListBucket on ${loc.bucket} for this prefix` : '';
    throw new InputError(`${location}/${key}`, '', `a history object leash can ${verb} (s3:${verb === 'read' ? 'GetObject' : 'PutObject'} on ${location}/*${hint})`, `${err.name ?? 'error'}${status ? ` (HTTP ${status})` : ''}: ${err.message ?? String(e)}`);
  };
  return {
    location,
    async get(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: loc.bucket, Key: fullKey(key) }));
        return out.Body ? Buffer.from(await out.Body.transformToByteArray()) : Buffer.alloc(0);
      } catch (e) {
        if (e instanceof NoSuchKey || (e as { name?: string }).name === 'NoSuchKey') return undefined;
        return fail('read', key, e);
      }
    },
    async put(key, body, contentType) {
      try {
        await client.send(new PutObjectCommand({ Bucket: loc.bucket, Key: fullKey(key), Body: body, ContentType: contentType }));
      } catch (e) {
        fail('write', key, e);
      }
    },
    close() {
      client.destroy();
    },
  };
}
