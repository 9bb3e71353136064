// A principal's escalation techniques as privilege-escalation judges them, shared with whatever
// counts them (session 44): report.json's `permissions.escalationTechniques`, agent-without-boundary,
// unused-agent-trust and a fix's `countsBefore`. The effective stage's hits (analyze.ts
// `escalationHits`) need the caller's own Allow; a same-account trust naming the caller (its ARN,
// a session of it) or anyone needs none (session 43, build.ts `callerSide`): that *trust-only*
// hit is added here, and counted only where the check reports it — where the graph draws a hop
// that gives more. One decision, one place: the check reads the same hits, widening and edges.
import type { EscalatingEdge } from '../graph/index.js';
import { graphJudgement } from '../graph/techniques.js';
import { escalationTechniques } from './data.js';
import { inventoryComplete } from './passable-roles.js';
import { typeWideReader, widenFor } from './widen.js';
import type { AnalyzedPrincipal, CheckContext, EscalationHit } from './types.js';
import type { BuiltGraph } from '../graph/build.js';
import type { Snapshot } from '../model/snapshot.js';

export const ASSUME = 'sts-assume-permissive-role';

/** What the decision reads: the graph is required (without it nothing is trust-only). */
export type HitsContext = Pick<CheckContext, 'snapshot' | 'expander' | 'graph' | 'evidence'>;

/**
 * The caller's techniques, with `sts-assume-permissive-role` added when its own permissions hold
 * no sts:AssumeRole: the graph still draws a same-account hop to a role whose trust policy names
 * it (its ARN, a session of it) or any principal, which IAM allows without an identity-policy
 * Allow (build.ts `callerSide`, with the AWS passages it quotes; session 43). Whether such a hop
 * exists and gives more is the graph's decision (`escalatingEdges`), not re-derived here. The hit
 * has no actions: that marks it (`trustOnly`).
 */
export function withTrustOnly(ctx: HitsContext, a: AnalyzedPrincipal): readonly EscalationHit[] {
  if (a.escalation.some((h) => h.techniqueId === ASSUME)) return a.escalation;
  const g = ctx.graph!.built;
  const i = g.byId.get(a.principal.arn);
  // Whether one of its hops gives more (by what or by where) is decided by the edges, as for any hit.
  if (i === undefined || !g.out[i]!.some((e) => e.technique === ASSUME)) return a.escalation;
  const t = escalationTechniques().find((x) => x.id === ASSUME);
  if (!t) return a.escalation;
  return [...a.escalation, { techniqueId: t.id, name: t.name, severity: t.severity, conditional: false, actions: [], description: t.description, references: t.references }];
}

/** A hit the trust alone makes (no actions of the caller's own). */
export const isTrustOnly = (h: EscalationHit): boolean => h.actions.length === 0;

/** widenFor (src/checks/widen.ts) over the caller's techniques the graph judges; undefined when it has none. */
export function judgedWiden(ctx: HitsContext, a: AnalyzedPrincipal, hits: readonly EscalationHit[], read: ReturnType<typeof typeWideReader>): ReturnType<typeof widenFor> {
  const matches = hits.map((h) => graphJudgement(h.techniqueId)).filter((j) => j !== undefined);
  if (matches.length === 0) return undefined;
  return widenFor(ctx, ctx.graph!, a, (t) => matches.some((j) => j.match(t)), read);
}

/**
 * The hit's escalating edges, as privilege-escalation reads them: the graph's edges of the
 * technique whose far side gives more (widened by where), less hops to itself where the
 * technique is about others.
 */
export function judgedEdges(ctx: HitsContext, a: AnalyzedPrincipal, h: EscalationHit, widening: ReturnType<typeof widenFor>): EscalatingEdge[] | undefined {
  const judged = graphJudgement(h.techniqueId);
  if (!judged) return undefined;
  return ctx.graph!.escalatingEdges(a.principal.arn, judged.match, widening?.widen).filter((x) => !judged.otherOnly || x.edge.to.split('#')[0] !== a.principal.arn);
}

/** Whether the graph's trust-only judgement applies: a graph, and the whole IAM inventory ("no target gives more" needs every target). */
export function judgesTrustOnly(ctx: HitsContext): boolean {
  if (!ctx.graph) return false;
  let w = wholeMemo.get(ctx.snapshot);
  if (w === undefined) wholeMemo.set(ctx.snapshot, (w = inventoryComplete(ctx.snapshot, { rolesRequired: false }).complete));
  return w;
}
const wholeMemo = new WeakMap<Snapshot, boolean>();

/**
 * Does the principal escalate through trust alone (privilege-escalation reports a trust-only
 * finding for it)? The check records its answer as it goes (`recordTrustOnly`); asked before the
 * check ran, or without it, the same function computes it. Kept per graph and principal.
 */
export function trustOnlyEscalates(ctx: HitsContext, a: AnalyzedPrincipal): boolean {
  if (!judgesTrustOnly(ctx) || a.isAdmin) return false;
  const memo = memoOf(ctx.graph!.built);
  const hit = memo.get(a);
  if (hit !== undefined) return hit;
  const hits = withTrustOnly(ctx, a);
  const h = hits.find((x) => x.techniqueId === ASSUME && isTrustOnly(x));
  let yes = false;
  if (h) {
    // Cheap first: without widening a hop may already give more; widening only raises a hop's tier.
    yes = ctx.graph!.escalatingEdges(a.principal.arn, ASSUME).length > 0
      || (judgedEdges(ctx, a, h, judgedWiden(ctx, a, hits, typeWideReader(ctx)))?.length ?? 0) > 0;
  }
  memo.set(a, yes);
  return yes;
}

/** privilege-escalation's own answer for a principal (it has judged the trust-only hit's edges). */
export function recordTrustOnly(ctx: HitsContext, a: AnalyzedPrincipal, escalates: boolean): void {
  if (ctx.graph) memoOf(ctx.graph.built).set(a, escalates);
}

function memoOf(g: BuiltGraph): WeakMap<AnalyzedPrincipal, boolean> {
  let m = trustOnlyMemo.get(g);
  if (!m) trustOnlyMemo.set(g, (m = new WeakMap()));
  return m;
}
const trustOnlyMemo = new WeakMap<BuiltGraph, WeakMap<AnalyzedPrincipal, boolean>>();

/**
 * The principal's escalation hits as counted: the effective stage's, and the trust-only one where
 * privilege-escalation reports it (unconditional: the trust needs nothing of the caller's own).
 */
export function escalationOf(ctx: HitsContext, a: AnalyzedPrincipal): readonly EscalationHit[] {
  if (!trustOnlyEscalates(ctx, a)) return a.escalation;
  return withTrustOnly(ctx, a);
}
