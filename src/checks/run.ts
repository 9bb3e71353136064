import type { Evidence, Finding } from '../model/finding.js';
import { severityRank } from '../model/finding.js';
import { checks as registry } from './index.js';
import type { Check, CheckContext } from './types.js';
import { EvidenceIndex } from './evidence.js';
import { snapshotOrganization } from '../iam/organization.js';

/** Stable across scans: the same check, principal and subject always give the same id. */
export { findingId } from '../model/finding-id.js';
import { findingId } from '../model/finding-id.js';

export interface CheckRunResult {
  readonly findings: Finding[];
  readonly errors: { checkId: string; message: string }[];
}

/** Checks whose findings do not rest on what the principal's policies grant (trust, session length, usage, names): a boundary does not change them. */
const NOT_GRANT_CHECKS = new Set(['agent-without-boundary', 'human-session-driven-by-agent', 'long-session-duration', 'resource-exposed', 'trust-policy-too-broad', 'unknown-actions', 'unused-agent-trust', 'unused-role']);

export function runChecks(ctx: CheckContext, checks: readonly Check[] = registry): CheckRunResult {
  const disabled = new Set(ctx.config.checks.disabled);
  const findings: Finding[] = [];
  const errors: { checkId: string; message: string }[] = [];
  const run: CheckContext = ctx.evidence ? ctx : { ...ctx, evidence: new EvidenceIndex(ctx.expander, snapshotOrganization(ctx.snapshot, ctx.config.resources?.organizationId)) };
  // Equal action lists as one array: at 10,000 principals 39,000 findings hold 9,000 distinct
  // lists, and what reads them later (report.json's texts table, the scan index) meets a repeat by
  // identity instead of stringifying it again. Content decides, so any sharing gives the same output.
  const lists = new Map<string, readonly string[]>();
  const shared = (actions: readonly string[]): readonly string[] => {
    const key = JSON.stringify(actions);
    const kept = lists.get(key);
    if (kept !== undefined) return kept;
    lists.set(key, actions);
    return actions;
  };
  // Principals whose permissions boundary is named by the export but not held by it: what they are
  // granted is uncertain (counted as unbounded: src/iam/effective.ts principalPolicyInput), and each finding about it says so.
  let unknownBoundary: Map<string, Evidence> | undefined;
  for (const a of ctx.principals) {
    const p = a.principal;
    if (p.boundary || p.boundaryArn === undefined) continue;
    (unknownBoundary ??= new Map()).set(p.arn, { kind: 'attribute', name: 'PermissionsBoundary', value: `${p.boundaryArn} is not in the export: what it allows is unknown, so this finding is uncertain (counted as if no boundary capped the principal: the worst case)` });
  }
  for (const check of checks) {
    if (disabled.has(check.id)) continue;
    const marks = unknownBoundary && !NOT_GRANT_CHECKS.has(check.id) ? unknownBoundary : undefined;
    try {
      for (const d of check.run(run)) {
        const mark = marks?.get(d.principalArn);
        findings.push({ id: findingId(check.id, d.principalArn, d.subject), checkId: check.id, ...d, ...(mark ? { evidence: [...d.evidence, mark] } : {}), actions: shared(d.actions), fixIds: [] });
      }
    } catch (e) {
      // One broken check must not lose the others' findings; the report lists it.
      errors.push({ checkId: check.id, message: (e as Error).message });
    }
  }
  // Worst first; within a severity, the registry's order (it lists the incident's checks first).
  const order = new Map(checks.map((c, i) => [c.id, i]));
  findings.sort((a, b) => severityRank[b.severity] - severityRank[a.severity] || a.principalArn.localeCompare(b.principalArn) || order.get(a.checkId)! - order.get(b.checkId)! || a.subject.localeCompare(b.subject));
  return { findings, errors };
}
