// Request-level decisions for the graph: may this caller perform this action on this resource?
// Each layer (identity, boundary, SCP levels) is kept apart, because IAM combines them
// differently by who a trust policy names: a role trust policy that names a user's ARN needs
// nothing from the user's identity policies; one that names a role's ARN is still limited by the
// role's boundary; one that names the account needs an identity Allow too. Explicit denies and
// SCPs apply every time.
import type { PolicyDocument, Statement } from '../model/policy.js';
import { and3, gatesOnApproval, not3, or3, type RequestContext, type Tri } from '../iam/conditions.js';
import { statementAppliesToResource } from '../iam/evaluate.js';
import { coveringStatementsOf } from '../iam/effective.js';
import type { HopCondition, HopEvidence } from '../model/graph.js';

export interface Layer {
  readonly side: HopEvidence['side'];
  readonly docs: readonly { readonly name: string; readonly document: PolicyDocument }[];
}

/** Who is asking: its policy layers (SCP levels each a layer) and what it settles of the request context. */
export interface Caller {
  readonly arn: string;
  readonly account: string;
  readonly identity: Layer;
  readonly boundary?: Layer;
  readonly scps: readonly Layer[];
  readonly context: RequestContext;
}

export interface LayerDecision {
  readonly deny: Tri;
  readonly identity: Tri;
  /** true when there is no boundary. */
  readonly boundary: Tri;
  /** Every SCP level allows (true when there are none). */
  readonly scp: Tri;
  /** Some statement that decided only under a condition does not hinge on approval. */
  readonly unknownNotApproval: boolean;
  readonly evidence: readonly HopEvidence[];
}

interface LayerResult { allow: Tri; deny: Tri; unknownNotApproval: boolean; evidence: HopEvidence[] }

const covering = new WeakMap<PolicyDocument, Map<string, readonly Statement[]>>();

/** The statements of a document whose Action/NotAction covers an action, once per document and action (documents are shared). */
export function coveringStatements(doc: PolicyDocument, action: string): readonly Statement[] {
  let m = covering.get(doc);
  if (!m) covering.set(doc, (m = new Map()));
  let list = m.get(action);
  if (!list) m.set(action, (list = coveringStatementsOf(doc, action)));
  return list;
}

function evalLayer(layer: Layer, callerArn: string, action: string, resource: string, ctx: RequestContext): LayerResult {
  const r: LayerResult = { allow: false, deny: false, unknownNotApproval: false, evidence: [] };
  for (const { name, document } of layer.docs) {
    const vars = document.version === '2012-10-17';
    for (const s of coveringStatements(document, action)) {
      const applies = statementAppliesToResource(s, { action, resource, context: ctx }, vars);
      if (applies === false) continue;
      if (applies === 'unknown' && !gatesOnApproval(s.condition, s.effect)) r.unknownNotApproval = true;
      if (s.effect === 'Deny') r.deny = or3(r.deny, applies);
      else {
        r.allow = or3(r.allow, applies);
        if (r.evidence.length < 2) r.evidence.push(evidenceOf(layer.side, callerArn, name, s));
      }
    }
  }
  return r;
}

export function evidenceOf(side: HopEvidence['side'], principalArn: string, policy: string, s: Statement): HopEvidence {
  return { side, principalArn, policy, statementIndex: s.index, ...(s.sid ? { sid: s.sid } : {}) };
}

export function decide(caller: Caller, action: string, resource: string, extra?: Readonly<Record<string, readonly string[]>>): LayerDecision {
  const ctx: RequestContext = extra ? { ...caller.context, values: { ...caller.context.values, ...extra } } : caller.context;
  const id = evalLayer(caller.identity, caller.arn, action, resource, ctx);
  let deny = id.deny, unknownNotApproval = id.unknownNotApproval;
  let boundary: Tri = true;
  if (caller.boundary) {
    const b = evalLayer(caller.boundary, caller.arn, action, resource, ctx);
    boundary = b.allow;
    deny = or3(deny, b.deny);
    unknownNotApproval ||= b.unknownNotApproval;
  }
  let scp: Tri = true;
  for (const level of caller.scps) {
    const l = evalLayer(level, caller.arn, action, resource, ctx);
    scp = and3(scp, l.allow);
    deny = or3(deny, l.deny);
    unknownNotApproval ||= l.unknownNotApproval;
  }
  return { deny, identity: id.allow, boundary, scp, unknownNotApproval, evidence: id.evidence };
}

/** Identity, boundary and SCPs must all allow, and nothing deny: the ordinary rule. */
export function identityAllows(d: LayerDecision): Tri {
  return and3(and3(not3(d.deny), d.identity), and3(d.boundary, d.scp));
}

export function hopCondition(t: Tri, unknownNotApproval: boolean): HopCondition | undefined {
  if (t === false) return undefined;
  if (t === true) return 'none';
  return unknownNotApproval ? 'unknown' : 'approval';
}

/** The worse of two conditions (unknown beats approval beats none). */
export function worse(a: HopCondition, b: HopCondition): HopCondition {
  const rank = { none: 0, approval: 1, unknown: 2 } as const;
  return rank[a] >= rank[b] ? a : b;
}
