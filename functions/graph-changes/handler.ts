/**
 * Graph notifications queued by the webhook: a change fetches the user and applies it; a lifecycle event renews
 * or recreates the subscription (or, for `missed`, runs the delta sync). Failed messages are reported individually
 * so SQS retries only them, and after five receives moves them to the dead-letter queue.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { env } from '../adapters/env.ts';
import { logger, safeError } from '../adapters/logger.ts';
import { depsFromEnv } from '../adapters/deps.ts';
import type { Deps } from '../usecases/deps.ts';
import { applyChangeNotification, ensureSubscription, syncDirectory } from '../usecases/directory.ts';
import { directoryFromEnv } from '../adapters/graph-deps.ts';
import { parseGraphQueueMessage } from '../../events/graph.ts';

let deps: Deps | undefined;

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  deps ??= depsFromEnv();
  const { directory, clientState } = await directoryFromEnv();
  const base = env('PUBLIC_BASE_URL').replace(/\/+$/, '');
  const urls = { notificationUrl: `${base}/graph/notifications`, lifecycleNotificationUrl: `${base}/graph/lifecycle`, clientState };
  const failures: Array<{ itemIdentifier: string }> = [];
  for (const record of event.Records) {
    try {
      const parsed = parseGraphQueueMessage(record.body);
      if (!parsed.ok) throw new Error(`not a Graph queue message: ${parsed.reason}`);
      const { message } = parsed;
      if (message.kind === 'change') {
        await applyChangeNotification(deps, directory, message.userId);
      } else if (message.lifecycleEvent === 'missed') {
        await syncDirectory(deps, directory);
      } else {
        await ensureSubscription(deps, directory, urls, message.lifecycleEvent === 'subscriptionRemoved' ? 'recreate' : 'renew');
      }
    } catch (err) {
      logger.error('Graph notification failed; it will be retried', { messageId: record.messageId, error: safeError(err) });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}
