// A weak user-agent match (Kiro IDE's unverified m/AX, the AI SDK's Bedrock marker) is evidence to
// weigh, not a label: the report's session list (what `leash contain` offers to stop) and the
// activity timeline name a call's or a session's AI tool only from a high or medium signature.
// The principal's evidence still holds the weak match, marked low.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { activityTimeline } from '../../src/activity/timeline.js';
import { toolsNamedBy } from '../../src/agents/user-agent.js';
import { runScan } from '../../src/pipeline/scan.js';
import { IamExportBuilder, allow, policy, trust } from '../support/iam-export-builder.js';

const ACCT = '111122223333';
const SSO_PATH = '/aws-reserved/sso.amazonaws.com/eu-west-1/';
const cli = (codes: string) => `aws-cli/2.36.7 md/awscrt#0.28.4 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.13.7 md/pyimpl#CPython m/${codes} cfg/retry-mode#standard md/command#s3.ls`;
const KIRO_IDE_PROPOSED = cli('E,AX');
const AI_SDK = 'ai-sdk/amazon-bedrock/4.0.67 runtime/node.js/20.20.2';
const KIRO_CLI = cli('AQ,E');

const sso = (name: string) => `arn:aws:iam::${ACCT}:role${SSO_PATH}${name}`;
const call = (role: string, session: string, ua: string, i: number) => ({
  eventVersion: '1.09', eventTime: `2026-11-20T10:${String(i).padStart(2, '0')}:00Z`, eventSource: 's3.amazonaws.com', eventName: 'ListBuckets',
  awsRegion: 'eu-west-1', recipientAccountId: ACCT, userAgent: ua, sourceIPAddress: '198.51.100.7', eventID: `e-${i}`,
  userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCT}:assumed-role/${role}/${session}`, accountId: ACCT, sessionContext: { sessionIssuer: { type: 'Role', arn: sso(role), accountId: ACCT, userName: role } } },
});
const ROLES = ['AWSReservedSSO_Dev_aaaa', 'AWSReservedSSO_Data_cccc', 'AWSReservedSSO_Ops_bbbb'];
const RECORDS = [
  call(ROLES[0]!, 'alice@example.com', KIRO_IDE_PROPOSED, 1),
  call(ROLES[1]!, 'carol@example.com', AI_SDK, 2),
  // Control: Kiro CLI's released code names the tool.
  call(ROLES[2]!, 'bob@example.com', KIRO_CLI, 3),
];

describe('a weak match names no tool on a call or a session', () => {
  it('toolsNamedBy keeps high and medium matches only', () => {
    expect(toolsNamedBy(KIRO_IDE_PROPOSED)).toEqual([]);
    expect(toolsNamedBy(AI_SDK)).toEqual([]);
    expect(toolsNamedBy(KIRO_CLI)).toEqual(['kiro']);
  });

  it('the activity timeline labels only the released code\'s call', () => {
    for (const [i, role] of ROLES.entries()) {
      const t = activityTimeline(RECORDS, { principalArn: sso(role) });
      expect(t.events.map((e) => e.tools), role).toEqual([i === 2 ? ['kiro'] : []]);
      expect(t.sessions.map((s) => s.tools), role).toEqual([i === 2 ? ['kiro'] : []]);
    }
  });

  it('the report\'s session list names the tool only for the released code; the weak matches stay low evidence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leash-weak-labels-'));
    const b = new IamExportBuilder(ACCT);
    for (const r of ROLES) b.role(r, { path: SSO_PATH, trust: trust(`arn:aws:iam::${ACCT}:saml-provider/AWSSSO_0123_DO_NOT_DELETE`), inline: { admin: policy(allow('*', '*')) } });
    writeFileSync(join(dir, 'auth.json'), JSON.stringify(b.build()));
    mkdirSync(join(dir, 'trail'));
    writeFileSync(join(dir, 'trail', 'events.json'), JSON.stringify({ Records: RECORDS }));
    const report = await runScan({ input: join(dir, 'auth.json'), cloudtrail: [join(dir, 'trail')], now: new Date('2026-11-21T00:00:00Z') });
    const p = (name: string) => report.principals.find((x) => x.name === name)!;
    for (const weak of ROLES.slice(0, 2)) {
      expect(p(weak).usage?.sessions?.map((s) => s.tools), weak).toEqual([undefined]);
      expect(p(weak).agentEvidence.map((e) => [e.kind, e.confidence]), weak).toEqual([['cloudtrail-user-agent', 'low']]);
      expect(p(weak).isAgent, weak).toBe(false);
    }
    expect(p(ROLES[2]!).usage?.sessions?.map((s) => s.tools)).toEqual([['kiro']]);
    expect(p(ROLES[2]!).isAgent).toBe(true);
  });
});
