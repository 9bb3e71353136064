// A CloudTrail set that cannot be about this scan: every record is from other accounts, or every
// record falls outside the usage window. Both used to pass silently ("0 unmapped"), and the first
// was worse than silent: the other account's records filled every day of the window, so coverage
// read "complete" and every permission of this account looked unused. Organisation trails (many
// accounts in one delivery tree) are fine as long as this account is among them.
import type { ScanError, SourceInfo } from '../../model/errors.js';
import type { UsageData } from '../../model/usage.js';

const ARN_ACCOUNT = /^arn:[^:]*:(?:iam|sts)::(\d{12}):/;

export interface TrailMismatch {
  readonly errors: readonly ScanError[];
  /** Usage to use instead: nothing of it is evidence about this account's principals. */
  readonly usage: UsageData;
}

/** Accounts the usage's principals belong to, with how many principals each. */
export function usageAccounts(usage: UsageData): Map<string, number> {
  const out = new Map<string, number>();
  for (const arn of Object.keys(usage.byPrincipal)) {
    const account = ARN_ACCOUNT.exec(arn)?.[1];
    if (account !== undefined) out.set(account, (out.get(account) ?? 0) + 1);
  }
  return out;
}

export function checkTrailMatches(usage: UsageData, sources: readonly SourceInfo[], accountId: string | undefined): TrailMismatch {
  const errors: ScanError[] = [];
  let result = usage;
  const files = sources.filter((s) => s.kind === 'cloudtrail-file' && s.counts !== undefined);
  const where = files.map((s) => s.location).join(', ') || 'CloudTrail';
  const records = files.reduce((n, s) => n + (s.counts?.records ?? 0), 0);
  const outside = files.reduce((n, s) => n + (s.counts?.outsideWindow ?? 0), 0);
  if (records > 0 && outside >= records) {
    errors.push({
      source: 'cloudtrail-file',
      code: 'invalid-input',
      location: where,
      message: `${where}: all ${records} CloudTrail records are outside the usage window ${usage.window.start} → ${usage.window.end}; pass --until with the logs' last day (or set baseline.windowEnd / windowDays in leash.config.yaml)`,
    });
  }
  const accounts = usageAccounts(usage);
  if (accountId !== undefined && /^\d{12}$/.test(accountId) && accounts.size > 0 && !accounts.has(accountId)) {
    const others = [...accounts.keys()].sort();
    errors.push({
      source: 'cloudtrail-file',
      code: 'invalid-input',
      location: where,
      message: `${where}: the CloudTrail records are from account ${others.slice(0, 3).join(', ')}${others.length > 3 ? ` and ${others.length - 3} more` : ''}, not ${accountId} (the account scanned); point --cloudtrail at AWSLogs/${accountId}/ (or an organisation trail that includes it)`,
    });
    // None of it says anything about this account: nothing may be called unused on its strength.
    result = { ...usage, coveredPrincipals: [] };
  }
  return { errors, usage: result };
}
