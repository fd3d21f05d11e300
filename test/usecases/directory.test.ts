/**
 * The directory as a source of leavers (contracts section 3; README "Leavers"), through the real use cases on the
 * in-memory store and an in-memory directory standing in for Microsoft Graph (users, managers, a delta feed,
 * subscriptions).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { DeltaEntry, DirectoryUser } from '../../functions/domain/directory.ts';
import type { Task } from '../../functions/domain/tasks.ts';
import { applyChangeNotification, applyDirectoryEntry, ensureSubscription, MAX_SUBSCRIPTION_MINUTES, syncDirectory, type DirectoryPort } from '../../functions/usecases/directory.ts';
import { processJoiner, processLeaver } from '../../functions/usecases/leavers.ts';
import { harness, hrEvent, seedSampleRegister, TRUST_IT, type Harness } from './support.ts';

class DeltaTokenExpiredError extends Error {
  constructor() {
    super('the delta token is no longer valid; start a full round');
    this.name = 'DeltaTokenExpiredError';
  }
}

interface Subscription { id: string; expirationDateTime: string; notificationUrl: string; lifecycleNotificationUrl?: string; clientState: string }

/** Graph in memory: users and their managers, a delta feed of changes since a deltaLink, and subscriptions. */
class FakeDirectory implements DirectoryPort {
  private readonly users = new Map<string, DirectoryUser>();
  private readonly managers = new Map<string, string>();
  /** Ids of users changed, in order: a deltaLink is a position in it (and a generation, which expiry moves on). */
  private readonly changes: string[] = [];
  private generation = 0;
  readonly subscriptions = new Map<string, Subscription>();
  readonly calls: string[] = [];
  renewFails404 = false;
  private nextId = 0;

  constructor(private readonly pageSize = 2) {}

  put(user: DirectoryUser, manager?: string): void {
    this.users.set(user.id, structuredClone(user));
    if (manager) this.managers.set(user.id, manager);
    this.changes.push(user.id);
  }
  update(id: string, patch: Partial<DirectoryUser>): void {
    this.put({ ...this.users.get(id)!, ...patch });
  }
  remove(id: string): void {
    this.users.delete(id);
    this.changes.push(id);
  }
  /** Every deltaLink handed out so far stops working (Graph's tokens expire after some days). */
  expireDeltaTokens(): void {
    this.generation++;
  }
  count(): number {
    return this.users.size;
  }

  async getUser(id: string): Promise<DirectoryUser | undefined> {
    const user = this.users.get(id);
    return user && structuredClone(user);
  }
  async getManagerEmail(id: string): Promise<string | undefined> {
    return this.managers.get(id);
  }
  async deltaRound(link: string | undefined, onPage: (entries: DeltaEntry[]) => Promise<void>): Promise<string> {
    this.calls.push(`delta ${link ?? '(full)'}`);
    let entries: DeltaEntry[];
    if (link === undefined) {
      entries = [...this.users.values()].map((user) => ({ kind: 'user', user: structuredClone(user) }));
    } else {
      const [generation, position] = link.replace('delta:', '').split(':').map(Number);
      if (generation !== this.generation) throw new DeltaTokenExpiredError();
      entries = [...new Set(this.changes.slice(position))].map((id): DeltaEntry => {
        const user = this.users.get(id);
        return user ? { kind: 'user', user: structuredClone(user) } : { kind: 'removed', id, reason: 'deleted' };
      });
    }
    for (let i = 0; i < entries.length; i += this.pageSize) await onPage(entries.slice(i, i + this.pageSize));
    return `delta:${this.generation}:${this.changes.length}`;
  }
  async createSubscription(s: Omit<Subscription, 'id'>): Promise<{ id: string; expirationDateTime: string }> {
    this.calls.push('create subscription');
    const sub = { ...s, id: `sub-${++this.nextId}` };
    this.subscriptions.set(sub.id, sub);
    return { id: sub.id, expirationDateTime: sub.expirationDateTime };
  }
  async getSubscription(id: string): Promise<{ id: string; expirationDateTime: string } | undefined> {
    const sub = this.subscriptions.get(id);
    return sub && { id: sub.id, expirationDateTime: sub.expirationDateTime };
  }
  async renewSubscription(id: string, expirationDateTime: string): Promise<{ id: string; expirationDateTime: string }> {
    this.calls.push('renew subscription');
    const sub = this.subscriptions.get(id);
    if (!sub || this.renewFails404) throw Object.assign(new Error('subscription not found'), { status: 404 });
    sub.expirationDateTime = expirationDateTime;
    return { id, expirationDateTime };
  }
}

