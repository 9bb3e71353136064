import { describe, expect, it } from 'vitest';
import { agentEvidenceFromUsage, aiDrivenSessions, matchName, unrecognisedAgentTooling } from '../../src/agents/cloudtrail-evidence.js';
import { readCloudTrail } from '../../src/collect/cloudtrail/sources/files.js';
import { ownFixture, sharedFixture, sharedFixturesPresent, SKIP_REASON } from '../support/fixtures.js';

const ACCT = '111122223333';
const SSO = `arn:aws:iam::${ACCT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef`;

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
    expect(ev[SSO]![0]!.detail).toMatch(/aws-cli-agent-claude-code \(m\/E,AN,b\) on 4 events from 1 user agent/);
    expect(ev[`arn:aws:iam::${ACCT}:role/dev-sandbox`]).toEqual([
      expect.objectContaining({ kind: 'cloudtrail-session-name', tool: 'kiro', confidence: 'low', signature: 'kiro-session', detail: 'session name matched kiro-session: "kiro-1714640000" (1 session, 2 events)' }),
    ]);
    expect(ev[`arn:aws:iam::${ACCT}:role/ops-automation`]).toEqual([
      expect.objectContaining({ kind: 'cloudtrail-source-identity', tool: 'cursor', confidence: 'low', detail: 'sourceIdentity matched cursor-session: "alice+cursor" (1 session, 1 event)' }),
    ]);
    expect(ev[`arn:aws:iam::${ACCT}:role/mcp-readonly`]!.map((e) => [e.tool, e.confidence])).toEqual([
      // One piece of evidence per tool and user agent: the server's own marker, not also MCPClient/.
      ['mcp-server', 'high'],
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
  it('finds no AI tool and no unrecognised tooling in the stratus-red-team, invictus-ir and trailscraper sets (none is in them)', async () => {
    const { usage } = await readCloudTrail([sharedFixture('cloudtrail/stratus-red-team'), sharedFixture('cloudtrail/invictus-ir-aws-dataset'), sharedFixture('cloudtrail/trailscraper')]);
    expect(Object.keys(usage.byPrincipal).length).toBeGreaterThan(10);
    expect(agentEvidenceFromUsage(usage)).toEqual({});
    expect(aiDrivenSessions(usage)).toEqual([]);
    expect(unrecognisedAgentTooling(usage)).toEqual([]);
  });

  it('takes no person in them for a tool: no session of theirs yields session-name evidence', async () => {
    const { usage } = await readCloudTrail([sharedFixture('cloudtrail/stratus-red-team'), sharedFixture('cloudtrail/invictus-ir-aws-dataset'), sharedFixture('cloudtrail/trailscraper')]);
    const names = Object.values(usage.byPrincipal).flatMap((p) => p.sessions.flatMap((s) => [s.sessionName, s.sourceIdentity])).filter((n): n is string => Boolean(n));
    expect(names.length).toBeGreaterThan(5);
    expect(names.filter((n) => matchName(n).length > 0)).toEqual([]);
  });
});
