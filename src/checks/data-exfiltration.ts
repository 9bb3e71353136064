import { defineCheck } from './types.js';
import { exfiltrationActions } from './action-lists.js';
import { listFindings } from './list-check.js';

export const dataExfiltration = defineCheck({
  id: 'data-exfiltration',
  title: 'Reads or shares secrets, parameters, objects, snapshots or keys on every resource',
  severity: 'high',
  rationale: 'Read access to every secret, parameter, object or KMS key lets a compromised or misled agent copy the account\'s data out; so does sharing a snapshot, image, secret or bucket with another account (a snapshot attribute, resource policy or ACL). Scope these actions to the resources the workload uses.',
  references: ['https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html', 'https://cloudsplaining.readthedocs.io/en/latest/glossary/data-exfiltration/'],
  run: (ctx) => listFindings(ctx, exfiltrationActions, {
    subject: 'exfiltration', what: 'read or share data on every resource', scope: 'all-resources',
    severity: (agent) => (agent ? 'high' : 'medium'),
    remediation: 'Scope these actions to specific secret, parameter, bucket, snapshot and key ARNs.',
  }),
});
