// Audit (session 29): a path through the node every rewritten principal shares ("any principal of
// <account> given any policy", `ceiling:<account>`) said so in the finding's text and evidence
// without naming the principal whose policy is edited. The hop's own text names it; findings and
// `leash paths` now carry it beside the shared label.
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import { DEV, allow, arn, doc, snapshot, trust, type AccountSpec } from './accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false };
const attacker = arn(DEV, 'user', 'attacker');

function findingsOf(spec: AccountSpec, checkId: string) {
  const [a] = analyzeSnapshots([snapshot(spec)], defaultConfig(), opts);
  return a!.report.findings.filter((f) => f.principalArn === attacker && f.checkId === checkId);
}
const evidenceText = (f: { evidence: readonly { kind: string; value?: string }[] }) => f.evidence.map((e) => (e.kind === 'attribute' ? e.value : '')).join('\n');

describe('paths through the shared "given any policy" node name the principal edited', () => {
  it('another role, edited as an editor the attacker can act as: evidence, path and description name it', () => {
    const spec: AccountSpec = {
      users: [{ name: 'attacker' }],
      roles: [
        { name: 'editor', trust: trust({ AWS: attacker }), inline: [doc(allow('iam:PutRolePolicy', arn(DEV, 'role', 'victim-role')))] },
        { name: 'victim-role', trust: trust({ AWS: attacker }) },
      ],
    };
    const [f] = findingsOf(spec, 'reaches-admin');
    expect(f!.description).toContain(`any principal of ${DEV} given any policy (as editor, can give any policy to victim-role, and act as it)`);
    expect(evidenceText(f!)).toMatch(/^attacker via iam-put-role-policy any principal of \d+ given any policy \(as editor, can give any policy to victim-role, and act as it; iam:PutRolePolicy\)/);
  });

  it('itself: privilege-escalation says what it reaches by editing itself', () => {
    const spec: AccountSpec = { users: [{ name: 'attacker', inline: [doc(allow('iam:PutUserPolicy', attacker))] }] };
    const [f] = findingsOf(spec, 'privilege-escalation');
    expect(f!.description).toContain('given any policy (can give any policy to itself, and act as it)');
  });

  it('control: a hop to a principal (not the shared node) is worded as before, without its hop text', () => {
    const spec: AccountSpec = { users: [{ name: 'attacker' }], roles: [{ name: 'admin', trust: trust({ AWS: attacker }), inline: [doc(allow('*'))] }] };
    const [f] = findingsOf(spec, 'reaches-admin');
    expect(f!.description).toContain('can act as admin, which has administrator access: attacker → admin.');
    expect(evidenceText(f!)).not.toContain('is named in the trust policy of');
  });
});
