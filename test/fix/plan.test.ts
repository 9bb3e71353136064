import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { defaultConfig, type LeashConfig } from '../../src/config/config.js';
import { computeNeeded } from '../../src/baseline/needed.js';
import { forbiddenActions } from '../../src/baseline/forbidden.js';
import { linkFixes, planFixes, tightenedTrust } from '../../src/fix/plan.js';
import type { Finding } from '../../src/model/finding.js';
import { catalog } from '../../src/iam/catalog.js';
import { evaluate } from '../../src/iam/evaluate.js';
import { effectivePermissions } from '../../src/iam/effective.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import type { Role, Snapshot } from '../../src/model/snapshot.js';
import type { ActionUsage, UsageData } from '../../src/model/usage.js';
import { ACCOUNT, doc, snapshotOf } from '../support/snapshot.js';

const expander = new ActionExpander(catalog());
const ARN = `arn:aws:iam::${ACCOUNT}:role/kiro-agent`;
const broad = doc({ Effect: 'Allow', Action: ['cloudformation:*', 's3:*', 'lambda:*', 'iam:PassRole', 'logs:*'], Resource: '*' });

function use(action: string, resources: string[] = [], count = 3): ActionUsage {
  return { action, count, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z', resources };
}
function usage(actions: ActionUsage[], covered: UsageData['coveredPrincipals'] = 'all'): UsageData {
  return {
    window: { start: '2026-08-26T00:00:00Z', end: '2026-11-24T00:00:00Z' }, coveredPrincipals: covered, recordsRead: 100, dataEventsRead: 40, unmapped: [],
    byPrincipal: { [ARN]: { principalArn: ARN, actions, sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' } },
  };
}
function plan(snapshot: Snapshot, config: LeashConfig = defaultConfig()) {
  const a = analyzePrincipals(snapshot, config, expander).find((x) => x.principal.arn === ARN)!;
  const needed = computeNeeded(a, snapshot.usage, config, expander);
  return { a, needed, plan: planFixes(a, needed, snapshot, config, expander, ['f1']) };
}
const docs = (d: PolicyDocument | readonly PolicyDocument[] | number): PolicyDocument[] => (typeof d === 'number' ? [] : Array.isArray(d) ? [...d] : [d as PolicyDocument]);

const observed = [
  use('cloudformation:DescribeStacks', [`arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/app/1`]),
  use('s3:GetObject', ['arn:aws:s3:::assets/k1', 'arn:aws:s3:::assets/k2']),
  use('s3:PutObject', ['arn:aws:s3:::assets/out/k3']),
  use('logs:FilterLogEvents'),
  use('lambda:UpdateFunctionConfiguration', [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:rollup`]),
];

describe('right-sized policy and boundary from observed use', () => {
  const snapshot = snapshotOf([{ name: 'kiro-agent', inline: [broad], maxSessionDuration: 43200 }], {}, { usage: usage(observed) });

  it('renders the fix README when read (not held from planning), the same each time and through a structured clone (analysis workers)', () => {
    const { plan: p, needed } = plan(snapshot);
    const text = p.readme;
    expect(text).toMatch(/^# Fixes for kiro-agent\n/);
    expect(text).toContain(`Principal: \`${ARN}\``);
    expect(text).toContain(`; ${needed.observed.length} observed actions.`);
    for (const f of p.fixes) expect(text).toContain(`## ${f.title}`);
    expect(p.readme).toBe(text);
    expect(structuredClone(p).readme).toBe(text);
  });

  // A plan lives until its folder is written; the expander it was planned with keys every shared
  // cache of the analysis (effective sets, unions, indexes: hundreds of MB at 50,000 principals).
  it('keeps no reference to the expander it was planned with, so the analysis\' caches go before writing', async () => {
    const { collectGarbage } = await import('../../src/pipeline/release.js');
    const planned = () => {
      const x = new ActionExpander(catalog());
      const a = analyzePrincipals(snapshot, defaultConfig(), x).find((y) => y.principal.arn === ARN)!;
      const p = planFixes(a, computeNeeded(a, snapshot.usage, defaultConfig(), x), snapshot, defaultConfig(), x, ['f1']);
      return { p: linkFixes(p, []), expander: new WeakRef(x) };
    };
    const { p, expander: ref } = planned();
    await new Promise((r) => setImmediate(r)); // a WeakRef keeps its target until the current job ends
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
    expect(p.readme).toMatch(/^# Fixes for kiro-agent\n/);
    expect(p.fixes.length).toBeGreaterThan(0);
  });

  it('keeps the README a getter through linkFixes (not rendered there and held until writing), with the same text and key order', () => {
    const { plan: p } = plan(snapshot);
    const finding = { id: 'f1', checkId: 'agent-without-boundary', principalArn: ARN, fixIds: [] as string[] } as unknown as Finding;
    const linked = linkFixes(p, [finding]);
    expect(typeof Object.getOwnPropertyDescriptor(linked, 'readme')!.get).toBe('function');
    expect(Object.keys(linked)).toEqual(Object.keys(p));
    expect(linked.readme).toBe(p.readme);
    expect(linked.target).toBe(p.target);
    expect(linked.fixes.find((f) => f.kind === 'permissions-boundary')!.resolves).toEqual(['f1']);
    expect(structuredClone(linked).readme).toBe(p.readme);
  });

  it('keeps every observed call, gates the forbidden one behind approval, and is marked safe', () => {
    const { plan: p, needed } = plan(snapshot);
    const replace = p.fixes.find((f) => f.kind === 'replace-policy')!;
    expect(replace.verification.observedCallsDenied).toEqual([]);
    expect(replace.verification.forbiddenStillAllowed).toEqual([]);
    expect(replace.verification.safe).toBe(true);
    expect(replace.verification.observedCallsChecked).toBeGreaterThanOrEqual(6);
    expect(needed.gated).toEqual(['lambda:UpdateFunctionConfiguration']);
    expect(replace.countsAfter!.allowedActions).toBeLessThan(replace.countsBefore!.allowedActions / 2);
    expect(replace.countsAfter!.destructiveActions).toBe(0);
  });

  it('scopes object access to the bucket prefix in balanced mode and to exact objects in strict mode', () => {
    const balanced = plan(snapshot).plan.fixes.find((f) => f.kind === 'replace-policy')!;
    const bStatements = docs(balanced.after).flatMap((d) => d.statements);
    expect(bStatements.find((s) => s.action?.includes('s3:GetObject'))!.resource).toEqual(['arn:aws:s3:::assets/*']);
    const strictCfg = { ...defaultConfig(), baseline: { ...defaultConfig().baseline, mode: 'strict' as const } };
    const strict = plan(snapshot, strictCfg).plan.fixes.find((f) => f.kind === 'replace-policy')!;
    const sStatements = docs(strict.after).flatMap((d) => d.statements);
    expect(sStatements.find((s) => s.action?.includes('s3:GetObject'))!.resource).toEqual(['arn:aws:s3:::assets/k1', 'arn:aws:s3:::assets/k2']);
    // strict keeps no read siblings; balanced keeps the read level of used services
    const count = (f: typeof strict) => f.countsAfter!.allowedActions;
    expect(count(strict)).toBeLessThan(count(balanced));
  });

  it('denies DeleteStack without approval but allows it when the approval (MFA) holds', () => {
    const { plan: p } = plan(snapshot);
    const replace = p.fixes.find((f) => f.kind === 'replace-policy')!;
    const boundary = p.fixes.find((f) => f.kind === 'permissions-boundary')!.after as PolicyDocument;
    const identity = docs(replace.after);
    const req = (mfa?: string) => evaluate({ action: 'lambda:UpdateFunctionConfiguration', resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:rollup`, context: { values: mfa ? { 'aws:multifactorauthpresent': [mfa] } : {}, closedWorld: true } }, { identity, boundary: [boundary] }).decision;
    expect(req()).toBe('ExplicitlyDenied');
    expect(req('false')).toBe('ExplicitlyDenied');
    expect(req('true')).toBe('Allowed');
  });

  it('shortens the session and tightens the trust policy to require a source identity', () => {
    const { plan: p } = plan(snapshot);
    expect(p.fixes.find((f) => f.kind === 'max-session-duration')!.after).toBe(3600);
    const trust = p.fixes.find((f) => f.kind === 'trust-policy')!.after as PolicyDocument;
    expect(trust.statements[0]!.condition).toEqual({ Null: { 'sts:SourceIdentity': ['false'] } });
    expect(trust.statements[0]!.action).toContain('sts:SetSourceIdentity');
  });
});

describe('unknown is not unused', () => {
  it('plans no right-sized policy without usage coverage, only the boundary, and claims no unused actions', () => {
    const snapshot = snapshotOf([{ name: 'kiro-agent', inline: [broad] }], {}, { usage: usage(observed, []) });
    const { plan: p, needed } = plan(snapshot);
    expect(needed.covered).toBe(false);
    expect(needed.basis).toBe('none');
    expect(needed.summary.unusedActions).toBeUndefined();
    expect(p.fixes.map((f) => f.kind)).not.toContain('replace-policy');
    const b = p.fixes.find((f) => f.kind === 'permissions-boundary')!;
    expect(b.verification.safe).toBe(true);
    expect(b.countsAfter!.destructiveActions).toBe(0);
  });

  it('uses the declared profile when there is no usage', () => {
    const cfg = defaultConfig();
    const declared: LeashConfig = { ...cfg, baseline: { ...cfg.baseline, principals: [{ match: 'kiro-*', allow: ['logs:Get*', 's3:GetObject'], allowForbiddenWithApproval: false }] } };
    const { needed, plan: p } = plan(snapshotOf([{ name: 'kiro-agent', inline: [broad] }]), declared);
    expect(needed.basis).toBe('declared');
    expect(p.fixes.find((f) => f.kind === 'replace-policy')!.verification.safe).toBe(true);
  });
});

describe('trust tightening', () => {
  const role = (statement: unknown) => snapshotOf([{ name: 'r', trust: doc(statement) }]).principals[0] as Role;
  it('replaces "*" with the account and asks for ExternalId from other accounts', () => {
    const star = tightenedTrust(role({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }), ACCOUNT, false)!;
    expect(star.document.statements[0]!.principal).toEqual({ AWS: [`arn:aws:iam::${ACCOUNT}:root`] });
    const other = tightenedTrust(role({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'sts:AssumeRole' }), ACCOUNT, false)!;
    expect(other.document.statements[0]!.condition).toEqual({ StringEquals: { 'sts:ExternalId': ['REPLACE-WITH-EXTERNAL-ID'] } });
  });
  it('leaves a sound trust policy alone', () => {
    expect(tightenedTrust(role({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } }), ACCOUNT, false)).toBeUndefined();
  });
});

describe('fix safety property', () => {
  const pool = ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate', 'cloudformation:DeleteStack', 'cloudformation:UpdateStack', 's3:GetObject', 's3:PutObject', 's3:DeleteBucket', 's3:ListBucket', 'lambda:GetFunction', 'lambda:InvokeFunction', 'lambda:DeleteFunction', 'iam:PassRole', 'logs:GetLogEvents', 'logs:DeleteLogGroup'];
  const resources: Record<string, string[]> = { 's3:GetObject': ['arn:aws:s3:::b1/x', 'arn:aws:s3:::b2/y/z'], 's3:PutObject': ['arn:aws:s3:::b1/out'], 'lambda:InvokeFunction': [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`] };
  it('any observed subset: every non-forbidden call stays allowed, forbidden ones need approval, nothing forbidden is unconditional', () => {
    const forbidden = forbiddenActions(expander);
    fc.assert(fc.property(fc.subarray(pool, { minLength: 1 }), fc.constantFrom<'strict' | 'balanced'>('strict', 'balanced'), (actions, mode) => {
      const cfg = { ...defaultConfig(), baseline: { ...defaultConfig().baseline, mode } };
      const snapshot = snapshotOf([{ name: 'kiro-agent', inline: [broad] }], {}, { usage: usage(actions.map((x) => use(x, resources[x] ?? []))) });
      const { plan: p, a } = plan(snapshot, cfg);
      const replace = p.fixes.find((f) => f.kind === 'replace-policy')!;
      const boundary = p.fixes.find((f) => f.kind === 'permissions-boundary')!.after as PolicyDocument;
      expect(replace.verification.observedCallsDenied).toEqual([]);
      const eff = effectivePermissions({ identity: docs(replace.after), boundary: [boundary] }, expander);
      expect(expander.keys(eff.unconditional.clone().and(forbidden))).toEqual([]);
      // never more than granted today
      expect(eff.allowed.clone().andNot(a.effective.allowed).isEmpty()).toBe(true);
    }), { numRuns: 60, seed: 20261124 });
  });
});

describe('scoped statements mean what they say', () => {
  const pool = ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:GetTemplate', 'lambda:GetFunction', 'lambda:GetAlias', 'lambda:InvokeFunction', 's3:GetObject', 's3:ListBucket', 'logs:GetLogEvents'];
  const resources: Record<string, string[]> = {
    'cloudformation:DescribeStacks': [`arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/app/1`],
    'lambda:GetFunction': [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`],
    'lambda:InvokeFunction': [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`],
    's3:GetObject': ['arn:aws:s3:::b1/x'],
  };
  const split = (d: PolicyDocument[]) => {
    const statements = d.flatMap((x) => x.statements).filter((x) => x.effect === 'Allow');
    const onStar = statements.filter((x) => x.resource?.includes('*')).map((x) => expander.statementActions(x.action, x.notAction));
    const scoped = statements.filter((x) => x.resource && !x.resource.includes('*'));
    return { onStar, scoped };
  };
  it('an action scoped to the resources it was used on is never also granted on "*" by a wildcard (balanced read siblings)', () => {
    fc.assert(fc.property(fc.subarray(pool, { minLength: 1 }), fc.constantFrom<'strict' | 'balanced'>('strict', 'balanced'), (actions, mode) => {
      const cfg = { ...defaultConfig(), baseline: { ...defaultConfig().baseline, mode } };
      const snapshot = snapshotOf([{ name: 'kiro-agent', inline: [broad] }], {}, { usage: usage(actions.map((x) => use(x, resources[x] ?? []))) });
      const replace = plan(snapshot, cfg).plan.fixes.find((f) => f.kind === 'replace-policy')!;
      const { onStar, scoped } = split(docs(replace.after));
      for (const st of scoped) for (const id of expander.statementActions(st.action, st.notAction).ids()) expect(onStar.some((x) => x.has(id)), `${expander.catalog.actions[id]!.key} on "*" too`).toBe(false);
      expect(replace.verification.observedCallsDenied).toEqual([]);
    }), { numRuns: 40, seed: 20261203 });
  });
  it('the demo-like case: DescribeStacks scoped to its stack while its read siblings stay on "*" (not vacuous)', () => {
    const snapshot = snapshotOf([{ name: 'kiro-agent', inline: [broad] }], {}, { usage: usage([use('cloudformation:DescribeStacks', resources['cloudformation:DescribeStacks']!), use('cloudformation:DescribeStackEvents')]) });
    const replace = plan(snapshot).plan.fixes.find((f) => f.kind === 'replace-policy')!;
    const { onStar, scoped } = split(docs(replace.after));
    const id = expander.catalog.lookup('cloudformation:DescribeStacks')!.id;
    expect(scoped.some((st) => st.action?.includes('cloudformation:DescribeStacks'))).toBe(true);
    expect(onStar.some((x) => x.has(id))).toBe(false);
    expect(onStar.some((x) => x.has(expander.catalog.lookup('cloudformation:DescribeStackEvents')!.id))).toBe(true);
  });
});

describe('boundary for an agent nothing is known about', () => {
  it('fits one managed policy, denies destructive actions without approval, and does not gate ordinary writes', () => {
    const wide = doc({ Effect: 'Allow', Action: ['dynamodb:*', 'ec2:*', 'cloudformation:*', 's3:*', 'lambda:*', 'rds:*', 'iam:*'], Resource: '*' });
    const { plan: p, needed } = plan(snapshotOf([{ name: 'kiro-agent', inline: [wide] }]));
    expect(needed.basis).toBe('none');
    const b = p.fixes.find((f) => f.kind === 'permissions-boundary')!;
    const boundary = b.after as PolicyDocument;
    expect(b.verification.safe).toBe(true);
    expect(b.countsAfter!.destructiveActions).toBe(0);
    const eff = effectivePermissions({ identity: [snapshotOf([{ name: 'kiro-agent', inline: [wide] }]).principals[0]!.policies[0]!.document], boundary: [boundary] }, expander);
    const has = (a: string) => eff.unconditional.has(catalog().lookup(a)!.id);
    expect(has('cloudformation:DeleteStack')).toBe(false);
    expect(has('dynamodb:UpdateItem')).toBe(true);
    expect(has('dynamodb:PutItem')).toBe(true);
  });
});

describe('planning again over leash\'s own boundary', () => {
  it('plans no boundary fix (the same boundary, no KeptFromCurrent copies of its own denies); a hand-written Deny makes it differ and is kept (negative control)', async () => {
    const { policyToJson } = await import('../../src/iam/parse.js');
    const { sharedBoundaryName } = await import('../../src/fix/render/index.js');
    const first = plan(snapshotOf([{ name: 'kiro-agent', inline: [broad] }], {}, { usage: usage(observed) })).plan;
    const b1 = first.fixes.find((f) => f.kind === 'permissions-boundary')!.after as PolicyDocument;
    const name = sharedBoundaryName(b1);
    const again = (boundaryDoc: PolicyDocument) => plan(snapshotOf([{ name: 'kiro-agent', inline: [broad], boundary: name }], { [name]: policyToJson(boundaryDoc) as never }, { usage: usage(observed) })).plan;
    const second = again(b1);
    expect(second.fixes.map((f) => f.kind)).not.toContain('permissions-boundary');
    expect(second.fixes.map((f) => f.kind)).toContain('replace-policy');
    // A Deny a person added is not leash's: it is kept, and the boundary still says the same (no fix).
    const own = { index: b1.statements.length, sid: 'TeamRule', effect: 'Deny' as const, action: ['s3:DeleteBucket'], resource: ['arn:aws:s3:::prod-*'] };
    expect(again({ ...b1, statements: [...b1.statements, own] }).fixes.map((f) => f.kind)).not.toContain('permissions-boundary');
    // Negative control: a boundary missing one of leash's denies is planned again, with it.
    const weakened = { ...b1, statements: b1.statements.filter((st) => st.sid !== 'NoTampering') };
    const b3 = again(weakened).fixes.find((f) => f.kind === 'permissions-boundary')!.after as PolicyDocument;
    expect(b3.statements.map((st) => st.sid)).toContain('NoTampering');
  });
});

describe('a plan that changes nothing', () => {
  it('writes no folder (and no versions.tf); a plan with fixes still does (negative control)', async () => {
    const { writeFixPlans } = await import('../../src/fix/write.js');
    const { mkdtempSync, existsSync, readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const p = plan(snapshotOf([{ name: 'kiro-agent', inline: [broad] }], {}, { usage: usage(observed) })).plan;
    const empty = join(mkdtempSync(join(tmpdir(), 'leash-nofix-')), 'fixes');
    expect(await writeFixPlans(empty, [{ ...p, fixes: [] }])).toEqual([]);
    expect(readdirSync(empty).filter((e) => !e.startsWith('.'))).toEqual([]);
    expect(existsSync(join(empty, 'versions.tf'))).toBe(false);
    const full = join(mkdtempSync(join(tmpdir(), 'leash-fix-')), 'fixes');
    // The principal's folder and its boundary's, which is shared by content (fixes/boundaries/<name>/).
    const written = await writeFixPlans(full, [p]);
    expect(written).toHaveLength(2);
    expect(written.filter((d) => d.includes(`${join('fixes', 'boundaries')}`))).toHaveLength(1);
    expect(existsSync(join(full, 'versions.tf'))).toBe(true);
  });
});
