// The registry: one entry per file in this folder. A new check is one new file plus one line here.
import type { Check } from './types.js';
import { adminAccess } from './admin-access.js';
import { agentWithoutBoundary } from './agent-without-boundary.js';
import { credentialExposure } from './credential-exposure.js';
import { dataExfiltration } from './data-exfiltration.js';
import { destructiveActions } from './destructive-actions.js';
import { humanSessionDrivenByAgent } from './human-session-driven-by-agent.js';
import { loggingTampering } from './logging-tampering.js';
import { longSessionDuration } from './long-session-duration.js';
import { privilegeEscalation } from './privilege-escalation.js';
import { reachesAdmin } from './reaches-admin.js';
import { resourceExposed } from './resource-exposed.js';
import { agentReachesDestructive } from './agent-reaches-destructive.js';
import { serviceWildcard } from './service-wildcard.js';
import { trustPolicyTooBroad } from './trust-policy-too-broad.js';
import { unknownActions } from './unknown-actions.js';
import { unusedRole } from './unused-role.js';
import { unusedAgentTrust } from './unused-agent-trust.js';
import { writeAllResources } from './write-all-resources.js';

export const checks: readonly Check[] = [
  adminAccess,
  destructiveActions,
  privilegeEscalation,
  reachesAdmin,
  agentReachesDestructive,
  humanSessionDrivenByAgent,
  serviceWildcard,
  writeAllResources,
  dataExfiltration,
  resourceExposed,
  credentialExposure,
  loggingTampering,
  trustPolicyTooBroad,
  unusedAgentTrust,
  agentWithoutBoundary,
  longSessionDuration,
  unusedRole,
  unknownActions,
];
