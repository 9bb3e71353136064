import type { ConditionBlock, Statement } from '../model/policy.js';
import type { Severity } from '../model/finding.js';
import { statementToJson } from '../iam/parse.js';
import { conditionKeys, parseOperator } from '../iam/conditions.js';
import { actionMatches, hasWildcard } from '../iam/pattern.js';
import { ORG_ID, ownOrganizationId, snapshotOrganization } from '../iam/organization.js';
import { defineCheck, type FindingDraft } from './types.js';

const RESTRICTING_KEYS = ['sts:externalid', 'aws:principalorgid', 'aws:principalorgpaths', 'aws:principalarn', 'aws:principalaccount', 'aws:sourceaccount', 'aws:sourcearn', 'aws:sourceorgid', 'aws:sourceidentity', 'sts:sourceidentity'];
// The caller picks its own source identity, so it restricts nothing about who another account lets in.
const CROSS_ACCOUNT_KEYS = RESTRICTING_KEYS.filter((k) => !k.endsWith('sourceidentity'));
const ORG_KEYS = ['aws:principalorgid', 'aws:principalorgpaths'];
// What else narrows a trust to outsiders of another organization: an ExternalId, named principals or accounts.
const BEYOND_ORG_KEYS = CROSS_ACCOUNT_KEYS.filter((k) => !ORG_KEYS.includes(k));
const ASSUME_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'];
// Issuers anyone can get a token from (any repository, project, workspace, Google account or
// identity pool): without a subject/audience condition the whole world can assume the role. A
// GitHub Enterprise issuer (`…githubusercontent.com/<enterprise>`) reaches one enterprise only.
const PUBLIC_ISSUERS = /^(token\.actions\.githubusercontent\.com|gitlab\.com|app\.terraform\.io|accounts\.google\.com|cognito-identity\.amazonaws\.com|graph\.facebook\.com|www\.amazon\.com)$/i;
// Web-identity federation without an IAM OIDC provider: the audience (app or pool id) is what narrows it.
const AUDIENCE_KEY: Record<string, string> = { 'accounts.google.com': 'aud', 'cognito-identity.amazonaws.com': 'aud', 'graph.facebook.com': 'app_id', 'www.amazon.com': 'app_id' };

function accountOf(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  return /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];
}

/** Whether the statement's actions include `action` (Action, NotAction, or neither: every action). */
function covers(s: Statement, action: string): boolean {
  if (s.action) return s.action.some((p) => actionMatches(p, action));
  if (s.notAction) return !s.notAction.some((p) => actionMatches(p, action));
  return true;
}

/** Whether the statement can let anyone assume the role (a statement granting only sts:TagSession cannot). */
function grantsAssume(s: Statement): boolean {
  return ASSUME_ACTIONS.some((a) => covers(s, a));
}

type Entries = Map<string, (readonly string[])[]>;

/**
 * What the trust policy's Deny statements leave of an Allow: a Deny of every assume action the
 * Allow grants, to every principal, under one negated test of a key (`StringNotEquals
 * aws:PrincipalOrgID o-…`: everyone outside the organization is denied, callers without the key
 * too, since a negated test of a missing key is true) narrows the Allow as `StringEquals` on that
 * key would. A Deny with NotPrincipal and no condition leaves only the listed roles and users. A Deny
 * with several tests applies only when all hold, so alone it narrows nothing; set operators are
 * not read. `federated`: only `Principal: "*"` is taken to cover web-identity and SAML callers.
 */
