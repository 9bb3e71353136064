// Common mistakes get one line that says what to do: a trail for another account or another time,
// expired credentials (real SDK against a loopback STS), a missing profile, a bad region, an
// unknown command. Also --quiet, and names kept whole when stdout is not a terminal.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vi } from 'vitest';
import { runCli } from '../support/cli.js';
import { main } from '../../src/cli/main.js';
import { repoRoot } from '../support/fixtures.js';
import { hintFor } from '../../src/cli/hints.js';
import { nearest } from '../../src/cli/suggest.js';
import { renderSummary } from '../../src/report/summary-text.js';

let tmp: string;
let sts: Server;
let stsUrl: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'leash-messages-'));
  // A loopback STS that answers every call as AWS does for an expired session token.
  sts = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(403, { 'content-type': 'text/xml' }).end(
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>r-1</RequestId></ErrorResponse>',
      );
    });
  });
  await new Promise<void>((r) => sts.listen(0, '127.0.0.1', () => r()));
  stsUrl = `http://127.0.0.1:${(sts.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => sts.close(() => r()));
  await rm(tmp, { recursive: true, force: true });
});

/** The demo trail, rewritten (another account, another year) into a directory of plain .json files. */
function demoTrail(name: string, rewrite: (json: string) => string): string {
  const out = join(tmp, name);
  mkdirSync(out, { recursive: true });
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  for (const f of walk(join(repoRoot, 'demo/cloudtrail'))) writeFileSync(join(out, basename(f, '.gz')), rewrite(gunzipSync(readFileSync(f)).toString('utf8')));
  return out;
}

type Out = { errors: { code: string; message: string }[]; scan: { coverage: { usage: { status: string; coveredPrincipals: number } } } };
const scanJson = async (...args: string[]) => {
  const r = await runCli(['scan', '--demo', '--format', 'json', '--json', ...args]);
  return { ...r, report: JSON.parse(r.out) as Out };
};

describe('CloudTrail that cannot be about this scan', () => {
  it('a trail from another account: exit 2, one line naming both accounts and the folder to use, and nothing called covered', async () => {
    const foreign = demoTrail('foreign', (j) => j.replaceAll('111122223333', '444455556666'));
    const r = await scanJson('--cloudtrail', foreign, '--reports', join(tmp, 'r-foreign'));
    expect(r.code).toBe(2);
    const e = r.report.errors.find((x) => x.code === 'invalid-input')!;
    expect(e.message).toContain('from account 444455556666, not 111122223333');
    expect(e.message).toContain('AWSLogs/111122223333/');
    expect(e.message).not.toContain('\n');
    expect(r.report.scan.coverage.usage.coveredPrincipals).toBe(0);
    expect(r.err).toContain('from account 444455556666');
  }, 60_000);

  it('control: an organisation trail holding this account and another is accepted', async () => {
    const org = demoTrail('org', (j) => j);
    demoTrail('org/other', (j) => j.replaceAll('111122223333', '444455556666'));
    const r = await scanJson('--cloudtrail', org, '--reports', join(tmp, 'r-org'));
    expect(r.code).toBe(0);
    expect(r.report.errors.filter((x) => x.code === 'invalid-input')).toEqual([]);
    expect(r.report.scan.coverage.usage.status).toBe('complete');
  }, 60_000);

  it('a trail entirely outside the window: exit 2 with the window and --until to fix it', async () => {
    const old = demoTrail('old', (j) => j.replace(/"20(\d\d)-(\d\d)-(\d\d)T/g, (_m, _y, mo, d) => `"2024-${mo}-${d}T`));
    const r = await scanJson('--cloudtrail', old, '--reports', join(tmp, 'r-old'));
    expect(r.code).toBe(2);
    const e = r.report.errors.find((x) => x.code === 'invalid-input')!;
    expect(e.message).toMatch(/all \d+ CloudTrail records are outside the usage window 2026-10-24T23:59:59Z → 2026-11-23T23:59:59Z; pass --until/);
    // Control: the same logs with --until in their year are read.
    const fixed = await scanJson('--cloudtrail', old, '--until', '2024-11-23T23:59:59Z', '--reports', join(tmp, 'r-old2'));
    expect(fixed.report.errors.filter((x) => x.code === 'invalid-input')).toEqual([]);
  }, 60_000);
});

