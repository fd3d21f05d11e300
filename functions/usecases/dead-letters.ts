/**
 * What is in the dead-letter queue, and how to replay it. Messages arrive in three shapes:
 * - an invalid event with its reason (functions/adapters/dead-letter.ts);
 * - a Lambda on-failure record (retries exhausted): requestPayload is the event, responsePayload the error (a Graph
 *   notification that failed three times is one of these: it travels on the bus, events/graph.ts);
 * - an EventBridge or Scheduler target that could not be delivered: the event itself.
 * Replaying puts an event back on the bus with its original time (so a late replay cannot outrank a
 * cancellation recorded since). Handlers are idempotent, so a replay of something already processed changes nothing.
 */
import type { Bus, BusEvent, Queue, QueueMessage } from './ports.ts';

export interface DeadLetterView {
  messageId: string;
  queue: 'events';
  sentAt?: string;
  origin: string;
  reason: string;
  /** What a replay would do, in a few words. */
  replay: string;
  /** The event to put back on the bus. */
  replayEvent?: BusEvent;
  body: unknown;
}

interface BusEventShape { source: string; 'detail-type': string; detail: unknown; time?: string }

function isBusEvent(v: unknown): v is BusEventShape {
  const e = v as Partial<BusEventShape> | null;
  return !!e && typeof e.source === 'string' && typeof e['detail-type'] === 'string' && 'detail' in e;
}

export function describeDeadLetter(queue: 'events', messageId: string, raw: string, attributes: Record<string, string> = {}): DeadLetterView {
  let body: unknown = raw;
  try {
    body = JSON.parse(raw);
  } catch { /* kept as text */ }
  const base = { messageId, queue, body, ...(attributes.SentTimestamp ? { sentAt: new Date(Number(attributes.SentTimestamp)).toISOString() } : {}) };
  const b = body as Record<string, any>;
  const fromEvent = (e: BusEventShape) => ({ source: e.source, detailType: e['detail-type'], detail: e.detail, ...(e.time ? { time: e.time } : {}) });
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
export async function listDeadLetters(queue: Queue, which: 'events', max = 1000): Promise<DeadLetter[]> {
  const messages = await queue.peek(max);
  return messages.map((m) => ({ ...describeDeadLetter(which, m.messageId, m.body, m.attributes), message: m }));
}

/** Replays one dead letter and removes it from its queue; returns false when there is nothing to replay. */
export async function redrive(letter: DeadLetter, target: { from: Queue; bus: Bus }): Promise<boolean> {
  if (letter.replayEvent) await target.bus.put(letter.replayEvent);
  else return false;
  await target.from.remove(letter.message);
  return true;
}