const LEAVER = 'r.hughes@oakfield.sch.uk';
const ALIAS = 'rachel.hughes@oakfield.sch.uk';
const MANAGER = 'd.okafor@oakfield.sch.uk';
const OAK_IT = 'it@oakfield.sch.uk';
const EXPECTED_TASKS = [
  'replace_admin x:oakfieldsport open',
  'replace_supervisor blog:oakfield-library open',
  'transfer_or_close instagram:oakfield_pe open',
  'transfer_or_close youtube:oakfieldmusic open',
];

const RACHEL: DirectoryUser = {
  id: 'u-rachel', displayName: 'Rachel Hughes', mail: LEAVER, userPrincipalName: ALIAS,
  proxyAddresses: [`SMTP:${LEAVER}`, `smtp:${ALIAS}`], accountEnabled: true, employeeLeaveDateTime: null,
};
const EMMA: DirectoryUser = {
  id: 'u-emma', displayName: 'Emma Thompson', mail: 'e.thompson@riverside.sch.uk', userPrincipalName: 'e.thompson@riverside.sch.uk',
  proxyAddresses: ['SMTP:e.thompson@riverside.sch.uk', 'smtp:office@riverside.sch.uk'], accountEnabled: true,
};
const PRIYA: DirectoryUser = {
  id: 'u-priya', displayName: 'Priya Kaur', mail: 'p.kaur@riverside.sch.uk', userPrincipalName: 'p.kaur@riverside.sch.uk',
  proxyAddresses: ['SMTP:p.kaur@riverside.sch.uk'], accountEnabled: true,
};
const SAM: DirectoryUser = { id: 'u-sam', displayName: 'Sam Okafor', mail: 's.okafor@oakfield.sch.uk', userPrincipalName: 's.okafor@oakfield.sch.uk', accountEnabled: true };
const URLS = { notificationUrl: 'https://custodian.example.org/graph/notifications', lifecycleNotificationUrl: 'https://custodian.example.org/graph/lifecycle', clientState: 'client-state-secret' };

let h: Harness;
let graph: FakeDirectory;

beforeEach(async () => {
  h = harness(); // Wednesday 2 December 2026, 09:00
  await seedSampleRegister(h);
  graph = new FakeDirectory();
  graph.put(RACHEL, MANAGER);
  graph.put(EMMA, 'h.marsh@riverside.sch.uk');
  graph.put(PRIYA, 's.ahmed@riverside.sch.uk');
  graph.put(SAM, MANAGER);
});

const taskSummary = async (...emails: string[]) => (await h.store.tasksForSubjects(emails)).map((t) => `${t.type} ${t.accountId} ${t.status}`).sort();
const tasksOf = (email = LEAVER): Promise<Task[]> => h.store.tasksForSubjects([email]);
const sorted = (list: string[]) => [...list].sort();
const auditCount = async () => (await h.store.auditSince('2026-01-01', new Date('2030-01-01'))).length;
/** The directory is connected and has been read once: everyone in it is known, nobody is a leaver yet. */
const connected = async () => {
  const first = await syncDirectory(h.deps, graph);
  expect(first).toEqual({ entries: 4, leavers: 0, fullResync: true });
};

