// Every temporary file of a test run under one folder, removed when the run ends: tests make
// hundreds of mkdtemp folders (bundles, exports, fake homes), and a run used to leave them in /tmp.
// Forked test workers and the processes they spawn inherit TMPDIR, so os.tmpdir() is this folder.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'leash-test-run-'));
  // As /tmp is: tests that run a server as an unprivileged user (PostgreSQL) make their folder here.
  chmodSync(root, 0o1777);
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
