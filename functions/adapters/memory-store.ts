/**
 * The Store port in memory: for use-case tests (no database, no Java) and, under the dry-run store, for previews.
 * It keeps the same promises as the DynamoDB adapter — atomic commits, version conditions, one-time claims, the
 * same audit rules and list orders — and test/contract proves it with one suite run against both. Records are
 * copied in and out (as a database would), so a caller can never change what is stored by mutating what it read.
 */
import {
  accountLinks, assertOneChangePerRecord, auditOfChange, dueOn, effectOfChange, type AccountLink, type Change, type DirectoryState, type DueItem,
} from '../domain/changes.ts';
import { mailboxOf, type Account, type AccountStatus, type Actor, type AuditEntry, type IsoDate, type Person, type Policy, type School } from '../domain/model.ts';
import type { AccountRequest } from '../domain/requests.ts';
import type { Task } from '../domain/tasks.ts';
import { ConflictError, type CommitResult, type RequestFilter, type Store } from '../usecases/ports.ts';
import { timeOrderedId } from './ids.ts';

/** What a database round trip does to a record: a copy, without undefined fields. */
function copy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * Strings in DynamoDB's key order (by code unit: `#` < `-` < `.` < digits < capitals < `_` < lower case), not by
 * locale, so lists and the due index come back in the order the DynamoDB adapter's indexes give.
 */
const keyOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byId = <T extends { id: string }>(a: T, b: T) => keyOrder(a.id, b.id);

export interface SeedRecords {
  schools?: School[];
  accounts?: Account[];
  tasks?: Task[];
  people?: Person[];
  policies?: Policy[];
  accountRequests?: AccountRequest[];
}

export class MemoryStore implements Store {
  protected readonly schools = new Map<string, School>();
  protected readonly accounts = new Map<string, Account>();
  protected readonly tasks = new Map<string, Task>();
  protected readonly people = new Map<string, Person>();
  protected readonly policies = new Map<string, Policy>();
  protected readonly accountRequests = new Map<string, AccountRequest>();
  protected readonly usedLinks = new Set<string>();
  protected readonly digests = new Set<string>();
  protected readonly requests = new Set<string>();
  protected directory: DirectoryState | undefined;
  protected readonly audit: AuditEntry[] = [];
  /** Every commit that wrote something, in order (dry runs print these). */
  readonly commits: Array<CommitResult & { actor: Actor }> = [];

  constructor(protected readonly clock: () => Date = () => new Date()) {}

  /** Puts records in as they are, without audit: what a database already held (dry runs, test fixtures). */
  seed(records: SeedRecords): void {
    for (const s of records.schools ?? []) this.schools.set(s.id, copy(s));
    for (const a of records.accounts ?? []) this.accounts.set(a.id, copy(a));
    for (const t of records.tasks ?? []) this.tasks.set(t.id, copy(t));
    for (const p of records.people ?? []) this.people.set(p.key, copy(p));
    for (const p of records.policies ?? []) this.policies.set(p.id, copy(p));
    for (const r of records.accountRequests ?? []) this.accountRequests.set(r.id, copy(r));
  }

  // ---------- reading ----------

  async getSchool(id: string): Promise<School | undefined> {
    return copy(this.schools.get(id));
  }

  async listSchools(): Promise<School[]> {
    return copy([...this.schools.values()].sort(byId));
  }

  async getAccount(id: string): Promise<Account | undefined> {
    return copy(this.accounts.get(id));
  }

  async getAccounts(ids: string[]): Promise<Account[]> {
    return copy([...new Set(ids)].flatMap((id) => (this.accounts.has(id) ? [this.accounts.get(id)!] : [])));
  }

  async listAccounts(filter: { school?: string; status?: AccountStatus } = {}): Promise<Account[]> {
    const list = [...this.accounts.values()].filter((a) => (!filter.school || a.school === filter.school) && (!filter.status || a.status === filter.status));
    return copy(list.sort((a, b) => keyOrder(`${a.school}#${a.id}`, `${b.school}#${b.id}`)));
  }

