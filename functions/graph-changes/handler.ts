/**
 * Graph notifications from the bus (put there by the graph-webhook function, events/graph.ts): a change fetches the
 * user and applies it; a lifecycle event renews or recreates the subscription (or, for `missed`, runs the delta
 * sync). A failure throws, so Lambda retries the event twice and then records it in the dead-letter queue, from which
 * `custodian dead-letters redrive` puts it back on the bus.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { env } from '../adapters/env.ts';
import { logger, safeError } from '../adapters/logger.ts';
import { depsFromEnv } from '../adapters/deps.ts';
import type { Deps } from '../usecases/deps.ts';
import { applyChangeNotification, ensureSubscription, syncDirectory } from '../usecases/directory.ts';
import { directoryFromEnv } from '../adapters/graph-deps.ts';
import { parseGraphMessage } from '../../events/graph.ts';

let deps: Deps | undefined;

export async function handler(event: EventBridgeEvent<string, unknown>): Promise<{ outcome: string }> {
  const parsed = parseGraphMessage(event.detail);
  // Only graph-webhook puts these events, from messages it built: one that does not parse is a defect, kept to be seen.
  if (!parsed.ok) throw new Error(`not a Graph notification: ${parsed.reason}`);
  deps ??= depsFromEnv();
  const { directory, clientState } = await directoryFromEnv();
  const base = env('PUBLIC_BASE_URL').replace(/\/+$/, '');
  const urls = { notificationUrl: `${base}/graph/notifications`, lifecycleNotificationUrl: `${base}/graph/lifecycle`, clientState };
  const { message } = parsed;
  try {
    if (message.kind === 'change') {
      await applyChangeNotification(deps, directory, message.userId);
    } else if (message.lifecycleEvent === 'missed') {
      await syncDirectory(deps, directory);
    } else {
      await ensureSubscription(deps, directory, urls, message.lifecycleEvent === 'subscriptionRemoved' ? 'recreate' : 'renew');
    }
  } catch (err) {
    logger.error('Graph notification failed; it will be retried', { eventId: event.id, kind: message.kind, error: safeError(err) });
    throw err;
  }
  return { outcome: 'processed' };
}
