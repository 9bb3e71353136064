import { afterEach, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../../src/collect/aws/client-factory.js';
import { fetchScps } from '../../../src/collect/iam/scps.js';
import { generateAccount, type FakeOrganization } from '../../support/fake-aws-account.js';
import { fakeConnection, startFakeAws, type FakeAws } from '../../support/fake-aws.js';

let fake: FakeAws | undefined;
let clients: AwsClients | undefined;
afterEach(async () => {
  clients?.destroy();
  await fake?.close();
});

const deepOrg: FakeOrganization = {
  parents: {
    '111122223333': { id: 'ou-3', type: 'ORGANIZATIONAL_UNIT' },
    'ou-3': { id: 'ou-2', type: 'ORGANIZATIONAL_UNIT' },
    'ou-2': { id: 'ou-1', type: 'ORGANIZATIONAL_UNIT' },
    'ou-1': { id: 'r-1', type: 'ROOT' },
  },
  policies: Array.from({ length: 5 }, (_, i) => ({ id: `p-${i}`, arn: `arn:aws:organizations::1:policy/o/service_control_policy/p-${i}`, name: `scp-${i}`, document: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: `svc${i}:*`, Resource: '*' }] } })),
  // ou-2 has more than one page of attachments (the fake pages Organizations lists by 2)
  attachments: { 'r-1': ['p-0'], 'ou-1': [], 'ou-2': ['p-1', 'p-2', 'p-3', 'p-0'], 'ou-3': ['p-4'], '111122223333': [] },
};

describe('fetchScps', () => {
  it('walks account → OUs → root and returns each level outermost first, describing each SCP once', async () => {
    fake = await startFakeAws({ ...generateAccount({ roles: 1 }), organization: deepOrg });
    clients = createAwsClients(fakeConnection(fake));
    const r = await fetchScps(clients.organizations, '111122223333');
    expect(r.scps?.map((t) => [t.targetId, t.policies.map((p) => p.name)])).toEqual([
      ['r-1', ['scp-0']],
      ['ou-1', []],
      ['ou-2', ['scp-1', 'scp-2', 'scp-3', 'scp-0']],
      ['ou-3', ['scp-4']],
      ['111122223333', []],
    ]);
    expect(r.scps?.[3]?.policies[0]?.document).toEqual(deepOrg.policies[4]?.document);
    expect(fake.operations().filter((o) => o === 'DescribePolicy')).toHaveLength(5);
    expect(fake.requests.filter((q) => q.operation === 'ListPoliciesForTarget').every((q) => q.params['Filter'] === 'SERVICE_CONTROL_POLICY')).toBe(true);
    expect(r.source).toMatchObject({ status: 'ok', counts: { targets: 5, policies: 5 } });
  });

  it('an account outside any organization is "unavailable" with a reason, not an empty SCP set', async () => {
    fake = await startFakeAws(generateAccount({ roles: 1 }));
    clients = createAwsClients(fakeConnection(fake));
    const r = await fetchScps(clients.organizations, '111122223333');
    expect(r.scps).toBeUndefined();
    expect(r.source.status).toBe('unavailable');
    expect(r.errors).toEqual([expect.objectContaining({ code: 'not-found', message: expect.stringContaining('AWSOrganizationsNotInUseException') })]);
  });

  it('AccessDenied from a member account explains where SCPs can be read', async () => {
    fake = await startFakeAws({ ...generateAccount({ roles: 1 }), organization: deepOrg }, { deny: ['ListParents'] });
    clients = createAwsClients(fakeConnection(fake));
    const r = await fetchScps(clients.organizations, '111122223333');
    expect(r.errors[0]?.message).toMatch(/management account or a delegated administrator/);
  });
});
