/**
 * AWS clients, created once per container. The SDK reads AWS_ENDPOINT_URL_<SERVICE> itself, so the same code
 * talks to DynamoDB Local, the SES emulator and the local bus with no local branches.
 *
 * DynamoDB is on every function's path, so its client is made on first use from a static import. SES, EventBridge
 * and SQS are not (an action page that only shows a task sends nothing; a webhook that refuses a request puts
 * nothing on the bus): their SDK packages are imported on first use, and left out of the bundle to the runtime's own
 * copy (RUNTIME_SDK_MODULES in infra/constructs/bundle.ts), so a cold start that does not need them
 * neither loads nor parses them (bench/README.md, initMs and the first-request figures). Import them only with
 * `await import()`: a static import would load them at start-up, and `npm run bench` refuses such a bundle.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SQSClient } from '@aws-sdk/client-sqs';

let ddb: DynamoDBDocumentClient | undefined;
let ses: Promise<SESv2Client> | undefined;
let events: Promise<EventBridgeClient> | undefined;
let sqs: Promise<SQSClient> | undefined;

export function documentClient(): DynamoDBDocumentClient {
  ddb ??= DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 6 }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return ddb;
}

export function sesV2Client(): Promise<SESv2Client> {
  ses ??= import('@aws-sdk/client-sesv2').then((m) => new m.SESv2Client({}));
  return ses;
}
export function eventBridgeClient(): Promise<EventBridgeClient> {
  events ??= import('@aws-sdk/client-eventbridge').then((m) => new m.EventBridgeClient({}));
  return events;
}
export function sqsClient(): Promise<SQSClient> {
  sqs ??= import('@aws-sdk/client-sqs').then((m) => new m.SQSClient({}));
  return sqs;
}
/** Forget cached clients (the local stack and tests change endpoints between runs). */
export function resetClients(): void {
  ddb = undefined;
  ses = events = sqs = undefined;
}
