/** Recorded activity on an account: it is in use, so it is not neglected. */
import { accountChange } from '../domain/changes.ts';
import { accountId, parsePlatform, type Actor } from '../domain/model.ts';
import { londonDate } from '../domain/working-days.ts';
import { retryOnConflict, type Store } from './ports.ts';

/** Returns a reason when the activity cannot be recorded, else undefined. */
export async function recordActivity(deps: { store: Store; clock: () => Date }, input: { platform: string; handle: string; at?: string }, actor: Actor): Promise<string | undefined> {
  const platform = parsePlatform(input.platform);
  if (!platform) return `platform: "${input.platform}" is not a known platform`;
  const id = accountId(platform, input.handle);
  return retryOnConflict(async () => {
    const account = await deps.store.getAccount(id);
    if (!account) return `no account ${id} in the register`;
    const now = deps.clock();
    const on = (input.at ?? now.toISOString()).slice(0, 10);
    if (account.lastActivityDate && account.lastActivityDate >= on && !account.neglectedSince) return undefined;
    const after = { ...account, lastActivityDate: account.lastActivityDate && account.lastActivityDate > on ? account.lastActivityDate : on, neglectedSince: undefined, updatedAt: now.toISOString(), version: account.version + 1 };
    await deps.store.commit([accountChange(account, after, 'account.activity', londonDate(now))], actor);
    return undefined;
  }, 3);
}
