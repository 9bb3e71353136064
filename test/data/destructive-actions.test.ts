// The destructive-action list is leash's own judgement, so the test holds it to the catalog (the
// names must be real IAM actions, spelled as AWS spells them) and to the brief it was written
// against (the incident's verbs and field-research §5 must be in it).
import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/iam/catalog.js';
import {
  DESTRUCTIVE_CATEGORIES,
  destructiveAction,
  destructiveActions,
  parseDestructiveActions,
} from '../../src/checks/data.js';
import { InputError } from '../../src/model/errors.js';
import raw from '../../src/data/destructive-actions.json' with { type: 'json' };

// field-research.md §5 and the task brief: the verbs an agent used (or could use) to delete and
// recreate a live environment, and the guardrails that must sit in every boundary.
const MUST_HAVE = [
  'cloudformation:DeleteStack', 'cloudformation:DeleteStackSet', 'cloudformation:DeleteStackInstances', 'cloudformation:UpdateStack',
  'cloudformation:ExecuteChangeSet', 'cloudformation:UpdateTerminationProtection', 'cloudformation:SetStackPolicy',
  'elasticbeanstalk:TerminateEnvironment', 'elasticbeanstalk:RebuildEnvironment', 'elasticbeanstalk:DeleteApplication',
  'elasticbeanstalk:DeleteApplicationVersion', 'elasticbeanstalk:SwapEnvironmentCNAMEs', 'elasticbeanstalk:UpdateEnvironment',
  'codepipeline:DeletePipeline', 'codedeploy:DeleteDeploymentGroup',
  'ec2:TerminateInstances', 'ec2:StopInstances', 'ec2:ModifyInstanceAttribute', 'ec2:DeleteLaunchTemplate', 'ec2:DeregisterImage',
  'ec2:DeleteVolume', 'ec2:DeleteSnapshot',
  'autoscaling:DeleteAutoScalingGroup', 'autoscaling:UpdateAutoScalingGroup', 'autoscaling:SetDesiredCapacity',
  'ecs:DeleteCluster', 'ecs:DeleteService', 'ecs:UpdateService', 'ecs:DeregisterTaskDefinition',
  'eks:DeleteCluster', 'eks:DeleteNodegroup',
  'lambda:DeleteFunction', 'lambda:UpdateFunctionCode', 'lambda:DeleteEventSourceMapping',
  'rds:DeleteDBInstance', 'rds:DeleteDBCluster', 'rds:DeleteDBSnapshot', 'rds:DeleteDBClusterSnapshot', 'rds:DeleteGlobalCluster',
  'rds:ModifyDBInstance', 'rds:ModifyDBCluster',
  'dynamodb:DeleteTable', 'dynamodb:UpdateTable', 'dynamodb:DeleteBackup', 'dynamodb:UpdateContinuousBackups',
  's3:DeleteBucket', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutLifecycleConfiguration', 's3:PutBucketVersioning',
  's3:PutBucketPolicy', 's3:BypassGovernanceRetention',
  'elasticache:DeleteReplicationGroup', 'elasticache:DeleteCacheCluster',
  'es:DeleteDomain', 'redshift:DeleteCluster', 'elasticfilesystem:DeleteFileSystem', 'fsx:DeleteFileSystem', 'kinesis:DeleteStream',
  'sqs:DeleteQueue', 'sqs:PurgeQueue', 'sns:DeleteTopic',
  'ec2:DeleteVpc', 'ec2:DeleteSubnet', 'ec2:DeleteSecurityGroup', 'ec2:DeleteNatGateway', 'ec2:DeleteTransitGateway',
  'ec2:DeleteRouteTable', 'ec2:DeleteInternetGateway',
  'elasticloadbalancing:DeleteLoadBalancer', 'elasticloadbalancing:DeleteListener', 'elasticloadbalancing:DeleteTargetGroup',
  'route53:DeleteHostedZone', 'route53:ChangeResourceRecordSets', 'cloudfront:DeleteDistribution',
  'backup:DeleteBackupVault', 'backup:DeleteRecoveryPoint', 'backup:DeleteBackupPlan', 'backup:UpdateRecoveryPointLifecycle',
  'kms:ScheduleKeyDeletion', 'kms:DisableKey', 'secretsmanager:DeleteSecret',
  'iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary', 'iam:PutRolePermissionsBoundary',
  'iam:UpdateAssumeRolePolicy', 'iam:DeleteRole', 'iam:DeleteUser',
  'cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'logs:DeleteLogGroup', 'organizations:LeaveOrganization',
  'config:StopConfigurationRecorder', 'guardduty:DeleteDetector',
  'amplify:DeleteApp', 'apprunner:DeleteService', 'glue:DeleteDatabase', 'glue:DeleteTable', 'athena:DeleteWorkGroup',
  'ecr:DeleteRepository', 'bedrock:DeleteAgent', 'bedrock:DeleteKnowledgeBase', 'bedrock-agentcore:DeleteAgentRuntime',
  'bedrock-agentcore:DeleteGateway', 'bedrock-agentcore:DeleteMemory',
];

