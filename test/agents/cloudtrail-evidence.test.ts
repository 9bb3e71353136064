import { describe, expect, it } from 'vitest';
import userAgentData from '../../src/data/agents/user-agents.json' with { type: 'json' };
import { agentEvidenceFromUsage, aiDrivenSessions, businessMetrics, matchName, matchUserAgent } from '../../src/agents/cloudtrail-evidence.js';
import { readCloudTrail } from '../../src/collect/file/cloudtrail-file.js';
import { ownFixture, sharedFixture, sharedFixturesPresent, SKIP_REASON } from '../support/fixtures.js';

const ACCT = '111122223333';
const SSO = `arn:aws:iam::${ACCT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef`;

describe('user-agents.json', () => {
  it('gives every rule an id, a tool, a confidence and a source; ids are unique; patterns compile', () => {
    const all = [...userAgentData.userAgents, ...userAgentData.sessionNames];
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    for (const r of all) {
      expect(['high', 'medium', 'low']).toContain(r.confidence);
      expect(r.source.length, r.id).toBeGreaterThan(5);
      expect(r.tool.length, r.id).toBeGreaterThan(1);
    }
    for (const u of userAgentData.userAgents) {
      const m = u.match as { pattern?: string; businessMetric?: string };
      expect(Boolean(m.pattern) !== Boolean(m.businessMetric), u.id).toBe(true);
      if (m.pattern) expect(() => new RegExp(m.pattern!, 'i')).not.toThrow();
    }
  });
});

describe('matchUserAgent', () => {
  const cli = (metrics: string) => `aws-cli/2.36.1 md/awscrt#0.27.6 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.13.7 m/${metrics} cfg/retry-mode#standard`;

  it.each([
    [cli('E,AN,b'), 'claude-code', 'aws-cli-agent-claude-code'],
    [cli('AW'), 'cursor', 'aws-cli-agent-cursor'],
    [cli('b,AV'), 'copilot', 'aws-cli-agent-copilot-cli'],
    [cli('AO,E'), 'gemini-cli', 'aws-cli-agent-gemini-cli'],
    [cli('AP'), 'codex', 'aws-cli-agent-codex'],
    [cli('AQ'), 'kiro', 'aws-cli-agent-kiro-cli'],
    ['aws-cli/2.27.0 exec-env/AmazonQ-For-CLI-Version-1.12.1 m/E', 'amazon-q', 'amazon-q-cli-exec-env'],
    ['Boto3/1.40.0 md/awslabs#mcp#eks-mcp-server#0.1.4', 'mcp-server', 'awslabs-mcp-server'],
    ['python-requests bedrock-agentcore/0.1.2 (integration_source=strands)', 'bedrock-agentcore', 'bedrock-agentcore-sdk'],
    ['Boto3/1.39 md/Botocore#1.39 strands-agents', 'strands-agents', 'strands-agents'],
    ['iam-policy-autopilot/0.1.0', 'iam-policy-autopilot', 'iam-policy-autopilot'],
    ['aws-sdk-js/3.600.0 app/claude-code', 'claude-code', 'claude-code-name'],
  ])('%s → %s', (ua, tool, id) => {
    const first = matchUserAgent(ua)[0];
    expect(first?.rule.tool).toBe(tool);
    expect(first?.rule.id).toBe(id);
  });

  it('matches business-metric codes only as whole list elements, case-sensitively', () => {
    expect(businessMetrics(cli('E,AN,b'))).toEqual(['E', 'AN', 'b']);
    for (const ua of [cli('ANX,E'), cli('an'), 'ANSIBLE/2.16 Boto3/1.34.0', 'Mozilla/5.0 (X11; Linux x86_64) m/XAN', cli('E') + ' md/command#s3.AN']) {
      expect(matchUserAgent(ua).filter((m) => m.rule.businessMetric), ua).toEqual([]);
    }
  });

  it('lists the MCP server and the client driving it', () => {
    const ua = 'Boto3/1.40.0 md/awslabs#mcp#aws-api-mcp-server#1.2.0 md/via/AWS-API-MCP-Server MCPClient/claude-code#1.0.98 cfg/ro#1';
    expect(matchUserAgent(ua).map((m) => [m.rule.id, m.matched])).toEqual([
      ['awslabs-mcp-server', 'md/awslabs#mcp#aws-api-mcp-server'],
      ['mcp-client', 'MCPClient/claude-code'],
      ['claude-code-name', 'claude-code'],
    ]);
  });

  it('matches nothing in ordinary user agents', () => {
    for (const ua of [
      'APN/1.0 HashiCorp/1.0 Terraform/1.1.2 (+https://www.terraform.io) terraform-provider-aws/dev',
      'aws-sdk-go/1.41.4 (go1.18.3; linux; amd64) amazon-ssm-agent/3.2.1241.0',
      '[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488 Linux/5.10]',
      'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:102.0) Gecko/20100101 Firefox/102.0',
      'stratus-red-team_fccf7123-0651-41f5-b06c-460da5ee1c94',
    ]) expect(matchUserAgent(ua), ua).toEqual([]);
  });
});

