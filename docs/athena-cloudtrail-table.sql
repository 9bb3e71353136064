-- The CloudTrail table leash's Athena query expects (--cloudtrail-athena WORKGROUP/DATABASE.TABLE).
-- This is AWS's documented CloudTrail table with partition projection on a 'yyyy/MM/dd' column
-- (pass it as --cloudtrail-athena-partition timestamp), plus two fields leash reads that older
-- copies of that DDL lack: userIdentity.sessionContext.sourceIdentity and managementEvent.
-- Replace the bucket, prefix, organization id, the account and region lists and the date range.
CREATE EXTERNAL TABLE cloudtrail_logs (
  eventVersion STRING,
  userIdentity STRUCT<
    type: STRING, principalId: STRING, arn: STRING, accountId: STRING, invokedBy: STRING,
    accessKeyId: STRING, userName: STRING,
    sessionContext: STRUCT<
      attributes: STRUCT<mfaAuthenticated: STRING, creationDate: STRING>,
      sessionIssuer: STRUCT<type: STRING, principalId: STRING, arn: STRING, accountId: STRING, userName: STRING>,
      ec2RoleDelivery: STRING,
      sourceIdentity: STRING>>,
  eventTime STRING,
  eventSource STRING,
  eventName STRING,
  awsRegion STRING,
  sourceIpAddress STRING,
  userAgent STRING,
  errorCode STRING,
  errorMessage STRING,
  requestParameters STRING,
  responseElements STRING,
  additionalEventData STRING,
  requestId STRING,
  eventId STRING,
  resources ARRAY<STRUCT<arn: STRING, accountId: STRING, type: STRING>>,
  eventType STRING,
  apiVersion STRING,
  readOnly STRING,
  recipientAccountId STRING,
  serviceEventDetails STRING,
  sharedEventID STRING,
  vpcEndpointId STRING,
  eventCategory STRING,
  managementEvent BOOLEAN
)
PARTITIONED BY (`account` STRING, `region` STRING, `timestamp` STRING)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://ORG-TRAIL-BUCKET/PREFIX/AWSLogs/o-ORGID/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.account.type' = 'enum',
  'projection.account.values' = '111111111111,222222222222',
  'projection.region.type' = 'enum',
  'projection.region.values' = 'us-east-1,eu-west-1',
  'projection.timestamp.type' = 'date',
  'projection.timestamp.format' = 'yyyy/MM/dd',
  'projection.timestamp.interval' = '1',
  'projection.timestamp.interval.unit' = 'DAYS',
  'projection.timestamp.range' = '2024/01/01,NOW',
  'storage.location.template' = 's3://ORG-TRAIL-BUCKET/PREFIX/AWSLogs/o-ORGID/${account}/CloudTrail/${region}/${timestamp}'
);
