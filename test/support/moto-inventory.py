# Test setup for the resource inventory (leash itself only reads): in moto, for one account,
# stacks, buckets with policies, tables, DB instances and clusters, functions with permissions,
# ECS clusters/services, EKS clusters, KMS keys, secrets, queues, topics and repositories, with
# tags (some hostile). INPUT = {"account": "...", "prefix": "...", "creds": {...} | null}.
import json, zipfile, io
A = INPUT['account']; P = INPUT['prefix']; C = INPUT.get('creds'); R = 'us-east-1'
def c(name, region=R): return client(name, C, region)
def pol(stmts): return json.dumps({'Version': '2012-10-17', 'Statement': stmts})
other = '444455556666'
out = {}

cf = c('cloudformation')
tmpl = json.dumps({'AWSTemplateFormatVersion': '2010-09-09', 'Resources': {'Q': {'Type': 'AWS::SQS::Queue', 'Properties': {'QueueName': P + '-stack-q'}}}})
# The prod stack runs with a service role (what `cloudformation:UpdateStack` on it lets a caller act as).
cfn_role = c('iam').create_role(RoleName=P + '-cfn-role', AssumeRolePolicyDocument=pol([{'Effect': 'Allow', 'Principal': {'Service': 'cloudformation.amazonaws.com'}, 'Action': 'sts:AssumeRole'}]))['Role']['Arn']
for name, env in [(P + '-api-prod', 'prod'), (P + '-api-staging', 'staging')]:
    cf.create_stack(StackName=name, TemplateBody=tmpl, Tags=[{'Key': 'env', 'Value': env}], **({'RoleARN': cfn_role} if env == 'prod' else {}))

s3 = c('s3')
s3.create_bucket(Bucket=P + '-prod-data')
s3.put_bucket_policy(Bucket=P + '-prod-data', Policy=pol([{'Sid': 'Partner', 'Effect': 'Allow', 'Principal': {'AWS': f'arn:aws:iam::{other}:root'}, 'Action': 's3:GetObject', 'Resource': f'arn:aws:s3:::{P}-prod-data/*'}]))
s3.put_bucket_tagging(Bucket=P + '-prod-data', Tagging={'TagSet': [{'Key': 'env', 'Value': 'production'}, {'Key': 'evil', 'Value': 'x\u202eevil'}]})
s3.create_bucket(Bucket=P + '-no-policy')

ddb = c('dynamodb')
t = ddb.create_table(TableName=P + '-orders-prod', KeySchema=[{'AttributeName': 'id', 'KeyType': 'HASH'}], AttributeDefinitions=[{'AttributeName': 'id', 'AttributeType': 'S'}], BillingMode='PAY_PER_REQUEST', Tags=[{'Key': 'env', 'Value': 'prod'}])
ddb.put_resource_policy(ResourceArn=t['TableDescription']['TableArn'], Policy=pol([{'Effect': 'Allow', 'Principal': {'AWS': f'arn:aws:iam::{other}:root'}, 'Action': 'dynamodb:GetItem', 'Resource': t['TableDescription']['TableArn']}]))

rds = c('rds')
rds.create_db_instance(DBInstanceIdentifier=P + '-db', DBInstanceClass='db.t3.micro', Engine='postgres', MasterUsername='admin1', MasterUserPassword='not-a-real-pass-123', AllocatedStorage=20, Tags=[{'Key': 'env', 'Value': 'prod'}])
rds.create_db_cluster(DBClusterIdentifier=P + '-aurora', Engine='aurora-postgresql', MasterUsername='admin1', MasterUserPassword='not-a-real-pass-123', Tags=[{'Key': 'env', 'Value': 'prod'}])

