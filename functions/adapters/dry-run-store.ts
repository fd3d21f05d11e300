/**
 * A store for dry runs: the real use case runs against it exactly as it would against the real store, and every
 * change it commits is recorded and kept here, never written. Reads go to the real store the first time a record
 * is needed and are answered from memory after that, so the use case sees its own changes (a task it created, an
 * administrator it removed) exactly as it would in the real run, and a preview cannot drift from the real thing.
 */
import type { AccountLink, Change, DirectoryState, DueItem } from '../domain/changes.ts';
import type { AccountStatus, Actor, AuditEntry, IsoDate, Person, Policy, School } from '../domain/model.ts';
import type { AccountRequest } from '../domain/requests.ts';
import type { Task } from '../domain/tasks.ts';
import { ConflictError, type CommitResult, type RequestFilter, type Store } from '../usecases/ports.ts';
import { MemoryStore } from './memory-store.ts';

type Kind = 'school' | 'account' | 'task' | 'person' | 'policy' | 'account_request';

export class DryRunStore implements Store {
  private readonly local: MemoryStore;
  /** Records already brought in from the real store (or written here): the local copy is the truth for them. */
  private readonly known: Record<Kind, Set<string>> = {
    school: new Set(), account: new Set(), task: new Set(), person: new Set(), policy: new Set(), account_request: new Set(),
  };
  private directoryKnown = false;

  constructor(private readonly real: Store, clock: () => Date = () => new Date()) {
    this.local = new MemoryStore(clock);
  }

  /** Every commit the use case made, in order, with its audit entries: what the real run would write. */
  get commits(): ReadonlyArray<CommitResult & { actor: Actor }> {
    return this.local.commits;
  }

