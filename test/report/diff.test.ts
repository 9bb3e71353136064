import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeDelta, diffReports, isEmptyDelta, renderDiffText } from '../../src/report/diff.js';
import { baseFindings, buildReport, CI_USER, CLAUDE, finding, findingKeyArbs, KIRO, laterReport, roleArn, uniqueFindingArb } from './support.js';

describe('diffReports', () => {
  const old = buildReport();
  const neu = laterReport();
  const d = diffReports(old, neu);
  const [destructive, escalation, unused] = baseFindings();

  it('matches findings by stable id: new, resolved, changed', () => {
    expect(d.findings.new.map((f) => f.principalArn)).toEqual([roleArn('q-developer-agent')]);
    expect(d.resolvedFindings).toEqual([escalation!.id]);
    expect(d.findings.resolved[0]!.checkId).toBe('agent-privilege-escalation');
    expect(new Set(d.changedFindings)).toEqual(new Set([destructive!.id, unused!.id]));
  });

  it('says what changed in a finding: actions added, suppression', () => {
    const c = d.findings.changed.find((x) => x.id === destructive!.id)!;
    expect(c.changes).toEqual(['actions']);
    expect(c.actionsAdded).toEqual(['dynamodb:DeleteTable']);
    expect(c.actionsRemoved).toEqual([]);
    expect(c.before.actionCount).toBe(3);
    expect(c.after.actionCount).toBe(4);
    const s = d.findings.changed.find((x) => x.id === unused!.id)!;
    expect(s.changes).toEqual(['suppression']);
    expect(s.before.suppressed).toBe(false);
    expect(s.after.suppressed).toBe(true);
  });

  it('detects a severity change and ignores case-only differences in action names', () => {
    const a = buildReport({ findings: [finding({ checkId: 'agent-unused-permissions', principalArn: KIRO.arn, subject: 'x', actions: ['s3:GetObject'] })] });
    const b = buildReport({ findings: [finding({ checkId: 'agent-unused-permissions', principalArn: KIRO.arn, subject: 'x', actions: ['S3:getobject'], severity: 'high' })] });
    const c = diffReports(a, b).findings.changed;
    expect(c).toHaveLength(1);
    expect(c[0]!.changes).toEqual(['severity']);
    expect(c[0]!.before.severity).toBe('medium');
    expect(c[0]!.after.severity).toBe('high');
  });

  it('lists principals added and removed', () => {
    expect(d.principalsAdded).toEqual([roleArn('q-developer-agent')]);
    expect(d.principalsRemoved).toEqual([CI_USER.arn]);
  });

  it('reports permission growth of agent principals only', () => {
    expect(d.permissionGrowth).toEqual([{ arn: CLAUDE.arn, before: 410, after: 980, name: 'claude-code-mcp' }]);
    // A non-agent principal growing is not agent growth.
    const grownUser = { ...CI_USER, permissions: { ...CI_USER.permissions, allowedActionCount: 5000 } };
    expect(diffReports(buildReport(), buildReport({ principals: [KIRO, CLAUDE, grownUser] })).permissionGrowth).toEqual([]);
  });

  it('counts open findings by severity before and after', () => {
    expect(d.bySeverity.before).toEqual(old.summary.findingsBySeverity);
    expect(d.bySeverity.after).toEqual(neu.summary.findingsBySeverity);
  });

  it('flags a diff across two accounts', () => {
    expect(d.accountMismatch).toBe(false);
    expect(diffReports(old, buildReport({ accountId: '444455556666' })).accountMismatch).toBe(true);
  });

  it('renders text with every section and the finding ids', () => {
    const text = renderDiffText(d);
    expect(text).toContain('new findings: 1');
    expect(text).toContain('resolved findings: 1');
    expect(text).toContain('changed findings: 2');
    expect(text).toContain(`- ${CI_USER.arn}`);
    expect(text).toContain(`${CLAUDE.arn}: 410 → 980 allowed actions (+570)`);
    expect(text).toContain('now suppressed');
    expect(text).toContain(`[${escalation!.id}]`);
  });

  it('round-trips through JSON (the --json output)', () => {
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });
});

describe('computeDelta', () => {
  it('is the id-only ReportDelta a report carries', () => {
    const old = buildReport();
    const delta = computeDelta(old, laterReport());
    expect(delta.previousScanId).toBe(old.scan.id);
    expect(Object.keys(delta).sort()).toEqual(['changedFindings', 'newFindings', 'permissionGrowth', 'previousScanId', 'principalsAdded', 'principalsRemoved', 'resolvedFindings']);
    expect(delta.permissionGrowth).toEqual([{ arn: CLAUDE.arn, before: 410, after: 980 }]);
  });

  it('property: actions added and removed are the case-insensitive set differences, the same list included', () => {
    const action = fc.constantFrom('s3:GetObject', 's3:getobject', 'S3:GetObject', 'iam:PassRole', 'ec2:RunInstances', 'ec2:runinstances', 'kms:Decrypt');
    const lists = fc.array(action, { maxLength: 6 }).chain((a) => fc.tuple(fc.constant(a), fc.oneof(fc.constant(a), fc.constant([...a]), fc.array(action, { maxLength: 6 }))));
    fc.assert(
      fc.property(lists, ([was, now]) => {
        const f = (actions: readonly string[]) => finding({ checkId: 'agent-destructive-without-approval', principalArn: KIRO.arn, subject: 'destructive', actions: [...actions] });
        const d = diffReports(buildReport({ findings: [f(was)] }), buildReport({ findings: [f(now)] }));
        const lower = (xs: readonly string[]) => new Set(xs.map((x) => x.toLowerCase()));
        const added = now.filter((x) => !lower(was).has(x.toLowerCase())).sort();
        const removed = was.filter((x) => !lower(now).has(x.toLowerCase())).sort();
        const c = d.findings.changed[0];
        if (added.length === 0 && removed.length === 0) expect(c).toBeUndefined();
        else expect([c!.actionsAdded, c!.actionsRemoved, c!.changes]).toEqual([added, removed, ['actions']]);
      }),
      { numRuns: 300, seed: 29 },
    );
  });

  it('properties: a report against itself is empty; new and resolved swap when reversed', () => {
    const findingArb = fc.record(findingKeyArbs(['agent-destructive-without-approval', 'agent-unused-permissions', 'long-max-session-duration']));
    const reportArb = uniqueFindingArb(findingArb, 12).map((fs) => buildReport({ findings: fs.map((f) => finding(f)) }));
    fc.assert(
      fc.property(reportArb, reportArb, (a, b) => {
        expect(isEmptyDelta(computeDelta(a, a))).toBe(true);
        const ab = computeDelta(a, b);
        const ba = computeDelta(b, a);
        expect(new Set(ab.newFindings)).toEqual(new Set(ba.resolvedFindings));
        expect(new Set(ab.resolvedFindings)).toEqual(new Set(ba.newFindings));
        expect(new Set(ab.changedFindings)).toEqual(new Set(ba.changedFindings));
        // Every finding of b is either new or was already in a.
        const inA = new Set(a.findings.map((f) => f.id));
        for (const f of b.findings) expect(inA.has(f.id) !== ab.newFindings.includes(f.id)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
