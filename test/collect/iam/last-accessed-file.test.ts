import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeUsage } from '../../../src/collect/cloudtrail/merge-usage.js';
import { readCloudTrail } from '../../../src/collect/cloudtrail/sources/files.js';
import { readLastAccessed, splitFileAndArn } from '../../../src/collect/iam/last-accessed-file.js';
import { ownFixture } from '../../support/fixtures.js';

const own = (rel: string): string => ownFixture(`cloudtrail/last-accessed/${rel}`);
const SANDBOX = 'arn:aws:iam::111122223333:role/dev-sandbox';
const DEPLOYER = 'arn:aws:iam::111122223333:user/ci-deployer';

describe('readLastAccessed', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'leash-la-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('reads action-level output: tracked actions become usage, accessed services are listed as service-level', async () => {
    const r = await readLastAccessed(own('action-level.json'));
    expect(r.errors).toEqual([]);
    const p = r.usage!.byPrincipal[SANDBOX]!;
    expect(p.actions).toEqual([
      { action: 's3:GetObject', count: 1, firstSeen: '2024-05-02T11:00:00Z', lastSeen: '2024-05-02T11:00:00Z', resources: [] },
      { action: 's3:ListAllMyBuckets', count: 1, firstSeen: '2024-04-20T08:00:00Z', lastSeen: '2024-04-20T08:00:00Z', resources: [] },
    ]);
    // dynamodb was never authenticated: absent, so unused for the covered principal.
    expect(p.servicesOnly).toEqual(['lambda', 's3']);
    expect(p.firstSeen).toBe('2024-03-01T00:00:00Z');
    expect(p.lastSeen).toBe('2024-05-02T11:01:00Z');
    expect(r.usage!.coveredPrincipals).toEqual([SANDBOX]);
    expect(r.usage!.window).toEqual({ start: '2023-03-30T10:00:05Z', end: '2024-05-03T10:00:05Z' });
    expect(r.sources[0]).toMatchObject({ kind: 'service-last-accessed', status: 'ok', counts: { services: 3, servicesAccessed: 2, actionsAccessed: 2 } });
  });

  it('takes the principal from FILE@ARN for service-level output', async () => {
    expect(splitFileAndArn(`x.json@${DEPLOYER}`)).toEqual({ file: 'x.json', arn: DEPLOYER });
    const r = await readLastAccessed(`${own('service-level.json')}@${DEPLOYER}`);
    expect(r.errors).toEqual([]);
    expect(r.usage!.byPrincipal[DEPLOYER]).toMatchObject({ actions: [], servicesOnly: ['iam', 'sts'] });
    expect(r.usage!.coveredPrincipals).toEqual([DEPLOYER]);
  });

  it('prefers the argument over the ARN in the file', async () => {
    const r = await readLastAccessed(own('action-level.json'), DEPLOYER);
    expect(Object.keys(r.usage!.byPrincipal)).toEqual([DEPLOYER]);
  });

  it('refuses to guess the principal', async () => {
    const r = await readLastAccessed(own('service-level.json'));
    expect(r.usage).toBeUndefined();
    expect(r.errors[0]!.message).toMatch(/service-level\.json: expected the principal ARN .*FILE@ARN/);
    expect(r.sources[0]!.status).toBe('unavailable');
  });

  it.each([
    ['in-progress.json', '$.JobStatus', /expected JobStatus COMPLETED, got IN_PROGRESS/],
    ['wrong-shape.json', '$.ServicesLastAccessed[0].ServiceNamespace', /expected get-service-last-accessed-details output/],
  ])('rejects %s naming %s', async (file, path, message) => {
    const r = await readLastAccessed(own(file), SANDBOX);
    expect(r.usage).toBeUndefined();
    expect(r.errors[0]).toMatchObject({ source: 'service-last-accessed', code: 'invalid-input', path });
    expect(r.errors[0]!.message).toMatch(message);
  });

  it('reports invalid JSON, a missing file and a non-principal ARN as errors, never throws', async () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, '{"JobStatus": ');
    expect((await readLastAccessed(bad, SANDBOX)).errors[0]!.message).toMatch(/invalid JSON/);
    expect((await readLastAccessed(join(tmp, 'none.json'), SANDBOX)).errors[0]!.code).toBe('not-found');
    expect((await readLastAccessed(own('action-level.json'), 'arn:aws:iam::aws:policy/ReadOnlyAccess')).errors[0]!.message).toMatch(/expected an IAM role or user ARN/);
  });

  it('does not claim coverage from a truncated listing', async () => {
    const truncated = join(tmp, 'truncated.json');
    writeFileSync(truncated, JSON.stringify({ JobStatus: 'COMPLETED', JobCompletionDate: '2024-05-03T10:00:00Z', IsTruncated: true, ServicesLastAccessed: [] }));
    const r = await readLastAccessed(truncated, SANDBOX);
    expect(r.usage!.coveredPrincipals).toEqual([]);
    expect(r.errors[0]!.path).toBe('$.IsTruncated');
    expect(r.sources[0]!.status).toBe('partial');
  });

  it('merges with CloudTrail usage: actions add up, coverage is only what spans the merged window', async () => {
    const trail = await readCloudTrail([ownFixture('cloudtrail/ai-sessions.json')]);
    const la = await readLastAccessed(own('action-level.json'));
    const merged = mergeUsage(trail.usage, la.usage!);
    const getObject = merged.byPrincipal[SANDBOX]!.actions.find((a) => a.action === 's3:GetObject')!;
    expect(getObject.count).toBe(2);
    expect(getObject.resources).toEqual(['arn:aws:s3:::sandbox-artifacts', 'arn:aws:s3:::sandbox-artifacts/build/app.zip']);
    expect(merged.byPrincipal[SANDBOX]!.servicesOnly).toEqual(['lambda', 's3']);
    // The trail spans two days, the report 400: only the report's principal stays covered.
    expect(trail.usage.coveredPrincipals).toBe('all');
    expect(merged.coveredPrincipals).toEqual([SANDBOX]);
  });
});
