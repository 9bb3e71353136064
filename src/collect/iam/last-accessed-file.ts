// Reads `aws iam get-service-last-accessed-details --job-id <id>` output (service level, and the
// action level `TrackedActionsLastAccessed` when the job was generated with
// `--granularity ACTION_LEVEL`) into usage for one principal.
//
// Which principal: the output does not say (the ARN was an argument of
// generate-service-last-accessed-details). It is taken from, in order:
//   1. the `principalArn` argument;
//   2. a `FILE@ARN` suffix on the path, e.g. `role-x.json@arn:aws:iam::123456789012:role/x`;
//   3. a top-level `PrincipalArn` or `Arn` field added to the JSON.
// It is never guessed from LastAuthenticatedEntity: a job run for a group or policy names other
// principals there, and guessing would claim their unused services for the wrong principal.
//
// What it means: AWS reports service access over a tracking period of up to 400 days, so the
// window is [JobCompletionDate − 400 days, JobCompletionDate] and the principal is covered for it
// (a service never authenticated is unused). Every service that was accessed is listed in
// `servicesOnly`, because action-level tracking covers only some actions of some services: which
// other actions of an accessed service were used is unknown. Tracked actions that were accessed
// become ActionUsage with count 1 ("at least once", the report gives no count) and
// firstSeen = lastSeen = the last access time.
import { FileReadError, READ_LIMITS, readRegularFile } from '../../safe/read.js';
import { z } from 'zod';
import { catalog } from '../../iam/catalog.js';
import { type ScanError, type SourceInfo, jsonPath } from '../../model/errors.js';
import type { ActionUsage, UsageData } from '../../model/usage.js';
import { isoSeconds } from '../cloudtrail/coverage.js';
import { jsonErrorOffset, lineColumn } from '../cloudtrail/json-error.js';
import { decodeText } from './authorization-details-file.js';
import { issueExpected, issueGot } from '../../config/zod-issue.js';

const TRACKING_PERIOD_DAYS = 400;
const DAY_MS = 86_400_000;

const date = z.union([z.string(), z.date()]).transform((v) => (typeof v === 'string' ? v : v.toISOString()));

const trackedAction = z.object({
  ActionName: z.string().min(1),
  LastAccessedEntity: z.string().optional(),
  LastAccessedTime: date.optional(),
  LastAccessedRegion: z.string().optional(),
});

const serviceLastAccessed = z.object({
  ServiceName: z.string(),
  ServiceNamespace: z.string().min(1),
  LastAuthenticated: date.optional(),
  LastAuthenticatedEntity: z.string().optional(),
  LastAuthenticatedRegion: z.string().optional(),
  TotalAuthenticatedEntities: z.number().optional(),
  TrackedActionsLastAccessed: z.array(trackedAction).optional(),
});

const lastAccessedDetails = z.object({
  JobStatus: z.enum(['IN_PROGRESS', 'COMPLETED', 'FAILED']),
  JobType: z.enum(['SERVICE_LEVEL', 'ACTION_LEVEL']).optional(),
  JobCreationDate: date.optional(),
  JobCompletionDate: date.optional(),
  ServicesLastAccessed: z.array(serviceLastAccessed),
  IsTruncated: z.boolean().optional(),
  PrincipalArn: z.string().optional(),
  Arn: z.string().optional(),
  Error: z.object({ Message: z.string().optional(), Code: z.string().optional() }).optional(),
});

export interface LastAccessedResult {
  /** Undefined when the file could not be used (see errors). */
  readonly usage: UsageData | undefined;
  readonly sources: SourceInfo[];
  readonly errors: ScanError[];
}

const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+$/;

/** Splits `FILE@ARN`; a path without `@arn:` is returned whole. */
export function splitFileAndArn(spec: string): { file: string; arn?: string } {
  const at = spec.lastIndexOf('@arn:');
  return at < 0 ? { file: spec } : { file: spec.slice(0, at), arn: spec.slice(at + 1) };
}


function toIso(v: string): string {
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? v : isoSeconds(ms);
}

