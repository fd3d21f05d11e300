/**
 * What is in a dead-letter queue, and how to replay it. Messages arrive in four shapes:
 * - an invalid event with its reason (functions/adapters/dead-letter.ts);
 * - a Lambda on-failure record (retries exhausted): requestPayload is the event, responsePayload the error;
 * - an EventBridge or Scheduler target that could not be delivered: the event itself;
 * - a Graph notification that failed five times (SQS redrive from the Graph queue).
 * Replaying puts an event back on the bus with its original time (so a late replay cannot outrank a
 * cancellation recorded since), or a Graph notification back on its queue. Handlers are idempotent, so a replay
 * of something already processed changes nothing.
 */
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { eventBridgeClient, sqsClient } from '../adapters/aws.ts';

export interface DeadLetterView {
  messageId: string;
  receiptHandle: string;
  queue: 'events' | 'graph';
  sentAt?: string;
  origin: string;
  reason: string;
  /** What a replay would do, in a few words. */
  replay: string;
  /** The event to put back on the bus, or the message to put back on the Graph queue. */
  replayEvent?: { source: string; detailType: string; detail: unknown; time?: string };
  replayMessage?: string;
  body: unknown;
}

interface BusEventShape { source: string; 'detail-type': string; detail: unknown; time?: string }

function isBusEvent(v: unknown): v is BusEventShape {
  const e = v as Partial<BusEventShape> | null;
  return !!e && typeof e.source === 'string' && typeof e['detail-type'] === 'string' && 'detail' in e;
}

export function describeDeadLetter(queue: 'events' | 'graph', messageId: string, receiptHandle: string, raw: string, attributes: Record<string, string> = {}): DeadLetterView {
  let body: unknown = raw;
  try {
    body = JSON.parse(raw);
  } catch { /* kept as text */ }
  const base = { messageId, receiptHandle, queue, body, ...(attributes.SentTimestamp ? { sentAt: new Date(Number(attributes.SentTimestamp)).toISOString() } : {}) };
  const b = body as Record<string, any>;
  const fromEvent = (e: BusEventShape) => ({ source: e.source, detailType: e['detail-type'], detail: e.detail, ...(e.time ? { time: e.time } : {}) });
  if (queue === 'graph') {
    return { ...base, origin: 'graph-changes', reason: 'failed five times', replay: 'back on the Graph queue', replayMessage: raw };
  }
  if (b && typeof b.reason === 'string' && 'event' in b) {
    return { ...base, origin: String(b.origin ?? 'unknown'), reason: b.reason, replay: isBusEvent(b.event) ? 'back on the bus (it will be refused again unless fixed)' : 'none', ...(isBusEvent(b.event) ? { replayEvent: fromEvent(b.event) } : {}) };
  }
  if (b && b.requestContext && 'requestPayload' in b) {
    const fn = String(b.requestContext.functionArn ?? '').split(':').pop() ?? 'a function';
    const reason = `${b.requestContext.condition ?? 'failed'}: ${b.responsePayload?.errorMessage ?? 'unknown error'}`;
    if (isBusEvent(b.requestPayload)) return { ...base, origin: fn, reason, replay: 'back on the bus', replayEvent: fromEvent(b.requestPayload) };
    return { ...base, origin: fn, reason, replay: 'none: run it again (e.g. custodian sweep)' };
  }
  if (isBusEvent(b)) {
    return { ...base, origin: 'bus delivery', reason: attributes.ERROR_MESSAGE ?? 'could not be delivered to its target', replay: 'back on the bus', replayEvent: fromEvent(b) };
  }
  return { ...base, origin: 'unknown', reason: 'unrecognised message', replay: 'none' };
}

/** Reads every message without consuming it: each is hidden briefly while listed, then made visible again. */
export async function listDeadLetters(queueUrl: string, queue: 'events' | 'graph', max = 1000): Promise<DeadLetterView[]> {
  const seen = new Map<string, DeadLetterView>();
  for (let round = 0; round < 100 && seen.size < max; round++) {
    const out = await sqsClient().send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['SentTimestamp'], MessageAttributeNames: ['All'] }));
    const messages = (out.Messages ?? []).filter((m) => !seen.has(m.MessageId!));
    if (messages.length === 0) break;
    for (const m of messages) {
      const attrs: Record<string, string> = { ...(m.Attributes ?? {}) };
      for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) if (v.StringValue) attrs[k] = v.StringValue;
      seen.set(m.MessageId!, describeDeadLetter(queue, m.MessageId!, m.ReceiptHandle!, m.Body ?? '', attrs));
    }
  }
  await Promise.all([...seen.values()].map((v) => sqsClient().send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: v.receiptHandle, VisibilityTimeout: 0 })).catch(() => undefined)));
  return [...seen.values()];
}

/** Replays one dead letter and removes it from its queue; returns false when there is nothing to replay. */
export async function redrive(letter: DeadLetterView, target: { queueUrl: string; busName: string; graphQueueUrl?: string }): Promise<boolean> {
  if (letter.replayEvent) {
    const out = await eventBridgeClient().send(new PutEventsCommand({
      Entries: [{
        EventBusName: target.busName,
        Source: letter.replayEvent.source,
        DetailType: letter.replayEvent.detailType,
        Detail: JSON.stringify(letter.replayEvent.detail),
        ...(letter.replayEvent.time ? { Time: new Date(letter.replayEvent.time) } : {}),
      }],
    }));
    if (out.FailedEntryCount) throw new Error(`the bus refused the replay: ${out.Entries?.[0]?.ErrorCode}`);
  } else if (letter.replayMessage && target.graphQueueUrl) {
    await sqsClient().send(new SendMessageCommand({ QueueUrl: target.graphQueueUrl, MessageBody: letter.replayMessage }));
  } else {
    return false;
  }
  await sqsClient().send(new DeleteMessageCommand({ QueueUrl: target.queueUrl, ReceiptHandle: letter.receiptHandle }));
  return true;
}
