import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'leash-cli-parser-'));
afterEach(() => {
  process.exitCode = 0;
});

describe('leash scan --cloudtrail-parser', () => {
  it('json (JSON.parse of every file) and scan (the JS scanner) give the report the default (wasm) gives; a bad value exits 2', async () => {
    const strip = (out: string) => {
      const r = JSON.parse(out) as { findings: { firstSeen?: string }[]; principals: unknown[] };
      return { findings: r.findings.map(({ firstSeen: _, ...f }) => f), principals: r.principals };
    };
    const scan = await runCli(['scan', '--demo', '--reports', join(tmp, 'a'), '--json']);
    const json = await runCli(['scan', '--demo', '--reports', join(tmp, 'b'), '--json', '--cloudtrail-parser', 'json']);
    expect(scan.code).toBe(0);
    expect(json.code).toBe(0);
    expect(strip(json.out)).toEqual(strip(scan.out));
    const js = await runCli(['scan', '--demo', '--reports', join(tmp, 'd'), '--json', '--cloudtrail-parser', 'scan']);
    const wasm = await runCli(['scan', '--demo', '--reports', join(tmp, 'e'), '--json', '--cloudtrail-parser', 'wasm']);
    expect([js.code, wasm.code]).toEqual([0, 0]);
    expect(strip(js.out)).toEqual(strip(scan.out));
    expect(strip(wasm.out)).toEqual(strip(scan.out));
    expect((JSON.parse(scan.out) as { principals: unknown[] }).principals.length).toBeGreaterThan(0);
    const bad = await runCli(['scan', '--demo', '--reports', join(tmp, 'c'), '--cloudtrail-parser', 'yaml']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--cloudtrail-parser');
  });
});
