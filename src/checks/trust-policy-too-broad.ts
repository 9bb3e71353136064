import type { Statement } from '../model/policy.js';
import type { Severity } from '../model/finding.js';
import { statementToJson } from '../iam/parse.js';
import { conditionKeys } from '../iam/conditions.js';
import { defineCheck, type FindingDraft } from './types.js';

const RESTRICTING_KEYS = ['sts:externalid', 'aws:principalorgid', 'aws:principalorgpaths', 'aws:principalarn', 'aws:principalaccount', 'aws:sourceaccount', 'aws:sourcearn', 'aws:sourceorgid', 'aws:sourceidentity', 'sts:sourceidentity'];

function accountOf(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  return /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];
}

export const trustPolicyTooBroad = defineCheck({
  id: 'trust-policy-too-broad',
  title: 'Trust policy lets too many principals assume the role',
  severity: 'critical',
  rationale: 'Whoever can assume a role gets all its permissions. A trust policy open to `*`, to other accounts without an ExternalId or organization condition, or to an OIDC provider without a subject condition lets outsiders act as the role.',
  references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html'],
  run(ctx) {
    const own = ctx.snapshot.account.id;
    const out: FindingDraft[] = [];
    for (const a of ctx.principals) {
      const p = a.principal;
      if (p.kind !== 'role') continue;
      for (const s of p.trustPolicy.statements) {
        if (s.effect !== 'Allow') continue;
        const keys = conditionKeys(s.condition).map((k) => k.toLowerCase());
        const restricted = keys.some((k) => RESTRICTING_KEYS.includes(k));
        const problems: { subject: string; severity: Severity; text: string }[] = [];
        const boost = (sev: Severity): Severity => (a.isAgent && sev === 'high' ? 'critical' : sev);
        if (s.notPrincipal) problems.push({ subject: 'not-principal', severity: 'critical', text: 'uses Allow with NotPrincipal, which trusts everyone except the listed principals' });
        const principal = s.principal;
        if (principal === '*' || (principal !== undefined && (principal.AWS ?? []).includes('*'))) {
          if (!restricted) problems.push({ subject: 'wildcard', severity: 'critical', text: 'trusts any AWS principal ("*") with no restricting condition' });
          else if (!keys.some((k) => ['aws:principalorgid', 'aws:principalarn', 'aws:principalaccount', 'sts:externalid'].includes(k))) problems.push({ subject: 'wildcard-weak', severity: 'high', text: `trusts "*" restricted only by ${keys.join(', ')}` });
        }
        if (principal && principal !== '*') {
          for (const aws of principal.AWS ?? []) {
            const acct = accountOf(aws);
            if (acct && acct !== own && !restricted) problems.push({ subject: `cross-account:${acct}`, severity: boost('high'), text: `trusts account ${acct} (${aws}) without sts:ExternalId or an organization/principal condition` });
          }
          for (const fed of principal.Federated ?? []) {
            const provider = fed.replace(/^arn:aws[\w-]*:iam::\d{12}:oidc-provider\//, '');
            if (!fed.includes('oidc-provider/')) continue;
            const sub = keys.some((k) => k.startsWith(provider.toLowerCase()) && k.endsWith(':sub'));
            const aud = keys.some((k) => k.startsWith(provider.toLowerCase()) && k.endsWith(':aud'));
            if (!sub) problems.push({ subject: `oidc:${provider}`, severity: provider.includes('githubusercontent') ? 'critical' : boost('high'), text: `trusts OIDC provider ${provider} without a ${provider}:sub condition${aud ? '' : ' (nor :aud)'}: any repository or workload of that provider can assume it` });
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
            remediation: 'Name the exact principals, and add sts:ExternalId, aws:PrincipalOrgID or an OIDC sub condition; the generated trust.json shows a tightened version.',
          });
        }
      }
    }
    return out;
  },
});
