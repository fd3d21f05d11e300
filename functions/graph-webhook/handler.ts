/**
 * POST /graph/notifications and POST /graph/lifecycle: Microsoft Graph's webhook. Answers the validation
 * handshake, checks each notification's clientState against the secret in constant time (discarding those that do
 * not match), and only enqueues the valid ones, so it answers 202 well within Graph's time limit; the
 * graph-changes function does the work.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { sqsClient } from '../adapters/aws.ts';
import { env } from '../adapters/env.ts';
import { logger } from '../adapters/logger.ts';
import { describeIssues } from '../../events/schemas.ts';
import { bodyBytes, header, json, rawBody, text, type HttpResult } from '../http/responses.ts';
import { graphSecret } from '../adapters/graph-deps.ts';

const MAX_BODY_BYTES = 1024 * 1024;

const ChangeNotification = z.object({
  subscriptionId: z.string().max(128),
  clientState: z.string().max(256).optional(),
  changeType: z.enum(['created', 'updated', 'deleted']),
  resource: z.string().max(512),
  resourceData: z.object({ id: z.string().max(128).optional() }).passthrough().optional(),
  tenantId: z.string().max(128).optional(),
}).passthrough();

const LifecycleNotification = z.object({
  subscriptionId: z.string().max(128),
  clientState: z.string().max(256).optional(),
  lifecycleEvent: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']),
}).passthrough();

export type GraphQueueMessage =
  | { kind: 'change'; userId: string; changeType: string; subscriptionId: string }
  | { kind: 'lifecycle'; lifecycleEvent: string; subscriptionId: string };

/** Compares secrets in constant time; hashing first makes the lengths equal. */
function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function userIdOf(n: z.infer<typeof ChangeNotification>): string | undefined {
  const id = n.resourceData?.id ?? /^\/?users\/([^/]+)$/i.exec(n.resource)?.[1];
  return id && /^[A-Za-z0-9-]{1,64}$/.test(id) ? id : undefined;
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
  const lifecycle = event.rawPath.endsWith('/lifecycle');
  const parsed = z.object({ value: z.array(lifecycle ? LifecycleNotification : ChangeNotification).min(1).max(1000) }).safeParse(body);
  if (!parsed.success) return json(400, { message: describeIssues(parsed.error) });

  const { clientState } = await graphSecret();
  const messages: GraphQueueMessage[] = [];
  let discarded = 0;
  for (const n of parsed.data.value as Array<Record<string, unknown> & { subscriptionId: string; clientState?: string }>) {
    if (!sameSecret(n.clientState, clientState)) {
      discarded++;
      continue;
    }
    if (lifecycle) {
      messages.push({ kind: 'lifecycle', lifecycleEvent: String(n.lifecycleEvent), subscriptionId: n.subscriptionId });
    } else {
      const change = n as unknown as z.infer<typeof ChangeNotification>;
      const userId = userIdOf(change);
      if (userId) messages.push({ kind: 'change', userId, changeType: change.changeType, subscriptionId: change.subscriptionId });
      else discarded++;
    }
  }
  if (discarded) logger.warn('Graph notifications discarded', { discarded, reason: 'clientState mismatch or not a user resource' });
  for (let i = 0; i < messages.length; i += 10) {
    const batch = messages.slice(i, i + 10);
    const out = await sqsClient().send(new SendMessageBatchCommand({
      QueueUrl: env('GRAPH_QUEUE_URL'),
      Entries: batch.map((m, j) => ({ Id: String(j), MessageBody: JSON.stringify(m) })),
    }));
    if (out.Failed?.length) throw new Error(`could not enqueue ${out.Failed.length} notifications`);
  }
  return json(202, { accepted: messages.length, discarded });
}
