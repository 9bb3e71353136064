// Rows (the usage aggregate's unless other columns are named) as Athena's GetQueryResults returns them, for moto's preset results
// (/moto-api/static/athena/query-results): a header row, then VarCharValue strings; NULL has no value.
import { USAGE_COLUMNS } from '../../src/collect/cloudtrail/usage-sql.js';
import type { Moto } from './moto.js';

export function athenaResultSet(rows: readonly Record<string, unknown>[], columns: readonly string[] = USAGE_COLUMNS): { rows: unknown[]; column_info: unknown[] } {
  const cell = (v: unknown) => (v === null || v === undefined ? {} : { VarCharValue: typeof v === 'string' ? v : JSON.stringify(v) });
  return {
    column_info: columns.map((name) => ({ Name: name, Label: name, Type: 'varchar', CatalogName: 'hive', SchemaName: '', TableName: '', Nullable: 'UNKNOWN', CaseSensitive: true, Precision: 0, Scale: 0 })),
    rows: [{ Data: columns.map((c) => ({ VarCharValue: c })) }, ...rows.map((r) => ({ Data: columns.map((c) => cell(r[c])) }))],
  };
}

/** Queue these rows as the result of the next Athena query moto runs. */
export async function presetAthenaRows(moto: Moto, rows: readonly Record<string, unknown>[], columns: readonly string[] = USAGE_COLUMNS): Promise<void> {
  const r = await fetch(`${moto.endpoint}/moto-api/static/athena/query-results`, { method: 'POST', body: JSON.stringify({ results: [athenaResultSet(rows, columns)] }) });
  if (r.status !== 201) throw new Error(`moto refused the preset Athena results: ${r.status}`);
}
