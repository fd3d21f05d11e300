/** An HR event, validated (events/schemas.ts), to the use case it calls for: the one path for the bus and for dry runs. */
import type { HrEvent } from '../../events/schemas.ts';
import { instant } from '../domain/instants.ts';
import type { Deps } from './deps.ts';
import { processCancellation, processJoiner, processLeaver, type EventMeta } from './leavers.ts';

/**
 * Leavers, cancellations and joiners are ordered by when they happened: the detail's `occurredAt` when HR gives
 * one, else the event's time (PutEvents `Time`, or when a webhook request was signed), not by when they arrive.
 */
export async function processHrEvent(deps: Deps, event: HrEvent, received: EventMeta): Promise<void> {
  const meta: EventMeta = { ...received, time: instant(event.detail.occurredAt ?? received.time) };
  switch (event.detailType) {
    case 'Staff Leaver':
      await processLeaver(deps, event.detail, meta);
      return;
    case 'Staff Leaver Cancelled':
      await processCancellation(deps, { email: event.detail.email, reason: 'HR cancelled the leaver record' }, meta);
      return;
    case 'Staff Joiner':
      await processJoiner(deps, event.detail, meta);
      return;
  }
}
