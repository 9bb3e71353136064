// Evidence that composes: a person whose name is a product word (Claude, Kiro, Cursor, Gemini…)
// stays a person in every federated role (SAML, IAM Identity Center) and whenever the session
// name is shaped like a person's; a word in a tool-chosen session name is weak; a tool's own
// user-agent marker is strong. The report says which evidence decided.
import { describe, expect, it } from 'vitest';
import { agentEvidenceFromUsage, aiDrivenSessions, personNamed } from '../../src/agents/cloudtrail-evidence.js';
import { agentEvidenceFor, explainAgentDecision, isAgent, isPeopleFederatedRole, looksLikePerson } from '../../src/agents/identify.js';
import { UsageAggregator } from '../../src/collect/cloudtrail/aggregate.js';
import type { CloudTrailRecord } from '../../src/collect/cloudtrail/record.js';
import { defaultConfig } from '../../src/config/config.js';
import type { Role } from '../../src/model/snapshot.js';

const ACCT = '111122223333';
const CLI = 'aws-cli/2.36.7 md/awscrt#0.28.4 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.13.7 md/pyimpl#CPython m/E,b cfg/retry-mode#standard md/command#s3.ls';
const CLI_CLAUDE = CLI.replace('m/E,b', 'm/E,AN,b');
const CONSOLE = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

const role = (name: string, path: string, trust: Role['trustPolicy']['statements'] = []): Role => ({
  kind: 'role', arn: `arn:aws:iam::${ACCT}:role${path}${name}`, id: `AROA${name.length}`, name, path, tags: {}, policies: [], unresolvedPolicyArns: [],
  trustPolicy: { version: '2012-10-17', statements: trust }, instanceProfiles: [],
});
const samlTrust: Role['trustPolicy']['statements'] = [{
  index: 0, effect: 'Allow', action: ['sts:AssumeRoleWithSAML'], principal: { Federated: [`arn:aws:iam::${ACCT}:saml-provider/Okta`] },
  condition: { StringEquals: { 'SAML:aud': ['https://signin.aws.amazon.com/saml'] } },
} as unknown as Role['trustPolicy']['statements'][number]];

const saml = role('Engineering', '/', samlTrust);
const sso = role('AWSReservedSSO_PowerUser_0123456789abcdef', '/aws-reserved/sso.amazonaws.com/eu-west-1/');
const shared = role('shared-ops', '/');
const runner = role('tools-runner', '/');

/** People whose first name (or family name) is a product word, as their IdP names their sessions. */
const PEOPLE = ['claude.martin@example.com', 'Kiro.Tanaka', 'cursor.smith', 'jean-claude.dupont', 'gemini.rossi2', 'Amp.Lee', 'codex_vance', 'cline.ortiz', 'roo.code@example.org', 'strands.maria', 'copilot.jones'];