  private async bring<T>(kind: Kind, ids: string[], load: (missing: string[]) => Promise<T[]>, idOf: (r: T) => string): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.known[kind].has(id));
    if (missing.length === 0) return;
    const found = await load(missing);
    const records = found.filter((r) => !this.known[kind].has(idOf(r)));
    this.local.seed({ [SEED_KEYS[kind]]: records });
    for (const id of missing) this.known[kind].add(id);
    for (const r of records) this.known[kind].add(idOf(r));
  }

  private bringAccounts(ids: string[]) {
    return this.bring('account', ids, (m) => this.real.getAccounts(m), (a) => a.id);
  }
  private bringTasks(ids: string[]) {
    return this.bring('task', ids, (m) => this.real.getTasks(m), (t) => t.id);
  }
  private bringPeople(keys: string[]) {
    return this.bring('person', keys, async (m) => (await Promise.all(m.map((k) => this.real.getPerson(k)))).filter((p): p is Person => !!p), (p) => p.key);
  }
  private bringSchools(ids: string[]) {
    return this.bring('school', ids, async (m) => (await Promise.all(m.map((k) => this.real.getSchool(k)))).filter((s): s is School => !!s), (s) => s.id);
  }
  private bringPolicies(ids: string[]) {
    return this.bring('policy', ids, async (m) => (await Promise.all(m.map((k) => this.real.getPolicy(k)))).filter((p): p is Policy => !!p), (p) => p.id);
  }
  private bringRequests(ids: string[]) {
    return this.bring('account_request', ids, async (m) => (await Promise.all(m.map((k) => this.real.getRequest(k)))).filter((r): r is AccountRequest => !!r), (r) => r.id);
  }
  /** A list from the real store: its records not yet known are brought in as they are. */
  private async bringList<T>(kind: Kind, list: T[], idOf: (r: T) => string): Promise<void> {
    await this.bring(kind, list.map(idOf), async () => list, idOf);
  }

  async getSchool(id: string) { await this.bringSchools([id]); return this.local.getSchool(id); }
  async listSchools() { await this.bringList('school', await this.real.listSchools(), (s) => s.id); return this.local.listSchools(); }

  async getAccount(id: string) { await this.bringAccounts([id]); return this.local.getAccount(id); }
  async getAccounts(ids: string[]) { await this.bringAccounts(ids); return this.local.getAccounts(ids); }
  async listAccounts(filter: { school?: string; status?: AccountStatus } = {}) {
    await this.bringList('account', await this.real.listAccounts(filter), (a) => a.id);
    return this.local.listAccounts(filter);
  }
  async linksForEmails(emails: string[]): Promise<AccountLink[]> {
    await this.bringAccounts((await this.real.linksForEmails(emails)).map((l) => l.accountId));
    return this.local.linksForEmails(emails);
  }

  async getTask(id: string) { await this.bringTasks([id]); return this.local.getTask(id); }
  async getTasks(ids: string[]) { await this.bringTasks(ids); return this.local.getTasks(ids); }
  async listTasks(status?: Task['status']) {
    await this.bringList('task', await this.real.listTasks(status), (t) => t.id);
    return this.local.listTasks(status);
  }
  async tasksForSubjects(emails: string[]) {
    await this.bringList('task', await this.real.tasksForSubjects(emails), (t) => t.id);
    return this.local.tasksForSubjects(emails);
  }

  async getPerson(key: string) { await this.bringPeople([key]); return this.local.getPerson(key); }
  async findPerson(emails: string[]) {
    const found = await this.real.findPerson(emails);
    if (found) await this.bringList('person', [found], (p) => p.key);
    return this.local.findPerson(emails);
  }
  async listPeople() { await this.bringList('person', await this.real.listPeople(), (p) => p.key); return this.local.listPeople(); }

  async getPolicy(id: string) { await this.bringPolicies([id]); return this.local.getPolicy(id); }
  async listPolicies() { await this.bringList('policy', await this.real.listPolicies(), (p) => p.id); return this.local.listPolicies(); }

  async getRequest(id: string) { await this.bringRequests([id]); return this.local.getRequest(id); }
  async listRequests(filter: RequestFilter = {}) {
    await this.bringList('account_request', await this.real.listRequests(filter), (r) => r.id);
    return this.local.listRequests(filter);
  }

  async dueOnOrBefore(date: IsoDate, limit?: number): Promise<DueItem[]> {
    const due = await this.real.dueOnOrBefore(date);
    await this.bringTasks(due.filter((d) => d.kind === 'task').map((d) => d.id));
    await this.bringAccounts(due.filter((d) => d.kind === 'account').map((d) => d.id));
    await this.bringPolicies(due.filter((d) => d.kind === 'policy').map((d) => d.id));
    return this.local.dueOnOrBefore(date, limit);
  }

  async isLinkUsed(nonce: string) { return (await this.local.isLinkUsed(nonce)) || this.real.isLinkUsed(nonce); }

  async getDirectoryState(): Promise<DirectoryState | undefined> {
    return this.directoryKnown ? this.local.getDirectoryState() : this.real.getDirectoryState();
  }

  async auditFor(entityType: AuditEntry['entityType'], entityId: string) {
    return sortAudit([...(await this.real.auditFor(entityType, entityId)), ...(await this.local.auditFor(entityType, entityId))]);
  }
  async auditSince(since: IsoDate, until?: Date) {
    return sortAudit([...(await this.real.auditSince(since, until)), ...(await this.local.auditSince(since, until))]);
  }

  /** Checks the changes against the truth as the real store would, then keeps them here. */
  async commit(changes: Change[], actor: Actor): Promise<CommitResult> {
    for (const c of changes) {
      switch (c.kind) {
        case 'school': await this.bringSchools([c.after.id]); break;
        case 'account': await this.bringAccounts([c.after.id]); break;
        case 'task': await this.bringTasks([c.after.id]); break;
        case 'policy': await this.bringPolicies([c.after.id]); break;
        case 'account_request': await this.bringRequests([c.after.id]); break;
        case 'person': await this.bringPeople([c.after.key]); break;
        case 'person_removed': await this.bringPeople([c.before.key]); break;
        case 'link_used':
          if (await this.real.isLinkUsed(c.nonce)) throw new ConflictError('this link has already been used; try again');
          break;
        case 'directory_state':
          this.directoryKnown = true; // a directory state change replaces the whole state
          break;
        case 'digest_sent':
        case 'digest_released':
        case 'request_seen':
        case 'request_released':
          break;
      }
    }
    return this.local.commit(changes, actor);
  }
}

/** Which list of SeedRecords holds each kind. */
const SEED_KEYS = {
  school: 'schools', account: 'accounts', task: 'tasks', person: 'people', policy: 'policies', account_request: 'accountRequests',
} as const satisfies Record<Kind, keyof import('./memory-store.ts').SeedRecords>;

function sortAudit(entries: AuditEntry[]): AuditEntry[] {
  return entries.sort((a, b) => { const x = `${a.at}#${a.id}`, y = `${b.at}#${b.id}`; return x < y ? -1 : x > y ? 1 : 0; });
}
