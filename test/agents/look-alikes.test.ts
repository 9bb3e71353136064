// No person taken for a tool: look-alikes of every kind of signal (a person's user or session
// name, a tool word in a role name, path or tag, a tool word inside another user-agent token),
// each beside the real-shaped record of the tool it resembles. Both go through the scan's path:
// an export read by the scan's parser, CloudTrail records through the usage aggregator, then
// agentEvidenceFromUsage, agentEvidenceFor and agentKindOf (as src/checks/analyze.ts calls them).
// A look-alike may leave weak evidence, labelled weak by the decision; it never makes an agent.
import { describe, expect, it } from 'vitest';
import { agentEvidenceFromUsage } from '../../src/agents/cloudtrail-evidence.js';
import { agentEvidenceFor, agentKindOf, explainAgentDecision, isHumanSessionRole, isPeopleFederatedRole } from '../../src/agents/identify.js';
import { UsageAggregator } from '../../src/collect/cloudtrail/aggregate.js';
import type { CloudTrailRecord } from '../../src/collect/cloudtrail/record.js';
import { normalizeAuthorizationDetails } from '../../src/collect/iam/authorization-details-file.js';
import { defaultConfig } from '../../src/config/config.js';
import { IamExportBuilder, trust } from '../support/iam-export-builder.js';

const ACCT = '111122223333';
const cli = (codes: string, tail = 'md/command#s3.ls') => `aws-cli/2.36.7 md/awscrt#0.28.4 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.13.7 md/pyimpl#CPython m/${codes} cfg/retry-mode#standard ${tail}`;
const CLI = cli('E,b');
const BOTO = 'Boto3/1.34.0 md/Botocore#1.34.0 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/b,e cfg/retry-mode#legacy Botocore/1.34.0';
const JS = 'aws-sdk-js/3.1172.0 ua/2.1 os/linux#6.18.44 lang/js md/nodejs#20.20.2 api/s3#3.1172.0 m/E,e';
const CONSOLE = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

interface Call { readonly session?: string; readonly sourceIdentity?: string; readonly ua: string }
interface Scenario {
  readonly kind: 'user' | 'role';
  readonly name: string;
  readonly path?: string;
  readonly tags?: Record<string, string>;
  /** A role people sign in to through SAML (their IdP names the sessions). */
  readonly saml?: boolean;
  readonly calls?: readonly Call[];
}

function verdict(s: Scenario) {
  const b = new IamExportBuilder(ACCT);
  const path = s.path ?? '/', tags = s.tags ?? {};
  if (s.kind === 'user') b.user(s.name, { path, tags });
  else b.role(s.name, { path, tags, trust: trust(s.saml ? `arn:aws:iam::${ACCT}:saml-provider/Okta` : `arn:aws:iam::${ACCT}:root`) });
  const p = normalizeAuthorizationDetails(b.build(), 'look-alikes.json').principals[0]!;
  const agg = new UsageAggregator();
  for (const [i, c] of (s.calls ?? []).entries()) {
    const rec: CloudTrailRecord = {
      eventTime: `2026-11-20T10:${String(i).padStart(2, '0')}:00Z`, eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', awsRegion: 'eu-west-1', recipientAccountId: ACCT, userAgent: c.ua,
      userIdentity: s.kind === 'user'
        ? { type: 'IAMUser', arn: p.arn, accountId: ACCT, userName: s.name }
        : { type: 'AssumedRole', arn: `arn:aws:sts::${ACCT}:assumed-role/${s.name}/${c.session ?? 'botocore-session-1714654800'}`, accountId: ACCT, sessionContext: { sessionIssuer: { type: 'Role', arn: p.arn }, ...(c.sourceIdentity ? { sourceIdentity: c.sourceIdentity } : {}) } },
    } as CloudTrailRecord;
    agg.add(rec);
  }
  const usage = agg.finish({ start: '2026-11-20T00:00:00Z', end: '2026-11-21T00:00:00Z' }, 'all');
  const peopleFederatedRoles = new Set(isPeopleFederatedRole(p) ? [p.arn] : []);
  const evidence = agentEvidenceFor(p, defaultConfig(), agentEvidenceFromUsage(usage, { peopleFederatedRoles })[p.arn] ?? []);
  const kind = agentKindOf(p, evidence);
  return { kind, evidence, decision: explainAgentDecision(evidence, kind !== undefined, isHumanSessionRole(p)) };
}

const user = (name: string, calls?: Call[], extra: Partial<Scenario> = {}): Scenario => ({ kind: 'user', name, ...(calls ? { calls } : {}), ...extra });
const role = (name: string, calls?: Call[], extra: Partial<Scenario> = {}): Scenario => ({ kind: 'role', name, ...(calls ? { calls } : {}), ...extra });

