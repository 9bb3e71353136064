#!/usr/bin/env python3
"""Writes demo/cloudtrail/: 30 days of CloudTrail delivery files (S3 layout) for the demo account.
Deterministic; re-run after changing the story. The story: kiro-agent does reads and one config
change for a Cost Explorer bug; an engineer's SSO admin session is driven by Claude Code (AWS CLI
user agent code AN) and deletes and recreates the environment's stack."""
import gzip, json, os, random
from datetime import datetime, timedelta, timezone

ACCT = '111122223333'
REGION = 'us-east-1'
OUT = os.path.join(os.path.dirname(__file__), '..', 'demo', 'cloudtrail')
random.seed(7)
END = datetime(2026, 11, 23, 18, 0, tzinfo=timezone.utc)
DAYS = 31

KIRO_UA = 'aws-cli/2.35.30 md/awscrt#0.27.2 ua/2.1 os/macos#25.1.0 md/arch#arm64 lang/python#3.13.7 md/pyimpl#CPython m/E,AQ,b cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#{cmd}'
CLAUDE_UA = 'aws-cli/2.35.30 md/awscrt#0.27.2 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.13.7 md/pyimpl#CPython m/AN,E,b cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#{cmd}'
CONSOLE_UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
MCP_UA = 'Boto3/1.40.12 md/Botocore#1.40.12 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.8 md/pyimpl#CPython m/b,Z cfg/retry-mode#legacy Botocore/1.40.12 md/awslabs#mcp#cost-explorer-mcp-server#0.0.12'
# An order-lookup assistant in the same ECS service, calling through an MCP server leash's registry
# does not know: reported as "unrecognised agent tooling" (one weak signal, not an agent on its own).
ORDERS_MCP_UA = 'Boto3/1.40.12 md/Botocore#1.40.12 ua/2.1 os/linux#5.10.228 md/arch#x86_64 lang/python#3.12.8 md/pyimpl#CPython exec-env/AWS_ECS_FARGATE m/b,Z cfg/retry-mode#legacy Botocore/1.40.12 md/orders-mcp#order-lookup-server#0.3.1'
ECS_UA = 'aws-sdk-java/2.29.10 Linux/5.10.228 OpenJDK_64-Bit_Server_VM/21.0.5+11-LTS Java/21.0.5 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/adaptive'

def role_identity(role, path, session, source_identity=None, key='ASIADEMO0000000KIRO01'):
    ident = {
        'type': 'AssumedRole',
        'principalId': f'AROADEMO{role[:10].upper()}:{session}',
        'arn': f'arn:aws:sts::{ACCT}:assumed-role/{role}/{session}',
        'accountId': ACCT, 'accessKeyId': key,
        'sessionContext': {
            'sessionIssuer': {'type': 'Role', 'principalId': f'AROADEMO{role[:10].upper()}', 'arn': f'arn:aws:iam::{ACCT}:role{path}{role}', 'accountId': ACCT, 'userName': role},
            'attributes': {'creationDate': '', 'mfaAuthenticated': 'false'},
        },
    }
    if source_identity:
        ident['sessionContext']['sourceIdentity'] = source_identity
    return ident

n = 0
def event(t, ident, source, name, ua, params=None, resources=None, error=None, read_only=True, mgmt=True, ip='203.0.113.10'):
    global n
    n += 1
    ident = json.loads(json.dumps(ident))
    if 'sessionContext' in ident:
        ident['sessionContext']['attributes']['creationDate'] = (t - timedelta(minutes=5)).strftime('%Y-%m-%dT%H:%M:%SZ')
    e = {
        'eventVersion': '1.10', 'userIdentity': ident, 'eventTime': t.strftime('%Y-%m-%dT%H:%M:%SZ'),
        'eventSource': source, 'eventName': name, 'awsRegion': REGION, 'sourceIPAddress': ip, 'userAgent': ua,
        'requestParameters': params, 'responseElements': None,
        'requestID': f'demo-{n:06d}', 'eventID': f'00000000-0000-4000-8000-{n:012d}',
        'readOnly': read_only, 'eventType': 'AwsApiCall', 'managementEvent': mgmt, 'recipientAccountId': ACCT,
        'eventCategory': 'Management' if mgmt else 'Data',
    }
    if resources:
        e['resources'] = resources
    if error:
        e['errorCode'] = error
        e['errorMessage'] = f'User is not authorized to perform: {name}'
    return e

