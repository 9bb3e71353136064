// Paths in words and as evidence, for findings, `leash paths` and the TUI.
import type { AttributeEvidence } from '../model/finding.js';
import type { GraphPath, PathHop } from '../model/graph.js';

const TECHNIQUE_TEXT: Readonly<Record<string, string>> = {
  'sts-assume-permissive-role': 'assumes',
  'assume-role-with-web-identity': 'federates into',
  'assume-role-with-saml': 'federates into',
};

/** "function orders-api" / "stack api-prod" for the existing resource a hop goes through (src/graph/carriers.ts). */
function throughText(arn: string): string {
  const fn = /:function:([^:]+)/.exec(arn);
  if (fn) return `existing function ${fn[1]}`;
  const st = /:stack\/([^/]+)/.exec(arn);
  return st ? `existing stack ${st[1]}` : arn;
}

/**
 * The node a hop leads to, in words. "Any principal of <account> given any policy" is one node
 * shared by every principal whose policies can be rewritten (src/graph/build.ts, stateSpec): the
 * hop's own text names the principal edited, so it goes beside the shared label.
 */
export function targetText(h: Pick<PathHop, 'to' | 'why'>, label: (id: string) => string): string {
  return shared(h.to) ? `${label(h.to)} (${h.why})` : label(h.to);
}
const shared = (id: string) => id.startsWith('ceiling:');

export function hopText(h: PathHop, label: (id: string) => string): string {
  const verb = TECHNIQUE_TEXT[h.technique] ?? `via ${h.technique}`;
  const through = h.evidence.find((e) => e.resource !== undefined)?.resource;
  const qual = [
    shared(h.to) ? h.why : '',
    through ? `through ${throughText(through)}` : '',
    h.actions.length > 0 ? h.actions.slice(0, 3).join(', ') : '',
    h.condition !== 'none' ? `only if a${h.condition === 'approval' ? 'n approval' : 'n unknown'} condition holds` : '',
    h.target === 'inferred' ? 'if existing compute carries it' : '',
  ].filter(Boolean).join('; ');
  return `${label(h.from)} ${verb} ${label(h.to)}${qual ? ` (${qual})` : ''}`;
}

/** The node a path ends at, in words (targetText of its last hop). */
export function endText(p: GraphPath, label: (id: string) => string): string {
  const last = p.hops[p.hops.length - 1];
  return last ? targetText(last, label) : label(p.to);
}

export function pathText(p: GraphPath, label: (id: string) => string): string {
  return [label(p.from), ...p.hops.map((h) => targetText(h, label))].join(' → ');
}

/** One attribute per hop, naming the statements on both sides (and whose, when not the hop's own: an editor acted as). */
export function pathEvidence(p: GraphPath, label: (id: string) => string): AttributeEvidence[] {
  return p.hops.map((h, i) => ({
    kind: 'attribute' as const,
    name: `hop ${i + 1}`,
    value: `${hopText(h, label)}${h.evidence.length > 0 ? ` — ${h.evidence.map((e) => `${e.side} ${e.policy}${e.sid ? ` (${e.sid})` : ''} statement ${e.statementIndex}${e.side !== 'trust' && e.principalArn !== h.from ? ` of ${label(e.principalArn)}` : ''}`).join('; ')}` : ''}`,
  }));
}
