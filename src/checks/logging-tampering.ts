import { defineCheck } from './types.js';
import { loggingTamperingActions } from './action-lists.js';
import { listFindings } from './list-check.js';

export const loggingTampering = defineCheck({
  id: 'logging-tampering',
  title: 'Can stop or delete audit logging and detection',
  severity: 'high',
  rationale: 'Stopping CloudTrail, deleting log groups or turning off GuardDuty removes the record of what an agent did. No agent needs it; few humans do.',
  references: ['https://stratus-red-team.cloud/attack-techniques/AWS/aws.defense-evasion.cloudtrail-stop/', 'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/best-practices-security.html'],
  run: (ctx) => listFindings(ctx, loggingTamperingActions, {
    subject: 'logging', what: 'tamper with logging', scope: 'any',
    severity: (agent) => (agent ? 'high' : 'medium'),
    remediation: 'Deny these actions in the permissions boundary (and ideally in an SCP).',
  }),
});
