// Live AWS collection, read-only by construction. See collect.ts for the flow.
export { collectAws, type AwsCollection, type CollectAwsOptions, type LastAccessedRequest } from './collect.js';
export { collectAccounts, assumeRoleCredentials, type AccountCollection, type AccountTarget, type CollectAccountsOptions } from './accounts.js';
export { createAwsClients, applyReadOnlyGuard, type AwsClients, type AwsConnectionOptions, type AwsCredentials } from './client-factory.js';
export { READ_ONLY_OPERATIONS, ReadOnlyViolationError, isAllowedOperation, type AllowedOperation } from './allowlist.js';
export { EssentialAccessError, AwsCollectError, SCANNER_POLICY } from './errors.js';
export { decodeAuthorizationDetails, type AuthorizationDetails } from '../iam/authorization-details-live.js';
export type { CloudTrailLookupOptions } from '../cloudtrail/sources/lookup-events.js';
export type { LastAccessedOptions } from '../iam/last-accessed-live.js';
export type { ScpPolicy, ScpTarget } from '../iam/scps.js';
export { ttyProgress, describeProgress, type ProgressEvent, type ProgressListener } from './progress.js';
export { TokenBucket, systemClock, type Clock } from './token-bucket.js';
export { discoverOrganization, OU_ID, type OrgAccount, type OrgDiscovery, type OrgFilter } from './organization.js';
