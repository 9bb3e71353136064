// Naming resources in findings (issue 15): when the scan read an inventory, checks say which
// resources a principal can delete or read ("can delete 2 production stacks: api-prod, web-prod"),
// not only how many actions. Not a check: helpers for the checks that name resources.
import type { ResourceType } from '../model/inventory.js';
import type { AttributeEvidence, FindingResource } from '../model/finding.js';
import type { CheckContext } from './types.js';
import type { AccessKind } from '../resources/actions.js';
import { namingScope, resourceView, scopedView, type BlastEntry, type BlastGrant, type BlastSummary, type ResourceView } from '../resources/blast.js';

export function viewFor(ctx: CheckContext): ResourceView | undefined {
  const view = ctx.graph ? resourceView(ctx.snapshot, ctx.graph, ctx.config) : undefined;
  return view && scopedView(view, namingScope(ctx.principals.length, ctx.snapshot.inventory?.resources.length ?? 0, namedAgents(ctx.principals)).keep);
}

/** Agent principals, and human sessions an agent drives: always named. */
export function namedAgents(principals: CheckContext['principals']): string[] {
  return principals.filter((a) => a.isAgent || (a.humanSession && a.agentEvidence.length > 0)).map((a) => a.principal.arn);
}

const NOUNS: Record<ResourceType, [string, string]> = {
  'cloudformation:stack': ['stack', 'stacks'],
  's3:bucket': ['bucket', 'buckets'],
  'dynamodb:table': ['table', 'tables'],
  'rds:db': ['database', 'databases'],
  'rds:cluster': ['database cluster', 'database clusters'],
  'lambda:function': ['function', 'functions'],
  'ecs:cluster': ['ECS cluster', 'ECS clusters'],
  'ecs:service': ['ECS service', 'ECS services'],
  'eks:cluster': ['EKS cluster', 'EKS clusters'],
  'kms:key': ['KMS key', 'KMS keys'],
  'secretsmanager:secret': ['secret', 'secrets'],
  'sqs:queue': ['queue', 'queues'],
  'sns:topic': ['topic', 'topics'],
  'ecr:repository': ['repository', 'repositories'],
};

export const noun = (t: ResourceType, n: number): string => NOUNS[t][n === 1 ? 0 : 1];

/** Grants of a kind that hold without approval (an unknown condition still counts: it is not approval). */
export function unapproved(e: BlastEntry, kinds: readonly AccessKind[], which: 'own' | 'through' | 'any' = 'any'): BlastGrant[] {
  return e.grants.filter((g) => kinds.includes(g.kind) && g.condition !== 'approval' && (which === 'any' || (which === 'own') === !g.through));
}

/**
 * "2 production stacks: api-prod, web-prod; 1 production table: orders-prod; and 3 other stacks".
 * Names are raw: the caller's text goes through safeText where it is shown.
 */
export function namesText(sum: BlastSummary, maxNames = 4): string {
  const named = (t: ResourceType, prod: boolean) => sum.sample.filter((e) => e.resource.type === t && (!prod || e.environment === 'production')).map((e) => e.resource.name);
  const list = (names: string[], n: number) => `${names.slice(0, maxNames).join(', ')}${n > Math.min(maxNames, names.length) ? `, … (${n - Math.min(maxNames, names.length)} more)` : ''}`;
  if (sum.production === 0) return [...sum.byType].filter(([, v]) => v.count > 0).map(([t, v]) => `${v.count} ${noun(t, v.count)}: ${list(named(t, false), v.count)}`).join('; ');
  const parts = [...sum.byType].filter(([, v]) => v.production > 0).map(([t, v]) => `${v.production} production ${noun(t, v.production)}: ${list(named(t, true), v.production)}`);
  const rest = [...sum.byType].filter(([, v]) => v.count > v.production).map(([t, v]) => `${v.count - v.production} other ${noun(t, v.count - v.production)}`);
  return parts.join('; ') + (rest.length > 0 ? `; and ${rest.join(', ')}` : '');
}

/** The short form for titles: "2 production stacks and 1 production table". */
export function countsText(sum: BlastSummary): string {
  const prod = sum.production > 0;
  const by = [...sum.byType].map(([t, v]) => [t, prod ? v.production : v.count] as const).filter(([, n]) => n > 0);
  const word = prod ? 'production ' : '';
  let items = by.map(([t, n]) => `${n} ${word}${noun(t, n)}`);
  if (items.length > 4) {
    const rest = by.slice(3).reduce((s, [, n]) => s + n, 0);
    items = [...items.slice(0, 3), `${rest} other ${word}resource${rest === 1 ? '' : 's'}`];
  }
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function findingResources(entries: readonly BlastEntry[], grants: (e: BlastEntry) => readonly BlastGrant[], limit = 50): FindingResource[] {
  return entries.slice(0, limit).map((e) => {
    const gs = grants(e);
    const through = gs.find((g) => g.through)?.through;
    return { arn: e.resource.arn, type: e.resource.type, name: e.resource.name, account: e.resource.account, environment: e.environment, actions: [...new Set(gs.map((g) => g.action))], ...(through ? { through } : {}) };
  });
}

/** The statements that grant, as evidence lines: "orders-prod: identity kiro-workbench (FixThings)". */
export function grantEvidence(entries: readonly BlastEntry[], grants: (e: BlastEntry) => readonly BlastGrant[], limit = 6): AttributeEvidence[] {
  const out: AttributeEvidence[] = [];
  const seen = new Set<string>();
  for (const e of entries) for (const g of grants(e)) for (const ev of g.evidence) {
    const value = `${e.resource.name}: ${ev.side === 'identity' ? `policy ${ev.policy} of ${ev.arn.split('/').pop()}` : `${ev.policy} of ${ev.arn}`}${ev.sid ? ` (${ev.sid})` : ` statement ${ev.statementIndex}`}${g.through ? ` as ${g.through.split('/').pop()}` : ''}`;
    if (seen.has(value)) continue;
    seen.add(value);
    out.push({ kind: 'attribute', name: 'Grant', value });
    if (out.length >= limit) return out;
  }
  return out;
}
