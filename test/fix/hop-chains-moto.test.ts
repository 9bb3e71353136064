// The middle role's hop boundary (session 40) applied by its apply.sh against moto (a real IAM
// API; the aws CLI on the machine image): kiro-agent was seen assuming hub, hub may assume deploy
// (which deletes every table) and never did. hub's folder creates the shared boundary and sets it
// on hub, with the NoUnusedRoleHops deny on deploy in it; deploy and kiro-agent's own boundary are
// not hub's folder's business; --rollback puts hub back with no boundary. Skipped, saying why,
// without moto or the aws CLI.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOTO_CREDENTIALS, MOTO_SKIP_REASON, motoAvailable, startMoto, type Moto } from '../support/moto.js';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import { writeFixPlans } from '../../src/fix/write.js';
import type { UsageData } from '../../src/model/usage.js';
import { allow, arn, doc, snapshot, trust } from '../graph/accounts.js';

const ACCOUNT = '123456789012'; // moto's
const HUB = arn(ACCOUNT, 'role', 'hub');
const DEPLOY = arn(ACCOUNT, 'role', 'deploy');
const AGENT = arn(ACCOUNT, 'role', 'kiro-agent');
const table = (n: string) => `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${n}`;
const TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] };
const NOW = new Date('2026-12-01T12:00:00Z');
const awsCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;
const skip = !motoAvailable ? MOTO_SKIP_REASON : !awsCli ? 'the aws CLI is not installed' : undefined;

const used = (action: string, resources: string[]) => ({ action, count: 3, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z', resources });
const principal = (p: string, actions: ReturnType<typeof used>[]) => ({ principalArn: p, actions, sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' });
const USAGE: UsageData = {
  window: { start: '2026-08-26T00:00:00Z', end: '2026-11-24T00:00:00Z' }, coveredPrincipals: 'all', recordsRead: 10, dataEventsRead: 4, unmapped: [],
  byPrincipal: {
    [AGENT]: principal(AGENT, [used('dynamodb:DeleteTable', [table('kiro-scratch-1')]), used('sts:AssumeRole', [HUB])]),
    [HUB]: principal(HUB, [used('dynamodb:DescribeTable', [table('orders')])]),
  },
};

let moto: Moto;
let root: string;
let env: NodeJS.ProcessEnv;
const aws = (args: string[]) => spawnSync('aws', args, { env, encoding: 'utf8' });
const boundaryOf = (name: string): string => aws(['iam', 'get-role', '--role-name', name, '--query', 'Role.PermissionsBoundary.PermissionsBoundaryArn', '--output', 'text']).stdout.trim();

describe.skipIf(skip !== undefined)(`the hop boundary's apply.sh against moto${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let hubDir: string;
  beforeAll(async () => {
    moto = await startMoto();
    root = mkdtempSync(join(tmpdir(), 'leash-hop-moto-'));
    env = { ...process.env, AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
    const spec = {
      id: ACCOUNT,
      roles: [
        { name: 'kiro-agent', trust: trust({ Service: 'ec2.amazonaws.com' }), tags: { 'ai-agent': 'true' }, inline: [doc(allow('sts:AssumeRole', HUB), allow('dynamodb:DeleteTable', table('kiro-scratch-*')))] },
        { name: 'hub', trust: trust({ AWS: ACCOUNT }), inline: [doc(allow('sts:AssumeRole', DEPLOY), allow('dynamodb:DescribeTable'))] },
        { name: 'deploy', trust: trust({ AWS: ACCOUNT }), inline: [doc(allow('dynamodb:DeleteTable', 'arn:aws:dynamodb:*:*:table/*'))] },
      ],
    };
    const [a] = analyzeSnapshots([{ ...snapshot(spec), usage: USAGE }], defaultConfig(), { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: true });
    const plans = a!.fixPlans.filter((p) => p.fixes.length > 0);
    expect(plans.map((p) => p.principalName).sort()).toEqual(['hub', 'kiro-agent']);
    const out = join(root, 'fixes');
    await writeFixPlans(out, plans);
    // hub's folder: the one whose apply.sh names the role hub.
    const dirs = readdirSync(out).filter((d) => !d.startsWith('.') && d !== 'boundaries' && d !== 'lib');
    hubDir = join(out, dirs.find((d) => { try { return /'hub'/.test(readFileSync(join(out, d, 'apply.sh'), 'utf8')); } catch { return false; } })!);
    // The account as the scan saw it (test setup, with moto: leash itself only reads).
    for (const n of ['hub', 'deploy']) expect(aws(['iam', 'create-role', '--role-name', n, '--assume-role-policy-document', JSON.stringify(TRUST)]).status).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await moto?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('sets hub\'s boundary with the deny on deploy; deploy is untouched; rollback leaves hub with none', () => {
    const r = spawnSync('bash', [join(hubDir, 'apply.sh'), '--apply'], { env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const b = boundaryOf('hub');
    expect(b).toMatch(new RegExp(`^arn:aws:iam::${ACCOUNT}:policy/leash-boundary-[0-9a-f]{12}$`));
    const version = JSON.parse(aws(['iam', 'get-policy', '--policy-arn', b, '--query', 'Policy.DefaultVersionId', '--output', 'json']).stdout) as string;
    const live = JSON.parse(aws(['iam', 'get-policy-version', '--policy-arn', b, '--version-id', version, '--query', 'PolicyVersion.Document', '--output', 'json']).stdout) as { Statement: { Sid: string; Effect: string; Action: unknown; Resource: unknown }[] };
    const hop = live.Statement.find((s) => s.Sid === 'NoUnusedRoleHops');
    expect(hop).toMatchObject({ Effect: 'Deny', Resource: DEPLOY });
    expect(live.Statement.find((s) => s.Sid === 'AllowAsToday')).toMatchObject({ Effect: 'Allow', Action: '*', Resource: '*' });
    // Control: deploy is not hub's folder's to change.
    expect(boundaryOf('deploy')).toBe('None');
    const backup = readdirSync(hubDir).find((e) => e.startsWith('backup-'))!;
    const back = spawnSync('bash', [join(hubDir, 'apply.sh'), '--rollback', join(hubDir, backup), '--apply'], { env, encoding: 'utf8' });
    expect(back.status, back.stderr).toBe(0);
    expect(boundaryOf('hub')).toBe('None');
  }, 300_000);
});
