// A `*` Allow narrowed by a Deny with NotResource (session 38, src/checks/scope.ts `grantScope`):
// `Allow dynamodb:DeleteTable on *` beside `Deny dynamodb:DeleteTable, NotResource
// table/kiro-scratch-*` deletes kiro-scratch-* tables only. Read where decidable (unconditional,
// an Action list covering the action, NotResource patterns none of them wide), counted as every
// resource otherwise. Through the real analysis (export normaliser, effective stage, graph,
// checks); the soundness property against leash's request evaluator.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultConfig } from '../../src/pipeline/scan.js';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { grantScope } from '../../src/checks/scope.js';
import { evaluate } from '../../src/iam/evaluate.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { catalog } from '../../src/iam/catalog.js';
import { allow, doc, snapshot, type AccountSpec, type Doc } from '../graph/accounts.js';
import { AGENT, account, deleteTable, table } from '../support/tier-scope.js';
import { SCRATCH_ONLY, agent, denyNot, destructive, findings, secret } from '../support/deny-scope.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const severityOf = (spec: AccountSpec) => destructive(spec).map((f) => f.severity);

describe('destructive-actions: `*` with a Deny on everything but kiro-scratch-* tables', () => {
  it('deletes only kiro-scratch-* tables: one step lower (high), and says where', () => {
    const [f, ...rest] = destructive(agent([doc(deleteTable('*'), SCRATCH_ONLY)]));
    expect(rest).toEqual([]);
    expect(f!.severity).toBe('high');
    expect(f!.title).toBe('kiro-agent can run 1 destructive action without approval, only on table/kiro-scratch-*');
    // Control: the Allow alone is every table.
    expect(severityOf(agent([doc(deleteTable('*'))]))).toEqual(['critical']);
  });

  it('a Deny over a superset of the action (dynamodb:*, dynamodb:Delete*) decides the same', () => {
    expect(severityOf(agent([doc(deleteTable('*'), denyNot('dynamodb:*', table('kiro-scratch-*')))]))).toEqual(['high']);
    expect(severityOf(agent([doc(deleteTable('*'), denyNot('dynamodb:Delete*', table('kiro-scratch-*')))]))).toEqual(['high']);
  });

  it('in its own policy, a boundary or an SCP: an explicit Deny wins in every layer', () => {
    expect(severityOf(agent([doc(deleteTable('*')), doc(SCRATCH_ONLY)]))).toEqual(['high']);
    expect(severityOf(agent([doc(deleteTable('*'))], { boundary: doc(allow('*'), SCRATCH_ONLY) }))).toEqual(['high']);
    expect(severityOf(agent([doc(deleteTable('*'))], { scps: [doc(allow('*'), SCRATCH_ONLY)] }))).toEqual(['high']);
  });

  it('two patterns: scoped to both, both named in the title', () => {
    const [f] = destructive(agent([doc(deleteTable('*'), denyNot('dynamodb:DeleteTable', [table('kiro-scratch-*'), table('kiro-tmp-*')]))]));
    expect(f!.severity).toBe('high');
    expect(f!.title).toContain('only on table/kiro-scratch-*, table/kiro-tmp-*');
  });

  it('a NotResource naming production keeps the severity and says so', () => {
    const [f] = destructive(agent([doc(deleteTable('*'), denyNot('dynamodb:DeleteTable', table('prod-orders')))]));
    expect(f!.severity).toBe('critical');
    expect(f!.title).toContain('only on table/prod-orders, which names production');
  });

  it('a `*` Allow beside a named production grant: the Deny leaves both, so production stays named (adding an Allow never lowers)', () => {
    const prodOnly = [doc(deleteTable(table('prod-orders')), denyNot('dynamodb:DeleteTable', table('p*')))];
    expect(severityOf(agent(prodOnly))).toEqual(['critical']);
    // Found in session 39: with `Allow *` added, the Deny's `table/p*` alone stood for where it
    // applies, and prod-orders (still deletable) was no longer named: high.
    const [f] = destructive(agent([doc(deleteTable('*'), deleteTable(table('prod-orders')), denyNot('dynamodb:DeleteTable', table('p*')))]));
    expect(f!.severity).toBe('critical');
    expect(f!.title).toContain('table/prod-orders');
    // Control: the same `*` and Deny beside a named non-production table stay one step lower.
    expect(severityOf(agent([doc(deleteTable('*'), deleteTable(table('pipeline-scratch')), denyNot('dynamodb:DeleteTable', table('p*')))]))).toEqual(['high']);
  });

  it('hostile NotResource text (terminal escapes) reaches the title escaped; control: the plain name is shown', () => {
    const [f] = destructive(agent([doc(deleteTable('*'), denyNot('dynamodb:DeleteTable', table('kiro-\u001b]0;pwned\u0007\u001b[2J-*')))]));
    expect(f!.severity).toBe('high');
    expect(f!.title).not.toMatch(/\u001b|\u0007/);
    expect(f!.description).not.toMatch(/\u001b|\u0007/);
    expect(f!.title).toContain('only on table/kiro-');
  });

  it.each([
    ['a Condition on the Deny', denyNot('dynamodb:DeleteTable', table('kiro-scratch-*'), { Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } })],
    ['NotAction with NotResource (mixed forms)', { Effect: 'Deny', NotAction: 'dynamodb:DescribeTable', NotResource: table('kiro-scratch-*') }],
    ['a wide NotResource pattern (table/*)', denyNot('dynamodb:DeleteTable', 'arn:aws:dynamodb:*:*:table/*')],
    ['a wide pattern beside a named one', denyNot('dynamodb:DeleteTable', [table('kiro-scratch-*'), '*'])],
    ['a Deny on another action only', denyNot('dynamodb:DeleteBackup', table('kiro-scratch-*'))],
    ['a Deny with Resource on named tables (every other table stays)', { Effect: 'Deny', Action: 'dynamodb:DeleteTable', Resource: table('prod-*') }],
  ])('not decidable, or not narrowing: %s — every table, critical', (_n, st) => {
    expect(severityOf(agent([doc(deleteTable('*'), st)]))).toEqual(['critical']);
  });
});

