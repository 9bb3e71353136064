// data-exfiltration and write-all-resources against where a grant applies (session 36). Both are
// "on every resource" checks: a grant scoped to named resources never fires them (without an
// inventory), `*` does. data-exfiltration also fires for a pattern that names only the resource
// type (`secret:*`, `arn:aws:s3:::*/*`): every such resource, which the effective stage does not
// count as `*` (src/checks/scope.ts wideByType). Through the real analysis.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import { severityRank, type Finding } from '../../src/model/finding.js';
import { DEV, allow, deny, doc, snapshot, trust, type AccountSpec, type Doc } from '../graph/accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false };
const AGENT = `arn:aws:iam::${DEV}:role/kiro-agent`;
const secret = (name: string) => `arn:aws:secretsmanager:us-east-1:${DEV}:secret:${name}`;
const table = (name: string) => `arn:aws:dynamodb:us-east-1:${DEV}:table/${name}`;
const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };

const agent = (inline: Doc[], extra: { boundary?: Doc; scps?: Doc[] } = {}): AccountSpec => ({
  roles: [{ name: 'kiro-agent', trust: trust({ Service: 'ec2.amazonaws.com' }), tags: { 'ai-agent': 'true' }, inline, ...(extra.boundary ? { boundary: 'cap' } : {}) }],
  ...(extra.boundary ? { policies: { cap: extra.boundary } } : {}),
  ...(extra.scps ? { scps: extra.scps } : {}),
});
const findings = (spec: AccountSpec, check: string): Finding[] =>
  analyzeSnapshots([snapshot(spec)], defaultConfig(), opts).flatMap((a) => a.report.findings).filter((f) => f.principalArn === AGENT && f.checkId === check);
const exfil = (spec: AccountSpec) => findings(spec, 'data-exfiltration');
const writeAll = (spec: AccountSpec) => findings(spec, 'write-all-resources');

