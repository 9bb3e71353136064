// --analysis-workers: the bundle written with fix planning on worker threads is byte for byte the
// one written on one thread, and a worker that fails costs time, never results or a hang.
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { collectSnapshot, scanAndWrite, analyzeSnapshot, scanId } from '../../src/pipeline/scan.js';
import { analyzeSnapshotWithWorkers, checkReply, prepare } from '../../src/pipeline/workers.js';
import { defaultConfig } from '../../src/config/config.js';
import { loadAwsManagedPolicies, syntheticAccount } from '../../bench/synthetic-account.js';
import { sharedFixturesDir, sharedFixturesPresent } from '../support/fixtures.js';
import { runCli } from '../support/cli.js';

const NOW = new Date('2026-11-24T07:00:00Z');
let tmp: string;
beforeAll(() => { tmp = mkdtempSync(join(tmpdir(), 'leash-workers-')); });

/** Every file of a bundle, by relative path, as bytes (as text for a readable diff). */
function bundle(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

async function writeWith(workers: number, input: { demo: true } | { input: string }, name: string): Promise<Record<string, string>> {
  const output = join(tmp, `${name}-w${workers}`);
  await scanAndWrite({ ...input, fixes: true, now: NOW, analysisWorkers: workers, output, reportsRoot: join(tmp, `${name}-reports-${workers}`) });
  return bundle(output);
}

describe('analysis workers give the one-thread bundle', () => {
  it('demo account with --fixes: every file of the bundle identical with 0 and 2 workers', async () => {
    const one = await writeWith(0, { demo: true }, 'demo');
    const two = await writeWith(2, { demo: true }, 'demo');
    expect(Object.keys(one).some((k) => k.startsWith('fixes/'))).toBe(true);
    expect(Object.keys(two).sort()).toEqual(Object.keys(one).sort());
    for (const k of Object.keys(one)) expect(two[k], k).toBe(one[k]);
  }, 120_000);

  // Synthetic exports of a few hundred principals (real AWS managed policies when the shared
  // fixtures are present, random catalog actions always), several seeds: one thread against two
  // workers, every byte. Principals are dealt round-robin, so each seed shuffles who lands where.
  it.each([1, 7, 42])('synthetic 300-principal export (seed %i): identical bundle from 0 and 2 workers', async (seed) => {
    const managed = sharedFixturesPresent ? loadAwsManagedPolicies(sharedFixturesDir) : {};
    const input = join(tmp, `synthetic-${seed}.json`);
    writeFileSync(input, JSON.stringify(syntheticAccount(300, managed, seed)));
    const one = await writeWith(0, { input }, `syn${seed}`);
    const two = await writeWith(2, { input }, `syn${seed}`);
    const report = JSON.parse(one['report.json']!) as { fixes: unknown[] };
    expect(report.fixes.length).toBeGreaterThan(10);
    expect(Object.keys(two).sort()).toEqual(Object.keys(one).sort());
    for (const k of Object.keys(one)) expect(two[k], k).toBe(one[k]);
  }, 180_000);
});

describe('a failing worker', () => {
  const opts = { scanId: scanId('111122223333', NOW), startedAt: NOW.toISOString(), now: NOW, fixes: true } as const;

  // Workers that crash at once, exit without a word, or answer out of protocol.
  it.each([
    ['throws', "throw new Error('boom in worker')", /boom in worker/],
    ['exits', 'process.exit(3)', /exited \(code 3\) without a reply/],
    ['answers garbage', "require('node:worker_threads').parentPort.once('message', (j) => require('node:worker_threads').parentPort.postMessage({ kind: 'leash-analysis-reply', ok: true, shard: j.shard, plans: [{ index: -1, plan: {} }] }))", /principal index -1/],
    ['answers for another shard', "require('node:worker_threads').parentPort.once('message', (j) => require('node:worker_threads').parentPort.postMessage({ kind: 'leash-analysis-reply', ok: true, shard: j.shard + 5, plans: [] }))", /not shard 1's/],
  ])('that %s: the report is complete, the same as one thread\'s but for an error naming the worker', async (_name, code, message) => {
    const { snapshot, config } = await collectSnapshot({ demo: true, now: NOW });
    const one = analyzeSnapshot(snapshot, config, opts);
    const failed = await analyzeSnapshotWithWorkers(snapshot, config, { ...opts, spawnWorker: () => new Worker(code, { eval: true }) }, 1);
    const errs = failed.report.errors.filter((e) => e.message.startsWith('analysis worker'));
    expect(errs).toHaveLength(1);
    expect(errs[0]!.code).toBe('internal');
    expect(errs[0]!.message).toMatch(message);
    expect(JSON.stringify({ ...failed.report, errors: failed.report.errors.filter((e) => !errs.includes(e)) })).toBe(JSON.stringify(one.report));
    expect(failed.fixPlans.map((p) => p.principalArn)).toEqual(one.fixPlans.map((p) => p.principalArn));
  }, 60_000);

  it('checkReply refuses plans out of order or naming another principal', async () => {
    const { snapshot } = await collectSnapshot({ demo: true, now: NOW });
    const pre = prepare(snapshot, defaultConfig(), opts);
    const arn = (i: number) => pre.analyzed[i]!.principal.arn;
    const reply = (plans: unknown[]) => ({ kind: 'leash-analysis-reply', ok: true, shard: 1, plans });
    expect(checkReply(reply([{ index: 3, plan: { principalArn: arn(3), fixes: [] } }, { index: 1, plan: { principalArn: arn(1), fixes: [] } }]), 1, 2, pre)).toHaveProperty('problem');
    expect(checkReply(reply([{ index: 1, plan: { principalArn: arn(0), fixes: [] } }]), 1, 2, pre)).toHaveProperty('problem');
    expect(checkReply(reply([{ index: 2, plan: { principalArn: arn(2), fixes: [] } }]), 1, 2, pre)).toHaveProperty('problem');
    expect(checkReply('x', 1, 2, pre)).toHaveProperty('problem');
    const ok = checkReply(reply([{ index: 1, plan: { principalArn: arn(1), fixes: [] } }]), 1, 2, pre);
    expect('plans' in ok && [...ok.plans.keys()]).toEqual([1]);
  });
});

describe('--analysis-workers on the CLI', () => {
  it('scans the demo to the same report.json with 1 worker; a bad count exits 2 naming the flag', async () => {
    const a = await runCli(['scan', '--demo', '--fixes', '--output', join(tmp, 'cli0'), '--reports', join(tmp, 'cli-r0'), '--analysis-workers', '0']);
    const b = await runCli(['scan', '--demo', '--fixes', '--output', join(tmp, 'cli1'), '--reports', join(tmp, 'cli-r1'), '--analysis-workers', '1']);
    expect(a.code).toBe(b.code);
    // The scan id and firstSeen come from the wall clock here (no fixed clock on the CLI): compare the rest.
    const strip = (d: string) => { const r = JSON.parse(readFileSync(join(tmp, d, 'report.json'), 'utf8')) as Record<string, unknown> & { findings: { firstSeen?: string }[] }; return { principals: r.principals, fixes: r.fixes, findings: r.findings.map(({ firstSeen: _, ...f }) => f) }; };
    expect(strip('cli1')).toEqual(strip('cli0'));
    const bad = await runCli(['scan', '--demo', '--reports', join(tmp, 'cli-r2'), '--analysis-workers', 'two']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--analysis-workers');
  }, 120_000);
});
