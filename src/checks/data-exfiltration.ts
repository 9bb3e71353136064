import { defineCheck, type FindingDraft } from './types.js';
import { exfiltrationActions } from './action-lists.js';
import { listFindings } from './list-check.js';
import { findingResources, grantEvidence, namesText, unapproved, viewFor } from './resource-names.js';

export const dataExfiltration = defineCheck({
  id: 'data-exfiltration',
  title: 'Reads or shares secrets, parameters, objects, snapshots or keys on every resource',
  severity: 'high',
  rationale: 'Read access to every secret, parameter, object or KMS key lets a compromised or misled agent copy the account\'s data out; so does sharing a snapshot, image, secret or bucket with another account (a snapshot attribute, resource policy or ACL). Scope these actions to the resources the workload uses. With a resource inventory, leash names the secrets, buckets, tables and keys a principal can read (its own grants, resource policies that name it, and principals it can become), also where the grant is scoped to them.',
  references: ['https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html', 'https://cloudsplaining.readthedocs.io/en/latest/glossary/data-exfiltration/'],
  run: (ctx) => {
    const base = listFindings(ctx, exfiltrationActions, {
      subject: 'exfiltration', what: 'read or share data on every resource', scope: 'all-resources', typeWide: true,
      severity: (agent) => (agent ? 'high' : 'medium'),
      remediation: 'Scope these actions to specific secret, parameter, bucket, snapshot and key ARNs.',
    });
    const view = viewFor(ctx);
    if (!view) return base;
    const byPrincipal = new Map(base.map((f) => [f.principalArn, f]));
    const out: FindingDraft[] = [];
    for (const a of ctx.principals) {
      if (a.isAdmin) continue; // admin-access says it all
      const readable = view.summary(a.principal.arn, { kinds: ['read'], which: 'any' });
      const f = byPrincipal.get(a.principal.arn);
      if (readable.count === 0) { if (f) out.push(f); continue; }
      const names = namesText(readable);
      const through = readable.sample.find((e) => e.through);
      const resources = findingResources(readable.sample, (e) => unapproved(e, ['read']));
      if (f) {
        out.push({ ...f, description: `It can read ${names}. ${f.description}`, resources });
        continue;
      }
      const production = readable.production > 0;
      // Scoped grants: agents always, other principals only for production data (an app reading its own table is its job).
      if (!a.isAgent && !production) continue;
      out.push({
        principalArn: a.principal.arn,
        subject: 'exfiltration-named',
        severity: a.isAgent ? (production ? 'high' : 'medium') : 'low',
        title: `${a.principal.name} can read ${names}`,
        description: `This ${a.isAgent ? 'agent principal' : 'principal'} can read the contents of ${names}${through ? ` (some as ${through.through!.split('/').pop()}, which it can become)` : ''}. Each is a copy of data an agent could send anywhere.`,
        evidence: grantEvidence(readable.sample, (e) => unapproved(e, ['read'])),
        actions: [...new Set(resources.flatMap((r) => r.actions))],
        resources,
        remediation: 'Keep read access to the data the workload needs, behind an approval condition for production secrets and tables; remove resource-policy grants it does not use.',
      });
    }
    return out;
  },
});
