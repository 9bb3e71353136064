// No person taken for a tool (audit, session 29): scans of small accounts with CloudTrail in which
// one weak signal, or two pieces of the same signal, used to make an agent of a person's session or
// of an ordinary role. Each case has its positive control: the strong or independent evidence that
// must still decide.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScan } from '../../src/pipeline/scan.js';
import { matchName } from '../../src/agents/cloudtrail-evidence.js';
import type { Report } from '../../src/model/report.js';
import { IamExportBuilder, allow, policy, trust } from '../support/iam-export-builder.js';

const ACCT = '111122223333';
const NOW = new Date('2026-11-21T00:00:00Z');
const CLI = (codes: string) => `aws-cli/2.36.7 md/awscrt#0.28.4 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.13.7 md/pyimpl#CPython m/${codes} cfg/retry-mode#standard md/command#s3.ls`;
const BOTO = 'Boto3/1.40.0 md/Botocore#1.43.11 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.43.11';
const SSO_PATH = '/aws-reserved/sso.amazonaws.com/eu-west-1/';

interface Call { readonly role: string; readonly path?: string; readonly session: string; readonly ua: string; readonly sourceIdentity?: string; readonly eventName?: string; readonly eventSource?: string }

/** A scan of `build`'s account with one CloudTrail file holding `calls` (each an S3 call by a role session, unless it names another source). */
async function scan(build: (b: IamExportBuilder) => void, calls: readonly Call[]): Promise<Report> {
  const dir = mkdtempSync(join(tmpdir(), 'leash-weak-'));
  const b = new IamExportBuilder(ACCT);
  build(b);
  const input = join(dir, 'auth.json');
  writeFileSync(input, JSON.stringify(b.build()));
  const trail = join(dir, 'trail');
  mkdirSync(trail);
  const Records = calls.map((c, i) => ({
    eventVersion: '1.09', eventTime: `2026-11-20T10:${String(i % 60).padStart(2, '0')}:00Z`, eventSource: c.eventSource ?? 's3.amazonaws.com', eventName: c.eventName ?? 'ListBuckets',
    awsRegion: 'eu-west-1', recipientAccountId: ACCT, userAgent: c.ua, sourceIPAddress: '198.51.100.7', eventID: `e-${i}`,
    userIdentity: {
      type: 'AssumedRole', arn: `arn:aws:sts::${ACCT}:assumed-role/${c.role}/${c.session}`, accountId: ACCT,
      sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCT}:role${c.path ?? '/'}${c.role}`, accountId: ACCT, userName: c.role }, ...(c.sourceIdentity ? { sourceIdentity: c.sourceIdentity } : {}) },
    },
  }));
  writeFileSync(join(trail, 'events.json'), JSON.stringify({ Records }));
  return runScan({ input, cloudtrail: [trail], now: NOW });
}

const principal = (r: Report, name: string) => {
  const p = r.principals.find((x) => x.name === name);
  if (!p) throw new Error(`no principal ${name}`);
  return p;
};
const driven = (r: Report, name: string) => r.findings.find((f) => f.checkId === 'human-session-driven-by-agent' && f.principalArn === principal(r, name).arn);
const admin = policy(allow('*', '*'));
const ssoRole = (b: IamExportBuilder, name: string) => b.role(name, { path: SSO_PATH, trust: trust(`arn:aws:iam::${ACCT}:saml-provider/AWSSSO_0123_DO_NOT_DELETE`), inline: { admin } });

describe("an engineer's own session with one weak signal is not an AI tool's", () => {
  it('an unverified agent code (m/AX) alone: an info finding to look at, not an agent session; the released code (m/AN) decides', async () => {
    const r = await scan((b) => { ssoRole(b, 'AWSReservedSSO_DeveloperAccess_aaaa'); ssoRole(b, 'AWSReservedSSO_AdminAccess_bbbb'); }, [
      { role: 'AWSReservedSSO_DeveloperAccess_aaaa', path: SSO_PATH, session: 'alice@example.com', ua: CLI('E,AX') },
      { role: 'AWSReservedSSO_AdminAccess_bbbb', path: SSO_PATH, session: 'bob@example.com', ua: CLI('E,AN') },
    ]);
    const weak = principal(r, 'AWSReservedSSO_DeveloperAccess_aaaa');
    expect([weak.isAgent, weak.agentKind]).toEqual([false, undefined]);
    expect(driven(r, 'AWSReservedSSO_DeveloperAccess_aaaa')).toMatchObject({ severity: 'info', title: expect.stringMatching(/may be used by kiro: one weak signal/) });
    expect(weak.agentDecision).toMatchObject({ verdict: 'human-session', reason: expect.stringMatching(/not enough alone/) });
    // Control: Claude Code's released code on the admin session.
    const strong = principal(r, 'AWSReservedSSO_AdminAccess_bbbb');
    expect([strong.isAgent, strong.agentKind]).toEqual([true, 'ai-driven-human-session']);
    expect(driven(r, 'AWSReservedSSO_AdminAccess_bbbb')).toMatchObject({ severity: 'critical', title: expect.stringMatching(/is used by claude-code/) });
    expect(strong.agentDecision?.reason).toMatch(/driven by an AI tool: high confidence cloudtrail-user-agent \(claude-code\)/);
  });

  it('an LLM library (ai-sdk/amazon-bedrock) alone does not make a person\'s session an agent\'s', async () => {
    const r = await scan((b) => ssoRole(b, 'AWSReservedSSO_DataScience_cccc'), [
      { role: 'AWSReservedSSO_DataScience_cccc', path: SSO_PATH, session: 'carol@example.com', ua: 'ai-sdk/amazon-bedrock/4.0.67 runtime/node.js/20.20.2', eventName: 'ListBuckets' },
    ]);
    expect(principal(r, 'AWSReservedSSO_DataScience_cccc').isAgent).toBe(false);
    expect(driven(r, 'AWSReservedSSO_DataScience_cccc')?.severity).toBe('info');
  });
});

describe("Claude Code's own Bedrock model calls (CLAUDE_CODE_USE_BEDROCK=1)", () => {
  // What its model client sends (ai-tools.json claude-code-model-client): the session whose
  // credentials Claude Code holds, and so may run any AWS command with.
  const bedrock = { eventSource: 'bedrock.amazonaws.com', eventName: 'InvokeModelWithResponseStream' } as const;
  it('an engineer session that called Bedrock with claude-cli/… is used by Claude Code; the Anthropic SDK alone, a look-alike and a person are not', async () => {
    const r = await scan((b) => { for (const n of ['Dev_aaaa', 'Dev_bbbb', 'Dev_cccc', 'Dev_dddd']) ssoRole(b, `AWSReservedSSO_${n}`); }, [
      { role: 'AWSReservedSSO_Dev_aaaa', path: SSO_PATH, session: 'alice@example.com', ua: 'claude-cli/2.1.332 (external, cli)', ...bedrock },
      { role: 'AWSReservedSSO_Dev_bbbb', path: SSO_PATH, session: 'bob@example.com', ua: 'AnthropicBedrock/JS 0.71.0', ...bedrock },
      { role: 'AWSReservedSSO_Dev_cccc', path: SSO_PATH, session: 'carol@example.com', ua: 'claude-cli-proxy/0.4.1 (external, cli)', ...bedrock },
      { role: 'AWSReservedSSO_Dev_dddd', path: SSO_PATH, session: 'dan@example.com', ua: CLI('E,b'), ...bedrock },
    ]);
    const used = principal(r, 'AWSReservedSSO_Dev_aaaa');
    expect([used.isAgent, used.agentKind]).toEqual([true, 'ai-driven-human-session']);
    expect(used.agentDecision?.reason).toMatch(/medium confidence cloudtrail-user-agent \(claude-code\)/);
    expect(driven(r, 'AWSReservedSSO_Dev_aaaa')).toMatchObject({ severity: 'critical', title: expect.stringMatching(/is used by claude-code/) });
    // Controls: any app on Anthropic's SDK, a product that only starts the same, a person's CLI.
    for (const name of ['AWSReservedSSO_Dev_bbbb', 'AWSReservedSSO_Dev_cccc', 'AWSReservedSSO_Dev_dddd']) {
      expect(principal(r, name).isAgent, name).toBe(false);
      expect(driven(r, name), name).toBeUndefined();
    }
  });
});

describe('one signal counted once', () => {
  const roles = (b: IamExportBuilder) => {
    for (const name of ['Admin', 'sandbox', 'ops-admin', 'runner']) b.role(name, { trust: trust(`arn:aws:iam::${ACCT}:root`), inline: { admin } });
  };
  it('a given name alone as session name and sourceIdentity is a person\'s; a session name and sourceIdentity are one source; unrecognised tooling never votes', async () => {
    const r = await scan(roles, [
      // A person called Claude (sourceIdentity = user name, as many organisations enforce).
      { role: 'Admin', session: 'claude', sourceIdentity: 'claude', ua: CLI('E,b') },
      // A tool-like session name, and the same word in sourceIdentity: one source, weak.
      { role: 'sandbox', session: 'claude-code-7f3a', sourceIdentity: 'claude-code-7f3a', ua: CLI('E,b') },
      // A cursor migration, and an app id with "genai" in it: neither is an agent.
      { role: 'ops-admin', session: 'cursor-migration-2026', ua: `${BOTO} app/genai-cost-dashboard` },
      // Control: a tool-like session name and an LLM library's marker are two independent weak signals.
      { role: 'runner', session: 'claude-code-91bc', ua: 'ai-sdk/amazon-bedrock/4.0.67 runtime/node.js/20.20.2' },
    ]);
    const admin = principal(r, 'Admin');
    expect([admin.isAgent, admin.agentEvidence.length]).toEqual([false, 0]);
    const sandbox = principal(r, 'sandbox');
    expect(sandbox.agentEvidence.map((e) => e.kind).sort()).toEqual(['cloudtrail-session-name', 'cloudtrail-source-identity']);
    expect(sandbox.isAgent).toBe(false);
    expect(sandbox.agentDecision?.reason).toMatch(/from one source only \(session name or sourceIdentity\)/);
    const ops = principal(r, 'ops-admin');
    expect(ops.agentEvidence.map((e) => e.kind).sort()).toEqual(['cloudtrail-session-name', 'unrecognised-agent-tooling']);
    expect(ops.isAgent).toBe(false);
    const runner = principal(r, 'runner');
    expect(runner.isAgent).toBe(true);
    expect(runner.agentDecision?.reason).toMatch(/weak signals from 2 independent sources/);
  });
});

describe('AWS service roles', () => {
  it('a service-linked role is not an agent principal, whatever its trust; a knowledge-base role name without aws:SourceArn is no agent evidence', async () => {
    const r = await scan((b) => {
      b.role('AWSServiceRoleForAmazonQDeveloper', { path: '/aws-service-role/q.amazonaws.com/', trust: policy({ Effect: 'Allow', Principal: { Service: 'q.amazonaws.com' }, Action: 'sts:AssumeRole' }), inline: { metrics: policy(allow('cloudwatch:PutMetricData')) } });
      b.role('AmazonBedrockExecutionRoleForKnowledgeBase_abc12', { path: '/service-role/', trust: policy({ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }), inline: { kb: policy(allow('s3:GetObject')) } });
      // Controls: the same trust on a customer role is an agent; a Bedrock role of another name stays medium.
      b.role('q-agent-tools', { trust: policy({ Effect: 'Allow', Principal: { Service: 'q.amazonaws.com' }, Action: 'sts:AssumeRole' }), inline: { admin } });
      b.role('orders-bedrock', { path: '/service-role/', trust: policy({ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }), inline: { kb: policy(allow('s3:GetObject')) } });
    }, []);
    const slr = principal(r, 'AWSServiceRoleForAmazonQDeveloper');
    expect([slr.isAgent, slr.agentDecision?.verdict, slr.agentDecision?.reason]).toEqual([false, 'not-agent', expect.stringMatching(/service-linked role/)]);
    const kb = principal(r, 'AmazonBedrockExecutionRoleForKnowledgeBase_abc12');
    expect([kb.isAgent, kb.agentEvidence]).toEqual([false, []]);
    expect(principal(r, 'q-agent-tools').isAgent).toBe(true);
    expect(principal(r, 'orders-bedrock').agentEvidence.map((e) => [e.kind, e.confidence])).toEqual([['trust-service-principal', 'medium']]);
  });
});

describe('session-name words name the right product', () => {
  it('bedrock-agent is Bedrock Agents, agentcore is Bedrock AgentCore; a given name alone names nothing', () => {
    expect(matchName('bedrock-agent-001').map((r) => r.tool)).toEqual(['bedrock-agents']);
    expect(matchName('agentcore-runtime-7').map((r) => r.tool)).toEqual(['bedrock-agentcore']);
    expect(matchName('claude')).toEqual([]);
    expect(matchName('Kiro')).toEqual([]);
    expect(matchName('claude-code-7f3a').map((r) => r.tool)).toEqual(['claude-code']);
    expect(matchName('kiro-1714640000').map((r) => r.tool)).toEqual(['kiro']);
    // Not a given name: the product word alone still names the tool.
    expect(matchName('cursor').map((r) => r.tool)).toEqual(['cursor']);
  });
});
