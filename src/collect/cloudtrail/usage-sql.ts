// The usage aggregate as ONE SQL definition, pushed down to Amazon Athena (Trino) over the trail
// table, and run by the tests on DuckDB over the same files. It groups by the fields attribution
// needs (identity type, ARNs, source identity), the account the record was delivered to (so an
// organization trail splits per account as its S3 folders do) and the event source/name pair;
// user agents are kept as a histogram, so its size grows with principals × sessions × actions, never
// with events. Everything leash decides itself (which principal a record belongs to, which IAM
// action an event is) stays in TypeScript (usage-rows.ts), applied to these few rows with the
// very functions the local reader uses.
//
// The expected table is Athena's CloudTrail table (docs/athena-cloudtrail-table.sql; column names
// lower-case, userIdentity.sessionContext.sourceIdentity included). Only names that passed
// parseAthenaSpec reach the SQL, and they are double-quoted; the window bounds are checked ISO
// timestamps; nothing else from outside is spliced in.
import { DEFAULT_LIMITS } from './aggregate.js';

export type SqlDialectName = 'athena' | 'duckdb';

export interface Dialect {
  readonly transform: string;
  readonly slice: string;
  readonly jsonText: string;
  readonly regexpLike: string;
}

// The two engines share almost every function name; these four differ.
const DIALECTS: Record<SqlDialectName, Dialect> = {
  athena: { transform: 'transform', slice: 'slice', jsonText: 'json_extract_scalar', regexpLike: 'regexp_like' },
  duckdb: { transform: 'list_transform', slice: 'list_slice', jsonText: 'json_extract_string', regexpLike: 'regexp_matches' },
};

/** Column names of the aggregate rows, in SELECT order (usage-rows.ts reads them by name). */
export const USAGE_COLUMNS = [
  'id_type',
  'id_arn',
  'id_account',
  'issuer_arn',
  'source_identity',
  'event_type',
  'recipient_account',
  'event_source',
  'event_name',
  'calls',
  'denied',
  'first_seen',
  'last_seen',
  'data_events',
  'user_agents',
  'source_ips',
  'resources',
  'days',
] as const;

export type PartitionFilter =
  /** Partition projection on a 'yyyy/MM/dd' string column (AWS's documented CloudTrail projection). */
  | { readonly kind: 'date-string'; readonly column: string }
  | { readonly kind: 'none' };

export interface UsageSqlOptions {
  readonly dialect: SqlDialectName;
  /** Quoted table reference parts. */
  readonly database: string;
  readonly table: string;
  /** ISO bounds of the window (inclusive), as the local reader applies them. */
  readonly windowStart?: string;
  readonly windowEnd?: string;
  readonly partition?: PartitionFilter;
  /** Per-row list bounds; the reader keeps fewer (the aggregator's limits), one more marks truncation. */
  readonly resourcesPerRow?: number;
  readonly sourceIpsPerRow?: number;
}

const SAFE_NAME = /^[A-Za-z0-9_]{1,255}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const quoteName = (n: string): string => {
  if (!SAFE_NAME.test(n)) throw new Error(`not a safe SQL name: ${JSON.stringify(n)}`);
  return `"${n}"`;
};
const isoLiteral = (t: string): string => {
  if (!ISO.test(t)) throw new Error(`not an ISO timestamp: ${JSON.stringify(t)}`);
  return `'${t}'`;
};

/** The partition pruning of a window, or undefined (no partition column, or an open window). */
export function partitionCondition(p: PartitionFilter | undefined, windowStart: string | undefined, windowEnd: string | undefined): string | undefined {
  if (p?.kind !== 'date-string' || !windowStart || !windowEnd) return undefined;
  // One day either side, as the S3 reader lists: partitions are delivery days, not event days.
  const from = new Date(Date.parse(isoLiteral(windowStart).slice(1, -1)) - 86_400_000).toISOString();
  const to = new Date(Date.parse(isoLiteral(windowEnd).slice(1, -1)) + 86_400_000).toISOString();
  return `${quoteName(p.column)} BETWEEN '${from.slice(0, 4)}/${from.slice(5, 7)}/${from.slice(8, 10)}' AND '${to.slice(0, 4)}/${to.slice(5, 7)}/${to.slice(8, 10)}'`;
}

/** The one way a table or column name reaches the SQL: checked, then double-quoted. */
export { quoteName as sqlName, isoLiteral as sqlTime };

/** The dialect's names of the functions the engines spell differently. */
export const sqlFunctions = (d: SqlDialectName): Dialect => DIALECTS[d];

/** errorCode values that mean IAM refused the call (record.ts DENIED). */
export const DENIED_ERROR_CODES = [
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'Client.UnauthorizedOperation',
  'UnauthorizedAccess',
  'Client.UnauthorizedAccess',
  'AuthorizationError',
  'AuthorizationErrorException',
] as const;

