// The sensitive-read list is leash's judgement: every entry must be a real catalog action, and
// every catalog action the derivation rule flags must be judged — listed, or reviewed with why not.
import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/iam/catalog.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { parseSensitiveReads, sensitiveReadActions, sensitiveReads } from '../../src/baseline/sensitive-reads.js';
import { InputError } from '../../src/model/errors.js';

const data = sensitiveReads();
const cat = catalog();

describe('src/data/sensitive-reads.json', () => {
  it('names only catalog actions, spelled as the catalog spells them, each with why', () => {
    for (const a of [...data.actions, ...data.reviewed]) {
      const hit = cat.lookup(a.action);
      expect(hit, a.action).toBeDefined();
      expect(hit!.key).toBe(a.action);
      expect(a.why.length).toBeGreaterThan(10);
    }
    expect(sensitiveReadActions(new ActionExpander(cat)).count()).toBe(data.actions.length);
  });

  it('judges every candidate the catalog yields under the stated derivation, and lists none twice', () => {
    const pattern = new RegExp(data.derivation.pattern);
    const exclude = new RegExp(data.derivation.excludePrefix);
    const candidates = cat.actions.filter((a) => pattern.test(a.name) && !exclude.test(a.name)).map((a) => a.key);
    const judged = new Set([...data.actions, ...data.reviewed].map((a) => a.action));
    expect(candidates.filter((c) => !judged.has(c))).toEqual([]);
    expect(judged.size).toBe(data.actions.length + data.reviewed.length);
    expect(candidates.length).toBeGreaterThan(40);
  });

  it('holds the reads the issue names (secrets, decrypted data, whole tables) and not ordinary reads', () => {
    const keys = new Set(data.actions.map((a) => a.action));
    for (const k of ['ec2:GetPasswordData', 'ssm:GetParameter', 'ssm:GetParameters', 'secretsmanager:GetSecretValue', 'logs:Unmask', 'kms:Decrypt', 'dynamodb:Scan', 's3:GetObject']) expect(keys.has(k), k).toBe(true);
    // Negative controls: describing and listing return no data.
    for (const k of ['ec2:DescribeInstances', 'ssm:DescribeParameters', 'dynamodb:DescribeTable', 'logs:DescribeLogGroups', 's3:ListBucket']) expect(keys.has(k), k).toBe(false);
    // Reads a reviewer would not sign off as "siblings": environment variables, access tokens, replicated items.
    for (const k of ['lambda:GetFunction', 'lambda:GetFunctionConfiguration', 'ssm:GetAccessToken', 'bedrock-agentcore:GetWorkloadAccessToken', 'dynamodb:ReadDataForReplication']) expect(keys.has(k), k).toBe(true);
    for (const k of ['lambda:ListFunctions', 'lambda:GetAccountSettings', 'lambda:GetFunctionConcurrency']) expect(keys.has(k), k).toBe(false);
  });

  it('rejects a malformed file with the JSON path of the problem', () => {
    const bad = { ...data, actions: [{ action: 'ssm:GetParameter', returns: 'gossip', why: 'x' }] };
    expect(() => parseSensitiveReads(bad)).toThrow(InputError);
    expect(() => parseSensitiveReads(bad)).toThrow(/sensitive-reads\.json at \$\.actions\[0\]\.returns/);
  });
});
