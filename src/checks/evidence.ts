// Evidence helpers shared by checks: which statement of which policy grants an action.
import type { StatementEvidence } from '../model/finding.js';
import type { Principal } from '../model/snapshot.js';
import { grantingStatements } from '../iam/effective.js';
import { statementToJson } from '../iam/parse.js';

/** One evidence entry per granting statement, listing which of `actions` it grants (bounded). */
export function statementEvidence(p: Principal, actions: readonly string[], limit = 8): StatementEvidence[] {
  const byStatement = new Map<string, StatementEvidence & { grants: string[] }>();
  for (const action of actions.slice(0, 200)) {
    for (const g of grantingStatements(p.policies, action)) {
      const key = `${g.policy.origin.kind}:${g.policy.origin.name}:${'group' in g.policy.origin ? g.policy.origin.group : ''}:${g.statement.index}`;
      let e = byStatement.get(key);
      if (!e) {
        e = {
          kind: 'statement', policy: g.policy.origin, statementIndex: g.statement.index,
          ...(g.statement.sid !== undefined ? { sid: g.statement.sid } : {}),
          statement: statementToJson(g.statement), grants: [],
        };
        byStatement.set(key, e);
      }
      if (e.grants.length < 20) e.grants.push(action);
    }
  }
  return [...byStatement.values()].slice(0, limit);
}

export function agentLabel(isAgent: boolean): string {
  return isAgent ? 'agent principal' : 'principal';
}

/** Short list for titles: "a, b, c and 4 more". */
export function listText(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
