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
