/**
 * HR events from the bus (EventBridge rule: source in HR_SOURCES, detail-type Staff Leaver / Staff Joiner /
 * Staff Leaver Cancelled). Thin: validate with the zod schemas of events/, call the use case, and send anything
 * invalid to the dead-letter queue with the reason.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { describeIssues, HrEvent } from '../../events/schemas.ts';
import { sendToDeadLetter } from '../adapters/dead-letter.ts';
import { env } from '../adapters/env.ts';
import { logger } from '../adapters/logger.ts';
import { depsFromEnv, type Deps } from '../usecases/deps.ts';
import { processCancellation, processJoiner, processLeaver, type EventMeta } from '../usecases/leavers.ts';

let deps: Deps | undefined;

export async function handler(event: EventBridgeEvent<string, unknown>): Promise<{ outcome: string }> {
  deps ??= depsFromEnv();
  const sources = env('HR_SOURCES').split(',');
  const parsed = HrEvent.safeParse({ detailType: event['detail-type'], detail: event.detail });
  const reason = !sources.includes(event.source)
    ? `source "${event.source}" is not an accepted HR source`
    : !parsed.success ? describeIssues(parsed.error) : undefined;
  if (reason || !parsed.success) {
    logger.warn('invalid HR event sent to the dead-letter queue', { eventId: event.id, detailType: event['detail-type'], reason });
    await sendToDeadLetter(env('DEAD_LETTER_QUEUE_URL'), { reason: reason ?? 'invalid', origin: 'hr-events', receivedAt: new Date().toISOString(), event });
    return { outcome: 'dead-lettered' };
  }
  const meta: EventMeta = { id: event.id, time: event.time, origin: 'hr' };
  const e = parsed.data;
  switch (e.detailType) {
    case 'Staff Leaver':
      await processLeaver(deps, e.detail, meta);
      break;
    case 'Staff Leaver Cancelled':
      await processCancellation(deps, { email: e.detail.email, reason: 'HR cancelled the leaver record' }, meta);
      break;
    case 'Staff Joiner':
      await processJoiner(deps, e.detail, meta);
      break;
  }
  return { outcome: 'processed' };
}
