// A fix is only "safe" when the engine, re-evaluating it, says so: every observed call still
// allowed (or, for forbidden actions the principal did use, allowed only behind approval), no
// destructive or escalation action reachable without the approval condition, every document
// valid JSON that parses back to itself, and within AWS size limits.
import { isDeepStrictEqual } from 'node:util';
import type { PolicyDocument } from '../model/policy.js';
import type { Verification } from '../model/fix.js';
import { evaluate } from '../iam/evaluate.js';
import { effectivePermissions, type EffectivePermissions } from '../iam/effective.js';
import { parsePolicy, policyToJson } from '../iam/parse.js';
import type { ActionExpander } from '../iam/pattern.js';
import type { ActionSet } from '../iam/action-set.js';
import type { ObservedAction } from '../baseline/needed.js';
import type { PrincipalFacts } from '../iam/principal-context.js';
import type { RequestContext } from '../iam/conditions.js';

export interface VerifyInput {
  readonly identity: readonly PolicyDocument[];
  readonly boundary?: PolicyDocument;
  /** A session policy the fix asks callers to pass: calls go through it too. */
  readonly session?: PolicyDocument;
  readonly observed: readonly ObservedAction[];
  /** Observed actions that must now need approval (forbidden but used). */
  readonly gated: readonly string[];
  /** Destructive + escalation legs; must not be allowed unconditionally (agents). */
  readonly forbidden?: ActionSet;
  readonly documents: readonly { readonly name: string; readonly document: PolicyDocument; readonly sizeOk: boolean; readonly sizeNote?: string }[];
  /**
   * Today's policies. An observed call they do not allow succeeded some other way (an API that
   * needs no permission, such as sts:GetCallerIdentity, or a resource-based policy); an identity
   * policy change cannot affect it, so it is not re-checked.
   */
  readonly current?: { readonly identity: readonly PolicyDocument[]; readonly boundary?: PolicyDocument };
  /**
   * Can the principal meet the approval condition? When it cannot, an observed gated call the fix
   * denies is denied by design (listed as such), not "approval-gated".
   */
  readonly approvalMeetable?: boolean;
  /**
   * The document leaves the gated actions out on purpose (a session policy: they run in a session
   * without it, with approval): an observed gated call it denies is counted and named as left out,
   * not dropped from the check.
   */
  readonly withholdsGated?: boolean;
  /** What the gated calls need, for the summary ("MFA"…). */
  readonly approvalLabel?: string;
  /**
   * The principal's facts (factsAfterFix: its ARN, its account's organization…), so that a
   * condition on them in today's or the new documents (a KeptScope statement's aws:PrincipalOrgID)
   * is decided as the effective stage decides it. Without them those conditions stay unknown.
   */
  readonly principal?: PrincipalFacts;
  /** The effective permissions of exactly these identity, boundary and session policies, when the caller has them already. */
  readonly effective?: EffectivePermissions;
}

const LIST = 6;
const listed = (xs: readonly string[]) => (xs.length === 0 ? '' : ` (${xs.slice(0, LIST).join(', ')}${xs.length > LIST ? `, and ${xs.length - LIST} more` : ''})`);

/** The one sentence that says what verification checked. */
export function verificationSummary(v: { checked: number; allowed: number; gated: readonly string[]; byDesign: readonly string[]; denied: readonly string[] }, what = 'observed call', byDesignWhy = 'denied outright by design, the approval condition being out of this principal\'s reach'): string {
  // The status (verified / unverified / not safe) is shown beside the summary: it is not repeated here.
  if (v.checked === 0) return `no ${what}s to check it against`;
  const parts = [`${v.allowed} ${what}${v.allowed === 1 ? '' : 's'} still allowed`, `${v.gated.length} become${v.gated.length === 1 ? 's' : ''} approval-gated${listed(v.gated)}`];
  if (v.byDesign.length > 0) parts.push(`${v.byDesign.length} ${byDesignWhy}${listed(v.byDesign)}`);
  parts.push(v.denied.length === 0 ? 'none denied' : `${v.denied.length} denied, so not safe to apply as is${listed(v.denied)}`);
  return parts.join('; ');
}

