import { findingId as realFindingId } from '../../src/checks/run.js';
// Builds Report objects with the shapes a real scan produces (account, agent principals with
// evidence, findings with statement evidence, checks with references). Summary numbers are
// derived from the findings and principals, never typed in, so they cannot disagree.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { Finding, Severity } from '../../src/model/finding.js';
import { SEVERITIES } from '../../src/model/finding.js';
import type { Coverage, PrincipalReport, Report, ReportDelta } from '../../src/model/report.js';

export const ACCOUNT = '111122223333';

export const CHECKS: Report['checks'] = [
  {
    id: 'agent-destructive-without-approval',
    title: 'Agent principal can run destructive actions without a human-approval condition',
    severity: 'critical',
    rationale: 'An agent may choose "delete and recreate" as a fix; nothing in IAM stops it.',
    references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html'],
  },
  {
    id: 'agent-privilege-escalation',
    title: 'Agent principal can escalate its own privileges',
    severity: 'high',
    rationale: 'iam:PassRole with a compute service, or policy-version edits, let a session grant itself more.',
    references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html', 'https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/'],
  },
  {
    id: 'agent-unused-permissions',
    title: 'Agent principal holds permissions it did not use in the observed window',
    severity: 'medium',
    rationale: 'Unused grants are blast radius without benefit.',
    references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege'],
  },
  {
    id: 'long-max-session-duration',
    title: 'Role allows sessions longer than one hour',
    severity: 'low',
    rationale: 'Long sessions keep leaked agent credentials useful for longer.',
    references: [],
  },
];

export function roleArn(name: string, path = '/'): string {
  return `arn:aws:iam::${ACCOUNT}:role${path}${name}`;
}

export function userArn(name: string): string {
  return `arn:aws:iam::${ACCOUNT}:user/${name}`;
}