records = {}
def add(e):
    day = e['eventTime'][:10]
    records.setdefault(day, []).append(e)

stack = f'arn:aws:cloudformation:{REGION}:{ACCT}:stack/cost-explorer-cn-app/6a1e0f30-8a2b-11f0-9c3e-0a1b2c3d4e5f'
fn = f'arn:aws:lambda:{REGION}:{ACCT}:function:cost-explorer-rollup'
for d in range(DAYS):
    day = END - timedelta(days=DAYS - 1 - d)
    # orders-api-task, every day
    task = role_identity('orders-api-task', '/', f'ecs-task-{d:03d}', key='ASIADEMO0000000ECS001')
    for h in range(0, 24, 6):
        t = day.replace(hour=h, minute=7)
        add(event(t, task, 'dynamodb.amazonaws.com', 'GetItem', ECS_UA, {'tableName': 'orders'}, [{'type': 'AWS::DynamoDB::Table', 'ARN': f'arn:aws:dynamodb:{REGION}:{ACCT}:table/orders'}], mgmt=False, ip='10.0.3.17'))
        add(event(t + timedelta(seconds=3), task, 'dynamodb.amazonaws.com', 'PutItem', ECS_UA, {'tableName': 'orders'}, [{'type': 'AWS::DynamoDB::Table', 'ARN': f'arn:aws:dynamodb:{REGION}:{ACCT}:table/orders'}], read_only=False, mgmt=False, ip='10.0.3.17'))
    # the MCP cost-explorer server, weekdays
    if day.weekday() < 5:
        mcp = role_identity('mcp-cost-explorer-readonly', '/', f'mcp-dana-{d:03d}', 'dana', key='ASIADEMO0000000MCP001')
        add(event(day.replace(hour=15), mcp, 'ce.amazonaws.com', 'GetCostAndUsage', MCP_UA, {'granularity': 'DAILY'}))
    # the engineer in the console, weekdays
    if day.weekday() < 5:
        sso = role_identity('AWSReservedSSO_AdministratorAccess_3f8a9c2d1e7b6a54', '/aws-reserved/sso.amazonaws.com/', 'dana@example.com', key='ASIADEMO0000000SSO001')
        add(event(day.replace(hour=9, minute=12), sso, 'ce.amazonaws.com', 'GetCostAndUsage', CONSOLE_UA, {'granularity': 'MONTHLY'}, ip='198.51.100.24'))
        add(event(day.replace(hour=9, minute=20), sso, 'cloudformation.amazonaws.com', 'DescribeStacks', CONSOLE_UA, {'stackName': 'cost-explorer-cn-app'}, ip='198.51.100.24'))

# the Bedrock agent, daily: model calls and its own table
for d in range(DAYS):
    day = END - timedelta(days=DAYS - 1 - d)
    agent = role_identity('AmazonBedrockExecutionRoleForAgents_orders', '/service-role/', f'bedrock-agent-{d:03d}', key='ASIADEMO0000000BRK001')
    model = 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0'
    for h in (8, 14, 20):
        e = event(day.replace(hour=h, minute=30), agent, 'bedrock.amazonaws.com', 'InvokeModel', 'bedrock.amazonaws.com', {'modelId': 'anthropic.claude-3-5-sonnet-20240620-v1:0'}, [{'type': 'AWS::Bedrock::Model', 'ARN': model}], ip='bedrock.amazonaws.com')
        e['invokedBy'] = 'bedrock.amazonaws.com'
        add(e)
        q = event(day.replace(hour=h, minute=31), agent, 'dynamodb.amazonaws.com', 'Query', 'bedrock.amazonaws.com', {'tableName': 'orders'}, [{'type': 'AWS::DynamoDB::Table', 'ARN': f'arn:aws:dynamodb:{REGION}:{ACCT}:table/orders'}], mgmt=False, ip='bedrock.amazonaws.com')
        q['invokedBy'] = 'bedrock.amazonaws.com'
        add(q)

