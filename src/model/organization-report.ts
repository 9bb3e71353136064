// The organization report (reports/schema/organization-report.schema.json describes the JSON
// form): one view over the per-account reports of `leash scan --org`. Same schema family as
// report.json — semver, minor versions only add.
import type { ScanError, SourceInfo } from './errors.js';
import type { Severity } from './finding.js';
import type { PrincipalKind } from './snapshot.js';

export const ORGANIZATION_REPORT_SCHEMA_VERSION = '1.0.0';

export interface OrganizationAccountEntry {
  readonly id: string;
  readonly name: string;
  /** scanned: a report was written; failed: could not be entered or scanned; skipped: filtered out or inactive. */
  readonly status: 'scanned' | 'failed' | 'skipped';
  readonly reason?: string;
  readonly ouPath?: readonly string[];
  /** The account's own report (relative to the reports root). */
  readonly reportDir?: string;
  readonly scanId?: string;
  readonly iamCoverage?: 'complete' | 'partial' | 'missing';
  readonly usageCoverage?: 'none' | 'partial' | 'complete';
}

export interface OrganizationAgentPrincipal {
  readonly accountId: string;
  readonly arn: string;
  readonly name: string;
  readonly kind: PrincipalKind;
  readonly riskScore: number;
  readonly findings: number;
  readonly highestSeverity?: Severity;
  /** Evidence kinds that made it an agent (trust-policy, cloudtrail-user-agent, …). */
  readonly evidence: readonly string[];
}

export interface OrganizationAccountCounts {
  readonly principals: number;
  readonly agentPrincipals: number;
  readonly findingsBySeverity: Readonly<Record<Severity, number>>;
}

export interface OrganizationReport {
  readonly schemaVersion: string;
  readonly kind: 'organization';
  readonly tool: { readonly name: 'leash'; readonly version: string };
  readonly scan: {
    readonly id: string;
    readonly startedAt: string;
    readonly finishedAt: string;
    readonly organizationId: string;
    readonly managementAccountId: string;
    /** The role assumed in each member account. */
    readonly roleName: string;
    readonly sources: readonly SourceInfo[];
  };
  readonly coverage: {
    readonly accountsListed: number;
    readonly accountsScanned: number;
    readonly accountsFailed: number;
    readonly accountsSkipped: number;
  };
  readonly accounts: readonly OrganizationAccountEntry[];
  /** Agent principals of every scanned account, riskiest first. */
  readonly agentPrincipals: readonly OrganizationAgentPrincipal[];
  readonly countsByAccount: Readonly<Record<string, OrganizationAccountCounts>>;
  /** Who in one account can act as whom in another (filled by the access graph when present). */
  readonly crossAccountPaths?: readonly { readonly from: string; readonly to: string; readonly via: readonly string[] }[];
  readonly errors: readonly ScanError[];
}
