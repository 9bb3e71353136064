// Real-world data lives in ../shared/fixtures (provenance in its SOURCES.md). Tests read it in
// place and skip, saying why, when it is absent; it is never copied into this repository.
import { existsSync } from 'node:fs';
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