# cursor-ci-bot: an IAM user with a long-term key, driven by Cursor's agent (AWS CLI code AW)
CURSOR_UA = 'aws-cli/2.35.30 md/awscrt#0.27.2 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.13.7 md/pyimpl#CPython m/AW,E cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#{cmd}'
bot = {'type': 'IAMUser', 'principalId': 'AIDADEMOCURSORBOT00001', 'arn': f'arn:aws:iam::{ACCT}:user/bots/cursor-ci-bot', 'accountId': ACCT, 'accessKeyId': 'DEMO-LONG-TERM-KEY-CURSORBOT', 'userName': 'cursor-ci-bot'}
for d in range(0, DAYS, 2):
    day = END - timedelta(days=DAYS - 1 - d)
    t = day.replace(hour=11)
    add(event(t, bot, 's3.amazonaws.com', 'ListObjects', CURSOR_UA.format(cmd='s3.ls'), {'bucketName': 'cursor-scratch'}, [{'type': 'AWS::S3::Bucket', 'ARN': 'arn:aws:s3:::cursor-scratch'}], mgmt=False, ip='192.0.2.80'))
    add(event(t + timedelta(seconds=5), bot, 's3.amazonaws.com', 'PutObject', CURSOR_UA.format(cmd='s3.cp'), {'bucketName': 'cursor-scratch', 'key': f'runs/{d}/out.json'}, [{'type': 'AWS::S3::Object', 'ARN': f'arn:aws:s3:::cursor-scratch/runs/{d}/out.json'}, {'type': 'AWS::S3::Bucket', 'ARN': 'arn:aws:s3:::cursor-scratch'}], read_only=False, mgmt=False, ip='192.0.2.80'))

# kiro-agent: the last 12 days, reads plus one configuration change
for d in range(DAYS - 12, DAYS):
    day = END - timedelta(days=DAYS - 1 - d)
    kiro = role_identity('kiro-agent', '/', f'kiro-dana-{d:03d}', 'dana', key='ASIADEMO0000000KIRO01')
    t = day.replace(hour=10, minute=0)
    steps = [
        ('cloudformation.amazonaws.com', 'DescribeStacks', 'cloudformation.describe-stacks', {'stackName': 'cost-explorer-cn-app'}, [{'type': 'AWS::CloudFormation::Stack', 'ARN': stack}], True, None),
        ('cloudformation.amazonaws.com', 'DescribeStackEvents', 'cloudformation.describe-stack-events', {'stackName': 'cost-explorer-cn-app'}, None, True, None),
        ('cloudformation.amazonaws.com', 'GetTemplate', 'cloudformation.get-template', {'stackName': 'cost-explorer-cn-app'}, None, True, None),
        ('logs.amazonaws.com', 'DescribeLogGroups', 'logs.describe-log-groups', {'logGroupNamePrefix': '/aws/lambda/cost-explorer'}, None, True, None),
        ('logs.amazonaws.com', 'FilterLogEvents', 'logs.filter-log-events', {'logGroupName': '/aws/lambda/cost-explorer-rollup'}, None, True, None),
        ('lambda.amazonaws.com', 'GetFunction20150331v2', 'lambda.get-function', {'functionName': 'cost-explorer-rollup'}, [{'type': 'AWS::Lambda::Function', 'ARN': fn}], True, None),
        ('monitoring.amazonaws.com', 'GetMetricData', 'cloudwatch.get-metric-data', None, None, True, None),
        ('ec2.amazonaws.com', 'DescribeInstances', 'ec2.describe-instances', None, None, True, None),
        ('dynamodb.amazonaws.com', 'DescribeTable', 'dynamodb.describe-table', {'tableName': 'cost-rollups'}, [{'type': 'AWS::DynamoDB::Table', 'ARN': f'arn:aws:dynamodb:{REGION}:{ACCT}:table/cost-rollups'}], True, None),
        ('ssm.amazonaws.com', 'GetParameter', 'ssm.get-parameter', {'name': '/cost-explorer/rollup/batch-size'}, None, True, None),
        ('sts.amazonaws.com', 'GetCallerIdentity', 'sts.get-caller-identity', None, None, True, None),
        ('ce.amazonaws.com', 'GetCostAndUsage', 'ce.get-cost-and-usage', {'granularity': 'DAILY'}, None, True, 'AccessDenied'),
    ]
    for i, (src, name, cmd, params, res, ro, err) in enumerate(steps):
        add(event(t + timedelta(seconds=20 * i), kiro, src, name, KIRO_UA.format(cmd=cmd), params, res, error=err, read_only=ro, ip='192.0.2.44'))
    if d == DAYS - 2:
        add(event(t + timedelta(minutes=9), kiro, 'lambda.amazonaws.com', 'UpdateFunctionConfiguration20150331v2', KIRO_UA.format(cmd='lambda.update-function-configuration'), {'functionName': 'cost-explorer-rollup'}, [{'type': 'AWS::Lambda::Function', 'ARN': fn}], read_only=False, ip='192.0.2.44'))