  async linksForEmails(emails: string[]): Promise<AccountLink[]> {
    const wanted = [...new Set(emails.map(mailboxOf))];
    const all = [...this.accounts.values()].flatMap(accountLinks);
    return wanted.flatMap((email) => all.filter((l) => mailboxOf(l.email) === email).sort((a, b) => keyOrder(`${a.accountId}#${a.role}`, `${b.accountId}#${b.role}`)));
  }

  async getTask(id: string): Promise<Task | undefined> {
    return copy(this.tasks.get(id));
  }

  async getTasks(ids: string[]): Promise<Task[]> {
    return copy([...new Set(ids)].flatMap((id) => (this.tasks.has(id) ? [this.tasks.get(id)!] : [])));
  }

  async listTasks(status?: Task['status']): Promise<Task[]> {
    const list = [...this.tasks.values()].filter((t) => !status || t.status === status);
    return copy(list.sort((a, b) => keyOrder(`${a.dueDate}#${a.id}`, `${b.dueDate}#${b.id}`)));
  }

  async tasksForSubjects(emails: string[]): Promise<Task[]> {
    const all = [...this.tasks.values()];
    return copy([...new Set(emails.map(mailboxOf))].flatMap((email) => all.filter((t) => mailboxOf(t.subjectEmail) === email).sort(byId)));
  }

  async getPerson(key: string): Promise<Person | undefined> {
    return copy(this.people.get(key));
  }

  async findPerson(emails: string[]): Promise<Person | undefined> {
    const people = [...this.people.values()].sort((a, b) => keyOrder(a.key, b.key));
    for (const email of new Set(emails)) {
      const hit = people.find((p) => p.addresses.includes(email));
      if (hit) return copy(hit);
    }
    return undefined;
  }

  async listPeople(): Promise<Person[]> {
    return copy([...this.people.values()].sort((a, b) => keyOrder(a.key, b.key)));
  }

  async getPolicy(id: string): Promise<Policy | undefined> {
    return copy(this.policies.get(id));
  }

  async listPolicies(): Promise<Policy[]> {
    return copy([...this.policies.values()].sort(byId));
  }

  async getRequest(id: string): Promise<AccountRequest | undefined> {
    return copy(this.accountRequests.get(id));
  }

  async listRequests(filter: RequestFilter = {}): Promise<AccountRequest[]> {
    const requester = filter.requester ? mailboxOf(filter.requester) : undefined;
    const list = [...this.accountRequests.values()].filter((r) => (!requester || mailboxOf(r.requester) === requester)
      && (!filter.status || r.status === filter.status) && (!filter.school || r.school === filter.school));
    return copy(list.sort(byId));
  }

  async dueOnOrBefore(date: IsoDate, limit?: number): Promise<DueItem[]> {
    const items: DueItem[] = [
      ...[...this.tasks.values()].map((t) => ({ kind: 'task' as const, id: t.id, on: dueOn('task', t) })),
      ...[...this.accounts.values()].map((a) => ({ kind: 'account' as const, id: a.id, on: dueOn('account', a) })),
      ...[...this.policies.values()].map((p) => ({ kind: 'policy' as const, id: p.id, on: dueOn('policy', p) })),
    ].filter((i): i is DueItem => !!i.on && i.on <= date);
    // The DynamoDB index's sort key is `date#kind#id`.
    items.sort((a, b) => keyOrder(`${a.on}#${a.kind}#${a.id}`, `${b.on}#${b.kind}#${b.id}`));
    return items.slice(0, limit);
  }

  async isLinkUsed(nonce: string): Promise<boolean> {
    return this.usedLinks.has(nonce);
  }

  async getDirectoryState(): Promise<DirectoryState | undefined> {
    return copy(this.directory);
  }

  async auditFor(entityType: AuditEntry['entityType'], entityId: string): Promise<AuditEntry[]> {
    return copy(this.sortedAudit().filter((e) => e.entityType === entityType && e.entityId === entityId));
  }

  async auditSince(since: IsoDate, until: Date = this.clock()): Promise<AuditEntry[]> {
    const last = until.toISOString().slice(0, 10);
    return copy(this.sortedAudit().filter((e) => e.at.slice(0, 10) >= since && e.at.slice(0, 10) <= last));
  }

