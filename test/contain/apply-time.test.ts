// contain.sh puts the time it runs into the revoke-sessions Deny, unless the reviewer changed the
// file's time: then it applies the file as written and says so. aws is stubbed (no account needed).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { planContainment } from '../../src/contain/plan.js';
import { renderContainment } from '../../src/contain/render.js';
import { analyzeSnapshot } from '../../src/pipeline/scan.js';
import { awsStub, stubAwsDirs } from '../support/aws-stub.js';
import { DEV, allow, arn, doc, snapshot, trust } from '../graph/accounts.js';

const NOW = new Date('2026-12-06T02:00:00.000Z');
const report = analyzeSnapshot(snapshot({
  users: [{ name: 'dev', inline: [doc(allow('sts:AssumeRole'))] }],
  roles: [{ name: 'agent-role', trust: trust({ AWS: arn(DEV, 'user', 'dev') }), inline: [doc(allow('s3:*'))] }],
}), defaultConfig(), { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false }).report;

function planDir(edit?: (text: string) => string): { dir: string; bin: string; cwd: string } {
  const root = mkdtempSync(join(tmpdir(), 'leash-contain-time-'));
  const dir = join(root, 'plan');
  mkdirSync(dir);
  for (const f of renderContainment(planContainment(report, { target: 'agent-role', now: NOW }))) {
    writeFileSync(join(dir, f.name), f.name === 'revoke-sessions.json' && edit ? edit(f.content) : f.content, { mode: f.mode });
  }
  return { dir, ...stubAwsDirs(root, awsStub(DEV)) };
}

function apply(p: { dir: string; bin: string; cwd: string }) {
  const log = mkdtempSync(join(tmpdir(), 'leash-contain-time-argv-'));
  return spawnSync('bash', [join(p.dir, 'contain.sh'), '--apply'], { cwd: p.cwd, env: { ...process.env, PATH: `${p.bin}:${process.env.PATH}`, AWS_ARGV_DIR: log }, encoding: 'utf8' });
}

const timeIn = (file: string) => JSON.parse(readFileSync(file, 'utf8')).Statement[0].Condition.DateLessThan['aws:TokenIssueTime'] as string;

describe('contain.sh: the revoke time', () => {
  it('replaces the planning time with the time it runs, and says which', () => {
    const p = planDir();
    const r = apply(p);
    expect(r.status, r.stderr).toBe(0);
    const ran = readFileSync(join(p.dir, 'applied-at.txt'), 'utf8').trim();
    expect(r.stdout).toContain(`Sessions issued before ${ran} will be refused.`);
    expect(timeIn(join(p.dir, 'applied.json'))).toBe(ran);
    expect(ran).not.toBe('2026-12-06T02:00:00Z');
  });

  it('negative: a time the reviewer wrote into the file is applied as written, and it says so', () => {
    const p = planDir((t) => t.replace('2026-12-06T02:00:00Z', '2026-12-05T23:30:00Z'));
    const r = apply(p);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("The file's time was edited: it is applied as written.");
    expect(timeIn(join(p.dir, 'applied.json'))).toBe('2026-12-05T23:30:00Z');
  });
});
