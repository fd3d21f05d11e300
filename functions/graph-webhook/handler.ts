/**
 * POST /graph/notifications and POST /graph/lifecycle: Microsoft Graph's webhook. Answers the validation
 * handshake, checks each notification's clientState against the secret in constant time (discarding those that do
 * not match), and only puts the valid ones on the bus (events/graph.ts), so it answers 202 well within Graph's time
 * limit; the graph-changes function does the work, retried and dead-lettered like every event.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createHash, timingSafeEqual } from 'node:crypto';
import { env } from '../adapters/env.ts';
import { logger } from '../adapters/logger.ts';
import { EventBridgeBus } from '../adapters/queues.ts';
import { changedUserId, GRAPH_DETAIL_TYPE, GRAPH_SOURCE, parseGraphNotifications, type GraphQueueMessage } from '../../events/graph.ts';
import { bodyBytes, header, json, rawBody, text, type HttpResult } from '../http/responses.ts';
import type { GraphSecret } from '../adapters/graph-deps.ts';
import { secretJson } from '../adapters/secrets.ts';

const MAX_BODY_BYTES = 1024 * 1024;

/** Compares secrets in constant time; hashing first makes the lengths equal. */
function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export async function handler(event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const validationToken = event.queryStringParameters?.validationToken;
  if (validationToken !== undefined) {
    // Graph's handshake: echo the (already URL-decoded) token as text/plain within 10 seconds.
    return validationToken.length <= 2048 ? text(200, validationToken) : json(400, { message: 'validationToken too long' });
  }
  if (bodyBytes(event) > MAX_BODY_BYTES) return json(413, { message: 'body is larger than 1 MB' });
  if (!/^application\/json\b/i.test(header(event, 'content-type') ?? '')) return json(415, { message: 'Content-Type must be application/json' });
  let body: unknown;
  try {
    body = JSON.parse(rawBody(event));
  } catch {
    return json(400, { message: 'body is not valid JSON' });
  }
  const parsed = parseGraphNotifications(event.rawPath.endsWith('/lifecycle') ? 'lifecycle' : 'change', body);
  if (!parsed.ok) return json(400, { message: parsed.reason });

  // The secret alone, not graph-deps' Graph client: this function never calls Graph (openid-client and the Graph SDK stay out of its bundle).
  const { clientState } = await secretJson<GraphSecret>(env('GRAPH_SECRET_ID'));
  const messages: GraphQueueMessage[] = [];
  let discarded = 0;
  if (parsed.kind === 'lifecycle') {
    for (const n of parsed.notifications) {
      if (sameSecret(n.clientState, clientState)) messages.push({ kind: 'lifecycle', lifecycleEvent: n.lifecycleEvent, subscriptionId: n.subscriptionId });
      else discarded++;
    }
  } else {
    for (const n of parsed.notifications) {
      const userId = sameSecret(n.clientState, clientState) ? changedUserId(n) : undefined;
      if (userId) messages.push({ kind: 'change', userId, changeType: n.changeType, subscriptionId: n.subscriptionId });
      else discarded++;
    }
  }
  if (discarded) logger.warn('Graph notifications discarded', { discarded, reason: 'clientState mismatch or not a user resource' });
  await new EventBridgeBus(env('EVENT_BUS_NAME')).putAll(messages.map((detail) => ({ source: GRAPH_SOURCE, detailType: GRAPH_DETAIL_TYPE, detail })));
  return json(202, { accepted: messages.length, discarded });
}
