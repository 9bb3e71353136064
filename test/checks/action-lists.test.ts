import { describe, expect, it } from 'vitest';
import { credentialExposureActions, exfiltrationActions, loggingTamperingActions, persistenceActions } from '../../src/checks/action-lists.js';
import { catalog } from '../../src/iam/catalog.js';

describe.each([
  ['exfiltration', exfiltrationActions],
  ['credential exposure', credentialExposureActions],
  ['logging tampering', loggingTamperingActions],
  ['persistence', persistenceActions],
])('%s list', (_name, list) => {
  it('names only actions the catalog knows, spelled as AWS spells them, each once, each with a reason', () => {
    const seen = new Set<string>();
    for (const { action, why } of list.actions) {
      expect(catalog().lookup(action)?.key, action).toBe(action);
      expect(seen.has(action), `${action} listed twice`).toBe(false);
      seen.add(action);
      expect(why.length).toBeGreaterThan(8);
    }
  });
});
