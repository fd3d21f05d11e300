/**
 * `Account Activity` events from any integration (detail: platform, handle, optional at): the account was seen in
 * use, which counts against neglect. An event for an account that is not in the register goes to the
 * dead-letter queue with the reason.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { AccountActivityDetail, describeIssues } from '../../events/schemas.ts';
import { sendToDeadLetter } from '../adapters/dead-letter.ts';
import { env } from '../adapters/env.ts';
import { logger } from '../adapters/logger.ts';
import { DynamoStore } from '../adapters/dynamo-store.ts';
import { recordActivity } from '../usecases/activity.ts';

let store: DynamoStore | undefined;

export async function handler(event: EventBridgeEvent<string, unknown>): Promise<{ outcome: string }> {
  const parsed = AccountActivityDetail.safeParse(event.detail);
  store ??= new DynamoStore(env('TABLE_NAME'));
  const reason = parsed.success ? await recordActivity({ store, clock: () => new Date() }, parsed.data, { by: `system:${event.source}`, source: `event:${event.id}` }) : describeIssues(parsed.error);
  if (reason) {
    logger.warn('Account Activity event sent to the dead-letter queue', { eventId: event.id, reason });
    await sendToDeadLetter(env('DEAD_LETTER_QUEUE_URL'), { reason, origin: 'account-activity', receivedAt: new Date().toISOString(), event });
    return { outcome: 'dead-lettered' };
  }
  return { outcome: 'recorded' };
}
