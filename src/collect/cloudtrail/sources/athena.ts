// CloudTrail through Amazon Athena: ONE aggregate query over the trail table (usage-sql.ts), then
// only its rows are read back, so cost grows with principals × sessions × actions, not events.
// Start, poll with back-off, page the results; a timeout or an abort cancels the query. Every
// failure is a value (a ScanError and an unavailable source), never a half-read usage.
import { GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, StopQueryExecutionCommand, type AthenaClient } from '@aws-sdk/client-athena';
import type { ScanError, SourceInfo } from '../../../model/errors.js';
import { errorCode, errorMessage } from '../../aws/errors.js';
import { ReadOnlyViolationError } from '../../aws/allowlist.js';
import { UsageAggregator } from '../aggregate.js';
import { filterBounds, reportedWindow } from '../coverage.js';
import type { CloudTrailReader, CloudTrailReadOptions, CloudTrailUsageResult } from '../reader.js';
import { usageSql, type PartitionFilter } from '../usage-sql.js';
import { RowError, rowsToUsage, type UsageRow } from '../usage-rows.js';

export interface AthenaTable {
  readonly workgroup: string;
  readonly database: string;
  readonly table: string;
}

export interface AthenaReadOptions extends CloudTrailReadOptions {
  /** First poll delay; doubles up to maxPollMs. Default 500 ms. */
  readonly pollMs?: number;
  readonly maxPollMs?: number;
  /** Give up (and cancel the query) after this long. Default 15 minutes. */
  readonly timeoutMs?: number;
  readonly partition?: PartitionFilter;
  /** Result page size (≤ 1000). */
  readonly pageSize?: number;
  /** Refuse more aggregate rows than this (a runaway table). Default 2,000,000. */
  readonly maxRows?: number;
  /** Sleep used between polls (tests pass one that does not wait). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface AthenaReadResult extends CloudTrailUsageResult {
  /** The aggregate rows as read (an organization scan splits them per account). */
  readonly rows: readonly UsageRow[];
  readonly queryExecutionId?: string;
  readonly sql: string;
  readonly stats: { readonly polls: number; readonly pages: number; readonly rows: number; readonly scannedBytes?: number; readonly cancelled: boolean };
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });

class AthenaQueryError extends Error {
  constructor(
    message: string,
    readonly code: ScanError['code'],
  ) {
    super(message);
  }
}

export function athenaLocation(t: AthenaTable): string {
  return `athena://${t.workgroup}/${t.database}.${t.table}`;
}

/** Options of one query's run: polling, the timeout, paging and the row bound. */
export type AthenaRunOptions = Pick<AthenaReadOptions, 'pollMs' | 'maxPollMs' | 'timeoutMs' | 'pageSize' | 'maxRows' | 'sleep' | 'signal' | 'now'> & {
  /** Rows read so far, after each page. */
  readonly onRows?: (rows: number) => void;
  /** What the rows are, for the bound's message ("aggregate rows", "events"). */
  readonly rowNoun?: string;
};

/** What a run got to, filled as it goes (so a failure can still say how far it came). */
export interface AthenaRunState {
  id?: string;
  polls: number;
  pages: number;
  scannedBytes?: number;
  cancelled: boolean;
  readonly rows: Record<string, unknown>[];
}

export const newRunState = (): AthenaRunState => ({ polls: 0, pages: 0, cancelled: false, rows: [] });

/**
 * One query: start it, poll with back-off until it ends, page its results into `state.rows`
 * (VarCharValue strings by column name; NULL is null). Throws AthenaQueryError when the query
 * fails, times out or is aborted, having cancelled it in the last two cases.
 */
