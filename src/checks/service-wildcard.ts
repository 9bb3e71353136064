import { wordMask } from '../iam/action-set.js';
import { isWriteLike } from '../iam/catalog.js';
import { defineCheck } from './types.js';
import { agentLabel, listText, statementEvidenceOfIds } from './evidence.js';

export const serviceWildcard = defineCheck({
  id: 'service-wildcard',
  title: 'Every action of a service allowed on every resource',
  severity: 'high',
  rationale: 'A service-wide wildcard (`ec2:*`, `s3:*`) grants today\'s and tomorrow\'s actions of that service, including every delete, on every resource. Least privilege names the actions a workload uses.',
  references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege'],
  run(ctx) {
    const total = ctx.expander.size;
    // Services with something to write; a service's actions are checked one by one, so a
    // principal without the first one costs a single bit test.
    const writable = [...ctx.expander.catalog.byService].filter(([, actions]) => actions.some(isWriteLike)).map(([service, actions]) => {
      const ids = actions.map((x) => x.id);
      return { service, ids, mask: wordMask(ids) };
    });
    // A small set (sorted ids) is counted per service through a slot per action id (its
    // service's index in `writable`, -1 for none): no string-keyed lookups per service.
    const slot = new Int32Array(total).fill(-1);
    writable.forEach(({ ids }, k) => { for (const id of ids) slot[id] = k; });
    const counts = new Int32Array(writable.length);
    return ctx.principals.flatMap((a) => {
      if (a.isAdmin) return []; // admin-access covers it
      const services: string[] = [];
      const all = a.effective.allResources;
      if (all.isSparse()) {
        // It holds a whole service exactly when it holds as many of that service's ids.
        const touched: number[] = [];
        const ids = all.toIds();
        for (let i = 0; i < ids.length; i++) { const k = slot[ids[i]!]!; if (k >= 0 && (counts[k] = counts[k]! + 1) === 1) touched.push(k); }
        touched.sort((x, y) => x - y);
        for (const k of touched) { if (counts[k] === writable[k]!.ids.length) services.push(writable[k]!.service); counts[k] = 0; }
      } else {
        // A service's actions are numbered together: a few word tests per service.
        for (let k = 0; k < writable.length; k++) if (all.holdsMask(writable[k]!.mask)) services.push(writable[k]!.service);
      }
      if (services.length === 0) return [];
      return [{
        principalArn: a.principal.arn,
        subject: 'services',
        severity: a.isAgent ? 'high' : 'medium',
        title: `${a.principal.name} has every action of ${listText(services)}`,
        description: `This ${agentLabel(a.isAgent)} may perform every action of ${services.length} service(s) on every resource: ${services.join(', ')}.`,
        evidence: statementEvidenceOfIds(ctx.expander, a.principal, services.flatMap((s) => Array.from(ctx.expander.expand(`${s}:*`).subarray(0, 1))), 6, ctx.evidence),
        actions: services.map((s) => `${s}:*`),
        remediation: 'Name the actions the workload uses instead of the service wildcard.',
      }];
    });
  },
});
