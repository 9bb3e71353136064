import { createHash } from 'node:crypto';
// A realistic Report for TUI tests: the shape a scan of a small account produces, with a Kiro
// agent role that can delete things (the incident leash exists for) and a generated fix.
import { parsePolicy, policyToJson } from '../../src/iam/parse.js';
import type { Finding, Fix, PolicyDocument, PrincipalReport, Report } from '../../src/model/index.js';

export const ACCOUNT = '111122223333';
export const arn = (kind: 'role' | 'user', name: string) => `arn:aws:iam::${ACCOUNT}:${kind}/${name}`;
export const KIRO_ARN = arn('role', 'kiro-agent');

function doc(json: unknown): PolicyDocument {
  const r = parsePolicy(json, 'any');
  if (!r.ok) throw new Error(`test policy invalid at ${r.error.path}: expected ${r.error.expected}`);
  return r.document;
}

/** PowerUserAccess as AWS publishes it (default version). */
export const POWER_USER_ACCESS = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
    {
      Effect: 'Allow',
      Action: ['account:GetAccountInformation', 'account:GetPrimaryEmail', 'account:ListRegions', 'iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:ListRoles', 'organizations:DescribeOrganization'],
      Resource: '*',
    },
  ],
};

const KIRO_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developer_0a1b2c3d4e5f6a7b` }, Action: 'sts:AssumeRole' }],
};

const KIRO_AFTER = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'ObservedUse', Effect: 'Allow', Action: ['ce:GetCostAndUsage', 'ce:GetCostForecast', 'ce:ListCostCategoryDefinitions', 'logs:FilterLogEvents', 'logs:GetLogEvents', 's3:GetObject', 's3:ListBucket'], Resource: '*' },
    {
      Sid: 'DenyDestructiveWithoutApproval',
      Effect: 'Deny',
      Action: ['ce:DeleteCostCategoryDefinition', 'ec2:TerminateInstances', 'rds:DeleteDBCluster', 's3:DeleteBucket'],
      Resource: '*',
      Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    },
  ],
};

const TERRAFORM = `data "aws_iam_policy_document" "kiro_agent" {
  statement {
    sid    = "ObservedUse"
    effect = "Allow"
    actions = [
      "ce:GetCostAndUsage",
      "s3:GetObject",
    ]
    resources = ["*"]
  }
}
`;

const CLI = `#!/bin/sh
# Review before running. leash never applies changes itself.
set -eu
aws iam create-policy-version --policy-arn arn:aws:iam::${ACCOUNT}:policy/kiro-agent-least-privilege --policy-document file://policy.json --set-as-default
`;

function principal(p: Partial<PrincipalReport> & Pick<PrincipalReport, 'name'>): PrincipalReport {
  return {
    arn: arn(p.kind ?? 'role', p.name),
    kind: 'role',
    isAgent: false,
    agentEvidence: [],
    riskScore: 0,
    permissions: { allowedActionCount: 0, destructiveActions: [], escalationTechniques: [], byService: {} },
    policies: [],
    ...p,
  };
}

/** A report-shaped finding id (20 hex digits, as the checks make them) for a readable label. */
export function FID(label: string): string {
  return createHash('sha256').update(label).digest('hex').slice(0, 20);
}

function finding(f: Partial<Finding> & Pick<Finding, 'id' | 'principalArn' | 'severity' | 'title' | 'checkId'>): Finding {
  return { description: '', subject: f.checkId, evidence: [], actions: [], fixIds: [], ...f };
}

export interface BuildOptions {
  readonly withUsage?: boolean;
  readonly extraPrincipals?: number;
}

export function buildReport(opts: BuildOptions = {}): Report {
  const withUsage = opts.withUsage ?? true;
  const before = doc(POWER_USER_ACCESS);
  const after = doc(KIRO_AFTER);
  const kiro = principal({
    name: 'kiro-agent',
    isAgent: true,
    riskScore: 92,
    agentEvidence: [
      { kind: 'local-config', detail: '~/.kiro/settings/mcp.json server "aws-docs" uses AWS_PROFILE=kiro → role kiro-agent', confidence: 'high', tool: 'kiro' },
      { kind: 'cloudtrail-user-agent', detail: 'userAgent "aws-cli/2.35.24 md/OS#linux m/AQ" on 212 events (Kiro CLI)', confidence: 'medium', tool: 'kiro' },
    ],
    permissions: {
      allowedActionCount: 16840,
      destructiveActions: ['ce:DeleteCostCategoryDefinition', 'ec2:TerminateInstances', 'rds:DeleteDBCluster', 's3:DeleteBucket'],
      escalationTechniques: [],
      byService: { ec2: 712, s3: 151, rds: 198, ce: 61, logs: 84, lambda: 87 },
    },
    policies: [{ kind: 'managed', name: 'PowerUserAccess', arn: 'arn:aws:iam::aws:policy/PowerUserAccess' }],
    trustPolicy: KIRO_TRUST,
    ...(withUsage
      ? { usage: { actionsUsed: 7, byService: { ce: 3, logs: 2, s3: 2 }, userAgents: ['aws-cli/2.35.24 md/OS#linux m/AQ'], lastSeen: '2026-11-20T16:02:11Z' } }
      : {}),
    baseline: { basis: withUsage ? 'observed' : 'none', covered: withUsage, grantedActions: 16840, neededActions: 7, unusedActions: 16833, excessPercent: 99 },
  });
  const claude = principal({
    kind: 'user',
    name: 'claude-code-dev',
    isAgent: true,
    riskScore: 61,
    agentEvidence: [{ kind: 'cloudtrail-user-agent', detail: 'userAgent "aws-cli/2.35.30 m/AN" (Claude Code) on 40 events', confidence: 'medium', tool: 'claude-code' }],
    permissions: { allowedActionCount: 412, destructiveActions: [], escalationTechniques: ['iam-passrole-lambda'], byService: { iam: 40, lambda: 87, s3: 151 } },
    policies: [{ kind: 'inline', name: 'dev-sandbox' }],
  });
  const bedrock = principal({
    name: 'orders-bedrock-agent',
    isAgent: true,
    riskScore: 18,
    agentEvidence: [{ kind: 'trust-service-principal', detail: 'trust policy allows bedrock.amazonaws.com', confidence: 'high', tool: 'bedrock-agent' }],
    permissions: { allowedActionCount: 6, destructiveActions: [], escalationTechniques: [], byService: { dynamodb: 6 } },
    policies: [{ kind: 'inline', name: 'orders-table' }],
    trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
  });
  const ci = principal({ name: 'ci-deploy', riskScore: 40, permissions: { allowedActionCount: 900, destructiveActions: ['cloudformation:DeleteStack'], escalationTechniques: [], byService: { cloudformation: 90, s3: 151 } }, policies: [{ kind: 'managed', name: 'deploy', arn: `arn:aws:iam::${ACCOUNT}:policy/deploy` }] });
  const auditor = principal({ name: 'security-audit', riskScore: 3, permissions: { allowedActionCount: 3100, destructiveActions: [], escalationTechniques: [], byService: { ec2: 300 } }, policies: [{ kind: 'managed', name: 'SecurityAudit', arn: 'arn:aws:iam::aws:policy/SecurityAudit' }] });
  const extras = Array.from({ length: opts.extraPrincipals ?? 0 }, (_, i) => principal({ name: `app-role-${String(i).padStart(3, '0')}`, riskScore: 1 }));

  const findings: Finding[] = [
    finding({
      id: FID('f-kiro-destructive'),
      checkId: 'destructive-actions',
      severity: 'critical',
      principalArn: kiro.arn,
      title: 'kiro-agent can run 4 destructive actions without approval',
      description: 'This agent principal may, with no human-approval condition, ce:DeleteCostCategoryDefinition, ec2:TerminateInstances, rds:DeleteDBCluster, s3:DeleteBucket.',
      actions: kiro.permissions.destructiveActions,
      evidence: [
        { kind: 'statement', policy: { kind: 'managed', name: 'PowerUserAccess', arn: 'arn:aws:iam::aws:policy/PowerUserAccess', awsManaged: true }, statementIndex: 0, statement: POWER_USER_ACCESS.Statement[0], grants: kiro.permissions.destructiveActions },
      ],
      fixIds: ['fix-kiro-replace'],
    }),
    finding({ id: FID('f-kiro-unused'), checkId: 'unused-services', severity: 'medium', principalArn: kiro.arn, title: 'kiro-agent used 3 of 6 granted services in 30 days', evidence: [{ kind: 'usage', detail: 'CloudTrail 2026-10-21..2026-11-20', events: 212 }], fixIds: ['fix-kiro-replace'] }),
    finding({ id: FID('f-claude-passrole'), checkId: 'privilege-escalation', severity: 'high', principalArn: claude.arn, title: 'claude-code-dev can escalate via iam:PassRole + lambda:CreateFunction', evidence: [{ kind: 'statement', policy: { kind: 'inline', name: 'dev-sandbox' }, statementIndex: 1, sid: 'Lambda', statement: { Sid: 'Lambda', Effect: 'Allow', Action: ['iam:PassRole', 'lambda:*'], Resource: '*' } }], fixIds: ['fix-claude-boundary'] }),
    finding({ id: FID('f-ci-destructive'), checkId: 'destructive-actions', severity: 'high', principalArn: ci.arn, title: 'ci-deploy can run 1 destructive action without approval' }),
    finding({ id: FID('f-bedrock-boundary'), checkId: 'agent-without-boundary', severity: 'low', principalArn: bedrock.arn, title: 'orders-bedrock-agent has no permissions boundary' }),
  ];

  const kiroFix: Fix = {
    id: 'fix-kiro-replace',
    kind: 'replace-policy',
    principalArn: kiro.arn,
    title: 'Replace PowerUserAccess with observed-use policy',
    description: 'Allow what kiro-agent used in 30 days; deny destructive actions without MFA.',
    before,
    after,
    countsBefore: { allowedActions: 16840, destructiveActions: 412, escalationTechniques: 0 },
    countsAfter: { allowedActions: 7, destructiveActions: 0, escalationTechniques: 0 },
    renderings: { json: `${JSON.stringify(policyToJson(after), null, 2)}\n`, terraform: TERRAFORM, cli: CLI },
    verification: { safe: true, observedCallsChecked: 11, observedCallsDenied: [], forbiddenStillAllowed: [], notes: [] },
    resolves: [FID('f-kiro-destructive'), FID('f-kiro-unused')],
    notes: [],
  };
  const claudeAfter = doc({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['lambda:InvokeFunction', 's3:GetObject'], Resource: '*' }] });
  const claudeFix: Fix = {
    id: 'fix-claude-boundary',
    kind: 'permissions-boundary',
    principalArn: claude.arn,
    title: 'Permissions boundary for claude-code-dev',
    description: 'Boundary without iam:PassRole.',
    after: claudeAfter,
    renderings: { json: JSON.stringify(policyToJson(claudeAfter), null, 2), terraform: '# none', cli: '# none' },
    verification: { safe: false, observedCallsChecked: 40, observedCallsDenied: ['s3:PutObject'], forbiddenStillAllowed: [], notes: ['usage covers 12 of 30 days'] },
    resolves: [FID('f-claude-passrole')],
    notes: [],
  };

  const principals = [kiro, claude, bedrock, ci, auditor, ...extras];
  return {
    schemaVersion: '1.0.0',
    tool: { name: 'leash', version: '0.1.0' },
    scan: {
      id: `${ACCOUNT}-20261124T101500Z`,
      startedAt: '2026-11-24T10:14:58Z',
      finishedAt: '2026-11-24T10:15:00Z',
      account: { id: ACCOUNT, alias: 'demo-dev' },
      sources: [
        { kind: 'authorization-details-file', location: 'demo/authorization-details.json', status: 'ok' },
        { kind: 'cloudtrail-file', location: 'demo/cloudtrail', status: withUsage ? 'ok' : 'skipped' },
      ],
      coverage: {
        iam: 'complete',
        usage: withUsage
          ? { status: 'partial', window: { start: '2026-10-21T00:00:00Z', end: '2026-11-20T23:59:59Z' }, coveredPrincipals: 1, recordsRead: 1830, unmappedEvents: 4 }
          : { status: 'none', coveredPrincipals: 0, recordsRead: 0, unmappedEvents: 0 },
        scps: 'not-collected',
        notes: ['SCPs were not collected: run from the management account to evaluate them', 'CloudTrail data events (S3 object level) were not in the input'],
      },
    },
    summary: { principals: principals.length, agentPrincipals: 3, findingsBySeverity: { critical: 1, high: 2, medium: 1, low: 1, info: 0 }, suppressedFindings: 0 },
    principals,
    findings,
    fixes: [kiroFix, claudeFix],
    checks: [],
    errors: [{ source: 'cloudtrail-file', code: 'invalid-input', message: 'demo/cloudtrail/broken.json: expected Records array', location: 'demo/cloudtrail/broken.json', path: '$.Records' }],
  };
}
