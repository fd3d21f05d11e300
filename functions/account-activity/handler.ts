/**
 * `Account Activity` events (detail: platform, handle, optional at) from the configured activity sources
 * (EventBridge rule: source in ACTIVITY_SOURCES): the account was seen in use, which counts against neglect.
 * An event from another source (one that reaches the function by any other way), an invalid one, or one for an
 * account that is not in the register goes to the dead-letter queue with the reason.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { sendToDeadLetter } from '../adapters/dead-letter.ts';
import { env } from '../adapters/env.ts';
import { logger, redactAddresses } from '../adapters/logger.ts';
import { DynamoStore } from '../adapters/dynamo-store.ts';
import { recordActivityEvent } from '../usecases/activity.ts';

let store: DynamoStore | undefined;

export async function handler(event: EventBridgeEvent<string, unknown>): Promise<{ outcome: string }> {
  store ??= new DynamoStore(env('TABLE_NAME'));
  const reason = await recordActivityEvent({ store, clock: () => new Date() }, { id: event.id, source: event.source, detail: event.detail }, env('ACTIVITY_SOURCES').split(','));
  if (reason) {
    logger.warn('Account Activity event sent to the dead-letter queue', { eventId: event.id, reason: redactAddresses(reason) });
    await sendToDeadLetter(env('DEAD_LETTER_QUEUE_URL'), { reason, origin: 'account-activity', receivedAt: new Date().toISOString(), event });
    return { outcome: 'dead-lettered' };
  }
  return { outcome: 'recorded' };
}
