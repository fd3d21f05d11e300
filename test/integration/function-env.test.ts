/**
 * Each function's environment is only what its entry in infra/functions.ts lists, locally as on Lambda: a handler
 * run by the local runtime cannot read another function's variables, and reading one fails with env()'s error,
 * while outside invocations (these tests, the CLI) the whole local environment is still there.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../functions/domain/signature.ts';
import { FUNCTIONS } from '../../infra/functions.ts';
import { LAMBDA_PROVIDED, type LocalFunction } from '../../infra/local/runtime.ts';
import type { ProbeEvent, ProbeResult } from '../fixtures/env-probe-handler.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

let stack: TestStack;
const PROBE_ENTRY = 'test/fixtures/env-probe-handler.ts';

/** Registers a function running `entry` with the template environment of the real function `like`. */
function register(name: string, like: string, entry = PROBE_ENTRY): LocalFunction {
  const real = stack.runtime.functions.get(like);
  if (!real) throw new Error(`no function ${like}`);
  const fn: LocalFunction = { ...real, name, logicalId: `${name}Probe`, arn: `${real.arn}-${name}`, entry, async: undefined };
  stack.runtime.functions.set(name, fn);
  return fn;
}

const probe = (name: string, event: ProbeEvent) => stack.runtime.invoke(name, event) as Promise<ProbeResult>;
const specOf = (name: string) => FUNCTIONS.find((f) => f.name === name)!.environment;

beforeAll(async () => {
  stack = await startTestStack();
  register('probe-as-hr-webhook', 'hr-webhook');
  register('probe-as-account-activity', 'account-activity');
}, 120_000);
afterAll(async () => stack?.stop());

