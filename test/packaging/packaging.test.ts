// Packaging, checked without Docker, Kubernetes or GitHub: the Dockerfile is parsed and held to
// strict rules, and the image's runtime layout is assembled from the build and run for real; the
// CronJob and action.yml are parsed and every leash option they pass is parsed by the real CLI;
// the action's shell step is executed with a stand-in `npm` to see the exact argv it builds.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { nextRunOf } from '../../src/schedule/run-schedule.js';
import { parseDockerfile, stages, type Stage } from '../support/dockerfile.js';
import { shippedNodeFlags } from '../../bench/runtimes.js';
import { repoRoot } from '../support/fixtures.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'leash-packaging-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const read = (p: string) => readFileSync(join(repoRoot, p), 'utf8');
const program = buildProgram();
const command = (name: string): Command => program.commands.find((c) => c.name() === name)!;

/** Options the named command does not know (empty = all accepted by its real definitions). */
function unknownOptions(cmd: string, args: readonly string[]): string[] {
  // Program-wide options (--quiet) are valid after any command name too.
  const global = new Set(program.options.flatMap((o) => [o.long, o.short].filter((x): x is string => x !== undefined)));
  return command(cmd).parseOptions([...args]).unknown.filter((u) => !global.has(u));
}

const SECRETISH = /(SECRET|PASSWORD|TOKEN|ACCESS_KEY|PRIVATE)/i;
const PINNED_IMAGE = /^[\w./-]+:(\d+\.\d+\.\d+[\w.-]*)(@sha256:[0-9a-f]{64})?$|^[\w./-]+@sha256:[0-9a-f]{64}$/;

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const all = parseDockerfile(text);
  const st = stages(all);
  const final = st[st.length - 1]!;
  const inFinal = (k: string) => final.instructions.filter((i) => i.keyword === k);

  it('is multi-stage, every base image pinned to an exact version', () => {
    expect(st.length).toBeGreaterThanOrEqual(2);
    for (const s of st) expect(s.image, `line ${s.from.line}`).toMatch(PINNED_IMAGE);
    // Control: the rule rejects what it should.
    for (const bad of ['node:20-slim', 'node:latest', 'node', 'node:20.20']) expect(bad).not.toMatch(PINNED_IMAGE);
  });

  it('runs as a non-root user, with exec-form ENTRYPOINT and CMD', () => {
    const users = inFinal('USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1]!.text.split(':')[0]!;
    expect(['root', '0']).not.toContain(user);
    const entry = inFinal('ENTRYPOINT')[0]!;
    expect(entry.exec).toBeDefined();
    expect(entry.line).toBeGreaterThan(users[users.length - 1]!.line);
    expect(inFinal('CMD')[0]!.exec).toBeDefined();
  });

  it('installs production dependencies only, with the lockfile, in the final stage', () => {
    const runs = inFinal('RUN').map((r) => r.text);
    expect(runs.some((r) => /\bnpm ci\b[^&]*--omit=dev/.test(r))).toBe(true);
    expect(all.filter((i) => i.keyword === 'RUN').some((r) => /\bnpm (install|i)\b/.test(r.text))).toBe(false);
    // Dev tools are not copied over from the build stage.
    for (const c of inFinal('COPY').filter((c) => c.flags.from)) expect(c.text).not.toMatch(/node_modules/);
  });

  it('carries no secret: no ARG/ENV that looks like one, no credentials copied, .dockerignore keeps them out', () => {
    for (const i of all.filter((x) => x.keyword === 'ARG' || x.keyword === 'ENV')) {
      const names = [...i.text.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1]!);
      for (const n of names) expect(n, `line ${i.line}`).not.toMatch(SECRETISH);
    }
    for (const c of all.filter((x) => x.keyword === 'COPY' || x.keyword === 'ADD')) expect(c.text).not.toMatch(/\.aws|\.env|credentials|\.pem/);
    expect(all.some((i) => i.keyword === 'ADD')).toBe(false);
    const ignore = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const must of ['.git', 'node_modules', '.env', '.aws', 'reports/*']) expect(ignore).toContain(must);
  });

  it('copies only paths that exist in the build context', () => {
    for (const c of all.filter((x) => x.keyword === 'COPY' && !x.flags.from)) {
      const parts = c.text.split(/\s+/);
      for (const src of parts.slice(0, -1)) expect(existsSync(join(repoRoot, src)), `line ${c.line}: ${src}`).toBe(true);
    }
  });

  it('its CMD is a valid `leash schedule` invocation, scan options included', () => {
    const cmd = inFinal('CMD')[0]!.exec!;
    expect(cmd[0]).toBe('schedule');
    const dash = cmd.indexOf('--');
    expect(unknownOptions('schedule', cmd.slice(1, dash))).toEqual([]);
    expect(unknownOptions('scan', cmd.slice(dash + 1))).toEqual([]);
    nextRunOf(cmd[cmd.indexOf('--cron') + 1]!);
    // Control: a typo is caught by the same check.
    expect(unknownOptions('scan', ['--awz'])).toEqual(['--awz']);
  });

  const built = existsSync(join(repoRoot, 'dist/bundle/main.js'));
  it.skipIf(!built)('the runtime stage, assembled from the build as its COPY lines say, scans the demo account (dist built by `npm test`)', () => {
    const root = join(tmp, 'image');
    const build: Stage = st.find((s) => s.name === final.instructions.find((i) => i.flags.from)?.flags.from)!;
    const buildWorkdir = build.instructions.find((i) => i.keyword === 'WORKDIR')!.text;
    const workdir = inFinal('WORKDIR')[0]!.text;
    for (const c of inFinal('COPY')) {
      const [src, dest] = c.text.split(/\s+/) as [string, string];
      if (/package(-lock)?\.json/.test(src)) continue;
      const from = c.flags.from ? join(repoRoot, relative(buildWorkdir, src)) : join(repoRoot, src);
      const to = join(root, relative('/', join(workdir, dest)));
      mkdirSync(join(to, '..'), { recursive: true });
      cpSync(from, to, { recursive: true });
    }
    const app = join(root, relative('/', workdir));
    cpSync(join(repoRoot, 'package.json'), join(app, 'package.json'));
    symlinkSync(join(repoRoot, 'node_modules'), join(app, 'node_modules'));
    // Nothing the runtime imports may be a devDependency (the image has none).
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.js') ? [join(d, e.name)] : []));
    const imported = new Set<string>();
    for (const f of walk(join(app, 'dist/bundle'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/^\s*(?:import|export)\b[^'";]*?from\s+['"]([^'"./][^'"]*)['"]|\bimport\(\s*['"]([^'"./][^'"]*)['"]/gm)) {
        const spec = (m[1] ?? m[2])!;
        if (spec.startsWith('node:')) continue;
        imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
    for (const dep of imported) expect(pkg.dependencies, `runtime import of ${dep}`).toHaveProperty([dep]);
    expect(imported.size).toBeGreaterThan(3);

    const reports = join(root, 'reports');
    mkdirSync(reports, { recursive: true });
    const entry = inFinal('ENTRYPOINT')[0]!.exec!;
    // node, its flags (the image's runtime settings), then the script: run as the image runs it.
    const script = entry.findIndex((x, i) => i > 0 && !x.startsWith('-'));
    const r = spawnSync(entry[0]!, [...entry.slice(1, script), join(root, relative('/', entry[script]!)), 'scan', '--demo', '--reports', reports, '--format', 'json', '--quiet'], { cwd: reports, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(existsSync(join(reports, '111122223333', 'latest'))).toBe(true);
  }, 60_000);
});

describe('Kubernetes CronJob', () => {
  const docs = parseAllDocuments(read('deploy/kubernetes/cronjob.yaml')).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as Record<string, any>;
  });
  const byKind = (k: string) => docs.find((d) => d.kind === k)!;

  it('has the fields a CronJob needs, a valid schedule, and never overlaps', () => {
    const cj = byKind('CronJob');
    expect(cj.apiVersion).toBe('batch/v1');
    expect(cj.metadata.name).toMatch(/^[a-z0-9-]+$/);
    nextRunOf(cj.spec.schedule);
    expect(cj.spec.concurrencyPolicy).toBe('Forbid');
    const pod = cj.spec.jobTemplate.spec.template.spec;
    expect(['Never', 'OnFailure']).toContain(pod.restartPolicy);
    expect(pod.containers).toHaveLength(1);
  });

  it('runs non-root, read-only, without privilege escalation, from a pinned image', () => {
    const pod = byKind('CronJob').spec.jobTemplate.spec.template.spec;
    const c = pod.containers[0];
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).not.toBe(0);
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.image).toMatch(/:\d+\.\d+\.\d+$/);
  });

  it('wires its references: service account, volumes, the secret behind $(VAR), and no AWS keys', () => {
    const pod = byKind('CronJob').spec.jobTemplate.spec.template.spec;
    const c = pod.containers[0];
    expect(byKind('ServiceAccount').metadata.name).toBe(pod.serviceAccountName);
    const volumes = new Set(pod.volumes.map((v: { name: string }) => v.name));
    for (const m of c.volumeMounts) expect(volumes).toContain(m.name);
    expect(pod.volumes.find((v: any) => v.persistentVolumeClaim)?.persistentVolumeClaim.claimName).toBe(byKind('PersistentVolumeClaim').metadata.name);
    expect(c.volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toContain(c.args[c.args.indexOf('--reports') + 1]);
    const envNames = new Set(c.env.map((e: { name: string }) => e.name));
    for (const a of c.args as string[]) for (const m of a.matchAll(/\$\(([A-Z_]+)\)/g)) expect(envNames).toContain(m[1]);
    for (const e of c.env) expect(e.name).not.toMatch(/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)$/);
    expect(c.env.find((e: any) => e.name === 'LEASH_NOTIFY_URL').valueFrom.secretKeyRef.key).toBe('url');
  });

  it('passes options the real CLI accepts', () => {
    const args = byKind('CronJob').spec.jobTemplate.spec.template.spec.containers[0].args as string[];
    expect(args[0]).toBe('scan');
    expect(unknownOptions('scan', args.slice(1))).toEqual([]);
  });
});

