// Review (R1): the judgement lists missed obvious actions. Sharing a snapshot, image, secret or
// bucket with another account (ec2:ModifySnapshotAttribute, rds:ModifyDBSnapshotAttribute,
// s3:PutBucketPolicy, …) was no exfiltration; GuardDuty's current DisassociateFromAdministratorAccount
// (only the old Master name was listed), silencing alarms and stopping CloudTrail Lake ingestion were
// no logging tampering; and six logging-tampering actions were missing from the destructive list,
// so the generated boundary the finding's remediation points to did not gate them.
import { describe, expect, it } from 'vitest';
import { credentialExposureActions, exfiltrationActions, loggingTamperingActions } from '../../src/checks/action-lists.js';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { destructiveAction } from '../../src/checks/data.js';
import { runChecks } from '../../src/checks/run.js';
import { defaultConfig } from '../../src/config/config.js';
import { catalog } from '../../src/iam/catalog.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { doc, snapshotOf } from '../support/snapshot.js';

const expander = new ActionExpander(catalog());

const MUST: [string, { actions: readonly { action: string }[] }, string[]][] = [
  ['data exfiltration', exfiltrationActions, [
    'secretsmanager:GetSecretValue', 'ssm:GetParameter', 'ssm:GetParametersByPath', 'kms:Decrypt', 's3:GetObject',
    's3:PutBucketPolicy', 's3:PutBucketAcl', 's3:PutObjectAcl', 'secretsmanager:PutResourcePolicy',
    'ec2:ModifySnapshotAttribute', 'ec2:ModifyImageAttribute', 'ec2:CreateSnapshots', 'ebs:GetSnapshotBlock',
    'rds:CreateDBClusterSnapshot', 'rds:ModifyDBSnapshotAttribute', 'rds:ModifyDBClusterSnapshotAttribute', 'redshift:AuthorizeSnapshotAccess',
    'dynamodb:PartiQLSelect', 'glue:GetConnections',
  ]],
  ['credential exposure', credentialExposureActions, [
    'iam:CreateAccessKey', 'sts:GetSessionToken', 'ecr:GetAuthorizationToken', 'ecr-public:GetAuthorizationToken', 'sts:GetServiceBearerToken',
    'codepipeline:PollForJobs', 'lightsail:GetRelationalDatabaseMasterUserPassword', 'lightsail:DownloadDefaultKeyPair',
    'cognito-identity:GetOpenIdTokenForDeveloperIdentity',
  ]],
  ['logging tampering', loggingTamperingActions, [
    'cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:PutEventSelectors', 'cloudtrail:StopEventDataStoreIngestion',
    'guardduty:DeleteDetector', 'guardduty:DisassociateFromAdministratorAccount', 'guardduty:DisassociateFromMasterAccount', 'guardduty:StopMonitoringMembers',
    'securityhub:DisassociateFromAdministratorAccount', 'config:StopConfigurationRecorder', 'config:DeleteConfigRule',
    'cloudwatch:DeleteAlarms', 'cloudwatch:DisableAlarmActions', 'wafv2:DeleteLoggingConfiguration',
  ]],
];

describe.each(MUST)('%s list', (_name, list, must) => {
  it('covers the obvious actions', () => {
    const listed = new Set(list.actions.map((a) => a.action));
    expect(must.filter((a) => !listed.has(a))).toEqual([]);
  });
});

describe('logging tampering and the generated boundary', () => {
  it('every logging-tampering action is on the destructive list, which the boundary puts behind approval', () => {
    expect(loggingTamperingActions.actions.map((a) => a.action).filter((a) => destructiveAction(a) === undefined)).toEqual([]);
  });
});

describe('list checks report the added actions', () => {
  const findingsFor = (actions: string[]) => {
    const snapshot = snapshotOf([{ name: 'app', inline: [doc({ Effect: 'Allow', Action: actions, Resource: '*' })] }]);
    const config = defaultConfig();
    const principals = analyzePrincipals(snapshot, config, expander);
    return runChecks({ snapshot, principals, config, expander, now: new Date('2026-11-24T12:00:00Z') }).findings;
  };

  it('sharing snapshots, images and buckets with another account is data exfiltration', () => {
    const share = ['ec2:ModifySnapshotAttribute', 'rds:ModifyDBSnapshotAttribute', 's3:PutBucketPolicy'];
    const f = findingsFor(share).find((x) => x.checkId === 'data-exfiltration');
    expect([...(f?.actions ?? [])].sort()).toEqual([...share].sort());
  });

  it('leaving central GuardDuty under its current name and silencing alarms is logging tampering', () => {
    const blind = ['guardduty:DisassociateFromAdministratorAccount', 'cloudwatch:DisableAlarmActions'];
    const f = findingsFor(blind).find((x) => x.checkId === 'logging-tampering');
    expect([...(f?.actions ?? [])].sort()).toEqual([...blind].sort());
  });
});

// Review (R1): unknown-actions looked at Allow statements only, so a misspelt guardrail (a Deny in
// an identity policy or a boundary that names `cloudtrail:StopLoging`) went unreported while it
// denied nothing.
describe('unknown-actions sees misspelt guardrails', () => {
  const run = (snapshot: ReturnType<typeof snapshotOf>) => {
    const config = defaultConfig();
    const principals = analyzePrincipals(snapshot, config, expander);
    return runChecks({ snapshot, principals, config, expander, now: new Date('2026-11-24T12:00:00Z') }).findings.filter((f) => f.checkId === 'unknown-actions');
  };
  const allowAll = doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' });

  it('reports a Deny in an identity policy naming an unknown action, as medium', () => {
    const fs = run(snapshotOf([{ name: 'app', inline: [allowAll, doc({ Effect: 'Deny', Action: ['cloudtrail:StopLoging', 'cloudtrail:DeleteTrail'], Resource: '*' })] }]));
    expect(fs.map((f) => [f.actions, f.severity])).toEqual([[['cloudtrail:StopLoging'], 'medium']]);
  });

  it('reports a misspelt action in the permissions boundary', () => {
    const boundary = doc({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'ec2:TerminateInstance', Resource: '*' });
    const fs = run(snapshotOf([{ name: 'app', inline: [allowAll], boundary: 'cap' }], { cap: boundary }));
    expect(fs.map((f) => [f.actions, f.severity])).toEqual([[['ec2:TerminateInstance'], 'medium']]);
  });

  it('keeps an unknown action in an Allow low', () => {
    const fs = run(snapshotOf([{ name: 'app', inline: [doc({ Effect: 'Allow', Action: ['s3:GetObjekt'], Resource: '*' })] }]));
    expect(fs.map((f) => [f.actions, f.severity])).toEqual([[['s3:GetObjekt'], 'low']]);
  });
});