/** [what, look-alike, the tool's real-shaped record it resembles] */
const CASES: readonly (readonly [string, Scenario, Scenario])[] = [
  // People's IAM users and roles named after them.
  ['IAM user claude.martin@corp.com', user('claude.martin@corp.com', [{ ua: CLI }]), user('claude-code-ci', [{ ua: CLI }])],
  ['IAM user Claude', user('Claude', [{ ua: CONSOLE }]), role('ClaudeCodeRole')],
  ['IAM user kiro.tanaka', user('kiro.tanaka', [{ ua: CLI }]), user('kiro-agent', [{ ua: CLI }])],
  ['IAM user kiro-tanaka (given-family with a hyphen)', user('kiro-tanaka', [{ ua: CLI }]), user('kiro_agent_2', [{ ua: CLI }])],
  ['IAM user claude-martin', user('claude-martin', [{ ua: CONSOLE }]), user('claude-code', [{ ua: CLI }])],
  ['IAM user amazonq-admin (a person who administers Q)', user('amazonq-admin', [{ ua: CONSOLE }]), user('amazonq-bot', [{ ua: CLI }])],
  ['role named after its person, claude.martin@corp.com', role('claude.martin@corp.com', [{ session: 'claude.martin@corp.com', ua: CLI }]), role('claude-code-runner')],
  ['IAM user ekirova', user('ekirova', [{ ua: CLI }]), user('kiro-deployer', [{ ua: CLI }])],
  ['IAM user ampersand', user('ampersand', [{ ua: CLI }]), user('ampersand', [{ ua: cli('E,AT') }])],
  ['IAM user copilot-pilot-training', user('copilot-pilot-training', [{ ua: CLI }]), user('copilot-pilot-training', [{ ua: cli('b,AV') }])],
  ['IAM user q', user('q', [{ ua: CLI }]), user('q', [{ ua: `aws-cli/2.36.7 ua/2.1 os/linux#6.8.0 lang/python#3.13.7 exec-env/AmazonQ-For-IDE-Version-1.90.0 m/E md/command#s3.ls` }])],
  ['role philanthropic-grants-etl', role('philanthropic-grants-etl'), role('anthropic-batch')],
  ['the starter toolkit\'s CodeBuild role AmazonBedrockAgentCoreSDKCodeBuild-…', role('AmazonBedrockAgentCoreSDKCodeBuild-us-east-1-9c0804ec0c'), role('AmazonBedrockAgentCoreSDKRuntime-us-east-1-9c0804ec0c')],
  ['role BedrockAgentCoreAdmins (people who administer AgentCore)', role('BedrockAgentCoreAdmins', [{ session: 'dana', ua: CONSOLE }]), role('AgentCoreEvalsSDK-us-east-1-9c0804ec0c')],
  ['role genai-agentur-berlin (an agency), session kiro-…', role('genai-agentur-berlin', [{ session: 'kiro-1714640000', ua: CLI }]), role('genai-agent-runner', [{ session: 'kiro-1714640000', ua: CLI }])],
  // Session names and sourceIdentity that are people's.
  ['session claude.martin@corp.com in a plain role', role('shared-ops', [{ session: 'claude.martin@corp.com', ua: CLI }]), role('shared-ops', [{ session: 'claude.martin@corp.com', ua: cli('E,AN,b') }])],
  ['session Claude, sourceIdentity claude', role('Admin', [{ session: 'Claude', sourceIdentity: 'claude', ua: CLI }]), role('Admin', [{ session: 'Claude', sourceIdentity: 'claude', ua: cli('E,AN,b') }])],
  ['session kiro.tanaka in a SAML role', role('Engineering', [{ session: 'kiro.tanaka', ua: CONSOLE }], { saml: true }), role('Engineering', [{ session: 'kiro.tanaka', ua: cli('AQ,E') }], { saml: true })],
  ['session amazonq-admin in a SAML role', role('Engineering', [{ session: 'amazonq-admin', ua: CONSOLE }], { saml: true }), role('Engineering', [{ session: 'amazonq-admin', ua: cli('E', 'exec-env/AmazonQ-For-CLI-Version-1.12.1 md/command#s3.ls') }], { saml: true })],
  // A tool word in a role name echoed by its own sessions is one source, not two.
  ['role Cursor-Payments-team, sessions cursor-payments-batch', role('Cursor-Payments-team', [{ session: 'cursor-payments-batch-1', ua: BOTO }]), role('Cursor-Payments-team', [{ session: 'cursor-payments-batch-1', ua: cli('AW') }])],
  ['role copilot-pipeline (AWS Copilot), session copilot-deploy', role('copilot-pipeline', [{ session: 'copilot-deploy-7', ua: BOTO }]), role('copilot-pipeline', [{ session: 'copilot-deploy-7', ua: cli('b,AV') }])],
  ['role Cursorial-reports, product Cursorial/2.0', role('Cursorial-reports', [{ ua: `${BOTO} Cursorial/2.0` }]), role('Cursorial-reports', [{ ua: cli('AW') }])],
  // Paths and tags.
  ['path /agents/ and name datadog-agent (one hand chose both)', role('datadog-agent', [{ ua: BOTO }], { path: '/agents/' }), role('datadog-agent', [], { path: '/agents/', tags: { 'ai-agent': 'true' } })],
  ['tag leash:agent=false', role('ops-runner', [], { tags: { 'leash:agent': 'false' } }), role('ops-runner', [], { tags: { 'leash:agent': 'kiro' } })],
  ['tag team=claude-code, owner=cursor', role('ops-runner', [], { tags: { team: 'claude-code', owner: 'cursor' } }), role('ops-runner', [], { tags: { 'ai-agent': 'true' } })],
  // A tool word inside another user-agent token.
  ['user agent Boto3 … claudetest', role('etl', [{ ua: `${BOTO} claudetest` }]), role('etl', [{ ua: cli('E,AN,b') }])],
  ['user agent with a URL path …/cline/cline', role('etl', [{ ua: `${JS} (+https://github.com/cline/cline)` }]), role('etl', [{ ua: `${JS} app/cline#3.17.0` }])],
  ['user agent with m/AN from Boto3 (botocore defines no AN)', role('etl', [{ ua: BOTO.replace('m/b,e', 'm/b,e,AN') }]), role('etl', [{ ua: cli('E,AN,b') }])],
  ['user agent x-client-framework:langgraphql-gateway', role('etl', [{ ua: `${BOTO} x-client-framework:langgraphql-gateway` }]), role('etl', [{ ua: `${BOTO} x-client-framework:langgraph-dynamodb` }])],
  ['user agent md/sdk_user_agent/LangChainAWS#AgentsDashboard', role('etl', [{ ua: `${BOTO} md/sdk_user_agent/LangChainAWS#AgentsDashboard#1.0` }]), role('etl', [{ ua: `${BOTO} md/sdk_user_agent/LangChainAWS#Agents#0.2.30` }])],
  ['user agent strands-agentsmith/2.0', role('etl', [{ ua: `${BOTO} strands-agentsmith/2.0` }]), role('etl', [{ ua: `${BOTO} strands-agents` }])],
  ['user agent exec-env/AmazonQ-For-IDEA', role('etl', [{ ua: cli('E', 'exec-env/NotAmazonQ-For-IDEA md/command#s3.ls') }]), role('etl', [{ ua: cli('E', 'exec-env/AmazonQ-For-IDE-Version-1.90.0 md/command#s3.ls') }])],
  ['user agent exec-env/UseAws-MCP-ServerlessDemo', role('etl', [{ ua: cli('E', 'exec-env/UseAws-MCP-ServerlessDemo md/command#s3api.list-buckets') }]), role('etl', [{ ua: cli('E', 'exec-env/UseAws-MCP-Server-Version-0.1.0 md/command#s3api.list-buckets') }])],
  ['user agent app/RooCodeReviewBoard#1.0', role('etl', [{ ua: `${JS} app/RooCodeReviewBoard#1.0` }]), role('etl', [{ ua: `${JS} app/RooCode#3.25.1` }])],
];

