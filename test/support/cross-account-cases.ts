// Cross-account fixture PAIRS for issue 9: a dev export (111111111111) and a prod export
// (222222222222). Across accounts both sides must allow: the prod role's trust policy must name
// the dev principal (or dev's account root) AND the dev principal's identity policy must allow
// sts:AssumeRole on the prod role — naming the user's ARN in the trust is not enough on its own.
// Builders only: the multi-account analysis API does not exist yet, so the assertions on leash
// are the lead's to write (e.g. scan both exports as one graph; POSITIVE → the dev attacker has
// `reaches-admin` / `agent-reaches-destructive`, NEGATIVE → it has none of them). The pairs are
// proven correct against iam-simulate and leash's reader in test/graph/cross-account-fixtures.test.ts.
import { IamExportBuilder, allow, deny, policy, trust, trustStatement, type AuthorizationDetailsJson } from './iam-export-builder.js';
import type { OracleRequest } from './privesc-cases.js';

export const DEV = '111111111111';
export const PROD = '222222222222';
export const ELSEWHERE = '333333333333';

export type CrossAccountBreak = 'dev-identity-lacks-assume-role' | 'trust-names-user-but-no-identity-grant' | 'prod-trusts-other-account' | 'dev-boundary-denies-assume-role' | 'dev-grant-names-only-dev-roles' | 'trust-condition-never-holds';

export interface CrossAccountPair {
  readonly id: string;
  readonly polarity: 'positive' | 'negative';
  readonly breaks?: CrossAccountBreak;
  readonly why: string;
  /** The check the positive should raise on the dev attacker. */
  readonly expectCheck: 'reaches-admin' | 'agent-reaches-destructive';
  readonly dev: AuthorizationDetailsJson;
  readonly prod: AuthorizationDetailsJson;
  /** The starting principal (in dev) and the prize (in prod). */
  readonly attackerArn: string;
  readonly targetArn: string;
  /** Requests across the pair; an sts:AssumeRole on a prod role is judged with the prod trust policy. */
  readonly oracle: readonly (OracleRequest & { readonly side: 'dev' | 'prod' })[];
}

const PROBE = { action: 'iam:CreateUser', resource: `arn:aws:iam::${PROD}:user/probe` } as const;
const STACK = `arn:aws:cloudformation:us-east-1:${PROD}:stack/prod-env/11111111-2222-3333-4444-555555555555`;

function pair(id: string, polarity: 'positive' | 'negative', breaks: CrossAccountBreak | undefined, why: string, expectCheck: CrossAccountPair['expectCheck'], dev: IamExportBuilder, prod: IamExportBuilder, attackerArn: string, targetArn: string, oracle: CrossAccountPair['oracle']): CrossAccountPair {
  return { id, polarity, ...(breaks ? { breaks } : {}), why, expectCheck, dev: dev.build(), prod: prod.build(), attackerArn, targetArn, oracle };
}

/** dev user → prod admin role. `trustWho`: dev's account root or the user's ARN. */
export function devUserToProdAdmin(v: 'positive-root-trust' | 'positive-arn-trust' | CrossAccountBreak): CrossAccountPair {
  const dev = new IamExportBuilder(DEV);
  const prod = new IamExportBuilder(PROD);
  const targetArn = prod.roleArn('prod-admin');
  const userArn = dev.userArn('dev-user');
  const grant = v === 'dev-grant-names-only-dev-roles' ? allow('sts:AssumeRole', `arn:aws:iam::${DEV}:role/*`) : allow('sts:AssumeRole', targetArn);
  const noGrant = v === 'dev-identity-lacks-assume-role' || v === 'trust-names-user-but-no-identity-grant';
  const boundary = v === 'dev-boundary-denies-assume-role' ? dev.customerPolicy('dev-boundary', policy(allow('*', '*'), deny('sts:AssumeRole', '*'))) : undefined;
  const attackerArn = dev.user('dev-user', { ...(noGrant ? {} : { inline: { 'assume-prod': policy(grant) } }), ...(boundary ? { boundary } : {}) });
  const trustWho = v === 'positive-arn-trust' || v === 'trust-names-user-but-no-identity-grant' ? userArn : v === 'prod-trusts-other-account' ? `arn:aws:iam::${ELSEWHERE}:root` : dev.root;
  prod.role('prod-admin', { trust: v === 'trust-condition-never-holds' ? policy(trustStatement(trustWho, { DateLessThan: { 'aws:CurrentTime': '2019-01-01T00:00:00Z' } })) : trust(trustWho), managed: ['AdministratorAccess'] });
  const ok = v === 'positive-root-trust' || v === 'positive-arn-trust';
  const why = {
    'positive-root-trust': 'prod-admin trusts dev\'s account root and dev-user may sts:AssumeRole on it',
    'positive-arn-trust': 'prod-admin trusts dev-user\'s ARN and dev-user may sts:AssumeRole on it',
    'dev-identity-lacks-assume-role': 'prod-admin trusts dev\'s account root, but dev-user has no identity policy allowing sts:AssumeRole',
    'trust-names-user-but-no-identity-grant': 'prod-admin names dev-user\'s ARN, but across accounts dev-user also needs its own sts:AssumeRole grant, and has none',
    'prod-trusts-other-account': `prod-admin trusts account ${ELSEWHERE}, not dev`,
    'dev-boundary-denies-assume-role': 'dev-user\'s permissions boundary denies sts:AssumeRole',
    'dev-grant-names-only-dev-roles': 'dev-user may assume only roles of its own account (role ARNs of 111111111111)',
    'trust-condition-never-holds': 'prod-admin\'s trust statement holds only while aws:CurrentTime is before 2019',
  }[v];
  return pair(`dev-user-to-prod-admin${ok ? `-${v.replace('positive-', '')}` : ''}`, ok ? 'positive' : 'negative', ok ? undefined : (v as CrossAccountBreak), why, 'reaches-admin', dev, prod, attackerArn, targetArn, [
    { side: 'dev', principalArn: attackerArn, action: 'sts:AssumeRole', resource: targetArn, expect: ok ? 'Allowed' : 'Denied', why },
    { side: 'prod', principalArn: targetArn, ...PROBE, expect: 'Allowed', why: 'prod-admin is an administrator' },
  ]);
}