/**
 * The sentence for a fix checked against observed sessions (a trust policy, a session length):
 * a session is let in or not, nothing there waits for approval, so no "approval-gated" part.
 */
export function sessionVerificationSummary(checked: number, refused: readonly string[], kept: string, notKept: string): string {
  if (checked === 0) return 'no observed sessions to check it against';
  const ok = checked - refused.length;
  return `${ok} observed session${ok === 1 ? '' : 's'} ${kept}; ${refused.length === 0 ? `none ${notKept}` : `${refused.length} ${notKept}, so not safe to apply as is${listed(refused)}`}`;
}

export function verifyFix(input: VerifyInput, expander: ActionExpander): Verification {
  const denied: string[] = [];
  const gatedCalls: string[] = [];
  const byDesign: string[] = [];
  let allowed = 0;
  const notes: string[] = [];
  const gated = new Set(input.gated.map((g) => g.toLowerCase()));
  let checked = 0;
  let unexplained = 0;
  // Actions whose resources are the usage's bounded sample, not every resource they were called on.
  const sampledActions: string[] = [];
  let perAction = 0;
  const policies = { identity: input.identity, ...(input.boundary ? { boundary: [input.boundary] } : {}), ...(input.session ? { session: [input.session] } : {}) };
  const current = input.current ? { identity: input.current.identity, ...(input.current.boundary ? { boundary: [input.current.boundary] } : {}) } : undefined;
  const context: RequestContext = input.principal?.context ?? { values: {} };
  for (const o of input.observed) {
    const resources = o.resources.length > 0 ? o.resources : ['*'];
    const checkedBefore = checked;
    for (const resource of resources) {
      let now: string | undefined;
      if (current) {
        now = evaluate({ action: o.action, resource, context }, current).decision;
        if (now === 'ImplicitlyDenied' || now === 'ExplicitlyDenied') { unexplained++; continue; }
      }
      checked++;
      const { decision } = evaluate({ action: o.action, resource, context }, policies);
      // A call that today already hinges on a condition the scan cannot see (aws:SecureTransport,
      // a region, a source IP) succeeded with that condition met; the fix keeps it possible as long
      // as it is not denied outright.
      const isGated = gated.has(o.action.toLowerCase());
      const call = `${o.action} on ${resource}`;
      if (decision === 'Allowed') allowed++;
      else if (decision === 'Conditional' && isGated) gatedCalls.push(call);
      else if (decision === 'Conditional' && now === 'Conditional') allowed++;
      else if (isGated && decision === 'ExplicitlyDenied' && input.approvalMeetable === false) byDesign.push(call);
      else if (isGated && input.withholdsGated && (decision === 'ExplicitlyDenied' || decision === 'ImplicitlyDenied')) byDesign.push(call);
      else denied.push(`${call} → ${decision}`);
    }
    if (o.truncated && o.resources.length > 0 && checked > checkedBefore) { sampledActions.push(o.action); perAction = Math.max(perAction, checked - checkedBefore); }
  }
  if (unexplained > 0) notes.push(`${unexplained} observed call(s) are not granted by today's identity policies (APIs that need no permission, or access through resource-based policies); the change does not affect them.`);
  if (gated.size > 0) {
    notes.push(input.approvalMeetable === false
      ? `${gated.size} observed action(s) are destructive or escalation actions, which this principal can no longer perform (it cannot meet the approval condition): ${[...input.gated].join(', ')}`
      : `${gated.size} observed action(s) are destructive or escalation actions and now need the approval condition${input.approvalLabel ? ` (${input.approvalLabel})` : ''}: ${[...input.gated].join(', ')}`);
  }

  let forbiddenStillAllowed: string[] = [];
  if (input.forbidden) {
    const eff = input.effective ?? effectivePermissions({ ...policies, ...(input.principal ? { principal: () => input.principal! } : {}), once: true }, expander);
    forbiddenStillAllowed = expander.keys(eff.unconditional.clone().and(input.forbidden));
  }

  let docsOk = true;
  for (const d of input.documents) {
    const problem = roundTrip(d.document, d.name.includes('trust') ? 'trust' : 'identity');
    if (problem) { docsOk = false; notes.push(`${d.name} ${problem.note}`); if (problem.invalid) continue; }
    if (!d.sizeOk) { docsOk = false; notes.push(`${d.name} exceeds the AWS size limit${d.sizeNote ? `: ${d.sizeNote}` : ''}`); }
  }
  if (checked === 0) notes.push('No observed calls to re-check (no usage data covers this principal).');
  const safe = denied.length === 0 && forbiddenStillAllowed.length === 0 && docsOk;
  let summary = verificationSummary({ checked, allowed, gated: gatedCalls, byDesign, denied }, 'observed call', input.withholdsGated ? 'left out on purpose (destructive or escalation: run them in a session without this policy, with approval)' : undefined);
  if (forbiddenStillAllowed.length > 0) summary += `; ${forbiddenStillAllowed.length} destructive/escalation action(s) still allowed without approval${listed(forbiddenStillAllowed)}`;
  if (!docsOk) summary += '; a document fails validation or size limits (see notes)';
  if (sampledActions.length > 0) {
    summary += `; sampled: ${sampledActions.length} action(s) checked on at most ${perAction} of their resources each, CloudTrail showed more${listed(sampledActions)}`;
    notes.push(`Checked on a sample: CloudTrail showed ${sampledActions.length} action(s)${listed(sampledActions)} on more resources than the usage keeps, so each was checked on at most ${perAction} of them; calls on the others were not checked one by one.`);
  }
  return {
    safe,
    status: !safe ? 'not-safe' : checked === 0 ? 'unverified' : 'verified',
    summary,
    observedCallsChecked: checked,
    observedCallsAllowed: allowed,
    observedCallsGated: gatedCalls,
    observedCallsDeniedByDesign: byDesign,
    observedCallsDenied: denied,
    forbiddenStillAllowed,
    ...(sampledActions.length > 0 ? { sampled: { actions: sampledActions, resourcesPerAction: perAction } } : {}),
    notes,
  };
}

