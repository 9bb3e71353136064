// A fix's renderings (policy JSON, Terraform, CLI script) are text derived from its FixTarget,
// and at 10,000 principals they were half of report.json and a few hundred MB of strings held
// through the scan. They are now rendered on first read from the target they come from, which
// report.json keeps instead (schema 1.3: `renderings: { "$render": target }`, documents by
// reference), and readers rebuild them the same way. Same target, same renderer, same text.
// A fix leash calls not safe (not-safe.ts) is rendered with the refusal its folder's apply.sh and
// main.tf carry; the reason is not stored: it comes from the fix's verification, which every
// holder of the target has beside it (the plan, a worker's reply, report.json).
import type { Fix, FixRenderings } from '../../model/fix.js';
import type { FixTarget } from './index.js';
import { notSafeToApply } from '../not-safe.js';
import { renderCliScript } from './aws-cli.js';
import { renderPolicyJson } from './policy-json.js';
import { renderTerraform } from './terraform.js';

/** Where lazily rendered renderings keep their target (not enumerable: JSON and equality skip it). */
const SOURCE = Symbol('leash.renderSource');

/** `notSafe`: why leash calls it not safe; the CLI script then refuses --apply without --accept-not-safe, and main.tf says NOT SAFE. */
export function renderAll(target: FixTarget, notSafe?: string): FixRenderings {
  const opts = notSafe === undefined ? {} : { notSafe };
  return { json: target.policies.map((x) => renderPolicyJson(x.document)).join('\n'), terraform: renderTerraform(target, opts), cli: renderCliScript(target, opts) };
}

/**
 * Renderings that exist as their target until someone reads one (the TUI, `leash report`);
 * then all three are rendered once and kept. They serialise like plain strings.
 */
export function lazyRenderings(target: FixTarget, notSafe?: string): FixRenderings {
  let cache: FixRenderings | undefined;
  const get = (): FixRenderings => (cache ??= renderAll(target, notSafe));
  const r = {};
  for (const k of ['json', 'terraform', 'cli'] as const) Object.defineProperty(r, k, { get: () => get()[k], enumerable: true });
  Object.defineProperty(r, SOURCE, { value: target, enumerable: false });
  return r as FixRenderings;
}

/** A fix's renderings from its target: with the not-safe refusal when leash calls the change it applies not safe. */
export function fixRenderings(fix: Pick<Fix, 'kind' | 'verification'>, target: FixTarget): FixRenderings {
  return lazyRenderings(target, notSafeToApply([fix], target));
}

/**
 * The fix with its renderings made again by fixRenderings when they carry no refusal they should
 * (the planner renders before it verifies); the same object otherwise.
 */
export function withNotSafeRenderings<F extends Pick<Fix, 'kind' | 'verification' | 'renderings'>>(fix: F): F {
  const target = renderSourceOf(fix.renderings);
  const why = target && notSafeToApply([fix], target);
  return why === undefined ? fix : { ...fix, renderings: lazyRenderings(target!, why) };
}

/** The target lazily rendered renderings come from (undefined for plain strings). */
export function renderSourceOf(r: FixRenderings): FixTarget | undefined {
  return (r as { [SOURCE]?: FixTarget })[SOURCE];
}
