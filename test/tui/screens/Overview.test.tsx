import { describe, expect, it } from 'vitest';
import { Overview } from '../../../src/tui/screens/Overview.js';
import { renderTui } from '../../support/render-tui.js';
import { buildReport } from '../support.js';

describe('Overview', () => {
  it('points a new user straight at the riskiest agent and its destructive finding (80 columns)', async () => {
    const t = await renderTui(<Overview report={buildReport()} selected={0} width={80} height={20} />, { columns: 80, rows: 24 });
    const f = t.frame();
    expect(f).toContain('Riskiest agent: kiro-agent — CRITICAL kiro-agent can run 4 destructive');
    expect(f).toContain('press enter to open kiro-agent');
    expect(f.split('\n').every((l) => l.length <= 80)).toBe(true);
    t.unmount();
  });

  it('says what leash could not see: coverage notes and source errors', async () => {
    const t = await renderTui(<Overview report={buildReport()} selected={0} width={100} height={26} />);
    const f = t.frame();
    expect(f).toContain('Not seen 3 gaps');
    expect(f).toContain('- SCPs were not collected');
    expect(f).toContain('error (cloudtrail-file, invalid-input): demo/cloudtrail/broken.json');
    expect(f).toContain('Findings CRITICAL 1  HIGH 2  MEDIUM 1  LOW 1  INFO 0');
    t.unmount();
  });

  it('says plainly when there is no usage data', async () => {
    const t = await renderTui(<Overview report={buildReport({ withUsage: false })} selected={0} width={100} height={26} />);
    expect(t.frame()).toContain('no usage data (unused is unknown, not zero)');
    t.unmount();
  });

  it('fits the height it is given, keeping the pointer to the riskiest agent', async () => {
    const height = 14;
    const t = await renderTui(<Overview report={buildReport()} selected={1} width={80} height={height} />, { columns: 80, rows: 24 });
    const lines = t.frame().split('\n');
    expect(lines.length).toBeLessThanOrEqual(height);
    expect(t.frame()).toContain('Riskiest agent: kiro-agent');
    expect(t.frame()).toContain('press enter to open claude-code-dev');
    t.unmount();
  });

  it('sends the user to the principal list when there are no agents', async () => {
    const r = buildReport();
    const t = await renderTui(<Overview report={{ ...r, principals: r.principals.map((p) => ({ ...p, isAgent: false, agentEvidence: [] })) }} selected={0} width={100} height={26} />);
    expect(t.frame()).toContain('No agent principals found. Press p to browse all principals.');
    t.unmount();
  });
});
