// Who a role trust policy lets in, read entry by entry: a principal's ARN (or its unique id), an
// account, anyone, a service, an identity provider. How much of the caller's own policy must
// agree depends on which of these the trust names (see request.ts).
import type { Role } from '../model/snapshot.js';
import type { Statement } from '../model/policy.js';
import { and3, evaluateCondition, or3, type RequestContext, type Tri } from '../iam/conditions.js';
import { statementCovers } from '../iam/pattern.js';
import { referencesOrgKey, referencesPrincipalKey } from '../iam/principal-context.js';

export type AssumeAction = 'sts:AssumeRole' | 'sts:AssumeRoleWithWebIdentity' | 'sts:AssumeRoleWithSAML';

export type TrustEntry =
  | { readonly kind: 'arn'; readonly arn: string; readonly statement: Statement; readonly action: AssumeAction }
  /** A principal's unique id (AIDA…, AROA…): how IAM shows a principal that was deleted. */
  | { readonly kind: 'id'; readonly id: string; readonly statement: Statement; readonly action: AssumeAction }
  | { readonly kind: 'account'; readonly account: string; readonly statement: Statement; readonly action: AssumeAction }
  | { readonly kind: 'anyone'; readonly statement: Statement; readonly action: AssumeAction }
  | { readonly kind: 'service'; readonly service: string; readonly statement: Statement; readonly action: AssumeAction }
  | { readonly kind: 'federated'; readonly provider: string; readonly statement: Statement; readonly action: AssumeAction };

const ACTIONS: readonly AssumeAction[] = ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'];

/** `ec2.amazonaws.com.cn` and `EC2.amazonaws.com` are the same service as `ec2.amazonaws.com`. */
export function normalService(v: string): string {
  return v.toLowerCase().replace(/\.amazonaws\.com\.cn$/, '.amazonaws.com');
}

/** An assumed-role session ARN names its role: `arn:aws:sts::A:assumed-role/R/s` → R's ARN without path (matched by name). */
function sessionRole(arn: string): { account: string; name: string } | undefined {
  const m = /^arn:[^:]+:sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return m ? { account: m[1]!, name: m[2]! } : undefined;
}

function awsEntry(v: string, statement: Statement, action: AssumeAction): TrustEntry | undefined {
  if (v === '*') return { kind: 'anyone', statement, action };
  if (/^\d{12}$/.test(v)) return { kind: 'account', account: v, statement, action };
  const root = /^arn:[^:]+:iam::(\d{12}):root$/.exec(v);
  if (root) return { kind: 'account', account: root[1]!, statement, action };
  const s = sessionRole(v);
  // Whoever acts as the role names its session, so a trusted session is the role.
  if (s) return { kind: 'arn', arn: `session:${s.account}:${s.name}`, statement, action };
  if (/^arn:[^:]+:iam::\d{12}:(user|role)\//.test(v)) return { kind: 'arn', arn: v, statement, action };
  if (/^A[A-Z]{3}[A-Z0-9]{12,}$/.test(v)) return { kind: 'id', id: v, statement, action };
  return undefined;
}

const entriesCache = new WeakMap<Role, readonly TrustEntry[]>();

/** The Allow entries of a role's trust policy, one per principal named, per assume action. */
export function trustEntries(role: Role): readonly TrustEntry[] {
  let out = entriesCache.get(role) as TrustEntry[] | undefined;
  if (out) return out;
  out = [];
  for (const s of role.trustPolicy.statements) {
    if (s.effect !== 'Allow' || !s.principal) continue;
    for (const action of ACTIONS) {
      if (!statementCovers(s, action)) continue;
      if (s.principal === '*') { out.push({ kind: 'anyone', statement: s, action }); continue; }
      for (const [kind, values] of Object.entries(s.principal)) {
        // AWS principals (and services) assume with sts:AssumeRole only; the web-identity and SAML
        // calls are made with an identity provider's token, whose principal is `Federated`:
        // `{"AWS": "*"}` "does not allow web identity session principals, SAML session
        // principals, or service principals" (reference_policies_elements_principal.html).
        if ((kind === 'AWS' || kind === 'Service') && action !== 'sts:AssumeRole') continue;
        for (const v of values) {
          if (kind === 'AWS') {
            const e = awsEntry(v, s, action);
            if (e) out.push(e);
          } else if (kind === 'Service') out.push({ kind: 'service', service: normalService(v), statement: s, action });
          else if (kind === 'Federated') out.push({ kind: 'federated', provider: v, statement: s, action });
        }
      }
    }
  }
  entriesCache.set(role, out);
  return out;
}

/** Does the trust statement's condition hold for this caller? (Deny statements are weighed by trustDeny.) */
export function trustCondition(entry: TrustEntry, ctx: RequestContext): Tri {
  return evaluateCondition(entry.statement.condition, ctx);
}

/** Whether a trust statement's condition depends on who calls (then a shared hop cannot stand for every caller). */
export function callerSpecific(entry: TrustEntry, role: Role): boolean {
  return referencesPrincipalKey(entry.statement.condition) || hasCallerSpecificDeny(role);
}

const orgDenyMemo = new WeakMap<Role, boolean>();

/**
 * Whether the trust decision depends on the caller's organization (a statement's condition, or a
 * Deny's, such as "Deny unless aws:PrincipalOrgID is ours"): one decision per caller account, not
 * one for every caller. Asked of entries that are not callerSpecific.
 */
export function accountSpecific(entry: TrustEntry, role: Role): boolean {
  if (referencesOrgKey(entry.statement.condition)) return true;
  let v = orgDenyMemo.get(role);
  if (v === undefined) orgDenyMemo.set(role, (v = role.trustPolicy.statements.some((s) => s.effect === 'Deny' && referencesOrgKey(s.condition))));
  return v;
}

const denyMemo = new WeakMap<Role, boolean>();

/**
 * A Deny of the trust policy that depends on who calls: one naming particular principals (an
 * ARN, an account) or NotPrincipal, or testing a principal key. A shared decision for every
 * caller (the graph's hubs) would read it for no caller and miss it for the one it names.
 */
function hasCallerSpecificDeny(role: Role): boolean {
  let v = denyMemo.get(role);
  if (v === undefined) {
    v = role.trustPolicy.statements.some((s) => s.effect === 'Deny' && (
      s.notPrincipal !== undefined || referencesPrincipalKey(s.condition) ||
      (s.principal !== undefined && s.principal !== '*' && Object.values(s.principal).some((vs) => vs.some((x) => x !== '*')))
    ));
    denyMemo.set(role, v);
  }
  return v;
}

/** Explicit Deny statements of the trust policy that apply to this caller (by ARN, account or anyone). */
export function trustDeny(role: Role, callerArn: string, callerAccount: string, action: AssumeAction, ctx: RequestContext): Tri {
  let deny: Tri = false;
  for (const s of role.trustPolicy.statements) {
    if (s.effect !== 'Deny' || !statementCovers(s, action)) continue;
    let names: Tri = false;
    if (s.principal === '*') names = true;
    else if (s.principal) {
      for (const v of s.principal['AWS'] ?? []) {
        if (v === '*' || v === callerArn || v === callerAccount || v === `arn:aws:iam::${callerAccount}:root`) names = true;
      }
    } else if (s.notPrincipal) names = 'unknown';
    if (names === false) continue;
    deny = or3(deny, and3(names, evaluateCondition(s.condition, ctx)));
  }
  return deny;
}