describe('a user who becomes a leaver in the directory', () => {
  it('disabled: the same tasks as HR\'s report would make, due today, assigned to their /manager and the school IT manager', async () => {
    await connected();
    graph.update('u-rachel', { accountEnabled: false });

    expect(await applyChangeNotification(h.deps, graph, 'u-rachel')).toBe('leaver');

    expect(await taskSummary(LEAVER)).toEqual(EXPECTED_TASKS);
    for (const t of await tasksOf()) {
      expect(t).toMatchObject({ dueDate: '2026-12-02', subjectName: 'Rachel Hughes', lineManager: MANAGER });
      expect(sorted(t.assignees)).toEqual(sorted([MANAGER, OAK_IT]));
    }
    expect((await h.store.getAccount('instagram:oakfield_pe'))!.status).toBe('transfer_pending');
    expect((await h.store.getAccount('x:oakfieldsport'))!.admins).not.toContain(LEAVER);
    expect(h.mailer.sent).toHaveLength(2); // one per recipient, listing every account
    expect(h.publisher.events.filter((e) => e.detailType === 'Account Flagged')).toHaveLength(4);
    expect(await h.store.getPerson('dir:u-rachel')).toMatchObject({ status: 'left', accountEnabled: false, leaveDate: '2026-12-02', directoryManagerEmail: MANAGER });
    const created = (await h.store.auditFor('task', (await tasksOf())[0]!.id)).find((e) => e.action === 'task.created');
    expect(created).toMatchObject({ by: 'system:directory', source: 'event:directory:u-rachel:disabled:' });
  });

  it('deleted: a leaver as of today, found through the addresses the directory knew', async () => {
    await connected();
    graph.remove('u-rachel');

    expect(await applyChangeNotification(h.deps, graph, 'u-rachel')).toBe('leaver');

    expect(await taskSummary(LEAVER)).toEqual(EXPECTED_TASKS);
    for (const t of await tasksOf()) {
      expect(t.dueDate).toBe('2026-12-02');
      expect(t.assignees).toContain(OAK_IT);
      expect(t.assignees).not.toContain(LEAVER);
      expect(t.assignees).not.toContain(ALIAS);
    }
    expect(await h.store.getPerson('dir:u-rachel')).toMatchObject({ directoryDeleted: true, status: 'left' });
    expect(h.mailer.sent).toHaveLength(2); // one per recipient, listing every account
  });

  it('given an employeeLeaveDateTime: a leaver due on that date, still enabled', async () => {
    await connected();
    graph.update('u-rachel', { employeeLeaveDateTime: '2027-01-29T17:00:00Z' });

    expect(await applyChangeNotification(h.deps, graph, 'u-rachel')).toBe('leaver');

    expect(await taskSummary(LEAVER)).toEqual(EXPECTED_TASKS);
    for (const t of await tasksOf()) expect(t.dueDate).toBe('2027-01-29');
    expect(await h.store.getPerson('dir:u-rachel')).toMatchObject({ status: 'leaving', leaveDate: '2027-01-29', accountEnabled: true, directoryLeaveDate: '2027-01-29' });
  });

  it('disabled before the leave date it was given: the due dates come forward to today, with no second email', async () => {
    await connected();
    graph.update('u-rachel', { employeeLeaveDateTime: '2027-01-29T17:00:00Z' });
    await applyChangeNotification(h.deps, graph, 'u-rachel');
    h.clock.set('2027-01-13T10:00:00Z'); // a Wednesday
    graph.update('u-rachel', { accountEnabled: false });

    expect(await applyChangeNotification(h.deps, graph, 'u-rachel')).toBe('leaver');

    expect(await taskSummary(LEAVER)).toEqual(EXPECTED_TASKS);
    for (const t of await tasksOf()) expect(t.dueDate).toBe('2027-01-13');
    expect(h.mailer.sent).toHaveLength(2); // one per recipient, listing every account
  });

  it('a change that does not make anyone a leaver creates no task', async () => {
    await connected();
    graph.update('u-rachel', { displayName: 'Rachel Hughes-Smith' });
    expect(await applyChangeNotification(h.deps, graph, 'u-rachel')).toBe('updated');
    expect(await tasksOf()).toEqual([]);
    expect((await h.store.getPerson('dir:u-rachel'))!.displayName).toBe('Rachel Hughes-Smith');
  });
});

