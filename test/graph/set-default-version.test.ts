// Audit (session 29): iam:SetDefaultPolicyVersion was an unknown "any policy" hop, though the
// export lists every version of a customer managed policy (PolicyVersionList). The snapshot now
// keeps the other versions, and the hop reaches exactly what each of them grants.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html
import { describe, expect, it } from 'vitest';
import { normalizeAuthorizationDetails } from '../../src/collect/iam/authorization-details-file.js';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { DEV, allow, arn, doc, exportOf, snapshotWithVersions, type AccountSpec, type Doc } from './accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false };
const ME = arn(DEV, 'user', 'agent');


function findings(s: Snapshot, checkId: string) {
  const [a] = analyzeSnapshots([s], defaultConfig(), opts);
  return a!.report.findings.filter((f) => f.principalArn === ME && f.checkId === checkId);
}
const text = (f: { evidence: readonly { kind: string; value?: string }[] }) => f.evidence.map((e) => (e.kind === 'attribute' ? e.value : '')).join('\n');

describe('SetDefaultPolicyVersion reaches what the other versions grant', () => {
  // `mine` is attached to the agent; its default lets the agent set its default version.
  const own = doc(allow('iam:SetDefaultPolicyVersion', arn(DEV, 'policy', 'mine')), allow('s3:GetObject'));
  const spec: AccountSpec = { policies: { mine: own }, users: [{ name: 'agent', managed: ['mine'] }] };

  it('positive: an older version allows everything → a proven path to administrator naming that version', () => {
    const f = findings(snapshotWithVersions(spec, { mine: [doc(allow('*'))] }, NOW), 'reaches-admin');
    expect(f.map((x) => x.severity)).toEqual(['critical']);
    expect(text(f[0]!)).toContain('agent (mine at v1)');
  });

  it('negative: the other versions grant nothing more → no administrator and no escalation through it', () => {
    const s = snapshotWithVersions(spec, { mine: [doc(allow('s3:GetObject')), doc(allow(['s3:ListBucket', 's3:GetObject']))] }, NOW);
    expect(findings(s, 'reaches-admin')).toEqual([]);
    expect(findings(s, 'privilege-escalation').filter((f) => f.subject === 'iam-set-default-policy-version')).toEqual([]);
  });

  it('negative: no other version at all → nothing to set', () => {
    expect(findings(snapshotWithVersions(spec, {}, NOW), 'reaches-admin')).toEqual([]);
  });

  it('control: a snapshot that does not know the versions keeps the unknown hop (not critical)', () => {
    const s = snapshotWithVersions(spec, {}, NOW);
    const unknown: Snapshot = { ...s, managedPolicies: s.managedPolicies.map(({ otherVersions: _, ...m }) => m) };
    const f = findings(unknown, 'reaches-admin');
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).not.toBe('critical');
  });

  it('its boundary: an older version of the boundary policy that allows everything lifts the cap; one as narrow does not', () => {
    const fence = doc(allow('iam:SetDefaultPolicyVersion', arn(DEV, 'policy', 'fence')), allow('s3:GetObject'));
    const bounded: AccountSpec = { policies: { fence }, users: [{ name: 'agent', inline: [doc(allow('*'))], boundary: 'fence' }] };
    expect(findings(snapshotWithVersions(bounded, { fence: [doc(allow('*'))] }, NOW), 'reaches-admin').map((x) => x.severity)).toEqual(['critical']);
    expect(findings(snapshotWithVersions(bounded, { fence: [doc(allow('s3:*'))] }, NOW), 'reaches-admin')).toEqual([]);
  });
});

describe('the export reader keeps the other versions of customer managed policies', () => {
  it('at most four besides the default (IAM keeps five), none for AWS managed policies', () => {
    const versions = (n: number) => Array.from({ length: n }, (_, k) => ({ VersionId: `v${k + 1}`, IsDefaultVersion: k === n - 1, Document: doc(allow(`s3:Get${'Object'.slice(0, k + 1)}*`)) }));
    const r = normalizeAuthorizationDetails({
      Policies: [
        { PolicyName: 'many', Arn: arn(DEV, 'policy', 'many'), Path: '/', DefaultVersionId: 'v7', PolicyVersionList: versions(7) },
        { PolicyName: 'one', Arn: arn(DEV, 'policy', 'one'), Path: '/', DefaultVersionId: 'v1', PolicyVersionList: versions(1) },
        { PolicyName: 'ReadOnlyAccess', Arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', Path: '/', DefaultVersionId: 'v2', PolicyVersionList: versions(2) },
      ],
    }, 'test.json');
    const by = (name: string) => r.managedPolicies.find((m) => m.name === name)!;
    expect(by('many').otherVersions!.map((v) => v.versionId)).toEqual(['v1', 'v2', 'v3', 'v4']);
    expect(by('one').otherVersions).toEqual([]);
    expect(by('ReadOnlyAccess').otherVersions).toBeUndefined();
  });
});
