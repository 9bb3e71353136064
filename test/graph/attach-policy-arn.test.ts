// Audit (session 29): attach grants limited by `iam:PolicyARN` (ArnEquals / ArnLike) were read as
// an unknown "any policy" hop. They name what may be attached: the target given each named policy
// the export holds, decided with the policy's ARN in the request. AWS managed documents come
// from the shared fixture (the export lists the AWS managed policies it holds).
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import { SKIP_REASON, sharedFixturesPresent } from '../support/fixtures.js';
import { awsManagedPolicy } from '../support/iam-export-builder.js';
import { DEV, allow, arn, doc, snapshot, trust, type AccountSpec, type Doc } from './accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false };
const ADMIN_ARN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const READ_ARN = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const ME = { user: arn(DEV, 'user', 'agent'), role: arn(DEV, 'role', 'agent') } as const;
const ATTACH = { user: 'iam:AttachUserPolicy', role: 'iam:AttachRolePolicy' } as const;

function scan(spec: AccountSpec, principal: string) {
  const [a] = analyzeSnapshots([snapshot(spec)], defaultConfig(), opts);
  const r = a!.report;
  return { admin: r.findings.filter((f) => f.principalArn === principal && f.checkId === 'reaches-admin'), reach: r.graph!.reach.find((x) => x.principalArn === principal) };
}
const text = (f: { evidence: readonly { kind: string; value?: string }[] }) => f.evidence.map((e) => (e.kind === 'attribute' ? e.value : '')).join('\n');