describe('reading the same thing again', () => {
  it('a replayed notification, a delta round and a full resync report nothing new', async () => {
    await connected();
    graph.update('u-rachel', { accountEnabled: false });
    await applyChangeNotification(h.deps, graph, 'u-rachel');
    const before = { tasks: (await tasksOf()).map((t) => `${t.id}:${t.version}`), audit: await auditCount() };
    h.clock.advance(3_600_000);

    expect(await applyChangeNotification(h.deps, graph, 'u-rachel')).toBe('unchanged');
    expect(await syncDirectory(h.deps, graph)).toMatchObject({ entries: 1, leavers: 0, fullResync: false });
    graph.expireDeltaTokens();
    expect(await syncDirectory(h.deps, graph)).toMatchObject({ entries: 4, leavers: 0, fullResync: true });

    expect((await tasksOf()).map((t) => `${t.id}:${t.version}`)).toEqual(before.tasks);
    expect(await auditCount()).toBe(before.audit);
    expect(h.mailer.sent).toHaveLength(2); // one per recipient, listing every account
  });

  it('a notification for a user the store never knew, and who is gone, changes nothing', async () => {
    expect(await applyChangeNotification(h.deps, graph, 'u-nobody')).toBe('unchanged');
    expect(await h.store.listPeople()).toEqual([]);
  });
});

describe('HR and the directory reporting the same person', () => {
  it('HR first, then the directory: one set of tasks, one email per task', async () => {
    await connected();
    await processLeaver(h.deps, { email: LEAVER, leaveDate: '2026-12-02', lineManagerEmail: MANAGER }, hrEvent(h));
    h.clock.advance(3_600_000);
    graph.update('u-rachel', { accountEnabled: false });
    expect(await applyChangeNotification(h.deps, graph, 'u-rachel')).toBe('leaver');
    expect(await taskSummary(LEAVER)).toEqual(EXPECTED_TASKS);
    expect(h.mailer.sent).toHaveLength(2); // one per recipient, listing every account
  });

  it('the directory first, then HR: one set of tasks, one email per task', async () => {
    await connected();
    graph.update('u-rachel', { accountEnabled: false });
    await applyChangeNotification(h.deps, graph, 'u-rachel');
    h.clock.advance(3_600_000);
    await processLeaver(h.deps, { email: LEAVER, leaveDate: '2027-01-29', lineManagerEmail: MANAGER }, hrEvent(h));
    expect(await taskSummary(LEAVER)).toEqual(EXPECTED_TASKS);
    for (const t of await tasksOf()) expect(t.dueDate).toBe('2026-12-02'); // never pushed back
    expect(h.mailer.sent).toHaveLength(2); // one per recipient, listing every account
  });

  it('the line manager HR named is asked, not the directory\'s /manager', async () => {
    // HR knows her line manager from her joiner record; the directory's /manager says someone else.
    const HR_MANAGER = 'j.patel@oakfield.sch.uk';
    await processJoiner(h.deps, { email: LEAVER, startDate: '2026-09-01', lineManagerEmail: HR_MANAGER }, hrEvent(h, '2026-09-01T08:00:00Z'));
    await connected();
    graph.update('u-rachel', { accountEnabled: false });

    await applyChangeNotification(h.deps, graph, 'u-rachel');

    const leaverTasks = (await tasksOf()).filter((t) => t.type !== 'acknowledge_policy');
    expect(leaverTasks).toHaveLength(4);
    for (const t of leaverTasks) expect(sorted(t.assignees)).toEqual(sorted([HR_MANAGER, OAK_IT]));
  });

  it('a person HR told us about first is merged into the directory\'s record: one person, found by every address', async () => {
    await processLeaver(h.deps, { email: LEAVER, leaveDate: '2027-01-29', displayName: 'Rachel Hughes', lineManagerEmail: MANAGER }, hrEvent(h));
    const hrKey = (await h.store.findPerson([LEAVER]))!.key;
    expect(hrKey).toMatch(/^hr:/);

    await connected();

    const people = await h.store.listPeople();
    expect(people.filter((p) => p.addresses.includes(LEAVER)).map((p) => p.key)).toEqual(['dir:u-rachel']);
    expect(await h.store.getPerson(hrKey)).toBeUndefined();
    for (const address of [LEAVER, ALIAS]) expect((await h.store.findPerson([address]))!.key).toBe('dir:u-rachel');
    // What HR said is kept: she is still leaving on the date HR gave, with the manager HR named.
    expect(await h.store.getPerson('dir:u-rachel')).toMatchObject({ status: 'leaving', leaveDate: '2027-01-29', lineManagerEmail: MANAGER, accountEnabled: true });
    expect((await h.store.auditFor('person', 'dir:u-rachel')).map((e) => e.action)).toContain('person.merged');
    expect((await h.store.auditFor('person', hrKey)).map((e) => e.action)).toContain('person.merged');
    // Her tasks are the ones HR's report made; merging adds none and sends nothing.
    expect(await taskSummary(LEAVER)).toEqual(EXPECTED_TASKS);
    expect(h.mailer.sent).toHaveLength(2); // one per recipient, listing every account
  });
});

