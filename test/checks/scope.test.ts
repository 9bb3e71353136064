// Where a destructive or credential-read grant applies (src/checks/scope.ts): a grant scoped to
// named, non-production resources is one severity step lower than the same grant on every
// resource; production names, wide patterns, NotResource and a second wide statement keep it.
// Through the real analysis (export normaliser, effective stage, checks).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import { severityRank, type Finding } from '../../src/model/finding.js';
import { DEV, allow, doc, snapshot, trust, type AccountSpec, type Doc } from '../graph/accounts.js';
import { otherService, patternIsWide } from '../../src/checks/scope.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false };
const AGENT = `arn:aws:iam::${DEV}:role/kiro-agent`;
const table = (name: string, region = 'us-east-1', account = DEV) => `arn:aws:dynamodb:${region}:${account}:table/${name}`;
const secret = (name: string) => `arn:aws:secretsmanager:us-east-1:${DEV}:secret:${name}`;
const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };

const agent = (inline: Doc[], extra: Partial<AccountSpec> & { boundary?: Doc } = {}): AccountSpec => ({
  roles: [{ name: 'kiro-agent', trust: trust({ Service: 'ec2.amazonaws.com' }), inline, ...(extra.boundary ? { boundary: 'cap' } : {}) }],
  ...(extra.boundary ? { policies: { cap: extra.boundary } } : {}),
  ...(extra.scps ? { scps: extra.scps } : {}),
});

function findings(spec: AccountSpec): Finding[] {
  return analyzeSnapshots([snapshot(spec)], defaultConfig(), opts).flatMap((a) => a.report.findings).filter((f) => f.principalArn === AGENT);
}
const destructive = (spec: AccountSpec) => findings(spec).filter((f) => f.checkId === 'destructive-actions' && f.subject === 'destructive');
const secrets = (spec: AccountSpec) => findings(spec).filter((f) => f.checkId === 'privilege-escalation' && f.technique === 'secretsmanager-read-secrets');
const deleteTable = (resource: string | string[], condition?: unknown) => doc(allow('dynamodb:DeleteTable', resource, condition));

