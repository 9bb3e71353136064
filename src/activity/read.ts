// Where `leash activity` reads CloudTrail: trail files on disk (a folder synced from the trail's
// bucket, or single files), or the account's LookupEvents (live: management events of the last
// 90 days). Every file is bounded in size (loadLogFile); a file that cannot be read is an error
// value with its path and what was wrong, and the read goes on.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { CloudTrailLookupOptions } from '../collect/cloudtrail/sources/lookup-events.js';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AwsClients } from '../collect/aws/client-factory.js';
import type { S3Location } from '../collect/cloudtrail/sources/s3.js';
import type { ScanError, SourceInfo } from '../model/errors.js';
import { jsonErrorLocation, loadLogFile } from '../collect/cloudtrail/ingest-file.js';
import { walkLogFiles } from '../collect/cloudtrail/sources/files.js';
import type { ActivityTarget, TimelineBuilder } from './timeline.js';
import { regionList, type EnabledRegions } from './regions.js';

export interface ActivityRead {
  readonly sources: readonly SourceInfo[];
  readonly errors: readonly ScanError[];
  /** What the read could not see, said with the timeline (a source's status does not cover it: every call made was answered). */
  readonly notes?: readonly string[];
  /**
   * A role read live: the sessions its successful AssumeRole* events named (newest first, each at
   * its latest AssumeRole), whether or not a call of theirs was read: one that made only data-event
   * calls, or calls in a region not read, is known from here alone.
   */
  readonly assumed?: readonly AssumedSession[];
}

/** A role session known from the AssumeRole* event that created it. */
export interface AssumedSession {
  readonly name: string;
  /** The AssumeRole's eventTime (UTC, to the second). */
  readonly at: string;
}

// `<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<id>.json.gz`: delivered after the calls it holds.
const DELIVERED = /_CloudTrail_[^_]+_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_/;

