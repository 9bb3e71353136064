// Helpers for the renderer tests: turn parsed HCL back into statements, compare statements as
// sets, expand action patterns against the catalog, and generate policies with fast-check.
import fc from 'fast-check';
import { catalog } from '../../../src/iam/catalog.js';
import { parsePolicy } from '../../../src/iam/parse.js';
import type { PolicyDocument, Statement } from '../../../src/model/policy.js';

/** A statement with every list sorted and de-duplicated: the terms IAM evaluates it in. */
export interface SetStatement {
  sid?: string;
  effect: string;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  principal?: Record<string, string[]>;
  notPrincipal?: Record<string, string[]>;
  condition?: Record<string, Record<string, string[]>>;
}

const set = (xs: readonly string[]) => [...new Set(xs)].sort();

function principalSet(p: Statement['principal']): Record<string, string[]> | undefined {
  if (p === undefined) return undefined;
  if (p === '*') return { '*': ['*'] };
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, set(v)]).sort(([a], [b]) => String(a).localeCompare(String(b))));
}

export function toSetStatements(doc: PolicyDocument): SetStatement[] {
  return doc.statements.map((s) => {
    const out: SetStatement = { effect: s.effect };
    if (s.sid !== undefined) out.sid = s.sid;
    if (s.action) out.action = set(s.action);
    if (s.notAction) out.notAction = set(s.notAction);
    if (s.resource) out.resource = set(s.resource);
    if (s.notResource) out.notResource = set(s.notResource);
    const p = principalSet(s.principal);
    if (p) out.principal = p;
    const np = principalSet(s.notPrincipal);
    if (np) out.notPrincipal = np;
    if (s.condition) {
      const c: Record<string, Record<string, string[]>> = {};
      for (const op of Object.keys(s.condition).sort()) {
        c[op] = {};
        for (const key of Object.keys(s.condition[op]!).sort()) c[op][key] = set(s.condition[op]![key]!);
      }
      out.condition = c;
    }
    return out;
  });
}

/** hcl2json keeps HCL's template escapes verbatim; undo them the way HCL reads them (left to right). */
export function unescapeTemplate(s: string): string {
  return s.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}

type HclStatement = {
  sid?: string;
  effect?: string;
  actions?: string[];
  not_actions?: string[];
  resources?: string[];
  not_resources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  not_principals?: { type: string; identifiers: string[] }[];
  condition?: { test: string; variable: string; values: string[] }[];
};

function hclPrincipals(blocks: HclStatement['principals']): Record<string, string[]> | undefined {
  if (!blocks) return undefined;
  const out: Record<string, string[]> = {};
  for (const b of blocks) out[unescapeTemplate(b.type)] = [...(out[unescapeTemplate(b.type)] ?? []), ...b.identifiers.map(unescapeTemplate)];
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, set(v)]).sort(([a], [b]) => String(a).localeCompare(String(b))));
}

/** The statements of a parsed `data "aws_iam_policy_document"` block, in the same set terms. */
export function hclStatementsToSets(statements: readonly HclStatement[]): SetStatement[] {
  return statements.map((h) => {
    const u = (xs: string[] | undefined) => (xs ? set(xs.map(unescapeTemplate)) : undefined);
    const out: SetStatement = { effect: h.effect ?? 'Allow' };
    if (h.sid !== undefined) out.sid = unescapeTemplate(h.sid);
    const fields = [['action', h.actions], ['notAction', h.not_actions], ['resource', h.resources], ['notResource', h.not_resources]] as const;
    for (const [k, v] of fields) {
      const list = u(v);
      if (list) out[k] = list;
    }
    const p = hclPrincipals(h.principals);
    if (p) out.principal = p;
    const np = hclPrincipals(h.not_principals);
    if (np) out.notPrincipal = np;
    if (h.condition) {
      const c: Record<string, Record<string, string[]>> = {};
      for (const b of h.condition) {
        const op = unescapeTemplate(b.test);
        c[op] ??= {};
        c[op][unescapeTemplate(b.variable)] = set(b.values.map(unescapeTemplate));
      }
      out.condition = Object.fromEntries(Object.keys(c).sort().map((op) => [op, Object.fromEntries(Object.keys(c[op]!).sort().map((k) => [k, c[op]![k]!]))]));
    }
    return out;
  });
}

/** `data.aws_iam_policy_document.<name>[0].statement` for every data source in parsed HCL. */
export function policyDocumentsOf(parsed: Record<string, unknown>): Map<string, SetStatement[]> {
  const data = (parsed.data as Record<string, Record<string, { statement?: HclStatement[] }[]>> | undefined)?.aws_iam_policy_document ?? {};
  return new Map(Object.entries(data).map(([name, blocks]) => [name, hclStatementsToSets(blocks[0]?.statement ?? [])]));
}

// ---- catalog expansion (deliberately independent of src/iam/pattern.ts) ------------------------

const globCache = new Map<string, RegExp>();
function glob(pattern: string): RegExp {
  let re = globCache.get(pattern);
  if (!re) {
    const src = pattern.split('').map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&'))).join('');
    re = new RegExp(`^${src}$`, 'i');
    globCache.set(pattern, re);
  }
  return re;
}

