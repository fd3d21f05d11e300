/**
 * HR events from the bus (EventBridge rule: source in HR_SOURCES, detail-type Staff Leaver / Staff Joiner /
 * Staff Leaver Cancelled). Thin: validate with the zod schemas of events/, call the use case, and send anything
 * invalid to the dead-letter queue with the reason.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { parseHrBusEvent } from '../../events/schemas.ts';
import { sendToDeadLetter } from '../adapters/dead-letter.ts';
import { depsFromEnv } from '../adapters/deps.ts';
import { env } from '../adapters/env.ts';
import { logger, redactAddresses } from '../adapters/logger.ts';
import type { Deps } from '../usecases/deps.ts';
import { processHrEvent } from '../usecases/hr-events.ts';

let deps: Deps | undefined;

export async function handler(event: EventBridgeEvent<string, unknown>): Promise<{ outcome: string }> {
  deps ??= depsFromEnv();
  const parsed = parseHrBusEvent({ source: event.source, detailType: event['detail-type'], detail: event.detail }, env('HR_SOURCES').split(','));
  if (!parsed.ok) {
    logger.warn('invalid HR event sent to the dead-letter queue', { eventId: event.id, detailType: event['detail-type'], reason: redactAddresses(parsed.reason) });
    await sendToDeadLetter(env('DEAD_LETTER_QUEUE_URL'), { reason: parsed.reason, origin: 'hr-events', receivedAt: new Date().toISOString(), event });
    return { outcome: 'dead-lettered' };
  }
  await processHrEvent(deps, parsed.event, { id: event.id, time: event.time, origin: 'hr' });
  return { outcome: 'processed' };
}
