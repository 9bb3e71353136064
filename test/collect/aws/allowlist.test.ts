import * as accountSdk from '@aws-sdk/client-account';
import * as athenaSdk from '@aws-sdk/client-athena';
import * as cloudtrailSdk from '@aws-sdk/client-cloudtrail';
import * as iamSdk from '@aws-sdk/client-iam';
import * as organizationsSdk from '@aws-sdk/client-organizations';
import * as ssoAdminSdk from '@aws-sdk/client-sso-admin';
import * as s3Sdk from '@aws-sdk/client-s3';
import * as stsSdk from '@aws-sdk/client-sts';
import * as cloudformationSdk from '@aws-sdk/client-cloudformation';
import * as dynamodbSdk from '@aws-sdk/client-dynamodb';
import * as rdsSdk from '@aws-sdk/client-rds';
import * as lambdaSdk from '@aws-sdk/client-lambda';
import * as ecsSdk from '@aws-sdk/client-ecs';
import * as eksSdk from '@aws-sdk/client-eks';
import * as kmsSdk from '@aws-sdk/client-kms';
import * as secretsManagerSdk from '@aws-sdk/client-secrets-manager';
import * as sqsSdk from '@aws-sdk/client-sqs';
import * as snsSdk from '@aws-sdk/client-sns';
import * as ecrSdk from '@aws-sdk/client-ecr';
import { describe, expect, it } from 'vitest';
import scannerPolicy from '../../../docs/scanner-policy.json' with { type: 'json' };
import { INDIRECT_PERMISSIONS, isAllowedOperation, READ_ONLY_OPERATIONS } from '../../../src/collect/aws/allowlist.js';
import { catalog } from '../../../src/iam/catalog.js';
import { parsePolicy } from '../../../src/iam/parse.js';

const sdkModules: Record<string, Record<string, unknown>> = {
  IAMClient: iamSdk,
  STSClient: stsSdk,
  CloudTrailClient: cloudtrailSdk,
  OrganizationsClient: organizationsSdk,
  SSOAdminClient: ssoAdminSdk,
  S3Client: s3Sdk,
  AthenaClient: athenaSdk,
  CloudFormationClient: cloudformationSdk,
  DynamoDBClient: dynamodbSdk,
  RDSClient: rdsSdk,
  LambdaClient: lambdaSdk,
  ECSClient: ecsSdk,
  EKSClient: eksSdk,
  KMSClient: kmsSdk,
  SecretsManagerClient: secretsManagerSdk,
  SQSClient: sqsSdk,
  SNSClient: snsSdk,
  ECRClient: ecrSdk,
  AccountClient: accountSdk,
};

const assumeParsed = () => {
  const parsed = parsePolicy(scannerPolicy, 'identity');
  if (!parsed.ok) throw new Error('docs/scanner-policy.json does not parse');
  return parsed.document;
};

const policyActions = (): string[] => {
  const parsed = parsePolicy(scannerPolicy, 'identity');
  if (!parsed.ok) throw new Error(`docs/scanner-policy.json does not parse: ${parsed.error.path} ${parsed.error.expected}`);
  return parsed.document.statements.filter((s) => s.effect === 'Allow').flatMap((s) => s.action ?? []);
};

describe('read-only allowlist', () => {
  it.each(READ_ONLY_OPERATIONS.map((o) => [`${o.client}.${o.command}`, o] as const))('%s is a real SDK command and a catalog action', (_name, op) => {
    expect(typeof sdkModules[op.client]?.[op.command]).toBe('function');
    const action = catalog().lookup(op.action);
    expect(action?.key).toBe(op.action);
    // The command name and the IAM action name are the same words, unless marked otherwise.
    expect(`${op.action.split(':')[1]}Command` === op.command).toBe(!op.actionNameDiffers);
  });

  it('contains only Read and List actions, except sts:AssumeRole (mints credentials) and the Athena query start/stop', () => {
    const notRead = READ_ONLY_OPERATIONS.filter((o) => !catalog().lookup(o.action)?.accessLevels.every((l) => l === 'Read' || l === 'List')).map((o) => o.action);
    expect(notRead.sort()).toEqual(['athena:StartQueryExecution', 'athena:StopQueryExecution', 'sts:AssumeRole']);
  });

  it('indirect permissions are catalog actions leash never sends itself', () => {
    for (const p of INDIRECT_PERMISSIONS) {
      expect(catalog().lookup(p.action)?.key, p.action).toBe(p.action);
      expect(READ_ONLY_OPERATIONS.some((o) => o.action === p.action)).toBe(false);
    }
  });

  it('docs/scanner-policy.json allows every allowlisted operation (catalog lookup, case-insensitive)', () => {
    const allowed = new Set(policyActions().map((a) => catalog().lookup(a)?.key));
    const missing = READ_ONLY_OPERATIONS.filter((o) => !allowed.has(catalog().lookup(o.action)?.key)).map((o) => o.action);
    expect(missing).toEqual([]);
  });

  it('docs/scanner-policy.json grants nothing beyond the allowlist: no wildcards, no extra actions', () => {
    const actions = policyActions();
    expect(actions.filter((a) => a.includes('*') || a.includes('?'))).toEqual([]);
    const onList = new Set([...READ_ONLY_OPERATIONS, ...INDIRECT_PERMISSIONS].map((o) => o.action.toLowerCase()));
    expect(actions.filter((a) => !onList.has(a.toLowerCase()))).toEqual([]);
    // The one write Athena needs is scoped to result buckets, never "*".
    const put = assumeParsed().statements.find((s) => s.action?.includes('s3:PutObject'));
    expect(put?.resource).toEqual(['arn:aws:s3:::aws-athena-query-results-*/*']);
    const assume = parsePolicy(scannerPolicy, 'identity');
    expect(assume.ok && assume.document.statements.find((s) => s.action?.includes('sts:AssumeRole'))?.resource).not.toContain('*');
  });

  it('refuses names not on the list, including unknown clients', () => {
    expect(isAllowedOperation('IAMClient', 'GetAccountAuthorizationDetailsCommand')).toBe(true);
    expect(isAllowedOperation('IAMClient', 'DeleteRoleCommand')).toBe(false);
    expect(isAllowedOperation('S3Client', 'GetCallerIdentityCommand')).toBe(false);
    expect(isAllowedOperation(undefined, undefined)).toBe(false);
  });
});
