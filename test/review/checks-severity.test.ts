// Review (R1): a check's declared `severity` is "the highest severity the check reports"; reports
// and the TUI show it as the check's headline. Run every check over real exports, once as they are
// and once with every principal declared an agent (the branch that raises severities), and hold
// each finding to its check's ceiling.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { checks } from '../../src/checks/index.js';
import { runChecks } from '../../src/checks/run.js';
import { normalizeAuthorizationDetails } from '../../src/collect/iam/authorization-details-file.js';
import { configSchema, defaultConfig } from '../../src/config/config.js';
import { catalog } from '../../src/iam/catalog.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { severityRank } from '../../src/model/finding.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { SKIP_REASON, sharedFixture, sharedFixturesPresent } from '../support/fixtures.js';

const expander = new ActionExpander(catalog());
const FILES = ['authorization-details/cloudsplaining-example-authz-details.json', 'authorization-details/cloudmapper-demo-authorization-details.json'];

describe.skipIf(!sharedFixturesPresent)(`check severities stay within each check's declared ceiling (${sharedFixturesPresent ? 'shared fixtures' : SKIP_REASON})`, () => {
  it.each(FILES.flatMap((f) => [[f, false], [f, true]] as const))('%s (all agents: %s)', (file, allAgents) => {
    const path = sharedFixture(file);
    const r = normalizeAuthorizationDetails(JSON.parse(readFileSync(path, 'utf8')), path);
    const snapshot: Snapshot = { account: { id: r.principals[0]!.arn.split(':')[4]! }, collectedAt: '2026-11-24T00:00:00Z', principals: r.principals, managedPolicies: r.managedPolicies, sources: [], errors: r.errors };
    const config = allAgents ? configSchema.parse({ agents: { declared: [{ match: '*' }] } }) : defaultConfig();
    const principals = analyzePrincipals(snapshot, config, expander);
    if (allAgents) expect(principals.filter((a) => !a.isAgent && !a.humanSession).map((a) => a.principal.name)).toEqual([]);
    const { findings, errors } = runChecks({ snapshot, principals, config, expander, now: new Date('2026-11-24T12:00:00Z') });
    expect(errors).toEqual([]);
    expect(findings.length).toBeGreaterThan(0);
    const ceiling = new Map(checks.map((c) => [c.id, severityRank[c.severity]]));
    expect(findings.filter((f) => severityRank[f.severity] > ceiling.get(f.checkId)!).map((f) => `${f.checkId}: ${f.severity}`)).toEqual([]);
  });
});
