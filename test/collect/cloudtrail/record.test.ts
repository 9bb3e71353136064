import { describe, expect, it } from 'vitest';
import { attribute, eventTimeOf, isDenied, recordProblem, resourcesOf, type CloudTrailRecord } from '../../../src/collect/cloudtrail/record.js';

const base = { eventTime: '2024-05-01T09:00:00Z', eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', awsRegion: 'eu-west-1', recipientAccountId: '111122223333' };
const rec = (userIdentity: CloudTrailRecord['userIdentity'], extra: Partial<CloudTrailRecord> = {}): CloudTrailRecord => ({ ...base, userIdentity, ...extra });

describe('attribute', () => {
  it('IAMUser → the user ARN, no session name', () => {
    expect(attribute(rec({ type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/dev/alice' }))).toEqual({ principalArn: 'arn:aws:iam::111122223333:user/dev/alice', identityType: 'IAMUser' });
  });

  it('AssumedRole → the issuing role ARN with its path, session name from the sts ARN', () => {
    const a = attribute(
      rec({
        type: 'AssumedRole',
        arn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/alice@example.com',
        sessionContext: { sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123' }, sourceIdentity: 'alice' },
      }),
    );
    expect(a).toEqual({
      principalArn: 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123',
      identityType: 'AssumedRole',
      sessionName: 'alice@example.com',
      sourceIdentity: 'alice',
    });
  });

  it('AssumedRole without sessionIssuer → role ARN rebuilt from the sts ARN (path unknown)', () => {
    expect(attribute(rec({ type: 'AssumedRole', arn: 'arn:aws-cn:sts::111122223333:assumed-role/app/session-1' }))).toEqual({
      principalArn: 'arn:aws-cn:iam::111122223333:role/app',
      identityType: 'AssumedRole',
      sessionName: 'session-1',
    });
  });

  // CloudTrail user guide, "AWS STS source identity": an AssumeRole call's sourceIdentity is in its
  // requestParameters (and responseElements) and belongs to the target role's new session.
  it('sourceIdentity set by an AssumeRole call is not the caller\'s', () => {
    const a = attribute(
      rec(
        { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/bob' },
        {
          eventName: 'AssumeRole',
          requestParameters: { roleArn: 'arn:aws:iam::111122223333:role/kiro-agent', roleSessionName: 's1', sourceIdentity: 'bob-kiro' },
          responseElements: { sourceIdentity: 'bob-kiro' },
          additionalEventData: { sourceIdentity: 'bob-kiro' },
        },
      ),
    );
    expect(a).toEqual({ principalArn: 'arn:aws:iam::111122223333:user/bob', identityType: 'IAMUser' });
  });

  it('FederatedUser → the IAM user that called GetFederationToken', () => {
    expect(
      attribute(rec({ type: 'FederatedUser', arn: 'arn:aws:sts::111122223333:federated-user/fed', sessionContext: { sessionIssuer: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/issuer' } } })),
    ).toEqual({ principalArn: 'arn:aws:iam::111122223333:user/issuer', identityType: 'FederatedUser', sessionName: 'fed' });
  });

  it('Root → the root ARN', () => {
    expect(attribute(rec({ type: 'Root', arn: 'arn:aws:iam::111122223333:root' }))).toEqual({ principalArn: 'arn:aws:iam::111122223333:root', identityType: 'Root' });
  });

  it.each([
    [{ type: 'AWSService', invokedBy: 'config.amazonaws.com' }, undefined, /AWSService/],
    [{ accountId: '111122223333', invokedBy: 'secretsmanager.amazonaws.com' }, 'AwsServiceEvent', /service event/],
    [{ type: 'IAMUser', userName: 'x' }, undefined, /without arn/],
    [{ type: 'AWSAccount' }, undefined, /another account/],
  ])('skips %j with a reason', (userIdentity, eventType, reason) => {
    const a = attribute(rec(userIdentity, eventType ? { eventType } : {}));
    expect('skip' in a && a.skip).toMatch(reason);
  });
});

describe('recordProblem', () => {
  it('accepts a minimal record and names the missing field otherwise', () => {
    expect(recordProblem({ ...base, userIdentity: {} })).toBeUndefined();
    expect(recordProblem('x')).toMatch(/record object/);
    expect(recordProblem({ ...base, eventSource: 3, userIdentity: {} })).toMatch(/eventSource/);
    expect(recordProblem({ ...base, eventTime: '2024-05-01 09:00', userIdentity: {} })).toMatch(/eventTime/);
    expect(recordProblem({ ...base, eventTime: '2024-05-01 09:00:00Z', userIdentity: {} })).toMatch(/eventTime/);
    expect(recordProblem({ ...base, eventTime: '2024-05-01T09:00:0xZ', userIdentity: {} })).toMatch(/eventTime/);
    expect(recordProblem({ ...base, eventTime: '2024-05-01T09:00:00.5Z', userIdentity: {} })).toBeUndefined();
    expect(recordProblem({ ...base })).toMatch(/userIdentity/);
  });

  it('normalises millisecond times to the seconds format used for ordering', () => {
    expect(eventTimeOf(rec({}, { eventTime: '2024-05-01T09:00:00.123Z' }))).toBe('2024-05-01T09:00:00Z');
  });
});

describe('isDenied', () => {
  it.each([
    ['AccessDenied', true],
    ['Client.UnauthorizedOperation', true],
    ['AccessDeniedException', true],
    ['NoSuchEntityException', false],
    ['ThrottlingException', false],
    [undefined, false],
  ])('%s → %s', (errorCode, denied) => {
    expect(isDenied(rec({}, errorCode ? { errorCode } : {}))).toBe(denied);
  });
});

describe('resourcesOf', () => {
  it('takes resources[] ARNs and the S3 bucket/key of the request', () => {
    const r = rec({}, {
      eventSource: 's3.amazonaws.com',
      requestParameters: { bucketName: 'b', key: 'k/1' },
      resources: [{ ARN: 'arn:aws:s3:::b', type: 'AWS::S3::Bucket' }, { type: 'AWS::S3::Object' }],
    });
    expect(resourcesOf(r)).toEqual(['arn:aws:s3:::b', 'arn:aws:s3:::b/k/1']);
  });

  it('uses the partition of the region', () => {
    expect(resourcesOf(rec({}, { eventSource: 's3.amazonaws.com', awsRegion: 'cn-north-1', requestParameters: { bucketName: 'b' } }))).toEqual(['arn:aws-cn:s3:::b']);
  });

  it('builds Lambda function ARNs from a bare name only', () => {
    const make = (functionName: string) => resourcesOf(rec({}, { eventSource: 'lambda.amazonaws.com', requestParameters: { functionName } }));
    expect(make('checkout')).toEqual(['arn:aws:lambda:eu-west-1:111122223333:function:checkout']);
    expect(make('arn:aws:lambda:us-east-1:444455556666:function:f')).toEqual(['arn:aws:lambda:us-east-1:444455556666:function:f']);
    expect(make('111122223333:function:f')).toEqual([]);
  });

  it('never guesses IAM ARNs from names (the path is unknown) but takes policyArn and created ARNs', () => {
    const r = rec({}, {
      eventSource: 'iam.amazonaws.com',
      requestParameters: { roleName: 'app-role', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
      responseElements: { role: { arn: 'arn:aws:iam::111122223333:role/apps/app-role' } },
    });
    expect(resourcesOf(r)).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::111122223333:role/apps/app-role']);
    expect(resourcesOf(rec({}, { eventSource: 'iam.amazonaws.com', requestParameters: { roleName: 'x' } }))).toEqual([]);
  });

  it('takes the role ARN of an AssumeRole request', () => {
    expect(resourcesOf(rec({}, { eventName: 'AssumeRole', requestParameters: { roleArn: 'arn:aws:iam::111122223333:role/r', roleSessionName: 's' } }))).toEqual(['arn:aws:iam::111122223333:role/r']);
  });
});
