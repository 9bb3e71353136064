// privilege-escalation's severity is the tier the technique gains (as the access graph judges the
// state it reaches), not the technique's label: each case beside the same technique capped lower.
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import { sarifLevel } from '../../src/report/sarif.js';
import { ADMIN, DEV, allow, arn, doc, snapshot, trust, type AccountSpec, type Doc } from '../graph/accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false };

function escalation(spec: AccountSpec, principal: string, technique: string) {
  return analyzeSnapshots([snapshot(spec)], defaultConfig(), opts)
    .flatMap((a) => a.report.findings)
    .filter((f) => f.checkId === 'privilege-escalation' && f.principalArn === principal && f.technique === technique);
}

// iam:PutUserPolicy on itself: labelled critical in escalation-techniques.json.
const putOwn = (name: string) => doc(allow('iam:PutUserPolicy', arn(DEV, 'user', name)));
const selfEdit = (name: string, cap?: { boundary?: Doc; scp?: Doc }): AccountSpec => ({
  users: [{ name, inline: [putOwn(name)], ...(cap?.boundary ? { boundary: 'cap' } : {}) }],
  ...(cap?.boundary ? { policies: { cap: cap.boundary } } : {}),
  ...(cap?.scp ? { scps: [cap.scp] } : {}),
});
const within = (...actions: string[]) => doc(allow(['iam:PutUserPolicy', ...actions]));

describe('privilege-escalation severity follows the tier gained', () => {
  it('a self policy edit with no ceiling reaches an administrator: critical', () => {
    const fs = escalation(selfEdit('dev'), arn(DEV, 'user', 'dev'), 'iam-put-user-policy');
    expect(fs.map((f) => f.severity)).toEqual(['critical']);
    expect(fs[0]!.description).toContain('adds administrator access');
  });

  it.each([
    ['a boundary that allows s3:* (destructive)', { boundary: within('s3:*') }, 'high', 'destructive actions'],
    ['an SCP that allows s3:* (destructive)', { scp: within('s3:*') }, 'high', 'destructive actions'],
    ['a boundary that allows reads of any object', { boundary: within('s3:GetObject') }, 'medium', 'data reads on every resource'],
  ] as const)('the same edit capped by %s is reported at that tier', (_n, cap, severity, text) => {
    const fs = escalation(selfEdit('dev', cap), arn(DEV, 'user', 'dev'), 'iam-put-user-policy');
    expect(fs.map((f) => f.severity)).toEqual([severity]);
    expect(fs[0]!.description).toContain(`adds ${text}`);
  });

  it('capped to what it already has, the edit gains nothing: no finding', () => {
    expect(escalation(selfEdit('dev', { boundary: within() }), arn(DEV, 'user', 'dev'), 'iam-put-user-policy')).toEqual([]);
    // Control: the uncapped edit is found (above); one extra logs read ranks only as "other".
    expect(escalation(selfEdit('dev', { boundary: within('logs:DescribeLogGroups') }), arn(DEV, 'user', 'dev'), 'iam-put-user-policy')).toEqual([]);
  });

  it('an AI agent gaining only destructive actions is high, not critical (as agent-reaches-destructive says); gaining admin, critical', () => {
    const capped = escalation(selfEdit('kiro-agent', { boundary: within('s3:*') }), arn(DEV, 'user', 'kiro-agent'), 'iam-put-user-policy');
    expect(capped.map((f) => f.severity)).toEqual(['high']);
    const open = escalation(selfEdit('kiro-agent'), arn(DEV, 'user', 'kiro-agent'), 'iam-put-user-policy');
    expect(open.map((f) => f.severity)).toEqual(['critical']);
  });

  // sts:AssumeRole on a role that trusts the caller: labelled high. A condition on the grant makes the hop conditional.
  const attacker = arn(DEV, 'user', 'attacker');
  // The trust names the account: the attacker's own Allow (and so its condition) decides. A trust
  // naming the attacker's user ARN needs no Allow of its own, so a condition on it lowers nothing
  // there (session 43: test/checks/trust-only-assume.test.ts).
  const assume = (rolePolicy: Doc, condition?: unknown): AccountSpec => ({
    users: [{ name: 'attacker', inline: [doc(allow('sts:AssumeRole', arn(DEV, 'role', 'target'), condition))] }],
    roles: [{ name: 'target', trust: trust({ AWS: condition ? DEV : attacker }), inline: [rolePolicy] }],
  });

  it('a technique labelled high (assume a permissive role) that reaches an administrator is critical; to a role that adds destructive actions, high', () => {
    expect(escalation(assume(ADMIN), attacker, 'sts-assume-permissive-role').map((f) => f.severity)).toEqual(['critical']);
    expect(escalation(assume(doc(allow('s3:*'))), attacker, 'sts-assume-permissive-role').map((f) => f.severity)).toEqual(['high']);
  });

  it('only when a condition holds: one step lower, at most medium', () => {
    const mfa = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
    const reads = doc(allow('s3:GetObject'));
    const admin = escalation(assume(ADMIN, mfa), attacker, 'sts-assume-permissive-role');
    expect(admin.map((f) => f.severity)).toEqual(['medium']);
    const dataOnly = escalation(assume(reads, mfa), attacker, 'sts-assume-permissive-role');
    expect(dataOnly.map((f) => f.severity)).toEqual(['low']);
    // Control: the same reads without the condition are medium.
    expect(escalation(assume(reads), attacker, 'sts-assume-permissive-role').map((f) => f.severity)).toEqual(['medium']);
    // SARIF levels follow the finding's severity.
    expect([sarifLevel(admin[0]!.severity), sarifLevel(dataOnly[0]!.severity)]).toEqual(['warning', 'note']);
  });
});
