// A renamed IAM user (UpdateUser keeps its unique id, changes its ARN) is one principal across
// scans: its findings carry over (not resolved and found again), firstSeen stays; a principal
// deleted and made again under the same name is a new identity, and the diff says so.
import { describe, expect, it } from 'vitest';
import { computeDelta, diffReports, isEmptyDelta, renderDiffText } from '../../src/report/diff.js';
import { withFirstSeen } from '../../src/pipeline/scan.js';
import { buildReport, finding, principal, roleArn, userArn } from './support.js';
import { reportSchemaErrors } from '../support/schema.js';

const OLD_ARN = userArn('ci-deployer');
const NEW_ARN = 'arn:aws:iam::111122223333:user/platform/ci-deployer-2';
const AGENT = roleArn('kiro-agent');

function scans(o: { oldId?: string; newId?: string; newArn?: string; startedAt?: string } = {}) {
  const newArn = o.newArn ?? NEW_ARN;
  const before = principal({ arn: OLD_ARN, name: 'ci-deployer', ...(o.oldId !== undefined ? { uniqueId: o.oldId } : {}) });
  const after = principal({ arn: newArn, name: newArn.split('/').pop()!, ...(o.newId !== undefined ? { uniqueId: o.newId } : {}) });
  const agent = principal({ arn: AGENT, name: 'kiro-agent', uniqueId: 'AROAEXAMPLEAGENT0001', isAgent: true, agentKind: 'agent-principal' });
  const findingsOf = (arn: string) => [
    finding({ checkId: 'admin-access', principalArn: arn, subject: 'admin' }),
    // A finding of another principal that names this one in its subject.
    finding({ checkId: 'unused-agent-trust', principalArn: AGENT, subject: `agent:${arn}` }),
  ];
  const old = buildReport({ principals: [before, agent], findings: findingsOf(OLD_ARN).map((f) => ({ ...f, firstSeen: '2026-09-01T00:00:00.000Z' })) });
  const neu = buildReport({ principals: [after, agent], findings: findingsOf(newArn), startedAt: o.startedAt ?? '2026-11-25T03:00:00.000Z' });
  return { old, neu };
}

describe('a renamed user', () => {
  it('carries its findings over: nothing new or resolved, the rename listed', () => {
    const { old, neu } = scans({ oldId: 'AIDAEXAMPLEUSER00001', newId: 'AIDAEXAMPLEUSER00001' });
    const d = diffReports(old, neu);
    expect(d.findings.new).toEqual([]);
    expect(d.findings.resolved).toEqual([]);
    expect(d.principalsAdded).toEqual([]);
    expect(d.principalsRemoved).toEqual([]);
    expect(d.principalsRenamed).toEqual([{ uniqueId: 'AIDAEXAMPLEUSER00001', from: OLD_ARN, to: NEW_ARN }]);
    expect(d.principalsRecreated).toBeUndefined();
    expect(renderDiffText(d)).toContain(`~ ${OLD_ARN} → ${NEW_ARN}  [AIDAEXAMPLEUSER00001]`);
    const delta = computeDelta(old, neu);
    expect(isEmptyDelta(delta)).toBe(false);
    expect(reportSchemaErrors({ ...neu, delta })).toEqual([]);
  });

  it('keeps its findings\' firstSeen', () => {
    const { old, neu } = scans({ oldId: 'AIDAEXAMPLEUSER00001', newId: 'AIDAEXAMPLEUSER00001' });
    expect(withFirstSeen(neu, old).findings.map((f) => f.firstSeen)).toEqual(['2026-09-01T00:00:00.000Z', '2026-09-01T00:00:00.000Z']);
  });

  it('negative control: without unique ids (a report before schema 1.7.0) it is one principal removed and one added, as before', () => {
    const { old, neu } = scans();
    const d = diffReports(old, neu);
    expect(d.findings.new).toHaveLength(2);
    expect(d.findings.resolved).toHaveLength(2);
    expect(d.principalsAdded).toEqual([NEW_ARN]);
    expect(d.principalsRemoved).toEqual([OLD_ARN]);
    expect(d.principalsRenamed).toBeUndefined();
    expect(withFirstSeen(neu, old).findings.map((f) => f.firstSeen)).toEqual([neu.scan.startedAt, neu.scan.startedAt]);
  });

  it('negative control: another unique id under the new ARN is another user (removed and added, not renamed)', () => {
    const { old, neu } = scans({ oldId: 'AIDAEXAMPLEUSER00001', newId: 'AIDAEXAMPLEUSER00002' });
    const d = diffReports(old, neu);
    expect(d.principalsRenamed).toBeUndefined();
    expect(d.principalsAdded).toEqual([NEW_ARN]);
    expect(d.principalsRemoved).toEqual([OLD_ARN]);
  });

  it('a subject names the old ARN only where the ARN ends (…/ci-deployer is not …/ci-deployer-old)', () => {
    const { old, neu } = scans({ oldId: 'AIDAEXAMPLEUSER00001', newId: 'AIDAEXAMPLEUSER00001' });
    const longer = finding({ checkId: 'unused-agent-trust', principalArn: AGENT, subject: `agent:${OLD_ARN}-old` });
    const d = diffReports({ ...old, findings: [...old.findings, longer] }, neu);
    expect(d.findings.resolved.map((f) => f.id)).toEqual([longer.id]);
  });
});

describe('a principal deleted and made again under the same name', () => {
  it('is listed as recreated; its findings stay matched by ARN', () => {
    const { old, neu } = scans({ oldId: 'AIDAEXAMPLEUSER00001', newId: 'AIDAEXAMPLEUSER00009', newArn: OLD_ARN });
    const d = diffReports(old, neu);
    expect(d.principalsRecreated).toEqual([OLD_ARN]);
    expect(d.principalsRenamed).toBeUndefined();
    expect(d.findings.new).toEqual([]);
    expect(renderDiffText(d)).toMatch(/deleted and made again under the same ARN.*: 1\n {2}! arn:aws:iam::111122223333:user\/ci-deployer/);
  });

  it('negative control: the same unique id under the same ARN is neither renamed nor recreated', () => {
    const { old, neu } = scans({ oldId: 'AIDAEXAMPLEUSER00001', newId: 'AIDAEXAMPLEUSER00001', newArn: OLD_ARN });
    const d = diffReports(old, neu);
    expect(d.principalsRecreated).toBeUndefined();
    expect(d.principalsRenamed).toBeUndefined();
    expect(isEmptyDelta(computeDelta(old, neu))).toBe(true);
  });
});