/** When CloudTrail delivered the file, from its standard name; undefined for other names. */
export function deliveredAt(file: string): string | undefined {
  const m = DELIVERED.exec(basename(file));
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00Z` : undefined;
}

/** The records of one parsed log file: `{"Records": [...]}` as CloudTrail writes it, or a bare array. */
function recordsOf(doc: unknown): unknown[] | undefined {
  if (Array.isArray(doc)) return doc;
  if (typeof doc === 'object' && doc !== null && Array.isArray((doc as { Records?: unknown }).Records)) return (doc as { Records: unknown[] }).Records;
  return undefined;
}

/** Every record of one log file's text to the builder; what is wrong with the file otherwise. */
function feedLogText(text: string, file: string, builder: TimelineBuilder): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return `${file}: not JSON (${jsonErrorLocation(text)})`;
  }
  const records = recordsOf(doc);
  if (!records) return `${file}: expected {"Records": [...]} (a CloudTrail log file)`;
  for (let i = 0; i < records.length; i++) builder.add(records[i], `${file} $.Records[${i}]`);
  return undefined;
}

/**
 * Feeds every record of the files under `paths` to the builder. A file CloudTrail delivered
 * before `since` holds no call after it, so it is not read (its name says when).
 */
export async function readActivityFiles(paths: readonly string[], builder: TimelineBuilder, since?: string): Promise<ActivityRead> {
  const sources: SourceInfo[] = [];
  const errors: ScanError[] = [];
  for (const input of paths) {
    let files = 0, skipped = 0, bad = 0;
    const readOne = async (file: string): Promise<void> => {
      const at = deliveredAt(file);
      if (since !== undefined && at !== undefined && at < since) {
        skipped++;
        return;
      }
      files++;
      const loaded = await loadLogFile(file);
      if ('error' in loaded) {
        bad++;
        errors.push({ source: 'cloudtrail-file', code: loaded.code, message: `${file}: ${loaded.error}`, location: file });
        return;
      }
      const problem = feedLogText(loaded.bytes.toString('utf8'), file, builder);
      if (problem) {
        bad++;
        errors.push({ source: 'cloudtrail-file', code: 'invalid-input', message: problem, location: file });
      }
    };
    try {
      const st = await stat(input);
      if (st.isDirectory()) for await (const f of walkLogFiles(input)) await readOne(f);
      else await readOne(input);
      sources.push({ kind: 'cloudtrail-file', location: input, status: bad > 0 ? 'partial' : 'ok', counts: { files, skippedBeforeWindow: skipped, unreadable: bad } });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      errors.push({ source: 'cloudtrail-file', code: 'not-found', message: `cannot read ${input}: ${code}`, location: input });
      sources.push({ kind: 'cloudtrail-file', location: input, status: 'unavailable', detail: code });
    }
  }
  return { sources, errors };
}

/**
 * The LookupEvents "User name" every call of the target carries: an IAM user's name, or the role
 * session's name (the AWS CLI reference's lookup-events example: an assumed role's event has
 * Username "my-session-name"). A role without a session has none: its sessions' names are found
 * first (roleSessionNames). The builder still decides which events are the target's (another
 * role's session may share the name).
 */
export function lookupUsername(t: ActivityTarget): string | undefined {
  const user = /^arn:[^:]+:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/.exec(t.principalArn);
  return user ? user[1] : t.sessionName;
}

/**
 * LookupEvents of the window in each region (each bounded in pages and events like the scan's),
 * narrowed to the target's user name when it has one, every event to the builder.
 */
export async function readActivityLive(clientIn: (region: string) => CloudTrailClient, regions: readonly string[], builder: TimelineBuilder, target: ActivityTarget, window: { readonly since: string; readonly until?: string }, maxEvents?: number, listRegions?: () => Promise<EnabledRegions>): Promise<ActivityRead> {
  // Loaded here: the AWS SDK is not loaded at start-up (test/cli/startup.test.ts).
  const { lookupCloudTrailEventsInRegions } = await import('../collect/cloudtrail/sources/lookup-events.js');
  const username = lookupUsername(target);
  const lookup = (name: string | undefined, readIn: readonly string[] = regions) => lookupCloudTrailEventsInRegions(
    clientIn,
    readIn,
    {
      startTime: new Date(window.since),
      ...(window.until ? { endTime: new Date(window.until) } : {}),
      ...(maxEvents ? { maxEvents } : {}),
      ...(name !== undefined ? { lookupAttributes: [{ AttributeKey: 'Username', AttributeValue: name }] } : {}),
    },
    undefined,
    name !== undefined ? `cloudtrail:LookupEvents Username=${name}` : 'cloudtrail:LookupEvents',
  );
  const sources: SourceInfo[] = [];
  const errors: ScanError[] = [];
  // Each name's events, in the order the names are given (a role's sessions, a user's federated ones).
  const readEach = async (names: readonly string[], readIn: readonly string[] = regions) => {
    for (const name of names) {
      const f = await lookup(name, readIn);
      f.records.forEach((rec, i) => builder.add(rec, `LookupEvents (${name}) event ${i}`));
      sources.push(f.source);
      errors.push(...f.errors);
    }
  };
  // The account's enabled regions, when the caller lists them (no --regions given): STS logs a
  // regional endpoint's AssumeRole only in its region, and a user's or a session's calls are logged
  // in the region of the endpoint they used, so every read below looks there too.
  const listing = listRegions ? await listRegions() : undefined;
  const listed = listing?.ok ? listing.regions.filter((r) => !regions.includes(r)) : [];
  // A role without a session: its sessions' names, from the AssumeRole* events that name it, then
  // each session by name, so a busy account's window is not read whole (and cut at its bound).
  let assumed: readonly AssumedSession[] | undefined;
  if (username === undefined && target.sourceIdentity === undefined && ROLE_ARN.test(target.principalArn)) {
    const found = await roleSessionsLive(clientIn, regions, listed, target.principalArn, window);
    sources.push(...found.sources);
    errors.push(...found.errors);
    assumed = found.assumed;
    if (found.names.length > 0) {
      // Each session is read in the regions given, and also where one of its AssumeRole calls
      // was logged (a session from Frankfurt's endpoint most likely works in Frankfurt).
      const readIn = [...new Set([...regions, ...found.assumedIn])];
      await readEach(found.names, readIn);
      return { sources, errors, assumed, notes: listing ? regionListingNotes(listing, regions, [...regions, ...listed], readIn, found.names.length, found.unsearched) : [sessionSearchNote(regions, found.names.length)] };
    }
  }
  // A session's own read, a user's, or the window whole: in the regions given, and in the other
  // enabled regions at once (a whole read there bounded to WHOLE_LISTED_EVENTS in all).
  const r = await lookup(username);
  const perListed = username === undefined ? Math.max(MIN_LISTED_EVENTS, Math.floor(WHOLE_LISTED_EVENTS / Math.max(1, listed.length))) : undefined;
  const more = await lookupListed(clientIn, listed, {
    startTime: new Date(window.since),
    ...(window.until ? { endTime: new Date(window.until) } : {}),
    ...(maxEvents || perListed ? { maxEvents: Math.min(maxEvents ?? Infinity, perListed ?? Infinity) } : {}),
    ...(username !== undefined ? { lookupAttributes: [{ AttributeKey: 'Username' as const, AttributeValue: username }] } : {}),
  }, username !== undefined ? `cloudtrail:LookupEvents Username=${username}` : 'cloudtrail:LookupEvents', r.records);
  const records = [...r.records, ...more.records];
  records.forEach((rec, i) => builder.add(rec, `LookupEvents event ${i}`));
  sources.push(r.source, ...more.sources);
  errors.push(...r.errors, ...more.errors);
  // A user's federated sessions (GetFederationToken) are its calls too, under the name it gave
  // them: looked up by that name as a role session is by its own (at most 20 names), in the regions given.
  if (username !== undefined && /:user\//.test(target.principalArn)) await readEach(federatedNames(records).slice(0, MAX_FEDERATED));
  return { sources, errors, ...(assumed ? { assumed } : {}), notes: listing ? enabledRegionNotes(listing, regions, listed, more.unsearched, perListed) : [] };
}

/**
 * readActivityLive with the read-only factory's clients, as `leash activity --live` and `leash
 * contain --aws` read: the clients' home region, us-east-1 (where the global services' events are
 * looked up) and `regions`; none given, the account's enabled regions too (account:ListRegions).
 */
export async function readActivityLiveFrom(clients: AwsClients, regions: readonly string[], builder: TimelineBuilder, target: ActivityTarget, window: { readonly since: string; readonly until?: string }, maxEvents?: number): Promise<ActivityRead> {
  const { lookupRegions } = await import('../collect/cloudtrail/sources/lookup-events.js');
  const { listEnabledRegions } = await import('./regions.js');
  const home = await clients.cloudtrail.config.region();
  const clientIn = (r: string) => (r === home ? clients.cloudtrail : clients.regional(r).cloudtrail);
  const listRegions = regions.length === 0 ? () => listEnabledRegions(clients.account) : undefined;
  return readActivityLive(clientIn, lookupRegions([home, ...regions]), builder, target, window, maxEvents, listRegions);
}

/** A whole read's events in the enabled regions beyond the ones given, in all (each at least MIN_LISTED_EVENTS). */
const WHOLE_LISTED_EVENTS = 10_000;
const MIN_LISTED_EVENTS = 500;

/**
 * LookupEvents in each listed region (beyond the ones given) at once, each paced and bounded as
 * any region. A region that answers nothing (an SCP denying it, an opt-in endpoint unreachable) is
 * named and left out (`unsearched`), as it was before it was listed; the others are one source
 * between them. Events already read (`seen`, by eventID) are not given twice.
 */
async function lookupListed(clientIn: (region: string) => CloudTrailClient, listed: readonly string[], opts: CloudTrailLookupOptions, location: string, seen: readonly unknown[] = []): Promise<{ readonly records: unknown[]; readonly sources: SourceInfo[]; readonly errors: ScanError[]; readonly unsearched: string[]; readonly whole: boolean }> {
  if (listed.length === 0) return { records: [], sources: [], errors: [], unsearched: [], whole: true };
  const { lookupCloudTrailEvents } = await import('../collect/cloudtrail/sources/lookup-events.js');
  const more = await Promise.all(listed.map((r) => lookupCloudTrailEvents(clientIn(r), opts, undefined, `${location} ${r}`)));
  const unsearched = listed.filter((_, i) => more[i]!.source.status === 'unavailable');
  const answered = more.filter((r) => r.source.status !== 'unavailable');
  const ids = new Set(seen.map((rec) => (rec as { eventID?: unknown } | null)?.eventID).filter((id) => typeof id === 'string'));
  const records = answered.flatMap((r) => r.records).filter((rec) => {
    const id = (rec as { eventID?: unknown } | null)?.eventID;
    if (typeof id !== 'string') return true;
    if (ids.has(id)) return false;
    ids.add(id);
    return true;
  });
  const whole = answered.every((r) => r.source.status === 'ok');
  return {
    records,
    errors: more.flatMap((r) => r.errors),
    unsearched,
    whole,
    sources: [{
      kind: 'cloudtrail-api',
      location: `${location} in ${listed.length} other enabled region(s)`,
      status: whole ? (unsearched.length === listed.length ? 'unavailable' : 'ok') : 'partial',
      detail: `${answered.length} answered${unsearched.length > 0 ? `; not searched (no answer): ${unsearched.join(', ')}` : ''}${whole ? '' : '; some answered in part'}`,
      counts: { pages: more.reduce((n, r) => n + r.pages, 0), events: records.length, regions: listed.length },
    }],
  };
}

/**
 * What a session's own read, a user's or a whole read saw of the account's enabled regions: where
 * it read, what the listing dropped or could not say, and when it failed, that only the regions
 * given were read (calls made through another region's endpoints are logged only there).
 */
export function enabledRegionNotes(listing: EnabledRegions, given: readonly string[], listed: readonly string[], unsearched: readonly string[] = [], perListed?: number): string[] {
  if (!listing.ok) {
    return [`could not list the account's enabled regions (${listing.reason}), so only the regions given were read (${given.join(', ')}): calls made through another region's endpoints are logged only there and are not read. Add that region (--regions).`];
  }
  const notes = [`read in the account's enabled regions (account:ListRegions; ${regionList([...given, ...listed])})${perListed !== undefined && listed.length > 0 ? `, each beyond ${given.join(', ')} up to ${perListed} events` : ''}: calls are logged in the region of the endpoint they used.`];
  if (unsearched.length > 0) notes.push(`LookupEvents answered nothing in ${regionList(unsearched)} (refused or unreachable; an SCP may deny the region): calls made there are not read.`);
  if (listing.dropped > 0) notes.push(`${listing.dropped} region name(s) account:ListRegions returned were not region names: dropped, not read.`);
  if (!listing.complete) notes.push(`account:ListRegions answered only part of the list (${listing.pages} page(s)): calls made in a region not listed are not read.`);
  return notes;
}

