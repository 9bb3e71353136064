import { describe, expect, it } from 'vitest';
import { filterPrincipals } from '../../../src/tui/format.js';
import { PrincipalList } from '../../../src/tui/screens/PrincipalList.js';
import type { ListState } from '../../../src/tui/view.js';
import { renderTui } from '../../support/render-tui.js';
import { buildReport } from '../support.js';

const base: ListState = { selected: 0, query: '', agentsOnly: false, minSeverity: undefined, sort: 'risk', showSuppressed: false, newOnly: false };

async function show(state: ListState, opts: { extra?: number; height?: number; searching?: boolean } = {}) {
  const report = buildReport({ extraPrincipals: opts.extra ?? 0 });
  const principals = filterPrincipals(report, state);
  return renderTui(<PrincipalList report={report} principals={principals} state={state} searching={opts.searching ?? false} width={80} height={opts.height ?? 20} />, { columns: 80, rows: 24 });
}

describe('PrincipalList', () => {
  it('lists principals by risk with kind, agent flag, worst severity and open findings', async () => {
    const t = await show(base);
    const rows = t.frame().split('\n').filter((l) => /^(❯| ) /.test(l) && !l.includes('NAME'));
    expect(rows[0]).toMatch(/^❯ kiro-agent\s+role\s+agent\s+92\s+CRITICAL\s+2$/);
    expect(rows.map((r) => r.trim().split(/\s+/)[r.startsWith('❯') ? 1 : 0])).toEqual(['kiro-agent', 'claude-code-dev', 'ci-deploy', 'orders-bedrock-agent', 'security-audit']);
    t.unmount();
  });

  it('shows the active filters and how many principals match', async () => {
    const t = await show({ ...base, agentsOnly: true, minSeverity: 'high', query: 'kiro' }, { searching: true });
    expect(t.frame()).toContain('[a] agents only: on  [v] severity: high+  [/] search: "kiro"█  1 of 5');
    t.unmount();
  });

  it('keeps the selection visible when the list is longer than the screen', async () => {
    const t = await show({ ...base, selected: 60 }, { extra: 80, height: 12 });
    const f = t.frame();
    expect(f.split('\n').length).toBeLessThanOrEqual(12);
    expect(f).toMatch(/❯ app-role-0\d\d/);
    t.unmount();
  });

  it('says how to widen the filter when nothing matches', async () => {
    const t = await show({ ...base, query: 'nobody' });
    expect(t.frame()).toContain('No principal matches. Press a, v or / to change the filter.');
    t.unmount();
  });
});
