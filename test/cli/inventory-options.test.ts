// The shared --inventory/--resources/--regions options: validated before anything is read, the
// same on every command that takes them.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inventoryScanOptions } from '../../src/cli/inventory-options.js';
import { InputError } from '../../src/model/errors.js';
import { runCli } from '../support/cli.js';
import type { Report } from '../../src/model/report.js';

describe('inventory options', () => {
  it('regions split on commas and spaces, deduplicated; a bad region or --regions without --resources is an InputError', () => {
    expect(inventoryScanOptions({ resources: true, regions: ['us-east-1,eu-west-1', 'us-east-1'] })).toEqual({ resources: true, regions: ['us-east-1', 'eu-west-1'] });
    expect(() => inventoryScanOptions({ resources: true, regions: ['us-east-1;rm'] })).toThrow(InputError);
    expect(() => inventoryScanOptions({ regions: ['us-east-1'] })).toThrow(/--regions: expected to be used with --resources .* or --cloudtrail-lookup/);
    // With LookupEvents read, --regions names the regions to look up (no inventory is asked for).
    expect(inventoryScanOptions({ regions: ['eu-west-1'], cloudtrailLookup: '7' })).toEqual({ regions: ['eu-west-1'] });
    expect(inventoryScanOptions({})).toEqual({});
  });

  it('`leash scan --input A --input B --inventory F`: the inventory is shared: every account report counts it', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'leash-inv-many-'));
    const mk = (account: string) => {
      const f = join(tmp, `${account}.json`);
      writeFileSync(f, JSON.stringify({ RoleDetailList: [{ RoleName: 'r', Arn: `arn:aws:iam::${account}:role/r`, AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] } }] }));
      return f;
    };
    const inv = join(tmp, 'inv.json');
    writeFileSync(inv, JSON.stringify({ leashInventory: 1, resources: [{ arn: 'arn:aws:dynamodb:us-east-1:111111111111:table/t' }, { arn: 'arn:aws:dynamodb:us-east-1:222222222222:table/u' }] }));
    const reports = join(tmp, 'reports');
    const r = await runCli(['scan', '--input', mk('111111111111'), '--input', mk('222222222222'), '--inventory', inv, '--ci', '--reports', reports, '--format', 'json']);
    expect(r.code).toBe(0);
    const latest = (a: string) => JSON.parse(readFileSync(join(reports, a, readFileSync(join(reports, a, 'latest'), 'utf8').trim(), 'report.json'), 'utf8')) as Report;
    for (const a of ['111111111111', '222222222222']) expect(latest(a).scan.coverage.inventory).toMatchObject({ resources: 2 });
  });
});
