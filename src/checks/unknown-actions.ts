import { defineCheck, type FindingDraft } from './types.js';

export const unknownActions = defineCheck({
  id: 'unknown-actions',
  title: 'Policy names actions the catalog does not know',
  severity: 'low',
  rationale: 'An action that matches nothing in the Service Authorization Reference is a typo, a retired action, or newer than leash\'s catalog. leash cannot say what it grants, so it reports it rather than guess.',
  references: ['https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html'],
  run(ctx) {
    const out: FindingDraft[] = [];
    for (const a of ctx.principals) {
      const unknown = new Set<string>();
      for (const pol of a.principal.policies) {
        for (const s of pol.document.statements) {
          if (s.effect !== 'Allow') continue;
          for (const pat of s.action ?? []) if (pat !== '*' && ctx.expander.expand(pat).length === 0) unknown.add(pat);
        }
      }
      if (unknown.size === 0) continue;
      const list = [...unknown].sort();
      out.push({
        principalArn: a.principal.arn, subject: 'unknown', severity: 'low',
        title: `${a.principal.name}: ${list.length} unknown action pattern(s)`,
        description: `These patterns match no action in the catalog: ${list.slice(0, 10).join(', ')}.`,
        evidence: [], actions: list,
      });
    }
    return out;
  },
});
