/**
 * Invalid input is never dropped silently: it goes to the dead-letter queue with the reason, where an alarm
 * sees it and `custodian dlq list` shows it. (Failures that retries might fix are thrown instead, so Lambda
 * retries them and, when retries run out, its on-failure destination puts them in the same queue.)
 */
import { sqsClient } from './aws.ts';

export interface DeadLetter {
  reason: string;
  origin: string;
  receivedAt: string;
  event: unknown;
}

export async function sendToDeadLetter(queueUrl: string, letter: DeadLetter): Promise<void> {
  const [{ SendMessageCommand }, client] = await Promise.all([import('@aws-sdk/client-sqs'), sqsClient()]);
  await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(letter) }));
}
