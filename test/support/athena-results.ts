// Aggregate rows as Athena's GetQueryResults returns them, for moto's preset results
// (/moto-api/static/athena/query-results): a header row, then VarCharValue strings; NULL has no value.
import { USAGE_COLUMNS } from '../../src/collect/cloudtrail/usage-sql.js';
import type { Moto } from './moto.js';

export function athenaResultSet(rows: readonly Record<string, unknown>[]): { rows: unknown[]; column_info: unknown[] } {
  const cell = (v: unknown) => (v === null || v === undefined ? {} : { VarCharValue: typeof v === 'string' ? v : JSON.stringify(v) });
  return {
    column_info: USAGE_COLUMNS.map((name) => ({ Name: name, Label: name, Type: 'varchar', CatalogName: 'hive', SchemaName: '', TableName: '', Nullable: 'UNKNOWN', CaseSensitive: true, Precision: 0, Scale: 0 })),
    rows: [{ Data: USAGE_COLUMNS.map((c) => ({ VarCharValue: c })) }, ...rows.map((r) => ({ Data: USAGE_COLUMNS.map((c) => cell(r[c])) }))],
  };
}

/** Queue these rows as the result of the next Athena query moto runs. */
export async function presetAthenaRows(moto: Moto, rows: readonly Record<string, unknown>[]): Promise<void> {
  const r = await fetch(`${moto.endpoint}/moto-api/static/athena/query-results`, { method: 'POST', body: JSON.stringify({ results: [athenaResultSet(rows)] }) });
  if (r.status !== 201) throw new Error(`moto refused the preset Athena results: ${r.status}`);
}
