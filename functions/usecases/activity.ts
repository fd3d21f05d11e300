/** Recorded activity on an account: it is in use, so it is not neglected. */
import type { Store } from '../adapters/store.ts';
import { ConflictError } from '../adapters/store.ts';
import { accountId, parsePlatform, type Actor } from '../domain/model.ts';

/** Returns a reason when the activity cannot be recorded, else undefined. */
export async function recordActivity(store: Store, input: { platform: string; handle: string; at?: string }, actor: Actor): Promise<string | undefined> {
  const platform = parsePlatform(input.platform);
  if (!platform) return `platform: "${input.platform}" is not a known platform`;
  const id = accountId(platform, input.handle);
  for (let attempt = 0; attempt < 3; attempt++) {
    const account = await store.getAccount(id);
    if (!account) return `no account ${id} in the register`;
    const on = (input.at ?? store.now().toISOString()).slice(0, 10);
    if (account.lastActivityDate && account.lastActivityDate >= on && !account.neglectedSince) return undefined;
    const after = { ...account, lastActivityDate: account.lastActivityDate && account.lastActivityDate > on ? account.lastActivityDate : on, neglectedSince: undefined, updatedAt: store.now().toISOString(), version: account.version + 1 };
    try {
      await store.saveAccount(account, after, actor, 'account.activity');
      return undefined;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  throw new ConflictError('the account kept changing; the event will be retried');
}
