import { describe, expect, it } from 'vitest';
import { allServiceSourceKeys, serviceSourceKeys } from '../../src/fix/service-source-keys.js';
import raw from '../../src/data/service-principal-source-keys.json' with { type: 'json' };

describe('service principal source keys data', () => {
  it('names each service once, with an https source and a reason', () => {
    const entries = allServiceSourceKeys();
    expect(entries.length).toBe(raw.services.length);
    expect(new Set(entries.map((e) => e.principal.toLowerCase())).size).toBe(entries.length);
    for (const e of entries) {
      expect(new URL(e.source).protocol, e.principal).toBe('https:');
      expect(e.why.length, e.principal).toBeGreaterThan(20);
    }
  });

  it('covers the services agents run on, EC2 marked as not sending the keys', () => {
    for (const p of ['bedrock.amazonaws.com', 'bedrock-agentcore.amazonaws.com', 'lambda.amazonaws.com', 'ecs-tasks.amazonaws.com']) expect(serviceSourceKeys(p)?.sourceAccount, p).toBe(true);
    expect(serviceSourceKeys('ec2.amazonaws.com')).toMatchObject({ sourceAccount: false, sourceArn: false });
  });

  it('looks principals up case-insensitively and knows nothing of others', () => {
    expect(serviceSourceKeys('Lambda.AmazonAWS.com')?.principal).toBe('lambda.amazonaws.com');
    expect(serviceSourceKeys('states.amazonaws.com')).toBeUndefined();
  });
});
