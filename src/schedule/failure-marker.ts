// `<reports>/schedule-failed.json`: what a failing `leash schedule` leaves for people who only
// look at reports. Written (atomically) after every failed run, removed after a successful one,
// shown by `leash report`. It lives beside the account folders, not in one: a run that failed
// before it knew the account (a bad profile) still has somewhere to say so.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { plainText } from '../notify/text.js';
import { redact } from '../collect/local/redact.js';

export const FAILURE_MARKER = 'schedule-failed.json';
/** A marker is a few hundred bytes; anything far bigger is not ours. */
const MAX_MARKER_BYTES = 64 * 1024;

const markerSchema = z.object({
  schema: z.literal('leash.schedule-failed/1'),
  failedAt: z.string(),
  consecutiveFailures: z.number().int().min(1),
  maxFailures: z.number().int().min(1).optional(),
  stopped: z.boolean(),
  fatal: z.boolean(),
  lastError: z.string(),
  lastOkAt: z.string().optional(),
  cron: z.string(),
});

export type FailureMarker = z.infer<typeof markerSchema>;

export function markerPath(reportsRoot: string): string {
  return join(reportsRoot, FAILURE_MARKER);
}

export function writeFailureMarker(reportsRoot: string, marker: Omit<FailureMarker, 'schema'>): string {
  mkdirSync(reportsRoot, { recursive: true });
  const path = markerPath(reportsRoot);
  const tmp = `${path}.${process.pid}.tmp`;
  // The error may quote input; keys and secrets are masked before it is written anywhere.
  writeFileSync(tmp, `${JSON.stringify({ schema: 'leash.schedule-failed/1', ...marker, lastError: redact(marker.lastError) }, null, 2)}\n`);
  renameSync(tmp, path);
  return path;
}

export function clearFailureMarker(reportsRoot: string): boolean {
  const path = markerPath(reportsRoot);
  if (!existsSync(path)) return false;
  rmSync(path, { force: true });
  return true;
}

/** The marker, or undefined when there is none or it is not one of ours (never throws: `report` must still work). */
export function readFailureMarker(reportsRoot: string): FailureMarker | undefined {
  let text: string;
  try {
    const buf = readFileSync(markerPath(reportsRoot));
    if (buf.length > MAX_MARKER_BYTES) return undefined;
    text = buf.toString('utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = markerSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The one line `leash report` prints (stderr) while the marker exists. Fields are sanitised: the file is input. */
export function markerWarning(m: FailureMarker, path: string): string {
  const runs = `${m.consecutiveFailures} scheduled run${m.consecutiveFailures === 1 ? '' : 's'} in a row failed`;
  const state = m.stopped ? 'the schedule stopped' : 'the schedule keeps trying';
  const lastOk = m.lastOkAt !== undefined ? `last success ${plainText(m.lastOkAt, 40)}` : 'no success since it started';
  return `leash: WARNING ${runs} (last at ${plainText(m.failedAt, 40)}: ${plainText(m.lastError, 200)}); ${state}, ${lastOk}. Reports shown here may be out of date. Details: ${path}`;
}
