// One reader per service: List/Describe/Get calls only (each on the allowlist), paginated up to
// the cap, tags and the resource-based policy per resource. A failed policy read makes that
// policy unknown; a failed listing fails the service in that region (live.ts records it).
import { DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { GetBucketLocationCommand, GetBucketPolicyCommand, GetBucketTaggingCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { GetResourcePolicyCommand as GetTablePolicyCommand, ListTablesCommand, ListTagsOfResourceCommand } from '@aws-sdk/client-dynamodb';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { GetPolicyCommand, ListFunctionsCommand, ListTagsCommand } from '@aws-sdk/client-lambda';
import { DescribeClustersCommand, DescribeServicesCommand, ListClustersCommand as ListEcsClustersCommand, ListServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeClusterCommand, ListClustersCommand as ListEksClustersCommand } from '@aws-sdk/client-eks';
import { GetKeyPolicyCommand, ListKeysCommand, ListResourceTagsCommand } from '@aws-sdk/client-kms';
import { GetResourcePolicyCommand, ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { GetQueueAttributesCommand, ListQueuesCommand, ListQueueTagsCommand } from '@aws-sdk/client-sqs';
import { GetTopicAttributesCommand, ListTagsForResourceCommand as ListSnsTagsCommand, ListTopicsCommand } from '@aws-sdk/client-sns';
import { DescribeRepositoriesCommand, GetRepositoryPolicyCommand, ListTagsForResourceCommand as ListEcrTagsCommand } from '@aws-sdk/client-ecr';
import type { ResourceType } from '../../../model/inventory.js';
import type { RawResource } from '../resource.js';
import { errorName } from '../../aws/errors.js';
import { capped, mapAll, policyReadFailed, tagList, type ServiceContext, type ServiceReader } from './context.js';

/** Pages of a NextToken/Marker listing, until done or the cap. */
async function pages<T>(ctx: ServiceContext, service: string, fetch: (token: string | undefined) => Promise<{ items: readonly T[]; next: string | undefined }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await ctx.run(() => fetch(token));
    out.push(...page.items);
    token = page.next;
    if (out.length >= ctx.maxResources) {
      if (token || out.length > ctx.maxResources) capped(ctx, service);
      return out.slice(0, ctx.maxResources);
    }
  } while (token);
  return out;
}

/** The policy, none (when the service says there is none), or unknown with a ScanError. */
async function readPolicy(ctx: ServiceContext, operation: string, arn: string, get: () => Promise<string | undefined>, noPolicy: readonly string[], alwaysHasOne = false): Promise<Pick<RawResource, 'policy' | 'policyUnknown'>> {
  try {
    const text = await ctx.run(get);
    if (!text && alwaysHasOne) return { policyUnknown: `${operation} returned no policy, though every such resource has one` };
    return text ? { policy: text } : {};
  } catch (e) {
    if (noPolicy.includes(errorName(e))) return {};
    return { policyUnknown: policyReadFailed(ctx, operation, arn, e) };
  }
}

/** Tags, or none with a ScanError (tags feed production markers; a gap must be visible). */
async function readTags(ctx: ServiceContext, operation: string, arn: string, get: () => Promise<Record<string, string>>): Promise<Record<string, string>> {
  try {
    return await ctx.run(get);
  } catch (e) {
    policyReadFailed(ctx, operation, arn, e);
    return {};
  }
}

const cloudformation: ServiceReader = async (ctx) => {
  const stacks = await pages<Stack>(ctx, 'cloudformation', async (t) => {
    const r = await ctx.clients.cloudformation.send(new DescribeStacksCommand({ ...(t ? { NextToken: t } : {}) }));
    return { items: r.Stacks ?? [], next: r.NextToken };
  });
  return stacks.filter((s) => s.StackId && s.StackStatus !== 'DELETE_COMPLETE').map((s) => ({ arn: s.StackId!, ...(s.StackName ? { name: s.StackName } : {}), tags: tagList(s.Tags), ...(s.RoleARN ? { role: s.RoleARN } : {}) }));
};

const dynamodb: ServiceReader = async (ctx) => {
  const names = await pages<string>(ctx, 'dynamodb', async (t) => {
    const r = await ctx.clients.dynamodb.send(new ListTablesCommand({ ...(t ? { ExclusiveStartTableName: t } : {}) }));
    return { items: r.TableNames ?? [], next: r.LastEvaluatedTableName };
  });
  return mapAll(names, async (name) => {
    const arn = `arn:${ctx.partition}:dynamodb:${ctx.region}:${ctx.account}:table/${name}`;
    const [tags, policy] = await Promise.all([
      readTags(ctx, 'dynamodb:ListTagsOfResource', arn, async () => tagList((await ctx.clients.dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags)),
      readPolicy(ctx, 'dynamodb:GetResourcePolicy', arn, async () => (await ctx.clients.dynamodb.send(new GetTablePolicyCommand({ ResourceArn: arn }))).Policy, ['PolicyNotFoundException']),
    ]);
    return { arn, name, tags, ...policy };
  });
};

const rds: ServiceReader = async (ctx) => {
  const instances = await pages(ctx, 'rds', async (t) => {
    const r = await ctx.clients.rds.send(new DescribeDBInstancesCommand({ ...(t ? { Marker: t } : {}) }));
    return { items: r.DBInstances ?? [], next: r.Marker };
  });
  const clusters = await pages(ctx, 'rds', async (t) => {
    const r = await ctx.clients.rds.send(new DescribeDBClustersCommand({ ...(t ? { Marker: t } : {}) }));
    return { items: r.DBClusters ?? [], next: r.Marker };
  });
  return [
    ...instances.filter((d) => d.DBInstanceArn).map((d) => ({ arn: d.DBInstanceArn!, ...(d.DBInstanceIdentifier ? { name: d.DBInstanceIdentifier } : {}), tags: tagList(d.TagList) })),
    ...clusters.filter((c) => c.DBClusterArn).map((c) => ({ arn: c.DBClusterArn!, ...(c.DBClusterIdentifier ? { name: c.DBClusterIdentifier } : {}), tags: tagList(c.TagList) })),
  ];
};

const lambda: ServiceReader = async (ctx) => {
  const fns = await pages(ctx, 'lambda', async (t) => {
    const r = await ctx.clients.lambda.send(new ListFunctionsCommand({ ...(t ? { Marker: t } : {}) }));
    return { items: r.Functions ?? [], next: r.NextMarker };
  });
  return mapAll(fns.filter((f) => f.FunctionArn), async (f) => {
    const arn = f.FunctionArn!;
    const [tags, policy] = await Promise.all([
      readTags(ctx, 'lambda:ListTags', arn, async () => ({ ...(await ctx.clients.lambda.send(new ListTagsCommand({ Resource: arn }))).Tags })),
      readPolicy(ctx, 'lambda:GetPolicy', arn, async () => (await ctx.clients.lambda.send(new GetPolicyCommand({ FunctionName: arn }))).Policy, ['ResourceNotFoundException']),
    ]);
    return { arn, ...(f.FunctionName ? { name: f.FunctionName } : {}), tags, ...policy, ...(f.Role ? { role: f.Role } : {}) };
  });
};

const ecs: ServiceReader = async (ctx) => {
  const clusterArns = await pages<string>(ctx, 'ecs', async (t) => {
    const r = await ctx.clients.ecs.send(new ListEcsClustersCommand({ ...(t ? { nextToken: t } : {}) }));
    return { items: r.clusterArns ?? [], next: r.nextToken };
  });
  const out: RawResource[] = [];
  // DescribeClusters and DescribeServices take at most 100 and 10 names.
  for (let i = 0; i < clusterArns.length; i += 100) {
    const r = await ctx.run(() => ctx.clients.ecs.send(new DescribeClustersCommand({ clusters: clusterArns.slice(i, i + 100), include: ['TAGS'] })));
    for (const c of r.clusters ?? []) if (c.clusterArn) out.push({ arn: c.clusterArn, ...(c.clusterName ? { name: c.clusterName } : {}), tags: tagList(c.tags) });
  }
  for (const cluster of clusterArns) {
    const serviceArns = await pages<string>(ctx, 'ecs', async (t) => {
      const r = await ctx.clients.ecs.send(new ListServicesCommand({ cluster, ...(t ? { nextToken: t } : {}) }));
      return { items: r.serviceArns ?? [], next: r.nextToken };
    });
    for (let i = 0; i < serviceArns.length; i += 10) {
      const r = await ctx.run(() => ctx.clients.ecs.send(new DescribeServicesCommand({ cluster, services: serviceArns.slice(i, i + 10), include: ['TAGS'] })));
      for (const s of r.services ?? []) if (s.serviceArn) out.push({ arn: s.serviceArn, ...(s.serviceName ? { name: s.serviceName } : {}), tags: tagList(s.tags) });
    }
  }
  return out;
};

const eks: ServiceReader = async (ctx) => {
  const names = await pages<string>(ctx, 'eks', async (t) => {
    const r = await ctx.clients.eks.send(new ListEksClustersCommand({ ...(t ? { nextToken: t } : {}) }));
    return { items: r.clusters ?? [], next: r.nextToken };
  });
  const described = await mapAll(names, async (name) => (await ctx.run(() => ctx.clients.eks.send(new DescribeClusterCommand({ name })))).cluster);
  return described.filter((c) => c?.arn).map((c) => ({ arn: c!.arn!, ...(c!.name ? { name: c!.name } : {}), tags: { ...c!.tags } }));
};

const kms: ServiceReader = async (ctx) => {
  const keys = await pages(ctx, 'kms', async (t) => {
    const r = await ctx.clients.kms.send(new ListKeysCommand({ ...(t ? { Marker: t } : {}) }));
    return { items: r.Keys ?? [], next: r.Truncated ? r.NextMarker : undefined };
  });
  return mapAll(keys.filter((k) => k.KeyArn && k.KeyId), async (k) => {
    const arn = k.KeyArn!;
    const [tags, policy] = await Promise.all([
      readTags(ctx, 'kms:ListResourceTags', arn, async () => tagList((await ctx.clients.kms.send(new ListResourceTagsCommand({ KeyId: k.KeyId! }))).Tags?.map((t) => ({ Key: t.TagKey, Value: t.TagValue })))),
      // Every key has a key policy: none back is unknown, never "no policy".
      readPolicy(ctx, 'kms:GetKeyPolicy', arn, async () => (await ctx.clients.kms.send(new GetKeyPolicyCommand({ KeyId: k.KeyId!, PolicyName: 'default' }))).Policy, [], true),
    ]);
    return { arn, name: k.KeyId!, tags, ...policy };
  });
};

const secretsmanager: ServiceReader = async (ctx) => {
  const secrets = await pages(ctx, 'secretsmanager', async (t) => {
    const r = await ctx.clients.secretsManager.send(new ListSecretsCommand({ ...(t ? { NextToken: t } : {}) }));
    return { items: r.SecretList ?? [], next: r.NextToken };
  });
  return mapAll(secrets.filter((s) => s.ARN), async (s) => {
    const arn = s.ARN!;
    const policy = await readPolicy(ctx, 'secretsmanager:GetResourcePolicy', arn, async () => (await ctx.clients.secretsManager.send(new GetResourcePolicyCommand({ SecretId: arn }))).ResourcePolicy, []);
    return { arn, ...(s.Name ? { name: s.Name } : {}), tags: tagList(s.Tags), ...policy };
  });
};

const sqs: ServiceReader = async (ctx) => {
  const urls = await pages<string>(ctx, 'sqs', async (t) => {
    const r = await ctx.clients.sqs.send(new ListQueuesCommand({ MaxResults: 1000, ...(t ? { NextToken: t } : {}) }));
    return { items: r.QueueUrls ?? [], next: r.NextToken };
  });
  const out = await mapAll(urls, async (url): Promise<RawResource | undefined> => {
    // Only QueueArn and Policy: never message-level attributes.
    const attrs = (await ctx.run(() => ctx.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn', 'Policy'] })))).Attributes ?? {};
    const arn = attrs.QueueArn;
    if (!arn) return undefined;
    const tags = await readTags(ctx, 'sqs:ListQueueTags', arn, async () => ({ ...(await ctx.clients.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags }));
    return { arn, tags, ...(attrs.Policy ? { policy: attrs.Policy } : {}) };
  });
  return out.filter((r): r is RawResource => r !== undefined);
};

const sns: ServiceReader = async (ctx) => {
  const topics = await pages(ctx, 'sns', async (t) => {
    const r = await ctx.clients.sns.send(new ListTopicsCommand({ ...(t ? { NextToken: t } : {}) }));
    return { items: r.Topics ?? [], next: r.NextToken };
  });
  return mapAll(topics.filter((t) => t.TopicArn), async (t) => {
    const arn = t.TopicArn!;
    const [tags, policy] = await Promise.all([
      readTags(ctx, 'sns:ListTagsForResource', arn, async () => tagList((await ctx.clients.sns.send(new ListSnsTagsCommand({ ResourceArn: arn }))).Tags)),
      readPolicy(ctx, 'sns:GetTopicAttributes', arn, async () => (await ctx.clients.sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes?.['Policy'], []),
    ]);
    return { arn, tags, ...policy };
  });
};

const ecr: ServiceReader = async (ctx) => {
  const repos = await pages(ctx, 'ecr', async (t) => {
    const r = await ctx.clients.ecr.send(new DescribeRepositoriesCommand({ ...(t ? { nextToken: t } : {}) }));
    return { items: r.repositories ?? [], next: r.nextToken };
  });
  return mapAll(repos.filter((r) => r.repositoryArn), async (r) => {
    const arn = r.repositoryArn!;
    const [tags, policy] = await Promise.all([
      readTags(ctx, 'ecr:ListTagsForResource', arn, async () => tagList((await ctx.clients.ecr.send(new ListEcrTagsCommand({ resourceArn: arn }))).tags)),
      readPolicy(ctx, 'ecr:GetRepositoryPolicy', arn, async () => (await ctx.clients.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: r.repositoryName!, ...(r.registryId ? { registryId: r.registryId } : {}) }))).policyText, ['RepositoryPolicyNotFoundException']),
    ]);
    return { arn, ...(r.repositoryName ? { name: r.repositoryName } : {}), tags, ...policy };
  });
};

/** Regional services, by the inventory type(s) each yields. */
export const REGIONAL_READERS: readonly { readonly service: string; readonly types: readonly ResourceType[]; readonly read: ServiceReader }[] = [
  { service: 'cloudformation', types: ['cloudformation:stack'], read: cloudformation },
  { service: 'dynamodb', types: ['dynamodb:table'], read: dynamodb },
  { service: 'rds', types: ['rds:db', 'rds:cluster'], read: rds },
  { service: 'lambda', types: ['lambda:function'], read: lambda },
  { service: 'ecs', types: ['ecs:cluster', 'ecs:service'], read: ecs },
  { service: 'eks', types: ['eks:cluster'], read: eks },
  { service: 'kms', types: ['kms:key'], read: kms },
  { service: 'secretsmanager', types: ['secretsmanager:secret'], read: secretsmanager },
  { service: 'sqs', types: ['sqs:queue'], read: sqs },
  { service: 'sns', types: ['sns:topic'], read: sns },
  { service: 'ecr', types: ['ecr:repository'], read: ecr },
];

/** S3 is global: buckets are listed once, each read in its own region (redirects followed). */
export const s3: ServiceReader = async (ctx) => {
  const buckets = await pages(ctx, 's3', async (t) => {
    const r = await ctx.clients.s3.send(new ListBucketsCommand({ ...(t ? { ContinuationToken: t } : {}) }));
    return { items: r.Buckets ?? [], next: r.ContinuationToken };
  });
  return mapAll(buckets.filter((b) => b.Name), async (b) => {
    const name = b.Name!;
    const arn = `arn:${ctx.partition}:s3:::${name}`;
    let region = b.BucketRegion;
    if (!region) {
      try {
        // us-east-1 answers an empty LocationConstraint (and "EU" is the old name of eu-west-1).
        const loc = (await ctx.run(() => ctx.clients.s3.send(new GetBucketLocationCommand({ Bucket: name })))).LocationConstraint as string | undefined;
        region = !loc ? 'us-east-1' : loc === 'EU' ? 'eu-west-1' : loc;
      } catch (e) {
        policyReadFailed(ctx, 's3:GetBucketLocation', arn, e);
      }
    }
    const [tags, policy] = await Promise.all([
      readTags(ctx, 's3:GetBucketTagging', arn, async () => {
        try {
          return tagList((await ctx.clients.s3.send(new GetBucketTaggingCommand({ Bucket: name }))).TagSet);
        } catch (e) {
          if (errorName(e) === 'NoSuchTagSet' || errorName(e) === 'NoSuchTagSetError') return {};
          throw e;
        }
      }),
      readPolicy(ctx, 's3:GetBucketPolicy', arn, async () => (await ctx.clients.s3.send(new GetBucketPolicyCommand({ Bucket: name }))).Policy, ['NoSuchBucketPolicy']),
    ]);
    return { arn, name, account: ctx.account, ...(region ? { region } : {}), tags, ...policy };
  });
};
