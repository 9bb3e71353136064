// Every file leash is given, fed what is not a file it can read (issue 10): a FIFO, /dev/zero, a
// link to /dev/zero, a directory and a file over its size limit. Each ends at once (no hang: a
// FIFO would wait for a writer forever, /dev/zero grows memory forever) with an error naming the
// file and what was expected, and exit code 2. Negative control per input: a good file exits 0.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../support/cli.js';
import { demoDir } from '../../src/pipeline/paths.js';
import { READ_LIMITS } from '../../src/safe/read.js';

afterEach(() => { process.exitCode = 0; vi.unstubAllEnvs(); });

const root = mkdtempSync(join(tmpdir(), 'leash-hostile-inputs-'));
const goodExport = join(demoDir, 'authorization-details.json');
let goodReport: string;

beforeAll(async () => {
  const out = join(root, 'good-bundle');
  const r = await runCli(['scan', '--input', goodExport, '--output', out, '--ci']);
  expect(r.code, r.err).toBe(0);
  goodReport = join(out, 'report.json');
});

type Kind = 'fifo' | 'dev-zero' | 'link-to-dev-zero' | 'directory' | 'over-cap';
const KINDS: readonly Kind[] = ['fifo', 'dev-zero', 'link-to-dev-zero', 'directory', 'over-cap'];
/** What the error must say the path is, per kind. */
const GOT: Record<Kind, RegExp> = {
  'fifo': /FIFO|not a regular file/,
  'dev-zero': /character device|not a regular file/,
  'link-to-dev-zero': /character device|not a regular file/,
  'directory': /a directory/,
  'over-cap': /over the limit|limit/,
};

/** Makes `path` into the bad kind; over-cap is a sparse file one byte past `cap` (no disk used). */
function makeBad(kind: Kind, path: string, cap: number): string {
  switch (kind) {
    case 'fifo': execFileSync('mkfifo', [path]); return path;
    case 'dev-zero': return '/dev/zero';
    case 'link-to-dev-zero': symlinkSync('/dev/zero', path); return path;
    case 'directory': mkdirSync(path); return path;
    case 'over-cap': writeFileSync(path, ''); truncateSync(path, cap + 1); return path;
  }
}

let n = 0;
function fresh(): string {
  const d = join(root, `case-${n++}`);
  mkdirSync(d);
  return d;
}

interface Outcome { code: number; message: string }

/** Each input: how to run leash with `bad` in its place. `message` is stderr plus report errors. */
interface InputCase {
  readonly name: string;
  readonly cap: number;
  /** Where the bad thing goes inside `dir` (a fixed name some inputs need, e.g. ~/.aws/config). */
  place(dir: string): string;
  run(dir: string, bad: string): Promise<Outcome>;
  good(dir: string): Promise<Outcome>;
}

async function scanWith(dir: string, args: string[], input = goodExport): Promise<Outcome> {
  const out = join(dir, 'out');
  const r = await runCli(['scan', '--input', input, '--output', out, '--ci', ...args]);
  let errors = '';
  try {
    errors = (JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { errors: { message: string }[] }).errors.map((e) => e.message).join('\n');
  } catch { /* no report written: the error is on stderr */ }
  return { code: r.code, message: `${r.err}\n${errors}` };
}

function configNaming(dir: string, suppressions: string): string {
  const cfg = join(dir, 'leash.config.yaml');
  writeFileSync(cfg, `suppressionsFile: ${JSON.stringify(suppressions)}\n`);
  return cfg;
}

