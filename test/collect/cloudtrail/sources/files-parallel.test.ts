// Reading with worker threads gives the sequential read's result, byte for byte: usage, sources,
// errors (naming their files, in order), missing days and progress. Corpora are cut from real
// records into many small files, with bad files among them and limits small enough to truncate.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCloudTrail, type CloudTrailReadResult, type IngestStats, type ReadCloudTrailOptions } from '../../../../src/collect/cloudtrail/sources/files.js';
import { ownFixture, sharedFixture, sharedFixturesPresent, SKIP_REASON } from '../../../support/fixtures.js';

type Rec = { eventTime: string } & Record<string, unknown>;
const SMALL_LIMITS = { resourcesPerAction: 2, sessionsPerPrincipal: 1, userAgentsPerPrincipal: 2, userAgentsPerSession: 1, actionsPerSession: 3, sourceIpsPerPrincipal: 1, sourceIpsPerSession: 1, unmappedPairs: 1 };

const recordsOf = (file: string): Rec[] => (JSON.parse(readFileSync(file, 'utf8')) as { Records: Rec[] }).Records;

/**
 * Writes `records` as S3-layout delivery files of `perFile` records (gz and plain alternately),
 * in a day folder per record day, plus the given bad files in a folder of their own.
 */
function writeCorpus(root: string, records: readonly Rec[], perFile: number, bad: Record<string, string | Buffer> = {}): void {
  for (let i = 0; i * perFile < records.length; i++) {
    const part = records.slice(i * perFile, (i + 1) * perFile);
    const day = part[0]!.eventTime.slice(0, 10).split('-');
    const dir = join(root, 'AWSLogs/111122223333/CloudTrail/us-east-1', ...day);
    mkdirSync(dir, { recursive: true });
    const name = join(dir, `111122223333_CloudTrail_us-east-1_${day.join('')}T0000Z_${String(i).padStart(4, '0')}.json`);
    const body = JSON.stringify({ Records: part });
    if (i % 2 === 0) writeFileSync(`${name}.gz`, gzipSync(body));
    else writeFileSync(name, body);
  }
  if (Object.keys(bad).length === 0) return;
  mkdirSync(join(root, 'bad'));
  for (const [name, body] of Object.entries(bad)) writeFileSync(join(root, 'bad', name), body);
}

function badFiles(): Record<string, string | Buffer> {
  const gz = gzipSync(readFileSync(ownFixture('cloudtrail/ai-sessions.json')));
  return {
    'a-invalid.json': readFileSync(ownFixture('cloudtrail/bad/invalid.json')),
    'b-wrong-shape.json': readFileSync(ownFixture('cloudtrail/bad/wrong-shape.json')),
    'c-bad-records.json': readFileSync(ownFixture('cloudtrail/bad/bad-records.json')),
    'd-truncated.json.gz': gz.subarray(0, Math.floor(gz.length / 2)),
    'e-empty.json.gz': '',
  };
}

async function read(paths: string[], opts: ReadCloudTrailOptions): Promise<{ result: CloudTrailReadResult; progress: number[] }> {
  const progress: number[] = [];
  const result = await readCloudTrail(paths, { ...opts, onProgress: (n) => progress.push(n) });
  return { result, progress };
}

function withoutIngest(r: CloudTrailReadResult): Omit<CloudTrailReadResult, 'ingest'> {
  const { ingest: _ingest, ...rest } = r;
  return rest;
}

/**
 * Sequential, then two parallel reads (workers only; workers and this thread); all must agree.
 * Returns the sequential result and how the workers-only read went.
 */
async function expectSameEveryWay(paths: string[], opts: ReadCloudTrailOptions = {}): Promise<{ r: CloudTrailReadResult; ingest: IngestStats }> {
  const seq = await read(paths, { ...opts, workers: 0 });
  expect(seq.result.ingest.workers).toBe(0);
  const onWorkers = await read(paths, { ...opts, workers: 2, chunkFiles: 2, minFilesForWorkers: 2, readOnMainThread: false });
  const mixed = await read(paths, { ...opts, workers: 1, chunkFiles: 3, minFilesForWorkers: 2 });
  for (const par of [onWorkers, mixed]) {
    expect(JSON.stringify(withoutIngest(par.result))).toBe(JSON.stringify(withoutIngest(seq.result)));
    expect(par.progress).toEqual(seq.progress);
  }
  // The worker path was really taken: every chunk with files was read by a worker, and absorbed
  // unless a refusal made this thread read it again.
  const ingest = onWorkers.result.ingest;
  expect(ingest.workers).toBe(2);
  expect(ingest.chunksFromWorkers).toBeGreaterThan(0);
  expect(ingest.chunksFromWorkers + ingest.chunksReadAgain).toBeGreaterThanOrEqual(Math.ceil(seq.progress.length / 2));
  expect(mixed.result.ingest.workers).toBe(1);
  return { r: seq.result, ingest };
}

