// Readers behind the one interface (reader.ts): local files and LookupEvents here; S3 and Athena
// in read-remote.ts. Each transport lives in sources/.
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { lookupCloudTrailEvents, type CloudTrailLookupOptions } from './sources/lookup-events.js';
import { readCloudTrail, type ReadCloudTrailOptions } from './sources/files.js';
import { coverageFor, filterBounds, missingDays, reportedWindow } from './coverage.js';
import { UsageAggregator } from './aggregate.js';
import { recordProblem, type CloudTrailRecord } from './record.js';
import type { CloudTrailReader } from './reader.js';

export function fileReader(paths: readonly string[], base: Omit<ReadCloudTrailOptions, 'windowDays' | 'end' | 'limits' | 'onProgress' | 'now'> = {}): CloudTrailReader {
  return { location: paths.join(', '), read: (opts) => readCloudTrail(paths, { ...base, ...opts }) };
}

/** LookupEvents over the window (management events only, 2 requests/s), folded like any other. */
export function lookupEventsReader(client: CloudTrailClient, base: Omit<CloudTrailLookupOptions, 'startTime' | 'endTime'> = {}): CloudTrailReader {
  return {
    location: 'cloudtrail:LookupEvents',
    async read(opts) {
      const now = opts.now ?? Date.now;
      const bounds = filterBounds(opts, now());
      const endTime = new Date(bounds.end ?? now());
      const startTime = new Date(bounds.start ?? endTime.getTime() - 90 * 86_400_000);
      const r = await lookupCloudTrailEvents(client, { ...base, startTime, endTime });
      const agg = new UsageAggregator({ ...(bounds.start ? { windowStart: bounds.start } : {}), ...(bounds.end ? { windowEnd: bounds.end } : {}), ...(opts.limits ? { limits: opts.limits } : {}) });
      for (const rec of r.records) if (!recordProblem(rec)) agg.add(rec as CloudTrailRecord);
      opts.onProgress?.(agg.recordsRead);
      const window = reportedWindow(bounds, agg.earliest, agg.latest);
      return { usage: agg.finish(window, coverageFor(window, agg.daysSeen)), sources: [r.source], errors: r.errors, missingDays: agg.daysSeen.size === 0 ? [] : missingDays(window, agg.daysSeen) };
    },
  };
}
