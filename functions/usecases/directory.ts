/**
 * The directory (Microsoft Entra ID through Graph) as a source of leavers: change notifications and the delta
 * query both end in applyDirectoryEntry, which keeps the person directory current and, when a user becomes a
 * leaver (disabled, deleted, or given a leave date), reports them through the same leaver path as HR. Reports are
 * made on the transition, so a re-read (a replayed notification, a full resync) reports nothing new, and the
 * deterministic task ids make HR and the directory reporting the same person produce one set of tasks.
 */
import { logger } from '../adapters/logger.ts';
import { personChange, type Change } from '../domain/changes.ts';
import { addressesOf, isLeaver, leaveDateOf, type DeltaEntry, type DirectoryUser } from '../domain/directory.ts';
import type { Actor, Person } from '../domain/model.ts';
import { londonDate } from '../domain/working-days.ts';
import type { Deps } from './deps.ts';
import { processAddressesGone, processLeaver } from './leavers.ts';

/** What the use cases need from Graph (functions/adapters/graph.ts implements it). */
export interface DirectoryPort {
  getUser(id: string): Promise<DirectoryUser | undefined>;
  getManagerEmail(id: string): Promise<string | undefined>;
  deltaRound(link: string | undefined, onPage: (entries: DeltaEntry[]) => Promise<void>): Promise<string>;
  createSubscription(s: { notificationUrl: string; lifecycleNotificationUrl?: string; clientState: string; expirationDateTime: string }): Promise<{ id: string; expirationDateTime: string }>;
  getSubscription(id: string): Promise<{ id: string; expirationDateTime: string } | undefined>;
  renewSubscription(id: string, expirationDateTime: string): Promise<{ id: string; expirationDateTime: string }>;
}

const ACTOR: Actor = { by: 'system:directory', source: 'directory' };
/** Graph's maximum lifetime for a subscription to users, in minutes. */
export const MAX_SUBSCRIPTION_MINUTES = 41_760;
/** Renew when less than this is left: well before expiry, and several sync runs' worth of margin. */
const RENEW_WITHIN_MS = 3 * 86_400_000;

function leaverState(p: Pick<Person, 'accountEnabled' | 'directoryLeaveDate' | 'directoryDeleted'> | undefined): string {
  if (!p) return '';
  return p.directoryDeleted ? 'deleted' : p.accountEnabled === false ? `disabled:${p.directoryLeaveDate ?? ''}` : p.directoryLeaveDate ? `leaving:${p.directoryLeaveDate}` : '';
}

export async function applyDirectoryEntry(deps: Deps, directory: DirectoryPort, entry: DeltaEntry): Promise<'unchanged' | 'updated' | 'leaver'> {
  const { store } = deps;
  const now = deps.clock();
  const nowIso = now.toISOString();
  const id = entry.kind === 'user' ? entry.user.id : entry.id;
  const key = `dir:${id}`;
  const existing = await store.getPerson(key);

  if (entry.kind === 'removed' && !existing) return 'unchanged'; // never known: nothing to say about it
  const user = entry.kind === 'user' ? entry.user : undefined;
  const addresses = user ? addressesOf(user) : existing!.addresses;
  // Someone HR told us about before the directory did: their record becomes the directory's.
  const hrPerson = !existing && addresses.length ? await store.findPerson(addresses) : undefined;
  const base: Person | undefined = existing ?? (hrPerson && !hrPerson.key.startsWith('dir:') ? hrPerson : undefined);

  const leaving = entry.kind === 'removed' || (user ? isLeaver(user) : false);
  const manager = leaving && user ? await directory.getManagerEmail(id) : undefined;
  const after: Person = {
    ...(base ?? { status: 'active', createdAt: nowIso, version: 0 }),
    key,
    primaryEmail: addresses[0] ?? base?.primaryEmail ?? `${id}@unknown.invalid`,
    addresses: addresses.length ? addresses : base?.addresses ?? [],
    ...(user?.displayName ? { displayName: user.displayName } : {}),
    ...(user?.employeeId ? { employeeId: user.employeeId } : {}),
    ...(manager ? { directoryManagerEmail: manager } : {}),
    accountEnabled: entry.kind === 'removed' ? false : user?.accountEnabled !== false,
    directoryLeaveDate: user ? leaveDateOf(user) : base?.directoryLeaveDate,
    directoryDeleted: entry.kind === 'removed',
    updatedAt: nowIso,
    version: (existing?.version ?? 0) + 1,
  } as Person;
  if (!after.directoryLeaveDate) delete after.directoryLeaveDate;

  // A person HR told us about becomes the directory's: their HR record is replaced by the directory's, in one commit.
  const changes: Change[] = base && base.key !== key
    ? [personChange(existing, after, 'person.merged'), { kind: 'person_removed', action: 'person.merged', before: base }]
    : [personChange(existing, after, existing ? 'person.directory_updated' : 'person.created')];
  const { applied } = await store.commit(changes, ACTOR);

  // Addresses that have disappeared (a rename, or an alias removed): accounts registered to them can no longer
  // be recovered by email, whatever happens to the person (a leaver's remaining addresses are handled below).
  const gone = (base?.addresses ?? []).filter((a) => !after.addresses.includes(a));
  if (gone.length) {
    await processAddressesGone(deps, { addresses: gone, displayName: after.displayName, eventId: `directory:${id}:gone:${gone.join(',')}`, eventTime: nowIso });
  }

  if (!leaving || leaverState(base) === leaverState(after)) return applied.length ? 'updated' : 'unchanged';
  // Disabled or deleted: their mailbox is closed now, so the leave date is today (or earlier if HR set one).
  // Only a leave date set on an enabled account lies ahead.
  const today = londonDate(now);
  const set = after.directoryLeaveDate;
  const leaveDate = after.accountEnabled && set ? set : set && set < today ? set : today;
  await processLeaver(deps, {
    email: after.primaryEmail,
    leaveDate,
    // No line manager here: the leaver path takes HR's, else the directory's /manager stored on the person.
    ...(after.displayName ? { displayName: after.displayName } : {}),
  }, { id: `directory:${id}:${leaverState(after)}`, time: nowIso, origin: 'directory' });
  return 'leaver';
}

