// A chunk: consecutive log files read into one aggregator. Workers read chunks and send back the
// aggregator's state with one small outcome per file; the main thread absorbs them in file order.
import { UNBOUNDED_BY_KEY, UsageAggregator, type AggregateState, type AggregatorLimits } from './aggregate.js';
import { forEachLoaded, ingestLoaded, type CloudTrailParser, type FileOutcome } from './ingest-file.js';

/** What every aggregator of one read shares; plain data, so it crosses to workers. */
export interface ChunkOptions {
  readonly windowStart?: string;
  readonly windowEnd?: string;
  readonly limits?: Partial<AggregatorLimits>;
  readonly maxRecordErrors: number;
  /** Default 'wasm'; 'scan' = the JS scanner, 'json' = JSON.parse every file whole (earlier routes, kept to compare). */
  readonly parser?: CloudTrailParser;
}

export interface ChunkRequest {
  readonly chunk: number;
  readonly files: readonly string[];
  readonly options: ChunkOptions;
}

export interface ChunkResult {
  readonly outcomes: FileOutcome[];
  readonly state: AggregateState;
}

export type ChunkReply = ({ readonly chunk: number } & ChunkResult) | { readonly chunk: number; readonly failed: string };

/** The read's own aggregator, or (`forChunk`) one whose state that aggregator will absorb. */
export function newAggregator(o: ChunkOptions, forChunk = false): UsageAggregator {
  const limits = forChunk ? { ...o.limits, ...UNBOUNDED_BY_KEY } : o.limits;
  return new UsageAggregator({
    ...(o.windowStart !== undefined ? { windowStart: o.windowStart } : {}),
    ...(o.windowEnd !== undefined ? { windowEnd: o.windowEnd } : {}),
    ...(limits ? { limits } : {}),
  });
}

/** Reads `files` in order into `agg`; one outcome per file, in the same order. */
export async function readFilesInto(agg: UsageAggregator, files: readonly string[], maxRecordErrors: number, parser?: CloudTrailParser): Promise<FileOutcome[]> {
  const outcomes: FileOutcome[] = [];
  await forEachLoaded(
    files[Symbol.iterator](),
    (f) => f,
    (_f, loaded) => {
      outcomes.push(ingestLoaded(loaded!, agg, maxRecordErrors, parser));
    },
  );
  return outcomes;
}

export async function readChunk(req: ChunkRequest): Promise<ChunkResult> {
  const agg = newAggregator(req.options, true);
  const outcomes = await readFilesInto(agg, req.files, req.options.maxRecordErrors, req.options.parser);
  return { outcomes, state: agg.state() };
}
