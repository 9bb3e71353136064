// agent-reaches-destructive weighs where the principals an agent can act as hold what it gains
// (src/checks/scope.ts reachedScope, session 36): scoped to named, non-production resources is one
// step lower, as destructive-actions says of the agent's own grants; wide wins, production keeps.
// An agent's own grant only on named resources no longer hides the same action on every resource
// through a role. Through the real analysis (export normaliser, effective stage, graph, checks).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import { severityRank, type Finding } from '../../src/model/finding.js';
import { DEV, allow, arn, doc, snapshot, trust, type AccountSpec, type Doc } from '../graph/accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false };
const AGENT = arn(DEV, 'role', 'kiro-agent');
const table = (name: string) => `arn:aws:dynamodb:us-east-1:${DEV}:table/${name}`;
const deleteTable = (resource: string | string[]) => allow('dynamodb:DeleteTable', resource);

/** The agent may assume each named role; each role's inline statements as given. */
function account(own: unknown[], roles: Record<string, unknown[]>): AccountSpec {
  const assume = allow('sts:AssumeRole', Object.keys(roles).map((r) => arn(DEV, 'role', r)));
  return {
    roles: [
      { name: 'kiro-agent', trust: trust({ Service: 'ec2.amazonaws.com' }), tags: { 'ai-agent': 'true' }, inline: [doc(assume, ...own)] },
      ...Object.entries(roles).map(([name, st]) => ({ name, trust: trust({ AWS: DEV }), inline: st.length > 0 ? [doc(...st) as Doc] : [] })),
    ],
  };
}
function findings(spec: AccountSpec): Finding[] {
  return analyzeSnapshots([snapshot(spec)], defaultConfig(), opts).flatMap((a) => a.report.findings).filter((f) => f.principalArn === AGENT);
}
const reaches = (spec: AccountSpec) => findings(spec).filter((f) => f.checkId === 'agent-reaches-destructive');

describe('agent-reaches-destructive: where the reached role holds the delete', () => {
  it('a role that may delete every table: high, no scope said', () => {
    const [f, ...rest] = reaches(account([], { deploy: [deleteTable('*')] }));
    expect(rest).toEqual([]);
    expect(f!.severity).toBe('high');
    expect(f!.title).toBe('kiro-agent can reach 1 destructive action through deploy');
    expect(f!.description).not.toContain('scoped');
  });

  it('a role that may delete only kiro-scratch-* tables: one step lower (medium), and where', () => {
    const [f] = reaches(account([], { deploy: [deleteTable(table('kiro-scratch-*'))] }));
    expect(f!.severity).toBe('medium');
    expect(f!.title).toBe('kiro-agent can reach 1 destructive action through deploy, only on table/kiro-scratch-*');
    expect(f!.description).toContain('Every such grant is scoped to named resources (only on table/kiro-scratch-*)');
    // Control: table/* is the whole resource type: wide.
    expect(reaches(account([], { deploy: [deleteTable(table('*'))] }))[0]!.severity).toBe('high');
  });

  it('a scoped pattern naming production keeps the severity and says so', () => {
    const [f] = reaches(account([], { deploy: [deleteTable(table('prod-orders'))] }));
    expect(f!.severity).toBe('high');
    expect(f!.title).toContain('only on table/prod-orders, which names production');
  });

  it('wide wins: a second role it can act as holds the same delete on every table', () => {
    const spec = account([], { deploy: [deleteTable(table('kiro-scratch-*'))], ops: [deleteTable('*')] });
    const [f] = reaches(spec);
    expect(f!.severity).toBe('high');
    expect(f!.title).not.toContain('only on');
    // Control: both roles scoped: lowered, both patterns said.
    const [g] = reaches(account([], { deploy: [deleteTable(table('kiro-scratch-*'))], ops: [deleteTable(table('kiro-tmp-*'))] }));
    expect(g!.severity).toBe('medium');
    expect(g!.title).toMatch(/only on table\/kiro-(scratch|tmp)-\*, table\/kiro-(scratch|tmp)-\*$/);
  });

  it('mixed: one gained action scoped, the other on every resource: severity stands', () => {
    const [f] = reaches(account([], { deploy: [deleteTable(table('kiro-scratch-*')), allow('cloudformation:DeleteStack')] }));
    expect(f!.severity).toBe('high');
    expect(f!.description).toContain('the others on every resource, so the severity stands');
  });
});