describe.skipIf(!sharedFixturesPresent)(`attach limited by iam:PolicyARN${sharedFixturesPresent ? '' : ` — skipped: ${SKIP_REASON}`}`, () => {
  // The export holds both AWS managed policies (attached to a bystander, as an export lists them).
  const managed = () => ({ [ADMIN_ARN]: awsManagedPolicy('AdministratorAccess').document as Doc, [READ_ARN]: awsManagedPolicy('ReadOnlyAccess').document as Doc });
  const world = (kind: 'user' | 'role', condition: unknown, policies: Record<string, Doc> = managed()): AccountSpec => {
    const grant = doc(allow(ATTACH[kind], ME[kind], condition));
    return {
      policies,
      users: [{ name: 'bystander', managed: Object.keys(policies) }, ...(kind === 'user' ? [{ name: 'agent', inline: [grant] }] : [])],
      roles: kind === 'role' ? [{ name: 'agent', trust: trust({ Service: 'ec2.amazonaws.com' }), inline: [grant] }] : [],
    };
  };

  describe.each(['user', 'role'] as const)('on itself (%s)', (kind) => {
    it('positive: only AdministratorAccess may be attached → a proven path to administrator that names it', () => {
      const { admin } = scan(world(kind, { ArnEquals: { 'iam:PolicyARN': ADMIN_ARN } }), ME[kind]);
      expect(admin).toHaveLength(1);
      expect(admin[0]!.severity).toBe('critical');
      expect(text(admin[0]!)).toContain('agent (given AdministratorAccess)');
      expect(text(admin[0]!)).not.toContain('condition holds');
    });

    it('negative: only ReadOnlyAccess → no administrator, but what ReadOnlyAccess grants (reads on every resource)', () => {
      const { admin, reach } = scan(world(kind, { ArnLike: { 'iam:PolicyARN': [READ_ARN] } }), ME[kind]);
      expect(admin).toEqual([]);
      expect(reach!.reachPower.admin).toBe(false);
      expect(reach!.gains).toBeDefined();
      expect(reach!.reachPower.dataRead).toBeGreaterThan(0);
    });

    it('stays unknown ("any policy", not critical): another operator, another key, a pattern, a name the export does not hold', () => {
      for (const condition of [
        { StringEquals: { 'iam:PolicyARN': READ_ARN } },
        { ArnEquals: { 'iam:PolicyARN': READ_ARN }, StringEquals: { 'aws:RequestedRegion': 'us-east-1' } },
        { ArnLike: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/*' } },
      ]) {
        const { admin } = scan(world(kind, condition, { [READ_ARN]: awsManagedPolicy('ReadOnlyAccess').document as Doc }), ME[kind]);
        expect(admin, JSON.stringify(condition)).toHaveLength(1);
        expect(admin[0]!.severity, JSON.stringify(condition)).not.toBe('critical');
      }
      const absent = scan(world(kind, { ArnEquals: { 'iam:PolicyARN': ADMIN_ARN } }, { [READ_ARN]: awsManagedPolicy('ReadOnlyAccess').document as Doc }), ME[kind]).admin;
      expect(absent).toHaveLength(1);
      expect(absent[0]!.severity).not.toBe('critical');
    });
  });

  it('a customer managed policy named by ARN: what it grants (admin) → administrator; a narrow one → none', () => {
    const spec = (grants: Doc): AccountSpec => ({
      policies: { team: grants },
      users: [{ name: 'agent', inline: [doc(allow('iam:AttachUserPolicy', ME.user, { ArnEquals: { 'iam:PolicyARN': arn(DEV, 'policy', 'team') } }))] }],
    });
    expect(scan(spec(doc(allow('*'))), ME.user).admin.map((f) => f.severity)).toEqual(['critical']);
    expect(scan(spec(doc(allow('s3:ListBucket'))), ME.user).admin).toEqual([]);
  });

  it('a group it is in: AttachGroupPolicy limited to AdministratorAccess → administrator; to ReadOnlyAccess → none', () => {
    const spec = (allowed: string): AccountSpec => ({
      policies: managed(),
      groups: [{ name: 'team' }],
      users: [{ name: 'bystander', managed: [ADMIN_ARN, READ_ARN] }, { name: 'agent', groups: ['team'], inline: [doc(allow('iam:AttachGroupPolicy', arn(DEV, 'group', 'team'), { ArnEquals: { 'iam:PolicyARN': allowed } }))] }],
    });
    const admin = scan(spec(ADMIN_ARN), ME.user).admin;
    expect(admin.map((f) => f.severity)).toEqual(['critical']);
    expect(text(admin[0]!)).toContain('agent (given AdministratorAccess)');
    expect(scan(spec(READ_ARN), ME.user).admin).toEqual([]);
  });
});

// The same decision without the shared fixture: customer managed policies the export holds.
describe('attach limited by iam:PolicyARN to customer managed policies (no fixture needed)', () => {
  const EVERYTHING = arn(DEV, 'policy', 'everything');
  const S3_READ = arn(DEV, 'policy', 's3-read');
  const world = (condition: unknown): AccountSpec => ({
    policies: { everything: doc(allow('*')), 's3-read': doc(allow(['s3:GetObject', 's3:ListBucket'])) },
    users: [{ name: 'bystander', managed: ['everything', 's3-read'] }, { name: 'agent', inline: [doc(allow(ATTACH.user, ME.user, condition))] }],
  });

  it('positive: only the allow-everything policy may be attached → a proven critical path naming it', () => {
    const { admin } = scan(world({ ArnEquals: { 'iam:PolicyARN': EVERYTHING } }), ME.user);
    expect(admin).toHaveLength(1);
    expect(admin[0]!.severity).toBe('critical');
    expect(text(admin[0]!)).toContain('agent (given everything)');
  });

  it('negative: only the s3 read policy → no administrator; a name the export lacks keeps the unknown hop', () => {
    expect(scan(world({ ArnEquals: { 'iam:PolicyARN': S3_READ } }), ME.user).admin).toEqual([]);
    // Control: a policy the export does not hold could be anything, so the "any policy" hop stays (not proven).
    const unknown = scan(world({ ArnEquals: { 'iam:PolicyARN': arn(DEV, 'policy', 'not-in-export') } }), ME.user).admin;
    expect(unknown).toHaveLength(1);
    expect(unknown[0]!.severity).not.toBe('critical');
  });
});
