// The live resource inventory (`--resources`): region by region, every service's List/Describe
// calls and resource-based policies through the read-only factory, with one limiter bounding the
// calls in flight across all regions and services. AccessDenied, throttling past the SDK's
// retries or an unreachable endpoint fail one service in one region: a ScanError, the source
// marked partial, and the rest goes on. S3 is global and read once.
import type { AwsClients } from '../aws/client-factory.js';
import type { Resource, ResourceInventory } from '../../model/inventory.js';
import type { PolicyDocument } from '../../model/policy.js';
import type { ScanError, SourceInfo } from '../../model/errors.js';
import { ReadOnlyViolationError } from '../aws/allowlist.js';
import { toScanError } from '../aws/errors.js';
import { parsePolicy } from '../../iam/parse.js';
import { fetchRcps, type ScpResult } from '../iam/scps.js';
import { limiter, type ServiceContext, type ServiceReader } from './live/context.js';
import { REGIONAL_READERS, s3 } from './live/services.js';
import { toResource } from './resource.js';
import { countByType, dedupeResources } from './merge.js';

/** Calls in flight at once across the whole inventory (the SDK's adaptive retries pace each client). */
export const DEFAULT_INVENTORY_CONCURRENCY = 8;
/** Resources listed per service and region before the listing stops (and says so). */
export const DEFAULT_MAX_RESOURCES_PER_SERVICE = 20_000;

export interface LiveInventoryOptions {
  readonly accountId: string;
  readonly regions: readonly string[];
  readonly partition?: string;
  readonly concurrency?: number;
  readonly maxResourcesPerService?: number;
  /** Also read resource control policies from Organizations (management account or delegated admin). */
  readonly rcps?: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

export async function collectLiveInventory(clients: AwsClients, opts: LiveInventoryOptions): Promise<ResourceInventory> {
  const run = limiter(opts.concurrency ?? DEFAULT_INVENTORY_CONCURRENCY);
  const partition = opts.partition ?? 'aws';
  const errors: ScanError[] = [];
  const resources: Resource[] = [];
  const perRegion = new Map<string, { failed: string[]; resources: Resource[]; errors: number }>();
  const tasks: { region: string; service: string; read: ServiceReader }[] = [];
  for (const region of opts.regions) {
    perRegion.set(region, { failed: [], resources: [], errors: 0 });
    for (const r of REGIONAL_READERS) tasks.push({ region, service: r.service, read: r.read });
  }
  // Buckets are global: listed once, from the first region's S3 client.
  const s3Region = opts.regions[0] ?? 'us-east-1';
  tasks.push({ region: 'global', service: 's3', read: s3 });
  perRegion.set('global', { failed: [], resources: [], errors: 0 });
  let done = 0;
  await Promise.all(tasks.map(async (t) => {
    const ctx: ServiceContext = {
      region: t.region === 'global' ? s3Region : t.region,
      account: opts.accountId,
      partition,
      clients: clients.regional(t.region === 'global' ? s3Region : t.region),
      run,
      maxResources: opts.maxResourcesPerService ?? DEFAULT_MAX_RESOURCES_PER_SERVICE,
      errors: [],
    };
    const where = `${t.service} ${t.region === 'global' ? '(global)' : t.region}`;
    const slot = perRegion.get(t.region)!;
    try {
      const raw = await t.read(ctx);
      raw.forEach((r, i) => {
        const resource = toResource(r, { source: 'inventory-api', location: `account ${opts.accountId} ${where}`, path: `[${i}] ${r.arn}`, defaultAccount: opts.accountId, errors: ctx.errors });
        if (resource) slot.resources.push(resource);
      });
    } catch (e) {
      // A read-only violation is a bug, never a value: toScanError rethrows it.
      if (e instanceof ReadOnlyViolationError) throw e;
      ctx.errors.push(toScanError('inventory-api', where, e, `account ${opts.accountId} ${where}`));
      slot.failed.push(t.service);
    }
    slot.errors += ctx.errors.length;
    errors.push(...ctx.errors);
    opts.onProgress?.(++done, tasks.length);
  }));
  const sources: SourceInfo[] = [];
  for (const [region, slot] of perRegion) {
    resources.push(...slot.resources);
    const services = region === 'global' ? 1 : REGIONAL_READERS.length;
    sources.push({
      kind: 'inventory-api',
      location: `account ${opts.accountId} ${region === 'global' ? 's3 (global)' : region}`,
      status: slot.failed.length === services ? 'unavailable' : slot.failed.length > 0 || slot.errors > 0 ? 'partial' : 'ok',
      ...(slot.failed.length > 0 ? { detail: `not read: ${slot.failed.join(', ')} (see errors)` } : {}),
      counts: { resources: slot.resources.length, ...countByType(slot.resources), withPolicy: slot.resources.filter((r) => r.policy).length, policyUnknown: slot.resources.filter((r) => r.policyUnknown !== undefined).length },
    });
  }
  let rcps: ResourceInventory['rcps'];
  if (opts.rcps) {
    const r = await fetchRcps(clients.organizations, opts.accountId);
    sources.push(r.source);
    errors.push(...r.errors);
    rcps = rcpLevels(r, errors);
  }
  return { resources: dedupeResources(resources), ...(rcps ? { rcps } : {}), sources, errors };
}

/** RCP levels as the inventory keeps them (parsed; a policy that does not parse is left out, with an error). */
export function rcpLevels(r: ScpResult, errors: ScanError[]): ResourceInventory['rcps'] {
  return r.scps?.map((level) => level.policies.flatMap((p): { name: string; arn: string; document: PolicyDocument }[] => {
    const parsed = parsePolicy(p.document, 'any');
    if (parsed.ok) return [{ name: p.name, arn: p.arn, document: parsed.document }];
    errors.push({ source: 'organizations-rcp', code: 'invalid-input', location: p.arn, path: parsed.error.path, message: `RCP ${p.arn} at ${parsed.error.path}: expected ${parsed.error.expected}; left out, so access it denies may be overstated` });
    return [];
  }));
}
