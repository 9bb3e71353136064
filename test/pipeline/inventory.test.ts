// The inventory in the pipeline: --demo brings its own, --inventory files are merged into the
// snapshot, the report's sources and coverage list them, bad input exits 2 with nothing lost.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectSnapshot, runScan } from '../../src/pipeline/scan.js';
import { runCli } from '../support/cli.js';
import { reportSchemaErrors } from '../support/schema.js';
import type { Report } from '../../src/model/report.js';
import { parseReport } from '../../src/report/history.js';

const NOW = new Date('2026-11-24T07:00:00Z');
const tmp = mkdtempSync(join(tmpdir(), 'leash-inv-pipe-'));

describe('resource inventory in the pipeline', () => {
  it('--demo loads demo/inventory.json: in the snapshot, the sources and the coverage; the report is schema-valid', async () => {
    const { snapshot } = await collectSnapshot({ demo: true, now: NOW });
    expect(snapshot.inventory!.resources.find((r) => r.name === 'acme-prod-data')).toMatchObject({ type: 's3:bucket', account: '111122223333' });
    const report = await runScan({ demo: true, now: NOW });
    expect(report.scan.sources.find((s) => s.kind === 'inventory-file')).toMatchObject({ status: 'ok', location: expect.stringMatching(/demo\/inventory\.json$/) });
    expect(report.scan.coverage.inventory).toMatchObject({ status: 'complete', resources: snapshot.inventory!.resources.length, withPolicy: 3, policyUnknown: 0, rcps: 'not-collected', byType: { 'cloudformation:stack': 5 } });
    expect(reportSchemaErrors(report)).toEqual([]);
  });

  it('without an inventory there is none (negative control), and the coverage says nothing about one', async () => {
    const { snapshot } = await collectSnapshot({ input: join('demo', 'authorization-details.json'), now: NOW });
    expect(snapshot.inventory).toBeUndefined();
    const report = await runScan({ input: join('demo', 'authorization-details.json'), now: NOW });
    expect(report.scan.coverage.inventory).toBeUndefined();
  });

  it('`leash scan --inventory` merges a file with the demo; S3 buckets without an account take the scanned one', async () => {
    const extra = join(tmp, 'extra.json');
    writeFileSync(extra, JSON.stringify({ leashInventory: 1, resources: [{ arn: 'arn:aws:s3:::extra-bucket' }, { arn: 'arn:aws:s3:::acme-prod-data', tags: { owner: 'data-team' } }] }));
    const out = join(tmp, 'out-merge');
    const r = await runCli(['scan', '--demo', '--inventory', extra, '--ci', '-o', out, '--format', 'json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = parseReport(readFileSync(join(out, 'report.json'), 'utf8'), 'report.json');
    expect(report.scan.sources.filter((s) => s.kind === 'inventory-file')).toHaveLength(2);
    const { snapshot } = await collectSnapshot({ demo: true, inventory: [extra], now: NOW });
    expect(snapshot.inventory!.resources.find((x) => x.name === 'extra-bucket')).toMatchObject({ account: '111122223333' });
    // Deduplicated by ARN: one acme-prod-data with the demo's policy and both files' tags.
    const acme = snapshot.inventory!.resources.filter((x) => x.name === 'acme-prod-data');
    expect(acme).toHaveLength(1);
    expect(acme[0]).toMatchObject({ tags: { env: 'production', owner: 'data-team' } });
    expect(acme[0]!.policy).toBeDefined();
  });

  it('a missing --inventory file is exit 2 before anything is written', async () => {
    const out = join(tmp, 'out-missing');
    const r = await runCli(['scan', '--demo', '--inventory', join(tmp, 'nope.json'), '--ci', '-o', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/nope\.json: expected a resource inventory file/);
  });

  it('a bad policy inside a good inventory: the report is written, the error names file and path, exit 2', async () => {
    const bad = join(tmp, 'bad-policy.json');
    writeFileSync(bad, JSON.stringify({ leashInventory: 1, resources: [{ arn: 'arn:aws:sqs:us-east-1:111122223333:q', policy: '%7B%22Version' }] }));
    const out = join(tmp, 'out-bad');
    const r = await runCli(['scan', '--demo', '--inventory', bad, '--ci', '-o', out, '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad-policy\.json at \$\.resources\[0\]\.policy/);
    const report = parseReport(readFileSync(join(out, 'report.json'), 'utf8'), 'report.json');
    expect(report.scan.coverage.inventory).toMatchObject({ status: 'partial', policyUnknown: 1 });
    expect(report.errors.some((e) => e.source === 'inventory-file' && e.path === '$.resources[0].policy')).toBe(true);
  });

  it('hostile names in an inventory reach stderr and report.json escaped, never as raw escape bytes', async () => {
    const evil = join(tmp, 'evil.json');
    const esc = '\u001b]52;c;QUFB\u0007\u202e';
    writeFileSync(evil, JSON.stringify({ leashInventory: 1, resources: [
      { arn: `arn:aws:sqs:us-east-1:111122223333:q${esc}`, name: `n${esc}`, tags: { [`k${esc}`]: `v${esc}` } },
      { arn: `arn:aws:iam::111122223333:role/x${esc}` },
    ] }));
    const out = join(tmp, 'out-evil');
    const r = await runCli(['scan', '--demo', '--inventory', evil, '--ci', '-o', out, '--format', 'json,md']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/evil\.json at \$\.resources\[1\]\.arn/);
    for (const text of [r.out, r.err, readFileSync(join(out, 'report.json'), 'utf8'), readFileSync(join(out, 'summary.md'), 'utf8')]) {
      expect(text).not.toMatch(/[\u001b\u0007\u202e]/);
    }
    // The data itself is kept exactly (it is the ARN IAM would match).
    const { snapshot } = await collectSnapshot({ demo: true, inventory: [evil], now: NOW });
    expect(snapshot.inventory!.resources.find((x) => x.name === `n${esc}`)!.tags[`k${esc}`]).toBe(`v${esc}`);
  });
});

describe('the snapshot inventory is in ARN order whatever the route', () => {
  it('a leash file listing resources in reverse gives the same snapshot inventory, and the same report, as one in order', async () => {
    const arns = ['arn:aws:lambda:us-east-1:111122223333:function:z-fn', 'arn:aws:dynamodb:us-east-1:111122223333:table/m-table', 'arn:aws:cloudformation:us-east-1:111122223333:stack/a-stack/1'];
    const write = (name: string, list: string[]) => {
      const f = join(tmp, name);
      writeFileSync(f, JSON.stringify({ leashInventory: 1, resources: list.map((arn) => ({ arn, tags: { env: 'prod' } })) }));
      return f;
    };
    const input = join('demo', 'authorization-details.json');
    const fwd = await collectSnapshot({ input, inventory: [write('fwd.json', arns)], now: NOW });
    const rev = await collectSnapshot({ input, inventory: [write('rev.json', [...arns].reverse())], now: NOW });
    expect(fwd.snapshot.inventory!.resources.map((r) => r.arn)).toEqual([...arns].sort());
    expect(rev.snapshot.inventory!.resources).toEqual(fwd.snapshot.inventory!.resources);
    // Negative control: the reader itself keeps the file's order (only the snapshot is canonical).
    const { readInventoryFile } = await import('../../src/collect/inventory/load.js');
    expect((await readInventoryFile(join(tmp, 'rev.json'))).resources.map((r) => r.arn)).toEqual([...arns].reverse());
  });
});
