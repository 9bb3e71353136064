// The reasons section of a fix README: services whose every action is kept as today share one line; every other service
// keeps its table row and its section. Nothing is lost: each service and its counts are shown once.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { reasonsMarkdown } from '../../src/fix/plan.js';
import type { ServiceReasons } from '../../src/model/fix.js';

const REST = { decision: 'kept', reason: 'not-restricted', detail: 'no known need to cap to: kept as is' } as const;

const service = (name: string, kept: number, removed: number, restOnly: boolean): ServiceReasons => (restOnly
  ? { service: name, kept, gated: 0, removed: 0, groups: [], rest: { ...REST, count: kept } }
  : { service: name, kept, gated: 0, removed, groups: removed > 0 ? [{ decision: 'removed', reason: 'destructive', detail: 'never observed', actions: [`${name}:DeleteThing`] }] : [], ...(kept > 0 ? { rest: { ...REST, count: kept } } : {}) }) as ServiceReasons;

describe('reasonsMarkdown', () => {
  it('shows each service once: a table row and a section, or its count on the kept-as-today line', () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9-]{1,12}$/), kept: fc.nat(300), removed: fc.nat(5), restOnly: fc.boolean() }), { selector: (s) => s.name, maxLength: 30 }),
      (specs) => {
        const reasons = specs.map((s) => service(s.name, s.restOnly ? Math.max(1, s.kept) : s.kept, s.restOnly ? 0 : s.removed, s.restOnly));
        const text = reasonsMarkdown(reasons).join('\n');
        const restLine = text.split('\n').find((l) => l.startsWith('Every action kept (')) ?? '';
        const listed = new Set(restLine.replace(/^.*? actions: /, '').replace(/\.$/, '').split(', '));
        for (const r of reasons) {
          const row = text.includes(`| ${r.service} | ${r.kept} | ${r.gated} | ${r.removed} |`);
          const section = text.includes(`#### ${r.service}: `);
          const onLine = listed.has(`${r.service} ${r.kept}`);
          if (r.groups.length === 0 && r.gated === 0 && r.removed === 0 && r.rest) {
            expect([row, section, onLine]).toEqual([false, false, true]);
          } else {
            expect([row, section]).toEqual([true, true]);
          }
        }
        const restOnly = reasons.filter((r) => r.groups.length === 0 && r.removed === 0 && r.rest);
        if (restOnly.length > 0) expect(restLine).toContain(`in ${restOnly.length} other service${restOnly.length === 1 ? '' : 's'}, ${restOnly.reduce((n, r) => n + r.kept, 0)} actions: `);
        else expect(restLine).toBe('');
      },
    ));
  });

  it('says each kept-as-today reason on one line, in order of first use, its services in their order', () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9-]{1,12}$/), kept: fc.integer({ min: 1, max: 300 }), why: fc.integer({ min: 0, max: 3 }) }), { selector: (s) => s.name, maxLength: 40 }),
      (specs) => {
        const reasons = specs.map((s) => ({ ...service(s.name, s.kept, 0, true), rest: { ...REST, detail: `reason ${s.why}`, count: s.kept } }) as ServiceReasons);
        const lines = reasonsMarkdown(reasons).filter((l) => l.startsWith('Every action kept ('));
        // Reference: reasons in order of first use, each with its services in the input's order.
        const order = [...new Set(specs.map((s) => s.why))];
        expect(lines).toEqual(order.map((w) => {
          const rs = specs.filter((s) => s.why === w);
          return `Every action kept (not-restricted: reason ${w}) in ${rs.length} other service${rs.length === 1 ? '' : 's'}, ${rs.reduce((n, r) => n + r.kept, 0)} actions: ${rs.map((r) => `${r.name} ${r.kept}`).join(', ')}.`;
        }));
      },
    ));
  });
});
