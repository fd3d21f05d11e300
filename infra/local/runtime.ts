/**
 * A small Lambda runtime for the local stack: it loads each function's real handler module and invokes it as
 * Lambda would, synchronously (HTTP API), asynchronously with retries and an on-failure destination (EventBridge
 * rules, schedules), or from an SQS event source mapping with partial batch failures.
 *
 * Each invocation sees only its own function's environment, as on Lambda (see `isolateProcessEnv` below).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LocalQueue, LocalQueues } from './queues.ts';

export interface LocalFunction {
  name: string;
  logicalId: string;
  arn: string;
  entry: string;
  timeoutSeconds: number;
  /**
   * The function's own variables (the template's `Environment.Variables`, resolved locally): with the variables
   * the Lambda runtime provides (`LAMBDA_PROVIDED`), all that its handler can read from `process.env`.
   */
  environment: Record<string, string>;
  /** From the template's EventInvokeConfig. */
  async?: { maximumRetryAttempts: number; onFailureQueueArn?: string };
}

export interface EventSourceMapping {
  functionName: string;
  queue: LocalQueue;
  batchSize: number;
  reportBatchItemFailures: boolean;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

// --- Per-function environments -----------------------------------------------------------------------------------
//
// On Lambda each function runs in its own container whose environment is exactly its configuration plus what the
// runtime adds. Here every handler shares one Node process, so `process.env` is replaced, once, by a Proxy over
// the real environment object: inside an invocation (an AsyncLocalStorage context entered by `LocalRuntime.run`,
// which follows the handler's awaits, promise chains, timers and callbacks) it answers only that function's
// variables; outside any invocation (tests, the CLI, the local stack itself) it is the real environment, reads and
// writes alike. So a handler that reads a variable its entry in infra/functions.ts does not list fails here as it
// would once deployed.

/**
 * What the Lambda runtime (or, locally, the stack standing in for AWS) provides to every function, read live from
 * the real environment: region and credentials, the SDK's local endpoints (`AWS_ENDPOINT_URL_*`, set by the local
 * stack), Powertools settings (`POWERTOOLS_*`: the stack sets the service name, tests may set the log level),
 * and the process basics. Everything else is a function's own configuration and must be in its spec.
 */
export const LAMBDA_PROVIDED = {
  names: new Set([
    'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
    'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', '_X_AMZN_TRACE_ID',
    'PATH', 'HOME', 'LANG', 'TZ', 'NODE_PATH', 'LD_LIBRARY_PATH',
  ]),
  prefixes: ['AWS_ENDPOINT_URL_', 'POWERTOOLS_'],
  has(key: string): boolean {
    return this.names.has(key) || this.prefixes.some((p) => key.startsWith(p));
  },
};

/**
 * One function's environment, as its container would hold it: its own variables, what the runtime provides,
 * and what its code has written. Writes inside an invocation stay in this view (they do not reach the real
 * environment, the CLI or other functions) and persist for later invocations of the same function, as a warm
 * container's would; e.g. Powertools sets AWS_SDK_UA_APP_ID when first imported.
 */
export class FunctionEnvironment {
  private readonly written = new Map<string, string | undefined>();

  constructor(private readonly own: Readonly<Record<string, string>>, private readonly real: () => NodeJS.ProcessEnv) {}

  get(key: string): string | undefined {
    if (this.written.has(key)) return this.written.get(key);
    if (Object.hasOwn(this.own, key)) return this.own[key];
    if (LAMBDA_PROVIDED.has(key)) return this.real()[key];
    return undefined;
  }

  set(key: string, value: unknown): void {
    this.written.set(key, String(value));
  }

  delete(key: string): void {
    this.written.set(key, undefined);
  }

