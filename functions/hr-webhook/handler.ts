/**
 * POST /hr/events: for HR systems that cannot call AWS. Verifies the HMAC signature and timestamp, validates the
 * event with the same schemas as the bus, and (usecases/hr-webhook.ts) claims the signed request once and puts it
 * on the bus with the time HR signed it, where the hr-events function takes it as if HR had sent it there. A bad
 * signature or a stale timestamp gets 401 and changes nothing; the same signed request again gets
 * 200 `{"duplicate": true}` and changes nothing.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describeIssues, HrEvent, HrWebhookBody } from '../../events/schemas.ts';
import { env } from '../adapters/env.ts';
import { logger } from '../adapters/logger.ts';
import { DynamoStore } from '../adapters/dynamo-store.ts';
import { BusRefusedError, EventBridgeBus } from '../adapters/queues.ts';
import { secretString } from '../adapters/secrets.ts';
import { verifySignature } from '../domain/signature.ts';
import { acceptSignedHrRequest, type SignedHrOutcome } from '../usecases/hr-webhook.ts';
import { bodyBytes, header, json, rawBody, type HttpResult } from '../http/responses.ts';

const MAX_BODY_BYTES = 64 * 1024;

let store: DynamoStore | undefined;

export async function handler(event: APIGatewayProxyEventV2): Promise<HttpResult> {
  if (bodyBytes(event) > MAX_BODY_BYTES) return json(413, { message: 'body is larger than 64 KB' });
  const body = rawBody(event);
  const secret = await secretString(env('HR_WEBHOOK_SECRET_ID'));
  const check = verifySignature(secret, body, header(event, 'x-custodian-signature'), Math.floor(Date.now() / 1000));
  if (!check.ok) {
    logger.warn('HR webhook request rejected', { reason: check.reason });
    return json(401, { message: 'invalid or expired signature' });
  }
  if (!/^application\/json\b/i.test(header(event, 'content-type') ?? '')) {
    return json(415, { message: 'Content-Type must be application/json' });
  }
  let parsedJson: unknown;
  try {
    parsedJson = JSON.parse(body);
  } catch {
    return json(400, { message: 'body is not valid JSON' });
  }
  const envelope = HrWebhookBody.safeParse(parsedJson);
  if (!envelope.success) return json(400, { message: describeIssues(envelope.error) });
  const valid = HrEvent.safeParse(envelope.data);
  if (!valid.success) return json(400, { message: describeIssues(valid.error) });

  store ??= new DynamoStore(env('TABLE_NAME'));
  let result: SignedHrOutcome;
  try {
    result = await acceptSignedHrRequest({ store, bus: new EventBridgeBus(env('EVENT_BUS_NAME')), clock: () => new Date() }, {
      requestKey: check.requestKey,
      signedAt: check.signedAt,
      source: env('HR_SOURCES').split(',')[0]!,
      detailType: envelope.data.detailType,
      detail: envelope.data.detail,
    });
  } catch (err) {
    if (!(err instanceof BusRefusedError)) throw err;
    logger.error('bus refused HR webhook event', { code: err.code });
    return json(503, { message: 'could not accept the event now; try again' });
  }
  if (result.outcome === 'duplicate') {
    logger.info('HR webhook request already accepted; acknowledged without effect', { detailType: envelope.data.detailType });
    return json(200, { duplicate: true });
  }
  logger.info('HR webhook event accepted', { detailType: envelope.data.detailType, eventId: result.eventId });
  return json(202, { eventId: result.eventId });
}