describe('destructive-actions: where the grant applies', () => {
  it('on every resource (Resource *): critical for an agent, no scope said', () => {
    const [f] = destructive(agent([deleteTable('*')]));
    expect(f!.severity).toBe('critical');
    expect(f!.title).toBe('kiro-agent can run 1 destructive action without approval');
    expect(f!.description).not.toContain('scoped');
  });

  it.each([
    ['table/* in the account', table('*')],
    ['table/* in any region and account', 'arn:aws:dynamodb:*:*:table/*'],
    ['a wildcard inside the resource type', 'arn:aws:dynamodb:us-east-1:111111111111:ta*'],
    ['every resource of the service', 'arn:aws:dynamodb:*:*:*'],
  ])('a pattern whose name part is all wildcard (%s) is as wide as *: critical', (_n, r) => {
    const [f] = destructive(agent([deleteTable(r)]));
    expect(f!.severity).toBe('critical');
    expect(f!.title).not.toContain('only on');
  });

  it('only on kiro-scratch-* tables: one step lower (high), and the title says where', () => {
    const [f] = destructive(agent([deleteTable(table('kiro-scratch-*'))]));
    expect(f!.severity).toBe('high');
    expect(f!.title).toBe('kiro-agent can run 1 destructive action without approval, only on table/kiro-scratch-*');
    expect(f!.description).toContain('Every such grant is scoped to named resources (only on table/kiro-scratch-*)');
    // Control: the same pattern with region and account wildcards is still scoped (the name decides).
    expect(destructive(agent([deleteTable('arn:aws:dynamodb:*:*:table/kiro-scratch-*')]))[0]!.severity).toBe('high');
  });

  it('a scoped pattern that names production keeps the severity and says so', () => {
    const [f] = destructive(agent([deleteTable(table('prod-orders'))]));
    expect(f!.severity).toBe('critical');
    expect(f!.title).toContain('only on table/prod-orders, which names production');
    expect(f!.description).toContain('names production: the severity stands');
    // A production value (live) counts as well; control: a word that only contains one does not.
    expect(destructive(agent([deleteTable(table('live-*'))]))[0]!.severity).toBe('critical');
    expect(destructive(agent([deleteTable(table('deliver-*'))]))[0]!.severity).toBe('high');
  });

  it('a policy variable is the caller\'s own: scoped', () => {
    expect(destructive(agent([deleteTable(table('${aws:userid}-*'))]))[0]!.severity).toBe('high');
    expect(destructive(agent([deleteTable(table('${aws:PrincipalTag/team}'))]))[0]!.severity).toBe('high');
  });

  it('NotResource is everything but: wide', () => {
    const notResource = doc({ Effect: 'Allow', Action: 'dynamodb:DeleteTable', NotResource: table('prod-*') });
    expect(destructive(agent([notResource]))[0]!.severity).toBe('critical');
  });

  it('a second statement granting the same action on * wins over the scoped one', () => {
    const both = destructive(agent([deleteTable(table('kiro-scratch-*')), deleteTable('*')]));
    expect(both[0]!.severity).toBe('critical');
    expect(both[0]!.title).not.toContain('only on');
    // The same with the wide statement on table/* (not "*": the effective stage does not hold it on every resource).
    const tables = destructive(agent([deleteTable(table('kiro-scratch-*')), deleteTable('arn:aws:dynamodb:*:*:table/*')]));
    expect(tables[0]!.severity).toBe('critical');
    expect(tables[0]!.title).not.toContain('only on');
    const reads = secrets(agent([doc(allow('secretsmanager:GetSecretValue', [secret('kiro/*'), secret('*')]))]));
    expect(reads.map((f) => f.severity)).toEqual(['critical']);
    // Control: the wide statement behind an approval condition is not what the agent holds: scoped stands.
    expect(destructive(agent([deleteTable(table('kiro-scratch-*')), deleteTable('*', MFA)]))[0]!.severity).toBe('high');
  });

  it('mixed: one action scoped, another on every resource: severity unchanged, what is scoped is listed', () => {
    const [f] = destructive(agent([deleteTable(table('kiro-scratch-*')), doc(allow('s3:DeleteBucket', 'arn:aws:s3:::*'))]));
    expect(f!.severity).toBe('critical');
    expect(f!.description).toContain('Scoped to named resources: dynamodb:DeleteTable (only on table/kiro-scratch-*); the others on every resource');
    // Control: the bucket scoped too, every grant scoped: lower, both patterns listed.
    const [g] = destructive(agent([deleteTable(table('kiro-scratch-*')), doc(allow('s3:DeleteBucket', 'arn:aws:s3:::kiro-scratch-bucket'))]));
    expect(g!.severity).toBe('high');
    expect(g!.title).toContain('only on table/kiro-scratch-*, kiro-scratch-bucket');
  });

  it('more than three patterns: three and "and N more"', () => {
    const [f] = destructive(agent([deleteTable(['a', 'b', 'c', 'd', 'e'].map((x) => table(`scratch-${x}`)))]));
    expect(f!.severity).toBe('high');
    expect(f!.title).toContain('only on table/scratch-a, table/scratch-b, table/scratch-c and 2 more');
  });

  it('a boundary that allows the action only on named tables scopes an identity grant on *', () => {
    const cap = doc(allow('dynamodb:DeleteTable', table('kiro-scratch-*')));
    expect(destructive(agent([deleteTable('*')], { boundary: cap }))[0]!.severity).toBe('high');
    // Control: a boundary on * leaves it wide.
    expect(destructive(agent([deleteTable('*')], { boundary: doc(allow('dynamodb:*')) }))[0]!.severity).toBe('critical');
  });

  it('hostile pattern text is escaped and bounded', () => {
    const long = `kiro-\u001b[31m${'x'.repeat(5000)}\u202e-*`;
    const [f] = destructive(agent([deleteTable(table(long))]));
    expect(f!.severity).toBe('high');
    expect(f!.title).not.toMatch(/[\u001b\u202e]/);
    expect(f!.title).toContain('table/kiro-\\x1b[31mxxx');
    expect(f!.title.length).toBeLessThan(200);
    expect(f!.description.length).toBeLessThan(1200);
  });
});

describe('privilege-escalation: credential reads by where they apply', () => {
  const read = (resource: string) => doc(allow('secretsmanager:GetSecretValue', resource));

  it('GetSecretValue on *: critical for an agent; on secret:* likewise', () => {
    expect(secrets(agent([read('*')])).map((f) => f.severity)).toEqual(['critical']);
    expect(secrets(agent([read(secret('*'))])).map((f) => f.severity)).toEqual(['critical']);
  });

  it('only on kiro-scratch/* secrets: high and said; a production secret: critical and said', () => {
    const [f] = secrets(agent([read(secret('kiro-scratch/*'))]));
    expect(f!.severity).toBe('high');
    expect(f!.title).toBe('kiro-agent can escalate privileges: Read stored secrets, only on secret:kiro-scratch/*');
    const [p] = secrets(agent([read(secret('prod/db-*'))]));
    expect(p!.severity).toBe('critical');
    expect(p!.description).toContain('names production');
  });

  it('a wide second statement wins', () => {
    expect(secrets(agent([read(secret('kiro-scratch/*')), read('*')])).map((f) => f.severity)).toEqual(['critical']);
  });

  it('a technique the graph judges is untouched by scope', () => {
    const own = (resource: string) => findings(agent([doc(allow('iam:PutRolePolicy', resource))])).filter((f) => f.technique === 'iam-put-role-policy');
    const scoped = own(`arn:aws:iam::${DEV}:role/kiro-agent`);
    expect(scoped.map((f) => f.severity)).toEqual(['critical']);
    expect(scoped[0]!.title).not.toContain('only on');
  });
});

