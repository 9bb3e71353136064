// A synthetic resource inventory beside the synthetic account: N resources over every inventoried
// type (names that match the account's own `bucket-N/*` and `table/tN` grants), a third tagged
// production, one in ten with a resource policy (naming a principal, the account, another account
// or anyone), deterministic from a seed.
import type { Resource, ResourceInventory, ResourceType } from '../src/model/inventory.js';
import { RESOURCE_TYPES } from '../src/model/inventory.js';
import { parsePolicy } from '../src/iam/parse.js';
import { BENCH_ACCOUNT } from './synthetic-account.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function arnOf(type: ResourceType, name: string): string {
  const a = BENCH_ACCOUNT, reg = 'us-east-1';
  switch (type) {
    case 'cloudformation:stack': return `arn:aws:cloudformation:${reg}:${a}:stack/${name}/00000000-0000-0000-0000-000000000000`;
    case 's3:bucket': return `arn:aws:s3:::${name}`;
    case 'dynamodb:table': return `arn:aws:dynamodb:${reg}:${a}:table/${name}`;
    case 'rds:db': return `arn:aws:rds:${reg}:${a}:db:${name}`;
    case 'rds:cluster': return `arn:aws:rds:${reg}:${a}:cluster:${name}`;
    case 'lambda:function': return `arn:aws:lambda:${reg}:${a}:function:${name}`;
    case 'ecs:cluster': return `arn:aws:ecs:${reg}:${a}:cluster/${name}`;
    case 'ecs:service': return `arn:aws:ecs:${reg}:${a}:service/c/${name}`;
    case 'eks:cluster': return `arn:aws:eks:${reg}:${a}:cluster/${name}`;
    case 'kms:key': return `arn:aws:kms:${reg}:${a}:key/${name}`;
    case 'secretsmanager:secret': return `arn:aws:secretsmanager:${reg}:${a}:secret:${name}-AbCdEf`;
    case 'sqs:queue': return `arn:aws:sqs:${reg}:${a}:${name}`;
    case 'sns:topic': return `arn:aws:sns:${reg}:${a}:${name}`;
    case 'ecr:repository': return `arn:aws:ecr:${reg}:${a}:repository/${name}`;
  }
}

export function syntheticInventory(n: number, principals: readonly string[], seed = 7): ResourceInventory {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const resources: Resource[] = [];
  for (let i = 0; i < n; i++) {
    const type = RESOURCE_TYPES[i % RESOURCE_TYPES.length]!;
    const name = type === 's3:bucket' ? `bucket-${i}` : type === 'dynamodb:table' ? `t${i}` : `${type.split(':')[1]}-${i}`;
    const prod = r() < 0.33;
    let policy: Resource['policy'];
    if (type === 'kms:key' || r() < 0.1) {
      const k = r();
      const principal = type === 'kms:key' || k < 0.4 ? { AWS: `arn:aws:iam::${BENCH_ACCOUNT}:root` } : k < 0.7 ? { AWS: pick(principals) } : k < 0.9 ? { AWS: '444455556666' } : '*';
      const parsed = parsePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: type === 'kms:key' ? 'kms:*' : `${type.split(':')[0]}:*`, Resource: '*' }] }, 'any');
      if (parsed.ok) policy = parsed.document;
    }
    resources.push({ arn: arnOf(type, name), type, name, account: BENCH_ACCOUNT, region: 'us-east-1', tags: prod ? { env: 'prod' } : { env: 'dev' }, ...(policy ? { policy } : {}) });
  }
  return { resources, sources: [{ kind: 'inventory-file' as never, location: 'synthetic', status: 'ok' }], errors: [] };
}
