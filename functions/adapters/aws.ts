/**
 * AWS clients, created once per container. The SDK reads AWS_ENDPOINT_URL_<SERVICE> itself, so the same code
 * talks to DynamoDB Local, the SES emulator and the local bus with no local branches.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';

let ddb: DynamoDBDocumentClient | undefined;
let ses: SESv2Client | undefined;
let events: EventBridgeClient | undefined;
let sqs: SQSClient | undefined;

export function documentClient(): DynamoDBDocumentClient {
  ddb ??= DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 6 }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return ddb;
}
export function sesV2Client(): SESv2Client {
  ses ??= new SESv2Client({});
  return ses;
}
export function eventBridgeClient(): EventBridgeClient {
  events ??= new EventBridgeClient({});
  return events;
}
export function sqsClient(): SQSClient {
  sqs ??= new SQSClient({});
  return sqs;
}
/** Forget cached clients (the local stack and tests change endpoints between runs). */
export function resetClients(): void {
  ddb = ses = events = sqs = undefined;
}