describe('addresses that disappear from the directory', () => {
  it('a removed alias: accounts registered to it get a transfer_or_close task; the person is not a leaver', async () => {
    await connected();
    graph.update('u-emma', { proxyAddresses: ['SMTP:e.thompson@riverside.sch.uk'] });

    expect(await applyChangeNotification(h.deps, graph, 'u-emma')).toBe('updated');

    expect(await taskSummary('office@riverside.sch.uk')).toEqual([
      'transfer_or_close bluesky:riversideprimary.bsky.social open',
      'transfer_or_close facebook:riversideprimary open',
    ]);
    for (const t of await tasksOf('office@riverside.sch.uk')) expect(t.reason).toContain('no longer exists in the directory');
    expect((await h.store.getAccount('facebook:riversideprimary'))!.status).toBe('transfer_pending');
    expect(await h.store.getPerson('dir:u-emma')).toMatchObject({ status: 'active', addresses: ['e.thompson@riverside.sch.uk'] });
    expect(await taskSummary('e.thompson@riverside.sch.uk')).toEqual([]);
    expect(h.mailer.sent).toHaveLength(4); // an address gone is not a leaver: one email per task and recipient
  });

  it('a rename: the account registered to the old address gets a transfer_or_close task; the new address finds the person', async () => {
    await connected();
    const renamed = 'p.kaur-smith@riverside.sch.uk';
    graph.update('u-priya', { mail: renamed, userPrincipalName: renamed, proxyAddresses: [`SMTP:${renamed}`] });

    await applyChangeNotification(h.deps, graph, 'u-priya');

    expect(await taskSummary('p.kaur@riverside.sch.uk')).toEqual(['transfer_or_close instagram:riverside.eyfs open']);
    expect((await h.store.findPerson([renamed]))!.key).toBe('dir:u-priya');
    // Administrator roles under the old address are not a leaver's: they are left for the register to show.
    expect((await h.store.getAccount('facebook:riversideprimary'))!.admins).toContain('p.kaur@riverside.sch.uk');
    // Read again: nothing more.
    await applyChangeNotification(h.deps, graph, 'u-priya');
    expect(h.mailer.sent).toHaveLength(2); // the school IT manager and the trust IT contact, each their own
  });

  it('a user disabled and stripped of an alias in the same change: accounts registered to the alias still get a task', async () => {
    await connected();
    // Offboarding often does both at once: the account is disabled and its aliases are removed.
    graph.update('u-emma', { accountEnabled: false, proxyAddresses: ['SMTP:e.thompson@riverside.sch.uk'] });

    expect(await applyChangeNotification(h.deps, graph, 'u-emma')).toBe('leaver');

    expect(await taskSummary('office@riverside.sch.uk')).toEqual([
      'transfer_or_close bluesky:riversideprimary.bsky.social open',
      'transfer_or_close facebook:riversideprimary open',
    ]);
  });
});

