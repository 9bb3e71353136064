// What a live scan asks the collector for, from its options: LookupEvents in the inventory's
// regions too (lookupRegions then adds us-east-1, where IAM and STS calls are looked up).
import { describe, expect, it } from 'vitest';
import { awsCollectOptions } from '../../src/pipeline/collect.js';

const noProgress = () => {};

describe('awsCollectOptions', () => {
  it('LookupEvents reads the --regions of a scan that reads LookupEvents', () => {
    const o = awsCollectOptions({ aws: true, region: 'eu-west-1', cloudtrailLookupDays: 7, resources: true, regions: ['ap-south-1', 'eu-west-1'] }, noProgress);
    expect(o.cloudTrailRegions).toEqual(['ap-south-1', 'eu-west-1']);
    expect(o.cloudTrail!.endTime!.getTime() - o.cloudTrail!.startTime.getTime()).toBe(7 * 86_400_000);
  });

  it('--regions without --resources widens LookupEvents only: no inventory is read', () => {
    const o = awsCollectOptions({ aws: true, region: 'eu-west-1', cloudtrailLookupDays: 7, regions: ['ap-south-1'] }, noProgress);
    expect(o.cloudTrailRegions).toEqual(['ap-south-1']);
    expect(o.inventory).toBeUndefined();
  });

  it('controls: no --regions, or no LookupEvents, asks for no other region', () => {
    expect(awsCollectOptions({ aws: true, region: 'eu-west-1', cloudtrailLookupDays: 7 }, noProgress).cloudTrailRegions).toBeUndefined();
    const noLookup = awsCollectOptions({ aws: true, resources: true, regions: ['ap-south-1'] }, noProgress);
    expect(noLookup.cloudTrailRegions).toBeUndefined();
    expect(noLookup.cloudTrail).toBeUndefined();
  });
});
