import { describe, expect, it } from 'vitest';
import { Help, HELP_KEYS } from '../../../src/tui/screens/Help.js';
import { renderTui } from '../../support/render-tui.js';

describe('Help', () => {
  it('lists every key binding and fits 80×24', async () => {
    const t = await renderTui(<Help width={80} />, { columns: 80, rows: 24 });
    const f = t.frame();
    for (const [, what] of HELP_KEYS) expect(f).toContain(what.slice(0, 40));
    expect(f.split('\n').length).toBeLessThanOrEqual(20);
    expect(f).toContain('leash never changes your AWS account');
    t.unmount();
  });
});

describe('Help names the keys the screens answer to', () => {
  it('g G (first/last row) and f (open the fix) are listed, and do what the help says', async () => {
    const { App } = await import('../../../src/tui/App.js');
    const { defaultCallbacks } = await import('../../../src/tui/run.js');
    const { KEYS } = await import('../../support/render-tui.js');
    const { buildReport } = await import('../support.js');
    const keys = HELP_KEYS.map(([k]) => k);
    expect(keys).toContain('g G  Home End');
    expect(keys).toContain('enter  f');
    const t = await renderTui(<App report={buildReport({ extraPrincipals: 40 })} {...defaultCallbacks('/nonexistent-leash-test')} colors={false} />, { columns: 100, rows: 30 });
    await t.press('p', 'G');
    expect(t.frame()).toMatch(/❯ app-role-\d{3}/);
    expect(t.frame()).not.toMatch(/❯ kiro-agent/);
    await t.press('g');
    expect(t.frame()).toMatch(/❯ kiro-agent/);
    await t.press(KEYS.enter, 'f');
    expect(t.frame()).toContain('allowed 16840 → 7');
    t.unmount();
  });
});
