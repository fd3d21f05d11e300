/**
 * Counting what the handlers ask of AWS, without touching production code. The functions reach AWS through the
 * per-container clients of functions/adapters/aws.ts; the local stack runs the handlers in this process, so those
 * are the very client objects the benchmark can wrap. Each wrapped `send` adds to `usage`: DynamoDB requests by
 * command and their consumed capacity (the Store asks for ReturnConsumedCapacity TOTAL on every call), emails
 * and recipients, custom events, SQS requests. It can also record each event's transactions (for the
 * direct-writes floor), keyed by the event being handled, which an AsyncLocalStorage carries through the
 * invocation.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { documentClient, eventBridgeClient, sesV2Client, sqsClient } from '../../functions/adapters/aws.ts';
import type { LocalStack } from '../../infra/local/stack.ts';
import { logCounter } from './out.ts';

export interface Usage {
  ddbRequests: Record<string, number>;
  /** DynamoDB requests that failed, by error (a cancelled transaction by its cancellation reasons). */
  ddbErrors: Record<string, number>;
  /** Read and write capacity units, as DynamoDB (Local) reported them. */
  rcu: number;
  wcu: number;
  emails: number;
  recipients: number;
  customEvents: number;
  sqsRequests: number;
  logBytes: number;
  logLines: number;
}

const usage: Usage = { ddbRequests: {}, ddbErrors: {}, rcu: 0, wcu: 0, emails: 0, recipients: 0, customEvents: 0, sqsRequests: 0, logBytes: 0, logLines: 0 };

export function snapshot(): Usage {
  return { ...usage, ddbRequests: { ...usage.ddbRequests }, ddbErrors: { ...usage.ddbErrors }, logBytes: logCounter.bytes, logLines: logCounter.lines };
}

export function since(before: Usage): Usage {
  const now = snapshot();
  const diff = (a: Record<string, number>, b: Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(a)) if (v - (b[k] ?? 0)) out[k] = v - (b[k] ?? 0);
    return out;
  };
  return {
    ddbRequests: diff(now.ddbRequests, before.ddbRequests),
    ddbErrors: diff(now.ddbErrors, before.ddbErrors),
    rcu: now.rcu - before.rcu,
    wcu: now.wcu - before.wcu,
    emails: now.emails - before.emails,
    recipients: now.recipients - before.recipients,
    customEvents: now.customEvents - before.customEvents,
    sqsRequests: now.sqsRequests - before.sqsRequests,
    logBytes: now.logBytes - before.logBytes,
    logLines: now.logLines - before.logLines,
  };
}

export const ZERO_USAGE: Usage = { ddbRequests: {}, ddbErrors: {}, rcu: 0, wcu: 0, emails: 0, recipients: 0, customEvents: 0, sqsRequests: 0, logBytes: 0, logLines: 0 };

/** a + times × b. */
export function addUsage(a: Usage, b: Usage, times = 1): Usage {
  const merge = (x: Record<string, number>, y: Record<string, number>) =>
    Object.fromEntries([...new Set([...Object.keys(x), ...Object.keys(y)])].map((k) => [k, (x[k] ?? 0) + times * (y[k] ?? 0)]));
  return {
    ddbRequests: merge(a.ddbRequests, b.ddbRequests),
    ddbErrors: merge(a.ddbErrors, b.ddbErrors),
    rcu: a.rcu + times * b.rcu,
    wcu: a.wcu + times * b.wcu,
    emails: a.emails + times * b.emails,
    recipients: a.recipients + times * b.recipients,
    customEvents: a.customEvents + times * b.customEvents,
    sqsRequests: a.sqsRequests + times * b.sqsRequests,
    logBytes: a.logBytes + times * b.logBytes,
    logLines: a.logLines + times * b.logLines,
  };
}

export function meanUsage(list: Usage[]): Usage {
  return scaleUsage(list.reduce((acc, u) => addUsage(acc, u), ZERO_USAGE), 1 / list.length);
}

export function scaleUsage(u: Usage, by: number): Usage {
  return {
    ddbRequests: Object.fromEntries(Object.entries(u.ddbRequests).map(([k, v]) => [k, v * by])),
    ddbErrors: Object.fromEntries(Object.entries(u.ddbErrors).map(([k, v]) => [k, v * by])),
    rcu: u.rcu * by, wcu: u.wcu * by, emails: u.emails * by, recipients: u.recipients * by,
    customEvents: u.customEvents * by, sqsRequests: u.sqsRequests * by, logBytes: u.logBytes * by, logLines: u.logLines * by,
  };
}

// ---------- what the handlers are doing ----------

export interface InvocationContext {
  fn: string;
  eventId?: string;
}
export const invocation = new AsyncLocalStorage<InvocationContext>();

