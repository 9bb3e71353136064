// Where CloudTrail puts its files in S3, and which folders a window needs. Pure: no I/O.
//
//   <prefix>/AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<file>.json.gz      account trail
//   <prefix>/AWSLogs/<org-id>/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/…          organization trail
//
// Digest and Insight files sit beside CloudTrail/ (CloudTrail-Digest/, CloudTrail-Insight/) and
// are never listed.

export const ACCOUNT_FOLDER = /^\d{12}$/;
export const ORG_FOLDER = /^o-[a-z0-9]{10,32}$/;
// Region folders: lower-case letters, digits and hyphens (us-east-1, us-gov-west-1, us-isob-east-1).
export const REGION_FOLDER = /^[a-z]{2}[a-z0-9-]{2,40}$/;

const DAY_MS = 86_400_000;

/**
 * The UTC days whose folders can hold records of [start, end]: one day more on each side, since
 * a file delivered just after midnight may carry the last minutes of the day before (records
 * outside the window are dropped while reading anyway).
 */
export function daysToList(start: string, end: string, maxDays = 3_700): string[] {
  const s = Date.parse(`${start.slice(0, 10)}T00:00:00Z`) - DAY_MS;
  const e = Date.parse(`${end.slice(0, 10)}T00:00:00Z`) + DAY_MS;
  if (Number.isNaN(s) || Number.isNaN(e) || e < s) return [];
  const out: string[] = [];
  for (let t = s; t <= e && out.length < maxDays; t += DAY_MS) {
    const d = new Date(t).toISOString();
    out.push(`${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}/`);
  }
  return out;
}

/** The last folder name of a CommonPrefixes entry (`a/b/c/` → `c`). */
export function folderName(commonPrefix: string): string {
  const trimmed = commonPrefix.endsWith('/') ? commonPrefix.slice(0, -1) : commonPrefix;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** What the user's prefix already names, so the walk starts at the right level. */
export type PrefixLevel =
  | { readonly level: 'above-awslogs'; readonly prefix: string }
  | { readonly level: 'awslogs'; readonly prefix: string }
  | { readonly level: 'org'; readonly prefix: string }
  | { readonly level: 'account'; readonly prefix: string; readonly account: string }
  | { readonly level: 'region'; readonly prefix: string; readonly account: string; readonly region: string }
  /** Deeper than a region (a day folder, say): everything under it is read, no pruning. */
  | { readonly level: 'exact'; readonly prefix: string };

/**
 * Classifies a prefix (ending in "/" or empty) by its trailing CloudTrail folders. Without an
 * AWSLogs folder in it, it is the trail's own key prefix, and CloudTrail writes under <prefix>AWSLogs/.
 */
export function prefixLevel(prefix: string): PrefixLevel {
  const parts = prefix.split('/').filter(Boolean);
  const i = parts.lastIndexOf('AWSLogs');
  if (i < 0) return { level: 'above-awslogs', prefix };
  const after = parts.slice(i + 1);
  const org = after[0] !== undefined && ORG_FOLDER.test(after[0]) ? 1 : 0;
  const acct = after[org];
  if (after.length === 0) return { level: 'awslogs', prefix };
  if (org === 1 && after.length === 1) return { level: 'org', prefix };
  if (acct !== undefined && ACCOUNT_FOLDER.test(acct)) {
    const rest = after.slice(org + 1);
    const accountPrefix = `${parts.slice(0, i + 1 + org + 1).join('/')}/`;
    if (rest.length === 0) return { level: 'account', prefix: accountPrefix, account: acct };
    if (rest[0] === 'CloudTrail' && rest.length === 1) return { level: 'account', prefix: accountPrefix, account: acct };
    if (rest[0] === 'CloudTrail' && rest[1] !== undefined && REGION_FOLDER.test(rest[1]) && rest.length === 2) {
      return { level: 'region', prefix: `${accountPrefix}CloudTrail/${rest[1]}/`, account: acct, region: rest[1] };
    }
  }
  return { level: 'exact', prefix };
}