describe('agent-reaches-destructive: the agent\'s own grant', () => {
  it('its own delete only on named tables does not hide the same delete on every table through a role', () => {
    const [f, ...rest] = reaches(account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable('*')] }));
    expect(rest).toEqual([]);
    expect(f!.severity).toBe('high');
    expect(f!.actions).toEqual(['dynamodb:DeleteTable']);
    expect(f!.description).toContain('This agent may dynamodb:DeleteTable itself only on named resources, but it can act as deploy');
  });

  it('controls: its own delete on every table, or the role\'s scoped too, gains nothing', () => {
    expect(reaches(account([deleteTable('*')], { deploy: [deleteTable('*')] }))).toEqual([]);
    expect(reaches(account([deleteTable(table('*'))], { deploy: [deleteTable('*')] }))).toEqual([]);
    expect(reaches(account([deleteTable(table('kiro-scratch-*'))], { deploy: [deleteTable(table('kiro-tmp-*'))] }))).toEqual([]);
  });

  it('its own scoped delete and no role: destructive-actions lowers it, this check says nothing', () => {
    const all = findings(account([deleteTable(table('kiro-scratch-*'))], { reader: [allow('dynamodb:DescribeTable')] }));
    expect(all.filter((f) => f.checkId === 'agent-reaches-destructive')).toEqual([]);
    const own = all.filter((f) => f.checkId === 'destructive-actions' && f.subject === 'destructive');
    expect(own.map((f) => f.severity)).toEqual(['high']);
  });
});

// A role's statements from a pool of patterns; adding one never lowers what the agent is told.
// Scoped patterns first: fast-check favours the first constants, and lowered cases must occur.
const POOL = [table('kiro-scratch-*'), 'arn:aws:s3:::kiro-bucket', '*', table('*'), table('prod-orders'), 'arn:aws:s3:::*'];
const statementArb = fc.record({ action: fc.constantFrom('dynamodb:DeleteTable', 's3:DeleteBucket'), resource: fc.constantFrom(...POOL) }).map(({ action, resource }) => allow(action, resource));
const rank = (statements: unknown[], own: unknown[]) => Math.max(-1, ...reaches(account(own, { deploy: statements })).map((f) => severityRank[f.severity]));

describe('properties', () => {
  it('adding a statement to the reached role never lowers the severity', () => {
    let lowered = 0;
    fc.assert(fc.property(fc.array(statementArb, { maxLength: 3 }), statementArb, fc.boolean(), (base, extra, ownScoped) => {
      const own = ownScoped ? [deleteTable(table('kiro-scratch-*'))] : [];
      const before = rank(base, own);
      expect(rank([...base, extra], own)).toBeGreaterThanOrEqual(before);
      if (before === severityRank.medium) lowered++;
    }), { numRuns: 40, examples: [[[deleteTable(table('kiro-scratch-*'))], allow('s3:DeleteBucket', '*'), false]] });
    // The property saw lowered findings, not only the wide ones (the example is one; draws add more).
    expect(lowered).toBeGreaterThan(0);
  });
});

// privilege-escalation judges the same reach by the tier it adds: a destructive gain scoped at
// every target is one step lower there too, so the two findings agree.
const escalation = (spec: AccountSpec) => findings(spec).filter((f) => f.checkId === 'privilege-escalation' && f.technique === 'sts-assume-permissive-role');

describe('privilege-escalation: a destructive gain scoped at its targets', () => {
  it('assuming a role that deletes only kiro-scratch-* tables: medium, as agent-reaches-destructive says', () => {
    const spec = account([], { deploy: [deleteTable(table('kiro-scratch-*'))] });
    const [f] = escalation(spec);
    expect(f!.severity).toBe('medium');
    expect(f!.title).toContain('adding destructive actions only on table/kiro-scratch-*');
    expect(reaches(spec).map((x) => x.severity)).toEqual(['medium']);
  });

  it('controls: on every table, or a production name: high', () => {
    expect(escalation(account([], { deploy: [deleteTable('*')] })).map((f) => f.severity)).toEqual(['high']);
    const [p] = escalation(account([], { deploy: [deleteTable(table('prod-orders'))] }));
    expect(p!.severity).toBe('high');
    expect(p!.title).toContain('which names production');
  });

  it('another target of the same severity that adds credential access (ranked below destructive) keeps it high', () => {
    const spec = account([], { deploy: [deleteTable(table('kiro-scratch-*'))], ops: [allow('sts:GetFederationToken', '*')] });
    expect(escalation(spec).map((f) => f.severity)).toEqual(['high']);
  });
});

describe('privilege-escalation: a self policy edit capped by a boundary', () => {
  const USER = arn(DEV, 'user', 'kiro-bot');
  const selfEdit = (cap: Doc): AccountSpec => ({
    users: [{ name: 'kiro-bot', inline: [doc(allow('iam:PutUserPolicy', USER))], boundary: 'cap', tags: { 'ai-agent': 'true' } }],
    policies: { cap },
  });
  const edit = (spec: AccountSpec) => analyzeSnapshots([snapshot(spec)], defaultConfig(), opts).flatMap((a) => a.report.findings)
    .filter((f) => f.principalArn === USER && f.technique === 'iam-put-user-policy');

  it('the boundary lets it give itself deletes of kiro-* buckets only: medium; of every bucket: high', () => {
    const scoped = edit(selfEdit(doc(allow('iam:PutUserPolicy'), allow('s3:DeleteBucket', 'arn:aws:s3:::kiro-*'))));
    expect(scoped.map((f) => [f.severity, f.title.endsWith('adding destructive actions only on kiro-*')])).toEqual([['medium', true]]);
    expect(edit(selfEdit(doc(allow('iam:PutUserPolicy'), allow('s3:DeleteBucket', 'arn:aws:s3:::*')))).map((f) => f.severity)).toEqual(['high']);
  });
});