describe('credential and region mistakes', () => {
  const env = (vars: Record<string, string | undefined>) => {
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    for (const [k, v] of Object.entries(vars)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    return () => { for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v; };
  };

  it('expired credentials (real SDK, loopback STS): one line saying to refresh them', async () => {
    const restore = env({ AWS_ACCESS_KEY_ID: 'ASIAEXPIREDEXAMPLE01', AWS_SECRET_ACCESS_KEY: 'fake-secret', AWS_SESSION_TOKEN: 'fake-token', AWS_PROFILE: undefined, AWS_EC2_METADATA_DISABLED: 'true' });
    try {
      const r = await runCli(['scan', '--aws', '--endpoint-url', stsUrl, '--region', 'us-east-1', '--reports', join(tmp, 'r-exp')]);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toContain('the AWS credentials have expired (ExpiredToken)');
      expect(r.err).toContain('aws sso login');
      expect(r.err).not.toContain('fake-secret');
    } finally {
      restore();
    }
  });

  it('a missing profile: one line naming the profile and the files looked in', async () => {
    const empty = join(tmp, 'empty-config');
    writeFileSync(empty, '[profile other]\nregion = us-east-1\n');
    const restore = env({ AWS_CONFIG_FILE: empty, AWS_SHARED_CREDENTIALS_FILE: empty, AWS_EC2_METADATA_DISABLED: 'true' });
    try {
      const r = await runCli(['scan', '--profile', 'audti', '--endpoint-url', stsUrl, '--region', 'us-east-1', '--reports', join(tmp, 'r-prof')]);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toContain(`AWS profile "audti" is not defined in ${empty}`);
      expect(r.err).toContain('aws configure list-profiles');
    } finally {
      restore();
    }
  });

  it('a region that is not one: exit 2 before any call; a real one passes the check', async () => {
    const r = await runCli(['scan', '--aws', '--region', 'us-east1', '--reports', join(tmp, 'r-reg')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--region: expected an AWS region such as us-east-1');
    // An unresolvable endpoint (what a mistyped region becomes) gets the region hint.
    expect(hintFor(Object.assign(new Error('getaddrinfo ENOTFOUND sts.us-est-1.amazonaws.com'), { code: 'ENOTFOUND', hostname: 'sts.us-est-1.amazonaws.com' }))).toMatch(/cannot resolve sts\.us-est-1\.amazonaws\.com: check the region/);
    // Control: an ordinary error keeps its own message.
    expect(hintFor(new Error('something else'))).toBeUndefined();
  });
});

describe('commands, --quiet and widths', () => {
  it('suggests the nearest command for a typo, and none for nonsense', async () => {
    const run = async (word: string) => {
      let err = '';
      const spy = vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((err += String(c)), true));
      try {
        return { code: await main(['node', 'leash', word]), err };
      } finally {
        spy.mockRestore();
      }
    };
    const r = await run('sacn');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown command 'sacn' — did you mean `leash scan`?");
    expect(r.err.trim().split('\n')).toHaveLength(1);
    const n = await run('frobnicate');
    expect(n.code).toBe(2);
    expect(n.err).not.toContain('did you mean');
    expect(nearest('shcedule', ['scan', 'schedule', 'report'])).toBe('schedule');
    expect(nearest('rep', ['scan', 'schedule', 'report'])).toBe('report');
  });

  it('--quiet prints nothing on success (before or after the command name); errors still show', async () => {
    const q = await runCli(['scan', '--demo', '--format', 'json', '--reports', join(tmp, 'r-q'), '--quiet']);
    expect(q.code).toBe(0);
    expect(q.out).toBe('');
    const q2 = await runCli(['-q', 'scan', '--demo', '--format', 'json', '--reports', join(tmp, 'r-q')]);
    expect(q2.out).toBe('');
    const bad = await runCli(['scan', '--quiet', '--input', join(tmp, 'missing.json'), '--reports', join(tmp, 'r-q')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('missing.json');
    // Control: without --quiet the summary is printed.
    const loud = await runCli(['scan', '--demo', '--format', 'json', '--reports', join(tmp, 'r-q')]);
    expect(loud.out).toContain('Agent principals, riskiest first');
  }, 60_000);

  it('keeps long names whole when stdout is not a terminal; a terminal still gets them cut to fit', async () => {
    const name = `kiro-agent-${'deployment-pipeline-'.repeat(2)}prod-eu`;
    const f = join(tmp, 'long-name.json');
    writeFileSync(f, JSON.stringify({
      RoleDetailList: [{
        RoleName: name, Arn: `arn:aws:iam::111122223333:role/${name}`, Path: '/', Tags: [{ Key: 'ai-agent', Value: 'true' }],
        AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' }] },
        RolePolicyList: [{ PolicyName: 'all', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
      }],
    }));
    const r = await runCli(['scan', '--input', f, '--format', 'json', '--reports', join(tmp, 'r-long')]);
    expect(name.length).toBeGreaterThan(50);
    expect(r.out).toContain(name);
    expect(r.out).not.toMatch(/kiro-agent-deploy[^\n]*…/);
    const shown = await runCli(['report', '--reports', join(tmp, 'r-long')]);
    expect(shown.out).toContain(name); // `leash report` piped: whole too
    const again = await runCli(['scan', '--input', f, '--format', 'json', '--reports', join(tmp, 'r-long'), '--json']);
    const report = JSON.parse(again.out) as Parameters<typeof renderSummary>[0];
    expect(renderSummary(report, { color: false, width: 80 })).toContain('…');
  }, 60_000);
});
