/** Recorded activity on an account: it is in use, so it is not neglected. */
import { parseActivityBusEvent } from '../../events/schemas.ts';
import { accountChange } from '../domain/scheduled-changes.ts';
import { accountId, parsePlatform, type Actor } from '../domain/model.ts';
import { londonDate } from '../domain/working-days.ts';
import { retryOnConflict, type Store } from './ports.ts';

type ActivityDeps = { store: Store; clock: () => Date };

/**
 * Records activity on an account: its last activity date becomes the (London) day of `at`, never later than today,
 * so a report dated in the future (a wrong clock, or an integration trying to keep an account looking alive) counts
 * as activity today and cannot hold off neglect detection. The date never moves backwards.
 * Returns a reason when the activity cannot be recorded, else undefined.
 */
export async function recordActivity(deps: ActivityDeps, input: { platform: string; handle: string; at?: string }, actor: Actor): Promise<string | undefined> {
  const platform = parsePlatform(input.platform);
  if (!platform) return `platform: "${input.platform}" is not a known platform`;
  const id = accountId(platform, input.handle);
  return retryOnConflict(async () => {
    const account = await deps.store.getAccount(id);
    if (!account) return `no account ${id} in the register`;
    const now = deps.clock();
    const at = input.at === undefined ? now.getTime() : Math.min(Date.parse(input.at), now.getTime());
    const on = londonDate(new Date(Number.isNaN(at) ? now.getTime() : at));
    if (account.lastActivityDate && account.lastActivityDate >= on && !account.neglectedSince) return undefined;
    const after = { ...account, lastActivityDate: account.lastActivityDate && account.lastActivityDate > on ? account.lastActivityDate : on, neglectedSince: undefined, updatedAt: now.toISOString(), version: account.version + 1 };
    await deps.store.commit([accountChange(account, after, 'account.activity', londonDate(now))], actor);
    return undefined;
  }, 3);
}

/**
 * An `Account Activity` event from the bus: accepted only from a configured activity source (`activitySources`) and
 * with a valid detail, then recorded as done by that source (`system:<source>`, from `event:<id>`).
 * Returns the reason when it is refused (the event then goes to the dead-letter queue), else undefined.
 */
export async function recordActivityEvent(deps: ActivityDeps, event: { id: string; source: string; detail: unknown }, sources: readonly string[]): Promise<string | undefined> {
  const parsed = parseActivityBusEvent(event, sources);
  if (!parsed.ok) return parsed.reason;
  return recordActivity(deps, parsed.activity, { by: `system:${event.source}`, source: `event:${event.id}` });
}
