/**
 * Scheduled: keeps the Graph subscription alive (created, renewed well before expiry, recreated when lost) and
 * runs the delta query, the backstop that finds every leaver the webhook missed.
 */
import { env } from '../adapters/env.ts';
import { logger, safeError } from '../adapters/logger.ts';
import { depsFromEnv } from '../adapters/deps.ts';
import type { Deps } from '../usecases/deps.ts';
import { ensureSubscription, syncDirectory } from '../usecases/directory.ts';
import { directoryFromEnv, GraphNotConfigured } from '../adapters/graph-deps.ts';

let deps: Deps | undefined;

export async function handler(): Promise<{ outcome: string; subscription?: string; entries?: number; leavers?: number }> {
  deps ??= depsFromEnv();
  let graph;
  try {
    graph = await directoryFromEnv();
  } catch (err) {
    if (err instanceof GraphNotConfigured) {
      logger.warn('directory sync skipped', { reason: safeError(err) });
      return { outcome: 'not-configured' };
    }
    throw err;
  }
  const base = env('PUBLIC_BASE_URL').replace(/\/+$/, '');
  let subscription: string;
  try {
    subscription = await ensureSubscription(deps, graph.directory, {
      notificationUrl: `${base}/graph/notifications`,
      lifecycleNotificationUrl: `${base}/graph/lifecycle`,
      clientState: graph.clientState,
    });
  } catch (err) {
    // The delta query still finds leavers without a subscription, so a failed subscription does not stop it.
    logger.error('could not create or renew the Graph subscription', { error: safeError(err) });
    subscription = 'failed';
  }
  const result = await syncDirectory(deps, graph.directory);
  return { outcome: 'synchronised', subscription, entries: result.entries, leavers: result.leavers };
}
