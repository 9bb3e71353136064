// Several accounts from one starting identity: sts:AssumeRole into a scanner role per account,
// a bounded number at a time. One account failing is a value in its slot; the others finish.
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { ScanError } from '../../model/errors.js';
import { collectAws, type AwsCollection, type CollectAwsOptions } from './collect.js';
import { createAwsClients, type AwsCredentials } from './client-factory.js';
import { AwsCollectError, EssentialAccessError, errorCode, errorMessage } from './errors.js';
import { ReadOnlyViolationError } from './allowlist.js';

export interface AccountTarget {
  /** 12-digit account id; the assumed identity must be in it. */
  readonly id: string;
  readonly roleArn: string;
  readonly externalId?: string;
  /** Shows in the target account's CloudTrail; default "leash-scan". */
  readonly sessionName?: string;
}

export type AccountCollection =
  | { readonly account: AccountTarget; readonly ok: true; readonly collection: AwsCollection }
  | { readonly account: AccountTarget; readonly ok: false; readonly error: ScanError };

export interface CollectAccountsOptions {
  /** Accounts scanned at once. Default 4. */
  readonly concurrency?: number;
}

/** Refresh temporary credentials this long before they expire, so a long scan never uses stale ones. */
const REFRESH_BEFORE_MS = 5 * 60_000;

/**
 * A credential provider backed by our guarded STS client (not fromTemporaryCredentials, which
 * would build its own STS client outside the read-only factory). The first call happens now, so
 * a refused AssumeRole fails this account before any other request.
 */
export async function assumeRoleCredentials(sts: STSClient, target: AccountTarget): Promise<AwsCredentials> {
  const assume = async (): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }> => {
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: target.roleArn, RoleSessionName: target.sessionName ?? 'leash-scan', ...(target.externalId !== undefined ? { ExternalId: target.externalId } : {}) }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`sts:AssumeRole into ${target.roleArn} returned no credentials`);
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}), ...(c.Expiration ? { expiration: c.Expiration } : {}) };
  };
  let current = await assume();
  let pending: Promise<typeof current> | undefined;
  return async () => {
    if (current.expiration && current.expiration.getTime() - Date.now() < REFRESH_BEFORE_MS) {
      pending ??= assume().finally(() => (pending = undefined));
      current = await pending;
    }
    return current;
  };
}

function failure(target: AccountTarget, e: unknown): ScanError {
  if (e instanceof ReadOnlyViolationError) throw e;
  const code = e instanceof AwsCollectError ? e.code : e instanceof EssentialAccessError ? 'access-denied' : errorCode(e);
  const message = e instanceof EssentialAccessError || e instanceof AwsCollectError ? (e.message.split('\n')[0] ?? e.message) : errorMessage(e);
  return { source: 'authorization-details-api', code, message: `account ${target.id} (${target.roleArn}): ${message}`, location: `account ${target.id}` };
}

async function collectOne(sts: STSClient, target: AccountTarget, base: CollectAwsOptions): Promise<AccountCollection> {
  let credentials: AwsCredentials;
  try {
    credentials = await assumeRoleCredentials(sts, target);
  } catch (e) {
    const error = failure(target, e);
    return { account: target, ok: false, error: { ...error, message: `sts:AssumeRole: ${error.message}` } };
  }
  const { clients: _ignored, profile: _profile, ...rest } = base;
  const clients = createAwsClients({ ...rest, credentials });
  try {
    const collection = await collectAws({ ...rest, credentials, clients });
    if (collection.accountId !== target.id) {
      return {
        account: target,
        ok: false,
        error: { source: 'authorization-details-api', code: 'invalid-input', message: `account ${target.id}: ${target.roleArn} led to account ${collection.accountId}; results discarded`, location: `account ${target.id}` },
      };
    }
    return { account: target, ok: true, collection };
  } catch (e) {
    return { account: target, ok: false, error: failure(target, e) };
  } finally {
    clients.destroy();
  }
}

export async function collectAccounts(accounts: readonly AccountTarget[], base: CollectAwsOptions = {}, opts: CollectAccountsOptions = {}): Promise<AccountCollection[]> {
  const starting = base.clients ?? createAwsClients(base);
  const results: AccountCollection[] = new Array<AccountCollection>(accounts.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < accounts.length; i = next++) {
      const target = accounts[i] as AccountTarget;
      base.onProgress?.({ kind: 'account', accountId: target.id, status: 'started', done, total: accounts.length });
      results[i] = await collectOne(starting.sts, target, base);
      done++;
      base.onProgress?.({ kind: 'account', accountId: target.id, status: results[i]?.ok ? 'done' : 'failed', done, total: accounts.length });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, accounts.length)) }, worker));
  } finally {
    if (!base.clients) starting.destroy();
  }
  return results;
}
