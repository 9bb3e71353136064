import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonErrorLocation, readCloudTrail } from '../../../../src/collect/cloudtrail/sources/files.js';
import { ownFixture, sharedFixture, sharedFixturesPresent, SKIP_REASON } from '../../../support/fixtures.js';

interface RawRecord {
  eventTime: string;
  eventSource: string;
  eventName: string;
  userIdentity: { type?: string; arn?: string; sessionContext?: { sessionIssuer?: { arn?: string } } };
}
const own = (rel: string): string => ownFixture(`cloudtrail/${rel}`);
const ownRecords = (): RawRecord[] => (JSON.parse(readFileSync(own('ai-sessions.json'), 'utf8')) as { Records: RawRecord[] }).Records;

describe.skipIf(!sharedFixturesPresent)(`readCloudTrail on shared fixtures${sharedFixturesPresent ? '' : ` (${SKIP_REASON})`}`, () => {
  const trailscraper = 'cloudtrail/trailscraper/111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json';

  it('gives identical usage for the gzipped and the plain trailscraper delivery file', async () => {
    const plain = await readCloudTrail([sharedFixture(trailscraper)]);
    const gz = await readCloudTrail([sharedFixture(`${trailscraper}.gz`)]);
    expect(plain.errors).toEqual([]);
    expect(gz.errors).toEqual([]);
    expect(gz.usage).toEqual(plain.usage);
    expect(plain.usage.byPrincipal['arn:aws:iam::111111111111:role/someRole']).toBeDefined();
  });

  it('reads the whole stratus-red-team set: every record counted, attribution per principal, unmapped listed', async () => {
    const dir = sharedFixture('cloudtrail/stratus-red-team');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    const records = files.flatMap((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { Records: RawRecord[] }).Records);
    const r = await readCloudTrail([dir]);
    expect(r.errors).toEqual([]);
    expect(r.sources).toEqual([expect.objectContaining({ kind: 'cloudtrail-file', status: 'ok', counts: expect.objectContaining({ files: files.length, records: records.length }) })]);
    expect(r.usage.recordsRead).toBe(records.length);

    // Independent expectation: the principal each record belongs to, by identity type.
    const expected = new Map<string, number>();
    for (const rec of records) {
      const id = rec.userIdentity;
      const arn = id.type === 'IAMUser' || id.type === 'Root' ? id.arn : id.type === 'AssumedRole' || id.type === 'FederatedUser' ? id.sessionContext?.sessionIssuer?.arn : undefined;
      if (arn) expected.set(arn, (expected.get(arn) ?? 0) + 1);
    }
    expect(Object.keys(r.usage.byPrincipal).sort()).toEqual([...expected.keys()].sort());
    for (const [arn, n] of expected) {
      const p = r.usage.byPrincipal[arn]!;
      expect(p.sessions.reduce((s, x) => s + x.eventCount, 0) + (p.sessionsDropped ?? 0), arn).toBe(n);
    }
    // The one federated-user record is attributed to the IAM user that issued the token.
    expect(r.usage.byPrincipal['arn:aws:iam::742491224508:user/stratus-red-team-user-federation-user']?.sessions.map((s) => s.sessionName)).toContain('stratus_red_team');
    expect(r.usage.unmapped).toContainEqual({ eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', count: records.filter((x) => x.eventName === 'ConsoleLogin').length, reason: 'console sign-in: not an IAM action' });
  });

  it('reads the invictus-ir set, counts service events as unattributed and denied calls apart', async () => {
    const dir = sharedFixture('cloudtrail/invictus-ir-aws-dataset');
    const r = await readCloudTrail([dir]);
    expect(r.errors).toEqual([]);
    const all = readdirSync(dir).flatMap((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { Records: (RawRecord & { errorCode?: string; eventType?: string })[] }).Records);
    expect(r.usage.recordsRead).toBe(all.length);
    const serviceEvents = all.filter((x) => x.userIdentity.type === undefined && x.eventType === 'AwsServiceEvent').length;
    expect(r.usage.unattributed?.find((u) => u.reason === 'service event (no calling principal)')?.count).toBe(serviceEvents);
    const denied = all.filter((x) => x.errorCode === 'AccessDenied' || x.errorCode === 'Client.UnauthorizedOperation').length;
    const deniedCounted = Object.values(r.usage.byPrincipal).flatMap((p) => p.actions).reduce((s, a) => s + (a.deniedCount ?? 0), 0);
    expect(deniedCounted).toBe(denied);
    // One hour on one day: the records' own window is fully covered.
    expect(r.usage.coveredPrincipals).toBe('all');
    expect(r.missingDays).toEqual([]);
  });
});

describe('readCloudTrail on own fixtures', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'leash-ct-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('reads the same records from delivery, lookup-events and bare-array shapes', async () => {
    const records = ownRecords();
    const whole = await readCloudTrail([own('ai-sessions.json')]);
    const parts = await readCloudTrail([own('lookup-events.json'), own('bare-array.json')]);
    expect(whole.usage.recordsRead).toBe(records.length);
    expect(parts.usage.recordsRead).toBe(5);
    expect(parts.errors).toEqual([]);
    expect(parts.sources.map((s) => s.detail)).toEqual(['lookup-events output (management events only)', 'record arrays']);
    const sso = Object.keys(whole.usage.byPrincipal).find((a) => a.includes('AWSReservedSSO'))!;
    // The first five records are all alice's: the split files give the same actions for her.
    expect(parts.usage.byPrincipal[sso]!.actions.map((a) => a.action)).toEqual(['cloudformation:DeleteStack', 'cloudformation:DescribeStacks', 'rds:DeleteDBInstance', 's3:ListAllMyBuckets', 'sts:GetCallerIdentity']);
  });

  it('reports each bad file by name (and line or JSON path) and keeps reading the rest', async () => {
    const dir = join(tmp, 'mixed');
    mkdirSync(dir);
    for (const f of ['invalid.json', 'wrong-shape.json', 'bad-records.json']) copyFileSync(own(`bad/${f}`), join(dir, f));
    const gz = gzipSync(readFileSync(own('ai-sessions.json')));
    writeFileSync(join(dir, 'truncated.json.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
    copyFileSync(own('ai-sessions.json'), join(dir, 'z-good.json'));

    const r = await readCloudTrail([dir]);
    const byFile = (name: string) => r.errors.filter((e) => e.location === join(dir, name));
    expect(byFile('invalid.json')).toEqual([expect.objectContaining({ code: 'invalid-input', path: expect.stringMatching(/^line 4 column \d+$/) })]);
    expect(byFile('wrong-shape.json')[0]!.message).toMatch(/at \$: expected an object with a Records array .* got an object with keys records, note/);
    expect(byFile('truncated.json.gz')[0]!.message).toMatch(/not a readable gzip file/);
    expect(byFile('bad-records.json').map((e) => e.path)).toEqual(['$.Records[1]', '$.Records[2]', '$.Records[3]']);
    expect(byFile('bad-records.json').map((e) => e.message)).toEqual([expect.stringMatching(/record object/), expect.stringMatching(/eventTime/), expect.stringMatching(/eventSource/)]);

    expect(r.sources[0]).toMatchObject({ status: 'partial', counts: { files: 5, badFiles: 3, badRecords: 3, records: ownRecords().length + 2 } });
    expect(r.usage.byPrincipal['arn:aws:iam::111122223333:user/partial']!.actions[0]).toMatchObject({ action: 'sts:GetCallerIdentity', count: 2 });
    expect(r.usage.byPrincipal['arn:aws:iam::111122223333:user/ci-deployer']).toBeDefined();
  });

  it('summarises bad records beyond the per-file limit', async () => {
    const r = await readCloudTrail([own('bad/bad-records.json')], { maxRecordErrorsPerFile: 1 });
    expect(r.errors.map((e) => e.path ?? e.message)).toEqual(['$.Records[1]', expect.stringMatching(/2 more bad records not listed/)]);
  });

  it('walks the S3 delivery layout, skips digest files and non-log files, and judges coverage by day', async () => {
    const root = join(tmp, 's3');
    const records = ownRecords();
    for (const day of ['01', '02']) {
      const dayDir = join(root, 'AWSLogs/111122223333/CloudTrail/eu-west-1/2024/05', day);
      mkdirSync(dayDir, { recursive: true });
      const these = records.filter((x) => x.eventTime.startsWith(`2024-05-${day}`));
      // Two delivery files per day, as CloudTrail writes several per 5-minute interval.
      const half = Math.ceil(these.length / 2);
      [these.slice(0, half), these.slice(half)].forEach((part, i) => {
        writeFileSync(join(dayDir, `111122223333_CloudTrail_eu-west-1_202405${day}T0${i}00Z_x${i}.json.gz`), gzipSync(JSON.stringify({ Records: part })));
      });
    }
    const digest = join(root, 'AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2024/05/01');
    mkdirSync(digest, { recursive: true });
    writeFileSync(join(digest, '111122223333_CloudTrail-Digest_eu-west-1_x.json.gz'), gzipSync('{"awsAccountId":"111122223333","digestStartTime":"2024-05-01T00:00:00Z"}'));
    writeFileSync(join(root, 'README.txt'), 'not a log');

    const progress: number[] = [];
    const r = await readCloudTrail([root], { onProgress: (n) => progress.push(n) });
    expect(r.errors).toEqual([]);
    expect(r.sources[0]).toMatchObject({ status: 'ok', counts: { files: 4, skippedFiles: 1, records: records.length } });
    expect(progress).toHaveLength(4);
    expect(progress.at(-1)).toBe(records.length);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    expect(r.usage.window).toEqual({ start: records[0]!.eventTime, end: records.at(-1)!.eventTime });
    expect(r.usage.coveredPrincipals).toBe('all');

    // A 4-day window ending on 2024-05-02 reaches back to days with no logs: nobody is covered.
    const longer = await readCloudTrail([root], { windowDays: 4, end: '2024-05-02T23:00:00Z' });
    expect(longer.usage.window).toEqual({ start: '2024-04-28T23:00:00Z', end: '2024-05-02T23:00:00Z' });
    expect(longer.usage.coveredPrincipals).toEqual([]);
    expect(longer.missingDays).toEqual(['2024-04-29', '2024-04-30']);
  });

  it('skips records outside the window and says how many', async () => {
    const records = ownRecords();
    const r = await readCloudTrail([own('ai-sessions.json')], { windowDays: 0.5, end: '2024-05-02T23:59:59Z' });
    const inWindow = records.filter((x) => x.eventTime >= '2024-05-02T11:59:59Z').length;
    expect(r.sources[0]!.counts).toMatchObject({ outsideWindow: records.length - inWindow });
    expect(Object.values(r.usage.byPrincipal).flatMap((p) => p.sessions).reduce((s, x) => s + x.eventCount, 0)).toBe(inWindow);
  });

  it('uses the clock for the window end when only windowDays is given', async () => {
    const r = await readCloudTrail([own('ai-sessions.json')], { windowDays: 1, now: () => Date.parse('2024-05-03T00:00:00Z') });
    expect(r.usage.window).toEqual({ start: '2024-05-02T00:00:00Z', end: '2024-05-03T00:00:00Z' });
    // 2024-05-03 is only the window's last instant (a partial day): it need not have logs yet.
    expect(r.usage.coveredPrincipals).toBe('all');
    expect(r.missingDays).toEqual([]);
  });

  it('reports a missing path as unavailable, never throws', async () => {
    const r = await readCloudTrail([join(tmp, 'nope'), own('bare-array.json')]);
    expect(r.errors).toEqual([expect.objectContaining({ code: 'not-found', location: join(tmp, 'nope') })]);
    expect(r.sources.map((s) => s.status)).toEqual(['unavailable', 'ok']);
    expect(r.usage.recordsRead).toBe(2);
  });

  it('says when a directory holds no log files', async () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    const r = await readCloudTrail([empty]);
    expect(r.sources[0]).toMatchObject({ status: 'unavailable', detail: 'no .json or .json.gz files found' });
    expect(r.usage.coveredPrincipals).toEqual([]);
  });
});

describe('jsonErrorLocation', () => {
  it.each([
    ['{\n  "a": 1,\n  "b": ]\n}', 'line 3 column 8'],
    ['{"a":', 'line 1 column 6'],
    ['[1,2', 'line 1 column 5'],
    ['{"a" 1}', 'line 1 column 6'],
    ['{"a": "x\\u00zz"}', 'line 1 column 9'],
    ['{"a": 1} x', 'line 1 column 10'],
  ])('locates the error in %j at %s (and JSON.parse agrees it is invalid)', (text, where) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(jsonErrorLocation(text)).toBe(where);
  });
});

describe('readCloudTrail on an empty download', () => {
  it('names a zero-byte file as empty, not as invalid JSON, and goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leash-ct-empty-'));
    writeFileSync(join(dir, '111122223333_CloudTrail_us-east-1_20240501T0000Z_x.json.gz'), '');
    const r = await readCloudTrail([dir]);
    expect(r.errors).toEqual([expect.objectContaining({ code: 'invalid-input', message: expect.stringMatching(/empty file \(0 bytes\)/) })]);
  });
});