  keys(): string[] {
    const candidates = new Set([...Object.keys(this.own), ...Object.keys(this.real()).filter((k) => LAMBDA_PROVIDED.has(k)), ...this.written.keys()]);
    return [...candidates].filter((k) => this.get(k) !== undefined);
  }
}

interface EnvIsolation {
  storage: AsyncLocalStorage<FunctionEnvironment>;
  /** The environment object `process.env` was before the Proxy replaced it. */
  real: NodeJS.ProcessEnv;
  proxy: NodeJS.ProcessEnv | undefined;
  users: number;
}

/** On globalThis, so two copies of this module in one process (test runners re-evaluate modules) share it. */
const ISOLATION = Symbol.for('custodian.local-runtime.env-isolation');

function isolation(): EnvIsolation {
  const g = globalThis as { [ISOLATION]?: EnvIsolation };
  g[ISOLATION] ??= { storage: new AsyncLocalStorage(), real: process.env, proxy: undefined, users: 0 };
  return g[ISOLATION];
}

function envProxy(state: EnvIsolation, real: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const view = (key: string | symbol) => (typeof key === 'string' ? state.storage.getStore() : undefined);
  // The real object's prototype (methods such as hasOwnProperty), for names that are not variables.
  const proto = Object.getPrototypeOf(real) as object | null;
  return new Proxy(real, {
    get(target, key) {
      const v = view(key);
      if (!v) return Reflect.get(target, key);
      const value = v.get(key as string);
      return value !== undefined ? value : proto ? Reflect.get(proto, key) : undefined;
    },
    has(target, key) {
      const v = view(key);
      if (!v) return Reflect.has(target, key);
      return v.get(key as string) !== undefined || (proto !== null && Reflect.has(proto, key));
    },
    set(target, key, value) {
      const v = view(key);
      if (!v) return Reflect.set(target, key, value);
      v.set(key as string, value);
      return true;
    },
    defineProperty(target, key, descriptor) {
      const v = view(key);
      if (!v) return Reflect.defineProperty(target, key, descriptor);
      v.set(key as string, descriptor.value);
      return true;
    },
    deleteProperty(target, key) {
      const v = view(key);
      if (!v) return Reflect.deleteProperty(target, key);
      v.delete(key as string);
      return true;
    },
    ownKeys(target) {
      const v = state.storage.getStore();
      return v ? v.keys() : Reflect.ownKeys(target);
    },
    getOwnPropertyDescriptor(target, key) {
      const v = view(key);
      if (!v) return Reflect.getOwnPropertyDescriptor(target, key);
      const value = v.get(key as string);
      return value === undefined ? undefined : { value, writable: true, enumerable: true, configurable: true };
    },
  });
}

/**
 * Installs the per-invocation `process.env` (idempotent: every local runtime in the process shares one) and
 * returns a release function; when the last user releases it, the real environment object is put back, unless
 * something else has replaced `process.env` since. Caveat: code that kept a reference to the real object before
 * this (`const { env } = process` at import) bypasses the isolation, and `util.inspect(process.env)` shows the
 * Proxy's target, the whole environment.
 */
export function isolateProcessEnv(): () => void {
  const state = isolation();
  if (state.users === 0 || process.env !== state.proxy) {
    if (process.env !== state.proxy) state.real = process.env;
    state.proxy = envProxy(state, state.real);
    process.env = state.proxy;
  }
  state.users++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    state.users--;
    if (state.users === 0 && process.env === state.proxy) process.env = state.real;
  };
}

/** Runs `work` (and everything it starts) with `environment` as its `process.env`. */
export function withEnvironment<T>(environment: FunctionEnvironment, work: () => T): T {
  return isolation().storage.run(environment, work);
}

/** The real environment, whatever `process.env` currently is. */
function realEnv(): NodeJS.ProcessEnv {
  return isolation().real;
}

export interface RuntimeOptions {
  root: string;
  queues: LocalQueues;
  /** Multiplies Lambda's async retry delays (1 and 2 minutes) and queue timeouts; small locally. */
  timeScale: number;
  log: (line: string) => void;
}

export class LocalRuntime {
  private readonly modules = new Map<string, Promise<Handler>>();
  /** One environment per function, kept across its invocations as a warm container's is. */
  private readonly environments = new Map<string, FunctionEnvironment>();
  private readonly releaseEnv: () => void;
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly stoppers: Array<() => void> = [];
  private stopped = false;
  readonly functions: Map<string, LocalFunction>;
  invocations = 0;
  failures = 0;

  constructor(functions: LocalFunction[], private readonly options: RuntimeOptions) {
    this.functions = new Map(functions.map((f) => [f.name, f]));
    this.releaseEnv = isolateProcessEnv();
  }

  /** The environment `fn`'s handler sees: its own variables, what Lambda provides, and its own writes. */
  environmentOf(fn: LocalFunction): FunctionEnvironment {
    let e = this.environments.get(fn.name);
    if (!e) {
      e = new FunctionEnvironment({
        ...fn.environment,
        // What Lambda sets for the function itself.
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
        LAMBDA_TASK_ROOT: this.options.root,
      }, realEnv);
      this.environments.set(fn.name, e);
    }
    return e;
  }

  byArn(arn: string): LocalFunction | undefined {
    return [...this.functions.values()].find((f) => f.arn === arn);
  }

