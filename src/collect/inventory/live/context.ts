// What every per-service reader of the live inventory gets: the region's clients, one limiter
// shared by the whole inventory (bounded concurrency across services and regions), a cap on
// resources per service and region, and one way to record a policy that could not be read.
import type { RegionalClients } from '../../aws/client-factory.js';
import type { ScanError } from '../../../model/errors.js';
import { errorCode, errorMessage, toScanError } from '../../aws/errors.js';
import type { RawResource } from '../resource.js';

export type Limiter = <T>(fn: () => Promise<T>) => Promise<T>;

/** At most `n` calls in flight; the rest wait in order. */
export function limiter(n: number): Limiter {
  let active = 0;
  const queue: (() => void)[] = [];
  const release = () => {
    active--;
    queue.shift()?.();
  };
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await fn();
    } finally {
      release();
    }
  };
}

/**
 * Every item at once, in order. Only the SDK calls inside `fn` take a limiter slot: a slot held
 * across a call that needs another slot would deadlock once every slot is held that way.
 */
export async function mapAll<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  return Promise.all(items.map(fn));
}

export interface ServiceContext {
  readonly region: string;
  readonly account: string;
  readonly partition: string;
  readonly clients: RegionalClients;
  readonly run: Limiter;
  /** Resources listed per service and region before the reader stops (and says so). */
  readonly maxResources: number;
  readonly errors: ScanError[];
}

/** A policy read failed for one resource: a ScanError, and the text for `policyUnknown`. */
export function policyReadFailed(ctx: ServiceContext, operation: string, arn: string, e: unknown): string {
  const err = toScanError('inventory-api', operation, e, `${operation} ${arn}`);
  ctx.errors.push(err);
  return `${operation} failed (${errorCode(e)}): ${errorMessage(e)}`;
}

/** The listing stopped at the cap: recorded, so a truncated inventory is never taken as whole. */
export function capped(ctx: ServiceContext, service: string): void {
  ctx.errors.push({ source: 'inventory-api', code: 'internal', location: `${service} ${ctx.region}`, message: `${service} in ${ctx.region}: more than ${ctx.maxResources} resources; the inventory keeps the first ${ctx.maxResources}` });
}

export type ServiceReader = (ctx: ServiceContext) => Promise<RawResource[]>;

/** `[{Key, Value}]` (most services) or `{k: v}` → a map for RawResource.tags. */
export function tagList(list: readonly { Key?: string | undefined; Value?: string | undefined; key?: string | undefined; value?: string | undefined }[] | undefined): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const t of list ?? []) {
    const k = t.Key ?? t.key;
    if (k !== undefined) out[k] = t.Value ?? t.value ?? '';
  }
  return out;
}