function denyNarrowing(statements: readonly Statement[], allow: Statement, federated: boolean): Entries {
  const out: Entries = new Map();
  const granted = ASSUME_ACTIONS.filter((a) => covers(allow, a));
  for (const d of statements) {
    if (d.effect !== 'Deny' || !granted.every((a) => covers(d, a))) continue;
    const tests = Object.entries(d.condition ?? {}).flatMap(([op, block]) => Object.entries(block).map(([key, values]) => ({ op, key, values })));
    if (d.notPrincipal) {
      const listed = federated ? [] : (d.notPrincipal === '*' ? [] : d.notPrincipal.AWS ?? []);
      // Only principals by name: a Deny except an account root leaves the whole account in.
      if (tests.length === 0 && listed.length > 0 && listed.every((a) => /^arn:aws[\w-]*:(?:iam|sts)::\d{12}:(?:role|user|assumed-role)\/./.test(a))) out.set('aws:principalarn', [...(out.get('aws:principalarn') ?? []), listed]);
      continue;
    }
    const everyone = d.principal === '*' || (!federated && d.principal !== undefined && (d.principal.AWS ?? []).includes('*'));
    if (!everyone || tests.length !== 1) continue;
    const { op, key, values } = tests[0]!;
    const parsed = parseOperator(op);
    if (!parsed || parsed.set || !parsed.name.includes('not') || values.length === 0 || values.some((v) => v.includes('${'))) continue;
    const k = key.toLowerCase();
    const wild = parsed.name.endsWith('like') || parsed.name.startsWith('arn');
    if (wild && values.some((v) => !narrowValue(k, v))) continue;
    out.set(k, [...(out.get(k) ?? []), values]);
  }
  return out;
}

function merged(a: Entries, b: Entries): Entries {
  if (b.size === 0) return a;
  const out: Entries = new Map(a);
  for (const [k, v] of b) out.set(k, [...(out.get(k) ?? []), ...v]);
  return out;
}

/**
 * Condition entries that really narrow who may assume, per lower-cased key. A key under a negated
 * operator (StringNotEquals aws:PrincipalOrgID trusts everyone outside the organization), an
 * …IfExists or ForAllValues operator (true when the key is absent), Null, or a wildcard that
 * matches any value restricts nothing.
 */
function restrictingEntries(condition: ConditionBlock | undefined): Map<string, (readonly string[])[]> {
  const out = new Map<string, (readonly string[])[]>();
  for (const [op, block] of Object.entries(condition ?? {})) {
    const parsed = parseOperator(op);
    if (!parsed || parsed.ifExists || parsed.set === 'forallvalues' || parsed.name === 'null' || parsed.name.includes('not')) continue;
    const wild = parsed.name.endsWith('like') || parsed.name.startsWith('arn');
    for (const [key, values] of Object.entries(block)) {
      const k = key.toLowerCase();
      if (values.length === 0 || (wild && values.some((v) => !narrowValue(k, v)))) continue;
      out.set(k, [...(out.get(k) ?? []), values]);
    }
  }
  return out;
}

/**
 * The organizations a trust's tests of aws:PrincipalOrgID / aws:PrincipalOrgPaths admit (ids; a
 * path's first segment is its organization: `o-…/r-…/ou-…/`, reference_policies_condition-keys.html),
 * every test holding at once; undefined when none names an organization leash can read (a policy
 * variable, a wildcard in the organization part: it cannot tell which).
 */
function admittedOrgs(entries: Entries): string[] | undefined {
  let admitted: Set<string> | undefined;
  const tests = [...(entries.get('aws:principalorgid') ?? []), ...(entries.get('aws:principalorgpaths') ?? []).map((values) => values.map((v) => v.split('/')[0]!))];
  for (const ids of tests) {
    if (!ids.every((id) => ORG_ID.test(id))) continue;
    admitted = new Set(admitted ? ids.filter((id) => admitted!.has(id)) : ids);
  }
  return admitted && [...admitted];
}

/** A wildcard value that still names one account, organization or principal. */
function narrowValue(key: string, value: string): boolean {
  if (/^[*?]*$/.test(value)) return false;
  if (key === 'aws:principalarn' || key === 'aws:sourcearn') return !hasWildcard(value.split(':')[4] ?? '*');
  if (['aws:principalaccount', 'aws:sourceaccount', 'aws:principalorgid', 'aws:sourceorgid'].includes(key)) return !hasWildcard(value);
  return true;
}

/**
 * An OIDC subject pattern is narrow when the text before its first wildcard names the owner:
 * `repo:octo-org/*` (one organization), not `repo:*` or `repo:octo*` (which also matches
 * `repo:octo-evil/…`). An EKS subject must name the namespace (`system:serviceaccount:ns:…`).
 */
