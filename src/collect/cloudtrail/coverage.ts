// The window a CloudTrail read covers, and whether it covers it completely.
//
// Coverage rule ("unknown is not unused"): CloudTrail writes no file for a span with no events,
// so a hole in the logs looks exactly like a quiet period. An AWS account with a trail has events
// every day (AWS services alone call into it), so leash treats a UTC day without a single record
// as missing logs. The logs "span the window" only when every whole UTC calendar day of the
// window (partial first and last days excepted) has at least one record in the window (any principal, any event,
// including AWS service events). Then every principal is covered ('all': one never seen used
// nothing). Otherwise no principal is covered ([]): a principal seen on some days may have used
// other actions on the missing ones, and without create dates leash cannot say a principal
// started after a gap. Limits, said plainly: a trail that logs some regions or accounts but not
// others, or management events only (LookupEvents), still passes the day test; the report's
// sources say which kind of input was read.
import { InputError } from '../../model/errors.js';
import type { UsageData } from '../../model/usage.js';

const DAY_MS = 86_400_000;

export interface WindowOptions {
  /** Window length in days (may be fractional). Without it the window is the records' own span. */
  readonly windowDays?: number;
  /** Window end (ISO). Defaults to now when windowDays is given, else to the latest record. */
  readonly end?: string;
}

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Bounds used to filter records while reading; undefined = open on that side. Bad options are
 * the caller's input (CLI flags), so they throw InputError rather than read everything silently.
 */
export function filterBounds(opts: WindowOptions, nowMs: number): { start?: string; end?: string } {
  if (opts.windowDays !== undefined && !(Number.isFinite(opts.windowDays) && opts.windowDays > 0)) {
    throw new InputError('options', 'windowDays', 'a positive number of days', String(opts.windowDays));
  }
  let endMs: number | undefined;
  if (opts.end !== undefined) {
    endMs = Date.parse(opts.end);
    if (Number.isNaN(endMs)) throw new InputError('options', 'end', 'an ISO 8601 date or time (e.g. 2024-05-31T00:00:00Z)', opts.end);
  } else if (opts.windowDays !== undefined) endMs = nowMs;
  // Normalised to CloudTrail's own format so bounds and eventTime compare as strings.
  const end = endMs !== undefined ? isoSeconds(endMs) : undefined;
  if (opts.windowDays === undefined || endMs === undefined) return end !== undefined ? { end } : {};
  return { start: isoSeconds(endMs - opts.windowDays * DAY_MS), end: end! };
}

/** The reported window: the filter bounds, with open sides closed by the records seen. */
export function reportedWindow(bounds: { start?: string; end?: string }, earliest: string | undefined, latest: string | undefined): { start: string; end: string } {
  const end = bounds.end ?? latest ?? earliest ?? '';
  const start = bounds.start ?? earliest ?? end;
  return { start, end };
}

/** Every UTC day in [start, end] with no record; empty = the logs span the window. */
export function missingDays(window: { start: string; end: string }, daysSeen: ReadonlySet<string>, maxListed = 1_000): string[] {
  const missing: string[] = [];
  if (!window.start || !window.end) return missing;
  // Partial days at either edge are not required: a window starting at 17:00 cannot expect
  // records before 17:00, and logs arrive minutes late, so the current day may have none yet.
  const startMs = Date.parse(window.start);
  const endMs = Date.parse(window.end);
  const startDay = Date.parse(`${window.start.slice(0, 10)}T00:00:00Z`);
  const endDay = Date.parse(`${window.end.slice(0, 10)}T00:00:00Z`);
  const first = startMs === startDay ? startDay : startDay + DAY_MS;
  const last = endMs - endDay >= DAY_MS - 1000 ? endDay : endDay - DAY_MS;
  if ([startMs, endMs, first, last].some(Number.isNaN)) return ['(invalid window)'];
  for (let t = first; t <= last && missing.length < maxListed; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    if (!daysSeen.has(day)) missing.push(day);
  }
  return missing;
}

export function coverageFor(window: { start: string; end: string }, daysSeen: ReadonlySet<string>): UsageData['coveredPrincipals'] {
  if (daysSeen.size === 0) return [];
  return missingDays(window, daysSeen, 1).length === 0 ? 'all' : [];
}