# The incident: the engineer's SSO admin session, driven by Claude Code, deletes and recreates the stack.
day = END
sso_cli = role_identity('AWSReservedSSO_AdministratorAccess_3f8a9c2d1e7b6a54', '/aws-reserved/sso.amazonaws.com/', 'dana@example.com', key='ASIADEMO0000000SSO002')
t = day.replace(hour=17, minute=31)
incident = [
    ('cloudformation.amazonaws.com', 'DescribeStacks', 'cloudformation.describe-stacks', True),
    ('cloudformation.amazonaws.com', 'DeleteStack', 'cloudformation.delete-stack', False),
    ('cloudformation.amazonaws.com', 'DescribeStacks', 'cloudformation.describe-stacks', True),
    ('cloudformation.amazonaws.com', 'CreateStack', 'cloudformation.create-stack', False),
]
for i, (src, name, cmd, ro) in enumerate(incident):
    add(event(t + timedelta(minutes=3 * i), sso_cli, src, name, CLAUDE_UA.format(cmd=cmd), {'stackName': 'cost-explorer-cn-app'}, [{'type': 'AWS::CloudFormation::Stack', 'ARN': stack}], read_only=ro, ip='192.0.2.44'))

# Added last so the event ids of the story above stay as they were.
for d in range(0, DAYS, 3):
    day = END - timedelta(days=DAYS - 1 - d)
    task = role_identity('orders-api-task', '/', f'ecs-task-{d:03d}', key='ASIADEMO0000000ECS001')
    add(event(day.replace(hour=13, minute=41), task, 'dynamodb.amazonaws.com', 'GetItem', ORDERS_MCP_UA, {'tableName': 'orders'}, [{'type': 'AWS::DynamoDB::Table', 'ARN': f'arn:aws:dynamodb:{REGION}:{ACCT}:table/orders'}], mgmt=False, ip='10.0.3.17'))

for day, recs in sorted(records.items()):
    y, m, dd = day.split('-')
    folder = os.path.join(OUT, 'AWSLogs', ACCT, 'CloudTrail', REGION, y, m, dd)
    os.makedirs(folder, exist_ok=True)
    name = f'{ACCT}_CloudTrail_{REGION}_{y}{m}{dd}T2355Z_demo{int(dd):02d}.json.gz'
    recs.sort(key=lambda r: r['eventTime'])
    with gzip.GzipFile(os.path.join(folder, name), 'wb', mtime=0) as f:
        f.write(json.dumps({'Records': recs}, separators=(',', ':')).encode())
print(sum(len(r) for r in records.values()), 'records in', len(records), 'files')
