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
import type { Bus, BusEvent, Queue, QueueMessage } from './ports.ts';

export interface DeadLetterView {
  messageId: string;
  queue: 'events' | 'graph';
  sentAt?: string;
  origin: string;
  reason: string;
  /** What a replay would do, in a few words. */
  replay: string;
  /** The event to put back on the bus, or the message to put back on the Graph queue. */
  replayEvent?: BusEvent;
  replayMessage?: string;
  body: unknown;
}

interface BusEventShape { source: string; 'detail-type': string; detail: unknown; time?: string }

function isBusEvent(v: unknown): v is BusEventShape {
  const e = v as Partial<BusEventShape> | null;
  return !!e && typeof e.source === 'string' && typeof e['detail-type'] === 'string' && 'detail' in e;
}

export function describeDeadLetter(queue: 'events' | 'graph', messageId: string, raw: string, attributes: Record<string, string> = {}): DeadLetterView {
  let body: unknown = raw;
  try {
    body = JSON.parse(raw);
  } catch { /* kept as text */ }
  const base = { messageId, queue, body, ...(attributes.SentTimestamp ? { sentAt: new Date(Number(attributes.SentTimestamp)).toISOString() } : {}) };
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

/** A dead letter as read from its queue: what it is, and the message to remove once it is replayed. */
export interface DeadLetter extends DeadLetterView {
  message: QueueMessage;
}

/** Reads every message without consuming it. */
export async function listDeadLetters(queue: Queue, which: 'events' | 'graph', max = 1000): Promise<DeadLetter[]> {
  const messages = await queue.peek(max);
  return messages.map((m) => ({ ...describeDeadLetter(which, m.messageId, m.body, m.attributes), message: m }));
}

/** Replays one dead letter and removes it from its queue; returns false when there is nothing to replay. */
export async function redrive(letter: DeadLetter, target: { from: Queue; bus: Bus; graphQueue?: Queue }): Promise<boolean> {
  if (letter.replayEvent) await target.bus.put(letter.replayEvent);
  else if (letter.replayMessage && target.graphQueue) await target.graphQueue.send(letter.replayMessage);
  else return false;
  await target.from.remove(letter.message);
  return true;
}
