import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogDataVersion, catalogCacheText, catalogFromCacheText, readCatalogCache, writeCatalogCache } from '../../src/iam/catalog-cache.js';
import { loadCatalog, type Catalog } from '../../src/iam/catalog.js';

const full = loadCatalog();
const version = catalogDataVersion();
const text = catalogCacheText(full, version);
const dir = mkdtempSync(join(tmpdir(), 'leash-catalog-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Everything a catalog's users read, as plain data. */
function facts(c: Catalog): unknown {
  return {
    actions: c.actions,
    services: c.services,
    byService: [...c.byService],
    byKey: [...c.byKey].map(([k, a]) => [k, a.id]),
    resourceArnFormats: [...c.resourceArnFormats].map(([s, m]) => [s, [...m]]),
    serviceNames: [...c.serviceNames],
  };
}

/** The cache file's JSON with one change made to it. */
function changed(edit: (j: { format: number; dataVersion: string; services: [string, unknown[][]][]; resourceArnFormats: Record<string, unknown>; serviceNames: Record<string, unknown> }) => void): string {
  const j = JSON.parse(text);
  edit(j);
  return JSON.stringify(j);
}

describe('the catalog cache file', () => {
  it('gives the catalog loadCatalog builds from the package, action ids included', () => {
    const cached = catalogFromCacheText(text, version)!;
    expect(cached).toBeDefined();
    expect(facts(cached)).toStrictEqual(facts(full));
    expect(cached.lookup('S3:getobject')).toStrictEqual(full.lookup('s3:GetObject'));
    expect(cached.lookup('s3:NoSuchAction')).toBeUndefined();
  });

  it('is not used for another iam-data version or another format', () => {
    expect(catalogFromCacheText(text, `${version}-other`)).toBeUndefined();
    expect(catalogFromCacheText(changed((j) => (j.format = 2)), version)).toBeUndefined();
  });

  it('is not used when damaged: not JSON, or a field of the wrong shape', () => {
    const firstService = JSON.parse(text).services[0][0] as string;
    const damaged = [
      text.slice(0, text.length / 2),
      'null',
      '[]',
      changed((j) => ((j as { services: unknown }).services = {})),
      changed((j) => (j.services[0]![1]![0]![0] = '')),
      changed((j) => (j.services[0]![1]![0]![1] = [])),
      changed((j) => (j.services[0]![1]![0]![1] = ['Admin'])),
      changed((j) => (j.services[0]![1]![0]![2] = [{ name: 'bucket' }])),
      changed((j) => (j.services[0]![1]![0]![3] = [1])),
      changed((j) => delete j.resourceArnFormats[firstService]),
      changed((j) => (j.serviceNames = { s3: 1 })),
    ];
    for (const t of damaged) expect(catalogFromCacheText(t, version)).toBeUndefined();
    // The negative control: the same edits' starting point is read.
    expect(catalogFromCacheText(changed(() => undefined), version)).toBeDefined();
  });

  it('is read from a file only when present, current and of a sane size', () => {
    const path = join(dir, 'iam-catalog.json');
    expect(readCatalogCache(path)).toBeUndefined();
    writeCatalogCache(path);
    expect(facts(readCatalogCache(path)!)).toStrictEqual(facts(full));
    expect(readCatalogCache(path, 'another-version')).toBeUndefined();
    writeFileSync(path, 'x'.repeat(33 * 2 ** 20));
    expect(readCatalogCache(path)).toBeUndefined();
  });

  // `npm test` builds first; a bare `vitest` run without a build has nothing here to check.
  const built = resolve(import.meta.dirname, '../../dist/src/iam/iam-catalog.json');
  it.skipIf(!existsSync(built))(`is written by the build beside the compiled catalog.js${existsSync(built) ? '' : ' — skipped: no dist/ build (npm test builds first)'}`, () => {
    expect(facts(readCatalogCache(built)!)).toStrictEqual(facts(full));
  });
});
