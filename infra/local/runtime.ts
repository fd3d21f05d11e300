/**
 * A small Lambda runtime for the local stack: it loads each function's real handler module and invokes it as
 * Lambda would, synchronously (HTTP API), asynchronously with retries and an on-failure destination (EventBridge
 * rules, schedules), or from an SQS event source mapping with partial batch failures.
 *
 * Each invocation sees only its own function's environment, as on Lambda (see function-env.ts).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { safeErrorMessage } from '../../functions/domain/redact.ts';
import { FunctionEnvironment, isolateProcessEnv, realEnv, withEnvironment } from './function-env.ts';
import type { LocalQueue, LocalQueues } from './queues.ts';

export { LAMBDA_PROVIDED } from './function-env.ts';

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
          // Error messages can carry addresses (an SES rejection lists its recipients): logged without them.
          this.options.log(`${fn.name}: attempt ${attempt + 1} failed: ${safeErrorMessage(err)}`);
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
            this.options.log(`${fn.name}: batch of ${batch.length} failed: ${safeErrorMessage(err)}`);
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