describe('destructive-actions.json', () => {
  const list = destructiveActions();

  it('names only real IAM actions, in the catalog\'s exact spelling', () => {
    //Given the catalog built from the Service Authorization Reference
    const c = catalog();
    //When every entry is looked up
    const problems = list.flatMap((d) => {
      const found = c.lookup(d.action);
      if (!found) return [`${d.action}: not in the catalog`];
      return found.key === d.action ? [] : [`${d.action}: the catalog spells it ${found.key}`];
    });
    //Then none is missing or misspelt
    expect(problems).toEqual([]);
  });

  it('lists only write or permissions-management actions (reading never destroys)', () => {
    const c = catalog();
    const readOnly = list.filter((d) => {
      const levels = c.lookup(d.action)?.accessLevels ?? [];
      return !levels.includes('Write') && !levels.includes('Permissions management');
    });
    expect(readOnly.map((d) => d.action)).toEqual([]);
  });

  it('lists each action once and never a wildcard', () => {
    const keys = list.map((d) => d.action.toLowerCase());
    expect(new Set(keys).size).toBe(keys.length);
    expect(list.filter((d) => /[*?]/.test(d.action))).toEqual([]);
  });

  it('is a curated list of the size the brief asks for, using every category', () => {
    expect(list.length).toBeGreaterThanOrEqual(150);
    expect(list.length).toBeLessThanOrEqual(300);
    const used = new Set(list.map((d) => d.category));
    expect([...used].sort()).toEqual([...DESTRUCTIVE_CATEGORIES].sort());
  });

  it('gives every action its own one-sentence reason', () => {
    //Given the reasons
    const whys = list.map((d) => d.why);
    //Then none is a placeholder, none is copied onto another action, each is one sentence
    expect(whys.filter((w) => w.length < 30)).toEqual([]);
    expect(new Set(whys).size).toBe(whys.length);
    expect(whys.filter((w) => !/[.!]$/.test(w))).toEqual([]);
  });

  it('covers the incident verbs and field-research §5', () => {
    const missing = MUST_HAVE.filter((a) => destructiveAction(a) === undefined);
    expect(missing).toEqual([]);
  });

  it('looks actions up case-insensitively, as IAM matches them', () => {
    expect(destructiveAction('CLOUDFORMATION:deletestack')?.action).toBe('cloudformation:DeleteStack');
    expect(destructiveAction('s3:GetObject')).toBeUndefined();
  });

  it('returns the same frozen list on every call (loaded once)', () => {
    expect(destructiveActions()).toBe(list);
    expect(Object.isFrozen(list)).toBe(true);
  });
});

describe('parseDestructiveActions: bad input is a clear error, not a crash', () => {
  const base = { source: 's', description: 'd' };
  const cases: { name: string; input: unknown; path: string; expected: RegExp }[] = [
    {
      name: 'a wildcard action',
      input: { ...base, actions: [{ action: 's3:Delete*', category: 'data', why: 'too broad to list' }] },
      path: '$.actions[0].action',
      expected: /no wildcard/,
    },
    {
      name: 'an unknown category',
      input: { ...base, actions: [{ action: 's3:DeleteBucket', category: 'storage', why: 'deletes the bucket' }] },
      path: '$.actions[0].category',
      expected: /environment/,
    },
    {
      name: 'a duplicate action in another case',
      input: { ...base, actions: [{ action: 's3:DeleteBucket', category: 'data', why: 'one' }, { action: 'S3:deletebucket', category: 'data', why: 'two' }] },
      path: '$.actions[1].action',
      expected: /once/,
    },
    {
      name: 'a missing reason',
      input: { ...base, actions: [{ action: 's3:DeleteBucket', category: 'data' }] },
      path: '$.actions[0].why',
      expected: /./,
    },
    { name: 'not an object at all', input: 'nope', path: '$', expected: /object/ },
  ];
  it.each(cases)('rejects $name with file, JSON path and expectation', ({ input, path, expected }) => {
    //When a malformed document is parsed
    let error: unknown;
    try {
      parseDestructiveActions(input, 'custom/destructive.json');
    } catch (e) {
      error = e;
    }
    //Then it is an InputError pointing at the file and the place
    expect(error).toBeInstanceOf(InputError);
    const ie = error as InputError;
    expect(ie.file).toBe('custom/destructive.json');
    expect(ie.path).toBe(path);
    expect(ie.expected).toMatch(expected);
    expect(ie.message).toContain('custom/destructive.json');
  });

  it('accepts the shipped file unchanged', () => {
    expect(parseDestructiveActions(raw)).toHaveLength(raw.actions.length);
  });
});