describe('the delta query', () => {
  it('stores the deltaLink, and the next round starts from it', async () => {
    await connected();
    const state = (await h.store.getDirectoryState())!;
    expect(state.deltaLink).toBe('delta:0:4');
    expect(state.lastSyncAt).toBe('2026-12-02T09:00:00.000Z');

    graph.update('u-sam', { accountEnabled: false });
    h.clock.advance(3_600_000);
    expect(await syncDirectory(h.deps, graph)).toEqual({ entries: 1, leavers: 1, fullResync: false });
    expect(graph.calls.filter((c) => c.startsWith('delta'))).toEqual(['delta (full)', 'delta delta:0:4']);
    expect(await h.store.getDirectoryState()).toMatchObject({ deltaLink: 'delta:0:5', lastSyncAt: '2026-12-02T10:00:00.000Z' });
    // s.okafor was one of two administrators of x:oakfieldsport, and the linked email and only administrator of instagram:oakfield_art.
    expect(await taskSummary('s.okafor@oakfield.sch.uk')).toEqual([
      'replace_admin instagram:oakfield_art open',
      'replace_admin x:oakfieldsport open',
      'transfer_or_close instagram:oakfield_art open',
    ]);
  });

  it('finds a leaver the notifications missed, through an alias that is the linked email of accounts', async () => {
    await connected();
    graph.update('u-emma', { accountEnabled: false });
    expect((await syncDirectory(h.deps, graph)).leavers).toBe(1);
    expect(await taskSummary('office@riverside.sch.uk')).toEqual([
      'transfer_or_close bluesky:riversideprimary.bsky.social open',
      'transfer_or_close facebook:riversideprimary open',
    ]);
    for (const t of await tasksOf('office@riverside.sch.uk')) expect(sorted(t.assignees)).toEqual(['h.marsh@riverside.sch.uk', 'it@riverside.sch.uk']);
  });

  it('after an expired token, a full resync treats a user missing from it as deleted', async () => {
    await connected();
    graph.remove('u-rachel'); // deleted while nobody was listening
    graph.expireDeltaTokens();
    h.clock.advance(8 * 86_400_000); // Thursday 10 December

    const result = await syncDirectory(h.deps, graph);

    expect(result).toEqual({ entries: 3, leavers: 1, fullResync: true });
    expect(graph.calls.filter((c) => c.startsWith('delta'))).toEqual(['delta (full)', 'delta delta:0:4', 'delta (full)']);
    expect(await h.store.getPerson('dir:u-rachel')).toMatchObject({ directoryDeleted: true, status: 'left' });
    expect(await taskSummary(LEAVER)).toEqual(EXPECTED_TASKS);
    for (const t of await tasksOf()) expect(t.dueDate).toBe('2026-12-10');
    // Everyone still listed is left alone.
    for (const key of ['dir:u-emma', 'dir:u-priya', 'dir:u-sam']) expect(await h.store.getPerson(key)).toMatchObject({ status: 'active', directoryDeleted: false });
    expect((await h.store.getDirectoryState())!.deltaLink).toBe('delta:1:5');
  });

  it('the first full round does not treat people it has not listed as deleted', async () => {
    graph.remove('u-sam');
    await applyDirectoryEntry(h.deps, graph, { kind: 'user', user: SAM }); // known from a notification before the first sync
    expect(await syncDirectory(h.deps, graph)).toEqual({ entries: 3, leavers: 0, fullResync: true });
    expect(await h.store.getPerson('dir:u-sam')).toMatchObject({ status: 'active' });
  });

  it('an error other than an expired token is not swallowed, and the deltaLink stays where it was', async () => {
    await connected();
    graph.deltaRound = async () => { throw new Error('Graph is unavailable'); };
    await expect(syncDirectory(h.deps, graph)).rejects.toThrow('Graph is unavailable');
    expect((await h.store.getDirectoryState())!.deltaLink).toBe('delta:0:4');
  });
});

