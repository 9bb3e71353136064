// The reach summary (`graph.reach[].gains`/`widened`) read type-wide grants of at most 50 reached
// principals (session 38, checks/widen.ts `reachWidener`), and agent-reaches-destructive the same
// 50: a role holding dynamodb:DeleteTable on `table/*` reached after 50 others that hold it on
// named tables was silently left out — no gain, no finding. Session 39 reads every principal of
// the reach once per run (graph reach `unionOver`, checks/widen.ts `typeWideBeyond`). Through the
// real analysis: export normaliser, effective stage, graph, checks, report.
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import type { Finding } from '../../src/model/finding.js';
import type { PrincipalReach } from '../../src/model/graph.js';
import { DEV, arn, snapshot } from './accounts.js';
import { AGENT, TYPE_WIDE, account, deleteTable, table } from '../support/tier-scope.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false };

/** The agent (DeleteTable on kiro-scratch-* only) may assume `fillers` roles, each deleting its own named tables, then `deploy` with `deployOn`. */
function analysis(fillers: number, deployOn: string, own = [deleteTable(table('kiro-scratch-*'))]): { reach: PrincipalReach | undefined; findings: Finding[] } {
  const roles: Record<string, unknown[]> = {};
  for (let i = 0; i < fillers; i++) roles[`filler-${String(i).padStart(3, '0')}`] = [deleteTable(table(`kiro-tmp-${i}-*`))];
  roles.deploy = [deleteTable(deployOn)];
  const [a] = analyzeSnapshots([snapshot(account(own, roles))], defaultConfig(), opts);
  return { reach: a!.report.graph!.reach.find((r) => r.principalArn === AGENT), findings: a!.report.findings.filter((f) => f.principalArn === AGENT) };
}

describe('a type-wide holder reached after more than 50 principals that hold the action on named resources', () => {
  it('80 before it: the summary still gains destructive, lists the action, and its path ends at deploy; agent-reaches-destructive reports it', () => {
    const { reach, findings } = analysis(80, TYPE_WIDE);
    expect(reach?.gains).toBe('destructive');
    expect(reach?.widened).toEqual(['dynamodb:DeleteTable']);
    expect(reach?.path?.to).toBe(arn(DEV, 'role', 'deploy'));
    const [f, ...rest] = findings.filter((x) => x.checkId === 'agent-reaches-destructive');
    expect(rest).toEqual([]);
    expect(f?.severity).toBe('high');
    expect(f?.description).toContain('but it can act as deploy');
  });

  it('controls: deploy on other named tables, or the agent deleting every table itself: no gain, nothing widened, no finding', () => {
    for (const { reach, findings } of [analysis(80, table('kiro-other-*')), analysis(80, TYPE_WIDE, [deleteTable('*')])]) {
      expect(reach?.gains).toBeUndefined();
      expect(reach?.widened).toBeUndefined();
      expect(findings.filter((x) => x.checkId === 'agent-reaches-destructive')).toEqual([]);
    }
  });
});
