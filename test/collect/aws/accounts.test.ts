import { afterEach, describe, expect, it } from 'vitest';
import { collectAccounts } from '../../../src/collect/aws/index.js';
import { generateAccount, type FakeAccount } from '../../support/fake-aws-account.js';
import { fakeConnection, startFakeAws, type FakeAws } from '../../support/fake-aws.js';

const HUB = '999988887777';
const role = (id: string): string => `arn:aws:iam::${id}:role/leash-scanner`;

function member(id: string, roles: number, extra: Partial<FakeAccount> = {}): FakeAccount {
  return { ...generateAccount({ roles, accountId: id }), assumableRoles: { [role(id)]: {} }, ...extra };
}

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('collectAccounts', () => {
  it('assumes a role per account, uses its credentials, and keeps going when one account fails', async () => {
    // Given a hub account and four members: one refuses AssumeRole, one denies IAM reads
    fake = await startFakeAws([
      generateAccount({ roles: 1, accountId: HUB }),
      member('111111111111', 2),
      member('222222222222', 3, { assumableRoles: { [role('222222222222')]: { externalId: 'ext-123' } } }),
      member('333333333333', 4, { assumableRoles: {} }),
      member('444444444444', 5, { deny: ['GetAccountAuthorizationDetails'] }),
    ]);
    // When all four are scanned, two at a time
    const results = await collectAccounts(
      [
        { id: '111111111111', roleArn: role('111111111111') },
        { id: '222222222222', roleArn: role('222222222222'), externalId: 'ext-123', sessionName: 'leash-nightly' },
        { id: '333333333333', roleArn: role('333333333333') },
        { id: '444444444444', roleArn: role('444444444444') },
      ],
      { ...fakeConnection(fake), roleMaxSessionDuration: false },
      { concurrency: 2 },
    );
    // Then the good accounts hold their own data, in input order, and each failure is a value
    expect(results.map((r) => [r.account.id, r.ok])).toEqual([
      ['111111111111', true],
      ['222222222222', true],
      ['333333333333', false],
      ['444444444444', false],
    ]);
    const [one, two, three, four] = results;
    expect(one?.ok && one.collection.authorizationDetails.RoleDetailList).toHaveLength(2);
    expect(two?.ok && two.collection.authorizationDetails.RoleDetailList).toHaveLength(3);
    expect(two?.ok && two.collection.callerArn).toBe('arn:aws:sts::222222222222:assumed-role/leash-scanner/leash-nightly');
    expect(three?.ok === false && three.error).toMatchObject({ code: 'access-denied', message: expect.stringMatching(/^sts:AssumeRole: account 333333333333/) });
    expect(four?.ok === false && four.error).toMatchObject({ code: 'access-denied', message: expect.stringContaining('iam:GetAccountAuthorizationDetails in account 444444444444') });
    // Every IAM read ran under the member's own temporary credentials, never the hub's
    const iamReads = fake.requests.filter((r) => r.service === 'iam');
    expect(iamReads.every((r) => r.accountId !== HUB)).toBe(true);
    const assumes = fake.requests.filter((r) => r.operation === 'AssumeRole');
    expect(assumes.every((r) => r.accountId === HUB)).toBe(true);
    expect(assumes.find((r) => r.params['RoleArn'] === role('222222222222'))?.params).toMatchObject({ ExternalId: 'ext-123', RoleSessionName: 'leash-nightly' });
  });

  it('a wrong ExternalId is refused for that account only', async () => {
    fake = await startFakeAws([generateAccount({ roles: 1, accountId: HUB }), member('222222222222', 1, { assumableRoles: { [role('222222222222')]: { externalId: 'right' } } }), member('111111111111', 1)]);
    const results = await collectAccounts(
      [
        { id: '222222222222', roleArn: role('222222222222'), externalId: 'wrong' },
        { id: '111111111111', roleArn: role('111111111111') },
      ],
      { ...fakeConnection(fake), roleMaxSessionDuration: false },
    );
    expect(results.map((r) => r.ok)).toEqual([false, true]);
  });

  it('discards results when the role leads to a different account than listed', async () => {
    fake = await startFakeAws([generateAccount({ roles: 1, accountId: HUB }), member('111111111111', 1)]);
    const [result] = await collectAccounts([{ id: '555555555555', roleArn: role('111111111111') }], { ...fakeConnection(fake), roleMaxSessionDuration: false });
    expect(result?.ok).toBe(false);
    expect(result?.ok === false && result.error.message).toMatch(/led to account 111111111111; results discarded/);
  });

  it('reports per-account progress', async () => {
    fake = await startFakeAws([generateAccount({ roles: 1, accountId: HUB }), member('111111111111', 1)]);
    const seen: string[] = [];
    await collectAccounts([{ id: '111111111111', roleArn: role('111111111111') }], {
      ...fakeConnection(fake),
      roleMaxSessionDuration: false,
      onProgress: (e) => {
        if (e.kind === 'account') seen.push(`${e.accountId} ${e.status} ${e.done}/${e.total}`);
      },
    });
    expect(seen).toEqual(['111111111111 started 0/1', '111111111111 done 1/1']);
  });
});