/**
 * Whether a document, written as JSON and parsed back, validates and says the same: undefined
 * when it does, else what went wrong. Kept per document object (documents are never mutated):
 * a principal's boundary is checked by each of its fixes.
 */
function roundTrip(document: PolicyDocument, kind: 'trust' | 'identity'): RoundTripProblem | undefined {
  let byKind = roundTrips.get(document);
  if (!byKind) roundTrips.set(document, (byKind = new Map()));
  if (byKind.has(kind)) return byKind.get(kind);
  const json = policyToJson(document);
  const back = parsedBack(JSON.stringify(json), kind);
  const problem = 'note' in back
    ? { invalid: true, note: back.note }
    : !isDeepStrictEqual(back.json, json) ? { invalid: false, note: 'does not parse back to the same statements' } : undefined;
  byKind.set(kind, problem);
  return problem;
}
interface RoundTripProblem { readonly invalid: boolean; readonly note: string }
const roundTrips = new WeakMap<PolicyDocument, Map<'trust' | 'identity', RoundTripProblem | undefined>>();

/**
 * A JSON text parsed as a policy and written again (or why it does not validate): a function of
 * the text alone, so kept per text. At 10,000 principals the 2,290 documents checked are 426
 * texts (6,030 before boundaries were shared), and parsing each again put its garbage straight
 * into the old generation (V8 allocates parsePolicy's objects there by then: the snapshot's parsed
 * policies all survived; ~50 MB with 6,030). Bounded:
 * emptied when full, so a long-lived process (the TUI, the scheduler) keeps no more than this.
 */
function parsedBack(text: string, kind: 'trust' | 'identity'): { readonly json: Record<string, unknown> } | { readonly note: string } {
  const key = `${kind}\u0000${text}`;
  let v = parsedTexts.get(key);
  if (v === undefined) {
    const back = parsePolicy(JSON.parse(text) as unknown, kind);
    v = back.ok ? { json: policyToJson(back.document) } : { note: `does not validate: ${back.error.path}: expected ${back.error.expected}` };
    if (parsedTexts.size >= PARSED_TEXTS_MAX) parsedTexts.clear();
    parsedTexts.set(key, v);
  }
  return v;
}
const PARSED_TEXTS_MAX = 512;
const parsedTexts = new Map<string, { readonly json: Record<string, unknown> } | { readonly note: string }>();
