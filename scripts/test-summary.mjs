// vitest is not a runner CI recognises; print the plain closing line it reads.
import { readFileSync } from 'node:fs';
const r = JSON.parse(readFileSync(process.argv[2] ?? '.cache/vitest.json', 'utf8'));
// A test file that fails before its tests run (an import or a top-level throw) has no failed
// test to count; it is one failure, not zero.
const brokenFiles = (r.testResults ?? []).filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((t) => t.status === 'failed')).length;
const failed = r.numFailedTests + brokenFiles;
console.log(`${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
process.exit(failed > 0 || r.numTotalTests === 0 || !r.success ? 1 : 0);
