// Small worlds for resource-side tests: callers made of real parsed policies (the engine's own
// parser), resources shaped as the inventory contract says.
import type { Resource, ResourceType } from '../../src/model/inventory.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import { parsePolicy } from '../../src/iam/parse.js';
import { principalFacts } from '../../src/iam/principal-context.js';
import { configuredOrganization, organizationValues } from '../../src/iam/organization.js';
import type { Caller, Layer } from '../../src/graph/request.js';
import type { ResourceCaller } from '../../src/resources/evaluate.js';

export const DEV = '111111111111';
export const PROD = '222222222222';
export type Doc = { Version: string; Statement: unknown[] };
export const doc = (...statements: unknown[]): Doc => ({ Version: '2012-10-17', Statement: statements });
export const allow = (action: string | string[], resource: string | string[] = '*', condition?: unknown) => ({ Effect: 'Allow', Action: action, Resource: resource, ...(condition ? { Condition: condition } : {}) });
export const deny = (action: string | string[], resource: string | string[] = '*', condition?: unknown) => ({ Effect: 'Deny', Action: action, Resource: resource, ...(condition ? { Condition: condition } : {}) });
export const grant = (principal: unknown, action: string | string[], resource: string | string[] = '*', condition?: unknown, effect: 'Allow' | 'Deny' = 'Allow') => ({ Effect: effect, Principal: principal, Action: action, Resource: resource, ...(condition ? { Condition: condition } : {}) });

export function parsed(d: Doc): PolicyDocument {
  const r = parsePolicy(d, 'any');
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.document;
}

const layer = (side: Layer['side'], docs: Doc[]): Layer => ({ side, docs: docs.map((d, i) => ({ name: `${side}-${i}`, document: parsed(d) })) });

export interface CallerSpec { kind: 'user' | 'role'; account?: string; name: string; identity?: Doc[]; boundary?: Doc[]; scps?: Doc[][]; path?: string; orgId?: string }

export function callerOf(s: CallerSpec): ResourceCaller {
  const account = s.account ?? DEV;
  const arn = `arn:aws:iam::${account}:${s.kind}${s.path ?? '/'}${s.name}`;
  const principal = s.kind === 'user'
    ? { kind: 'user' as const, arn, id: 'AIDAEXAMPLE000000001', name: s.name, path: s.path ?? '/', tags: {}, policies: [], unresolvedPolicyArns: [], groups: [] }
    : { kind: 'role' as const, arn, id: 'AROAEXAMPLE000000001', name: s.name, path: s.path ?? '/', tags: {}, policies: [], unresolvedPolicyArns: [], trustPolicy: parsed(doc()), instanceProfiles: [] };
  const caller: Caller = {
    arn, account,
    identity: layer('identity', s.identity ?? []),
    ...(s.boundary ? { boundary: layer('boundary', s.boundary) } : {}),
    scps: (s.scps ?? []).map((l) => layer('scp', l)),
    // The organization keys as every stage gets them (src/iam/organization.ts).
    context: principalFacts(principal, undefined, organizationValues(account, configuredOrganization(s.orgId, [account]))).context,
  };
  return { caller, kind: s.kind, ...(s.kind === 'role' ? { roleName: s.name, serviceLinked: (s.path ?? '/').startsWith('/aws-service-role/') } : {}), uniqueId: principal.id };
}

export function bucket(name: string, account: string, policy?: Doc, tags: Record<string, string> = {}): Resource {
  return { arn: `arn:aws:s3:::${name}`, type: 's3:bucket', name, account, region: 'us-east-1', tags, ...(policy ? { policy: parsed(policy) } : {}) };
}

export function resource(type: ResourceType, name: string, account: string, opts: { policy?: Doc; tags?: Record<string, string>; arn?: string } = {}): Resource {
  const arns: Partial<Record<ResourceType, string>> = {
    'cloudformation:stack': `arn:aws:cloudformation:us-east-1:${account}:stack/${name}/0a1b2c3d-0000-0000-0000-000000000000`,
    'dynamodb:table': `arn:aws:dynamodb:us-east-1:${account}:table/${name}`,
    'kms:key': `arn:aws:kms:us-east-1:${account}:key/${name}`,
    'secretsmanager:secret': `arn:aws:secretsmanager:us-east-1:${account}:secret:${name}-AbCdEf`,
    'lambda:function': `arn:aws:lambda:us-east-1:${account}:function:${name}`,
    's3:bucket': `arn:aws:s3:::${name}`,
  };
  return { arn: opts.arn ?? arns[type]!, type, name, account, region: 'us-east-1', tags: opts.tags ?? {}, ...(opts.policy ? { policy: parsed(opts.policy) } : {}) };
}