describe('data-exfiltration: where the read applies', () => {
  it('GetSecretValue on *: high for an agent', () => {
    const [f] = exfil(agent([doc(allow('secretsmanager:GetSecretValue', '*'))]));
    expect(f!.severity).toBe('high');
    expect(f!.actions).toEqual(['secretsmanager:GetSecretValue']);
    expect(f!.description).not.toContain('names only the resource type');
  });

  it.each([
    ['every secret', secret('*'), 'secretsmanager:GetSecretValue'],
    ['every secret in any region and account', 'arn:aws:secretsmanager:*:*:secret:*', 'secretsmanager:GetSecretValue'],
    ['every object of every bucket', 'arn:aws:s3:::*/*', 's3:GetObject'],
    ['every table', table('*'), 'dynamodb:Scan'],
  ])('a pattern that names only the resource type (%s) is every such resource: high, said', (_n, r, action) => {
    const [f] = exfil(agent([doc(allow(action, r))]));
    expect(f!.severity).toBe('high');
    expect(f!.actions).toEqual([action]);
    expect(f!.description).toContain(`${action} is granted on a pattern that names only the resource type`);
  });

  it('named, non-production secrets or tables: no "every resource" finding (the inventory path names them)', () => {
    expect(exfil(agent([doc(allow('secretsmanager:GetSecretValue', secret('kiro/*')))]))).toEqual([]);
    expect(exfil(agent([doc(allow('dynamodb:Scan', table('kiro-scratch-*')))]))).toEqual([]);
    expect(exfil(agent([doc(allow('s3:GetObject', 'arn:aws:s3:::kiro-bucket/*'))]))).toEqual([]);
  });

  it('controls: behind an approval condition, under a Deny, or capped to named secrets by the boundary or an SCP: not claimed', () => {
    const wide = allow('secretsmanager:GetSecretValue', secret('*'));
    expect(exfil(agent([doc(allow('secretsmanager:GetSecretValue', secret('*'), MFA))]))).toEqual([]);
    expect(exfil(agent([doc(wide, { Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', NotResource: secret('kiro/*') })]))).toEqual([]);
    expect(exfil(agent([doc(wide, deny('secretsmanager:GetSecretValue', secret('prod/*')))]))).toEqual([]);
    expect(exfil(agent([doc(wide)], { boundary: doc(allow('secretsmanager:GetSecretValue', secret('kiro/*'))) }))).toEqual([]);
    expect(exfil(agent([doc(wide)], { scps: [doc(allow('secretsmanager:GetSecretValue', secret('kiro/*')))] }))).toEqual([]);
    // A boundary or SCP that is itself wide keeps it.
    expect(exfil(agent([doc(wide)], { boundary: doc(allow('secretsmanager:*', '*')) }))).toHaveLength(1);
    expect(exfil(agent([doc(wide)], { scps: [doc(allow('*', '*'))] }))).toHaveLength(1);
  });

  it('a pattern of another service is not the type (session 36): ebs snapshots are ec2 ARNs', () => {
    expect(exfil(agent([doc(allow('secretsmanager:GetSecretValue', 'arn:aws:s3:::*'))]))).toEqual([]);
    expect(exfil(agent([doc(allow('ebs:GetSnapshotBlock', 'arn:aws:ebs:*::snapshot/*'))]))).toEqual([]);
    // Controls: the catalog's own ARN services.
    expect(exfil(agent([doc(allow('ebs:GetSnapshotBlock', 'arn:aws:ec2:*::snapshot/*'))])).map((f) => f.actions)).toEqual([['ebs:GetSnapshotBlock']]);
    expect(exfil(agent([doc(allow('s3:GetObject', 'arn:aws:s3:::*'))])).map((f) => f.actions)).toEqual([['s3:GetObject']]);
  });

  it('a non-ARN pattern grants nothing: not claimed', () => {
    expect(exfil(agent([doc(allow('secretsmanager:GetSecretValue', 'secret:*'))]))).toEqual([]);
  });
});

describe('write-all-resources: only on `*`', () => {
  it('PutItem on *: fires; on named tables: does not', () => {
    expect(writeAll(agent([doc(allow('dynamodb:PutItem', '*'))])).map((f) => f.actions)).toEqual([['dynamodb:PutItem']]);
    expect(writeAll(agent([doc(allow('dynamodb:PutItem', table('kiro-scratch-*')))]))).toEqual([]);
    expect(writeAll(agent([doc(allow('dynamodb:PutItem', table('prod-orders')))]))).toEqual([]);
  });
});

// Adding a statement never lowers data-exfiltration's severity (nor removes its finding).
// Type-wide and named patterns first: fast-check favours the first constants.
const POOL = [secret('*'), secret('kiro/*'), 'arn:aws:s3:::*/*', 'arn:aws:s3:::kiro-bucket/*', secret('prod/*'), 'secret:*', '*'];
const statementArb = fc.record({ action: fc.constantFrom('secretsmanager:GetSecretValue', 's3:GetObject'), resource: fc.constantFrom(...POOL), approval: fc.boolean() })
  .map(({ action, resource, approval }) => allow(action, resource, approval ? MFA : undefined));
const rank = (statements: unknown[]) => Math.max(-1, ...exfil(agent(statements.length > 0 ? [doc(...statements)] : [])).map((f) => severityRank[f.severity]));

describe('properties', () => {
  it('adding an Allow never lowers the severity', () => {
    let typeWide = 0;
    fc.assert(fc.property(fc.array(statementArb, { maxLength: 3 }), statementArb, (base, extra) => {
      const before = rank(base);
      expect(rank([...base, extra])).toBeGreaterThanOrEqual(before);
      if (before >= 0 && !base.some((s) => s.Resource === '*' && !s.Condition)) typeWide++;
    }), { numRuns: 30, examples: [[[allow('secretsmanager:GetSecretValue', secret('*'))], allow('s3:GetObject', 'arn:aws:s3:::kiro-bucket/*')]] });
    // The property saw findings made by type-wide patterns alone, not only by `*` (the example is one).
    expect(typeWide).toBeGreaterThan(0);
  });
});