/** dev user → dev jump role (trust names the user) → prod admin role (trusts the jump role's ARN). */
export function devUserViaJumpRoleToProdAdmin(v: 'positive' | 'dev-identity-lacks-assume-role'): CrossAccountPair {
  const dev = new IamExportBuilder(DEV);
  const prod = new IamExportBuilder(PROD);
  const targetArn = prod.roleArn('prod-admin');
  const attackerArn = dev.user('dev-user');
  const jump = dev.role('dev-jump', { trust: trust(attackerArn), ...(v === 'positive' ? { inline: { 'assume-prod': policy(allow('sts:AssumeRole', targetArn)) } } : {}) });
  prod.role('prod-admin', { trust: trust(jump), managed: ['AdministratorAccess'] });
  const why = v === 'positive' ? 'dev-user (no policies) is named in dev-jump\'s trust; prod-admin trusts dev-jump, which may sts:AssumeRole on it' : 'prod-admin trusts dev-jump, but dev-jump has no identity policy allowing sts:AssumeRole (required across accounts)';
  return pair('dev-user-via-jump-role-to-prod-admin', v === 'positive' ? 'positive' : 'negative', v === 'positive' ? undefined : v, why, 'reaches-admin', dev, prod, attackerArn, targetArn, [
    { side: 'dev', principalArn: attackerArn, action: 'sts:AssumeRole', resource: jump, expect: 'Allowed', why: 'same account, the trust names the user' },
    { side: 'dev', principalArn: jump, action: 'sts:AssumeRole', resource: targetArn, expect: v === 'positive' ? 'Allowed' : 'Denied', why },
  ]);
}

/** dev agent role (tag ai-agent=true) → prod deploy role that may delete stacks. */
export function devAgentToProdDeploy(v: 'positive' | 'prod-trusts-other-account' | 'dev-grant-names-only-dev-roles'): CrossAccountPair {
  const dev = new IamExportBuilder(DEV);
  const prod = new IamExportBuilder(PROD);
  const targetArn = prod.roleArn('deploy');
  const grant = v === 'dev-grant-names-only-dev-roles' ? `arn:aws:iam::${DEV}:role/*` : targetArn;
  const attackerArn = dev.role('coding-agent', { trust: trust(dev.root), tags: { 'ai-agent': 'true' }, inline: { agent: policy(allow(['cloudformation:DescribeStacks'], '*'), allow('sts:AssumeRole', grant)) } });
  prod.role('deploy', { trust: trust(v === 'prod-trusts-other-account' ? `arn:aws:iam::${ELSEWHERE}:role/coding-agent` : attackerArn), inline: { deploy: policy(allow(['cloudformation:DeleteStack', 'cloudformation:CreateStack'], '*')) } });
  const why = {
    positive: 'the dev agent may assume the prod deploy role (its trust names the agent; the agent\'s policy allows it), which may delete stacks',
    'prod-trusts-other-account': `the prod deploy role trusts a role of the same name in account ${ELSEWHERE}, not the dev agent`,
    'dev-grant-names-only-dev-roles': 'the agent may assume only roles of its own account',
  }[v];
  return pair('dev-agent-to-prod-deploy', v === 'positive' ? 'positive' : 'negative', v === 'positive' ? undefined : v, why, 'agent-reaches-destructive', dev, prod, attackerArn, targetArn, [
    { side: 'dev', principalArn: attackerArn, action: 'sts:AssumeRole', resource: targetArn, expect: v === 'positive' ? 'Allowed' : 'Denied', why },
    { side: 'prod', principalArn: targetArn, action: 'cloudformation:DeleteStack', resource: STACK, expect: 'Allowed', why: 'the deploy role may delete stacks' },
  ]);
}

/** Every pair: positives, each with its negatives. */
export function crossAccountPairs(): CrossAccountPair[] {
  return [
    devUserToProdAdmin('positive-root-trust'), devUserToProdAdmin('dev-identity-lacks-assume-role'), devUserToProdAdmin('prod-trusts-other-account'),
    devUserToProdAdmin('dev-boundary-denies-assume-role'), devUserToProdAdmin('dev-grant-names-only-dev-roles'), devUserToProdAdmin('trust-condition-never-holds'),
    devUserToProdAdmin('positive-arn-trust'), devUserToProdAdmin('trust-names-user-but-no-identity-grant'),
    devUserViaJumpRoleToProdAdmin('positive'), devUserViaJumpRoleToProdAdmin('dev-identity-lacks-assume-role'),
    devAgentToProdDeploy('positive'), devAgentToProdDeploy('prod-trusts-other-account'), devAgentToProdDeploy('dev-grant-names-only-dev-roles'),
  ];
}
