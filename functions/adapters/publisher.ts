/** Puts Custodian's own events (Account Flagged, Task Resolved) on the bus for a trust's other systems. */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CUSTODIAN_SOURCE } from '../../events/schemas.ts';
import type { Publisher } from '../usecases/ports.ts';
import { eventBridgeClient } from './aws.ts';

export class BusPublisher implements Publisher {
  constructor(private readonly busName: string) {}

  async publish(detailType: string, detail: Record<string, unknown>): Promise<void> {
    const out = await eventBridgeClient().send(new PutEventsCommand({
      Entries: [{ EventBusName: this.busName, Source: CUSTODIAN_SOURCE, DetailType: detailType, Detail: JSON.stringify(detail) }],
    }));
    if (out.FailedEntryCount) throw new Error(`the bus refused ${detailType}: ${out.Entries?.[0]?.ErrorCode}`);
  }
}
