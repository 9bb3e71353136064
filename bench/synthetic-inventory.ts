// A synthetic AWS Config configuration snapshot of N resources across the 14 inventoried types
// (plus a share of other types, as real snapshots have), with tags (a third production) and
// resource-based policies where the type has one. Deterministic for a given N, for benchmarks of
// the inventory readers and of the blast-radius analysis.
const TYPES = [
  ['AWS::CloudFormation::Stack', 12], ['AWS::S3::Bucket', 14], ['AWS::DynamoDB::Table', 8], ['AWS::RDS::DBInstance', 3], ['AWS::RDS::DBCluster', 2],
  ['AWS::Lambda::Function', 20], ['AWS::ECS::Cluster', 2], ['AWS::ECS::Service', 6], ['AWS::EKS::Cluster', 1], ['AWS::KMS::Key', 6],
  ['AWS::SecretsManager::Secret', 8], ['AWS::SQS::Queue', 7], ['AWS::SNS::Topic', 5], ['AWS::ECR::Repository', 4], ['AWS::EC2::Instance', 12],
] as const;

export function syntheticConfigSnapshot(n: number, account = '111122223333', region = 'us-east-1'): { fileVersion: string; configSnapshotId: string; configurationItems: unknown[] } {
  const total = TYPES.reduce((s, [, w]) => s + w, 0);
  const items: unknown[] = [];
  const other = '444455556666';
  const pol = (stmts: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: stmts });
  for (let i = 0; i < n; i++) {
    let pick = (i * 7919) % total;
    let type: string = TYPES[0][0];
    for (const [t, w] of TYPES) {
      if (pick < w) { type = t; break; }
      pick -= w;
    }
    const env = i % 3 === 0 ? 'prod' : i % 3 === 1 ? 'staging' : 'dev';
    const name = `${env}-${type.split('::')[2]!.toLowerCase()}-${i}`;
    const base = { configurationItemVersion: '1.3', awsAccountId: account, configurationItemStatus: 'OK', resourceType: type, resourceId: name, resourceName: name, awsRegion: region, tags: { env, team: `team-${i % 17}` }, relationships: [], relatedEvents: [] };
    const arnOf: Record<string, string> = {
      'AWS::CloudFormation::Stack': `arn:aws:cloudformation:${region}:${account}:stack/${name}/0000${i}`,
      'AWS::S3::Bucket': `arn:aws:s3:::${name}`,
      'AWS::DynamoDB::Table': `arn:aws:dynamodb:${region}:${account}:table/${name}`,
      'AWS::RDS::DBInstance': `arn:aws:rds:${region}:${account}:db:${name}`,
      'AWS::RDS::DBCluster': `arn:aws:rds:${region}:${account}:cluster:${name}`,
      'AWS::Lambda::Function': `arn:aws:lambda:${region}:${account}:function:${name}`,
      'AWS::ECS::Cluster': `arn:aws:ecs:${region}:${account}:cluster/${name}`,
      'AWS::ECS::Service': `arn:aws:ecs:${region}:${account}:service/cluster-${i % 5}/${name}`,
      'AWS::EKS::Cluster': `arn:aws:eks:${region}:${account}:cluster/${name}`,
      'AWS::KMS::Key': `arn:aws:kms:${region}:${account}:key/00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      'AWS::SecretsManager::Secret': `arn:aws:secretsmanager:${region}:${account}:secret:${env}/${name}-AbCdEf`,
      'AWS::SQS::Queue': `arn:aws:sqs:${region}:${account}:${name}`,
      'AWS::SNS::Topic': `arn:aws:sns:${region}:${account}:${name}`,
      'AWS::ECR::Repository': `arn:aws:ecr:${region}:${account}:repository/${name}`,
      'AWS::EC2::Instance': `arn:aws:ec2:${region}:${account}:instance/i-${i}`,
    };
    const ARN = arnOf[type]!;
    const configuration: Record<string, unknown> = { name };
    const supplementaryConfiguration: Record<string, unknown> = {};
    const grant = (action: string) => pol([{ Sid: 'Cross', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${other}:root` }, Action: action, Resource: ARN }]);
    if (type === 'AWS::S3::Bucket') supplementaryConfiguration['BucketPolicy'] = { policyText: i % 4 === 0 ? pol([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${other}:root` }, Action: 's3:GetObject', Resource: `${ARN}/*` }]) : null };
    if (type === 'AWS::Lambda::Function' && i % 2 === 0) supplementaryConfiguration['Policy'] = pol([{ Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: ARN }]);
    if (type === 'AWS::KMS::Key') configuration['KeyPolicy'] = pol([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }]);
    if (type === 'AWS::SecretsManager::Secret') configuration['ResourcePolicy'] = i % 5 === 0 ? grant('secretsmanager:GetSecretValue') : null;
    if (type === 'AWS::SQS::Queue' && i % 3 === 0) configuration['Policy'] = grant('sqs:SendMessage');
    if (type === 'AWS::SNS::Topic') configuration['Policy'] = grant('sns:Publish');
    if (type === 'AWS::ECR::Repository' && i % 2 === 0) configuration['RepositoryPolicyText'] = grant('ecr:BatchGetImage');
    items.push({ ...base, ARN, configuration, supplementaryConfiguration });
  }
  return { fileVersion: '1.0', configSnapshotId: 'bench', configurationItems: items };
}
