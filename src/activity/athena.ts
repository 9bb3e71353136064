// `leash activity` through Amazon Athena: one query over the trail table for the principal's (or
// its session's) events in the window, newest first and bounded, each row made back into the
// CloudTrail record the timeline reads. For an organization trail of many terabytes this is the
// read that costs what the principal did, not what the organization did (with partition pruning).
//
// Only checked values reach the SQL: names through sqlName (quoted), times through sqlTime, and
// the principal's account, name and session through IAM's own character sets (no quote can be
// among them; one is doubled anyway).
import type { AthenaClient } from '@aws-sdk/client-athena';
import type { ScanError, SourceInfo } from '../model/errors.js';
import { athenaLocation, athenaScanError, newRunState, runAthenaQuery, type AthenaRunOptions, type AthenaTable } from '../collect/cloudtrail/sources/athena.js';
import { partitionCondition, sqlFunctions, sqlName, sqlTime, type PartitionFilter, type SqlDialectName } from '../collect/cloudtrail/usage-sql.js';
import type { ActivityRead } from './read.js';
import type { ActivityTarget, TimelineBuilder } from './timeline.js';

/** Column names of the activity rows, in SELECT order (recordOfRow reads them by name). */
export const ACTIVITY_COLUMNS = [
  'event_time', 'event_source', 'event_name', 'aws_region', 'error_code', 'event_id', 'event_type', 'user_agent', 'source_ip', 'recipient_account',
  'id_type', 'id_arn', 'id_account', 'id_user_name', 'issuer_arn', 'source_identity', 'request_parameters', 'created', 'resource_arns', 'matched',
] as const;

export const DEFAULT_ATHENA_EVENTS = 10_000;

const PRINCIPAL = /^arn:(aws[a-z-]*):iam::(\d{12}):(role|user)\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]{1,128})$/;
const SESSION = /^[\w+=,.@-]{2,64}$/;
const literal = (v: string): string => `'${v.replace(/'/g, "''")}'`;

export interface ActivitySqlOptions {
  readonly dialect: SqlDialectName;
  readonly database: string;
  readonly table: string;
  readonly target: ActivityTarget;
  readonly since: string;
  readonly until?: string;
  readonly partition?: PartitionFilter;
  /** Rows returned at most (the newest); `matched` says how many there were. */
  readonly limit: number;
}

/** Which records are the target's, as SQL: a user by account and name, a role by its sessions' ARN prefix. */
function targetCondition(t: ActivityTarget): string {
  const m = PRINCIPAL.exec(t.principalArn);
  if (!m) throw new Error(`not a role or user ARN: ${JSON.stringify(t.principalArn)}`);
  const [, partition, account, kind, name] = m as unknown as [string, string, string, string, string];
  if (t.sessionName !== undefined && !SESSION.test(t.sessionName)) throw new Error(`not a session name: ${JSON.stringify(t.sessionName)}`);
  // A user's calls are its own and those of the federated sessions it minted (GetFederationToken:
  // the user is their session issuer, as record.ts attributes them).
  const federated = `useridentity.type = 'FederatedUser' AND useridentity.sessioncontext.sessionissuer.accountid = ${literal(account)} AND useridentity.sessioncontext.sessionissuer.username = ${literal(name)}`;
  const conditions = kind === 'user'
    ? [t.sessionName !== undefined
      ? `(${federated} AND useridentity.arn = ${literal(`arn:${partition}:sts::${account}:federated-user/${t.sessionName}`)})`
      : `((useridentity.type = 'IAMUser' AND useridentity.accountid = ${literal(account)} AND useridentity.username = ${literal(name)}) OR (${federated}))`]
    : [t.sessionName !== undefined
      ? `useridentity.arn = ${literal(`arn:${partition}:sts::${account}:assumed-role/${name}/${t.sessionName}`)}`
      : `starts_with(useridentity.arn, ${literal(`arn:${partition}:sts::${account}:assumed-role/${name}/`)})`];
  if (t.sourceIdentity !== undefined) {
    if (!SESSION.test(t.sourceIdentity)) throw new Error(`not a source identity: ${JSON.stringify(t.sourceIdentity)}`);
    conditions.push(`useridentity.sessioncontext.sourceidentity = ${literal(t.sourceIdentity)}`);
  }
  return conditions.join(' AND ');
}

