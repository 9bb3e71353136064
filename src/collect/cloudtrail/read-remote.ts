// The remote CloudTrail readers (S3 in place, Athena) behind the one interface, with clients from
// the read-only factory made for the starting credentials: a trail bucket and its Athena table
// live in a log-archive or security account, not in each scanned account.
import type { AwsConnectionOptions } from '../aws/client-factory.js';
import type { PartitionFilter } from './usage-sql.js';
import type { CloudTrailReadOptions, CloudTrailSpec, CloudTrailUsageResult } from './reader.js';

export interface RemoteReadOptions extends CloudTrailReadOptions {
  readonly connection: AwsConnectionOptions;
  /** Only this account's folders of an S3 trail (the account being scanned), when known. */
  readonly accountId?: string;
  readonly athenaPartition?: PartitionFilter;
}

export async function readRemoteCloudTrail(specs: readonly CloudTrailSpec[], opts: RemoteReadOptions): Promise<CloudTrailUsageResult[]> {
  const remote = specs.filter((s) => s.kind !== 'files');
  if (remote.length === 0) return [];
  // Loaded only when asked for: the SDK is the slowest import leash has.
  const { createAwsClients } = await import('../aws/client-factory.js');
  const { s3Reader } = await import('./sources/s3.js');
  const { athenaReader } = await import('./sources/athena.js');
  const clients = createAwsClients(opts.connection);
  const { connection: _c, accountId, athenaPartition, ...readOpts } = opts;
  try {
    const out: CloudTrailUsageResult[] = [];
    for (const spec of remote) {
      const reader =
        spec.kind === 's3'
          ? s3Reader(clients.s3, spec, accountId !== undefined && /^\d{12}$/.test(accountId) ? { accounts: [accountId] } : {})
          : spec.kind === 'athena'
            ? athenaReader(clients.athena, spec, athenaPartition ? { partition: athenaPartition } : {})
            : undefined;
      if (reader) out.push(await reader.read(readOpts));
    }
    return out;
  } finally {
    clients.destroy();
  }
}
