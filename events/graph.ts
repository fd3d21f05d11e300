/**
 * The Microsoft Graph contracts: the change and lifecycle notifications Graph posts to the webhook (each POST is an
 * envelope `{ value: [...] }`), and the message the graph-webhook function puts on the Graph queue for the
 * graph-changes function to read. One source for both handlers and the tests.
 */
import { z } from 'zod';
import { describeIssues } from './schemas.ts';

export const ChangeNotification = z.object({
  subscriptionId: z.string().max(128),
  clientState: z.string().max(256).optional(),
  changeType: z.enum(['created', 'updated', 'deleted']),
  resource: z.string().max(512),
  resourceData: z.object({ id: z.string().max(128).optional() }).passthrough().optional(),
  tenantId: z.string().max(128).optional(),
}).passthrough();
export type ChangeNotification = z.infer<typeof ChangeNotification>;

export const LifecycleNotification = z.object({
  subscriptionId: z.string().max(128),
  clientState: z.string().max(256).optional(),
  lifecycleEvent: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']),
}).passthrough();
export type LifecycleNotification = z.infer<typeof LifecycleNotification>;

/** Graph delivers 1 to 1,000 notifications in one POST. */
const envelope = <T extends z.ZodType>(notification: T) => z.object({ value: z.array(notification).min(1).max(1000) });
export const ChangeNotifications = envelope(ChangeNotification);
export const LifecycleNotifications = envelope(LifecycleNotification);

export type GraphNotifications =
  | { kind: 'change'; notifications: ChangeNotification[] }
  | { kind: 'lifecycle'; notifications: LifecycleNotification[] };

/**
 * A POST body from Graph, as the endpoint it came to expects it: change notifications at /graph/notifications,
 * lifecycle notifications at /graph/lifecycle. The reason says what is wrong otherwise.
 */
export function parseGraphNotifications(kind: GraphNotifications['kind'], body: unknown): ({ ok: true } & GraphNotifications) | { ok: false; reason: string } {
  if (kind === 'lifecycle') {
    const parsed = LifecycleNotifications.safeParse(body);
    return parsed.success ? { ok: true, kind, notifications: parsed.data.value } : { ok: false, reason: describeIssues(parsed.error) };
  }
  const parsed = ChangeNotifications.safeParse(body);
  return parsed.success ? { ok: true, kind, notifications: parsed.data.value } : { ok: false, reason: describeIssues(parsed.error) };
}

/** A directory object id as Graph gives it (a GUID); anything else is not a user we can fetch. */
const GRAPH_USER_ID = /^[A-Za-z0-9-]{1,64}$/;

/** The user a change notification is about: `resourceData.id`, else the id in `users/{id}`; undefined if neither. */
export function changedUserId(n: ChangeNotification): string | undefined {
  const id = n.resourceData?.id ?? /^\/?users\/([^/]+)$/i.exec(n.resource)?.[1];
  return id && GRAPH_USER_ID.test(id) ? id : undefined;
}

/** What the graph-webhook function puts on the Graph queue, one per accepted notification, for graph-changes. */
export const GraphQueueMessage = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('change'),
    userId: z.string().regex(GRAPH_USER_ID),
    changeType: ChangeNotification.shape.changeType,
    subscriptionId: z.string().max(128),
  }),
  z.object({
    kind: z.literal('lifecycle'),
    lifecycleEvent: LifecycleNotification.shape.lifecycleEvent,
    subscriptionId: z.string().max(128),
  }),
]);
export type GraphQueueMessage = z.infer<typeof GraphQueueMessage>;

/** A Graph queue message body (JSON) as graph-changes reads it; the reason says what is wrong otherwise. */
export function parseGraphQueueMessage(body: string): { ok: true; message: GraphQueueMessage } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    // Not the parser's message: it quotes the body.
    return { ok: false, reason: 'body is not valid JSON' };
  }
  const parsed = GraphQueueMessage.safeParse(raw);
  return parsed.success ? { ok: true, message: parsed.data } : { ok: false, reason: describeIssues(parsed.error) };
}