/** The one query: the target's events in the window, newest first, at most `limit`, each with the total. */
export function activitySql(o: ActivitySqlOptions): string {
  const fn = sqlFunctions(o.dialect);
  const j = (col: string, path: string) => `${fn.jsonText}(${col}, '${path}')`;
  // record.ts eventTimeOf: milliseconds dropped so every time compares as one string format.
  const time = `CASE WHEN length(eventtime) = 20 THEN eventtime ELSE substr(eventtime, 1, 19) || 'Z' END`;
  const where = ['eventsource IS NOT NULL', 'eventname IS NOT NULL', 'useridentity IS NOT NULL', targetCondition(o.target)];
  const pruned = partitionCondition(o.partition, o.since, o.until ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'));
  if (pruned) where.push(pruned);
  const outer = [`event_time >= ${sqlTime(o.since)}`, ...(o.until ? [`event_time < ${sqlTime(o.until)}`] : [])];
  if (!Number.isInteger(o.limit) || o.limit < 1) throw new Error(`not a row limit: ${o.limit}`);
  // What record.ts resourcesOf reads of responseElements: the ARNs of what IAM created, no more
  // (an AssumeRole's credentials stay in the table).
  const created = ['role', 'user', 'group', 'instanceProfile', 'policy'].map((k) => `${j('responseelements', `$.${k}.arn`)}`);
  return `WITH ev AS (
  SELECT
    ${time} AS event_time,
    eventsource AS event_source,
    eventname AS event_name,
    awsregion AS aws_region,
    errorcode AS error_code,
    eventid AS event_id,
    eventtype AS event_type,
    useragent AS user_agent,
    sourceipaddress AS source_ip,
    recipientaccountid AS recipient_account,
    useridentity.type AS id_type,
    useridentity.arn AS id_arn,
    useridentity.accountid AS id_account,
    useridentity.username AS id_user_name,
    useridentity.sessioncontext.sessionissuer.arn AS issuer_arn,
    useridentity.sessioncontext.sourceidentity AS source_identity,
    CAST(requestparameters AS VARCHAR) AS request_parameters,
    CAST(ARRAY[${created.join(', ')}] AS JSON) AS created,
    CAST(${fn.transform}(resources, r -> r.arn) AS JSON) AS resource_arns
  FROM ${sqlName(o.database)}.${sqlName(o.table)}
  WHERE ${where.join('\n    AND ')}
)
SELECT *, count(*) OVER () AS matched
FROM ev
WHERE ${outer.join(' AND ')}
ORDER BY event_time DESC, event_id
LIMIT ${o.limit}`;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function parseJson(v: unknown): unknown {
  if (typeof v !== 'string' || v === '') return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

/** A row made back into the CloudTrail record shape (what the timeline and record.ts read). */
export function recordOfRow(row: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const created = parseJson(row['created']);
  const responseElements: Record<string, { arn: string }> = {};
  if (Array.isArray(created)) {
    ['role', 'user', 'group', 'instanceProfile', 'policy'].forEach((k, i) => {
      const arn = created[i];
      if (typeof arn === 'string' && arn.startsWith('arn:')) responseElements[k] = { arn };
    });
  }
  const arns = parseJson(row['resource_arns']);
  const issuer = str(row['issuer_arn']);
  const sourceIdentity = str(row['source_identity']);
  return {
    eventTime: row['event_time'],
    eventSource: row['event_source'],
    eventName: row['event_name'],
    ...(str(row['aws_region']) ? { awsRegion: row['aws_region'] } : {}),
    ...(str(row['error_code']) ? { errorCode: row['error_code'] } : {}),
    ...(str(row['event_id']) ? { eventID: row['event_id'] } : {}),
    ...(str(row['event_type']) ? { eventType: row['event_type'] } : {}),
    ...(str(row['user_agent']) ? { userAgent: row['user_agent'] } : {}),
    ...(str(row['source_ip']) ? { sourceIPAddress: row['source_ip'] } : {}),
    ...(str(row['recipient_account']) ? { recipientAccountId: row['recipient_account'] } : {}),
    userIdentity: {
      type: row['id_type'],
      arn: row['id_arn'],
      ...(str(row['id_account']) ? { accountId: row['id_account'] } : {}),
      ...(str(row['id_user_name']) ? { userName: row['id_user_name'] } : {}),
      ...(issuer || sourceIdentity ? { sessionContext: { ...(issuer ? { sessionIssuer: { type: 'Role', arn: issuer } } : {}), ...(sourceIdentity ? { sourceIdentity } : {}) } } : {}),
    },
    ...(parseJson(row['request_parameters']) !== undefined ? { requestParameters: parseJson(row['request_parameters']) } : {}),
    ...(Object.keys(responseElements).length > 0 ? { responseElements } : {}),
    ...(Array.isArray(arns) ? { resources: arns.filter((a): a is string => typeof a === 'string').map((ARN) => ({ ARN })) } : {}),
  };
}

export interface ActivityAthenaOptions extends AthenaRunOptions {
  readonly partition?: PartitionFilter;
  /** Events read at most (the newest). Default 10,000. */
  readonly maxEvents?: number;
}

/** The target's events from the trail table, every one to the builder; the source says if the bound cut it. */
export async function readActivityAthena(athena: AthenaClient, t: AthenaTable, builder: TimelineBuilder, target: ActivityTarget, window: { readonly since: string; readonly until?: string }, opts: ActivityAthenaOptions = {}): Promise<ActivityRead> {
  const limit = opts.maxEvents ?? DEFAULT_ATHENA_EVENTS;
  const sql = activitySql({ dialect: 'athena', database: t.database, table: t.table, target, since: window.since, ...(window.until ? { until: window.until } : {}), ...(opts.partition ? { partition: opts.partition } : {}), limit });
  const location = athenaLocation(t);
  const state = newRunState();
  try {
    // One row more than the bound would be an engine ignoring LIMIT: refused like a runaway table.
    await runAthenaQuery(athena, t, sql, { ...opts, maxRows: limit, rowNoun: 'events' }, state);
  } catch (e) {
    const error: ScanError = athenaScanError(e, location, state.id);
    return { sources: [{ kind: 'cloudtrail-athena', location, status: 'unavailable', detail: error.message, counts: { rows: state.rows.length, pages: state.pages, polls: state.polls } }], errors: [error] };
  }
  state.rows.forEach((row, i) => builder.add(recordOfRow(row), `${location} query ${state.id} row ${i + 1}`));
  const matched = Number(state.rows[0]?.['matched'] ?? 0);
  const bounded = matched > state.rows.length;
  const source: SourceInfo = {
    kind: 'cloudtrail-athena',
    location,
    status: bounded ? 'partial' : 'ok',
    detail: bounded
      ? `query ${state.id}: the ${state.rows.length} most recent of ${matched} events in the window (--max-events); older ones were not read`
      : `query ${state.id}: ${state.rows.length} events`,
    counts: { rows: state.rows.length, matched, pages: state.pages, polls: state.polls, ...(state.scannedBytes !== undefined ? { scannedBytes: state.scannedBytes } : {}) },
  };
  return { sources: [source], errors: [] };
}