/** A change notification names a user; fetch them (gone means deleted) and apply. */
export async function applyChangeNotification(deps: Deps, directory: DirectoryPort, userId: string): Promise<string> {
  const user = await directory.getUser(userId);
  return applyDirectoryEntry(deps, directory, user ? { kind: 'user', user } : { kind: 'removed', id: userId, reason: 'deleted' });
}

/**
 * The backstop: a delta round from the stored deltaLink (or a full round the first time, or when Graph says the
 * token has expired), applying every entry, then storing the new deltaLink.
 */
export async function syncDirectory(deps: Deps, directory: DirectoryPort): Promise<{ entries: number; leavers: number; fullResync: boolean }> {
  const state = (await deps.store.getDirectoryState()) ?? {};
  let entries = 0;
  let leavers = 0;
  const seen = new Set<string>();
  const apply = async (entry: DeltaEntry) => {
    if ((await applyDirectoryEntry(deps, directory, entry)) === 'leaver') leavers++;
  };
  const onPage = async (page: DeltaEntry[]) => {
    for (const entry of page) {
      entries++;
      seen.add(entry.kind === 'user' ? entry.user.id : entry.id);
      await apply(entry);
    }
  };
  let fullResync = !state.deltaLink;
  let deltaLink: string;
  try {
    deltaLink = await directory.deltaRound(state.deltaLink, onPage);
  } catch (err) {
    if (!(err instanceof Error) || err.name !== 'DeltaTokenExpiredError') throw err;
    logger.warn('delta token expired; running a full resync');
    fullResync = true;
    deltaLink = await directory.deltaRound(undefined, onPage);
  }
  // A full round lists only the users that exist now: anyone we knew who is missing from it was deleted while
  // we were not listening (an expired token), and never appeared as @removed.
  if (fullResync && state.deltaLink) {
    for (const person of await deps.store.listPeople()) {
      const id = person.key.startsWith('dir:') ? person.key.slice(4) : undefined;
      if (id && !seen.has(id) && !person.directoryDeleted) await apply({ kind: 'removed', id, reason: 'missing from a full resync' });
    }
  }
  await deps.store.commit([{ kind: 'directory_state', after: { ...(await deps.store.getDirectoryState()), deltaLink, lastSyncAt: deps.clock().toISOString() } }], ACTOR);
  logger.info('directory synchronised', { entries, leavers, fullResync });
  return { entries, leavers, fullResync };
}

/** Creates the /users subscription, renews it well before it expires, and recreates it when Graph has lost it. */
export async function ensureSubscription(deps: Deps, directory: DirectoryPort, urls: { notificationUrl: string; lifecycleNotificationUrl: string; clientState: string }, force?: 'renew' | 'recreate'): Promise<'created' | 'renewed' | 'current'> {
  const state = (await deps.store.getDirectoryState()) ?? {};
  const now = deps.clock().getTime();
  const expiry = new Date(now + (MAX_SUBSCRIPTION_MINUTES - 15) * 60_000).toISOString();
  let existing = state.subscriptionId && force !== 'recreate' ? await directory.getSubscription(state.subscriptionId) : undefined;
  let outcome: 'created' | 'renewed' | 'current' = 'current';
  if (existing && (force === 'renew' || Date.parse(existing.expirationDateTime) - now < RENEW_WITHIN_MS)) {
    existing = await directory.renewSubscription(existing.id, expiry).catch((err: { status?: number }) => {
      if (err.status === 404) return undefined;
      throw err;
    });
    outcome = existing ? 'renewed' : outcome;
  }
  if (!existing) {
    existing = await directory.createSubscription({ ...urls, expirationDateTime: expiry });
    outcome = 'created';
  }
  if (outcome !== 'current') {
    await deps.store.commit([{ kind: 'directory_state', after: { ...(await deps.store.getDirectoryState()), subscriptionId: existing.id, subscriptionExpiresAt: existing.expirationDateTime } }], ACTOR);
    logger.info('directory subscription', { outcome, expires: existing.expirationDateTime });
  }
  return outcome;
}