const expansionCache = new Map<string, readonly string[]>();
function expandOne(p: string): readonly string[] {
  let hit = expansionCache.get(p);
  if (!hit) {
    const found: string[] = [];
    const colon = p.indexOf(':');
    const service = colon < 0 ? p : p.slice(0, colon);
    const re = glob(colon < 0 ? '*' : p.slice(colon + 1));
    for (const s of catalog().services) {
      if (!glob(service).test(s)) continue;
      for (const a of catalog().byService.get(s) ?? []) if (re.test(a.name)) found.push(a.key.toLowerCase());
    }
    expansionCache.set(p, (hit = found));
  }
  return hit;
}

/** Every catalog action (lower-cased `service:name`) that any of the patterns matches. */
export function expandActions(patterns: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const p of patterns) for (const a of expandOne(p)) out.add(a);
  return out;
}

// ---- generated policies ----------------------------------------------------------------------

const SPECIAL = ['a', 'b', 'z', '0', '/', '*', ':', '-', ' ', '$', '{', '}', '%', '"', '\\', '\n', '\t', 'é', 'ÿ', '~'];
/** Strings rich in what breaks renderers: HCL template starts, quotes, backslashes, control characters. */
export const trickyString = fc.string({ unit: fc.constantFrom(...SPECIAL), minLength: 1, maxLength: 16 });

const sampleActions = (() => {
  const all = catalog().actions;
  const step = Math.max(1, Math.floor(all.length / 400));
  return all.filter((_, i) => i % step === 0).map((a) => a.key);
})();

export const actionPattern = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...sampleActions) },
  { weight: 1, arbitrary: fc.constantFrom('s3:Get*', 'ec2:Describe*', 'iam:*', '*', 'dynamodb:?etItem') },
);

export const resourcePattern = fc.oneof(
  fc.constant('*'),
  fc.constant('arn:aws:s3:::bucket/home/${aws:username}/*'),
  fc.constant('arn:aws:iam::*:role/${aws:PrincipalTag/team}-*'),
  trickyString.map((s) => `arn:aws:s3:::b/${s}`),
);

const conditionOperator = fc.constantFrom('StringEquals', 'StringLike', 'ForAnyValue:StringLike', 'ForAllValues:StringEquals', 'ArnLike', 'Bool', 'NumericLessThan', 'IpAddress', 'StringEqualsIfExists', 'Null');
const conditionKey = fc.constantFrom('aws:username', 'aws:SourceIp', 'aws:PrincipalTag/team', 's3:prefix', 'aws:RequestedRegion', 'aws:MultiFactorAuthPresent', 'ec2:ResourceTag/${aws:username}');
const conditionValue = fc.oneof(trickyString, fc.constant('${aws:username}'), fc.constant('%{x}'), fc.constant('$${literal}'));

const principalValue = fc.oneof(
  fc.constant('*' as const),
  fc.dictionary(fc.constantFrom('AWS', 'Service', 'Federated', 'CanonicalUser'), fc.array(fc.oneof(fc.constant('arn:aws:iam::123456789012:root'), fc.constant('bedrock.amazonaws.com'), trickyString), { minLength: 1, maxLength: 3 }), { minKeys: 1, maxKeys: 3 }),
);

const rawStatement = fc
  .record(
    {
      Sid: fc.stringMatching(/^[A-Za-z0-9]{1,12}$/),
      Effect: fc.constantFrom('Allow', 'Deny'),
      actionKind: fc.constantFrom('Action', 'NotAction'),
      actions: fc.array(actionPattern, { minLength: 1, maxLength: 8 }),
      resourceKind: fc.constantFrom('Resource', 'NotResource', 'none'),
      resources: fc.array(resourcePattern, { minLength: 1, maxLength: 4 }),
      principalKind: fc.constantFrom('Principal', 'NotPrincipal', 'none', 'none'),
      principal: principalValue,
      Condition: fc.dictionary(conditionOperator, fc.dictionary(conditionKey, fc.array(conditionValue, { minLength: 1, maxLength: 3 }), { minKeys: 1, maxKeys: 3 }), { minKeys: 1, maxKeys: 3 }),
    },
    { requiredKeys: ['Effect', 'actionKind', 'actions', 'resourceKind', 'resources', 'principalKind', 'principal'] },
  )
  .map((r) => {
    const s: Record<string, unknown> = { Effect: r.Effect, [r.actionKind]: r.actions };
    if (r.Sid !== undefined) s.Sid = r.Sid;
    if (r.resourceKind !== 'none') s[r.resourceKind] = r.resources;
    if (r.principalKind !== 'none') s[r.principalKind] = r.principal;
    if (r.Condition !== undefined) s.Condition = r.Condition;
    return s;
  });

/** Random but valid policy documents, parsed into the model. */
export const policyDocument = fc.array(rawStatement, { minLength: 1, maxLength: 5 }).map((statements) => {
  const parsed = parsePolicy({ Version: '2012-10-17', Statement: statements }, 'any');
  if (!parsed.ok) throw new Error(`generator made an invalid policy: ${JSON.stringify(parsed.error)}`);
  return parsed.document;
});

/** Parse a policy the test wrote by hand; fail loudly if it is not valid. */
export function doc(raw: unknown): PolicyDocument {
  const parsed = parsePolicy(raw, 'any');
  if (!parsed.ok) throw new Error(`invalid test policy: ${JSON.stringify(parsed.error)}`);
  return parsed.document;
}
