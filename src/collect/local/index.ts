// Public surface of the local AI-tool config source.
import type { SourceInfo } from '../../model/errors.js';
import type { LocalScanResult } from './types.js';

export { scanLocalConfigs, type LocalScanOptions } from './scan.js';
export { linkLocalToSnapshot, matchesSso, type LinkablePrincipal } from './link.js';
export { redact, redactDeep, redactAccessKeyId } from './redact.js';
export type * from './types.js';

/** One SourceInfo line for Snapshot.sources / the report's coverage. */
export function localSourceInfo(result: LocalScanResult): SourceInfo {
  return {
    kind: 'local-ai-config',
    location: result.home,
    status: result.errors.length === 0 ? 'ok' : 'partial',
    ...(result.errors.length ? { detail: `${result.errors.length} file problem(s); see errors` } : {}),
    counts: { filesRead: result.filesRead.length, awsTools: result.tools.length, issues: result.issues.length, nonAwsServers: result.nonAwsServers },
  };
}