describe("a function's environment in the local stack", () => {
  it('is built from exactly the variables its spec lists', () => {
    for (const spec of FUNCTIONS) {
      const env = stack.runtime.functions.get(spec.name)!.environment;
      expect(Object.keys(env).filter((k) => k !== 'NODE_OPTIONS').sort(), spec.name).toEqual([...spec.environment].sort());
    }
  });

  it("a real handler works with only its own spec's variables (hr-webhook: its secret and the table for its replay claims, no mail settings)", async () => {
    expect(specOf('hr-webhook')).toContain('HR_WEBHOOK_SECRET_ID');
    expect(specOf('hr-webhook')).toContain('TABLE_NAME');
    expect(specOf('hr-webhook')).not.toContain('SENDER_ADDRESS');
    const body = JSON.stringify({ detailType: 'Staff Leaver', detail: { email: 'n.body@riverside.sch.uk', leaveDate: '2027-02-12', displayName: 'No Body' } });
    const res = await stack.runtime.invoke('hr-webhook', {
      version: '2.0',
      routeKey: 'POST /hr/events',
      rawPath: '/hr/events',
      headers: { 'content-type': 'application/json', 'x-custodian-signature': signBody(stack.secretValue('HrWebhookSecret'), body, Math.floor(Date.now() / 1000)) },
      body,
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: '/hr/events' } },
    }) as { statusCode: number };
    expect(res.statusCode).toBe(202);
    await stack.idle();
  });

  it("inside an invocation, process.env holds that spec's variables and what Lambda provides, nothing else", async () => {
    const r = await probe('probe-as-hr-webhook', { read: ['HR_WEBHOOK_SECRET_ID', 'EVENT_BUS_NAME', 'HR_SOURCES', 'TABLE_NAME', 'SENDER_ADDRESS', 'AWS_REGION'] });
    expect(r.values.HR_WEBHOOK_SECRET_ID).toBe(stack.runtime.functions.get('hr-webhook')!.environment.HR_WEBHOOK_SECRET_ID);
    expect(r.values.EVENT_BUS_NAME).toBe(stack.outputs.eventBusName);
    expect(r.values.HR_SOURCES).toBe('hr');
    expect(r.values.AWS_REGION).toBe('eu-west-2');
    expect(r.has).toMatchObject({ HR_WEBHOOK_SECRET_ID: true, TABLE_NAME: true, SENDER_ADDRESS: false });

    const own = new Set([...specOf('hr-webhook'), 'NODE_OPTIONS', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_LOG_GROUP_NAME', 'LAMBDA_TASK_ROOT']);
    expect(r.keys.filter((k) => !own.has(k) && !LAMBDA_PROVIDED.has(k))).toEqual([]);
    for (const k of specOf('hr-webhook')) expect(r.keys).toContain(k);
    expect(r.keys).not.toContain('SENDER_ADDRESS');
  });

  it('reading a variable outside the spec fails with the env() error, also after awaits, timers and callbacks', async () => {
    const r = await probe('probe-as-hr-webhook', { read: ['SENDER_ADDRESS', 'HR_WEBHOOK_SECRET_ID'], delayMs: 20 });
    expect(r.values.SENDER_ADDRESS).toEqual({ error: 'environment variable SENDER_ADDRESS is not set' });
    expect(r.afterTimer.SENDER_ADDRESS).toBeUndefined();
    expect(r.inCallback.SENDER_ADDRESS).toBeUndefined();
    expect(r.afterTimer.HR_WEBHOOK_SECRET_ID).toBe(r.values.HR_WEBHOOK_SECRET_ID);
    expect(r.inCallback.HR_WEBHOOK_SECRET_ID).toBe(r.values.HR_WEBHOOK_SECRET_ID);
  });

  it('a real handler given an environment without a variable it reads fails locally, as it would deployed', async () => {
    // account-activity's handler needs TABLE_NAME; run it with graph-webhook's environment, which lacks it.
    register('account-activity-as-graph-webhook', 'graph-webhook', stack.runtime.functions.get('account-activity')!.entry);
    await expect(stack.runtime.invoke('account-activity-as-graph-webhook', {
      id: 'e1', source: 'test', 'detail-type': 'Account Activity', detail: { platform: 'instagram', handle: 'oakfield_pe' },
    })).rejects.toThrow('environment variable TABLE_NAME is not set');
  });

  it('concurrent invocations of different functions each see their own environment', async () => {
    const [a, b] = await Promise.all([
      probe('probe-as-hr-webhook', { read: ['TABLE_NAME', 'HR_WEBHOOK_SECRET_ID', 'DEAD_LETTER_QUEUE_URL'], delayMs: 30 }),
      probe('probe-as-account-activity', { read: ['TABLE_NAME', 'HR_WEBHOOK_SECRET_ID', 'DEAD_LETTER_QUEUE_URL'], delayMs: 10 }),
    ]);
    expect(a.afterTimer.TABLE_NAME).toBe(stack.outputs.tableName);
    expect(a.afterTimer.HR_WEBHOOK_SECRET_ID).toEqual(expect.any(String));
    expect(a.afterTimer.DEAD_LETTER_QUEUE_URL).toBeUndefined();
    expect(b.afterTimer.TABLE_NAME).toBe(stack.outputs.tableName);
    expect(b.afterTimer.HR_WEBHOOK_SECRET_ID).toBeUndefined();
    expect(b.afterTimer.DEAD_LETTER_QUEUE_URL).toBe(stack.outputs.deadLetterQueueUrl);
  });

  it("a handler's writes stay in its own function's environment, for its later invocations", async () => {
    await probe('probe-as-hr-webhook', { read: [], write: ['PROBE_WRITTEN', 'yes'] });
    expect(process.env.PROBE_WRITTEN).toBeUndefined();
    expect((await probe('probe-as-hr-webhook', { read: ['PROBE_WRITTEN'] })).values.PROBE_WRITTEN).toBe('yes');
    expect((await probe('probe-as-account-activity', { read: ['PROBE_WRITTEN'] })).values.PROBE_WRITTEN).toEqual({ error: 'environment variable PROBE_WRITTEN is not set' });
  });

  it('outside invocations, process.env is still the whole local environment', async () => {
    await probe('probe-as-hr-webhook', { read: ['TABLE_NAME'] });
    expect(process.env.TABLE_NAME).toBe(stack.outputs.tableName);
    expect('TABLE_NAME' in process.env).toBe(true);
    expect(Object.keys(process.env)).toEqual(expect.arrayContaining(['TABLE_NAME', 'HR_WEBHOOK_SECRET_ID', 'SENDER_ADDRESS', 'PATH']));
    expect(process.env.VITEST).toBeDefined(); // the test runner's own variables, which no function is given
  });
});

describe('a test stack with cdk.json context of its own', () => {
  it('runs a template synthesized with that context, not the suite\'s shared one', async () => {
    const cdkJson = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../cdk.json'), 'utf8')) as { context: { custodian: Record<string, unknown> } };
    const own = await startTestStack({ context: { custodian: { ...cdkJson.context.custodian, trustName: 'Context Test Trust', linkExpiryDays: 9 } } });
    try {
      const env = own.runtime.functions.get('actions')!.environment;
      expect(env.TRUST_NAME).toBe('Context Test Trust');
      expect(env.LINK_EXPIRY_DAYS).toBe('9');
      expect(stack.runtime.functions.get('actions')!.environment.TRUST_NAME).not.toBe('Context Test Trust');
    } finally {
      await own.stop();
    }
  }, 120_000);
});
