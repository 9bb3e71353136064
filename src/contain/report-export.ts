// A report's export read again when a containment plan is made from the report (`leash contain
// --report`, the TUI's `c`): who could remove the Deny is then decided from that export.
import type { Report } from '../model/report.js';
import type { Snapshot } from '../model/snapshot.js';

/** What planContainment takes from the report's export (plan.ts ContainRequest's snapshot fields). */
export interface ReportExport {
  readonly snapshot?: Snapshot;
  readonly snapshotFrom?: string;
  readonly organizationId?: string;
  readonly snapshotMissing?: string;
}

/**
 * The export a report was made from, read again as `leash fix` re-plans from a report's inputs
 * (its authorization-details file and config), so who could remove the Deny is decided from a
 * report too. Read as it is now: absent, unreadable or another account's, it decides nothing and
 * the README says why. A live or --org scan names no such file: not decided, as before.
 */
export async function reportExport(report: Report): Promise<ReportExport> {
  const input = report.scan.sources.find((s) => s.kind === 'authorization-details-file');
  if (!input) return {};
  const config = report.scan.sources.find((s) => s.kind === 'config');
  try {
    const { collectSnapshot } = await import('../pipeline/scan.js');
    const c = await collectSnapshot({ input: input.location, ...(config ? { config: config.location } : {}) });
    if (c.snapshot.account.id !== report.scan.account.id) return { snapshotMissing: `${input.location} now holds account ${c.snapshot.account.id}, not ${report.scan.account.id}` };
    const organizationId = c.config.resources?.organizationId;
    return { snapshot: c.snapshot, snapshotFrom: input.location, ...(organizationId ? { organizationId } : {}) };
  } catch (e) {
    return { snapshotMissing: `${input.location}: ${e instanceof Error ? e.message : String(e)}` };
  }
}