  private sortedAudit(): AuditEntry[] {
    return [...this.audit].sort((a, b) => keyOrder(`${a.at}#${a.id}`, `${b.at}#${b.id}`));
  }

  // ---------- writing ----------

  async commit(changes: Change[], actor: Actor): Promise<CommitResult> {
    assertOneChangePerRecord(changes);
    const now = this.clock();
    // Check every condition first: a commit writes all of its changes or none.
    for (const change of changes) this.check(change);
    const applied: Change[] = [];
    const audit: AuditEntry[] = [];
    for (const change of changes) {
      const written = this.apply(change, actor, now);
      if (!written) continue;
      applied.push(change);
      if (written.audit) audit.push(written.audit);
    }
    this.audit.push(...audit);
    const result = copy({ applied, audit });
    if (applied.length > 0) this.commits.push({ ...result, actor: copy(actor) });
    return result;
  }

  private stored(change: Exclude<Change, { kind: 'link_used' | 'digest_sent' | 'digest_released' | 'request_seen' | 'request_released' | 'directory_state' }>): { version?: number } | undefined {
    // Schools carry no version: only whether one exists counts for them.
    switch (change.kind) {
      case 'school': return this.schools.has(change.after.id) ? {} : undefined;
      case 'account': return this.accounts.get(change.after.id);
      case 'task': return this.tasks.get(change.after.id);
      case 'policy': return this.policies.get(change.after.id);
      case 'account_request': return this.accountRequests.get(change.after.id);
      case 'person': return this.people.get(change.after.key);
      case 'person_removed': return this.people.get(change.before.key);
    }
  }

  private check(change: Change): void {
    const conflict = (what: string) => {
      throw new ConflictError(`${what}; try again`, ['ConditionalCheckFailed']);
    };
    switch (change.kind) {
      case 'link_used':
        if (this.usedLinks.has(change.nonce)) conflict('this link has already been used');
        return;
      case 'digest_sent':
        if (this.digests.has(`${change.week}#${change.school}`)) conflict('this digest was already sent');
        return;
      case 'request_seen':
        if (this.requests.has(change.key)) conflict('this request was already accepted');
        return;
      case 'directory_state':
      case 'digest_released':
      case 'request_released':
        return;
      case 'person_removed': {
        if (this.stored(change)?.version !== change.before.version) conflict('the record changed meanwhile');
        return;
      }
      default: {
        if (effectOfChange(change).kind === 'none') return;
        const stored = this.stored(change);
        if (!change.before) {
          if (stored) conflict('the record already exists');
        } else if (change.kind !== 'school' && stored?.version !== (change.before as { version: number }).version) {
          conflict('the record changed meanwhile');
        }
      }
    }
  }

  private apply(change: Change, actor: Actor, now: Date): { audit?: AuditEntry } | undefined {
    switch (change.kind) {
      case 'link_used':
        this.usedLinks.add(change.nonce);
        return {};
      case 'digest_sent':
        this.digests.add(`${change.week}#${change.school}`);
        return {};
      case 'digest_released':
        this.digests.delete(`${change.week}#${change.school}`);
        return {};
      case 'request_seen':
        this.requests.add(change.key);
        return {};
      case 'request_released':
        this.requests.delete(change.key);
        return {};
      case 'directory_state':
        this.directory = copy(change.after);
        return {};
      case 'person_removed':
        this.people.delete(change.before.key);
        return { audit: auditOfChange(change, effectOfChange(change), actor, now, timeOrderedId(now)) };
      default: {
        const effect = effectOfChange(change);
        if (effect.kind === 'none') return undefined;
        const after = copy(change.after);
        switch (change.kind) {
          case 'school': this.schools.set(change.after.id, after as School); break;
          case 'account': this.accounts.set(change.after.id, after as Account); break;
          case 'task': this.tasks.set(change.after.id, after as Task); break;
          case 'policy': this.policies.set(change.after.id, after as Policy); break;
          case 'account_request': this.accountRequests.set(change.after.id, after as AccountRequest); break;
          case 'person': this.people.set(change.after.key, after as Person); break;
        }
        const entry = auditOfChange(change, effect, actor, now, timeOrderedId(now));
        return entry ? { audit: entry } : {};
      }
    }
  }

}