const MAX_FEDERATED = 20;
/** Session names read one by one; more read the window whole (the same bound as federated names). */
const MAX_SESSIONS = 20;
/** The longest a role session lasts (a role's MaxSessionDuration at most, IAM Identity Center's too). */
const MAX_SESSION_MS = 12 * 3_600_000;
const ROLE_ARN = /^arn:[^:]+:iam::\d{12}:role\//;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const ASSUME_ROLE_EVENTS = new Set(['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity']);

/**
 * What a role read session by session saw when leash tried to list the account's enabled regions:
 * the regions searched (counted and named, bounded), what the listing dropped or could not say,
 * and when it failed, that the search fell back to the regions given.
 */
export function regionListingNotes(listing: EnabledRegions, given: readonly string[], searched: readonly string[], readIn: readonly string[], sessions: number, unsearched: readonly string[] = []): string[] {
  if (!listing.ok) {
    return [`could not list the account's enabled regions (${listing.reason}), so only the regions given were searched: ${sessionSearchNote(given, sessions)}`];
  }
  const notes = [
    `${sessions} session(s) of the role found through the AssumeRole* events that name it in the account's enabled regions (account:ListRegions; ${regionList(searched)}), then read by name in ${readIn.join(', ')}: a session's calls in other regions are not read (add them with --regions).`,
  ];
  if (unsearched.length > 0) notes.push(`LookupEvents answered nothing in ${regionList(unsearched)} (refused or unreachable; an SCP may deny the region): a session assumed through an STS endpoint there is not found.`);
  if (listing.dropped > 0) notes.push(`${listing.dropped} region name(s) account:ListRegions returned were not region names: dropped, not searched.`);
  if (!listing.complete) notes.push(`account:ListRegions answered only part of the list (${listing.pages} page(s)): a session assumed through an STS endpoint in a region not listed is not found.`);
  return notes;
}

