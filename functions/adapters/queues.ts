/**
 * The Queue and Bus ports on SQS and EventBridge. Their SDK packages are loaded on first use (functions/adapters/aws.ts),
 * so a function that imports this module but refuses the request before sending anything never loads them.
 */
import type { Bus, BusEvent, Queue, QueueMessage } from '../usecases/ports.ts';
import { eventBridgeClient, sqsClient } from './aws.ts';

/** The SQS client and the package's commands, both loaded on first use. */
async function sqs() {
  const [commands, client] = await Promise.all([import('@aws-sdk/client-sqs'), sqsClient()]);
  return { ...commands, client };
}

export class SqsQueue implements Queue {
  constructor(readonly url: string) {}

  /** Each message is hidden briefly while it is read, then made visible again. */
  async peek(max: number): Promise<QueueMessage[]> {
    const { client, ReceiveMessageCommand, ChangeMessageVisibilityCommand } = await sqs();
    const seen = new Map<string, QueueMessage>();
    for (let round = 0; round < 100 && seen.size < max; round++) {
      const out = await client.send(new ReceiveMessageCommand({ QueueUrl: this.url, MaxNumberOfMessages: 10, VisibilityTimeout: 30, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['SentTimestamp'], MessageAttributeNames: ['All'] }));
      const messages = (out.Messages ?? []).filter((m) => !seen.has(m.MessageId!));
      if (messages.length === 0) break;
      for (const m of messages) {
        const attributes: Record<string, string> = { ...(m.Attributes ?? {}) };
        for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) if (v.StringValue) attributes[k] = v.StringValue;
        seen.set(m.MessageId!, { messageId: m.MessageId!, receipt: m.ReceiptHandle!, body: m.Body ?? '', attributes });
      }
    }
    await Promise.all([...seen.values()].map((m) => client.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.url, ReceiptHandle: m.receipt, VisibilityTimeout: 0 })).catch(() => undefined)));
    return [...seen.values()];
  }

  async remove(message: QueueMessage): Promise<void> {
    const { client, DeleteMessageCommand } = await sqs();
    await client.send(new DeleteMessageCommand({ QueueUrl: this.url, ReceiptHandle: message.receipt }));
  }

  async send(body: string): Promise<void> {
    const { client, SendMessageCommand } = await sqs();
    await client.send(new SendMessageCommand({ QueueUrl: this.url, MessageBody: body }));
  }

  /** Sends in batches of ten (SQS's limit); any message refused fails the whole call, so the sender can retry. */
  async sendAll(bodies: string[]): Promise<void> {
    if (bodies.length === 0) return;
    const { client, SendMessageBatchCommand } = await sqs();
    for (let i = 0; i < bodies.length; i += 10) {
      const out = await client.send(new SendMessageBatchCommand({
        QueueUrl: this.url,
        Entries: bodies.slice(i, i + 10).map((MessageBody, j) => ({ Id: String(j), MessageBody })),
      }));
      if (out.Failed?.length) throw new Error(`could not enqueue ${out.Failed.length} messages`);
    }
  }
}

/** The bus refused an event (throttled, or an internal failure): the caller may try again later. */
export class BusRefusedError extends Error {
  constructor(readonly code: string) {
    super(`the bus refused the event: ${code}`);
    this.name = 'BusRefusedError';
  }
}

export class EventBridgeBus implements Bus {
  constructor(private readonly busName: string) {}

  async put(event: BusEvent): Promise<string> {
    const [{ PutEventsCommand }, client] = await Promise.all([import('@aws-sdk/client-eventbridge'), eventBridgeClient()]);
    const out = await client.send(new PutEventsCommand({
      Entries: [{ EventBusName: this.busName, Source: event.source, DetailType: event.detailType, Detail: JSON.stringify(event.detail), ...(event.time ? { Time: new Date(event.time) } : {}) }],
    }));
    const id = out.Entries?.[0]?.EventId;
    if (out.FailedEntryCount || !id) throw new BusRefusedError(out.Entries?.[0]?.ErrorCode ?? 'unknown');
    return id;
  }

  /** Puts events ten to a request (PutEvents' limit); any event refused fails the whole call, so the sender can retry. */
  async putAll(events: BusEvent[]): Promise<void> {
    if (events.length === 0) return;
    const [{ PutEventsCommand }, client] = await Promise.all([import('@aws-sdk/client-eventbridge'), eventBridgeClient()]);
    for (let i = 0; i < events.length; i += 10) {
      const out = await client.send(new PutEventsCommand({
        Entries: events.slice(i, i + 10).map((e) => ({ EventBusName: this.busName, Source: e.source, DetailType: e.detailType, Detail: JSON.stringify(e.detail) })),
      }));
      if (out.FailedEntryCount) throw new BusRefusedError(out.Entries?.find((e) => e.ErrorCode)?.ErrorCode ?? 'unknown');
    }
  }
}
