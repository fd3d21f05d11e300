/** Change and lifecycle notifications, POSTed to subscribers once each (see DIFFERENCES in ../graph-emulator.ts). */
import { errorName, GraphHttpError, LOG } from './http.ts';
import type { ChangeType } from './directory.ts';
import type { SubscriptionState, SubscriptionStore } from './subscriptions.ts';
import type { LifecycleEvent } from './types.ts';

const DELIVERY_TIMEOUT_MS = 10_000;

const covers = (resource: string, userId: string): boolean => {
  const m = /^\/?users(?:\/([^/]+))?$/i.exec(resource);
  return !!m && (m[1] === undefined || m[1].toLowerCase() === userId.toLowerCase());
};

export class Notifier {
  /** Off simulates a dead webhook path: nothing is sent, nothing is queued. */
  enabled = true;

  constructor(
    private readonly subscriptions: SubscriptionStore,
    private readonly tenantId: string,
  ) {}

  async notifyChange(userId: string, changeType: ChangeType, sequenceNumber: number): Promise<void> {
    if (!this.enabled) return;
    const { tenantId } = this;
    const targets = this.subscriptions.live().filter((s) => covers(s.resource, userId) && s.changeType.split(',').includes(changeType));
    await Promise.all(
      targets.map((s) =>
        this.deliver(s, s.notificationUrl, {
          value: [
            {
              subscriptionId: s.id,
              subscriptionExpirationDateTime: s.expirationDateTime,
              changeType,
              resource: `Users/${userId}`,
              resourceData: {
                '@odata.type': '#Microsoft.Graph.User',
                '@odata.id': `Users/${userId}`,
                id: userId,
                organizationId: tenantId,
                sequenceNumber,
              },
              clientState: s.clientState ?? null,
              tenantId,
            },
          ],
        }),
      ),
    );
  }

  async triggerLifecycle(subscriptionId: string, event: LifecycleEvent): Promise<boolean> {
    const s = this.subscriptions.find(subscriptionId);
    if (!s) throw new GraphHttpError(404, 'ResourceNotFound', `Subscription '${subscriptionId}' was not found.`);
    if (event === 'subscriptionRemoved') this.subscriptions.remove(s.id);
    // Graph sends lifecycle events only to subscriptions created with a lifecycleNotificationUrl.
    if (!s.lifecycleNotificationUrl || !this.enabled) return false;
    return this.deliver(s, s.lifecycleNotificationUrl, {
      value: [
        {
          subscriptionId: s.id,
          subscriptionExpirationDateTime: s.expirationDateTime,
          tenantId: this.tenantId,
          clientState: s.clientState ?? null,
          lifecycleEvent: event,
          resource: s.resource,
        },
      ],
    });
  }

  /** Delivery failures are swallowed: Graph's own retries are not something a local stack should rely on. */
  private async deliver(s: SubscriptionState, url: string, payload: unknown): Promise<boolean> {
    let problem: string;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        s.failureLogged = false;
        return true;
      }
      problem = `HTTP ${res.status}`;
    } catch (err) {
      problem = errorName(err);
    }
    if (!s.failureLogged) {
      s.failureLogged = true;
      console.warn(`${LOG} notification delivery for subscription ${s.id} failed (${problem}); further failures are not logged until one succeeds`);
    }
    return false;
  }
}
