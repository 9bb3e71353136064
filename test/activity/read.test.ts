// Which session names a role's AssumeRole* events gave (`leash activity --live` of a role without a
// session reads each by name): from the assumed-role ARN STS returned, whichever way it was set.
import { describe, expect, it } from 'vitest';
import { roleSessionNames } from '../../src/activity/read.js';

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