describe('the /users subscription', () => {
  const minutesLeft = (iso: string) => (Date.parse(iso) - h.clock.now().getTime()) / 60_000;

  it('is created with the notification URLs and clientState, close to Graph\'s maximum lifetime, and remembered', async () => {
    expect(await ensureSubscription(h.deps, graph, URLS)).toBe('created');
    const [sub] = graph.subscriptions.values();
    expect(sub).toMatchObject(URLS);
    expect(minutesLeft(sub!.expirationDateTime)).toBeLessThanOrEqual(MAX_SUBSCRIPTION_MINUTES);
    expect(minutesLeft(sub!.expirationDateTime)).toBeGreaterThan(MAX_SUBSCRIPTION_MINUTES - 60);
    expect(await h.store.getDirectoryState()).toMatchObject({ subscriptionId: sub!.id, subscriptionExpiresAt: sub!.expirationDateTime });
  });

  it('is left alone while it has days to run, and renewed as expiry nears', async () => {
    await ensureSubscription(h.deps, graph, URLS);
    const { subscriptionId } = (await h.store.getDirectoryState())!;
    h.clock.advance(20 * 86_400_000);
    expect(await ensureSubscription(h.deps, graph, URLS)).toBe('current');
    expect(graph.calls).toEqual(['create subscription']);

    h.clock.advance(7 * 86_400_000); // under three days left
    expect(await ensureSubscription(h.deps, graph, URLS)).toBe('renewed');
    const sub = graph.subscriptions.get(subscriptionId!)!;
    expect(minutesLeft(sub.expirationDateTime)).toBeGreaterThan(MAX_SUBSCRIPTION_MINUTES - 60);
    expect(await h.store.getDirectoryState()).toMatchObject({ subscriptionId, subscriptionExpiresAt: sub.expirationDateTime });
    expect(graph.subscriptions.size).toBe(1);
  });

  it('is renewed on request (a reauthorizationRequired lifecycle event) even with time to run', async () => {
    await ensureSubscription(h.deps, graph, URLS);
    h.clock.advance(86_400_000);
    expect(await ensureSubscription(h.deps, graph, URLS, 'renew')).toBe('renewed');
    expect(graph.subscriptions.size).toBe(1);
  });

  it('is recreated when Graph has lost it, when renewing finds it gone, or on request', async () => {
    await ensureSubscription(h.deps, graph, URLS);
    graph.subscriptions.clear();
    expect(await ensureSubscription(h.deps, graph, URLS)).toBe('created');
    const second = (await h.store.getDirectoryState())!.subscriptionId;
    expect(second).toBe('sub-2');

    graph.renewFails404 = true;
    expect(await ensureSubscription(h.deps, graph, URLS, 'renew')).toBe('created');
    expect((await h.store.getDirectoryState())!.subscriptionId).toBe('sub-3');

    expect(await ensureSubscription(h.deps, graph, URLS, 'recreate')).toBe('created');
    expect((await h.store.getDirectoryState())!.subscriptionId).toBe('sub-4');
  });

  it('keeps the deltaLink when it records a subscription, and a sync keeps the subscription', async () => {
    await connected();
    await ensureSubscription(h.deps, graph, URLS);
    await syncDirectory(h.deps, graph);
    expect(await h.store.getDirectoryState()).toMatchObject({ deltaLink: 'delta:0:4', subscriptionId: 'sub-1' });
  });
});
