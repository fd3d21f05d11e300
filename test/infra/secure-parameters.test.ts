/**
 * The deploy-time provider of the SecureString parameters (infra/constructs/secure-parameters.ts), run here with a
 * stand-in SSM client and CloudFormation response URL: it generates a value only where there is none, never
 * overwrites or logs one, and deletes the parameter with the stack unless the stack retains its data.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { PROVIDER_CODE } from '../../infra/constructs/secure-parameters.ts';

type Call = { command: 'put' | 'delete'; input: Record<string, unknown> };
interface Reply { Status: string; Reason: string; PhysicalResourceId: string; RequestId: string }

/** Loads the inline provider with `send` standing in for SSM; returns its handler and what it did. */
function provider(send: (call: Call) => Promise<unknown> = async () => ({})) {
  const calls: Call[] = [];
  const replies: Reply[] = [];
  class PutParameterCommand { constructor(readonly input: Record<string, unknown>) {} }
  class DeleteParameterCommand { constructor(readonly input: Record<string, unknown>) {} }
  const fakeRequire = (name: string) => {
    if (name === '@aws-sdk/client-ssm') {
      return {
        PutParameterCommand,
        DeleteParameterCommand,
        SSMClient: class {
          send(cmd: PutParameterCommand | DeleteParameterCommand) {
            const call: Call = { command: cmd instanceof PutParameterCommand ? 'put' : 'delete', input: cmd.input };
            calls.push(call);
            return send(call);
          }
        },
      };
    }
    if (name === 'node:crypto') return { randomBytes };
    if (name === 'node:https') {
      return {
        request: (_opts: unknown, onResponse: (res: { resume(): void; on(e: string, f: () => void): void }) => void) => ({
          on: () => undefined,
          end: (body: string) => {
            replies.push(JSON.parse(body) as Reply);
            onResponse({ resume: () => undefined, on: (_e, f) => f() });
          },
        }),
      };
    }
    throw new Error(`unexpected require ${name}`);
  };
  const module = { exports: {} as { handler: (event: unknown) => Promise<void> } };
  new Function('require', 'exports', 'module', PROVIDER_CODE)(fakeRequire, module.exports, module);
  return { handler: module.exports.handler, calls, replies };
}

const props = (over: Record<string, string> = {}) => ({ ServiceToken: 'arn', Name: '/Custodian/link-signing-key', Description: 'd', Length: '64', Retain: 'false', ...over });
const event = (type: 'Create' | 'Update' | 'Delete', p: Record<string, string>, physical?: string) => ({
  RequestType: type, ResponseURL: 'https://cloudformation-custom-resource-response.example/x?sig=1', StackId: 'stack', RequestId: 'r1',
  LogicalResourceId: 'LinkSigningSecret', ResourceProperties: p, ...(physical ? { PhysicalResourceId: physical } : {}),
});
const failWith = (name: string) => Object.assign(new Error(name), { name });

describe('the SecureString parameter provider', () => {
  it('creates a SecureString, standard tier, with a generated value, never overwriting one', async () => {
    const { handler, calls, replies } = provider();
    await handler(event('Create', props()));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ command: 'put', input: { Name: '/Custodian/link-signing-key', Type: 'SecureString', Tier: 'Standard', Overwrite: false } });
    expect(calls[0]!.input.Value).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(replies).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: '/Custodian/link-signing-key', RequestId: 'r1' })]);
  });

  it('puts the generated value under its key of a JSON template, and generates a different one each time', async () => {
    const { handler, calls } = provider();
    const p = props({ Name: '/Custodian/graph', Template: JSON.stringify({ tenantId: '', clientId: '', clientSecret: '' }), Key: 'clientState' });
    await handler(event('Create', p));
    await handler(event('Create', p));
    const [a, b] = calls.map((c) => JSON.parse(c.input.Value as string) as Record<string, string>);
    expect(a).toEqual({ tenantId: '', clientId: '', clientSecret: '', clientState: expect.stringMatching(/^[A-Za-z0-9]{64}$/) });
    expect(a!.clientState).not.toBe(b!.clientState);
  });

  it('keeps a parameter that exists (a redeploy, an update, a value an operator put): nothing is overwritten', async () => {
    const { handler, calls, replies } = provider(async (c) => { if (c.command === 'put') throw failWith('ParameterAlreadyExists'); });
    await handler(event('Create', props()));
    await handler(event('Update', props({ Description: 'new words' }), '/Custodian/link-signing-key'));
    expect(calls.map((c) => [c.command, c.input.Overwrite])).toEqual([['put', false], ['put', false]]);
    expect(replies.map((r) => r.Status)).toEqual(['SUCCESS', 'SUCCESS']);
  });

  it('deletes the parameter with the stack, unless the stack retains its data; one already gone is not an error', async () => {
    const { handler, calls, replies } = provider(async (c) => { if (c.command === 'delete' && c.input.Name === '/Custodian/gone') throw failWith('ParameterNotFound'); });
    await handler(event('Delete', props(), '/Custodian/link-signing-key'));
    await handler(event('Delete', props({ Retain: 'true' }), '/Custodian/link-signing-key'));
    await handler(event('Delete', props({ Name: '/Custodian/gone' }), '/Custodian/gone'));
    expect(calls).toEqual([{ command: 'delete', input: { Name: '/Custodian/link-signing-key' } }, { command: 'delete', input: { Name: '/Custodian/gone' } }]);
    expect(replies.map((r) => r.Status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
  });

  it('reports a failure to CloudFormation, and logs neither the value nor the message', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const { handler, calls, replies } = provider(async () => { throw failWith('AccessDeniedException'); });
      await handler(event('Create', props()));
      expect(replies).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: expect.stringContaining('AccessDeniedException') })]);
      const logged = log.mock.calls.flat().join(' ');
      expect(logged).toContain('AccessDeniedException');
      expect(logged).not.toContain(calls[0]!.input.Value as string);
    } finally {
      log.mockRestore();
    }
  });

  it('fits CloudFormation\'s limit on inline code', () => {
    expect(PROVIDER_CODE.length).toBeLessThanOrEqual(4096);
  });
});
