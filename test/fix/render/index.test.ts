import { describe, expect, it } from 'vitest';
import { renderFixFiles, renderPolicyJson } from '../../../src/fix/render/index.js';
import { doc } from './support.js';

const identity = doc({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/x y' } });

describe('renderFixFiles', () => {
  it('writes each policy where apply.sh looks for it, main.tf, and an executable apply.sh', () => {
    const files = renderFixFiles({
      principalKind: 'role',
      principalName: 'agent',
      accountId: '123456789012',
      policies: [
        { name: 'least', purpose: 'identity', attach: 'managed', document: identity },
        { name: 'extra', purpose: 'identity', attach: 'inline', document: identity },
        { name: 'boundary', purpose: 'boundary', attach: 'managed', document: identity },
        { name: 'trust', purpose: 'trust', attach: 'inline', document: doc({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'bedrock.amazonaws.com' } } }) },
        { name: 'session', purpose: 'session', attach: 'none', document: identity },
      ],
    });
    expect(files.map((f) => [f.path, f.mode])).toEqual([
      ['policy.json', 0o644],
      ['policy-2.json', 0o644],
      ['boundary.json', 0o644],
      ['trust.json', 0o644],
      ['session-policy.json', 0o644],
      ['main.tf', 0o644],
      ['apply.sh', 0o755],
    ]);
    expect(files[0]!.content).toBe(renderPolicyJson(identity));
    // STS counts white space in session policies, so that one is compact.
    expect(files[4]!.content).toBe(renderPolicyJson(identity, { compact: true }));
    const script = files.find((f) => f.path === 'apply.sh')!.content;
    for (const f of files.filter((x) => x.path.endsWith('.json'))) expect(script).toContain(`'${f.path}'`);
  });
});