describe.skipIf(!sharedFixturesPresent)(`parallel CloudTrail read on shared fixtures${sharedFixturesPresent ? '' : ` (${SKIP_REASON})`}`, () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'leash-ct-par-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const sharedRecords = (): Rec[] =>
    ['invictus-ir-aws-dataset', 'stratus-red-team'].flatMap((set) => {
      const dir = sharedFixture(`cloudtrail/${set}`);
      return readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .flatMap((f) => recordsOf(join(dir, f)));
    });

  it('equals the sequential read on real records cut into small files, with bad files among them', async () => {
    const dir = join(root, 'default-limits');
    const records = sharedRecords();
    writeCorpus(dir, records, 25, badFiles());
    const { r, ingest } = await expectSameEveryWay([dir, sharedFixture('cloudtrail/trailscraper')]);
    // Default limits: no chunk is refused, every one is absorbed as the worker sent it.
    expect(ingest.chunksReadAgain).toBe(0);
    expect(r.usage.recordsRead).toBeGreaterThan(records.length);
    for (const name of ['a-invalid.json', 'b-wrong-shape.json', 'd-truncated.json.gz', 'e-empty.json.gz']) {
      expect(r.errors.filter((e) => e.location === join(dir, 'bad', name))).toHaveLength(1);
    }
    expect(r.errors.filter((e) => e.location === join(dir, 'bad', 'c-bad-records.json')).map((e) => e.path)).toEqual(['$.Records[1]', '$.Records[2]', '$.Records[3]']);
  });

  it('equals the sequential read when every bounded list truncates', async () => {
    const dir = join(root, 'small-limits');
    writeCorpus(dir, sharedRecords(), 10);
    const { r } = await expectSameEveryWay([dir], { limits: SMALL_LIMITS });
    const principals = Object.values(r.usage.byPrincipal);
    // The limits bit: otherwise this test would not cover them.
    expect(principals.some((p) => p.actions.some((a) => a.truncated))).toBe(true);
    expect(principals.some((p) => (p.sessionsDropped ?? 0) > 0)).toBe(true);
    expect(principals.some((p) => '(other user agents)' in p.userAgents)).toBe(true);
    expect(r.usage.unmapped.some((u) => u.eventSource === '(other events)')).toBe(true);
  });

  it('equals the sequential read within a time window (records outside it counted per input)', async () => {
    const dir = join(root, 'windowed');
    writeCorpus(dir, sharedRecords(), 20);
    const { r } = await expectSameEveryWay([dir], { windowDays: 30, end: '2023-07-10T12:20:00Z' });
    expect(r.sources[0]!.counts!.outsideWindow).toBeGreaterThan(0);
  });
});

describe('parallel CloudTrail read on own fixtures', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'leash-ct-par-own-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const own = (rel: string): string => ownFixture(`cloudtrail/${rel}`);

  it('equals the sequential read across inputs of every shape, a missing path and bad files', async () => {
    const dir = join(root, 'mixed');
    writeCorpus(dir, recordsOf(own('ai-sessions.json')), 2, badFiles());
    const { r } = await expectSameEveryWay([dir, join(root, 'nope'), own('lookup-events.json'), own('bare-array.json')], { limits: { ...SMALL_LIMITS, resourcesPerAction: 1 } });
    expect(r.sources.map((s) => s.status)).toEqual(['partial', 'unavailable', 'ok', 'ok']);
    // Errors list in input order: the missing path comes after every error of the first input.
    expect(r.errors.at(-1)).toMatchObject({ code: 'not-found', location: join(root, 'nope') });
    expect(Object.values(r.usage.byPrincipal).some((p) => p.actions.some((a) => a.truncated))).toBe(true);
  });

  it('reads few files on this thread only', async () => {
    const r = await readCloudTrail([own('ai-sessions.json'), own('bare-array.json')]);
    expect(r.ingest).toEqual({ workers: 0, chunks: 0, chunksFromWorkers: 0, chunksReadAgain: 0 });
  });

  describe('when workers fail, reads their chunks itself with the same result', () => {
    let dir: string;
    let expected: string;
    beforeAll(async () => {
      dir = join(root, 'fallback');
      writeCorpus(dir, recordsOf(own('ai-sessions.json')), 2, badFiles());
      expected = JSON.stringify(withoutIngest(await readCloudTrail([dir], { workers: 0 })));
    });
    const parallel = { workers: 1, chunkFiles: 2, minFilesForWorkers: 2, readOnMainThread: false } as const;

    it('a worker that cannot be created', async () => {
      const r = await readCloudTrail([dir], {
        ...parallel,
        spawnWorker: () => {
          throw new Error('no threads here');
        },
      });
      expect(r.ingest).toMatchObject({ workers: 0, chunksFromWorkers: 0 });
      expect(JSON.stringify(withoutIngest(r))).toBe(expected);
    });

    it('a worker that exits before it is ready', async () => {
      const r = await readCloudTrail([dir], { ...parallel, spawnWorker: () => new Worker('process.exit(3)', { eval: true }) });
      expect(r.ingest).toMatchObject({ workers: 1, chunksFromWorkers: 0 });
      expect(JSON.stringify(withoutIngest(r))).toBe(expected);
    });

    it('a worker that fails every chunk', async () => {
      const failing = `const { parentPort } = require('node:worker_threads');
        parentPort.postMessage({ ready: true });
        parentPort.on('message', (m) => parentPort.postMessage({ chunk: m.chunk, failed: 'boom' }));`;
      const r = await readCloudTrail([dir], { ...parallel, spawnWorker: () => new Worker(failing, { eval: true }) });
      expect(r.ingest.chunksFromWorkers).toBe(0);
      expect(r.ingest.chunksReadAgain).toBeGreaterThan(0);
      expect(JSON.stringify(withoutIngest(r))).toBe(expected);
    });
  });
});
