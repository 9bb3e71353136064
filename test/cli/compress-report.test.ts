import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCli } from '../support/cli.js';

afterEach(() => {
  process.exitCode = 0;
});

describe('leash scan --compress-report', () => {
  it('always: the bundle holds report.json.gz, and the next scan, `report` and `diff` read it as the previous one', async () => {
    const root = mkdtempSync(join(tmpdir(), 'leash-cli-gz-'));
    const first = await runCli(['scan', '--demo', '--reports', root, '--compress-report', 'always', '--ci']);
    expect(first.code).toBe(0);
    // The summary says where the report is and how to read it.
    expect(first.out).toMatch(/^the report is report\.json\.gz \(gzip\): zcat '?\S+report\.json\.gz'? \| jq/m);
    const [account] = readdirSync(root);
    const scans = () => readdirSync(join(root, account!)).filter((d) => d !== 'latest' && !d.endsWith('.ndjson')).sort();
    const dir = join(root, account!, scans()[0]!);
    expect(readdirSync(dir)).toContain('report.json.gz');
    expect(existsSync(join(dir, 'report.json'))).toBe(false);
    const report = JSON.parse(gunzipSync(readFileSync(join(dir, 'report.json.gz'))).toString('utf8')) as { scan: { id: string } };
    // The second scan finds the first as its previous one: a delta, not "every finding is new".
    const second = await runCli(['scan', '--demo', '--reports', root, '--ci']);
    expect(second.code).toBe(0);
    expect(second.out).not.toContain('zcat');
    const latest = join(root, account!, scans()[1]!);
    const plain = JSON.parse(readFileSync(join(latest, 'report.json'), 'utf8')) as { delta?: { previousScanId?: string; newFindings: string[] } };
    expect(plain.delta?.newFindings).toEqual([]);
    const out = join(root, 'again');
    expect((await runCli(['report', '--report', dir, '--format', 'md', '--output', out])).code).toBe(0);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain(report.scan.id.slice(0, 8));
    const diff = await runCli(['diff', dir, latest]);
    expect(diff.code).toBe(0);
  });

  it('a value it does not know exits 2 naming the option, before anything is scanned', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'leash-cli-gz-'));
    let err = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((c) => { err += String(c); return true; });
    try {
      expect(await main(['node', 'leash', 'scan', '--demo', '--reports', reports, '--compress-report', 'maybe'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(err).toMatch(/--compress-report <when>' argument 'maybe' is invalid\. Allowed choices are auto, always, never/);
    expect(readdirSync(reports)).toEqual([]);
  });
});
