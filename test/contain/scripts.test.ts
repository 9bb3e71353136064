// contain.sh and undo.sh as a reviewer reads them: shellcheck finds nothing in any scope's scripts.
// Skipped, saying why, without shellcheck (.ci/run installs it).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { planContainment, type ContainRequest } from '../../src/contain/plan.js';
import { renderContainment } from '../../src/contain/render.js';
import { analyzeSnapshot } from '../../src/pipeline/scan.js';
import { normalizeAuthorizationDetails } from '../../src/collect/iam/authorization-details-file.js';
import { DEV, allow, arn, doc, exportOf, snapshot, trust, type AccountSpec } from '../graph/accounts.js';

const available = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' }).status === 0;
const NOW = new Date('2026-12-06T02:00:00.000Z');
const SSO = 'AWSReservedSSO_Admin_0123456789abcdef';
const spec: AccountSpec = {
  users: [{ name: 'bot', inline: [doc(allow('s3:*'))] }],
  roles: [
    { name: 'agent-role', trust: trust({ AWS: arn(DEV, 'user', 'bot') }), inline: [doc(allow('s3:*'))] },
    { name: SSO, trust: trust({ AWS: arn(DEV, 'user', 'bot') }), inline: [doc(allow('s3:*'))] },
  ],
};
// The Identity Center role under its reserved path, with the instance's region in it.
const raw = exportOf(spec) as { RoleDetailList: Record<string, unknown>[] };
const sso = raw.RoleDetailList.find((r) => r['RoleName'] === SSO)!;
sso['Path'] = '/aws-reserved/sso.amazonaws.com/eu-west-1/';
sso['Arn'] = `arn:aws:iam::${DEV}:role/aws-reserved/sso.amazonaws.com/eu-west-1/${SSO}`;
const report = analyzeSnapshot({ ...snapshot(spec), principals: normalizeAuthorizationDetails(raw, 'x.json').principals }, defaultConfig(), { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false }).report;

describe.skipIf(!available)(`contain scripts under shellcheck${available ? '' : ' (skipped: shellcheck not installed)'}`, () => {
  it.each<Omit<ContainRequest, 'now'>>([
    { target: 'agent-role' },
    { target: 'agent-role', at: '2026-12-06T01:00:00Z' },
    { target: 'agent-role', session: 'kiro-1', sourceIdentity: 'dana' },
    { target: 'agent-role', scope: 'all' },
    { target: 'bot' },
    { target: 'bot', deactivateKeys: true },
    { target: SSO },
    { target: SSO, scope: 'all' },
    { target: `arn:aws:sts::${DEV}:assumed-role/${SSO}/dana@example.com`, sourceIdentity: 'dana' },
  ])('%j', (req) => {
    const dir = mkdtempSync(join(tmpdir(), 'leash-contain-sc-'));
    for (const f of renderContainment(planContainment(report, { ...req, now: NOW }))) writeFileSync(join(dir, f.name), f.content);
    for (const script of ['contain.sh', 'undo.sh']) {
      const r = spawnSync('shellcheck', ['-f', 'gcc', join(dir, script)], { encoding: 'utf8' });
      expect(r.stdout, script).toBe('');
      expect(r.status, script).toBe(0);
    }
  });

  it('control: shellcheck does report an unused variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leash-contain-sc-'));
    writeFileSync(join(dir, 'bad.sh'), '#!/usr/bin/env bash\nunused=1\n');
    expect(spawnSync('shellcheck', ['-f', 'gcc', join(dir, 'bad.sh')], { encoding: 'utf8' }).stdout).toMatch(/SC2034/);
  });
});