/**
 * What a role read session by session cannot see. STS logs AssumeRole in the region of the endpoint
 * that answered it (the global endpoint's in us-east-1), and LookupEvents is regional: a session
 * assumed through another region's endpoint is not among those found, so its calls, even in the
 * regions read, are not read by name (the whole read of those regions would have held them).
 * Said when the regions searched are the ones given: `--regions` (the user chose), or the account's
 * enabled regions could not be listed (regionListingNotes says why, first).
 */
export function sessionSearchNote(regions: readonly string[], sessions: number): string {
  return `${sessions} session(s) of the role found through the AssumeRole* events that name it in ${regions.join(', ')} (the regions read), then read by name: a session assumed through an STS endpoint in another region is logged only there, so it is not found and its calls in these regions are not read either. Add that region (--regions) or name the session (--session).`;
}

/**
 * A role's sessions in the window, looked up through the AssumeRole* events that name it as their
 * resource (from 12 hours before the window: a session's calls may come from credentials issued
 * then). LookupEvents documents ResourceName as the resource's "name", so the role's ARN is tried,
 * then its name. Names are given only when a search was whole and found at most MAX_SESSIONS:
 * none found (no session, or a Lookup that names the role some other way) or too many leave the
 * caller to read the window whole, which never misses a session.
 */
