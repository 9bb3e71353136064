// Issue 15's "the Config-snapshot route and the live route agree", at the level a user reads:
// moto holds stacks, buckets with policies, tables, keys, functions and secrets in two accounts,
// plus agents and roles in IAM. The whole scan (IAM read live, analysis over both accounts'
// graph) runs once with the live inventory (`--resources`) and once with an AWS Config snapshot
// of the same accounts (`--inventory FILE`, written from what moto holds in the shape Config
// delivers), and the named findings, blast radius and who-can answers must be identical.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeSnapshots, collectSnapshot, type ScanOptions } from '../../src/pipeline/scan.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import type { Analysis } from '../../src/pipeline/scan.js';
import { resourceView } from '../../src/resources/blast.js';
import { boto3, MOTO_CREDENTIALS, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../support/moto.js';
import { repoRoot } from '../support/fixtures.js';

const A = '123456789012';
const B = '222233334444';
const setupScript = readFileSync(join(repoRoot, 'test/support/moto-inventory.py'), 'utf8');
const snapshotScript = readFileSync(join(repoRoot, 'test/support/moto-config-snapshot.py'), 'utf8');
type Creds = { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };

// Agents and the roles they can become: what the findings and who-can answers are about.
const iamScript = `
A = INPUT['A']; B = INPUT['B']; C = INPUT.get('creds'); acct = INPUT['acct']
def pol(stmts): return json.dumps({'Version': '2012-10-17', 'Statement': stmts})
iam = client('iam', C)
if acct == A:
    iam.create_user(UserName='kiro-agent')
    iam.put_user_policy(UserName='kiro-agent', PolicyName='agent', PolicyDocument=pol([
        {'Sid': 'Stacks', 'Effect': 'Allow', 'Action': ['cloudformation:DeleteStack', 'cloudformation:DescribeStacks'], 'Resource': '*'},
        {'Sid': 'Data', 'Effect': 'Allow', 'Action': 's3:GetObject', 'Resource': 'arn:aws:s3:::a-prod-data/*'},
        {'Sid': 'Secrets', 'Effect': 'Allow', 'Action': 'secretsmanager:GetSecretValue', 'Resource': '*'},
        {'Sid': 'Code', 'Effect': 'Allow', 'Action': 'lambda:UpdateFunctionCode', 'Resource': f'arn:aws:lambda:us-east-1:{A}:function:a-orders-api'},
        {'Sid': 'Stack', 'Effect': 'Allow', 'Action': 'cloudformation:UpdateStack', 'Resource': '*'},
        {'Sid': 'Become', 'Effect': 'Allow', 'Action': 'sts:AssumeRole', 'Resource': [f'arn:aws:iam::{A}:role/a-deploy-role', f'arn:aws:iam::{B}:role/b-cross']}]))
    iam.create_role(RoleName='a-deploy-role', AssumeRolePolicyDocument=pol([{'Effect': 'Allow', 'Principal': {'AWS': f'arn:aws:iam::{A}:root'}, 'Action': 'sts:AssumeRole'}]))
    iam.put_role_policy(RoleName='a-deploy-role', PolicyName='deploy', PolicyDocument=pol([
        {'Sid': 'Tear', 'Effect': 'Allow', 'Action': ['dynamodb:DeleteTable', 'lambda:DeleteFunction', 'kms:ScheduleKeyDeletion', 'sqs:DeleteQueue'], 'Resource': '*'}]))
else:
    iam.create_user(UserName='claude-agent')
    iam.put_user_policy(UserName='claude-agent', PolicyName='agent', PolicyDocument=pol([
        {'Sid': 'All', 'Effect': 'Allow', 'Action': ['s3:*', 'sns:DeleteTopic', 'ecr:DeleteRepository'], 'Resource': '*'}]))
    iam.create_role(RoleName='b-cross', AssumeRolePolicyDocument=pol([{'Effect': 'Allow', 'Principal': {'AWS': f'arn:aws:iam::{A}:user/kiro-agent'}, 'Action': 'sts:AssumeRole'}]))
    iam.put_role_policy(RoleName='b-cross', PolicyName='cross', PolicyDocument=pol([
        {'Sid': 'Drop', 'Effect': 'Allow', 'Action': ['dynamodb:DeleteTable', 'secretsmanager:GetSecretValue'], 'Resource': '*'}]))
print('{}')`;

/** What a user reads, in a stable order: findings with their names, blast radius, who-can. */
function readable(analyses: readonly Analysis[], snapshots: readonly Snapshot[]) {
  return analyses.map((a, i) => {
    const report = a.report;
    const view = resourceView(snapshots[i]!, a.graph)!;
    const arns = [...snapshots[i]!.inventory!.resources.map((r) => r.arn)].sort();
    return {
      account: snapshots[i]!.account.id,
      findings: [...report.findings]
        .map((f) => ({ id: f.id, checkId: f.checkId, severity: f.severity, principal: f.principalArn, title: f.title, description: f.description, resources: [...(f.resources ?? [])].sort((x, y) => x.arn.localeCompare(y.arn)) }))
        .sort((x, y) => x.id.localeCompare(y.id)),
      blast: report.principals.map((p) => ({ arn: p.arn, blast: p.blast })).sort((x, y) => x.arn.localeCompare(y.arn)),
      // Hops through existing compute the inventory names (src/graph/carriers.ts).
      carried: a.graph.built.out.flat().filter((e) => e.evidence.some((x) => x.resource)).map((e) => `${e.from} -${e.technique}-> ${e.to} via ${e.evidence.map((x) => x.resource).join(',')}`).sort(),
      whoCan: arns.map((arn) => ({ arn, who: view.whoCan(arn).map((e) => ({ p: e.principalArn, action: e.action, condition: e.condition, actor: e.actor, via: e.via, hops: e.path?.hops.map((h) => `${h.from}>${h.to}:${h.technique}`) ?? [], evidence: e.evidence })) })),
    };
  });
}

describe.skipIf(!motoAvailable)(`live and Config-snapshot routes give the same findings (moto)${motoAvailable ? '' : `: ${MOTO_SKIP_REASON}`}`, () => {
  let moto: Moto;
  let credsB: Creds;
  const dir = mkdtempSync(join(tmpdir(), 'leash-routes-'));
  const saved = { ...process.env };
  const now = new Date('2026-12-02T00:00:00Z');

  /** The scan of one account as `leash scan` does it (IAM live), with the given inventory route. */
  async function collect(account: string, route: Pick<ScanOptions, 'resources' | 'regions' | 'inventory'>): Promise<Snapshot> {
    const creds = account === A ? { AccessKeyId: MOTO_CREDENTIALS.accessKeyId, SecretAccessKey: MOTO_CREDENTIALS.secretAccessKey } : credsB;
    process.env['AWS_ACCESS_KEY_ID'] = creds.AccessKeyId;
    process.env['AWS_SECRET_ACCESS_KEY'] = creds.SecretAccessKey;
    if ('SessionToken' in creds) process.env['AWS_SESSION_TOKEN'] = creds.SessionToken;
    else delete process.env['AWS_SESSION_TOKEN'];
    const { snapshot } = await collectSnapshot({ endpointUrl: moto.endpoint, region: 'us-east-1', now, ...route });
    expect(snapshot.account.id).toBe(account);
    return snapshot;
  }
  const analyse = (snapshots: Snapshot[]) => analyzeSnapshots(snapshots, { ...collectedConfig! }, { scanId: 'routes', startedAt: now.toISOString(), now, fixes: false });
  let collectedConfig: Parameters<typeof analyzeSnapshots>[1] | undefined;

  beforeAll(async () => {
    moto = await startMoto();
    boto3(moto, setupScript, { account: A, prefix: 'a', creds: null });
    credsB = boto3(moto, `r = client('sts').assume_role(RoleArn='arn:aws:iam::${B}:role/setup', RoleSessionName='setup')['Credentials']\nprint(json.dumps({k: r[k] for k in ['AccessKeyId', 'SecretAccessKey', 'SessionToken']}))`) as Creds;
    boto3(moto, setupScript, { account: B, prefix: 'b', creds: credsB });
    boto3(moto, iamScript, { A, B, acct: A, creds: null });
    boto3(moto, iamScript, { A, B, acct: B, creds: credsB });
    for (const [acct, creds] of [[A, null], [B, credsB]] as const) writeFileSync(join(dir, `${acct}.json`), JSON.stringify(boto3(moto, snapshotScript, { account: acct, creds })));
    const { loadConfig } = await import('../../src/config/config.js');
    collectedConfig = loadConfig(undefined);
  }, 180_000);
  afterAll(async () => {
    process.env = saved;
    await moto?.stop();
  });

  it('named findings, blast radius and who-can answers are identical across both accounts', async () => {
    const live = [await collect(A, { resources: true, regions: ['us-east-1'] }), await collect(B, { resources: true, regions: ['us-east-1'] })];
    const config = [await collect(A, { inventory: [join(dir, `${A}.json`)] }), await collect(B, { inventory: [join(dir, `${B}.json`)] })];
    for (const s of [...live, ...config]) expect(s.inventory!.errors).toEqual([]);
    const fromLive = readable(analyse(live), live);
    const fromConfig = readable(analyse(config), config);
    expect(fromConfig).toEqual(fromLive);

    // The comparison is about something: named findings and answers exist on both sides.
    const [a, b] = fromLive;
    const named = a!.findings.filter((f) => f.principal === `arn:aws:iam::${A}:user/kiro-agent` && f.resources.length > 0);
    expect(named.flatMap((f) => f.resources.map((r) => r.name))).toEqual(expect.arrayContaining(['a-api-prod', 'a-orders-prod']));
    // Through the cross-account role: kiro-agent can delete account B's table.
    const bTable = b!.whoCan.find((w) => w.arn === `arn:aws:dynamodb:us-east-1:${B}:table/b-orders-prod`)!;
    expect(bTable.who.some((e) => e.p === `arn:aws:iam::${A}:user/kiro-agent` && e.action === 'dynamodb:DeleteTable' && e.actor === `arn:aws:iam::${B}:role/b-cross`)).toBe(true);
    // The bucket readable from 444455556666 through its policy is a finding on both routes.
    expect(a!.findings.some((f) => f.resources.some((r) => r.name === 'a-prod-data' && r.grantee === '444455556666'))).toBe(true);
    // Existing compute joined on both routes: the function's execution role and the prod stack's service role, named.
    const agentA = `arn:aws:iam::${A}:user/kiro-agent`;
    expect(a!.carried.filter((c) => c.startsWith(agentA))).toEqual([
      `${agentA} -cloudformation-update-stack-> arn:aws:iam::${A}:role/a-cfn-role via ${live[0]!.inventory!.resources.find((r) => r.name === 'a-api-prod')!.arn}`,
      `${agentA} -lambda-update-function-code-> arn:aws:iam::${A}:role/a-fn-role via arn:aws:lambda:us-east-1:${A}:function:a-orders-api`,
    ]);
    expect(a!.blast.find((p) => p.arn === `arn:aws:iam::${A}:user/kiro-agent`)!.blast).toBeDefined();
    const secret = a!.whoCan.find((w) => w.arn.includes(':secret:a/db'))!;
    expect(secret.who.map((e) => e.p)).toContain(`arn:aws:iam::${A}:user/kiro-agent`);
  }, 180_000);

  it('negative control: a Config snapshot missing one stack and one bucket policy gives different findings, named where they differ', async () => {
    const snap = JSON.parse(readFileSync(join(dir, `${A}.json`), 'utf8')) as { configurationItems: Record<string, unknown>[] };
    snap.configurationItems = snap.configurationItems.filter((i) => i['resourceName'] !== 'a-api-prod');
    for (const i of snap.configurationItems) if (i['resourceName'] === 'a-prod-data') i['supplementaryConfiguration'] = {};
    writeFileSync(join(dir, 'edited.json'), JSON.stringify(snap));
    const live = [await collect(A, { resources: true, regions: ['us-east-1'] })];
    const edited = [await collect(A, { inventory: [join(dir, 'edited.json')] })];
    const [l] = readable(analyse(live), live);
    const [e] = readable(analyse(edited), edited);
    expect(e).not.toEqual(l);
    const names = (x: typeof l) => new Set(x!.findings.flatMap((f) => f.resources.map((r) => `${r.name}${r.grantee ? `@${r.grantee}` : ''}`)));
    expect(names(l).has('a-api-prod')).toBe(true);
    expect(names(e).has('a-api-prod')).toBe(false);
    expect(names(l).has('a-prod-data@444455556666')).toBe(true);
    expect(names(e).has('a-prod-data@444455556666')).toBe(false);
  }, 180_000);
});