describe('the same rule in the other callers of grantScope', () => {
  it('a credential read (GetSecretValue) left on kiro/* secrets only: one step lower; control without the Deny', () => {
    const reads = (inline: Doc[]) => findings(agent(inline)).filter((f) => f.checkId === 'privilege-escalation' && f.technique === 'secretsmanager-read-secrets').map((f) => f.severity);
    expect(reads([doc(allow('secretsmanager:GetSecretValue'), denyNot('secretsmanager:GetSecretValue', secret('kiro/*')))])).toEqual(['high']);
    expect(reads([doc(allow('secretsmanager:GetSecretValue'))])).toEqual(['critical']);
  });

  it('widening (session 37\'s control, now decided): the caller\'s `*` left on kiro-scratch-* is widened by a role holding every table', () => {
    const esc = (own: unknown[]) => findings(account(own, { deploy: [deleteTable('*')] })).filter((f) => f.checkId === 'privilege-escalation' && f.technique === 'sts-assume-permissive-role');
    const [f] = esc([deleteTable('*'), SCRATCH_ONLY]);
    expect(f!.severity).toBe('high');
    expect(f!.description).toContain('It holds dynamodb:DeleteTable itself only on table/kiro-scratch-*');
    // Control: the same Deny behind a Condition decides nothing: every table itself, nothing widened.
    expect(esc([deleteTable('*'), denyNot('dynamodb:DeleteTable', table('kiro-scratch-*'), { Condition: { Bool: { 'aws:ViaAWSService': 'false' } } })])).toEqual([]);
  });

  it('agent-reaches-destructive: a reached role whose `*` is left on kiro-* tables is read as scoped (medium); control without the Deny (high)', () => {
    const reach = (deploy: unknown[]) => findings(account([], { deploy })).filter((f) => f.checkId === 'agent-reaches-destructive').map((f) => [f.severity, f.title.includes('only on table/kiro-*')]);
    expect(reach([deleteTable('*'), denyNot('dynamodb:DeleteTable', table('kiro-*'))])).toEqual([['medium', true]]);
    expect(reach([deleteTable('*')])).toEqual([['high', false]]);
  });
});