export async function runAthenaQuery(athena: AthenaClient, t: AthenaTable, sql: string, opts: AthenaRunOptions, state: AthenaRunState): Promise<void> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? defaultSleep;
  const send = { ...(opts.signal ? { abortSignal: opts.signal } : {}) };
  const cancel = async (): Promise<void> => {
    if (!state.id) return;
    try {
      // Not with the caller's signal: an aborted scan must still stop its query.
      await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: state.id }));
      state.cancelled = true;
    } catch (e) {
      if (e instanceof ReadOnlyViolationError) throw e;
    }
  };
  try {
    const started = now();
    const start = await athena.send(new StartQueryExecutionCommand({ QueryString: sql, WorkGroup: t.workgroup, QueryExecutionContext: { Database: t.database } }), send);
    const id = start.QueryExecutionId;
    if (id) state.id = id;
    if (!id) throw new AthenaQueryError('StartQueryExecution returned no QueryExecutionId', 'internal');
    let delay = opts.pollMs ?? 500;
    for (;;) {
      state.polls++;
      const ex = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }), send);
      const status = ex.QueryExecution?.Status?.State;
      const scanned = ex.QueryExecution?.Statistics?.DataScannedInBytes;
      if (scanned !== undefined) state.scannedBytes = scanned;
      if (status === 'SUCCEEDED') break;
      if (status === 'FAILED' || status === 'CANCELLED') {
        const reason = ex.QueryExecution?.Status?.StateChangeReason ?? ex.QueryExecution?.Status?.AthenaError?.ErrorMessage ?? 'no reason given';
        const access = /AccessDenied|not authorized|Insufficient permissions/i.test(reason);
        throw new AthenaQueryError(`query ${id} ${status}: ${reason.slice(0, 500)}`, access ? 'access-denied' : 'invalid-input');
      }
      if (opts.signal?.aborted) throw new AthenaQueryError(`query ${id} aborted by the caller`, 'internal');
      if (now() - started + delay > (opts.timeoutMs ?? 15 * 60_000)) {
        throw new AthenaQueryError(`query ${id} still ${status ?? 'in an unknown state'} after ${Math.round((now() - started) / 1000)} s (timeout ${Math.round((opts.timeoutMs ?? 900_000) / 1000)} s); cancelled`, 'network');
      }
      await sleep(delay, opts.signal);
      delay = Math.min(delay * 2, opts.maxPollMs ?? 5_000);
    }

    let token: string | undefined;
    let columns: string[] | undefined;
    do {
      state.pages++;
      const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, ...(opts.pageSize ? { MaxResults: opts.pageSize } : {}), ...(token ? { NextToken: token } : {}) }), send);
      columns ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? '');
      let list = page.ResultSet?.Rows ?? [];
      // A SELECT's first result row is its header (the column names).
      if (state.pages === 1 && list[0]?.Data?.every((d, i) => d.VarCharValue === columns![i])) list = list.slice(1);
      for (const r of list) {
        const row: Record<string, unknown> = {};
        (r.Data ?? []).forEach((d, i) => {
          row[columns![i] ?? `col${i}`] = d.VarCharValue ?? null;
        });
        state.rows.push(row);
      }
      const max = opts.maxRows ?? 2_000_000;
      if (state.rows.length > max) throw new AthenaQueryError(`query ${id} returned more than ${max} ${opts.rowNoun ?? 'aggregate rows'}; narrow the window`, 'invalid-input');
      opts.onRows?.(state.rows.length);
      token = page.NextToken;
    } while (token);
  } catch (e) {
    if (e instanceof ReadOnlyViolationError) throw e;
    const timedOutOrAborted = e instanceof AthenaQueryError && /cancelled$|aborted/.test(e.message);
    if (timedOutOrAborted || opts.signal?.aborted) await cancel();
    throw e;
  }
}

/** A failure of a query's run as an error value naming the table (and the query, for bad rows). */
export function athenaScanError(e: unknown, location: string, id: string | undefined): ScanError {
  return e instanceof AthenaQueryError
    ? { source: 'cloudtrail-athena', code: e.code, message: `${location}: ${e.message}`, location }
    : e instanceof RowError
      ? { source: 'cloudtrail-athena', code: 'invalid-input', message: `${location}: query ${id}: ${e.message}`, location, path: `row ${e.row}.${e.column}` }
      : { source: 'cloudtrail-athena', code: errorCode(e), message: `${location}: ${errorMessage(e)}`, location };
}

