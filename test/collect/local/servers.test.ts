import { describe, expect, it } from 'vitest';
import { localConfigData } from '../../../src/collect/local/locations.js';
import { expandVars, packageOf, readOnlyOf } from '../../../src/collect/local/servers.js';
import type { ReadOnlyStatus } from '../../../src/collect/local/types.js';

const data = localConfigData();

describe('packageOf', () => {
  it.each([
    ['uvx', ['awslabs.aws-api-mcp-server@latest'], 'awslabs.aws-api-mcp-server'],
    ['uvx', ['--from', 'awslabs.eks-mcp-server==0.1.5', 'awslabs.eks-mcp-server'], 'awslabs.eks-mcp-server'],
    ['python', ['-m', 'awslabs.aws_api_mcp_server.server'], 'awslabs.aws-api-mcp-server'],
    ['docker', ['run', '--rm', '-i', 'public.ecr.aws/awslabs-mcp/awslabs/aws-api-mcp-server:latest'], 'awslabs.aws-api-mcp-server'],
    ['uvx', ['awslabs.cost-explorer-mcp-server@latest'], 'awslabs.cost-explorer-mcp-server'],
    ['uvx', ['mcp-proxy-for-aws@latest', 'https://aws-mcp.us-east-1.api.aws/mcp'], 'mcp-proxy-for-aws'],
    ['npx', ['-y', '@aws/some-server@1.2.3'], '@aws/some-server'],
    ['awslabs.ccapi-mcp-server', [], 'awslabs.ccapi-mcp-server'],
  ])('%s %j → %s', (command, args, expected) => {
    expect(packageOf(command, args, data)).toBe(expected);
  });

  it('finds nothing in servers that are not AWS', () => {
    expect(packageOf('npx', ['-y', '@modelcontextprotocol/server-github'], data)).toBeUndefined();
    expect(packageOf('node', ['server.js', '--awesome'], data)).toBeUndefined();
  });
});

describe('readOnlyOf', () => {
  const cases: { name: string; pkg: string | undefined; args?: string[]; env?: Record<string, string>; status: ReadOnlyStatus }[] = [
    { name: 'aws-api without READ_OPERATIONS_ONLY writes', pkg: 'awslabs.aws-api-mcp-server', status: 'write' },
    { name: 'aws-api with READ_OPERATIONS_ONLY=true is read-only', pkg: 'awslabs.aws-api-mcp-server', env: { READ_OPERATIONS_ONLY: 'true' }, status: 'read-only' },
    { name: 'aws-api accepts the server\'s truthy spellings (YES)', pkg: 'awslabs.aws-api-mcp-server', env: { READ_OPERATIONS_ONLY: 'YES' }, status: 'read-only' },
    { name: 'aws-api with READ_OPERATIONS_ONLY=false writes', pkg: 'awslabs.aws-api-mcp-server', env: { READ_OPERATIONS_ONLY: 'false' }, status: 'write' },
    { name: 'aws-api with mutation consent asks first', pkg: 'awslabs.aws-api-mcp-server', env: { REQUIRE_MUTATION_CONSENT: '1' }, status: 'consent' },
    { name: 'ccapi without --readonly writes', pkg: 'awslabs.ccapi-mcp-server', status: 'write' },
    { name: 'ccapi with --readonly is read-only', pkg: 'awslabs.ccapi-mcp-server', args: ['--readonly'], status: 'read-only' },
    { name: 'ccapi with --no-readonly writes', pkg: 'awslabs.ccapi-mcp-server', args: ['--no-readonly'], status: 'write' },
    { name: 'eks is read-only by default', pkg: 'awslabs.eks-mcp-server', status: 'read-only' },
    { name: 'eks with --allow-write writes', pkg: 'awslabs.eks-mcp-server', args: ['--allow-write'], status: 'write' },
    { name: 'ecs writes only with ALLOW_WRITE', pkg: 'awslabs.ecs-mcp-server', env: { ALLOW_WRITE: 'true' }, status: 'write' },
    { name: 'ecs without ALLOW_WRITE is read-only', pkg: 'awslabs.ecs-mcp-server', status: 'read-only' },
    { name: 'mcp-proxy-for-aws with --read-only is read-only', pkg: 'mcp-proxy-for-aws', args: ['--read-only'], status: 'read-only' },
    { name: 'unknown awslabs server with --allow-write writes', pkg: 'awslabs.future-mcp-server', args: ['--allow-write'], status: 'write' },
    { name: 'unknown awslabs server without flags has no known switch', pkg: 'awslabs.future-mcp-server', status: 'no-switch' },
    { name: 'a non-awslabs server has no known switch', pkg: undefined, args: ['--allow-write'], status: 'no-switch' },
  ];
  it.each(cases)('$name', (c) => {
    expect(readOnlyOf(c.pkg, c.args ?? [], c.env ?? {}, data).status).toBe(c.status);
  });

  it('notes --allow-sensitive-data-access where the server has it', () => {
    expect(readOnlyOf('awslabs.eks-mcp-server', ['--allow-sensitive-data-access'], {}, data).sensitive).toBe('--allow-sensitive-data-access');
    expect(readOnlyOf('awslabs.ecs-mcp-server', [], { ALLOW_SENSITIVE_DATA_ACCESS: 'true' }, data).sensitive).toBe('ALLOW_SENSITIVE_DATA_ACCESS=true');
  });
});

describe('expandVars', () => {
  it('expands ${env:X}, ${X} and ${X:-default}; ${input:x} stays unresolved', () => {
    const env = { P: 'dev' };
    expect(expandVars('${env:P}', env)).toEqual({ value: 'dev' });
    expect(expandVars('pre-${P}', env)).toEqual({ value: 'pre-dev' });
    expect(expandVars('${Q:-fallback}', env)).toEqual({ value: 'fallback' });
    expect(expandVars('${input:aws-profile}', env)).toEqual({ unresolved: '${input:aws-profile}' });
    expect(expandVars('${env:MISSING}', env)).toEqual({ unresolved: '${env:MISSING}' });
  });
});
