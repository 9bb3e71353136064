// Actions CloudTrail records only as data events (S3 objects, DynamoDB items, Lambda invokes…).
// A trail of management events alone never shows them, so without data events in the usage they
// are unknown, not unused: the baseline keeps the ones granted today.
import dataEventsJson from '../data/cloudtrail-data-events.json' with { type: 'json' };
import { ActionSet } from '../iam/action-set.js';
import type { ActionExpander } from '../iam/pattern.js';
import { InputError } from '../model/errors.js';
import type { UsageData } from '../model/usage.js';
import type { LeashConfig } from '../config/config.js';

const FILE = 'src/data/cloudtrail-data-events.json';
const cache = new WeakMap<ActionExpander, ActionSet>();

/** The catalog actions of the data file; every pattern must name at least one (a typo is a bug). */
export function dataEventActions(expander: ActionExpander, input: { readonly resourceTypes: readonly { readonly actions: readonly string[] }[] } = dataEventsJson): ActionSet {
  const cached = input === dataEventsJson ? cache.get(expander) : undefined;
  if (cached) return cached;
  const s = new ActionSet(expander.size);
  input.resourceTypes.forEach((r, i) => r.actions.forEach((pattern, j) => {
    const ids = expander.expand(pattern);
    if (ids.length === 0) throw new InputError(FILE, `$.resourceTypes[${i}].actions[${j}]`, 'an action pattern that names catalog actions', pattern);
    s.addAll(ids);
  }));
  if (input === dataEventsJson) cache.set(expander, s);
  return s;
}

/** Did the usage include data events (or does the config say the trail logs them)? */
export function dataEventsSeen(usage: UsageData | undefined, config: LeashConfig): boolean {
  if (config.baseline.dataEvents === 'logged') return true;
  if (config.baseline.dataEvents === 'not-logged') return false;
  return (usage?.dataEventsRead ?? 0) > 0;
}