  private load(fn: LocalFunction): Promise<Handler> {
    let mod = this.modules.get(fn.name);
    if (!mod) {
      const url = pathToFileURL(path.join(this.options.root, fn.entry)).href;
      mod = import(url).then((m: { handler?: Handler }) => {
        if (typeof m.handler !== 'function') throw new Error(`${fn.entry} does not export a handler`);
        return m.handler;
      });
      this.modules.set(fn.name, mod);
    }
    return mod;
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight++;
    return work.finally(() => {
      this.inFlight--;
      if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
  }

  /** Resolves when no invocation is running or waiting to retry, and no queue has a message to deliver. */
  async idle(): Promise<void> {
    for (;;) {
      if (this.inFlight > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
      await new Promise((r) => setTimeout(r, 20));
      if (this.inFlight === 0 && !this.pendingQueueWork()) return;
    }
  }

  private pendingQueueWork(): boolean {
    return this.mappings.some((m) => m.queue.messages.length > 0 && m.queue.nextVisibleIn() === 0);
  }

  /** A RequestResponse invocation: the handler's result, or its error thrown. */
  async invoke(name: string, event: unknown): Promise<unknown> {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`no function ${name}`);
    return this.track(this.run(fn, event));
  }

  /** One invocation, in the function's own environment (loading its module, the first time, in it too). */
  private run(fn: LocalFunction, event: unknown): Promise<unknown> {
    return withEnvironment(this.environmentOf(fn), () => this.runHandler(fn, event));
  }

  private async runHandler(fn: LocalFunction, event: unknown): Promise<unknown> {
    const handler = await this.load(fn);
    const requestId = randomUUID();
    const deadline = Date.now() + fn.timeoutSeconds * 1000;
    const context = {
      functionName: fn.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: fn.arn,
      memoryLimitInMB: '512',
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${fn.name}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    this.invocations++;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        handler(event, context),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Task timed out after ${fn.timeoutSeconds}.00 seconds`)), fn.timeoutSeconds * 1000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * An Event invocation: returns at once; on error Lambda retries (after 1, then 2 minutes, scaled), then sends
   * the invocation record to the on-failure destination, as AWS does.
   */
  invokeAsync(name: string, event: unknown): void {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`no function ${name}`);
    const retries = fn.async?.maximumRetryAttempts ?? 2;
    const work = (async () => {
      let lastError: unknown;
      for (let attempt = 0; attempt <= retries && !this.stopped; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, attempt * 60_000 * this.options.timeScale));
        try {
          await this.run(fn, event);
          return;
        } catch (err) {
          lastError = err;
          this.options.log(`${fn.name}: attempt ${attempt + 1} failed: ${(err as Error).message}`);
        }
      }
      this.failures++;
      const dest = fn.async?.onFailureQueueArn && this.options.queues.byArn(fn.async.onFailureQueueArn);
      if (dest) {
        const e = lastError as Error;
        dest.send(JSON.stringify({
          version: '1.0',
          timestamp: new Date().toISOString(),
          requestContext: { requestId: randomUUID(), functionArn: fn.arn, condition: 'RetriesExhausted', approximateInvokeCount: retries + 1 },
          requestPayload: event,
          responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
          responsePayload: { errorType: e?.name ?? 'Error', errorMessage: e?.message ?? String(lastError) },
        }));
      }
    })();
    void this.track(work);
  }

  private mappings: EventSourceMapping[] = [];

  /** Polls a queue for a function, as an event source mapping does, deleting what succeeded. */
  addEventSource(mapping: EventSourceMapping): void {
    this.mappings.push(mapping);
    const fn = this.functions.get(mapping.functionName);
    if (!fn) throw new Error(`no function ${mapping.functionName}`);
    let running = false;
    let timer: NodeJS.Timeout | undefined;
    const poll = async () => {
      if (running || this.stopped) return;
      running = true;
      try {
        for (;;) {
          const batch = mapping.queue.receive(mapping.batchSize);
          if (batch.length === 0) break;
          const event = {
            Records: batch.map((m) => ({
              messageId: m.MessageId,
              receiptHandle: m.receiptHandle,
              body: m.Body,
              attributes: {
                ApproximateReceiveCount: String(m.receiveCount),
                SentTimestamp: String(m.sentAt),
                ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? Date.now()),
              },
              messageAttributes: {},
              md5OfBody: m.MD5OfBody,
              eventSource: 'aws:sqs',
              eventSourceARN: mapping.queue.spec.arn,
              awsRegion: 'eu-west-2',
            })),
          };
          let failed = new Set<string>();
          try {
            const result = (await this.track(this.run(fn, event))) as { batchItemFailures?: Array<{ itemIdentifier: string }> } | undefined;
            if (mapping.reportBatchItemFailures && result?.batchItemFailures) {
              failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
            }
          } catch (err) {
            this.options.log(`${fn.name}: batch of ${batch.length} failed: ${(err as Error).message}`);
            failed = new Set(batch.map((m) => m.MessageId));
          }
          for (const m of batch) if (!failed.has(m.MessageId) && m.receiptHandle) mapping.queue.delete(m.receiptHandle);
          if (failed.size === batch.length) break;
        }
      } finally {
        running = false;
        const wait = mapping.queue.nextVisibleIn();
        clearTimeout(timer);
        if (wait !== undefined && !this.stopped) timer = setTimeout(() => void poll(), Math.max(wait, 10));
      }
    };
    const off = mapping.queue.onMessage(() => setImmediate(() => void poll()));
    this.stoppers.push(off, () => clearTimeout(timer));
    void poll();
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.stoppers) s();
    this.releaseEnv();
  }
}
