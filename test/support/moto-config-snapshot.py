# Writes what moto holds for one account as an AWS Config configuration snapshot, in the shape
# Config delivers to S3 (fileVersion, configSnapshotId, configurationItems with ARN, awsAccountId,
# awsRegion, tags as a map, configuration as an object, supplementaryConfiguration). Read with
# boto3 (the test's setup side), never with leash. S3 bucket policies go to
# supplementaryConfiguration.BucketPolicy.policyText and Lambda permissions to
# supplementaryConfiguration.Policy, as Config records them; the other policies to the
# configuration keys leash reads (CloudFormation property names). A deleted stack and a resource
# type leash does not inventory are added, as a real snapshot has them.
import json
A = INPUT['account']; C = INPUT.get('creds'); R = 'us-east-1'
def c(name): return client(name, C, R)
items = []
def ci(rtype, arn, rid, name, tags, configuration, supplementary=None, status='OK', region=R):
    items.append({'configurationItemVersion': '1.3', 'configurationItemCaptureTime': '2026-12-01T00:00:00.000Z', 'configurationStateId': 1,
        'awsAccountId': A, 'configurationItemStatus': status, 'resourceType': rtype, 'resourceId': rid, 'resourceName': name, 'ARN': arn,
        'awsRegion': region, 'availabilityZone': 'Regional', 'configurationStateMd5Hash': '', 'tags': tags, 'relatedEvents': [], 'relationships': [],
        'configuration': configuration, 'supplementaryConfiguration': supplementary or {}})
tagmap = lambda l, k='Key', v='Value': {t[k]: t[v] for t in (l or [])}

for s in c('cloudformation').describe_stacks()['Stacks']:
    ci('AWS::CloudFormation::Stack', s['StackId'], s['StackId'], s['StackName'], tagmap(s.get('Tags')), dict({'stackName': s['StackName'], 'stackStatus': s['StackStatus']}, **({'roleARN': s['RoleARN']} if s.get('RoleARN') else {})))
s3 = c('s3')
for b in s3.list_buckets()['Buckets']:
    n = b['Name']
    try: p = s3.get_bucket_policy(Bucket=n)['Policy']
    except Exception: p = None
    try: t = tagmap(s3.get_bucket_tagging(Bucket=n)['TagSet'])
    except Exception: t = {}
    ci('AWS::S3::Bucket', f'arn:aws:s3:::{n}', n, n, t, {'name': n, 'owner': {'id': 'x'}}, {'BucketPolicy': {'policyText': p}, 'AccessControlList': json.dumps(json.dumps({'grantList': []}))})
ddb = c('dynamodb')
for n in ddb.list_tables()['TableNames']:
    d = ddb.describe_table(TableName=n)['Table']
    try: p = json.loads(ddb.get_resource_policy(ResourceArn=d['TableArn'])['Policy'])
    except Exception: p = None
    conf = {'tableName': n, 'tableStatus': d['TableStatus']}
    if p: conf['ResourcePolicy'] = {'PolicyDocument': p}
    ci('AWS::DynamoDB::Table', d['TableArn'], n, n, tagmap(ddb.list_tags_of_resource(ResourceArn=d['TableArn'])['Tags']), conf)
rds = c('rds')
for d in rds.describe_db_instances()['DBInstances']:
    ci('AWS::RDS::DBInstance', d['DBInstanceArn'], d.get('DbiResourceId', d['DBInstanceIdentifier']), d['DBInstanceIdentifier'], tagmap(d.get('TagList')), {'dBInstanceIdentifier': d['DBInstanceIdentifier']})
for d in rds.describe_db_clusters()['DBClusters']:
    ci('AWS::RDS::DBCluster', d['DBClusterArn'], d.get('DbClusterResourceId', d['DBClusterIdentifier']), d['DBClusterIdentifier'], tagmap(d.get('TagList')), {'dBClusterIdentifier': d['DBClusterIdentifier']})
lam = c('lambda')
for f in lam.list_functions()['Functions']:
    try: p = lam.get_policy(FunctionName=f['FunctionArn'])['Policy']
    except Exception: p = None
    ci('AWS::Lambda::Function', f['FunctionArn'], f['FunctionName'], f['FunctionName'], lam.list_tags(Resource=f['FunctionArn']).get('Tags', {}), {'functionName': f['FunctionName'], 'runtime': f.get('Runtime'), 'role': f['Role']}, {'Policy': p} if p else {})
