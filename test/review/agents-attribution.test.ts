// Review H4: who is an agent, and whose call was it. Each block is a regression test for a
// problem found in review (false negatives on real awslabs MCP user agents, evidence credited to
// the wrong principal, and human sessions or ordinary role names taken for AI tools).
import { describe, expect, it } from 'vitest';
import { agentEvidenceFromUsage, aiDrivenSessions, matchUserAgent } from '../../src/agents/cloudtrail-evidence.js';
import { agentEvidenceFor, isAgent, isHumanSessionRoleArn, nameWords } from '../../src/agents/identify.js';
import { UsageAggregator } from '../../src/collect/cloudtrail/aggregate.js';
import type { CloudTrailRecord } from '../../src/collect/cloudtrail/record.js';
import { defaultConfig } from '../../src/config/config.js';
import type { Role, User } from '../../src/model/snapshot.js';

const ACCT = '111122223333';
const SSO = `arn:aws:iam::${ACCT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef`;
const BOTO = 'Boto3/1.38.36 md/Botocore#1.38.36 ua/2.1 os/linux#6.8.0-1029-aws md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython m/Z,b cfg/retry-mode#legacy Botocore/1.38.36';

describe('awslabs MCP servers that tag calls without the md/awslabs#mcp# prefix', () => {
  // awslabs/mcp cloudwatch-mcp-server aws_common.py: user_agent_extra=f'awslabs/mcp/cloudwatch-mcp-server/{v}';
  // cloudwatch-applicationsignals-mcp-server aws_clients.py: f'awslabs.cloudwatch-applicationsignals-mcp-server/{v}{suffix}'.
  it.each([
    [`${BOTO} awslabs/mcp/cloudwatch-mcp-server/0.0.12`, 'cloudwatch-mcp-server'],
    [`${BOTO} awslabs/mcp/aws-msk-mcp-server/1.0.0`, 'aws-msk-mcp-server'],
    [`${BOTO} awslabs/mcp/trusted_advisor_mcp_server/0.1.0`, 'trusted_advisor_mcp_server'],
    [`${BOTO} awslabs.cloudwatch-applicationsignals-mcp-server/0.1.27`, 'cloudwatch-applicationsignals-mcp-server'],
    [`${BOTO} awslabs.cloudwatch-applicationsignals-mcp-server/0.1.27/agentcore`, 'cloudwatch-applicationsignals-mcp-server'],
  ])('%s → mcp-server (%s)', (ua, server) => {
    const m = matchUserAgent(ua);
    expect(m.map((x) => x.rule.tool)).toContain('mcp-server');
    expect(m.find((x) => x.rule.tool === 'mcp-server')!.matched).toContain(server);
    expect(m.find((x) => x.rule.tool === 'mcp-server')!.rule.confidence).toBe('high');
  });

  it.each([BOTO, `${BOTO} myawslabs/mcp/x/1`, `${BOTO} awslabs.aws-lambda-powertools/2.0`, 'aws-cli/2.17.0 md/command#s3.cp'])('%s is not an awslabs MCP server', (ua) => {
    expect(matchUserAgent(ua).filter((x) => x.rule.tool === 'mcp-server')).toEqual([]);
  });
});

const record = (userIdentity: CloudTrailRecord['userIdentity'], extra: Partial<CloudTrailRecord> = {}): CloudTrailRecord => ({
  eventTime: '2026-08-01T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', awsRegion: 'eu-west-1', recipientAccountId: ACCT, userIdentity, ...extra,
});

