// What leash tells a chat channel or a webhook: pure functions from a report (or a schedule's
// state) to an Alert, and from an Alert to a payload. Sending is in send.ts.
import { severityRank, type Severity } from '../model/finding.js';
import type { Report } from '../model/report.js';

/** Findings listed one by one in a message; the rest are counted ("…and 12 more"). */
export const MAX_LISTED_FINDINGS = 15;

export interface AlertFinding {
  readonly id: string;
  readonly severity: Severity;
  readonly checkId: string;
  readonly title: string;
  readonly principalArn: string;
  readonly principalName: string;
}

export type Alert =
  | {
      readonly kind: 'new-findings';
      readonly account: string;
      readonly accountAlias?: string;
      readonly scanId: string;
      readonly reportPath: string;
      readonly threshold: Severity;
      /** No previous scan of this account to compare with: every open finding counts as new. */
      readonly firstScan: boolean;
      readonly total: number;
      readonly findings: readonly AlertFinding[];
    }
  | {
      readonly kind: 'run-failed';
      readonly consecutiveFailures: number;
      /** The schedule stops at this many failures in a row. */
      readonly limit: number;
      readonly stopped: boolean;
      readonly error: string;
      readonly lastOkAt?: string;
      readonly reportsRoot: string;
      readonly markerPath: string;
    }
  | {
      readonly kind: 'run-stale';
      /** Last successful run (undefined: none since the schedule started). */
      readonly lastOkAt?: string;
      readonly since: string;
      readonly staleAfterSeconds: number;
      readonly reason: string;
      readonly reportsRoot: string;
    };

/** Open findings at or above `threshold` that are new since the previous scan; undefined when none. */
export function newFindingsAlert(report: Report, reportPath: string, threshold: Severity): Alert | undefined {
  const newIds = report.delta ? new Set(report.delta.newFindings) : undefined;
  const names = new Map(report.principals.map((p) => [p.arn, p.name]));
  const hits = report.findings
    .filter((f) => !f.suppressed && severityRank[f.severity] >= severityRank[threshold] && (newIds === undefined || newIds.has(f.id)))
    .sort((a, b) => severityRank[b.severity] - severityRank[a.severity] || a.principalArn.localeCompare(b.principalArn) || a.checkId.localeCompare(b.checkId));
  if (hits.length === 0) return undefined;
  return {
    kind: 'new-findings',
    account: report.scan.account.id,
    ...(report.scan.account.alias !== undefined ? { accountAlias: report.scan.account.alias } : {}),
    scanId: report.scan.id,
    reportPath,
    threshold,
    firstScan: newIds === undefined,
    total: hits.length,
    findings: hits.slice(0, MAX_LISTED_FINDINGS).map((f) => ({
      id: f.id,
      severity: f.severity,
      checkId: f.checkId,
      title: f.title,
      principalArn: f.principalArn,
      principalName: names.get(f.principalArn) ?? f.principalArn.split('/').pop() ?? f.principalArn,
    })),
  };
}