async function roleSessionsLive(clientIn: (region: string) => CloudTrailClient, regions: readonly string[], listed: readonly string[], roleArn: string, window: { readonly since: string; readonly until?: string }): Promise<ActivityRead & { readonly names: readonly string[]; readonly assumedIn: readonly string[]; readonly unsearched: readonly string[]; readonly assumed: readonly AssumedSession[] }> {
  const { lookupCloudTrailEventsInRegions } = await import('../collect/cloudtrail/sources/lookup-events.js');
  const sources: SourceInfo[] = [];
  const errors: ScanError[] = [];
  for (const value of [roleArn, roleArn.slice(roleArn.lastIndexOf('/') + 1)]) {
    const opts = {
      startTime: new Date(Date.parse(window.since) - MAX_SESSION_MS),
      ...(window.until ? { endTime: new Date(window.until) } : {}),
      lookupAttributes: [{ AttributeKey: 'ResourceName' as const, AttributeValue: value }],
    };
    const location = `cloudtrail:LookupEvents ResourceName=${value}`;
    // The regions given and the other enabled regions at once (each region has its own quota). A
    // listed region that answers nothing is named and left out (lookupListed); one that answered
    // part of its events leaves the search incomplete, as a given region does.
    const [found, other] = await Promise.all([
      lookupCloudTrailEventsInRegions(clientIn, regions, opts, undefined, location),
      lookupListed(clientIn, listed, opts, location),
    ]);
    const unsearched = other.unsearched;
    const records = [...found!.records, ...other.records];
    const names = roleSessionNames(records, roleArn);
    const whole = found!.source.status === 'ok' && other.whole;
    errors.push(...found!.errors, ...other.errors);
    const extra = other.sources;
    if (whole && names.length > 0 && names.length <= MAX_SESSIONS) {
      sources.push({ ...found!.source, detail: `${found!.source.detail ?? ''}; ${names.length} session name(s), each read by name` }, ...extra);
      return { sources, errors, names, assumedIn: assumeRegions(records, roleArn, [...regions, ...listed]), unsearched, assumed: assumedSessions(records, roleArn) };
    }
    sources.push({ ...found!.source, detail: `${found!.source.detail ?? ''}; ${names.length > MAX_SESSIONS ? `${names.length} sessions, more than ${MAX_SESSIONS}` : !whole ? 'search incomplete' : 'no session found'}: the window is read whole` }, ...extra);
    if (names.length > 0 || !whole) return { sources, errors, names: [], assumedIn: [], unsearched: [], assumed: assumedSessions(records, roleArn) };
  }
  return { sources, errors, names: [], assumedIn: [], unsearched: [], assumed: [] };
}

const EVENT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
/** Sessions kept from AssumeRole* events at most (the newest): a busy role's search is not a list to print whole. */
const MAX_ASSUMED = 50;

/**
 * The sessions the role's successful AssumeRole* calls named, each at its latest call, newest
 * first (at most MAX_ASSUMED). A record whose eventTime is not CloudTrail's UTC form is left out:
 * the field is hostile and is shown as a time.
 */
export function assumedSessions(records: readonly unknown[], roleArn: string): AssumedSession[] {
  const at = new Map<string, string>();
  for (const rec of records) {
    const time = (rec as { eventTime?: unknown } | null)?.eventTime;
    if (typeof time !== 'string' || !EVENT_TIME.test(time)) continue;
    for (const name of roleSessionNames([rec], roleArn)) if ((at.get(name) ?? '') < time) at.set(name, time);
  }
  return [...at].map(([name, t]) => ({ name, at: t })).sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.name.localeCompare(b.name))).slice(0, MAX_ASSUMED);
}

