// Request-level evaluation of identity-based access inside one account: explicit deny beats
// allow; identity policies, the permissions boundary, each SCP level and a session policy must
// each allow. Resource-based policies and cross-account access are out of scope (the report
// says so). Three-valued: a decision can be "Conditional" when it hinges on a condition key the
// context does not know.
import type { PolicyDocument, Statement } from '../model/policy.js';
import { and3, evaluateCondition, or3, substituteVariables, type RequestContext, type Tri } from './conditions.js';
import { arnMatches, statementCovers } from './pattern.js';

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied' | 'Conditional';

export interface Request {
  readonly action: string;
  /** A concrete resource ARN, or `*` for actions that take no resource. */
  readonly resource: string;
  readonly context?: RequestContext;
}

export interface PolicySet {
  readonly identity: readonly PolicyDocument[];
  readonly boundary?: readonly PolicyDocument[];
  /** One entry per level of the organization (root → OU → account); each level must allow. */
  readonly scps?: readonly (readonly PolicyDocument[])[];
  readonly session?: readonly PolicyDocument[];
}

export interface StatementRef {
  readonly layer: 'identity' | 'boundary' | 'scp' | 'session';
  readonly policyIndex: number;
  readonly statementIndex: number;
  readonly effect: 'Allow' | 'Deny';
  readonly applies: Tri;
}

export interface EvaluationResult {
  readonly decision: Decision;
  readonly matched: readonly StatementRef[];
}

const OPEN: RequestContext = { values: {} };

function matchList(patterns: readonly string[], value: string, match: (p: string, v: string) => boolean, ctx: RequestContext, vars: boolean): Tri {
  let r: Tri = false;
  for (const p of patterns) {
    const sub = vars ? substituteVariables(p, ctx) : p;
    if (sub === undefined) {
      r = or3(r, ctx.closedWorld ? false : 'unknown');
      continue;
    }
    if (match(sub, value)) return true;
  }
  return r;
}

/** Does this statement apply to the request? (Action/NotAction, Resource/NotResource, Condition) */
export function statementApplies(s: Statement, req: Request, useVariables: boolean): Tri {
  if (!statementCovers(s, req.action)) return false;
  return statementAppliesToResource(s, req, useVariables);
}

/** statementApplies for a statement already known to cover the action (callers that index statements by action). */
export function statementAppliesToResource(s: Statement, req: Request, useVariables: boolean): Tri {
  const ctx = req.context ?? OPEN;
  let resourceHit: Tri = true;
  if (s.resource) resourceHit = matchList(s.resource, req.resource, arnMatches, ctx, useVariables);
  else if (s.notResource) {
    const inList = matchList(s.notResource, req.resource, arnMatches, ctx, useVariables);
    resourceHit = inList === 'unknown' ? 'unknown' : !inList;
  }
  if (resourceHit === false) return false;
  return and3(resourceHit, evaluateCondition(s.condition, ctx, useVariables));
}

interface LayerResult { allow: Tri; deny: Tri }

function evaluateLayer(docs: readonly PolicyDocument[], req: Request, layer: StatementRef['layer'], matched: StatementRef[]): LayerResult {
  let allow: Tri = false;
  let deny: Tri = false;
  docs.forEach((doc, policyIndex) => {
    const vars = doc.version === '2012-10-17';
    for (const s of doc.statements) {
      const applies = statementApplies(s, req, vars);
      if (applies === false) continue;
      matched.push({ layer, policyIndex, statementIndex: s.index, effect: s.effect, applies });
      if (s.effect === 'Deny') deny = or3(deny, applies);
      else allow = or3(allow, applies);
    }
  });
  return { allow, deny };
}

export function evaluate(req: Request, policies: PolicySet): EvaluationResult {
  const matched: StatementRef[] = [];
  const layers: LayerResult[] = [evaluateLayer(policies.identity, req, 'identity', matched)];
  if (policies.boundary) layers.push(evaluateLayer(policies.boundary, req, 'boundary', matched));
  for (const level of policies.scps ?? []) layers.push(evaluateLayer(level, req, 'scp', matched));
  if (policies.session) layers.push(evaluateLayer(policies.session, req, 'session', matched));

  const deny = layers.reduce<Tri>((d, l) => or3(d, l.deny), false);
  if (deny === true) return { decision: 'ExplicitlyDenied', matched };
  const allow = layers.reduce<Tri>((a, l) => and3(a, l.allow), true);
  if (allow === false) return { decision: 'ImplicitlyDenied', matched };
  if (allow === true && deny === false) return { decision: 'Allowed', matched };
  return { decision: 'Conditional', matched };
}