function usageOf(sessions: [Role, string, string][]) {
  const agg = new UsageAggregator();
  for (const [r, session, ua] of sessions) {
    const rec: CloudTrailRecord = {
      eventTime: '2026-11-20T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', awsRegion: 'eu-west-1', recipientAccountId: ACCT, userAgent: ua,
      userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCT}:assumed-role/${r.name}/${session}`, sessionContext: { sessionIssuer: { type: 'Role', arn: r.arn } } },
    };
    agg.add(rec);
  }
  return agg.finish({ start: '2026-11-20T00:00:00Z', end: '2026-11-21T00:00:00Z' }, 'all');
}

const config = defaultConfig();
const peopleFederatedRoles = new Set([saml, sso, shared, runner].filter(isPeopleFederatedRole).map((r) => r.arn));

describe('person-shaped names', () => {
  it.each(PEOPLE)('%s reads like a person', (n) => expect(looksLikePerson(n)).toBe(true));
  it.each(['claude-code-7f3a', 'kiro-1714640000', 'botocore-session-1714654800', 'i-0abc12345def67890', 'cursor', 'mcp-aws-api', 'a.b', `${'a'.repeat(300)}.b`])('%s does not', (n) => expect(looksLikePerson(n)).toBe(false));

  it('a SAML-trusting role and an Identity Center role are federated from people; a plain role is not', () => {
    expect([...peopleFederatedRoles].sort()).toEqual([saml.arn, sso.arn].sort());
    expect(personNamed('claude', true)).toMatch(/federated from people/);
    expect(personNamed('claude', false)).toBeUndefined();
  });
});

describe('person-named sessions stay human in every federated role, and in any role when shaped like a person', () => {
  const sessions: [Role, string, string][] = [
    ...PEOPLE.map((n): [Role, string, string] => [saml, n, CONSOLE]),
    ...PEOPLE.map((n): [Role, string, string] => [sso, n, CLI]),
    // In a people-federated role even a bare product word is the person's IdP user name.
    [saml, 'claude', CLI], [saml, 'kiro', CONSOLE], [sso, 'cursor', CLI],
    // In a plain role too, a person-shaped name is a person's.
    ...PEOPLE.map((n): [Role, string, string] => [shared, n, CLI]),
  ];
  const usage = usageOf(sessions);
  const ev = agentEvidenceFromUsage(usage, { peopleFederatedRoles });

  it('gives none of them agent evidence, and lists no AI-driven session', () => {
    expect(ev).toEqual({});
    expect(aiDrivenSessions(usage, { peopleFederatedRoles })).toEqual([]);
  });

  it('leaves every such role a non-agent', () => {
    for (const r of [saml, sso, shared]) {
      const all = agentEvidenceFor(r, config, ev[r.arn] ?? []);
      expect(isAgent(all), r.name).toBe(false);
    }
  });

  it('but a tool marker in the same person\'s session still shows the tool driving it', () => {
    const driven = agentEvidenceFromUsage(usageOf([[saml, 'claude.martin@example.com', CLI_CLAUDE]]), { peopleFederatedRoles });
    expect(driven[saml.arn]!.map((e) => [e.kind, e.tool, e.confidence, e.signature])).toEqual([['cloudtrail-user-agent', 'claude-code', 'high', 'aws-cli-agent-claude-code']]);
  });
});

describe('a word in a tool-chosen session name is weak; a user-agent marker is strong', () => {
  it('one session-name word is low evidence and not enough alone', () => {
    const ev = agentEvidenceFromUsage(usageOf([[runner, 'claude-code-7f3a', CLI]]), { peopleFederatedRoles });
    expect(ev[runner.arn]!.map((e) => [e.kind, e.tool, e.confidence])).toEqual([['cloudtrail-session-name', 'claude-code', 'low']]);
    const all = agentEvidenceFor(runner, config, ev[runner.arn]!);
    expect(isAgent(all)).toBe(false);
    expect(explainAgentDecision(all, false, false)).toMatchObject({ verdict: 'not-agent', decidedBy: [0], reason: expect.stringMatching(/from one source only \(session name or sourceIdentity\)/) });
  });

  it('the AWS CLI agent code decides, and the report says so', () => {
    const ev = agentEvidenceFromUsage(usageOf([[runner, 'claude-code-7f3a', CLI_CLAUDE]]), { peopleFederatedRoles });
    const all = agentEvidenceFor(runner, config, ev[runner.arn]!);
    expect(isAgent(all)).toBe(true);
    const d = explainAgentDecision(all, true, false);
    expect(d.verdict).toBe('agent');
    expect(all[d.decidedBy[0]!]!.kind).toBe('cloudtrail-user-agent');
    expect(d.reason).toMatch(/^high confidence cloudtrail-user-agent \(claude-code\): Claude Code: AWS CLI v2/);
  });

  it('two weak signals agree: a session-name word and a name pattern', () => {
    const r = role('nightly-ai-agent-runner', '/');
    const ev = agentEvidenceFromUsage(usageOf([[r, 'kiro-1714640000', CLI]]));
    const all = agentEvidenceFor(r, config, ev[r.arn]!);
    expect(all.map((e) => e.confidence)).toEqual(['low', 'low']);
    expect(isAgent(all)).toBe(true);
    expect(explainAgentDecision(all, true, false).reason).toMatch(/weak signals from 2 independent sources \(principal name or path; session name or sourceIdentity\)/);
  });

  it('an engineer\'s own session role driven by a tool is a human session, not an agent principal', () => {
    const ev = agentEvidenceFromUsage(usageOf([[sso, 'dana@example.com', CLI_CLAUDE]]));
    const all = agentEvidenceFor(sso, config, ev[sso.arn]!);
    const d = explainAgentDecision(all, false, true);
    expect(d.verdict).toBe('human-session');
    expect(d.decidedBy).toEqual([0]);
  });
});
