// Which session names a role's AssumeRole* events gave (`leash activity --live` of a role without a
// session reads each by name): from the assumed-role ARN STS returned, whichever way it was set.
import { describe, expect, it } from 'vitest';
import { assumeRegions, roleSessionNames } from '../../src/activity/read.js';

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