export function principal(over: Partial<PrincipalReport> & { arn: string; name: string }): PrincipalReport {
  return {
    kind: over.arn.includes(':user/') ? 'user' : 'role',
    isAgent: false,
    agentEvidence: [],
    riskScore: 10,
    permissions: { allowedActionCount: 120, destructiveActions: [], escalationTechniques: [], byService: { s3: 60, logs: 60 } },
    policies: [{ kind: 'managed', name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
    ...over,
  };
}

export const KIRO = principal({
  arn: roleArn('kiro-dev-agent', '/agents/'),
  name: 'kiro-dev-agent',
  isAgent: true,
  riskScore: 92,
  agentEvidence: [{ kind: 'cloudtrail-user-agent', detail: 'userAgent "kiro/0.4.2 md/nodejs#20.11.1" on 212 events', confidence: 'high', tool: 'kiro' }],
  permissions: {
    allowedActionCount: 18234,
    destructiveActions: ['ec2:TerminateInstances', 'rds:DeleteDBCluster', 's3:DeleteBucket'],
    escalationTechniques: ['iam-passrole-lambda'],
    byService: { ec2: 700, iam: 190, rds: 180, s3: 160 },
  },
  policies: [{ kind: 'managed', name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }],
});

export const CLAUDE = principal({
  arn: roleArn('claude-code-mcp'),
  name: 'claude-code-mcp',
  isAgent: true,
  riskScore: 61,
  agentEvidence: [
    { kind: 'local-config', detail: '~/.claude.json mcpServers.aws-api uses profile "sandbox"', confidence: 'medium', tool: 'claude-code' },
    { kind: 'tag', detail: 'tag ai-agent=true', confidence: 'high' },
  ],
  permissions: { allowedActionCount: 410, destructiveActions: ['s3:DeleteObject'], escalationTechniques: [], byService: { s3: 160, dynamodb: 250 } },
});

export const CI_USER = principal({ arn: userArn('ci-deployer'), name: 'ci-deployer', riskScore: 35 });

/** Stable id the way the checks make it: hash of check id, principal ARN and subject. */
export function findingId(checkId: string, principalArn: string, subject: string): string {
  return realFindingId(checkId, principalArn, subject);
}

export function finding(over: Partial<Finding> & { checkId: string; principalArn: string; subject: string }): Finding {
  const check = CHECKS.find((c) => c.id === over.checkId);
  const severity: Severity = over.severity ?? check?.severity ?? 'medium';
  return {
    id: findingId(over.checkId, over.principalArn, over.subject),
    severity,
    title: check?.title ?? over.checkId,
    description: `${check?.rationale ?? 'See the check.'} Subject: ${over.subject}.`,
    evidence: [
      {
        kind: 'statement',
        policy: { kind: 'managed', name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess', awsManaged: true },
        statementIndex: 0,
        statement: { Effect: 'Allow', Action: '*', Resource: '*' },
        grants: over.actions ? [...over.actions] : ['ec2:TerminateInstances'],
      },
    ],
    actions: ['ec2:TerminateInstances'],
    fixIds: [],
    remediation: 'Attach the generated permissions boundary, which denies these actions unless aws:MultiFactorAuthPresent is true.',
    ...over,
  };
}

export const COVERAGE: Coverage = {
  iam: 'complete',
  usage: { status: 'partial', window: { start: '2026-10-25T00:00:00.000Z', end: '2026-11-24T00:00:00.000Z' }, coveredPrincipals: 2, recordsRead: 48211, unmappedEvents: 3 },
  scps: 'not-collected',
  notes: ['CloudTrail data events (S3 object-level) were not in the input.'],
};

export interface BuildOptions {
  readonly scanId?: string;
  readonly startedAt?: string;
  readonly accountId?: string;
  readonly principals?: readonly PrincipalReport[];
  readonly findings?: readonly Finding[];
  readonly delta?: ReportDelta;
  readonly coverage?: Coverage;
  readonly errors?: Report['errors'];
}

export function buildReport(o: BuildOptions = {}): Report {
  const startedAt = o.startedAt ?? '2026-11-24T03:00:00.000Z';
  const findings = o.findings ?? baseFindings();
  const principals = o.principals ?? [KIRO, CLAUDE, CI_USER];
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) if (!f.suppressed) bySeverity[f.severity] += 1;
  const accountId = o.accountId ?? ACCOUNT;
  const report: Report = {
    schemaVersion: '1.0.0',
    tool: { name: 'leash', version: '0.1.0' },
    scan: {
      id: o.scanId ?? `scan-${startedAt.replace(/[^0-9]/g, '').slice(0, 14)}`,
      startedAt,
      finishedAt: new Date(Date.parse(startedAt) + 42_000).toISOString(),
      account: { id: accountId, alias: 'acme-dev' },
      sources: [{ kind: 'authorization-details-file', location: 'auth-details.json', status: 'ok', counts: { roles: 2, users: 1 } }],
      coverage: o.coverage ?? COVERAGE,
    },
    summary: {
      principals: principals.length,
      agentPrincipals: principals.filter((p) => p.isAgent).length,
      findingsBySeverity: bySeverity,
      suppressedFindings: findings.filter((f) => f.suppressed).length,
    },
    principals,
    findings,
    fixes: [],
    checks: CHECKS,
    errors: o.errors ?? [],
  };
  return o.delta ? { ...report, delta: o.delta } : report;
}

export function baseFindings(): Finding[] {
  return [
    finding({ checkId: 'agent-destructive-without-approval', principalArn: KIRO.arn, subject: 'destructive', actions: ['ec2:TerminateInstances', 'rds:DeleteDBCluster', 's3:DeleteBucket'], fixIds: ['fix-kiro-boundary'] }),
    finding({ checkId: 'agent-privilege-escalation', principalArn: KIRO.arn, subject: 'iam-passrole-lambda', technique: 'iam-passrole-lambda', actions: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'] }),
    finding({ checkId: 'agent-unused-permissions', principalArn: CLAUDE.arn, subject: 'unused:dynamodb', actions: ['dynamodb:DeleteTable', 'dynamodb:Scan'] }),
    finding({
      checkId: 'long-max-session-duration',
      principalArn: CLAUDE.arn,
      subject: 'MaxSessionDuration',
      actions: [],
      suppressed: { reason: 'Sandbox account; 12h sessions agreed with SecOps (JIRA SEC-412)', by: 'alice@example.com', until: '2027-03-01' },
    }),
  ];
}

/**
 * A later scan of the same account: the escalation path is gone, the destructive finding gained an
 * action, the unused-permissions finding became suppressed, a new agent role appeared with a new
 * finding, ci-deployer was deleted, and claude-code-mcp's grants grew.
 */
export function laterReport(startedAt = '2026-11-25T03:00:00.000Z'): Report {
  const QDEV = principal({
    arn: roleArn('q-developer-agent'),
    name: 'q-developer-agent',
    isAgent: true,
    riskScore: 70,
    agentEvidence: [{ kind: 'trust-service-principal', detail: 'trusted service q.amazonaws.com', confidence: 'high', tool: 'amazon-q' }],
  });
  const claudeGrown = { ...CLAUDE, permissions: { ...CLAUDE.permissions, allowedActionCount: 980 } };
  const [destructive, , unused, session] = baseFindings();
  return buildReport({
    startedAt,
    principals: [KIRO, claudeGrown, QDEV],
    findings: [
      { ...destructive!, actions: [...destructive!.actions, 'dynamodb:DeleteTable'] },
      { ...unused!, suppressed: { reason: 'Migration in progress until December', by: 'bob@example.com' } },
      session!,
      finding({ checkId: 'agent-destructive-without-approval', principalArn: QDEV.arn, subject: 'destructive', actions: ['s3:DeleteBucket'] }),
    ],
  });
}

/** fast-check: what identifies a finding in report-pair properties (check, principal, subject) and its severity; tests add their own fields. */
export function findingKeyArbs(checkIds: readonly [string, ...string[]]) {
  return {
    checkId: fc.constantFrom(...checkIds),
    principalArn: fc.constantFrom(KIRO.arn, CLAUDE.arn, CI_USER.arn),
    subject: fc.constantFrom('a', 'b', 'c'),
    severity: fc.constantFrom('critical' as const, 'low' as const),
  };
}

/** Findings with distinct ids (check, principal and subject make the id). */
export function uniqueFindingArb<F extends { checkId: string; principalArn: string; subject: string }>(arb: fc.Arbitrary<F>, maxLength: number): fc.Arbitrary<F[]> {
  return fc.uniqueArray(arb, { selector: (f) => `${f.checkId}|${f.principalArn}|${f.subject}`, maxLength });
}