describe('matchName (session names and sourceIdentity)', () => {
  it.each([
    ['kiro-1714640000', 'kiro'],
    ['alice+cursor', 'cursor'],
    ['q-developer-session', 'amazon-q'],
    ['claude-code-7f3a', 'claude-code'],
    ['mcp-aws-api', 'mcp-server'],
    ['genai-agent-runner', 'ai-agent'],
  ])('%s → %s', (name, tool) => {
    expect(matchName(name)[0]?.tool).toBe(tool);
  });

  it.each(['alice@example.com', 'botocore-session-1714654800', 'i-0abc12345def67890', 'AutoScalingDescribeHandlerSession', 'kirov-ops', 'precursor'])('%s matches nothing', (name) => {
    expect(matchName(name)).toEqual([]);
  });
});

describe('evidence from CloudTrail usage (own fixture)', async () => {
  const { usage } = await readCloudTrail([ownFixture('cloudtrail/ai-sessions.json')]);

  it('finds user-agent, session-name and sourceIdentity evidence with event counts', () => {
    const ev = agentEvidenceFromUsage(usage);
    expect(ev[SSO]!.map((e) => [e.kind, e.tool, e.confidence])).toEqual([
      ['cloudtrail-user-agent', 'claude-code', 'high'],
      ['cloudtrail-user-agent', 'amazon-q', 'high'],
    ]);
    expect(ev[SSO]![0]!.detail).toMatch(/aws-cli-agent-claude-code \(m\/…AN\) on 4 events from 1 user agent/);
    expect(ev[`arn:aws:iam::${ACCT}:role/dev-sandbox`]).toEqual([
      { kind: 'cloudtrail-session-name', tool: 'kiro', confidence: 'medium', detail: 'session name matched kiro-session: "kiro-1714640000" (1 session, 2 events)' },
    ]);
    expect(ev[`arn:aws:iam::${ACCT}:role/ops-automation`]).toEqual([
      { kind: 'cloudtrail-source-identity', tool: 'cursor', confidence: 'medium', detail: 'sourceIdentity matched cursor-session: "alice+cursor" (1 session, 1 event)' },
    ]);
    expect(ev[`arn:aws:iam::${ACCT}:role/mcp-readonly`]!.map((e) => [e.tool, e.confidence])).toEqual([
      ['mcp-server', 'high'],
      ['claude-code', 'medium'],
      ['mcp-server', 'medium'],
    ]);
    // m/ANX and an ansible/ssm-agent user agent are not agent evidence.
    expect(ev[`arn:aws:iam::${ACCT}:user/ci-deployer`]).toBeUndefined();
  });

  it("lists the AI-driven calls inside an engineer's SSO session, and only those calls' actions", () => {
    const sessions = aiDrivenSessions(usage).filter((s) => s.principalArn === SSO);
    expect(sessions.map((s) => [s.sessionName, s.tool, s.matchedBy, s.events])).toEqual([
      ['alice@example.com', 'claude-code', 'user-agent', 4],
      ['bob@example.com', 'amazon-q', 'user-agent', 2],
    ]);
    // alice's own (human) ListBuckets is not in the agent's list; the denied RDS delete is.
    expect(sessions[0]!.actions).toEqual(['cloudformation:DeleteStack', 'cloudformation:DescribeStacks', 'lambda:UpdateFunctionCode', 'rds:DeleteDBInstance']);
    expect(sessions[1]!.actions).toEqual(['ec2:DescribeInstances', 'ec2:TerminateInstances']);
  });

  it('lists sessions identified by name or sourceIdentity with all their user agents', () => {
    const byName = aiDrivenSessions(usage).filter((s) => s.matchedBy !== 'user-agent');
    expect(byName.map((s) => [s.principalArn.split('/').pop(), s.tool, s.matchedBy, s.sessionName ?? s.sourceIdentity])).toEqual([
      ['dev-sandbox', 'kiro', 'session-name', 'kiro-1714640000'],
      ['ops-automation', 'cursor', 'source-identity', 'ops-run-42'],
    ]);
  });
});

describe.skipIf(!sharedFixturesPresent)(`evidence on public CloudTrail${sharedFixturesPresent ? '' : ` (${SKIP_REASON})`}`, () => {
  it('finds no AI agent in the stratus-red-team and invictus-ir sets (none is in them)', async () => {
    const { usage } = await readCloudTrail([sharedFixture('cloudtrail/stratus-red-team'), sharedFixture('cloudtrail/invictus-ir-aws-dataset')]);
    expect(Object.keys(usage.byPrincipal).length).toBeGreaterThan(10);
    expect(agentEvidenceFromUsage(usage)).toEqual({});
    expect(aiDrivenSessions(usage)).toEqual([]);
  });
});
