// The scanner role every member account needs, derived from docs/scanner-policy.json: the
// statements a scan sends *inside* an account. Organizations listing, the S3 trail, Athena and
// sts:AssumeRole run from the scanning (security or management) account with its own identity,
// so the member role does not get them. docs/scanner-role/ (CloudFormation StackSet template,
// Terraform module) is rendered from here by scripts/render-scanner-role.ts, and a test keeps the
// files and this list in step with the allowlist. YAML 1.1, as CloudFormation reads it, so
// date-like strings (Version: "2012-10-17") are quoted.
import { stringify } from 'yaml';
import scannerPolicy from '../../../docs/scanner-policy.json' with { type: 'json' };

interface Statement {
  readonly Sid: string;
  readonly Effect: string;
  readonly Action: readonly string[];
  readonly Resource: string | readonly string[];
}

/** Statements of docs/scanner-policy.json a member account's role carries. */
export const MEMBER_STATEMENT_SIDS = ['LeashWhoAmI', 'LeashReadIam', 'LeashReadCloudTrailManagementEvents', 'LeashReadResourceInventory'] as const;

/** Statements that stay with the scanning account's identity, and why. */
export const SCANNING_ACCOUNT_ONLY: Readonly<Record<string, string>> = {
  LeashReadOrganization: 'Organizations answers only the management account or a delegated administrator',
  LeashReadIdentityCenterPermissionSets: 'IAM Identity Center answers in the management account (or a delegated administrator), where the permission sets live',
  LeashReadCloudTrailFromS3: 'the organization trail bucket lives in the log-archive account',
  LeashQueryCloudTrailWithAthena: 'Athena runs where the trail table is',
  LeashWriteAthenaResultsOnly: 'Athena results are written in the scanning account',
  LeashAssumeScannerRoleInOtherAccounts: 'the hop into each member account starts from the scanning account',
};

export function memberPolicy(): { Version: string; Statement: Statement[] } {
  const all = (scannerPolicy as { Version: string; Statement: Statement[] }).Statement;
  return { Version: '2012-10-17', Statement: all.filter((s) => (MEMBER_STATEMENT_SIDS as readonly string[]).includes(s.Sid)) };
}

export const DEFAULT_ROLE_NAME = 'leash-scanner';

/** CloudFormation template (YAML) for a StackSet that creates the role in every target account. */
export function stackSetTemplate(): string {
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'leash read-only scanner role (generated from docs/scanner-policy.json by scripts/render-scanner-role.ts; do not edit)',
    Parameters: {
      ScannerPrincipalArn: { Type: 'String', Description: 'ARN of the identity leash runs as in the scanning account (a role or user) allowed to assume this role', AllowedPattern: '^arn:aws[a-z-]*:(iam|sts)::\\d{12}:.+$' },
      ExternalId: { Type: 'String', Default: '', Description: 'External id the scanner must present (empty: none required)' },
      RoleName: { Type: 'String', Default: DEFAULT_ROLE_NAME, AllowedPattern: '^[\\w+=,.@-]{1,64}$' },
    },
    Conditions: { HasExternalId: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ExternalId' }, ''] }] } },
    Resources: {
      LeashScannerRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: { Ref: 'RoleName' },
          Description: 'Read-only role leash assumes to scan this account',
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: { Ref: 'ScannerPrincipalArn' } },
                Action: 'sts:AssumeRole',
                Condition: { 'Fn::If': ['HasExternalId', { StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } }, { Ref: 'AWS::NoValue' }] },
              },
            ],
          },
          Policies: [{ PolicyName: 'leash-read-only', PolicyDocument: memberPolicy() }],
          Tags: [{ Key: 'managed-by', Value: 'leash-scanner-stackset' }],
        },
      },
    },
    Outputs: { RoleArn: { Value: { 'Fn::GetAtt': ['LeashScannerRole', 'Arn'] } } },
  };
  return `# Generated from docs/scanner-policy.json by scripts/render-scanner-role.ts; do not edit.\n${stringify(template, { lineWidth: 0, version: '1.1' })}`;
}

/** The member policy as the Terraform module reads it (file()). */
export function memberPolicyJson(): string {
  return `${JSON.stringify(memberPolicy(), null, 2)}\n`;
}
