// Action-level service-last-accessed data: one report job per principal, polled with backoff
// under one overall time bound. Each principal's result is the GetServiceLastAccessedDetails
// output with its pages merged (ServicesLastAccessed concatenated), dates as ISO strings.
import { GenerateServiceLastAccessedDetailsCommand, GetServiceLastAccessedDetailsCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { ScanError, SourceInfo } from '../../model/errors.js';
import { isAccessDenied, toScanError } from '../aws/errors.js';
import type { ProgressListener } from '../aws/progress.js';
import { plainJson } from '../aws/sdk-output.js';
import { systemClock, type Clock } from '../aws/token-bucket.js';

export interface LastAccessedOptions {
  readonly principalArns: readonly string[];
  /** Overall bound for every job together. Default 5 minutes. */
  readonly timeoutMs?: number;
  /** First poll delay; doubles up to maxPollIntervalMs. Defaults 1 s and 10 s. */
  readonly pollIntervalMs?: number;
  readonly maxPollIntervalMs?: number;
  /** Jobs in flight at once. Default 3. */
  readonly concurrency?: number;
  readonly clock?: Clock;
}

export interface LastAccessedResult {
  readonly lastAccessed: Record<string, unknown>;
  readonly source: SourceInfo;
  readonly errors: ScanError[];
}

class DeadlineReached extends Error {}

async function oneJob(iam: IAMClient, arn: string, opts: LastAccessedOptions, clock: Clock, deadline: number): Promise<Record<string, unknown>> {
  const job = await iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: arn, Granularity: 'ACTION_LEVEL' }));
  const jobId = job.JobId;
  if (!jobId) throw new Error('GenerateServiceLastAccessedDetails returned no JobId');
  let wait = opts.pollIntervalMs ?? 1000;
  const maxWait = opts.maxPollIntervalMs ?? 10_000;
  for (;;) {
    const first = await iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId }));
    if (first.JobStatus === 'FAILED') throw new Error(`job failed: ${first.Error?.Message ?? 'no reason given'}`);
    if (first.JobStatus === 'COMPLETED') {
      const merged = plainJson(first) as Record<string, unknown>;
      const services = [...((merged['ServicesLastAccessed'] as unknown[] | undefined) ?? [])];
      let marker = first.IsTruncated ? first.Marker : undefined;
      while (marker) {
        const next = await iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId, Marker: marker }));
        services.push(...((plainJson(next.ServicesLastAccessed ?? []) as unknown[]) ?? []));
        marker = next.IsTruncated ? next.Marker : undefined;
      }
      delete merged['Marker'];
      return { ...merged, ServicesLastAccessed: services, IsTruncated: false };
    }
    if (clock.now() + wait > deadline) throw new DeadlineReached();
    await clock.sleep(wait);
    wait = Math.min(wait * 2, maxWait);
  }
}

export async function fetchServiceLastAccessed(iam: IAMClient, opts: LastAccessedOptions, onProgress?: ProgressListener, location = 'iam:GetServiceLastAccessedDetails'): Promise<LastAccessedResult> {
  const clock = opts.clock ?? systemClock;
  const deadline = clock.now() + (opts.timeoutMs ?? 300_000);
  const queue = [...new Set(opts.principalArns)];
  const total = queue.length;
  const lastAccessed: Record<string, unknown> = {};
  const errors: ScanError[] = [];
  let timedOut = 0;
  let denied: ScanError | undefined;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (let arn = queue.shift(); arn !== undefined; arn = queue.shift()) {
      // A blanket AccessDenied would repeat for every principal; stop asking after the first.
      if (denied || clock.now() >= deadline) {
        if (!denied) timedOut++;
        continue;
      }
      try {
        lastAccessed[arn] = await oneJob(iam, arn, opts, clock, deadline);
      } catch (e) {
        if (e instanceof DeadlineReached) timedOut++;
        else if (isAccessDenied(e)) denied = toScanError('service-last-accessed', `service last accessed for ${arn}`, e, location);
        else errors.push(toScanError('service-last-accessed', `service last accessed for ${arn}`, e, location));
      }
      onProgress?.({ kind: 'last-accessed', done: ++done, total });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 3, total)) }, worker));
  if (denied) errors.unshift(denied);
  if (timedOut > 0) {
    errors.push({ source: 'service-last-accessed', code: 'internal', message: `${timedOut} of ${total} principals not collected: the overall bound of ${opts.timeoutMs ?? 300_000} ms was reached`, location });
  }
  const collected = Object.keys(lastAccessed).length;
  const status: SourceInfo['status'] = collected === total ? 'ok' : collected > 0 ? 'partial' : 'unavailable';
  return {
    lastAccessed,
    errors,
    source: {
      kind: 'service-last-accessed',
      location,
      status,
      ...(status === 'ok' ? {} : { detail: errors[0]?.message ?? 'not collected' }),
      counts: { principals: total, collected },
    },
  };
}