ecs = c('ecs')
arns = ecs.list_clusters()['clusterArns']
for cl in ecs.describe_clusters(clusters=arns, include=['TAGS'])['clusters'] if arns else []:
    ci('AWS::ECS::Cluster', cl['clusterArn'], cl['clusterName'], cl['clusterName'], tagmap(cl.get('tags'), 'key', 'value'), {'ClusterName': cl['clusterName']})
    svcs = ecs.list_services(cluster=cl['clusterArn'])['serviceArns']
    for s in ecs.describe_services(cluster=cl['clusterArn'], services=svcs, include=['TAGS'])['services'] if svcs else []:
        ci('AWS::ECS::Service', s['serviceArn'], s['serviceArn'], s['serviceName'], tagmap(s.get('tags'), 'key', 'value'), {'ServiceName': s['serviceName']})
eks = c('eks')
for n in eks.list_clusters()['clusters']:
    d = eks.describe_cluster(name=n)['cluster']
    ci('AWS::EKS::Cluster', d['arn'], n, n, d.get('tags', {}), {'Name': n})
kms = c('kms')
for k in kms.list_keys()['Keys']:
    p = kms.get_key_policy(KeyId=k['KeyId'], PolicyName='default')['Policy']
    t = {x['TagKey']: x['TagValue'] for x in kms.list_resource_tags(KeyId=k['KeyId']).get('Tags', [])}
    ci('AWS::KMS::Key', k['KeyArn'], k['KeyId'], None, t, {'KeyId': k['KeyId'], 'KeyPolicy': json.loads(p)})
sm = c('secretsmanager')
for s in sm.list_secrets()['SecretList']:
    p = sm.get_resource_policy(SecretId=s['ARN']).get('ResourcePolicy')
    ci('AWS::SecretsManager::Secret', s['ARN'], s['ARN'], s['Name'], tagmap(s.get('Tags')), {'Name': s['Name'], 'ResourcePolicy': p})
sqs = c('sqs')
for u in sqs.list_queues().get('QueueUrls', []):
    a = sqs.get_queue_attributes(QueueUrl=u, AttributeNames=['All'])['Attributes']
    conf = {'QueueUrl': u, 'QueueArn': a['QueueArn']}
    if 'Policy' in a: conf['Policy'] = a['Policy']
    ci('AWS::SQS::Queue', a['QueueArn'], u, a['QueueArn'].split(':')[-1], sqs.list_queue_tags(QueueUrl=u).get('Tags', {}), conf)
sns = c('sns')
for t in sns.list_topics()['Topics']:
    a = sns.get_topic_attributes(TopicArn=t['TopicArn'])['Attributes']
    ci('AWS::SNS::Topic', t['TopicArn'], t['TopicArn'], t['TopicArn'].split(':')[-1], tagmap(sns.list_tags_for_resource(ResourceArn=t['TopicArn']).get('Tags')), {'TopicArn': t['TopicArn'], 'Policy': a.get('Policy')})
ecr = c('ecr')
for r in ecr.describe_repositories()['repositories']:
    try: p = ecr.get_repository_policy(repositoryName=r['repositoryName'])['policyText']
    except Exception: p = None
    ci('AWS::ECR::Repository', r['repositoryArn'], r['repositoryName'], r['repositoryName'], tagmap(ecr.list_tags_for_resource(resourceArn=r['repositoryArn']).get('tags')), {'RepositoryName': r['repositoryName'], 'RepositoryPolicyText': json.loads(p) if p else None})
# What a real snapshot also holds: another type, and a deleted stack.
ci('AWS::EC2::VPC', f'arn:aws:ec2:{R}:{A}:vpc/vpc-0123', 'vpc-0123', None, {}, {'cidrBlock': '10.0.0.0/16'})
ci('AWS::CloudFormation::Stack', f'arn:aws:cloudformation:{R}:{A}:stack/gone/0000', 'x', 'gone', {}, None, None, 'ResourceDeleted')
print(json.dumps({'fileVersion': '1.0', 'configSnapshotId': '16da64e4-cb65-4846-b061-e6c3ba43cb96', 'configurationItems': items}))
