/** Puts Custodian's own events (Account Flagged, Task Resolved) on the bus for a trust's other systems. */
import { CUSTODIAN_SOURCE } from '../../events/values.ts';
import type { Publisher } from '../usecases/ports.ts';
import { EventBridgeBus } from './queues.ts';

export class BusPublisher implements Publisher {
  private readonly bus: EventBridgeBus;

  constructor(busName: string) {
    this.bus = new EventBridgeBus(busName);
  }

  async publish(detailType: string, detail: Record<string, unknown>): Promise<void> {
    await this.bus.put({ source: CUSTODIAN_SOURCE, detailType, detail });
  }
}