const CASES: InputCase[] = [
  {
    name: 'authorization-details export (--input)', cap: READ_LIMITS.authorizationDetails,
    place: (d) => join(d, 'account.json'),
    run: (d, bad) => scanWith(d, [], bad),
    good: (d) => scanWith(d, []),
  },
  {
    name: 'last-accessed file (--last-accessed)', cap: READ_LIMITS.lastAccessed,
    place: (d) => join(d, 'last-accessed.json'),
    run: (d, bad) => scanWith(d, ['--last-accessed', `${bad}@arn:aws:iam::111122223333:role/kiro-agent`]),
    good: async (d) => {
      const f = join(d, 'la.json');
      writeFileSync(f, JSON.stringify({ JobStatus: 'COMPLETED', JobType: 'SERVICE_LEVEL', JobCreationDate: '2026-11-20T00:00:00Z', JobCompletionDate: '2026-11-20T00:00:01Z', ServicesLastAccessed: [] }));
      return scanWith(d, ['--last-accessed', `${f}@arn:aws:iam::111122223333:role/kiro-agent`]);
    },
  },
  {
    name: '~/.aws/config (--local)', cap: READ_LIMITS.config,
    place: (d) => { mkdirSync(join(d, 'home', '.aws'), { recursive: true }); return join(d, 'home', '.aws', 'config'); },
    run: (d, bad) => {
      if (bad === '/dev/zero') symlinkSync(bad, join(d, 'home', '.aws', 'config'));
      mkdirSync(join(d, 'project'));
      return scanWith(d, ['--local', '--home', join(d, 'home'), '--project', join(d, 'project')]);
    },
    good: (d) => {
      mkdirSync(join(d, 'home', '.aws'), { recursive: true });
      writeFileSync(join(d, 'home', '.aws', 'config'), '[profile agent]\nregion = us-east-1\n');
      mkdirSync(join(d, 'project'));
      return scanWith(d, ['--local', '--home', join(d, 'home'), '--project', join(d, 'project')]);
    },
  },
  {
    name: '~/.aws/credentials (--local)', cap: READ_LIMITS.config,
    place: (d) => { mkdirSync(join(d, 'home', '.aws'), { recursive: true }); return join(d, 'home', '.aws', 'credentials'); },
    run: (d, bad) => {
      if (bad === '/dev/zero') symlinkSync(bad, join(d, 'home', '.aws', 'credentials'));
      mkdirSync(join(d, 'project'));
      return scanWith(d, ['--local', '--home', join(d, 'home'), '--project', join(d, 'project')]);
    },
    good: (d) => {
      mkdirSync(join(d, 'home', '.aws'), { recursive: true });
      writeFileSync(join(d, 'home', '.aws', 'credentials'), '[agent]\naws_access_key_id = TESTKEYID\n');
      mkdirSync(join(d, 'project'));
      return scanWith(d, ['--local', '--home', join(d, 'home'), '--project', join(d, 'project')]);
    },
  },
  {
    name: 'leash.config.yaml (--config)', cap: READ_LIMITS.config,
    place: (d) => join(d, 'leash.config.yaml'),
    run: (d, bad) => scanWith(d, ['--config', bad]),
    good: (d) => { writeFileSync(join(d, 'c.yaml'), 'agents:\n  namePatterns: ["kiro-*"]\n'); return scanWith(d, ['--config', join(d, 'c.yaml')]); },
  },
  {
    name: 'suppressions file (config suppressionsFile)', cap: READ_LIMITS.suppressions,
    place: (d) => join(d, 'leash.suppressions.yaml'),
    run: (d, bad) => scanWith(d, ['--config', configNaming(d, bad)]),
    good: (d) => { writeFileSync(join(d, 's.yaml'), 'suppressions: []\n'); return scanWith(d, ['--config', configNaming(d, join(d, 's.yaml'))]); },
  },
  {
    name: 'report.json (report --report)', cap: READ_LIMITS.report,
    place: (d) => join(d, 'report.json'),
    run: async (_d, bad) => { const r = await runCli(['report', '--report', bad]); return { code: r.code, message: r.err }; },
    good: async () => { const r = await runCli(['report', '--report', goodReport]); return { code: r.code, message: r.err }; },
  },
  {
    name: 'baseline report of diff (diff OLD NEW)', cap: READ_LIMITS.report,
    place: (d) => join(d, 'report.json'),
    run: async (_d, bad) => { const r = await runCli(['diff', bad, goodReport]); return { code: r.code, message: r.err }; },
    good: async () => { const r = await runCli(['diff', goodReport, goodReport]); return { code: r.code, message: r.err }; },
  },
  {
    name: 'report of fix (fix --report)', cap: READ_LIMITS.report,
    place: (d) => join(d, 'report.json'),
    run: async (d, bad) => { const r = await runCli(['fix', '--report', bad, '--principal', 'kiro-agent', '--output', join(d, 'fixes')]); return { code: r.code, message: r.err }; },
    good: async (d) => { const r = await runCli(['fix', '--report', goodReport, '--principal', 'kiro-agent', '--output', join(d, 'fixes')]); return { code: r.code, message: r.err }; },
  },
];

describe.each(CASES)('$name', (c) => {
  it('negative control: a good file reads, exit 0', async () => {
    const r = await c.good(fresh());
    expect(r.code, r.message).toBe(0);
  }, 60_000);

  it.each(KINDS)('%s: a clear error naming the file and what was expected, exit 2, at once', async (kind) => {
    const dir = fresh();
    const place = c.place(dir);
    const bad = makeBad(kind, place, c.cap);
    // ~/.aws/* must sit at a fixed place: /dev/zero itself is linked there by run().
    const r = await c.run(dir, bad);
    expect(r.code, r.message).toBe(2);
    const shown = kind === 'dev-zero' && place.includes('.aws') ? place : bad;
    expect(r.message).toContain(shown);
    expect(r.message).toMatch(/expected/);
    expect(r.message).toMatch(GOT[kind]);
  }, 30_000);
});

// The report passes its own bounds when copied: loadReport has a cap that names the size.
describe('an over-cap report', () => {
  it('is refused with its size before any byte is parsed', async () => {
    const dir = fresh();
    const f = join(dir, 'report.json');
    copyFileSync(goodReport, f);
    truncateSync(f, READ_LIMITS.report + 1);
    const r = await runCli(['report', '--report', f]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`a file of ${READ_LIMITS.report + 1} bytes`);
    expect(r.err).toContain(`at most ${READ_LIMITS.report} bytes`);
  });
});
