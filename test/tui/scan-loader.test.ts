import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRunScan, progressText } from '../../src/tui/scan-loader.js';
import { ownFixture } from '../support/fixtures.js';

const fixtureUrl = (name: string) => pathToFileURL(ownFixture(`tui/${name}`)).href;

describe('loadRunScan', () => {
  it('returns undefined when the build has no scan pipeline module', async () => {
    expect(await loadRunScan(fixtureUrl('no-such-scan.js'))).toBeUndefined();
  });

  it('returns undefined when the module has no runScan', async () => {
    expect(await loadRunScan(fixtureUrl('no-run-scan.js'))).toBeUndefined();
  });

  it('rethrows when the scan module exists but one of its imports is missing', async () => {
    await expect(loadRunScan(fixtureUrl('broken-scan.js'))).rejects.toThrow(/missing-dependency/);
  });

  it('returns a callable runScan that passes progress through', async () => {
    const runScan = await loadRunScan(fixtureUrl('run-scan.js'));
    const seen: string[] = [];
    const report = await runScan!({ demo: true }, (p, d) => seen.push(progressText(p, d)));
    expect(report).toEqual({ scanned: true });
    expect(seen).toEqual(['collect: demo']);
  });
});

describe('progressText', () => {
  it.each([
    [['collect', 'reading demo/authorization-details.json'], 'collect: reading demo/authorization-details.json'],
    [['analyze'], 'analyze'],
    [[{ stage: 'cloudtrail', message: 'events', done: 3, total: 10 }], 'cloudtrail: events (3/10)'],
    [[{ done: 2 }], 'working (2)'],
  ] as const)('%j → %s', (args, expected) => {
    expect(progressText(...(args as unknown as Parameters<typeof progressText>))).toBe(expected);
  });
});