export async function readCloudTrailFromAthena(athena: AthenaClient, t: AthenaTable, opts: AthenaReadOptions = {}): Promise<AthenaReadResult> {
  const now = opts.now ?? Date.now;
  const bounds = filterBounds(opts, now());
  const sql = usageSql({
    dialect: 'athena',
    database: t.database,
    table: t.table,
    ...(bounds.start ? { windowStart: bounds.start } : {}),
    ...(bounds.end ? { windowEnd: bounds.end } : {}),
    ...(opts.partition ? { partition: opts.partition } : {}),
  });
  const location = athenaLocation(t);
  const state = newRunState();
  const stats = () => ({ polls: state.polls, pages: state.pages, rows: state.rows.length, ...(state.scannedBytes !== undefined ? { scannedBytes: state.scannedBytes } : {}), cancelled: state.cancelled });
  try {
    await runAthenaQuery(athena, t, sql, { ...opts, ...(opts.onProgress ? { onRows: opts.onProgress } : {}) }, state);
    const rows = state.rows as UsageRow[];
    const folded = rowsToUsage(rows, { ...(bounds.start ? { windowStart: bounds.start } : {}), ...(bounds.end ? { windowEnd: bounds.end } : {}), ...(opts.limits ? { limits: opts.limits } : {}) });
    const source: SourceInfo = {
      kind: 'cloudtrail-athena',
      location,
      status: 'ok',
      detail: `one aggregate query (${state.id}); ${rows.length} rows for ${folded.events} events`,
      counts: { rows: rows.length, pages: state.pages, polls: state.polls, events: folded.events, ...(state.scannedBytes !== undefined ? { scannedBytes: state.scannedBytes } : {}) },
    };
    return { usage: folded.usage, sources: [source], errors: [], missingDays: folded.missingDays, rows, queryExecutionId: state.id!, sql, stats: stats() };
  } catch (e) {
    if (e instanceof ReadOnlyViolationError) throw e;
    const error = athenaScanError(e, location, state.id);
    const window = reportedWindow(bounds, undefined, undefined);
    return {
      usage: new UsageAggregator().finish(window, []),
      sources: [{ kind: 'cloudtrail-athena', location, status: 'unavailable', detail: error.message, counts: { rows: state.rows.length, pages: state.pages, polls: state.polls } }],
      errors: [error],
      missingDays: [],
      rows: [],
      ...(state.id ? { queryExecutionId: state.id } : {}),
      sql,
      stats: stats(),
    };
  }
}

export function athenaReader(athena: AthenaClient, t: AthenaTable, base: Omit<AthenaReadOptions, keyof CloudTrailReadOptions> = {}): CloudTrailReader {
  return { location: athenaLocation(t), read: (opts) => readCloudTrailFromAthena(athena, t, { ...base, ...opts }) };
}

/**
 * One account's share of an organization-wide aggregate: the rows delivered to that account (as
 * its folder of the organization trail holds them), folded as the single-account query would.
 */
export function accountShare(result: AthenaReadResult, accountId: string, opts: { windowStart?: string; windowEnd?: string; limits?: CloudTrailReadOptions['limits'] } = {}): CloudTrailUsageResult {
  const src = result.sources[0];
  if (!src || src.status === 'unavailable') return { usage: result.usage, sources: result.sources, errors: result.errors, missingDays: [] };
  const rows = result.rows.filter((r) => r['recipient_account'] === accountId);
  const folded = rowsToUsage(rows, { ...(opts.windowStart ? { windowStart: opts.windowStart } : {}), ...(opts.windowEnd ? { windowEnd: opts.windowEnd } : {}), ...(opts.limits ? { limits: opts.limits } : {}) });
  return {
    usage: folded.usage,
    sources: [{ ...src, detail: `${src.detail ?? ''}; ${rows.length} of its rows for account ${accountId}`, counts: { ...src.counts, accountRows: rows.length, accountEvents: folded.events } }],
    errors: [],
    missingDays: folded.missingDays,
  };
}
