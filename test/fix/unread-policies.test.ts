// A reviewer's pass (session 33): a managed or inline policy the export names but does not hold
// (a filtered export, an unparsable document) was never read, and apply.sh leaves it attached;
// main.tf's exclusive lists did not name it, so `terraform apply` detached or deleted it: a policy
// leash never looked at, removed by one of its two renderings and not the other.
import { parse } from '@cdktf/hcl2json';
import { describe, expect, it } from 'vitest';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { computeNeeded } from '../../src/baseline/needed.js';
import { defaultConfig } from '../../src/config/config.js';
import { planFixes } from '../../src/fix/plan.js';
import { renderCliScript } from '../../src/fix/render/aws-cli.js';
import { renderTerraform } from '../../src/fix/render/terraform.js';
import { catalog } from '../../src/iam/catalog.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { UsageData } from '../../src/model/usage.js';
import { IamExportBuilder, allow, policy } from '../support/iam-export-builder.js';
import { snapshotFromExport } from '../support/privesc-run.js';

const ACCOUNT = '111122223333';
const expander = new ActionExpander(catalog());
const MISSING = `arn:aws:iam::${ACCOUNT}:policy/team/legacy-extra`;

function planOf(missing: boolean) {
  const b = new IamExportBuilder(ACCOUNT);
  const extra = b.customerPolicy('legacy-extra', policy(allow('sqs:SendMessage', '*')), { path: '/team/' });
  const arn = b.role('agent', {
    trust: policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }),
    inline: { main: policy(allow(['s3:*'], '*')) }, managed: [extra], tags: { 'ai-agent': 'true' },
  });
  const e = b.build();
  if (missing) e.Policies = e.Policies.filter((x) => x.Arn !== MISSING);
  const usage: UsageData = {
    window: { start: '2026-10-24T00:00:00Z', end: '2026-11-23T23:59:59Z' }, coveredPrincipals: 'all', recordsRead: 1, unmapped: [],
    byPrincipal: { [arn]: { principalArn: arn, sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z',
      actions: [{ action: 's3:ListBucket', resources: ['arn:aws:s3:::b'], count: 3, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' }] } },
  };
  const s = { ...snapshotFromExport(e, 'x.json', { now: new Date('2026-11-24T12:00:00Z') }), usage };
  const config = defaultConfig();
  const a = analyzePrincipals(s, config, expander).find((x) => x.principal.arn === arn)!;
  return planFixes(a, computeNeeded(a, s.usage, config, expander), s, config, expander, ['f1']);
}

async function exclusiveArns(tf: string): Promise<string[]> {
  const parsed = await parse('main.tf', tf) as { resource: Record<string, Record<string, { policy_arns: string[] }[]>> };
  return Object.values(parsed.resource['aws_iam_role_policy_attachments_exclusive']!)[0]![0]!.policy_arns;
}

describe('a policy the export does not hold stays attached in main.tf, as in apply.sh', () => {
  it('missing managed policy: named in the exclusive attachment list, never detached by apply.sh, and said in the notes', async () => {
    const plan = planOf(true);
    expect(plan.target.keepsPolicies).toEqual([{ kind: 'managed', name: 'legacy-extra', arn: MISSING }]);
    const arns = await exclusiveArns(renderTerraform(plan.target));
    expect(arns).toContain(MISSING);
    expect(renderCliScript(plan.target)).not.toContain('legacy-extra');
    expect(plan.fixes.find((f) => f.kind === 'replace-policy')!.notes.join(' ')).toContain(`Kept attached, not read: ${MISSING}`);
  });

  it('control: the same policy held by the export is read and replaced (detached by both renderings)', async () => {
    const plan = planOf(false);
    expect(plan.target.keepsPolicies).toBeUndefined();
    expect(await exclusiveArns(renderTerraform(plan.target))).not.toContain(MISSING);
    expect(renderCliScript(plan.target)).toContain('detach-role-policy --role-name "$PRINCIPAL_NAME" --policy-arn');
    expect(renderCliScript(plan.target)).toContain('legacy-extra');
  });
});
