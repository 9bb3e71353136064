// Writes docs/scanner-role/{scanner-role.stackset.yaml,scanner-policy.member.json} from
// docs/scanner-policy.json. Run after changing the allowlist: npx tsx scripts/render-scanner-role.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { memberPolicyJson, stackSetTemplate } from '../src/collect/aws/scanner-role.js';

const dir = join(import.meta.dirname, '..', 'docs', 'scanner-role');
writeFileSync(join(dir, 'scanner-role.stackset.yaml'), stackSetTemplate());
writeFileSync(join(dir, 'scanner-policy.member.json'), memberPolicyJson());
console.log(`wrote ${dir}/scanner-role.stackset.yaml and scanner-policy.member.json`);