function narrowSubject(provider: string, value: string): boolean {
  const i = value.search(/[*?]/);
  if (i < 0) return true;
  const prefix = value.slice(0, i);
  return /^oidc\.eks\./i.test(provider) ? /^[^:]+:[^:]+:[^:]+:/.test(prefix) : /^[^:]+:[^:/]+[/:]/.test(prefix);
}

export const trustPolicyTooBroad = defineCheck({
  id: 'trust-policy-too-broad',
  title: 'Trust policy lets too many principals assume the role',
  severity: 'critical',
  rationale: 'Whoever can assume a role gets all its permissions. A trust policy open to `*`, to other accounts without an ExternalId or organization condition, or to an OIDC provider without a subject condition (or with one such as `repo:*`) lets outsiders act as the role. A condition restricts only when it must hold: a negated, …IfExists, Null or match-anything test does not. A Deny of every principal under one negated test (everyone outside an organization) narrows an Allow as the matching positive test would. An aws:PrincipalOrgID or aws:PrincipalOrgPaths test restricts to the organization it names: when the scan knows the account\'s organization (config `resources.organizationId`, or an `--org` scan), a trust to another organization without an ExternalId or principal condition lets that organization\'s principals in.',
  references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html'],
  run(ctx) {
    const own = ctx.snapshot.account.id;
    // The account's organization, as every stage takes it (src/iam/organization.ts): null when it is
    // in none (every organization a trust names is then another); unknown: no org test is judged.
    const ownOrg = ownOrganizationId(snapshotOrganization(ctx.snapshot, ctx.config.resources?.organizationId));
    const out: FindingDraft[] = [];
    for (const a of ctx.principals) {
      const p = a.principal;
      if (p.kind !== 'role') continue;
      for (const s of p.trustPolicy.statements) {
        if (s.effect !== 'Allow' || !grantsAssume(s)) continue;
        // AWS principals and federated callers can be narrowed by different Deny statements.
        const stated = restrictingEntries(s.condition);
        const entries = merged(stated, denyNarrowing(p.trustPolicy.statements, s, true));
        const awsEntries = merged(stated, denyNarrowing(p.trustPolicy.statements, s, false));
        const keys = [...awsEntries.keys()];
        const written = conditionKeys(s.condition).map((k) => k.toLowerCase());
        const restricted = keys.some((k) => RESTRICTING_KEYS.includes(k));
        const problems: { subject: string; severity: Severity; text: string }[] = [];
        const boost = (sev: Severity): Severity => (a.isAgent && sev === 'high' ? 'critical' : sev);
        const unlessWritten = (k: readonly string[]) => (written.some((w) => k.includes(w)) ? ' (its condition on them restricts nothing: a negated, …IfExists, Null or match-anything test)' : '');
        if (s.notPrincipal) problems.push({ subject: 'not-principal', severity: 'critical', text: 'uses Allow with NotPrincipal, which trusts everyone except the listed principals' });
        const principal = s.principal;
        if (principal === '*' || (principal !== undefined && (principal.AWS ?? []).includes('*'))) {
          if (!restricted) problems.push({ subject: 'wildcard', severity: 'critical', text: `trusts any AWS principal ("*") with no restricting condition${unlessWritten(RESTRICTING_KEYS)}` });
          else if (!keys.some((k) => ['aws:principalorgid', 'aws:principalorgpaths', 'aws:principalarn', 'aws:principalaccount', 'sts:externalid'].includes(k))) problems.push({ subject: 'wildcard-weak', severity: 'high', text: `trusts "*" restricted only by ${keys.filter((k) => RESTRICTING_KEYS.includes(k)).join(', ')}` });
        }
        if (principal && principal !== '*') {
          for (const aws of principal.AWS ?? []) {
            const acct = accountOf(aws);
            if (acct && acct !== own && !keys.some((k) => CROSS_ACCOUNT_KEYS.includes(k))) problems.push({ subject: `cross-account:${acct}`, severity: boost('high'), text: `trusts account ${acct} (${aws}) without sts:ExternalId or an organization/principal condition${unlessWritten(CROSS_ACCOUNT_KEYS)}` });
          }
        }
        // An organization test naming another organization than the account's own: its principals
        // (outsiders) may assume, as an account trusted without an ExternalId may. Only where a
        // principal outside the account is trusted at all, and nothing else narrows who.
        const outside = principal === '*' || (principal !== undefined && (principal.AWS ?? []).some((v) => v === '*' || (accountOf(v) ?? own) !== own));
        const foreign = ownOrg !== undefined && outside && !keys.some((k) => BEYOND_ORG_KEYS.includes(k)) ? (admittedOrgs(awsEntries) ?? []).filter((o) => o !== ownOrg) : [];
        if (foreign.length > 0) {
          const named = `${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ` and ${foreign.length - 3} more` : ''}`;
          problems.push({ subject: `other-organization:${foreign.join(',')}`, severity: boost('high'), text: `trusts principals of another organization (${named}; ${ownOrg === null ? 'this account is in no organization' : `this account's is ${ownOrg}`}) without sts:ExternalId or a principal condition` });
        }
        if (principal && principal !== '*') {
          for (const fed of principal.Federated ?? []) {
            if (fed.includes(':saml-provider/')) continue; // the organisation's own IdP decides which roles a user gets
            const oidc = fed.includes(':oidc-provider/');
            const provider = fed.replace(/^arn:aws[\w-]*:iam::\d{12}:oidc-provider\//, '');
            const lower = provider.toLowerCase();
            const severity = PUBLIC_ISSUERS.test(provider) ? 'critical' : boost('high');
            if (!oidc) {
              const aud = `${lower}:${AUDIENCE_KEY[lower] ?? 'aud'}`;
              if (!entries.has(aud)) problems.push({ subject: `web-identity:${provider}`, severity, text: `trusts ${provider} tokens without a ${aud} condition: any application of that provider can assume it` });
              continue;
            }
            const subKey = `${lower}:sub`;
            const subs = entries.get(subKey) ?? [];
            const aud = written.includes(`${lower}:aud`);
            if (subs.length === 0) {
              const why = written.includes(subKey) ? ' that restricts anything (it is negated, …IfExists or matches any value)' : '';
              problems.push({ subject: `oidc:${provider}`, severity, text: `trusts OIDC provider ${provider} without a ${provider}:sub condition${why}${aud ? '' : ' (nor :aud)'}: any repository or workload of that provider can assume it` });
            } else if (!subs.some((values) => values.every((v) => narrowSubject(provider, v)))) {
              problems.push({ subject: `oidc-sub:${provider}`, severity, text: `trusts OIDC provider ${provider} for subjects ${subs.flat().join(', ')}, a pattern that does not name one owner: other organizations' repositories or workloads match it` });
            }
          }
          if (a.isAgent) {
            for (const svc of principal.Service ?? []) {
              if (/bedrock|agentcore|^q\.|chatbot/.test(svc) && !keys.some((k) => k === 'aws:sourceaccount' || k === 'aws:sourcearn')) {
                problems.push({ subject: `service:${svc}`, severity: 'low', text: `trusts ${svc} without aws:SourceAccount/aws:SourceArn (confused deputy protection)` });
              }
            }
          }
        }
        for (const pr of problems) {
          out.push({
            principalArn: p.arn,
            subject: `${pr.subject}#${s.index}`,
            severity: pr.severity,
            title: `${p.name}: trust policy ${pr.text.split(' (')[0]}`,
            description: `Statement ${s.index} of the trust policy ${pr.text}.`,
            evidence: [{ kind: 'statement', policy: { kind: 'trust', name: 'AssumeRolePolicyDocument' }, statementIndex: s.index, ...(s.sid ? { sid: s.sid } : {}), statement: statementToJson(s as Statement) }],
            actions: s.action ? [...s.action] : ['sts:AssumeRole'],
            remediation: 'Name the exact principals, and add sts:ExternalId, aws:PrincipalOrgID or an OIDC sub condition; the generated trust policy (in the fix) shows a tightened version.',
          });
        }
      }
    }
    return out;
  },
});
