// A fix's renderings (policy JSON, Terraform, CLI script) are text derived from its FixTarget,
// and at 10,000 principals they were half of report.json and a few hundred MB of strings held
// through the scan. They are now rendered on first read from the target they come from, which
// report.json keeps instead (schema 1.3: `renderings: { "$render": target }`, documents by
// reference), and readers rebuild them the same way. Same target, same renderer, same text.
import type { FixRenderings } from '../../model/fix.js';
import type { FixTarget } from './index.js';
import { renderCliScript } from './aws-cli.js';
import { renderPolicyJson } from './policy-json.js';
import { renderTerraform } from './terraform.js';

/** Where lazily rendered renderings keep their target (not enumerable: JSON and equality skip it). */
const SOURCE = Symbol('leash.renderSource');

export function renderAll(target: FixTarget): FixRenderings {
  return { json: target.policies.map((x) => renderPolicyJson(x.document)).join('\n'), terraform: renderTerraform(target), cli: renderCliScript(target) };
}

/**
 * Renderings that exist as their target until someone reads one (the TUI, `leash report`);
 * then all three are rendered once and kept. They serialise like plain strings.
 */
export function lazyRenderings(target: FixTarget): FixRenderings {
  let cache: FixRenderings | undefined;
  const get = (): FixRenderings => (cache ??= renderAll(target));
  const r = {};
  for (const k of ['json', 'terraform', 'cli'] as const) Object.defineProperty(r, k, { get: () => get()[k], enumerable: true });
  Object.defineProperty(r, SOURCE, { value: target, enumerable: false });
  return r as FixRenderings;
}

/** The target lazily rendered renderings come from (undefined for plain strings). */
export function renderSourceOf(r: FixRenderings): FixTarget | undefined {
  return (r as { [SOURCE]?: FixTarget })[SOURCE];
}