/** The one aggregate query. */
export function usageSql(o: UsageSqlOptions): string {
  const d = DIALECTS[o.dialect];
  const j = (col: string, path: string) => `${d.jsonText}(${col}, '${path}')`;
  const resourcesPerRow = o.resourcesPerRow ?? DEFAULT_LIMITS.resourcesPerAction + 1;
  const ipsPerRow = o.sourceIpsPerRow ?? DEFAULT_LIMITS.sourceIpsPerPrincipal + 1;
  const partitionOf = `CASE WHEN awsregion LIKE 'cn-%' THEN 'aws-cn' WHEN awsregion LIKE 'us-gov-%' THEN 'aws-us-gov' ELSE 'aws' END`;
  const bucket = j('requestparameters', '$.bucketName');
  const key = j('requestparameters', '$.key');
  const fn = j('requestparameters', '$.functionName');
  const created = ['role', 'user', 'group', 'instanceProfile', 'policy'].map((k) => `CASE WHEN eventsource = 'iam.amazonaws.com' THEN ${j('responseelements', `$.${k}.arn`)} END`);
  // record.ts resourcesOf, term by term.
  const resourceArns = `concat(
      filter(COALESCE(${d.transform}(resources, r -> r.arn), ARRAY[]), x -> x LIKE 'arn:%'),
      filter(ARRAY[
        CASE WHEN eventsource = 's3.amazonaws.com' AND ${bucket} <> '' THEN 'arn:' || ${partitionOf} || ':s3:::' || ${bucket} || CASE WHEN ${key} <> '' THEN '/' || ${key} ELSE '' END END,
        CASE WHEN eventsource = 'iam.amazonaws.com' AND ${j('requestparameters', '$.policyArn')} LIKE 'arn:%' THEN ${j('requestparameters', '$.policyArn')} END,
        ${created.join(',\n        ')},
        CASE WHEN eventsource = 'lambda.amazonaws.com' AND ${fn} <> '' THEN
          CASE WHEN ${fn} LIKE 'arn:%' THEN ${fn}
               WHEN strpos(${fn}, ':') = 0 AND recipientaccountid <> '' AND awsregion <> '' THEN 'arn:' || ${partitionOf} || ':lambda:' || awsregion || ':' || recipientaccountid || ':function:' || ${fn}
          END END,
        CASE WHEN eventsource = 'sts.amazonaws.com' AND ${j('requestparameters', '$.roleArn')} LIKE 'arn:%' THEN ${j('requestparameters', '$.roleArn')} END
      ], x -> x IS NOT NULL))`;
  // record.ts eventTimeOf: milliseconds dropped so every time compares as one string format.
  const time = `CASE WHEN length(eventtime) = 20 THEN eventtime ELSE substr(eventtime, 1, 19) || 'Z' END`;
  const where = [
    'eventsource IS NOT NULL',
    'eventname IS NOT NULL',
    'useridentity IS NOT NULL',
    `${d.regexpLike}(eventtime, '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$')`,
  ];
  const outer: string[] = [];
  if (o.windowStart) outer.push(`t >= ${isoLiteral(o.windowStart)}`);
  if (o.windowEnd) outer.push(`t <= ${isoLiteral(o.windowEnd)}`);
  const pruned = partitionCondition(o.partition, o.windowStart, o.windowEnd);
  if (pruned) where.push(pruned);
  const denied = `errorcode IN (${DENIED_ERROR_CODES.map((c) => `'${c}'`).join(', ')})`;
  return `WITH ev AS (
  SELECT
    useridentity.type AS id_type,
    useridentity.arn AS id_arn,
    useridentity.accountid AS id_account,
    useridentity.sessioncontext.sessionissuer.arn AS issuer_arn,
    NULLIF(useridentity.sessioncontext.sourceidentity, '') AS source_identity,
    eventtype AS event_type,
    recipientaccountid AS recipient_account,
    eventsource AS event_source,
    eventname AS event_name,
    ${time} AS t,
    NULLIF(useragent, '') AS user_agent,
    NULLIF(sourceipaddress, '') AS source_ip,
    COALESCE(${denied}, false) AS is_denied,
    COALESCE(eventcategory = 'Data' OR (eventcategory IS NULL AND managementevent = false AND eventtype = 'AwsApiCall'), false) AS is_data,
    ${resourceArns} AS res
  FROM ${quoteName(o.database)}.${quoteName(o.table)}
  WHERE ${where.join('\n    AND ')}
)
SELECT
  id_type, id_arn, id_account, issuer_arn, source_identity, event_type, recipient_account, event_source, event_name,
  count(*) FILTER (WHERE NOT is_denied) AS calls,
  count(*) FILTER (WHERE is_denied) AS denied,
  min(t) AS first_seen,
  max(t) AS last_seen,
  count(*) FILTER (WHERE is_data) AS data_events,
  CAST(histogram(user_agent) AS JSON) AS user_agents,
  CAST(${d.slice}(array_sort(array_distinct(array_agg(source_ip) FILTER (WHERE source_ip IS NOT NULL))), 1, ${ipsPerRow}) AS JSON) AS source_ips,
  CAST(${d.slice}(array_sort(array_distinct(flatten(array_agg(res) FILTER (WHERE NOT is_denied)))), 1, ${resourcesPerRow}) AS JSON) AS resources,
  CAST(array_sort(array_distinct(array_agg(substr(t, 1, 10)))) AS JSON) AS days
FROM ev${outer.length > 0 ? `\nWHERE ${outer.join(' AND ')}` : ''}
GROUP BY id_type, id_arn, id_account, issuer_arn, source_identity, event_type, recipient_account, event_source, event_name
ORDER BY first_seen, id_arn, event_source, event_name`;
}
