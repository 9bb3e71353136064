import { defineCheck } from './types.js';
import { credentialExposureActions } from './action-lists.js';
import { listFindings } from './list-check.js';

export const credentialExposure = defineCheck({
  id: 'credential-exposure',
  title: 'Actions that return credentials or tokens',
  severity: 'high',
  rationale: 'Actions whose response carries credentials (access keys, database passwords, registry tokens, role credentials) let the caller act as someone else, outside the agent\'s session and its audit trail.',
  references: ['https://cloudsplaining.readthedocs.io/en/latest/glossary/credentials-exposure/', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html'],
  run: (ctx) => listFindings(ctx, credentialExposureActions, {
    subject: 'credentials', what: 'obtain credentials', scope: 'all-resources',
    severity: (agent) => (agent ? 'high' : 'medium'),
    remediation: 'Remove credential-returning actions or scope them to the specific resources needed.',
  }),
});
