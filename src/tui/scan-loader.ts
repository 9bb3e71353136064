// The scan pipeline is loaded lazily, so that `leash` opening a report does not pay for the SDK at
// start-up. The default import is a literal specifier: the bundler (scripts/bundle.mjs) must see it
// to put the pipeline in a chunk. A variable specifier was left as a runtime path relative to the
// chunk (dist/bundle/pipeline/scan.js, which does not exist), so the shipped CLI said "no scan
// pipeline" to `leash tui --demo`, `--input`, `--profile` and the empty state's demo scan.
import type { Report } from '../model/report.js';

/** Whatever the pipeline reports while it works; shown as-is, so any of these shapes is fine. */
export type ScanProgress =
  | string
  | { readonly stage?: string; readonly message?: string; readonly detail?: string; readonly done?: number; readonly total?: number };

export interface TuiScanOptions {
  readonly input?: string;
  readonly demo?: boolean;
  readonly profile?: string;
  readonly cloudtrail?: string[];
  readonly config?: string;
  readonly fixes?: boolean;
}

/** The pipeline calls `(stage, detail)`; an object or a plain line is accepted too. */
export type ProgressListener = (progress: ScanProgress, detail?: string) => void;

export type RunScan = (opts: TuiScanOptions, onProgress: ProgressListener) => Promise<Report>;

/**
 * runScan from the pipeline. With a specifier (tests: a module that may be missing or lack
 * runScan), undefined when that module is absent.
 */
export async function loadRunScan(specifier?: string): Promise<RunScan | undefined> {
  if (specifier === undefined) {
    const { runScan } = await import('../pipeline/scan.js');
    return (opts, onProgress) => runScan(opts, onProgress);
  }
  try {
    const mod = (await import(specifier)) as { runScan?: unknown };
    return typeof mod.runScan === 'function' ? (mod.runScan as RunScan) : undefined;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // Only "the scan module itself is missing" means unavailable; anything else is a real bug.
    if ((err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'MODULE_NOT_FOUND') && isTheModuleItself(err.message, specifier)) return undefined;
    throw e;
  }
}

/** "Cannot find module '<x>' imported from <y>": is <x> the scan module, not one of its imports? */
function isTheModuleItself(message: string, specifier: string): boolean {
  const missing = /Cannot find (?:module|package) '([^']+)'/.exec(message)?.[1];
  if (missing === undefined) return false;
  const target = specifier.replace(/^file:\/\//, '').replace(/^(\.\.?\/)+/, '');
  return missing.endsWith(target) || missing.endsWith(target.replace(/\.js$/, '.ts'));
}

export function progressText(p: ScanProgress, detail?: string): string {
  if (typeof p === 'string') return detail ? `${p}: ${detail}` : p;
  const head = [p.stage, p.message ?? p.detail].filter((x): x is string => typeof x === 'string' && x !== '').join(': ');
  const count = typeof p.done === 'number' ? ` (${p.done}${typeof p.total === 'number' ? `/${p.total}` : ''})` : '';
  return `${head || 'working'}${count}`;
}
