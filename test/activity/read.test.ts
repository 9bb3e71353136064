// Which session names a role's AssumeRole* events gave (`leash activity --live` of a role without a
// session reads each by name): from the assumed-role ARN STS returned, whichever way it was set.
import { describe, expect, it } from 'vitest';
import { assumedSessions, assumeRegions, roleSessionNames } from '../../src/activity/read.js';

const ACCT = '111122223333';
const ROLE = `arn:aws:iam::${ACCT}:role/team/ci/deploy-agent`;
const issued = (eventName: string, assumedArn: string, more: Record<string, unknown> = {}) => ({
  eventName, eventSource: 'sts.amazonaws.com', responseElements: { assumedRoleUser: { arn: assumedArn } }, ...more,
});
const as = (session: string, role = 'deploy-agent') => `arn:aws:sts::${ACCT}:assumed-role/${role}/${session}`;

describe('roleSessionNames', () => {
  it('takes the name from the ARN STS returned, for AssumeRole, SAML and web identity alike, newest first and once each', () => {
    const records = [
      issued('AssumeRoleWithSAML', as('dana@example.com')), // no roleSessionName in the request: the assertion set it
      issued('AssumeRoleWithWebIdentity', as('gha-run-42')),
      issued('AssumeRole', as('kiro-session')),
      issued('AssumeRole', as('gha-run-42')),
    ];
    expect(roleSessionNames(records, ROLE)).toEqual(['dana@example.com', 'gha-run-42', 'kiro-session']);
  });

  it('leaves out refused calls, other roles, other events and names that are not a session name', () => {
    const records = [
      issued('AssumeRole', as('refused'), { errorCode: 'AccessDenied' }),
      issued('AssumeRole', as('other', 'deploy-agent-2')),
      issued('GetSessionToken', as('not-an-assume')),
      issued('AssumeRole', as('bad\nname')),
      issued('AssumeRole', as('x')), // shorter than IAM's 2 characters
      issued('AssumeRole', `arn:aws:sts::${ACCT}:federated-user/tok`),
      null, 'text', { eventName: 'AssumeRole', responseElements: null },
      issued('AssumeRole', as('kept')),
    ];
    expect(roleSessionNames(records, ROLE)).toEqual(['kept']);
  });
});

describe('assumeRegions', () => {
  it('the regions where the role\'s successful AssumeRole* calls were logged, only among those searched (a record\'s awsRegion is hostile); control: a refused call or another role\'s adds none', () => {
    const at = (region: unknown, more: Record<string, unknown> = {}) => issued('AssumeRole', as('s1'), { awsRegion: region, ...more });
    const searched = ['us-east-1', 'eu-central-1', 'ap-south-1'];
    const records = [at('eu-central-1'), at('us-east-1'), at('eu-central-1'), at('../eu-central-1'), at('\u001b[2Jus-east-1'), at(42), at('sa-east-1')];
    expect(assumeRegions(records, ROLE, searched)).toEqual(['eu-central-1', 'us-east-1']);
    expect(assumeRegions([at('ap-south-1', { errorCode: 'AccessDenied' }), issued('AssumeRole', as('s2', 'deploy-agent-2'), { awsRegion: 'ap-south-1' })], ROLE, searched)).toEqual([]);
  });
});

describe('assumedSessions', () => {
  it('each session the role\'s successful AssumeRole* calls named, at its latest call, newest first; control: a refused call, another role\'s and a hostile time add none', () => {
    const at = (session: string, eventTime: unknown, more: Record<string, unknown> = {}) => issued('AssumeRole', as(session), { eventTime, ...more });
    const records = [
      at('s1', '2026-12-05T09:00:00Z'), at('s2', '2026-12-05T10:00:00Z'), at('s1', '2026-12-05T11:00:00Z'),
      at('refused', '2026-12-05T12:00:00Z', { errorCode: 'AccessDenied' }),
      issued('AssumeRole', as('other', 'deploy-agent-2'), { eventTime: '2026-12-05T12:00:00Z' }),
      at('evil', '2026-12-05T12:00:00Z\u001b[2J'), at('untimed', 42),
    ];
    expect(assumedSessions(records, ROLE)).toEqual([{ name: 's1', at: '2026-12-05T11:00:00Z' }, { name: 's2', at: '2026-12-05T10:00:00Z' }]);
  });

  it('keeps the 50 newest of a busy role', () => {
    const records = Array.from({ length: 60 }, (_, i) => issued('AssumeRole', as(`s${String(i).padStart(2, '0')}`), { eventTime: `2026-12-05T10:${String(i).padStart(2, '0')}:00Z` }));
    const kept = assumedSessions(records, ROLE);
    expect(kept).toHaveLength(50);
    expect(kept[0]).toEqual({ name: 's59', at: '2026-12-05T10:59:00Z' });
    expect(kept[49]!.name).toBe('s10');
  });
});
