import { defineCheck } from './types.js';
import { exfiltrationActions } from './action-lists.js';
import { listFindings } from './list-check.js';

export const dataExfiltration = defineCheck({
  id: 'data-exfiltration',
  title: 'Reads secrets, parameters, objects or keys on every resource',
  severity: 'high',
  rationale: 'Read access to every secret, parameter, object or KMS key lets a compromised or misled agent copy the account\'s data out. Scope reads to the resources the workload uses.',
  references: ['https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html', 'https://cloudsplaining.readthedocs.io/en/latest/glossary/data-exfiltration/'],
  run: (ctx) => listFindings(ctx, exfiltrationActions, {
    subject: 'exfiltration', what: 'read data on every resource', scope: 'all-resources',
    severity: (agent) => (agent ? 'high' : 'medium'),
    remediation: 'Scope these read actions to specific secret, parameter, bucket and key ARNs.',
  }),
});
