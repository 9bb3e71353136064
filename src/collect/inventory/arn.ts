// Resource ARNs → the inventory's resource types. IAM evaluates requests against these ARNs, so
// the type, name, account and region are read from the ARN itself and never from a separate field
// that could disagree with it.
import type { ResourceType } from '../../model/inventory.js';

export interface ArnParts {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

const ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/;

export function splitArn(arn: string): ArnParts | undefined {
  const m = ARN.exec(arn);
  if (!m) return undefined;
  return { partition: m[1]!, service: m[2]!, region: m[3]!, account: m[4]!, resource: m[5]! };
}

export interface ArnResource {
  readonly type: ResourceType;
  /** The ARN IAM evaluates against (a Lambda version or alias qualifier is dropped: permissions are read per function). */
  readonly arn: string;
  readonly name: string;
  readonly account: string;
  readonly region: string;
}

// Secrets Manager appends "-" and six random characters to the secret's name in its ARN.
const SECRET_SUFFIX = /-[A-Za-z0-9]{6}$/;

/** The resource an ARN names, when it is one of RESOURCE_TYPES; undefined otherwise. */
export function resourceFromArn(arn: string): ArnResource | undefined {
  const p = splitArn(arn);
  if (!p) return undefined;
  const { service, region, account, resource } = p;
  const regional = region !== '' && account !== '';
  const at = (type: ResourceType, name: string, canonical = arn): ArnResource | undefined => (name === '' ? undefined : { type, arn: canonical, name, account, region });
  const slash = (prefix: string): string | undefined => (resource.startsWith(prefix) ? resource.slice(prefix.length) : undefined);
  switch (service) {
    case 's3':
      // Buckets only: no region, no account, no "/" (that would be an object).
      return region === '' && account === '' && /^[^/]+$/.test(resource) ? at('s3:bucket', resource) : undefined;
    case 'cloudformation': {
      const rest = regional ? slash('stack/') : undefined;
      return rest === undefined ? undefined : at('cloudformation:stack', rest.split('/')[0] ?? '');
    }
    case 'dynamodb': {
      const rest = regional ? slash('table/') : undefined;
      return rest === undefined || rest.includes('/') ? undefined : at('dynamodb:table', rest);
    }
    case 'rds': {
      if (!regional) return undefined;
      if (resource.startsWith('db:')) return at('rds:db', resource.slice(3));
      if (resource.startsWith('cluster:')) return at('rds:cluster', resource.slice(8));
      return undefined;
    }
    case 'lambda': {
      const m = regional ? /^function:([^:]+)(?::[^:]+)?$/.exec(resource) : null;
      return m ? at('lambda:function', m[1]!, `arn:${p.partition}:lambda:${region}:${account}:function:${m[1]!}`) : undefined;
    }
    case 'ecs': {
      if (!regional) return undefined;
      const cluster = slash('cluster/');
      if (cluster !== undefined) return cluster.includes('/') ? undefined : at('ecs:cluster', cluster);
      const service = slash('service/');
      // service/<cluster>/<name> (long ARN format) or service/<name> (the old format).
      if (service !== undefined) return at('ecs:service', service.split('/').pop() ?? '');
      return undefined;
    }
    case 'eks': {
      const rest = regional ? slash('cluster/') : undefined;
      return rest === undefined || rest.includes('/') ? undefined : at('eks:cluster', rest);
    }
    case 'kms': {
      const rest = regional ? slash('key/') : undefined;
      return rest === undefined || rest.includes('/') ? undefined : at('kms:key', rest);
    }
    case 'secretsmanager': {
      const rest = regional && resource.startsWith('secret:') ? resource.slice(7) : undefined;
      return rest === undefined ? undefined : at('secretsmanager:secret', rest.replace(SECRET_SUFFIX, ''));
    }
    case 'sqs':
      return regional && !resource.includes(':') && !resource.includes('/') ? at('sqs:queue', resource) : undefined;
    case 'sns':
      // A topic; "topic:subscription-id" is a subscription.
      return regional && !resource.includes(':') && !resource.includes('/') ? at('sns:topic', resource) : undefined;
    case 'ecr': {
      const rest = regional ? slash('repository/') : undefined;
      return rest === undefined ? undefined : at('ecr:repository', rest);
    }
    default:
      return undefined;
  }
}
