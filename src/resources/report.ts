// The blast radius as report.json keeps it, per principal (for the TUI's "Blast radius" tab and
// dashboards): counts by type, and a named sample, production first, with the path for what it
// reaches as another principal.
import type { PrincipalBlastReport } from '../model/report.js';
import type { AnalyzedPrincipal } from '../checks/types.js';
import { ACCESS_KINDS } from './actions.js';
import type { ResourceView } from './blast.js';

export function blastReports(view: ResourceView, analyzed: readonly AnalyzedPrincipal[]): Map<string, PrincipalBlastReport> {
  const out = new Map<string, PrincipalBlastReport>();
  for (const a of analyzed) {
    const sum = view.summary(a.principal.arn, { kinds: ACCESS_KINDS, which: 'any', limit: a.isAgent ? 50 : 10 });
    if (sum.count === 0) continue;
    const byType: Record<string, { count: number; production: number }> = {};
    for (const [t, v] of sum.byType) if (v.count > 0) byType[t] = { count: v.count, production: v.production };
    out.set(a.principal.arn, {
      count: sum.count,
      production: sum.production,
      byType,
      resources: sum.sample.map((e) => {
        const grants = e.grants.filter((g) => g.condition !== 'approval' || e.condition === 'approval');
        return {
          arn: e.resource.arn, type: e.resource.type, name: e.resource.name, environment: e.environment,
          kinds: ACCESS_KINDS.filter((k) => grants.some((g) => g.kind === k)),
          actions: [...new Set(grants.map((g) => g.action))].slice(0, 8),
          condition: e.condition,
          ...(e.through ? { through: e.through } : {}),
          ...(e.path ? { path: e.path } : {}),
        };
      }),
    });
  }
  return out;
}