iam = c('iam')
role = iam.create_role(RoleName=P + '-fn-role', AssumeRolePolicyDocument=pol([{'Effect': 'Allow', 'Principal': {'Service': 'lambda.amazonaws.com'}, 'Action': 'sts:AssumeRole'}]))['Role']['Arn']
buf = io.BytesIO()
with zipfile.ZipFile(buf, 'w') as z: z.writestr('index.py', 'def handler(e, c): return 1\n')
lam = c('lambda')
lam.create_function(FunctionName=P + '-orders-api', Runtime='python3.12', Role=role, Handler='index.handler', Code={'ZipFile': buf.getvalue()}, Tags={'env': 'prod', 'evil': 'a\x1b]52;c;QUFB\x07b'})
lam.add_permission(FunctionName=P + '-orders-api', StatementId='apigw', Action='lambda:InvokeFunction', Principal='apigateway.amazonaws.com', SourceArn=f'arn:aws:execute-api:{R}:{A}:abc123/*')
lam.create_function(FunctionName=P + '-no-perm', Runtime='python3.12', Role=role, Handler='index.handler', Code={'ZipFile': buf.getvalue()})

ecs = c('ecs')
ecs.create_cluster(clusterName=P + '-prod', tags=[{'key': 'env', 'value': 'prod'}])
ecs.register_task_definition(family=P + '-td', containerDefinitions=[{'name': 'app', 'image': 'nginx', 'memory': 128}])
ecs.create_service(cluster=P + '-prod', serviceName=P + '-svc', taskDefinition=P + '-td', desiredCount=0, tags=[{'key': 'env', 'value': 'prod'}])

eks = c('eks')
eks.create_cluster(name=P + '-eks', roleArn=role, resourcesVpcConfig={'subnetIds': []}, tags={'env': 'prod'})

kms = c('kms')
key = kms.create_key(Description='prod data', Tags=[{'TagKey': 'env', 'TagValue': 'prod'}], Policy=pol([{'Sid': 'Root', 'Effect': 'Allow', 'Principal': {'AWS': f'arn:aws:iam::{A}:root'}, 'Action': 'kms:*', 'Resource': '*'}]))['KeyMetadata']

sm = c('secretsmanager')
sec = sm.create_secret(Name=P + '/db', SecretString='not-read-by-leash', Tags=[{'Key': 'env', 'Value': 'prod'}])
sm.put_resource_policy(SecretId=sec['ARN'], ResourcePolicy=pol([{'Effect': 'Allow', 'Principal': {'AWS': f'arn:aws:iam::{other}:root'}, 'Action': 'secretsmanager:GetSecretValue', 'Resource': '*'}]))
sm.create_secret(Name=P + '/plain', SecretString='x')

sqs = c('sqs')
q = sqs.create_queue(QueueName=P + '-jobs', tags={'env': 'prod'})['QueueUrl']
qarn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=['QueueArn'])['Attributes']['QueueArn']
sqs.set_queue_attributes(QueueUrl=q, Attributes={'Policy': pol([{'Effect': 'Allow', 'Principal': {'Service': 'sns.amazonaws.com'}, 'Action': 'sqs:SendMessage', 'Resource': qarn}])})

sns = c('sns')
topic = sns.create_topic(Name=P + '-alerts', Tags=[{'Key': 'env', 'Value': 'prod'}])['TopicArn']
sns.set_topic_attributes(TopicArn=topic, AttributeName='Policy', AttributeValue=pol([{'Effect': 'Allow', 'Principal': {'AWS': f'arn:aws:iam::{other}:root'}, 'Action': 'sns:Publish', 'Resource': topic}]))

ecr = c('ecr')
ecr.create_repository(repositoryName=P + '/api', tags=[{'Key': 'env', 'Value': 'prod'}])
ecr.set_repository_policy(repositoryName=P + '/api', policyText=pol([{'Sid': 'Pull', 'Effect': 'Allow', 'Principal': {'AWS': f'arn:aws:iam::{other}:root'}, 'Action': 'ecr:BatchGetImage'}]))
print(json.dumps({'ok': True}))
