import { defineCheck } from './types.js';
import { agentLabel, listText, statementEvidence } from './evidence.js';
import { graphJudgement } from '../graph/techniques.js';
import { endText, targetText } from '../graph/describe.js';
import type { EscalatingEdge, Widen } from '../graph/index.js';
import type { GraphNodeInternal } from '../graph/build.js';
import { ASSUME, isTrustOnly, judgedEdges, judgedWiden, judgesTrustOnly, recordTrustOnly, withTrustOnly } from './escalation-hits.js';
import { POWER_TIERS, type PowerTier } from '../model/graph.js';
import { severityRank, type Severity } from '../model/finding.js';
import { grantScope, ONE_STEP_LOWER, patternsText, reachedScope, scopeVerdict, type Holder } from './scope.js';
import { typeWideReader } from './widen.js';
import type { CheckContext } from './types.js';
import type { Evidence } from '../model/finding.js';
import { markersFrom } from '../resources/markers.js';
import { tierSets } from '../graph/power.js';

const ASSUME_ACTIONS: readonly string[] = ['sts:AssumeRole'];

/**
 * Evidence name of a `sts-assume-permissive-role` finding for a principal none of whose own
 * policies allows sts:AssumeRole (session 43): each value is a role (or hub of roles) whose trust
 * lets it in without one. The fix stage reads it (plan.ts `linkFixes`): no fix of the principal's
 * own policies is credited with closing such a finding.
 */
export const TRUST_ONLY_EVIDENCE = 'AssumableWithoutOwnAllow';
const TRUST_ONLY_TEXT = 'is allowed no sts:AssumeRole by its own policies and needs none for these roles: within its account, a trust policy that names it (its ARN, or a session of it) or any principal lets it assume the role without an identity-policy Allow; only an explicit Deny, an SCP, or (for a role named by its role ARN) its permissions boundary stops it';
const TRUST_ONLY_REMEDIATION = 'Remove this principal (and "*") from the trust policy of each role named, or deny sts:AssumeRole on those roles explicitly in its permissions boundary, its own policies or an SCP: it holds no Allow to remove.';

const nameOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1).replace(/#.*$/, '');

const TIER_TEXT: Readonly<Record<PowerTier, string>> = {
  admin: 'administrator access',
  'iam-write': 'IAM write actions',
  destructive: 'destructive actions',
  'credential-access': 'credential access',
  'data-read': 'data reads on every resource',
  other: 'other actions',
};

// Severity is what the technique gains, not its label (session 30): the same PutUserPolicy is
// full takeover without a boundary and "destructive actions" under one that allows s3:* only.
// Admin is critical whatever the label; the tiers below it are what agent-reaches-destructive and
// the fixes weigh (high), data reads medium. "other" never escalates (power.ts `escalates`).
const TIER_SEVERITY: Readonly<Record<PowerTier, Severity>> = {
  admin: 'critical',
  'iam-write': 'high',
  destructive: 'high',
  'credential-access': 'high',
  'data-read': 'medium',
  other: 'low',
};
/** Only if a condition holds, or through compute leash cannot see: a step lower, never above medium (as before). */
const LOWER: Readonly<Record<Severity, Severity>> = { critical: 'medium', high: 'medium', medium: 'low', low: 'low', info: 'info' };

export const privilegeEscalation = defineCheck({
  id: 'privilege-escalation',
  title: 'Privilege escalation technique within reach',
  severity: 'critical',
  rationale: 'A principal that can rewrite policies, pass privileged roles to new compute, or mint credentials for others can become an administrator. A technique counts only where it reaches a principal (or a state of one) that can do more than the caller — in the order admin, IAM write, destructive, credential access, data reads on every resource — judged by the access graph with the trust, identity, boundary and SCP rules of every hop. Severity follows what it gains, not the technique: critical when it reaches an administrator, high for IAM write, destructive actions or credential access, medium for data reads on every resource; one step lower (at most medium) when only a condition or unseen compute makes the hop. Techniques the graph does not judge (credential reads, AssumeRoot) keep their catalogued severity, critical for an AI agent or an engineer\'s session, one step lower when every grant is scoped to named resources none of which names production; so is a gain of destructive actions that every target it reaches holds only on such resources.',
  references: ['https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/', 'https://pathfinding.cloud', 'https://github.com/BishopFox/iam-vulnerable'],
  run(ctx) {
    // Without the whole IAM inventory, "no target gives more" cannot be told from "targets unseen".
    const whole = judgesTrustOnly(ctx);
    const markers = markersFrom(ctx.config.resources?.production);
    const readTypeWide = typeWideReader(ctx);
    return ctx.principals.flatMap((a) => {
      // Administrators need no escalation; admin-access already says so.
      if (a.isAdmin) return [];
      // What it holds only on named resources, for the graph's tiers (session 37): read once per
      // principal, and only when some edge's far side holds one of them on every resource.
      const hits = ctx.graph && whole ? withTrustOnly(ctx, a) : a.escalation;
      const widening = ctx.graph && whole ? judgedWiden(ctx, a, hits, readTypeWide) : undefined;
      return hits.flatMap((h) => {
        const trustOnly = isTrustOnly(h);
        const judged = ctx.graph && whole ? graphJudgement(h.techniqueId) : undefined;
        let via = '';
        let possibleOnly = false;
        let gained: Severity | undefined;
        let reached: ReturnType<typeof scopeVerdict> | undefined;
        let wider: { keys: readonly string[]; text: string } | undefined;
        let trustEvidence: Evidence[] | undefined;
        if (judged) {
          const edges = judgedEdges(ctx, a, h, widening)!;
          // Counted elsewhere from the same answer (escalation-hits.ts: report.json, agent-without-boundary, fixes).
          if (trustOnly) recordTrustOnly(ctx, a, edges.length > 0);
          if (edges.length === 0) return [];
          // The edge that gains most decides, a conditional or inferred one counted a step lower.
          // An assume hop's edge carries the caller's own condition where IAM asks for its Allow
          // (build.ts callerSide): a conditional sts:AssumeRole of its own does not lower a hop to a
          // role whose trust names it directly, which needs no Allow of its own (session 43).
          const ownCondition = h.conditional && h.techniqueId !== ASSUME;
          const severityOf = (x: (typeof edges)[number]) => (ownCondition || x.strength === 'possible' ? LOWER[TIER_SEVERITY[x.adds]] : TIER_SEVERITY[x.adds]);
          const rank = (x: (typeof edges)[number]) => severityRank[severityOf(x)] * POWER_TIERS.length - POWER_TIERS.indexOf(x.adds);
          let best = edges[0]!;
          for (const x of edges) if (rank(x) > rank(best)) best = x;
          gained = severityOf(best);
          possibleOnly = best.strength === 'possible';
          const text = (x: (typeof edges)[number]) => targetText(x.edge, (id) => x.target.label ?? nameOf(id));
          const distinct = new Set([text(best)]);
          for (const x of edges) distinct.add(text(x));
          const targets = [...distinct];
          if (trustOnly) trustEvidence = targets.slice(0, 3).map((value) => ({ kind: 'attribute' as const, name: TRUST_ONLY_EVIDENCE, value }));
          via = ` It reaches ${listText(targets, 3)}, which adds ${TIER_TEXT[best.adds]}${possibleOnly ? ' (only if a condition holds, or if existing compute carries the role)' : ''}.`;
          // Gained by where, not what: the caller holds the action, but only on named resources.
          const widenedTop = edges.filter((x) => x.widened && x.widened.length > 0 && severityOf(x) === gained);
          if (widenedTop.length > 0 && widening) {
            const ids = new Set(widenedTop.flatMap((x) => x.widened!));
            const scoped = widening.scope.scoped.filter((x) => ids.has(ctx.expander.idOf(x.action)));
            const keys = scoped.map((x) => x.action);
            // Left on no resource by a Deny with NotResource (session 40) or by Allow layers that
            // share none (session 41): gained everywhere.
            const held = [...new Set(scoped.flatMap((x) => x.patterns))];
            const layers = keys.filter((k) => widening.scope.disjoint?.some((d) => d.action === k)).length;
            const why = layers === 0 ? 'denied wherever allowed' : layers === keys.length ? 'its Allow layers share no resource' : 'allowed nowhere';
            if (keys.length > 0) wider = { keys, text: ` It holds ${listText(keys, 3)} itself ${held.length > 0 ? `only on ${patternsText(held, 3)}` : `on no resource (${why})`}; it reaches ${holdersText(ctx, widenedTop, widening.widen, text, keys.length === 1 ? 'it' : 'them')}: ${keys.length === 1 ? 'that action' : 'those actions'} on every other resource ${keys.length === 1 ? 'is' : 'are'} gained.` };
          }
          // Destructive actions every such target holds only on named, non-production resources: one
          // step lower, as agent-reaches-destructive says of the same reach (session 36). Read only
          // when destructive is all that decides the severity, for at most 50 targets.
          const top = edges.filter((x) => severityOf(x) === gained);
          // A target that widens an action holds it on every resource: wide wins, nothing to read.
          if (top.every((x) => x.adds === 'destructive' && !x.widened?.length) && top.length <= 50) {
            const destructive = tierSets(ctx.expander).destructive;
            const own = a.effective.unconditional;
            // A target holding an added one on every resource decides it without reading statements (wide wins).
            const wide = top.some((x) => x.target.power.allResources.gainsIn(own, destructive));
            const ids = new Set<number>();
            if (!wide) for (const x of top) for (const id of x.target.power.unconditional.clone().and(destructive).andNot(own).toArray()) ids.add(id);
            const holders = top.flatMap((x): Holder[] => (x.target.principal && x.target.effective ? [{ principal: x.target.principal, effective: x.target.effective }] : []));
            const account = ctx.snapshot.account.id;
            if (ids.size > 0 && ids.size <= 200) {
              reached = scopeVerdict(reachedScope(ctx.expander, holders, [...ids].map((id) => ctx.expander.catalog.actions[id]!.key), {
                ...(ctx.evidence ? { index: ctx.evidence } : {}), markers, scpsOf: (p) => (p.arn.split(':')[4] === account ? ctx.snapshot.scps : undefined),
              }));
            }
          }
        }
        // Where the graph does not judge the technique (credential reads, AssumeRoot) or
        // the inventory is partial, what it gains is unknown: its label stands, and an unattended
        // agent or an engineer's session is assumed the worst, as before.
        const labelled = gained ?? (h.conditional ? 'medium' as const : a.isAgent || a.humanSession ? 'critical' as const : h.severity);
        // A technique the graph never judges (credential reads, AssumeRoot) granted only on named,
        // non-production resources is one step lower (session 35); a conditional one is already lowered.
        const scope = !gained && !h.conditional && graphJudgement(h.techniqueId) === undefined
          ? scopeVerdict(grantScope(ctx.expander, a.principal, h.actions, { effective: a.effective, ...(ctx.evidence ? { index: ctx.evidence } : {}), ...(ctx.snapshot.scps ? { scps: ctx.snapshot.scps } : {}), markers }))
          : reached;
        const severity = scope?.lower ? ONE_STEP_LOWER[labelled] : labelled;
        return [{
          principalArn: a.principal.arn,
          subject: h.techniqueId,
          technique: h.techniqueId,
          severity,
          title: `${a.principal.name} can escalate privileges: ${h.name}${scope?.only ? `, ${reached ? 'adding destructive actions ' : ''}${scope.only}` : ''}${wider ? `, gaining ${listText(wider.keys, 1)} on every resource` : ''}`,
          description: `${h.description} This ${agentLabel(a.isAgent)} ${trustOnly ? TRUST_ONLY_TEXT : `is allowed ${listText(h.actions, 6)}${h.conditional ? ' (only when a condition holds)' : ''}`}.${via || (h.passableRoles ? ` Roles it can pass that can do more than it can: ${listText(h.passableRoles.map(nameOf), 3)}.` : '')}${wider?.text ?? ''}${scope?.text ?? ''}`,
          evidence: trustEvidence ?? statementEvidence(ctx.expander, a.principal, h.actions, 6, ctx.evidence),
          actions: trustOnly ? ASSUME_ACTIONS : h.actions,
          remediation: trustOnly ? TRUST_ONLY_REMEDIATION : 'Remove these actions or scope them to resources that cannot lead to more privilege; the generated boundary denies them without human approval.',
        }];
      });
    });
  },
});

/**
 * Who holds the widened actions on every resource, in words: the edges' targets that do
 * themselves (their every-resource set, or a type-wide grant), then (session 39) the targets that
 * lead to one that does — "hub, and through it deploy": the nearest such principal behind each of
 * the first three (one path search each; before, such a hub was said to hold them itself).
 */
function holdersText(ctx: CheckContext, edges: readonly EscalatingEdge[], widen: Widen, text: (x: EscalatingEdge) => string, it: string): string {
  const label = (id: string) => ctx.graph!.node(id)?.label ?? nameOf(id);
  const direct = new Set<string>(), via = new Set<string>(), behind = new Set<string>();
  for (const x of edges) {
    const ids = x.widened!;
    const holds = (n: GraphNodeInternal) => {
      const typeWide = n.principal ? widen.at?.(n) : undefined;
      return ids.some((id) => n.power.allResources.has(id) || typeWide?.has(id) === true);
    };
    if (holds(x.target)) { direct.add(text(x)); continue; }
    if (via.has(text(x))) continue;
    via.add(text(x));
    if (via.size > 3) continue;
    const path = ctx.graph!.path(x.target.id, holds);
    if (path) behind.add(endText(path, label));
  }
  const verb = (n: number) => (n === 1 ? 'holds' : 'hold');
  const parts: string[] = [];
  if (direct.size > 0) parts.push(`${listText([...direct], 3)}, which ${verb(direct.size)} ${it} on every resource`);
  if (via.size > 0) {
    const who = behind.size > 0 ? `${listText([...behind], 3)}${via.size > 3 ? ' among others' : ''}` : 'a principal';
    parts.push(`${listText([...via], 3)}, and through ${via.size === 1 ? 'it' : 'them'} ${who}, which ${verb(behind.size || 1)} ${it} on every resource`);
  }
  return parts.join(', and ');
}
