// Recent management events from CloudTrail LookupEvents: paced to at most 2 requests/s, bounded
// in pages and events, each CloudTrailEvent parsed into the record shape trail files hold.
import { LookupEventsCommand, type CloudTrailClient, type LookupAttribute } from '@aws-sdk/client-cloudtrail';
import type { ScanError, SourceInfo } from '../../../model/errors.js';
import { toScanError } from '../../aws/errors.js';
import type { ProgressListener } from '../../aws/progress.js';
import { TokenBucket, type Clock } from '../../aws/token-bucket.js';

export interface CloudTrailLookupOptions {
  readonly startTime: Date;
  /** Default: now. */
  readonly endTime?: Date;
  /** Default 200 pages (10,000 events at 50 a page). */
  readonly maxPages?: number;
  readonly maxEvents?: number;
  /** At most 2 (the LookupEvents quota); lower values are honoured. */
  readonly requestsPerSecond?: number;
  readonly lookupAttributes?: readonly LookupAttribute[];
  /** For tests: drives the pacing without wall-clock time. */
  readonly clock?: Clock;
}

export interface CloudTrailLookupResult {
  readonly records: unknown[];
  readonly pages: number;
  readonly source: SourceInfo;
  readonly errors: ScanError[];
}

export const LOOKUP_EVENTS_MAX_RATE = 2;
export const DEFAULT_MAX_PAGES = 200;
export const DEFAULT_MAX_EVENTS = 10_000;

export async function lookupCloudTrailEvents(client: CloudTrailClient, opts: CloudTrailLookupOptions, onProgress?: ProgressListener, location = 'cloudtrail:LookupEvents'): Promise<CloudTrailLookupResult> {
  const rate = Math.min(opts.requestsPerSecond ?? LOOKUP_EVENTS_MAX_RATE, LOOKUP_EVENTS_MAX_RATE);
  const bucket = new TokenBucket(rate, Math.max(1, Math.floor(rate)), opts.clock);
  const maxPages = opts.maxPages ?? DEFAULT_MAX_PAGES;
  const maxEvents = opts.maxEvents ?? DEFAULT_MAX_EVENTS;
  const endTime = opts.endTime ?? new Date();
  const records: unknown[] = [];
  const errors: ScanError[] = [];
  let pages = 0;
  let token: string | undefined;
  let bounded = false;
  const window = `${opts.startTime.toISOString()}..${endTime.toISOString()}`;
  try {
    do {
      await bucket.take();
      const out = await client.send(
        new LookupEventsCommand({
          StartTime: opts.startTime,
          EndTime: endTime,
          MaxResults: 50,
          ...(opts.lookupAttributes ? { LookupAttributes: [...opts.lookupAttributes] } : {}),
          ...(token ? { NextToken: token } : {}),
        }),
      );
      pages++;
      for (const event of out.Events ?? []) {
        // Events of this page left unread are events of the window not read, last page or not.
        if (records.length >= maxEvents) {
          bounded = true;
          break;
        }
        if (!event.CloudTrailEvent) continue;
        try {
          records.push(JSON.parse(event.CloudTrailEvent));
        } catch {
          errors.push({ source: 'cloudtrail-api', code: 'invalid-input', message: `event ${event.EventId ?? '?'}: CloudTrailEvent is not JSON; skipped`, location });
        }
      }
      token = out.NextToken;
      onProgress?.({ kind: 'cloudtrail-page', pages, events: records.length });
      if (token && (pages >= maxPages || records.length >= maxEvents)) bounded = true;
    } while (token && !bounded);
  } catch (e) {
    const error = toScanError('cloudtrail-api', 'cloudtrail:LookupEvents', e, location);
    errors.push(error);
    return {
      records,
      pages,
      errors,
      source: { kind: 'cloudtrail-api', location, status: pages > 0 ? 'partial' : 'unavailable', detail: `${window}: ${error.message}`, counts: { pages, events: records.length } },
    };
  }
  return {
    records,
    pages,
    errors,
    source: {
      kind: 'cloudtrail-api',
      location,
      status: bounded ? 'partial' : 'ok',
      detail: bounded ? `${window}: stopped at the bound (${maxPages} pages / ${maxEvents} events); older events in the window were not read` : window,
      counts: { pages, events: records.length },
    },
  };
}

/**
 * The regions whose LookupEvents hold a principal's management events: the ones asked for, and
 * in the commercial partition us-east-1, where CloudTrail's Lookup records IAM, STS (global
 * endpoint), console sign-in and CloudFront events since November 2021 ("global service events":
 * looked up in another region they are not there). Other partitions: the regions asked for only,
 * as leash has no AWS statement of where their global events are looked up.
 */
export function lookupRegions(regions: readonly string[]): string[] {
  const out = [...new Set(regions)];
  const commercial = out.length === 0 || out.every((r) => !/^(?:us-gov-|cn-|us-iso)/.test(r));
  if (commercial && !out.includes('us-east-1')) out.push('us-east-1');
  return out;
}

/**
 * LookupEvents in each region at once (each paced and bounded on its own: the quota is per account
 * and region), as one source: records of every region (newest first within a region), the pages
 * summed, and the status of the worst region with each region's state in the detail.
 */
export async function lookupCloudTrailEventsInRegions(
  clientIn: (region: string) => CloudTrailClient,
  regions: readonly string[],
  opts: CloudTrailLookupOptions,
  onProgress?: ProgressListener,
  location = 'cloudtrail:LookupEvents',
): Promise<CloudTrailLookupResult> {
  if (regions.length === 1) return lookupCloudTrailEvents(clientIn(regions[0]!), opts, onProgress, location);
  const records: unknown[] = [];
  const errors: ScanError[] = [];
  const states: string[] = [];
  // An event looked up in two regions (global service events were copied to every region's
  // Lookup before November 2021) counts once.
  const seen = new Set<string>();
  let pages = 0;
  let ok = 0, unavailable = 0;
  // At once: each region has its own quota, so two regions take the time of one.
  const results = await Promise.all(regions.map((region) => lookupCloudTrailEvents(clientIn(region), opts, onProgress, `${location} ${region}`)));
  for (const [i, region] of regions.entries()) {
    const r = results[i]!;
    for (const rec of r.records) {
      const id = (rec as { eventID?: unknown } | null)?.eventID;
      if (typeof id === 'string') {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      records.push(rec);
    }
    errors.push(...r.errors);
    pages += r.pages;
    if (r.source.status === 'ok') ok++;
    else if (r.source.status === 'unavailable') unavailable++;
    states.push(r.source.status === 'ok' ? `${region} ok` : `${region} ${r.source.status}${r.source.detail ? ` (${r.source.detail})` : ''}`);
  }
  const status: SourceInfo['status'] = ok === regions.length ? 'ok' : unavailable === regions.length ? 'unavailable' : 'partial';
  const window = `${opts.startTime.toISOString()}..${(opts.endTime ?? new Date()).toISOString()}`;
  return { records, pages, errors, source: { kind: 'cloudtrail-api', location, status, detail: `${window}; regions: ${states.join('; ')}`, counts: { pages, events: records.length, regions: regions.length } } };
}
