import { it } from 'vitest';
import { allow, doc } from './graph/accounts.js';
import { account, deleteTable, table } from './support/tier-scope.js';
import { findings } from './support/deny-scope.js';
it('p', () => {
  const DEV_ONLY = doc(allow('dynamodb:DeleteTable', table('dev-*')), allow('sts:AssumeRole'));
  const spec: any = account([deleteTable(table('prod-orders'))], { deploy: [deleteTable('*')] });
  const bounded = { ...spec, roles: spec.roles.map((r: any) => (r.name === 'kiro-agent' ? { ...r, boundary: 'cap' } : r)), policies: { cap: DEV_ONLY } };
  for (const f of findings(bounded)) console.log(f.checkId, f.technique, f.severity, f.title, '\n   ', f.description);
});
