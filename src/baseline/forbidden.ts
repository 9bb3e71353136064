// The forbidden set for agent principals: every destructive action, and for each escalation
// technique the leg that breaks it (the IAM leg when there is one, e.g. iam:PassRole, otherwise
// its first requirement group) — denying all of ec2:RunInstances to stop PassRole+RunInstances
// would break ordinary work, denying iam:PassRole does not. Credential-access techniques (reading
// secrets, parameters, Windows passwords) are legs too (issue 11: after a fix an agent has no
// escalation technique unless it was observed, and then it is gated); balanced right-sizing never
// adds them unobserved (src/data/sensitive-reads.json). Plain sts:AssumeRole is left out here: which
// roles an agent may assume beyond its observed need is for the access graph to decide.
import { ActionSet } from '../iam/action-set.js';
import type { ActionExpander } from '../iam/pattern.js';
import { destructiveActions, escalationTechniques } from '../checks/data.js';

const cache = new WeakMap<ActionExpander, ActionSet>();

export function escalationLegs(): string[] {
  const out = new Set<string>();
  for (const t of escalationTechniques()) {
    if (t.requires.length === 1 && t.requires[0]!.every((a) => a.toLowerCase() === 'sts:assumerole')) continue;
    const leg = t.requires.find((g) => g.some((x) => x.toLowerCase().startsWith('iam:'))) ?? t.requires[0] ?? [];
    for (const x of leg) out.add(x);
  }
  return [...out].sort();
}

export function forbiddenActions(expander: ActionExpander): ActionSet {
  let s = cache.get(expander);
  if (!s) {
    const keys = [...destructiveActions().map((d) => d.action), ...escalationLegs()];
    s = ActionSet.of(expander.size, keys.map((k) => expander.catalog.lookup(k)?.id).filter((x): x is number => x !== undefined));
    cache.set(expander, s);
  }
  return s;
}
