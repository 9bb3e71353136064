import type { PolicyDocument } from '../model/policy.js';
import type { ActionExpander } from '../iam/pattern.js';
import { defineCheck, type FindingDraft } from './types.js';

type Unknown = { readonly pattern: string; readonly deny: boolean };
const NONE: readonly Unknown[] = [];
const byDocument = new WeakMap<ActionExpander, WeakMap<PolicyDocument, readonly Unknown[]>>();

/** A document's Action patterns that expand to nothing, once per document: managed policies list hundreds and are attached to many principals. */
function unknownIn(doc: PolicyDocument, expander: ActionExpander): readonly Unknown[] {
  let docs = byDocument.get(expander);
  if (!docs) byDocument.set(expander, (docs = new WeakMap()));
  let out = docs.get(doc);
  if (!out) {
    const found: Unknown[] = [];
    for (const s of doc.statements) {
      for (const pattern of s.action ?? []) if (pattern !== '*' && expander.expand(pattern).length === 0) found.push({ pattern, deny: s.effect === 'Deny' });
    }
    docs.set(doc, (out = found.length > 0 ? found : NONE));
  }
  return out;
}

export const unknownActions = defineCheck({
  id: 'unknown-actions',
  title: 'Policy names actions the catalog does not know',
  severity: 'medium',
  rationale: 'An action that matches nothing in the Service Authorization Reference is a typo, a retired action, or newer than leash\'s catalog. leash cannot say what it grants, so it reports it rather than guess. In a Deny (or a permissions boundary) it is worse: a misspelt guardrail denies nothing.',
  references: ['https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html'],
  run(ctx) {
    const out: FindingDraft[] = [];
    for (const a of ctx.principals) {
      // Sets only for the few principals with an unknown pattern (a tenth at 10k): none per principal otherwise.
      let unknown: Set<string> | undefined;
      let inDeny: Set<string> | undefined;
      const { policies, boundary } = a.principal;
      for (let i = 0; i <= policies.length; i++) {
        const doc = i < policies.length ? policies[i]!.document : boundary?.document;
        if (!doc) continue;
        for (const { pattern, deny } of unknownIn(doc, ctx.expander)) {
          (unknown ??= new Set()).add(pattern);
          if (deny) (inDeny ??= new Set()).add(pattern);
        }
      }
      if (unknown === undefined) continue;
      const list = [...unknown].sort();
      const denied = inDeny ? [...inDeny].sort() : [];
      out.push({
        principalArn: a.principal.arn, subject: 'unknown', severity: denied.length > 0 ? 'medium' : 'low',
        title: `${a.principal.name}: ${list.length} unknown action pattern(s)${denied.length > 0 ? `, ${denied.length} in a Deny` : ''}`,
        description: `These patterns match no action in the catalog: ${list.slice(0, 10).join(', ')}.${denied.length > 0 ? ` A Deny naming ${denied.slice(0, 5).join(', ')} denies nothing if the name is a typo: check the guardrail.` : ''}`,
        evidence: [], actions: list,
      });
    }
    return out;
  },
});
