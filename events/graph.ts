/**
 * The Microsoft Graph contracts: the change and lifecycle notifications Graph posts to the webhook (each POST is an
 * envelope `{ value: [...] }`), and the message the graph-webhook function puts on the bus (an event's detail) for the
 * graph-changes function to read. One source for both handlers and the tests.
 */
import * as z from 'zod/mini';
import { describeIssues } from './schemas.ts';

// zod/mini (see schemas.ts, which also registers the English messages): `z.looseObject` is classic zod's `.passthrough()`.
const upTo = (max: number) => z.string().check(z.maxLength(max));

export const ChangeNotification = z.looseObject({
  subscriptionId: upTo(128),
  clientState: z.optional(upTo(256)),
  changeType: z.enum(['created', 'updated', 'deleted']),
  resource: upTo(512),
  resourceData: z.optional(z.looseObject({ id: z.optional(upTo(128)) })),
  tenantId: z.optional(upTo(128)),
});
export type ChangeNotification = z.infer<typeof ChangeNotification>;

export const LifecycleNotification = z.looseObject({
  subscriptionId: upTo(128),
  clientState: z.optional(upTo(256)),
  lifecycleEvent: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']),
});
export type LifecycleNotification = z.infer<typeof LifecycleNotification>;

/** Graph delivers 1 to 1,000 notifications in one POST. */
const envelope = <T extends z.ZodMiniType>(notification: T) => z.object({ value: z.array(notification).check(z.minLength(1), z.maxLength(1000)) });
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

/**
 * The graph-webhook function puts each accepted notification on the stack's bus as one event from this source, with
 * this detail-type and a GraphQueueMessage as its detail; a rule sends them to graph-changes (retried, then
 * dead-lettered, like every event). Only graph-webhook may put events from this source (infra/stack.ts).
 */
export const GRAPH_SOURCE = 'custodian.graph';
export const GRAPH_DETAIL_TYPE = 'Graph Notification';

/** What the graph-webhook function puts on the bus (an event's detail), one per accepted notification, for graph-changes. */
export const GraphQueueMessage = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('change'),
    userId: z.string().check(z.regex(GRAPH_USER_ID)),
    changeType: ChangeNotification.shape.changeType,
    subscriptionId: upTo(128),
  }),
  z.object({
    kind: z.literal('lifecycle'),
    lifecycleEvent: LifecycleNotification.shape.lifecycleEvent,
    subscriptionId: upTo(128),
  }),
]);
export type GraphQueueMessage = z.infer<typeof GraphQueueMessage>;

/** A Graph notification event's detail as graph-changes reads it; the reason says what is wrong otherwise. */
export function parseGraphMessage(detail: unknown): { ok: true; message: GraphQueueMessage } | { ok: false; reason: string } {
  const parsed = GraphQueueMessage.safeParse(detail);
  return parsed.success ? { ok: true, message: parsed.data } : { ok: false, reason: describeIssues(parsed.error) };
}

/** A message as JSON text (a dead letter's body, a test's input), parsed as graph-changes reads an event's detail. */
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