/**
 * The regions in which the role's successful AssumeRole* calls were logged (their awsRegion),
 * only those among the regions searched: the field is the record's, hostile like the rest, and
 * goes into a request's region.
 */
export function assumeRegions(records: readonly unknown[], roleArn: string, searched: readonly string[]): string[] {
  const allowed = new Set(searched);
  const out = new Set<string>();
  for (const rec of records) {
    const region = (rec as { awsRegion?: unknown } | null)?.awsRegion;
    if (typeof region === 'string' && allowed.has(region) && roleSessionNames([rec], roleArn).length > 0) out.add(region);
  }
  return [...out];
}

/**
 * The session names a role's successful AssumeRole* calls gave, newest first (LookupEvents order):
 * from the assumed-role ARN STS returned, which holds the name whichever way it was set (the
 * caller's RoleSessionName, a SAML assertion, a web identity). A name that is not a session name's
 * shape is left out (it is put in a LookupEvents call).
 */
export function roleSessionNames(records: readonly unknown[], roleArn: string): string[] {
  const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  const names = new Set<string>();
  for (const rec of records) {
    const r = rec as { eventName?: unknown; errorCode?: unknown; responseElements?: { assumedRoleUser?: { arn?: unknown } } | null } | null;
    const arn = r?.responseElements?.assumedRoleUser?.arn;
    if (typeof r?.eventName !== 'string' || !ASSUME_ROLE_EVENTS.has(r.eventName) || r.errorCode !== undefined || typeof arn !== 'string') continue;
    const m = /^arn:[^:]+:sts::\d{12}:assumed-role\/([^/]+)\/([^/]+)$/.exec(arn);
    if (m && m[1] === roleName && SESSION_NAME.test(m[2]!)) names.add(m[2]!);
  }
  return [...names];
}
const FEDERATED_NAME = /^[\w+=,.@-]{2,32}$/;

/** Names of the federated users a user's successful GetFederationToken calls minted. */
function federatedNames(records: readonly unknown[]): string[] {
  const names = new Set<string>();
  for (const rec of records) {
    const r = rec as { eventName?: unknown; errorCode?: unknown; requestParameters?: { name?: unknown } } | null;
    const name = r?.requestParameters?.name;
    if (r?.eventName === 'GetFederationToken' && !r.errorCode && typeof name === 'string' && FEDERATED_NAME.test(name)) names.add(name);
  }
  return [...names].sort();
}

/**
 * The trail read in place from S3 (ListObjectsV2 and GetObject through the read-only factory's
 * client): only the principal's account folders and the day folders of the window are listed.
 */
export async function readActivityS3(s3: S3Client, loc: S3Location, builder: TimelineBuilder, window: { readonly since: string; readonly until: string }, account: string | undefined): Promise<ActivityRead> {
  const { walkS3LogFiles } = await import('../collect/cloudtrail/sources/s3.js');
  const { daysToList } = await import('../collect/cloudtrail/sources/s3-layout.js');
  const errors: ScanError[] = [];
  let files = 0, bad = 0;
  const walk = await walkS3LogFiles(s3, loc, account ? { accounts: [account] } : {}, daysToList(window.since, window.until), (_key, loaded) => {
    files++;
    const problem = 'error' in loaded ? `${loaded.file}: ${loaded.error}` : feedLogText(loaded.bytes.toString('utf8'), loaded.file, builder);
    if (problem) {
      bad++;
      errors.push({ source: 'cloudtrail-s3', code: 'error' in loaded ? loaded.code : 'invalid-input', message: problem, location: loaded.file });
    }
  });
  errors.unshift(...walk.errors);
  const status: SourceInfo['status'] = files === bad && (files > 0 || walk.errors.length > 0) ? 'unavailable' : bad > 0 || walk.errors.length > 0 ? 'partial' : 'ok';
  return { sources: [{ kind: 'cloudtrail-s3', location: loc.url, status, counts: { files, unreadable: bad, listCalls: walk.list, getCalls: walk.get, prefixes: walk.prefixes } }], errors };
}