// Properties over one agent's statements on DeleteTable and GetSecretValue: Allows and Denies from
// pools, decidable and not. grantScope read directly (the function every caller asks).
const expander = new ActionExpander(catalog());
const ACTIONS = ['dynamodb:DeleteTable', 'secretsmanager:GetSecretValue'];
const ALLOWS: unknown[] = [deleteTable('*'), deleteTable(table('kiro-*')), allow('secretsmanager:GetSecretValue'), allow('secretsmanager:GetSecretValue', secret('kiro/*')), deleteTable('arn:aws:dynamodb:*:*:table/*')];
const DENIES: unknown[] = [
  SCRATCH_ONLY, denyNot('dynamodb:*', [table('kiro-scratch-*'), table('ops-*')]), denyNot('secretsmanager:GetSecretValue', secret('kiro/*')),
  denyNot('dynamodb:DeleteTable', table('kiro-scratch-*'), { Condition: { Bool: { 'aws:SecureTransport': 'true' } } }),
  { Effect: 'Deny', NotAction: 'dynamodb:DescribeTable', NotResource: table('kiro-scratch-*') }, denyNot('dynamodb:DeleteTable', '*'),
  { Effect: 'Deny', Action: 'dynamodb:DeleteTable', Resource: table('prod-*') }, denyNot('dynamodb:DeleteTable', 'arn:aws:s3:::kiro-bucket'),
];
// Resources a grant could apply to: the evaluator says whether each is allowed.
const RESOURCES: Record<string, string[]> = {
  'dynamodb:DeleteTable': ['kiro-scratch-1', 'kiro-a', 'ops-1', 'prod-orders', 'other'].map((n) => table(n)),
  'secretsmanager:GetSecretValue': ['kiro/x', 'prod/db', 'other'].map((n) => secret(n)),
};
function scopeOf(statements: unknown[]) {
  const snap = snapshot(agent(statements.length > 0 ? [doc(...statements)] : []));
  const a = analyzePrincipals(snap, defaultConfig(), expander, NOW).find((x) => x.principal.arn === AGENT)!;
  const held = ACTIONS.filter((k) => a.effective.unconditional.has(expander.idOf(k)));
  return { a, scope: grantScope(expander, a.principal, held, { effective: a.effective }) };
}
const scopedSet = (s: ReturnType<typeof grantScope>) => new Set(s.scoped.map((x) => x.action));

describe('properties', () => {
  it('adding a Deny never widens a grant: what was scoped stays scoped (or is no longer held)', () => {
    let narrowed = 0;
    fc.assert(fc.property(fc.array(fc.constantFrom(...ALLOWS), { minLength: 1, maxLength: 3 }), fc.array(fc.constantFrom(...DENIES), { maxLength: 2 }), fc.constantFrom(...DENIES), (allows, denies, extra) => {
      const before = scopeOf([...allows, ...denies]).scope;
      const after = scopeOf([...allows, ...denies, extra]).scope;
      const now = scopedSet(after);
      for (const x of before.scoped) expect(now.has(x.action) || !after.everywhere.includes(x.action)).toBe(true);
      if (before.everywhere.some((x) => now.has(x))) narrowed++;
    }), { numRuns: 60, examples: [[[deleteTable('*')], [], SCRATCH_ONLY]] });
    // Some draws were narrowed by the added Deny (the example is one).
    expect(narrowed).toBeGreaterThan(0);
  });

  it('adding an Allow never lowers the destructive-actions severity (named production grants beside `*` included)', () => {
    const rank: Record<string, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
    const worst = (statements: unknown[]) => Math.max(-1, ...severityOf(agent([doc(...statements)])).map((x) => rank[x]!));
    const allows = [...ALLOWS, deleteTable(table('prod-orders')), deleteTable(table('pipeline-x'))];
    const denies = [...DENIES, denyNot('dynamodb:DeleteTable', table('p*'))];
    fc.assert(fc.property(fc.array(fc.constantFrom(...allows), { minLength: 1, maxLength: 2 }), fc.array(fc.constantFrom(...denies), { maxLength: 2 }), fc.constantFrom(...allows), (some, deny, extra) => {
      expect(worst([...some, extra, ...deny])).toBeGreaterThanOrEqual(worst([...some, ...deny]));
    }), { numRuns: 60, examples: [[[deleteTable(table('prod-orders'))], [denyNot('dynamodb:DeleteTable', table('p*'))], deleteTable('*')]] });
  });

  it('never understated: a resource the evaluator allows matches one of the scoped patterns', () => {
    let checked = 0;
    fc.assert(fc.property(fc.array(fc.constantFrom(...ALLOWS), { minLength: 1, maxLength: 3 }), fc.array(fc.constantFrom(...DENIES), { maxLength: 3 }), (allows, denies) => {
      const { a, scope } = scopeOf([...allows, ...denies]);
      const identity = a.principal.policies.map((x) => x.document);
      for (const { action, patterns } of scope.scoped) {
        for (const resource of RESOURCES[action]!) {
          if (evaluate({ action, resource }, { identity }).decision !== 'Allowed') continue;
          checked++;
          const re = patterns.map((pt) => new RegExp(`^${pt.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`));
          expect(re.some((r) => r.test(resource)), `${action} on ${resource} is allowed, scoped to ${patterns.join(', ')}`).toBe(true);
        }
      }
    }), { numRuns: 60, examples: [[[deleteTable('*')], [SCRATCH_ONLY]]] });
    expect(checked).toBeGreaterThan(0);
  });
});