describe('look-alikes are no agent; the tool they resemble is', () => {
  it('has at least 15 look-alikes, each beside a true positive', () => expect(CASES.length).toBeGreaterThanOrEqual(15));

  it.each(CASES)('%s', (_what, lookAlike, positive) => {
    const no = verdict(lookAlike);
    expect(no.kind, JSON.stringify(no.evidence)).toBeUndefined();
    // Whatever it left is weak evidence, and the decision says it was not enough.
    expect(no.evidence.filter((e) => e.confidence !== 'low')).toEqual([]);
    if (no.evidence.length > 0) expect(no.decision.reason).toMatch(/weak|not evidence|not enough/);
    const yes = verdict(positive);
    expect(yes.kind, JSON.stringify(yes.evidence)).toBeDefined();
    expect(yes.decision.verdict).toBe('agent');
  });
});

describe('what name-only signals say', () => {
  it('a person-shaped or non-tool user name is weak evidence and says why', () => {
    for (const name of ['kiro-tanaka', 'amazonq-admin', 'claude-martin']) {
      const { evidence, decision } = verdict(user(name));
      expect(evidence.map((e) => [e.kind, e.confidence]), name).toEqual([['name-pattern', 'low']]);
      expect(evidence[0]!.detail, name).toMatch(/other words name no tool or automation/);
      expect(decision.reason, name).toMatch(/weak evidence from one source only/);
    }
    expect(verdict(role('claude.martin@corp.com')).evidence[0]!.detail).toMatch(/reads like a person's name/);
  });

  it('a tool word in a role name and an independent one in a session name still add up (two sources)', () => {
    const { kind, decision } = verdict(role('nightly-ai-agent-runner', [{ session: 'kiro-1714640000', ua: CLI }]));
    expect(kind).toBe('agent-principal');
    expect(decision.reason).toMatch(/weak signals from 2 independent sources/);
  });

  it('the echo of the role\'s own tool word in its sessions is said to be one source', () => {
    const { decision } = verdict(role('Cursor-Payments-team', [{ session: 'cursor-payments-batch-1', ua: BOTO }]));
    expect(decision.reason).toMatch(/one source only \(principal name or path\)/);
  });
});
