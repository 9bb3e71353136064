// The TUI renders hostile names escaped (issue 10): no OSC (title, clipboard), no C1 or bidi
// character reaches the terminal, and a newline in a name does not split the principal list.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/tui/App.js';
import { defaultCallbacks } from '../../src/tui/run.js';
import { renderTui, type RenderedTui } from '../support/render-tui.js';
import { buildReport } from '../tui/support.js';

const EVIL = 'kiro\u001b]52;c;aGVsbG8=\u0007\u001b]0;pwned\u0007\nsecond\u009b31m\u202eend';
let t: RenderedTui | undefined;
afterEach(() => t?.unmount());

describe('TUI with a hostile principal name', () => {
  it('shows the name escaped on one line (negative control: the plain name renders as is)', async () => {
    const base = buildReport();
    const report = { ...base, principals: base.principals.map((p, i) => (i === 0 ? { ...p, name: EVIL } : p)) };
    const cwd = mkdtempSync(join(tmpdir(), 'leash-tui-hostile-'));
    t = await renderTui(<App report={report} {...defaultCallbacks(cwd)} now={() => new Date('2026-11-24T12:00:00Z')} colors={false} />, { columns: 160, rows: 40 });
    const frame = t.frame();
    expect(frame).not.toMatch(/\u001b\]|\u0007|[\u0080-\u009f]|[\u202a-\u202e]/);
    expect(frame).toContain('kiro\\x1b]52');
    expect(frame.split('\n').some((l) => l.trimStart().startsWith('second'))).toBe(false);
    t.unmount();
    t = await renderTui(<App report={base} {...defaultCallbacks(cwd)} now={() => new Date('2026-11-24T12:00:00Z')} colors={false} />, { columns: 160, rows: 40 });
    expect(t.frame()).toContain(base.principals[0]!.name);
  });
});
