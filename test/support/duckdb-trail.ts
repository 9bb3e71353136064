// DuckDB (official Node package) standing in for Athena in tests: a schema and a view named like
// Athena's CloudTrail table over the delivery files, with the columns and types Athena's table
// declares (docs/athena-cloudtrail-table.sql), so the one usage SQL runs unchanged but for its dialect.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** Record columns as Athena's CloudTrail table declares them (subset leash reads, plus a few). */
export const RECORD_STRUCT = `STRUCT(
  eventVersion VARCHAR,
  userIdentity STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, invokedBy VARCHAR, accessKeyId VARCHAR, userName VARCHAR,
    sessionContext STRUCT(attributes STRUCT(mfaAuthenticated VARCHAR, creationDate VARCHAR),
      sessionIssuer STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, userName VARCHAR),
      sourceIdentity VARCHAR)),
  eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, awsRegion VARCHAR, sourceIPAddress VARCHAR, userAgent VARCHAR,
  errorCode VARCHAR, errorMessage VARCHAR, requestParameters JSON, responseElements JSON, additionalEventData JSON,
  requestID VARCHAR, eventID VARCHAR, resources STRUCT(ARN VARCHAR, accountId VARCHAR, type VARCHAR)[],
  eventType VARCHAR, readOnly VARCHAR, recipientAccountId VARCHAR, eventCategory VARCHAR, managementEvent BOOLEAN)`;

export interface TrailDb {
  readonly connection: DuckDBConnection;
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): void;
}

/** A DuckDB database with `<database>.<table>` over the given CloudTrail delivery files. */
export async function openTrailDb(files: readonly string[], database: string, table: string): Promise<TrailDb> {
  // One thread: DuckDB's JSON reader over several files in parallel has dropped rows before
  // (duckdb/duckdb#7103, #8106), and a run of the whole suite on 2 cores once saw this stand-in
  // return no rows for a principal whose files held 4 (session 41); one thread reads every file
  // in order, and the stand-in is not what is measured.
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  const list = files.map((f) => `'${f.replace(/'/g, "''")}'`).join(', ');
  await connection.run(`CREATE SCHEMA "${database}"`);
  await connection.run(
    `CREATE VIEW "${database}"."${table}" AS
     SELECT r.*, strftime(CAST(substr(r.eventTime, 1, 10) AS DATE), '%Y/%m/%d') AS "timestamp"
     FROM (SELECT unnest(Records) AS r FROM read_json([${list}], columns = {Records: '${RECORD_STRUCT.replace(/\s+/g, ' ')}[]'}, format = 'unstructured'))`,
  );
  return {
    connection,
    async query(sql) {
      const reader = await connection.runAndReadAll(sql);
      return reader.getRowObjectsJson() as Record<string, unknown>[];
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