describe('sourceIdentity set by a broker on AssumeRole', () => {
  const broker = `arn:aws:iam::${ACCT}:role/session-broker`;
  const agent = `arn:aws:iam::${ACCT}:role/team-sandbox`;
  const agg = new UsageAggregator();
  // The broker assumes the sandbox role for Cursor and names it in SourceIdentity (CloudTrail puts it
  // in requestParameters and responseElements of the AssumeRole event).
  agg.add(record(
    { type: 'AssumedRole', arn: `arn:aws:sts::${ACCT}:assumed-role/session-broker/i-0abc`, sessionContext: { sessionIssuer: { type: 'Role', arn: broker } } },
    { eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', requestParameters: { roleArn: agent, roleSessionName: 'alice', sourceIdentity: 'alice-cursor' }, responseElements: { sourceIdentity: 'alice-cursor' } },
  ));
  // The sandbox role's own calls carry it in sessionContext.
  agg.add(record({ type: 'AssumedRole', arn: `arn:aws:sts::${ACCT}:assumed-role/team-sandbox/alice`, sessionContext: { sessionIssuer: { type: 'Role', arn: agent }, sourceIdentity: 'alice-cursor' } }));
  const usage = agg.finish({ start: '2026-08-01T00:00:00Z', end: '2026-08-02T00:00:00Z' }, 'all');
  const ev = agentEvidenceFromUsage(usage);

  it('is evidence for the role whose session carries it, not for the broker that set it', () => {
    expect(ev[agent]?.map((e) => [e.kind, e.tool])).toEqual([['cloudtrail-source-identity', 'cursor']]);
    expect(ev[broker]).toBeUndefined();
    expect(usage.byPrincipal[broker]!.sessions.map((s) => s.sourceIdentity)).toEqual([undefined]);
  });
});

describe('IAM Identity Center session names are user names', () => {
  const dev = `arn:aws:iam::${ACCT}:role/dev-sandbox`;
  const human = (sessionName: string, ua: string) => ({
    sessionName, userAgents: [ua], sourceIps: ['198.51.100.7'], firstSeen: '2026-08-01T10:00:00Z', lastSeen: '2026-08-01T10:05:00Z', eventCount: 3,
    actions: ['s3:ListAllMyBuckets'], userAgentActivity: [{ userAgent: ua, events: 3, actions: ['s3:ListAllMyBuckets'] }],
  });
  const principal = (arn: string, sessions: ReturnType<typeof human>[]) => ({
    principalArn: arn, actions: [], sessions, userAgents: Object.fromEntries(sessions.map((s) => [s.userAgents[0]!, s.eventCount])), sourceIps: [], firstSeen: '2026-08-01T10:00:00Z', lastSeen: '2026-08-01T10:05:00Z',
  });
  const consoleUa = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0 Safari/537.36';
  const usage = {
    window: { start: '2026-08-01T00:00:00Z', end: '2026-08-02T00:00:00Z' }, coveredPrincipals: 'all' as const, recordsRead: 9, unmapped: [],
    byPrincipal: {
      // Claude Martin, an engineer, in the console through her permission set.
      [SSO]: principal(SSO, [human('claude.martin@example.com', consoleUa)]),
      // The same name chosen by a wrapper for a plain role is still a tool's session name.
      [dev]: principal(dev, [human('claude-1754042400', 'aws-cli/2.27.0 md/command#s3.ls')]),
    },
  };

  it('is not AI-tool evidence on an AWSReservedSSO_* role', () => {
    const ev = agentEvidenceFromUsage(usage);
    expect(ev[SSO]).toBeUndefined();
    expect(aiDrivenSessions(usage).filter((s) => s.principalArn === SSO)).toEqual([]);
  });

  it('is still evidence on a role whose session name a tool or wrapper chose', () => {
    expect(agentEvidenceFromUsage(usage)[dev]?.map((e) => [e.kind, e.tool])).toEqual([['cloudtrail-session-name', 'claude-code']]);
    expect(aiDrivenSessions(usage).filter((s) => s.principalArn === dev).map((s) => s.matchedBy)).toEqual(['session-name']);
  });

  it('recognises SSO role ARNs with and without a region in the path, and nothing else', () => {
    expect(isHumanSessionRoleArn(SSO)).toBe(true);
    expect(isHumanSessionRoleArn(`arn:aws:iam::${ACCT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_0123456789abcdef`)).toBe(true);
    expect(isHumanSessionRoleArn(dev)).toBe(false);
    expect(isHumanSessionRoleArn(`arn:aws:iam::${ACCT}:user/AWSReservedSSO_fake`)).toBe(false);
  });
});

const role = (name: string, path = '/'): Role => ({
  kind: 'role', arn: `arn:aws:iam::${ACCT}:role${path}${name}`, id: `AROA${name.length}`, name, path, tags: {}, policies: [], unresolvedPolicyArns: [],
  trustPolicy: { version: '2012-10-17', statements: [] }, instanceProfiles: [],
});
const user = (name: string): User => ({ kind: 'user', arn: `arn:aws:iam::${ACCT}:user/${name}`, id: `AIDA${name.length}`, name, path: '/', tags: {}, policies: [], unresolvedPolicyArns: [], groups: [] });

describe('role-name patterns respect word boundaries, CamelCase included', () => {
  const config = defaultConfig();
  const tools = (p: Role | User) => agentEvidenceFor(p, config).filter((e) => e.kind === 'name-pattern').map((e) => e.tool);

  it.each([
    ['DeclinedPaymentsProcessor'], ['incline-sensor-ingest'], ['recline-api'], ['AmazonQuickSightS3Access'], ['amazon-quicksight-role'],
    ['AmazonQLDBStreamRole'], ['precursor-etl'], ['DataPrecursorJob'],
    // Audit (session 29): substrings and loose words took ordinary roles for AI tools.
    ['philanthropic-grants-etl'], ['MisanthropicJob'], ['jeanclaude-reports'], ['ekirova-sandbox'], ['SeniorQDevOpsRole'], ['q-dev-sandbox'], ['cursoragent'],
  ])('%s is not an AI tool role', (name) => {
    const p = role(name);
    expect(tools(p)).toEqual([]);
    expect(isAgent(agentEvidenceFor(p, config))).toBe(false);
  });

  it('McPherson (a user) is not an MCP server', () => {
    expect(tools(user('mcpherson.j'))).toEqual([]);
  });

  // A distinctive product name as a whole word in a role's name: medium, an agent on its own.
  it.each([
    ['ClineRole', 'coding-agent'], ['MyClineAgent', 'coding-agent'], ['cline', 'coding-agent'], ['GeminiCliRole', 'coding-agent'], ['windsurf-dev', 'coding-agent'],
    ['CodexRunner', 'coding-agent'], ['AmazonQRole', 'amazon-q'], ['AmazonQDeveloperAgent', 'amazon-q'], ['QDeveloperRole', 'amazon-q'], ['amazonq-developer', 'amazon-q'],
    ['amazonq', 'amazon-q'], ['CodeWhispererRole', 'amazon-q'], ['claude-code-sandbox', 'claude-code'], ['ClaudeCodeRole', 'claude-code'], ['anthropic-batch', 'claude-code'], ['kiro-agent', 'kiro'],
  ])('%s → %s (decides alone)', (name, tool) => {
    const p = role(name);
    expect(tools(p)).toEqual([tool]);
    expect(isAgent(agentEvidenceFor(p, config))).toBe(true);
  });

  // Words that also mean something else (a database cursor, AWS Copilot, MCP as another acronym),
  // a given name as the whole name, and any IAM user's name: named, weak, not an agent alone.
  it.each([
    ['CursorAgentRole', 'cursor'], ['dev-cursor', 'cursor'], ['CursorPaginationSyncRole', 'cursor'], ['copilot-pipeline-role', 'copilot'],
    ['MyMcpRole', 'mcp-server'], ['McpServerRole', 'mcp-server'], ['mcp-gateway-prod', 'mcp-server'], ['aws_mcp', 'mcp-server'], ['mcpserver', 'mcp-server'], ['mcp-billing-platform-admin', 'mcp-server'],
    ['claude', 'claude-code'], ['Kiro', 'kiro'],
  ])('%s → %s (weak, not an agent alone)', (name, tool) => {
    const p = role(name);
    const ev = agentEvidenceFor(p, config);
    expect(ev.filter((e) => e.kind === 'name-pattern').map((e) => [e.tool, e.confidence])).toEqual([[tool, 'low']]);
    expect(isAgent(ev)).toBe(false);
  });

  it.each([['claude'], ['Kiro'], ['cline']])('the IAM user %s (the whole name is the word) is named, weakly', (name) => {
    const ev = agentEvidenceFor(user(name), config);
    expect(ev.map((e) => [e.kind, e.confidence])).toEqual([['name-pattern', 'low']]);
    expect(ev[0]!.detail).toMatch(/people are called too/);
    expect(isAgent(ev)).toBe(false);
  });

  it.each([['claude-code-ci'], ['kiro_agent_2'], ['ClaudeCodeBot'], ['kiro-agent']])('the IAM user %s has a tool-style name: an agent', (name) => {
    expect(isAgent(agentEvidenceFor(user(name), config))).toBe(true);
  });

  it.each([['jeanclaude'], ['ekirova'], ['philanthropist']])('the IAM user %s is not named at all (no whole word)', (name) => {
    expect(agentEvidenceFor(user(name), config)).toEqual([]);
  });

  it.each([
    ['AmazonQLDBStreamRole', 'amazon-qldb-stream-role'], ['QDeveloperRole', 'q-developer-role'], ['S3AccessForMCP', 's3-access-for-mcp'],
    ['my_ai.agent', 'my-ai-agent'], ['MCPServerRole', 'mcp-server-role'], ['EC2Role', 'ec2-role'],
  ])('nameWords(%s) = %s', (name, words) => {
    expect(nameWords(name)).toBe(words);
  });
});