/** The transactions each event's handler wrote, in order, while recording is on. */
export type TransactInput = { TransactItems: Array<Record<string, Record<string, unknown>>> } & Record<string, unknown>;
let recording: Map<string, TransactInput[]> | undefined;

export function startRecording(): Map<string, TransactInput[]> {
  recording = new Map();
  return recording;
}

export function stopRecording(): void {
  recording = undefined;
}

type Command = { constructor: { name: string }; input: Record<string, unknown> };
type Sendable = { send: (command: Command, ...rest: unknown[]) => Promise<Record<string, unknown>> };

function wrap(client: object, after: (command: Command, output: Record<string, unknown>) => void, failed?: (command: Command, err: unknown) => void): void {
  const c = client as Sendable;
  if ((c as { __benchWrapped?: boolean }).__benchWrapped) return;
  const original = c.send.bind(client);
  c.send = async (command, ...rest) => {
    let output: Record<string, unknown>;
    try {
      output = await original(command, ...rest);
    } catch (err) {
      failed?.(command, err);
      throw err;
    }
    after(command, output);
    return output;
  };
  (c as { __benchWrapped?: boolean }).__benchWrapped = true;
}

const READS = new Set(['GetCommand', 'BatchGetCommand', 'QueryCommand', 'ScanCommand']);

function capacityOf(out: Record<string, unknown>): number {
  const cc = out.ConsumedCapacity as Array<{ CapacityUnits?: number }> | { CapacityUnits?: number } | undefined;
  return (Array.isArray(cc) ? cc : cc ? [cc] : []).reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
}

/**
 * Wraps the shared clients the handlers use; call after the local stack has started (it resets them). The SES,
 * EventBridge and SQS clients are created here (functions/adapters/aws.ts loads their packages on first use), so
 * the handlers get these very objects.
 */
export async function instrumentSharedClients(): Promise<void> {
  wrap(documentClient(), (command, out) => {
    const name = command.constructor.name;
    usage.ddbRequests[name] = (usage.ddbRequests[name] ?? 0) + 1;
    if (READS.has(name)) usage.rcu += capacityOf(out);
    else usage.wcu += capacityOf(out);
    const ctx = invocation.getStore();
    if (recording && ctx?.eventId && name === 'TransactWriteCommand') {
      const list = recording.get(ctx.eventId) ?? [];
      list.push(command.input as TransactInput);
      recording.set(ctx.eventId, list);
    }
  }, (command, err) => {
    const e = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> };
    const reasons = (e.CancellationReasons ?? []).map((r) => r.Code).filter((c) => c && c !== 'None');
    const key = `${command.constructor.name}: ${e.name ?? 'Error'}${reasons.length ? ` (${[...new Set(reasons)].join(', ')})` : ''}`;
    usage.ddbErrors[key] = (usage.ddbErrors[key] ?? 0) + 1;
  });
  wrap(await sesV2Client(), (command) => {
    if (command.constructor.name !== 'SendEmailCommand') return;
    usage.emails++;
    const d = command.input.Destination as { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] } | undefined;
    usage.recipients += (d?.ToAddresses?.length ?? 0) + (d?.CcAddresses?.length ?? 0) + (d?.BccAddresses?.length ?? 0);
  });
  wrap(await eventBridgeClient(), (command) => {
    if (command.constructor.name === 'PutEventsCommand') usage.customEvents += (command.input.Entries as unknown[] | undefined)?.length ?? 0;
  });
  wrap(await sqsClient(), () => {
    usage.sqsRequests++;
  });
}

/** How long each RequestResponse invocation (direct, or through the HTTP API) took, by function, in order. */
export const invokeDurations: Record<string, number[]> = {};

/**
 * Runs every invocation of the local runtime inside an InvocationContext (function name, and the bus event's id
 * for event invocations), so the wrapped clients know whose request they carry. Only public methods are wrapped.
 */
export function tagInvocations(stack: LocalStack): void {
  const runtime = stack.runtime as unknown as {
    invoke: (name: string, event: unknown) => Promise<unknown>;
    invokeAsync: (name: string, event: unknown) => void;
  };
  const invoke = runtime.invoke.bind(stack.runtime);
  const invokeAsync = runtime.invokeAsync.bind(stack.runtime);
  const idOf = (event: unknown) => (event && typeof event === 'object' && typeof (event as { id?: unknown }).id === 'string' ? (event as { id: string }).id : undefined);
  runtime.invoke = (name, event) => invocation.run({ fn: name, eventId: idOf(event) }, async () => {
    const t0 = performance.now();
    try {
      return await invoke(name, event);
    } finally {
      (invokeDurations[name] ??= []).push(performance.now() - t0);
    }
  });
  runtime.invokeAsync = (name, event) => invocation.run({ fn: name, eventId: idOf(event) }, () => invokeAsync(name, event));
}
