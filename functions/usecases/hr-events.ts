/** An HR event, validated (events/schemas.ts), to the use case it calls for: the one path for the bus and for dry runs. */
import type { HrEvent } from '../../events/schemas.ts';
import type { Deps } from './deps.ts';
import { processCancellation, processJoiner, processLeaver, type EventMeta } from './leavers.ts';

export async function processHrEvent(deps: Deps, event: HrEvent, meta: EventMeta): Promise<void> {
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
