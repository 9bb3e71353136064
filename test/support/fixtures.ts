// Real-world data lives in ../shared/fixtures (provenance in its SOURCES.md). Tests read it in
// place and skip, saying why, when it is absent; it is never copied into this repository.
import { cpSync, existsSync, mkdtempSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedFixturesDir = resolve(repoRoot, '../shared/fixtures');
export const sharedFixturesPresent = existsSync(join(sharedFixturesDir, 'SOURCES.md'));
export const SKIP_REASON = `shared fixtures not found at ${sharedFixturesDir} (they live beside the repo, not in it)`;

/** Absolute path of a file under ../shared/fixtures. */
export function sharedFixture(rel: string): string {
  return join(sharedFixturesDir, rel);
}

/** Absolute path of a file under this repo's own test/fixtures. */
export function ownFixture(rel: string): string {
  return join(repoRoot, 'test/fixtures', rel);
}

const materialized = new Map<string, string>();

/**
 * A path under test/fixtures/local/. Fixture home directories are copied to a temp directory on
 * first use with `.aws/credentials.fixture` renamed to `.aws/credentials`: the repository tracks no
 * file named like a credentials file (secret scanners flag them), the tests still read a real one.
 */
export function localFixture(rel: string): string {
  const [top, ...rest] = rel.split('/');
  if (!top?.startsWith('home-')) return ownFixture(`local/${rel}`);
  let copy = materialized.get(top);
  if (!copy) {
    copy = join(mkdtempSync(join(tmpdir(), 'leash-home-')), top);
    cpSync(ownFixture(`local/${top}`), copy, { recursive: true });
    const stack = [copy];
    while (stack.length) {
      const dir = stack.pop()!;
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) stack.push(p);
        else if (e.name.endsWith('.fixture')) renameSync(p, p.slice(0, -'.fixture'.length));
      }
    }
    materialized.set(top, copy);
  }
  return join(copy, ...rest);
}
