/**
 * Leaver events end to end: PutEvents to the local bus, the template's rule, the real hr-events handler, its
 * DynamoDB reads and transactions, the SES emulator, the Account Flagged event. Events go in waves of `wave`
 * (50) at a time, the next wave when the runtime is idle again, and the whole is timed from the first PutEvents
 * to the last idle. (All 2,000 at once is not a sustained load: in one process sharing one connection pool,
 * invocations queue past their 60 s timeout and the local runtime retries them, as Lambda would.)
 *
 * The floor: the very transactions the handlers wrote (recorded per event, in order), issued directly against a
 * second table seeded with the same register, in the same waves: within a wave every event's transactions in
 * sequence and the events at once, with a client configured as the functions' own. Same run, same machine, same
 * DynamoDB Local.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import type { StaffLeaverDetail } from '../../events/schemas.ts';
import type { LocalStack } from '../../infra/local/stack.ts';
import { since, snapshot, startRecording, stopRecording, type TransactInput, type Usage } from './instrument.ts';
import { percentile, pool, round } from './stats.ts';

/** A leaver's detail as HR sends it (before validation): the contract's input type, written once in events/. */
export type LeaverEventDetail = Pick<z.input<typeof StaffLeaverDetail>, 'email' | 'leaveDate' | 'displayName' | 'lineManagerEmail'>;

export function busClient(stack: LocalStack): EventBridgeClient {
  return new EventBridgeClient({ endpoint: stack.outputs.endpoints.aws, region: 'eu-west-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

/** A client configured as functions/adapters/aws.ts configures the functions' one. */
export function functionLikeClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 6 }), { marshallOptions: { removeUndefinedValues: true } });
}

export interface PipelineRun {
  events: number;
  wallMs: number;
  eventsPerSecond: number;
  usage: Usage;
  /** Transactions the handlers wrote, per event (the floor replays them). */
  recorded: Map<string, TransactInput[]>;
  /** Event ids in the order their waves went. */
  waves: string[][];
  failures: number;
  /** Handler invocations: more than `events` means the runtime retried some. */
  invocations: number;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function runPipeline(stack: LocalStack, details: LeaverEventDetail[], wave = 50): Promise<PipelineRun> {
  const bus = busClient(stack);
  const failuresBefore = stack.runtime.failures;
  const invocationsBefore = stack.runtime.invocations;
  const recorded = startRecording();
  const waves: string[][] = [];
  const before = snapshot();
  const t0 = performance.now();
  for (const group of chunks(details, wave)) {
    const ids: string[] = [];
    await pool(chunks(group, 10), 5, async (batch) => {
      const out = await bus.send(new PutEventsCommand({
        Entries: batch.map((d) => ({ EventBusName: stack.outputs.eventBusName, Source: 'hr', DetailType: 'Staff Leaver', Detail: JSON.stringify(d) })),
      }));
      if (out.FailedEntryCount) throw new Error(`the local bus refused ${out.FailedEntryCount} events: ${JSON.stringify(out.Entries)}`);
      for (const e of out.Entries ?? []) if (e.EventId) ids.push(e.EventId);
    });
    waves.push(ids);
    await stack.idle();
  }
  const wallMs = performance.now() - t0;
  stopRecording();
  const usage = since(before);
  bus.destroy();
  return {
    events: details.length, wallMs, eventsPerSecond: details.length / (wallMs / 1000), usage, recorded, waves,
    failures: stack.runtime.failures - failuresBefore, invocations: stack.runtime.invocations - invocationsBefore,
  };
}

export interface FloorRun {
  transactions: number;
  wallMs: number;
  failed: number;
}

/** Replays the recorded transactions against `table`, wave by wave as the pipeline ran them. */
export async function runFloor(run: PipelineRun, table: string, client: DynamoDBDocumentClient): Promise<FloorRun> {
  const retarget = (input: TransactInput) => ({
    ...input,
    TransactItems: input.TransactItems.map((item) => Object.fromEntries(Object.entries(item).map(([op, body]) => [op, { ...body, TableName: table }]))),
  });
  const waves = run.waves.map((ids) => ids.map((id) => (run.recorded.get(id) ?? []).map(retarget)));
  let failed = 0;
  let transactions = 0;
  const t0 = performance.now();
  for (const sequences of waves) {
    await Promise.all(sequences.map(async (seq) => {
      for (const input of seq) {
        transactions++;
        try {
          await client.send(new TransactWriteCommand(input as ConstructorParameters<typeof TransactWriteCommand>[0]));
        } catch {
          failed++;
        }
      }
    }));
  }
  return { transactions, wallMs: performance.now() - t0, failed };
}

export interface LatencyRun {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Each leaver's milliseconds, in order. */
  ms: number[];
}

/**
 * From `PutEvents` of a leaver to the first email it causes arriving in the SES emulator, one leaver at a time
 * (the next when the runtime is idle again), so each figure is the path itself and not a queue. The emulator's
 * store is polled every `pollMs` (`GET /store?since=<epoch seconds>`, so each poll carries only the newest mail):
 * a figure is late by up to that much. Handlers are warm here (the local runtime keeps each module loaded); a cold
 * start adds the first-request times measured separately.
 */
export async function measureLatency(stack: LocalStack, details: LeaverEventDetail[], pollMs = 5): Promise<LatencyRun> {
  const bus = busClient(stack);
  const store = `${stack.outputs.endpoints.ses}/store`;
  const ms: number[] = [];
  try {
    for (const detail of details) {
      await stack.idle();
      const since = Math.floor(Date.now() / 1000) - 1;
      const count = async () => ((await (await fetch(`${store}?since=${since}`)).json()) as { emails: unknown[] }).emails.length;
      const before = await count();
      const t0 = performance.now();
      const out = await bus.send(new PutEventsCommand({
        Entries: [{ EventBusName: stack.outputs.eventBusName, Source: 'hr', DetailType: 'Staff Leaver', Detail: JSON.stringify(detail) }],
      }));
      if (out.FailedEntryCount) throw new Error(`the local bus refused a leaver: ${JSON.stringify(out.Entries)}`);
      for (;;) {
        if ((await count()) > before) break;
        if (performance.now() - t0 > 30_000) throw new Error('no email within 30 s of a leaver event');
        await new Promise((r) => setTimeout(r, pollMs));
      }
      ms.push(performance.now() - t0);
    }
    // The last leaver's handler may still be writing after its first email: let it finish before anything else runs.
    await stack.idle();
  } finally {
    bus.destroy();
  }
  return { samples: ms.length, p50Ms: round(percentile(ms, 50), 1), p99Ms: round(percentile(ms, 99), 1), maxMs: round(Math.max(...ms), 1), ms: ms.map((m) => round(m, 1)) };
}
