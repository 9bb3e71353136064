import { describe, expect, it } from 'vitest';
import { FixView } from '../../../src/tui/screens/FixView.js';
import type { FixState } from '../../../src/tui/view.js';
import { renderTui } from '../../support/render-tui.js';
import { buildReport } from '../support.js';

async function show(fixId: string, state: Partial<FixState> = {}, size = { width: 100, height: 40 }) {
  const report = buildReport();
  const fix = report.fixes.find((f) => f.id === fixId)!;
  return renderTui(<FixView report={report} fix={fix} state={{ mode: 'diff', scroll: 0, ...state }} width={size.width} height={size.height} />, { columns: size.width, rows: size.height + 4 });
}

describe('FixView', () => {
  it('shows counts before → after and the verification result', async () => {
    const t = await show('fix-kiro-replace');
    const f = t.frame();
    expect(f).toContain('allowed 16840 → 7   destructive 412 → 0   escalation 0 → 0');
    expect(f).toContain('✔ verified: 11 observed calls still allowed');
    expect(f).toContain('[Diff +21 -13]');
    t.unmount();
  });

  it('diff mode: removed lines with -, added with +, context unmarked', async () => {
    const t = await show('fix-kiro-replace');
    const lines = t.frame().split('\n');
    expect(lines).toContain('-       "NotAction": [');
    expect(lines).toContain('+       "Sid": "ObservedUse",');
    expect(lines).toContain('        "Effect": "Allow",');
    t.unmount();
  });

  it.each([
    ['json', '"Sid": "DenyDestructiveWithoutApproval",'],
    ['terraform', 'data "aws_iam_policy_document" "kiro_agent" {'],
    ['cli', 'aws iam create-policy-version'],
  ] as const)('%s mode shows that rendering', async (mode, text) => {
    const t = await show('fix-kiro-replace', { mode });
    expect(t.frame()).toContain(text);
    expect(t.frame()).not.toContain('+       "Sid"');
    t.unmount();
  });

  it('a fix that would break observed work says NOT safe and why', async () => {
    const t = await show('fix-claude-boundary');
    expect(t.frame()).toContain('✘ NOT safe: would deny s3:PutObject; usage covers 12 of 30 days');
    // No "before" document: everything is an addition.
    expect(t.frame()).toContain('[Diff +');
    expect(t.frame()).toContain(' -0]');
    t.unmount();
  });

  it('scrolls the body at 80×24 without growing past its height', async () => {
    const t = await show('fix-kiro-replace', { scroll: 10 }, { width: 80, height: 20 });
    const lines = t.frame().split('\n');
    expect(lines.length).toBeLessThanOrEqual(20);
    expect(lines.every((l) => l.length <= 80)).toBe(true);
    expect(t.frame()).not.toContain('"Version"');
    t.unmount();
  });
});
