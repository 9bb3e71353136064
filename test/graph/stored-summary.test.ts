// A scan that only writes its report asks the graph for its summary in report.json's form
// (`summary(account, { stored: true })`): the hops the file leaves out are never made. Property:
// on generated accounts (one or two analysed together), that summary is exactly storedGraph of the
// full one — same hops in the same order, same counts, same key order (report.json's bytes follow it).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../../src/graph/index.js';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { defaultConfig } from '../../src/pipeline/scan.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { catalog } from '../../src/iam/catalog.js';
import { storedGraph } from '../../src/report/stored-graph.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { ADMIN, DEV, PROD, allow, arn, deny, doc, snapshot, trust, type AccountSpec } from './accounts.js';
import { accountArb, otherArb } from './arbitraries.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const expander = new ActionExpander(catalog());

function graphOf(snaps: Snapshot[]) {
  return analyzeGraph(snaps.map((snap) => ({ snapshot: snap, analyzed: analyzePrincipals(snap, defaultConfig(), expander, NOW) })), { expander, now: NOW });
}

describe('property: the stored summary is storedGraph of the full summary', () => {
  it('gives the same hops, counts and key order for every account analysed, and for all of them', () => {
    let kept = 0, omitted = 0;
    fc.assert(
      fc.property(accountArb, otherArb, (spec, other) => {
        const snaps = [snapshot(spec), ...(other ? [snapshot(other)] : [])];
        const g = graphOf(snaps);
        for (const account of [...snaps.map((s) => s.account.id), undefined]) {
          const full = g.summary(account);
          const stored = g.summary(account, { stored: true });
          expect(full.hopsOmitted).toBeUndefined();
          expect(JSON.stringify(stored)).toBe(JSON.stringify(storedGraph(full)));
          expect(stored.hops.length + stored.hopsOmitted!).toBe(full.hops.length);
          kept += stored.hops.length;
          omitted += stored.hopsOmitted!;
        }
      }),
      { numRuns: 80, seed: 20261219 },
    );
    // The generated accounts exercise both sides of the selection.
    expect(kept).toBeGreaterThan(0);
    expect(omitted).toBeGreaterThan(0);
  }, 180_000);

  // Negative control: a caller whose boundary, or the account's SCP, denies everything has no hop
  // in the stored summary; its unwalled twin keeps its hop to the administrator role it may assume.
  it('keeps no hop from a walled caller, and the twin\'s hop toward an administrator (negative control)', () => {
    const WALLED = arn(DEV, 'user', 'walled');
    const ADMIN_ROLE = arn(DEV, 'role', 'names-walled');
    fc.assert(
      fc.property(accountArb, otherArb, fc.boolean(), fc.boolean(), (spec, other, scpDeniesAll, wall) => {
        const walled: AccountSpec = {
          ...spec,
          users: [...(spec.users ?? []), { name: 'walled', inline: [doc(allow(['sts:AssumeRole', 'iam:PassRole']))], ...(wall ? { boundary: 'wall' } : {}) }],
          roles: [...(spec.roles ?? []), { name: 'names-walled', trust: trust({ AWS: WALLED }), inline: [ADMIN] }],
          policies: { ...spec.policies, wall: doc(allow('*'), deny('*')) },
          ...(scpDeniesAll ? { scps: [doc(allow('*'), deny('*'))] } : {}),
        };
        const g = graphOf([snapshot(walled), ...(other ? [snapshot({ ...other, id: PROD })] : [])]);
        const stored = g.summary(DEV, { stored: true });
        const fromWalled = stored.hops.filter((h) => h.from === WALLED);
        if (wall || scpDeniesAll) expect(fromWalled).toEqual([]);
        else if (!(spec.scps ?? []).length) expect(fromWalled.some((h) => h.to === ADMIN_ROLE)).toBe(true);
      }),
      { numRuns: 60, seed: 20261220 },
    );
  }, 180_000);
});