describe('GitHub Action (action.yml)', () => {
  const action = parseYaml(read('action.yml')) as { name: string; description: string; inputs: Record<string, { description: string; default?: string }>; outputs: Record<string, unknown>; runs: { using: string; steps: { id?: string; name?: string; uses?: string; run?: string; shell?: string; env?: Record<string, string>; with?: Record<string, string>; if?: string }[] } };

  it('is a composite action with documented inputs, pinned actions, and SARIF upload and history steps', () => {
    expect(action.name).toBeTruthy();
    expect(action.description).toBeTruthy();
    expect(action.runs.using).toBe('composite');
    for (const [k, v] of Object.entries(action.inputs)) expect(v.description, k).toBeTruthy();
    for (const s of action.runs.steps) {
      if (s.run !== undefined) expect(s.shell, s.name).toBe('bash');
      if (s.uses !== undefined) expect(s.uses).toMatch(/^[\w-]+\/[\w/-]+@v\d+$/);
    }
    expect(action.runs.steps.some((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))).toBe(true);
    expect(action.runs.steps.some((s) => s.uses?.startsWith('actions/cache/restore@'))).toBe(true);
    expect(action.runs.steps.some((s) => s.uses?.startsWith('actions/cache/save@'))).toBe(true);
  });

  it('references only declared inputs and never splices an input into a script', () => {
    const text = read('action.yml');
    for (const m of text.matchAll(/inputs\.([\w-]+)/g)) expect(action.inputs, m[0]).toHaveProperty([m[1]!]);
    for (const s of action.runs.steps) if (s.run) expect(s.run).not.toMatch(/\$\{\{/);
    expect(JSON.stringify(action.inputs)).not.toMatch(/aws-secret|access-key/i);
  });

  it('builds the leash argv it should (stand-in npm), without shell injection, and reports the exit code', () => {
    const step = action.runs.steps.find((s) => s.id === 'scan')!;
    const bin = join(tmp, 'bin');
    mkdirSync(bin, { recursive: true });
    const argvFile = join(tmp, 'argv.txt');
    writeFileSync(join(bin, 'npm'), `#!/usr/bin/env bash\nprintf '%s\\n' "$@" > "${argvFile}"\nexit 1\n`);
    chmodSync(join(bin, 'npm'), 0o755);
    const out = join(tmp, 'gh-output');
    const summary = join(tmp, 'gh-summary');
    writeFileSync(out, '');
    writeFileSync(summary, '');
    const pwned = join(tmp, 'pwned');
    const env = {
      PATH: `${bin}:${process.env.PATH}`,
      GITHUB_OUTPUT: out,
      GITHUB_STEP_SUMMARY: summary,
      LEASH_VERSION: '0.1.0',
      LEASH_ARGS: `--aws --cloudtrail-lookup 30 $(touch ${pwned})`,
      LEASH_HISTORY: 's3://bucket/prefix',
      LEASH_FAIL_ON: 'high',
      LEASH_FAIL_ON_NEW: 'true',
      LEASH_NOTIFY: 'https://hooks.slack.com/services/T/B/x;touch pwned',
      LEASH_NOTIFY_ON: 'critical',
      LEASH_OUTPUT: 'leash-out',
    };
    execFileSync('bash', ['-c', step.run!], { env, cwd: tmp });
    expect(existsSync(pwned)).toBe(false);
    const argv = readFileSync(argvFile, 'utf8').trimEnd().split('\n');
    expect(argv.slice(0, 4)).toEqual(['exec', '--yes', '--package=@leash-audit/leash@0.1.0', '--']);
    expect(argv[4]).toBe('leash');
    expect(argv[5]).toBe('scan');
    const scanArgs = argv.slice(6);
    expect(scanArgs).toContain('https://hooks.slack.com/services/T/B/x;touch pwned'); // one argument, not a command
    expect(scanArgs.slice(scanArgs.indexOf('--history'), scanArgs.indexOf('--history') + 2)).toEqual(['--history', 's3://bucket/prefix']);
    expect(readFileSync(out, 'utf8')).toContain('exit-code=1');
    // Every option the action passes is one the real `leash scan` defines — except --history while
    // that option (issue 13's history work, another branch) is not in this build.
    const hasHistory = command('scan').options.some((o) => o.long === '--history');
    const literal = scanArgs.filter((a) => !a.includes('$('));
    const unknown = unknownOptions('scan', literal.filter((a, i) => a.startsWith('--') || !literal[i - 1]?.startsWith('--history')));
    expect(unknown.filter((u) => hasHistory || u !== '--history')).toEqual([]);
  });
});

/** The Node major of an official node image (`node:24.22.3-bookworm-slim`), or undefined for any other image. */
function nodeImageMajor(image: string): number | undefined {
  const m = /^node:(\d+)\.\d+\.\d+(?:-[\w.-]+)?(?:@sha256:[0-9a-f]{64})?$/.exec(image);
  return m ? Number(m[1]) : undefined;
}

describe('Node runtime of what leash ships', () => {
  // One Node line in the image, the action and the README's workflow, inside package.json's
  // engines: a user of any of them runs what the others run (session 26 moved all three to 24).
  const images = stages(parseDockerfile(read('Dockerfile'))).map((s) => s.image);
  const action = parseYaml(read('action.yml')) as { runs: { steps: { uses?: string; with?: Record<string, unknown> }[] } };
  const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;

  it('the image, the action and the README workflow name the same Node major, within engines', () => {
    const majors = images.map(nodeImageMajor);
    expect(majors.every((m) => m !== undefined), images.join(', ')).toBe(true);
    const major = majors[0]!;
    expect(new Set(majors).size).toBe(1);
    const setup = action.runs.steps.filter((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(setup.length).toBe(1);
    expect(Number(setup[0]!.with?.['node-version'])).toBe(major);
    const readme = [...read('README.md').matchAll(/node-version:\s*(\d+)/g)].map((m) => Number(m[1]));
    expect(readme.length).toBeGreaterThan(0);
    expect(new Set(readme)).toEqual(new Set([major]));
    const floor = /^>=(\d+)\.(\d+)$/.exec(engines);
    expect(floor, engines).not.toBeNull();
    expect(major).toBeGreaterThanOrEqual(Number(floor![1]));
    // The runtime these tests run on is inside engines too (this machine's Node 20).
    const [maj, min] = process.versions.node.split('.').map(Number) as [number, number];
    expect(maj > Number(floor![1]) || (maj === Number(floor![1]) && min >= Number(floor![2]))).toBe(true);
  });

  it('the image\'s node flags are the action\'s NODE_OPTIONS and the bench\'s, and node accepts them there', () => {
    const entry = stages(parseDockerfile(read('Dockerfile'))).at(-1)!.instructions.filter((i) => i.keyword === 'ENTRYPOINT')[0]!.exec!;
    expect(entry[0]).toBe('node');
    const flags = entry.slice(1, entry.findIndex((x, i) => i > 0 && !x.startsWith('-')));
    expect(flags).toEqual(['--max-semi-space-size=16']);
    const scan = (action.runs.steps as { id?: string; env?: Record<string, string> }[]).find((s) => s.id === 'scan')!;
    expect(scan.env?.NODE_OPTIONS).toBe(flags.join(' '));
    expect(shippedNodeFlags(read('Dockerfile'))).toEqual(flags);
    // NODE_OPTIONS takes only some V8 flags: this one must be among them (a refused one stops node before leash).
    const r = spawnSync(process.execPath, ['-e', '0'], { env: { ...process.env, NODE_OPTIONS: flags.join(' ') }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // Control: a flag NODE_OPTIONS refuses is refused (so the check above can fail).
    expect(spawnSync(process.execPath, ['-e', '0'], { env: { ...process.env, NODE_OPTIONS: '--print' }, encoding: 'utf8' }).status).not.toBe(0);
  });

  it('reads a Node major only from an exactly pinned official node image (control)', () => {
    expect(nodeImageMajor('node:24.22.3-bookworm-slim')).toBe(24);
    expect(nodeImageMajor(`node:20.20.2@sha256:${'a'.repeat(64)}`)).toBe(20);
    for (const other of ['node:24-slim', 'node:lts', 'nodejs:24.1.0', 'cgr.dev/chainguard/node:24.1.0', 'node']) expect(nodeImageMajor(other), other).toBeUndefined();
  });
});

describe('npm package', () => {
  it('has a scoped name of its own, keeps the leash bin, and the lockfile agrees', () => {
    const pkg = JSON.parse(read('package.json')) as { name: string; bin: Record<string, string>; files: string[]; publishConfig?: { access?: string } };
    const lock = JSON.parse(read('package-lock.json')) as { name: string; packages: Record<string, { name?: string }> };
    expect(pkg.name).toBe('@leash-audit/leash');
    expect(pkg.bin.leash).toBe('dist/bundle/main.js');
    expect(lock.name).toBe(pkg.name);
    expect(lock.packages['']!.name).toBe(pkg.name);
    expect(pkg.publishConfig?.access).toBe('public');
    expect(pkg.files).toContain('dist/bundle');
  });

  it.skipIf(!existsSync(join(repoRoot, 'dist/bundle/main.js')))('npm pack would ship the bin, the demo and the schema, and no tests', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toContain('dist/bundle/main.js');
    expect(files).toContain('dist/bundle/analysis-worker.js');
    expect(files).toContain('dist/bundle/iam-catalog.json');
    expect(files).toContain('demo/authorization-details.json');
    expect(files).toContain('dist/docs/scanner-policy.json');
    expect(files.some((f) => f.startsWith('reports/schema/'))).toBe(true);
    expect(files.some((f) => f.startsWith('test/') || f.startsWith('dist/test/') || f.startsWith('src/'))).toBe(false);
  });
});

describe('the bundle (dist/bundle, scripts/bundle.mjs): the CLI as it ships', () => {
  const bundle = join(repoRoot, 'dist/bundle');
  const built = existsSync(join(bundle, 'main.js')) && existsSync(join(repoRoot, 'dist/src/cli/main.js'));
  const skip = built ? false : 'dist/bundle not built (npm test builds it first: `npm run build`)';

  it.skipIf(skip)('scans the demo as the compiled modules do, its analysis worker (a chunk\'s spawn) included, and leaves the catalog file alone', () => {
    const catalogFile = join(bundle, 'iam-catalog.json');
    const before = readFileSync(catalogFile);
    const scan = (cli: string, out: string, extra: string[] = []) => {
      const r = spawnSync(process.execPath, [cli, 'scan', '--demo', '--fixes', '--output', join(tmp, out), '--reports', join(tmp, `${out}-reports`), '--format', 'json', '--quiet', ...extra], { cwd: tmp, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const { scan: s, firstSeenDefault: _f, ...rest } = JSON.parse(readFileSync(join(tmp, out, 'report.json'), 'utf8')) as Record<string, unknown> & { scan: Record<string, unknown> };
      const { id: _i, startedAt: _s, finishedAt: _e, ...scanRest } = s;
      return { ...rest, scan: scanRest };
    };
    const bundled = scan(join(bundle, 'main.js'), 'bundled', ['--analysis-workers', '1']);
    const compiled = scan(join(repoRoot, 'dist/src/cli/main.js'), 'compiled');
    expect(bundled).toEqual(compiled);
    expect((bundled as unknown as { findings: unknown[] }).findings.length).toBeGreaterThan(0);
    // The catalog file is read, never written, by a run (its writer is an entry of its own).
    expect(readFileSync(catalogFile).equals(before)).toBe(true);
  }, 120_000);

  it.skipIf(skip)('finds worker entries beside the bundle from code in a chunk', async () => {
    const { spawnWorker } = await import(join(repoRoot, 'dist/src/threads/spawn.js')) as typeof import('../../src/threads/spawn.js');
    const chunk = `file://${join(bundle, 'chunks', readdirSync(join(bundle, 'chunks')).find((f) => f.endsWith('.js'))!)}`;
    // The CloudTrail worker says it is ready once its module (and the catalog) loaded.
    const w = spawnWorker('ingest-worker', chunk);
    await expect(new Promise((res, rej) => { w.once('message', res); w.once('error', rej); })).resolves.toEqual({ ready: true });
    await w.terminate();
    // Control: an entry that is not beside the bundle fails to load.
    const missing = spawnWorker('no-such-worker', chunk);
    await expect(new Promise((res, rej) => { missing.once('message', res); missing.once('error', rej); })).rejects.toThrow(/no-such-worker/);
  });

  it.skipIf(skip)('holds its entries, its chunks in chunks/, the catalog file, and imports no devDependency', () => {
    const files = readdirSync(bundle);
    expect(files.sort()).toEqual(['THIRD_PARTY_LICENSES.txt', 'analysis-worker.js', 'chunks', 'iam-catalog.json', 'ingest-worker.js', 'main.js']);
    expect(readdirSync(join(bundle, 'chunks')).every((f) => f.endsWith('.js'))).toBe(true);
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const imported = new Set<string>();
    for (const f of [...files.filter((f) => f.endsWith('.js')), ...readdirSync(join(bundle, 'chunks')).map((c) => join('chunks', c))]) {
      for (const m of readFileSync(join(bundle, f), 'utf8').matchAll(/^\s*(?:import|export)\b[^'";]*?from\s+['"]([^'"./][^'"]*)['"]|\bimport\(\s*['"]([^'"./][^'"]*)['"]/gm)) {
        const spec = (m[1] ?? m[2])!;
        if (spec.startsWith('node:')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        expect(pkg.dependencies, `${f} imports ${name}`).toHaveProperty([name]);
        imported.add(name);
      }
    }
    // The small packages every command loads are bundled (one module each instead of ~170 files),
    // each with its licence text beside the code; the large ones stay in node_modules.
    const licences = readFileSync(join(bundle, 'THIRD_PARTY_LICENSES.txt'), 'utf8');
    for (const name of ['zod', 'yaml', 'commander']) {
      expect(imported.has(name), `${name} is bundled, not imported`).toBe(false);
      const { version } = JSON.parse(read(`node_modules/${name}/package.json`)) as { version: string };
      expect(licences).toContain(`${name} ${version} (`);
    }
    expect(licences).toMatch(/Permission is hereby granted/);
    expect(imported.has('@aws-sdk/client-iam')).toBe(true);
  });
});