describe('a pattern of another service (session 36)', () => {
  it('DeleteTable on arn:aws:s3:::* grants it on no table: scoped (high), shown whole, said', () => {
    const [f] = destructive(agent([deleteTable('arn:aws:s3:::*')]));
    expect(f!.severity).toBe('high');
    expect(f!.title).toBe('kiro-agent can run 1 destructive action without approval, only on arn:aws:s3:::*');
    expect(f!.description).toContain('arn:aws:s3:::* names another service than the action\'s resources: no grant there.');
    // And on a named bucket: still scoped, said the same way.
    expect(destructive(agent([deleteTable('arn:aws:s3:::x')]))[0]!.description).toContain('arn:aws:s3:::x names another service');
  });

  it('controls: the same pattern for an action of that service is wide; a wide table pattern beside it wins', () => {
    const bucket = destructive(agent([doc(allow('s3:DeleteBucket', 'arn:aws:s3:::*'))]));
    expect(bucket.map((f) => f.severity)).toEqual(['critical']);
    expect(bucket[0]!.description).not.toContain('another service');
    expect(destructive(agent([deleteTable(['arn:aws:s3:::*', table('*')])]))[0]!.severity).toBe('critical');
    // The service field compares case-insensitively: not claimed as another service.
    expect(destructive(agent([deleteTable('arn:aws:DynamoDB:*:*:table/*')]))[0]!.severity).toBe('critical');
  });

  it('only a literal service field of a six-part ARN decides (unit level)', () => {
    const s3 = new Set(['s3']);
    expect([otherService('arn:aws:dynamodb:*:*:table/*', s3), otherService('arn:aws:s3:::*', s3), otherService('arn:aws:S3:::*', s3), otherService('*', s3), otherService('arn:aws:s3:::*', null), otherService('arn:aws:s*:::*', s3)]).toEqual([true, false, false, false, false, false]);
  });
});

describe('the wide/scoped rule on patterns', () => {
  it('reads the resource-name part after the resource type', () => {
    const t = ['table/'];
    expect([patternIsWide('*', t), patternIsWide('arn:*', t), patternIsWide(table('*'), t), patternIsWide(table('k*'), t), patternIsWide(table('kiro'), t)]).toEqual([true, true, true, false, false]);
    // S3 buckets have no type word: any literal name is scoped, `*` is not.
    expect([patternIsWide('arn:aws:s3:::*', ['']), patternIsWide('arn:aws:s3:::b*', ['']), patternIsWide('arn:aws:s3:::*/*', [''])]).toEqual([true, false, true]);
    // `${*}` is a literal star: scoped.
    expect(patternIsWide(table('${*}x'), t)).toBe(false);
  });
});

// Statements over two destructive actions and a credential read, each on a pool of patterns.
const POOL: readonly (string | { not: string })[] = ['*', table('*'), 'arn:aws:dynamodb:*:*:table/*', table('kiro-scratch-*'), table('prod-orders'), table('${aws:userid}'), { not: table('prod-*') }, 'arn:aws:s3:::*', 'arn:aws:s3:::kiro-bucket', secret('kiro/*'), secret('prod/*'), secret('*')];
const ACTIONS = ['dynamodb:DeleteTable', 's3:DeleteBucket', 'secretsmanager:GetSecretValue'];
const statementArb = fc.record({ action: fc.constantFrom(...ACTIONS), resource: fc.constantFrom(...POOL), approval: fc.boolean() }).map(({ action, resource, approval }) => ({
  Effect: 'Allow', Action: action, ...(typeof resource === 'string' ? { Resource: resource } : { NotResource: resource.not }), ...(approval ? { Condition: MFA } : {}),
}));
// Per check (and technique), the highest severity: destructive-actions' info finding for conditional
// grants gives way to the unconditional one when a statement adds it.
function ranks(statements: unknown[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of findings(agent(statements.length > 0 ? [doc(...statements)] : []))) {
    if (f.checkId !== 'destructive-actions' && f.technique !== 'secretsmanager-read-secrets') continue;
    const k = `${f.checkId}|${f.technique ?? ''}`;
    out.set(k, Math.max(out.get(k) ?? -1, severityRank[f.severity]));
  }
  return out;
}

describe('properties', () => {
  it('adding a statement never lowers a severity', () => {
    fc.assert(fc.property(fc.array(statementArb, { maxLength: 3 }), statementArb, (base, extra) => {
      const before = ranks(base);
      const after = ranks([...base, extra]);
      for (const [k, r] of before) expect(after.get(k) ?? -1).toBeGreaterThanOrEqual(r);
    }), { numRuns: 40 });
  });

  it('a scoped grant is never more than one step below the same grants on every resource', () => {
    let lowered = 0;
    fc.assert(fc.property(fc.array(statementArb, { minLength: 1, maxLength: 3 }), (statements) => {
      const wide = statements.map((s) => { const { NotResource: _n, Resource: _r, ...rest } = s as Record<string, unknown>; return { ...rest, Resource: '*' }; });
      const scoped = ranks(statements);
      const open = ranks(wide);
      for (const [k, r] of open) {
        const s = scoped.get(k);
        if (s !== undefined) expect(s).toBeGreaterThanOrEqual(r - 1);
        if (s === r - 1) lowered++;
      }
      for (const [k, s] of scoped) expect(open.get(k)).toBeGreaterThanOrEqual(s);
    }), { numRuns: 40 });
    // The property saw scoped grants lowered, not only equal severities.
    expect(lowered).toBeGreaterThan(0);
  });
});
