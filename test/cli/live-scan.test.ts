// `leash scan --profile P` against the loopback AWS endpoint: the real SDK, a real profile in a
// real config file, the real CLI. It must behave exactly as the offline scan of the same account.
import { demoDir } from '../../src/pipeline/paths.js';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { READ_ONLY_OPERATIONS } from '../../src/collect/aws/allowlist.js';
import type { Report } from '../../src/model/report.js';
import { runScan } from '../../src/pipeline/scan.js';
import { accountFromAuthorizationDetails, type CloudTrailRecordLike } from '../support/fake-aws-account.js';
import { startFakeAws, type FakeAws } from '../support/fake-aws.js';
import { repoRoot, localFixture } from '../support/fixtures.js';
import { reportSchemaErrors } from '../support/schema.js';

const tmp = mkdtempSync(join(tmpdir(), 'leash-live-'));
const demo = JSON.parse(readFileSync(join(repoRoot, 'demo/authorization-details.json'), 'utf8')) as { RoleDetailList: { RoleName: string; MaxSessionDuration?: number }[] };
function demoRecords(): CloudTrailRecordLike[] {
  const out: CloudTrailRecordLike[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else out.push(...(JSON.parse(gunzipSync(readFileSync(join(dir, e.name))).toString()) as { Records: CloudTrailRecordLike[] }).Records);
    }
  };
  walk(join(repoRoot, 'demo/cloudtrail'));
  return out;
}

let fake: FakeAws;
const saved = { ...process.env };
beforeAll(async () => {
  fake = await startFakeAws(accountFromAuthorizationDetails(demo, {
    maxSessionDuration: Object.fromEntries(demo.RoleDetailList.map((r) => [r.RoleName, r.MaxSessionDuration ?? 3600])),
    cloudTrailRecords: demoRecords(),
  }), { pageSize: 3 });
  // A real named profile with the fake's (fake) long-term keys; the SDK resolves it itself.
  writeFileSync(join(tmp, 'config'), '[profile leash-test]\nregion = us-east-1\n');
  writeFileSync(join(tmp, 'credentials'), `[leash-test]\naws_access_key_id = ${fake.credentials.accessKeyId}\naws_secret_access_key = ${fake.credentials.secretAccessKey}\n`);
  Object.assign(process.env, { AWS_CONFIG_FILE: join(tmp, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(tmp, 'credentials'), AWS_EC2_METADATA_DISABLED: 'true' });
});
afterAll(async () => {
  await fake.close();
  process.env = saved;
});
afterEach(() => { process.exitCode = 0; fake.options.deny = []; });

const run = runCli;

const live = (extra: string[] = []) => ['scan', '--profile', 'leash-test', '--endpoint-url', fake.url, '--config', join(repoRoot, 'demo/leash.config.yaml'), '--reports', join(tmp, 'reports'), '--json', '--fixes', ...extra];

describe('leash scan --profile against the loopback endpoint', () => {
  it('gives the same principals, findings and agent evidence as the offline scan, sending only allowlisted reads', async () => {
    const r = await run(live(['--cloudtrail-lookup', '30', '--until', '2026-11-23T23:59:59Z']));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as Report;
    expect(reportSchemaErrors(report)).toEqual([]);
    // The same account offline, without the demo's resource inventory (a live scan reads one only with --resources).
    const offline = await runScan({ input: join(demoDir, 'authorization-details.json'), config: join(demoDir, 'leash.config.yaml'), cloudtrail: [join(demoDir, 'cloudtrail')] });
    expect(report.principals.map((p) => [p.arn, p.permissions.allowedActionCount]).sort()).toEqual(offline.principals.map((p) => [p.arn, p.permissions.allowedActionCount]).sort());
    // IAM-only findings are identical (usage-based ones differ only by what LookupEvents returns).
    const iamOnly = (rep: Report) => rep.findings.filter((f) => f.checkId !== 'human-session-driven-by-agent').map((f) => f.id).sort();
    expect(iamOnly(report)).toEqual(iamOnly(offline));
    expect(report.scan.sources.map((s) => s.kind)).toEqual(expect.arrayContaining(['authorization-details-api', 'cloudtrail-api']));
    expect(report.findings.some((f) => f.checkId === 'human-session-driven-by-agent')).toBe(true);
    const allowed = new Set(READ_ONLY_OPERATIONS.map((o) => o.command.replace(/Command$/, '')));
    expect(fake.operations().length).toBeGreaterThan(3);
    for (const op of fake.operations()) expect(allowed.has(op), op).toBe(true);
    expect(fake.operations()[0]).toBe('GetCallerIdentity');
  });

  it('records AccessDenied on an optional source in coverage and errors, writes the report, and exits 2 (a source failed)', async () => {
    fake.options.deny = ['LookupEvents'];
    const r = await run(live(['--cloudtrail-lookup', '7']));
    expect(r.code).toBe(2);
    const report = JSON.parse(r.out) as Report;
    expect(report.scan.sources.find((s) => s.kind === 'cloudtrail-api')?.status).toBe('unavailable');
    expect(report.errors.some((e) => e.code === 'access-denied')).toBe(true);
  });

  it('exits 2 and prints the scanner policy when the essential IAM read is denied', async () => {
    fake.options.deny = ['GetAccountAuthorizationDetails'];
    const r = await run(live());
    expect(r.code).toBe(2);
    expect(r.err).toContain('iam:GetAccountAuthorizationDetails');
    expect(r.err).toContain('"Version": "2012-10-17"');
  });
});

describe('leash scan --local', () => {
  it('links an AI tool profile in a fixture home to the role it assumes in the scanned account', async () => {
    // AWS_CONFIG_FILE would (rightly) override the fixture home's ~/.aws/config.
    delete process.env.AWS_CONFIG_FILE;
    delete process.env.AWS_SHARED_CREDENTIALS_FILE;
    const r = await run(['scan', '--demo', '--local', '--home', localFixture('home-kiro'), '--project', localFixture('project-vscode'), '--reports', join(tmp, 'reports-local'), '--json']);
    const report = JSON.parse(r.out) as Report;
    const kiro = report.principals.find((p) => p.name === 'kiro-agent')!;
    expect(kiro.agentEvidence.some((e) => e.kind === 'local-config' && e.confidence === 'high')).toBe(true);
    expect(report.scan.sources.some((s) => s.kind === 'local-ai-config')).toBe(true);
    expect(r.out).not.toMatch(/AKIA[0-9A-Z]{16}/);
  });
});