export async function readLastAccessed(path: string, principalArn?: string): Promise<LastAccessedResult> {
  const spec = splitFileAndArn(path);
  const file = spec.file;
  const fail = (code: ScanError['code'], message: string, at?: string): LastAccessedResult => ({
    usage: undefined,
    sources: [{ kind: 'service-last-accessed', location: file, status: 'unavailable', detail: message }],
    errors: [{ source: 'service-last-accessed', code, message: `${file}${at ? ` at ${at}` : ''}: ${message}`, location: file, ...(at ? { path: at } : {}) }],
  });

  let text: string;
  try {
    text = decodeText(await readRegularFile(file, READ_LIMITS.lastAccessed, 'a get-service-last-accessed-details JSON file'));
  } catch (e) {
    if (!(e instanceof FileReadError)) throw e;
    return fail(e.problem === 'missing' || e.problem === 'unreadable' ? 'not-found' : 'invalid-input', `expected ${e.expected}, got ${e.got}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const at = jsonErrorOffset(text);
    return fail('invalid-input', `invalid JSON (${(e as Error).message}): expected get-service-last-accessed-details output`, lineColumn(text, at < 0 ? text.length : at));
  }
  return lastAccessedFromJson(json, file, principalArn ?? spec.arn);
}

/** The same, for output already in memory (the live collector's GetServiceLastAccessedDetails). */
export function lastAccessedFromJson(json: unknown, file: string, principalArn?: string): LastAccessedResult {
  const fail = (code: ScanError['code'], message: string, at?: string): LastAccessedResult => ({
    usage: undefined,
    sources: [{ kind: 'service-last-accessed', location: file, status: 'unavailable', detail: message }],
    errors: [{ source: 'service-last-accessed', code, message: `${file}${at ? ` at ${at}` : ''}: ${message}`, location: file, ...(at ? { path: at } : {}) }],
  });
  const parsed = lastAccessedDetails.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return fail('invalid-input', `expected get-service-last-accessed-details output, with ${issueExpected(issue)} here; got ${issueGot(json, issue)}`, jsonPath(issue.path));
  }
  const d = parsed.data;
  const arn = principalArn ?? d.PrincipalArn ?? d.Arn;
  if (arn === undefined) {
    return fail('invalid-input', 'expected the principal ARN the job was generated for: pass FILE@ARN or add a top-level "PrincipalArn"');
  }
  if (!PRINCIPAL_ARN.test(arn)) return fail('invalid-input', `expected an IAM role or user ARN, got "${arn}"`);
  if (d.JobStatus !== 'COMPLETED') {
    return fail('invalid-input', `expected JobStatus COMPLETED, got ${d.JobStatus}${d.Error?.Message ? ` (${d.Error.Message})` : ''}`, '$.JobStatus');
  }
  const jobEnd = d.JobCompletionDate ?? d.JobCreationDate;
  if (jobEnd === undefined || Number.isNaN(Date.parse(jobEnd))) {
    return fail('invalid-input', 'expected JobCompletionDate (ISO date): the window is measured back from it', '$.JobCompletionDate');
  }

  const errors: ScanError[] = [];
  const cat = catalog();
  const actions: ActionUsage[] = [];
  const servicesOnly: string[] = [];
  let first = '';
  let last = '';
  const seen = (t: string): void => {
    if (!first || t < first) first = t;
    if (t > last) last = t;
  };
  d.ServicesLastAccessed.forEach((s, i) => {
    if (s.LastAuthenticated === undefined) return;
    const when = toIso(s.LastAuthenticated);
    seen(when);
    servicesOnly.push(s.ServiceNamespace);
    (s.TrackedActionsLastAccessed ?? []).forEach((t, j) => {
      if (t.LastAccessedTime === undefined) return;
      const found = cat.lookup(`${s.ServiceNamespace}:${t.ActionName}`);
      if (!found) {
        errors.push({
          source: 'service-last-accessed',
          code: 'unmapped',
          message: `${file} at $.ServicesLastAccessed[${i}].TrackedActionsLastAccessed[${j}]: ${s.ServiceNamespace}:${t.ActionName} is not in the IAM catalog`,
          location: file,
          path: `$.ServicesLastAccessed[${i}].TrackedActionsLastAccessed[${j}]`,
        });
        return;
      }
      const at = toIso(t.LastAccessedTime);
      seen(at);
      actions.push({ action: found.key, count: 1, firstSeen: at, lastSeen: at, resources: [] });
    });
  });

  const end = toIso(jobEnd);
  const window = { start: isoSeconds(Date.parse(end) - TRACKING_PERIOD_DAYS * DAY_MS), end };
  // A truncated listing misses services: an absent service would look unused, so no coverage.
  const truncated = d.IsTruncated === true;
  if (truncated) {
    errors.push({ source: 'service-last-accessed', code: 'invalid-input', message: `${file}: IsTruncated is true; fetch all pages (--max-items / Marker) before relying on unused services`, location: file, path: '$.IsTruncated' });
  }
  const usage: UsageData = {
    window,
    byPrincipal: last
      ? {
          [arn]: {
            principalArn: arn,
            actions: actions.sort((a, b) => a.action.localeCompare(b.action)),
            sessions: [],
            userAgents: {},
            sourceIps: [],
            firstSeen: first,
            lastSeen: last,
            servicesOnly: [...new Set(servicesOnly)].sort(),
          },
        }
      : {},
    coveredPrincipals: truncated ? [] : [arn],
    recordsRead: d.ServicesLastAccessed.length,
    unmapped: [],
  };
  return {
    usage,
    sources: [
      {
        kind: 'service-last-accessed',
        location: file,
        status: truncated || errors.length > 0 ? 'partial' : 'ok',
        detail: `${d.JobType ?? 'SERVICE_LEVEL'} for ${arn}`,
        counts: { services: d.ServicesLastAccessed.length, servicesAccessed: servicesOnly.length, actionsAccessed: actions.length },
      },
    ],
    errors,
  };
}
