/**
 * The Store port on DynamoDB: the only code that knows the table's layout (keys.ts). A commit is one
 * TransactWriteItems: each record written with a version condition (or "must not exist" when new), the link or
 * address items that index it, and its audit entry; a failed condition is a ConflictError. A commit that writes a
 * single item and no audit entry (a one-time claim, a delivery claim, the sweep's next date) is that item's own
 * conditional PutItem or DeleteItem instead: as atomic, with the same condition, at half a transaction's cost.
 * Every read and write adds its consumed capacity to `capacity` (the benchmarks read it).
 */
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand,
  type DynamoDBDocumentClient, type QueryCommandInput, type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  assertOneChangePerRecord, auditOfChange, effectOfChange, type AccountLink, type Change, type DirectoryState, type DueItem, type DueKind,
} from '../domain/changes.ts';
import { mailboxOf, type Account, type AccountStatus, type Actor, type AuditEntry, type IsoDate, type Person, type Policy, type School } from '../domain/model.ts';
import type { AccountRequest } from '../domain/requests.ts';
import type { Task } from '../domain/tasks.ts';
import { CommitTooLargeError, ConflictError, type CommitResult, type RequestFilter, type Store } from '../usecases/ports.ts';
import { documentClient } from './aws.ts';
import { timeOrderedId } from './ids.ts';
import {
  accountItem, accountLinkItems, auditItem, DUE_PARTITION, fromItem, keys, personAddresses, personItem, policyItem, REQUEST_EMAIL_PREFIX,
  requestItem, REQUESTS_PARTITION, schoolItem, taskItem,
} from './keys.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Key = { pk: string; sk: string };

/** DynamoDB's limit on the items of one transaction. */
const MAX_TRANSACTION_ITEMS = 100;

export interface Capacity {
  read: number;
  write: number;
}

export class DynamoStore implements Store {
  readonly capacity: Capacity = { read: 0, write: 0 };

  constructor(
    readonly tableName: string,
    private readonly client: DynamoDBDocumentClient = documentClient(),
    private readonly clock: () => Date = () => new Date(),
  ) {}

  // ---------- reading ----------

  private count(cc: ConsumedCapacity | ConsumedCapacity[] | undefined, kind: keyof Capacity): void {
    for (const c of Array.isArray(cc) ? cc : cc ? [cc] : []) this.capacity[kind] += c.CapacityUnits ?? 0;
  }

  private async get<T>(key: Key): Promise<T | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }));
    this.count(out.ConsumedCapacity, 'read');
    return out.Item ? fromItem<T>(out.Item) : undefined;
  }

  private async batchGet<T>(keyList: Key[]): Promise<T[]> {
    const results: T[] = [];
    for (let i = 0; i < keyList.length; i += 100) {
      let request: Record<string, { Keys: Array<Record<string, unknown>>; ConsistentRead: boolean }> | undefined = {
        [this.tableName]: { Keys: keyList.slice(i, i + 100), ConsistentRead: true },
      };
      for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
        const out = await this.client.send(new BatchGetCommand({ RequestItems: request, ReturnConsumedCapacity: 'TOTAL' }));
        this.count(out.ConsumedCapacity, 'read');
        for (const item of out.Responses?.[this.tableName] ?? []) results.push(fromItem<T>(item));
        request = out.UnprocessedKeys as typeof request;
        if (request && Object.keys(request).length > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
    return results;
  }

  /** Runs a query to the end, following LastEvaluatedKey (`raw`: keep the key attributes). */
  private async queryAll<T>(input: Omit<QueryCommandInput, 'TableName'>, raw = false): Promise<T[]> {
    const items: T[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey, ReturnConsumedCapacity: 'TOTAL' }));
      this.count(out.ConsumedCapacity, 'read');
      for (const item of out.Items ?? []) items.push(raw ? (item as T) : fromItem<T>(item));
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey && !(input.Limit && items.length >= input.Limit));
    return items;
  }

  private byType<T>(partition: string, prefix?: string): Promise<T[]> {
    return this.queryAll<T>({
      IndexName: 'byType',
      KeyConditionExpression: prefix ? 'gsi2pk = :p AND begins_with(gsi2sk, :s)' : 'gsi2pk = :p',
      ExpressionAttributeValues: { ':p': partition, ...(prefix ? { ':s': prefix } : {}) },
    });
  }

  private byEmail<T>(partition: string, prefix?: string): Promise<T[]> {
    return this.queryAll<T>({
      IndexName: 'byEmail',
      KeyConditionExpression: prefix ? 'gsi1pk = :e AND begins_with(gsi1sk, :p)' : 'gsi1pk = :e',
      ExpressionAttributeValues: { ':e': partition, ...(prefix ? { ':p': prefix } : {}) },
    });
  }

  getSchool(id: string): Promise<School | undefined> {
    return this.get<School>(keys.school(id));
  }

  listSchools(): Promise<School[]> {
    return this.byType<School>('SCHOOLS');
  }

  getAccount(id: string): Promise<Account | undefined> {
    return this.get<Account>(keys.account(id));
  }

  async getAccounts(ids: string[]): Promise<Account[]> {
    return this.inOrder(ids, await this.batchGet<Account>([...new Set(ids)].map(keys.account)), (a) => a.id);
  }

  async listAccounts(filter: { school?: string; status?: AccountStatus } = {}): Promise<Account[]> {
    const accounts = await this.byType<Account>('ACCOUNTS', filter.school ? `${filter.school}#` : undefined);
    return filter.status ? accounts.filter((a) => a.status === filter.status) : accounts;
  }

  async linksForEmails(emails: string[]): Promise<AccountLink[]> {
    const all = await Promise.all([...new Set(emails.map(mailboxOf))].map((email) => this.byEmail<AccountLink>(keys.email(email), 'ACCOUNT#')));
    return all.flat().map(({ accountId, role, email }) => ({ accountId, role, email }));
  }

  getTask(id: string): Promise<Task | undefined> {
    return this.get<Task>(keys.task(id));
  }

  async getTasks(ids: string[]): Promise<Task[]> {
    return ids.length ? this.inOrder(ids, await this.batchGet<Task>([...new Set(ids)].map(keys.task)), (t) => t.id) : [];
  }

  async listTasks(status?: Task['status']): Promise<Task[]> {
    const statuses: Array<Task['status']> = status ? [status] : ['open', 'done', 'cancelled'];
    const lists = await Promise.all(statuses.map((st) => this.byType<Task>(`TASKS#${st}`)));
    // Merged across statuses in the index's own order (due date, then id, by code unit).
    return lists.flat().sort((a, b) => { const x = `${a.dueDate}#${a.id}`, y = `${b.dueDate}#${b.id}`; return x < y ? -1 : x > y ? 1 : 0; });
  }

  async tasksForSubjects(emails: string[]): Promise<Task[]> {
    const lists = await Promise.all([...new Set(emails.map(mailboxOf))].map((email) => this.byEmail<Task>(keys.subject(email))));
    return lists.flat();
  }

  getPerson(key: string): Promise<Person | undefined> {
    return this.get<Person>(keys.person(key));
  }

  async findPerson(emails: string[]): Promise<Person | undefined> {
    for (const email of [...new Set(emails)]) {
      const hits = await this.byEmail<{ personKey: string }>(keys.email(email), 'PERSON#');
      if (hits[0]) return this.getPerson(hits[0].personKey);
    }
    return undefined;
  }

  listPeople(): Promise<Person[]> {
    return this.byType<Person>('PEOPLE');
  }

  getPolicy(id: string): Promise<Policy | undefined> {
    return this.get<Policy>(keys.policy(id));
  }

  listPolicies(): Promise<Policy[]> {
    return this.byType<Policy>('POLICIES');
  }

  getRequest(id: string): Promise<AccountRequest | undefined> {
    return this.get<AccountRequest>(keys.accountRequest(id));
  }

  /** A requester's requests from the byEmail index (their address's partition), others from byType; then narrowed. */
  async listRequests(filter: RequestFilter = {}): Promise<AccountRequest[]> {
    const list = filter.requester
      ? await this.byEmail<AccountRequest>(keys.email(mailboxOf(filter.requester)), REQUEST_EMAIL_PREFIX)
      : await this.byType<AccountRequest>(REQUESTS_PARTITION);
    return list.filter((r) => (!filter.status || r.status === filter.status) && (!filter.school || r.school === filter.school));
  }

  async dueOnOrBefore(date: IsoDate, limit?: number): Promise<DueItem[]> {
    const items = await this.queryAll<{ gsi3sk?: string }>({
      IndexName: 'due',
      KeyConditionExpression: 'gsi3pk = :p AND gsi3sk <= :d',
      ExpressionAttributeValues: { ':p': DUE_PARTITION, ':d': `${date}#~` },
      ProjectionExpression: 'gsi3sk',
      ...(limit ? { Limit: limit } : {}),
    }, true);
    return items.slice(0, limit).map((i) => {
      const [on, kind, ...rest] = String(i.gsi3sk).split('#');
      return { kind: kind as DueKind, id: rest.join('#'), on: on! };
    });
  }

  async isLinkUsed(nonce: string): Promise<boolean> {
    return (await this.get(keys.usedToken(nonce))) !== undefined;
  }

  getDirectoryState(): Promise<DirectoryState | undefined> {
    return this.get<DirectoryState>(keys.directoryState());
  }

  auditFor(entityType: AuditEntry['entityType'], entityId: string): Promise<AuditEntry[]> {
    return this.queryAll<AuditEntry>({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': keys.auditPartition(entityType, entityId) } });
  }

  /** One Query per day bucket, ten at a time. */
  async auditSince(since: IsoDate, until: Date = this.clock()): Promise<AuditEntry[]> {
    const days: string[] = [];
    for (let d = new Date(`${since}T00:00:00Z`); d <= until; d = new Date(d.getTime() + 86_400_000)) days.push(d.toISOString().slice(0, 10));
    const out: AuditEntry[] = [];
    for (let i = 0; i < days.length; i += 10) {
      const batch = await Promise.all(days.slice(i, i + 10).map((day) => this.byType<AuditEntry>(keys.auditDay(day))));
      out.push(...batch.flat());
    }
    return out;
  }

  /** BatchGetItem answers in no particular order: give back the order asked for. */
  private inOrder<T>(ids: string[], found: T[], idOf: (t: T) => string): T[] {
    const byId = new Map(found.map((f) => [idOf(f), f]));
    return [...new Set(ids)].flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  }

  // ---------- writing ----------

  async commit(changes: Change[], actor: Actor): Promise<CommitResult> {
    assertOneChangePerRecord(changes);
    const now = this.clock();
    const items: TransactItem[] = [];
    const applied: Change[] = [];
    const audit: AuditEntry[] = [];
    for (const change of changes) {
      const written = this.itemsFor(change, actor, now);
      if (!written) continue;
      items.push(...written.items);
      applied.push(change);
      if (written.audit) audit.push(written.audit);
    }
    await this.transact(items);
    return { applied, audit };
  }

  private itemsFor(change: Change, actor: Actor, now: Date): { items: TransactItem[]; audit?: AuditEntry } | undefined {
    switch (change.kind) {
      case 'link_used':
        return { items: [this.put({ ...keys.usedToken(change.nonce), entity: 'token', taskId: change.taskId, usedAt: change.at, expiresAt: change.expiresAt }, 'new')] };
      case 'digest_sent':
        return { items: [this.put({ ...keys.digest(change.school, change.week), entity: 'digest', sentAt: change.at, expiresAt: change.expiresAt }, 'new')] };
      case 'digest_released':
        return { items: [this.delete(keys.digest(change.school, change.week))] };
      case 'request_seen':
        return { items: [this.put({ ...keys.request(change.key), entity: 'request', seenAt: change.at, expiresAt: change.expiresAt }, 'new')] };
      case 'request_released':
        return { items: [this.delete(keys.request(change.key))] };
      case 'directory_state':
        return { items: [this.put({ ...keys.directoryState(), entity: 'directory', ...change.after })] };
      case 'person_removed': {
        const entry = auditOfChange(change, effectOfChange(change), actor, now, timeOrderedId(now));
        return {
          items: [
            { Delete: { TableName: this.tableName, Key: keys.person(change.before.key), ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': change.before.version } } },
            ...change.before.addresses.map((email) => this.delete(keys.personAddress(change.before.key, email))),
            ...(entry ? [this.putAudit(entry)] : []),
          ],
          ...(entry ? { audit: entry } : {}),
        };
      }
      default: {
        const effect = effectOfChange(change);
        if (effect.kind === 'none') return undefined;
        const entry = auditOfChange(change, effect, actor, now, timeOrderedId(now));
        const record = this.recordItems(change);
        return { items: [...record, ...(entry ? [this.putAudit(entry)] : [])], ...(entry ? { audit: entry } : {}) };
      }
    }
  }


  /** The record, version-checked, and the index items that follow it (links of an account, addresses of a person). */
  private recordItems(change: Exclude<Change, { kind: 'link_used' | 'digest_sent' | 'digest_released' | 'request_seen' | 'request_released' | 'directory_state' | 'person_removed' }>): TransactItem[] {
    switch (change.kind) {
      case 'school':
        // Schools carry no version: a new one must not exist yet; an update is the administrator's last word.
        return [this.put(schoolItem(change.after), change.before ? undefined : 'new')];
      case 'task':
        return [this.versioned(taskItem(change.after), change.before)];
      case 'policy':
        return [this.versioned(policyItem(change.after), change.before)];
      case 'account_request':
        return [this.versioned(requestItem(change.after), change.before)];
      case 'account': {
        const ops = [this.versioned(accountItem(change.after), change.before)];
        const oldLinks = new Map((change.before ? accountLinkItems(change.before) : []).map((l) => [l.sk, l]));
        const newLinks = new Map(accountLinkItems(change.after).map((l) => [l.sk, l]));
        for (const [sk, link] of newLinks) if (!oldLinks.has(sk)) ops.push(this.put(link));
        for (const [sk, link] of oldLinks) if (!newLinks.has(sk)) ops.push(this.delete({ pk: link.pk, sk }));
        return ops;
      }
      case 'person': {
        const { before, after } = change;
        const ops = [this.versioned(personItem(after), before)];
        const oldAddr = new Map((before ? personAddresses(before) : []).map((a) => [a.sk, a]));
        const newAddr = new Map(personAddresses(after).map((a) => [a.sk, a]));
        // Address items share the record's expiry, so they are rewritten when it changes.
        const expiryChanged = before?.personalDataExpiresAt !== after.personalDataExpiresAt;
        for (const [sk, a] of newAddr) if (!oldAddr.has(sk) || expiryChanged) ops.push(this.put(a));
        for (const [sk, a] of oldAddr) if (!newAddr.has(sk)) ops.push(this.delete({ pk: a.pk, sk }));
        return ops;
      }
    }
  }

  private put(item: Record<string, unknown>, condition?: 'new'): TransactItem {
    return { Put: { TableName: this.tableName, Item: item, ...(condition === 'new' ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}) } };
  }

  /**
   * An audit entry is only ever created: the put is conditional on no item with its key, so it can never overwrite
   * one. (IAM cannot tell a put that creates from one that replaces; the roles' Deny covers updates and deletes.)
   */
  private putAudit(entry: AuditEntry): TransactItem {
    return this.put(auditItem(entry), 'new');
  }

  private delete(key: Key): TransactItem {
    return { Delete: { TableName: this.tableName, Key: key } };
  }

  /** Creates when `before` is undefined; otherwise succeeds only if nobody else changed the record meanwhile. */
  private versioned(item: Record<string, unknown>, before: { version: number } | undefined): TransactItem {
    if (!before) return this.put(item, 'new');
    return { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': before.version } } };
  }

  private async transact(items: TransactItem[]): Promise<void> {
    if (items.length === 0) return;
    if (items.length > MAX_TRANSACTION_ITEMS) throw new CommitTooLargeError(`a change of ${items.length} items is more than one transaction can hold`);
    if (items.length === 1 && (items[0]!.Put || items[0]!.Delete)) return this.writeOne(items[0]!);
    try {
      const out = await this.client.send(new TransactWriteCommand({ TransactItems: items, ReturnConsumedCapacity: 'TOTAL' }));
      this.count(out.ConsumedCapacity, 'write');
    } catch (err) {
      const e = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> };
      if (e.name === 'TransactionCanceledException') {
        const reasons = (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
        if (reasons.includes('ConditionalCheckFailed') || reasons.includes('TransactionConflict')) throw new ConflictError(undefined, reasons);
      }
      throw err;
    }
  }

  /** One item: its own conditional PutItem or DeleteItem (a transaction of one item costs twice as much). */
  private async writeOne(item: TransactItem): Promise<void> {
    try {
      const out = item.Put
        ? await this.client.send(new PutCommand({ ...item.Put, ReturnConsumedCapacity: 'TOTAL' }))
        : await this.client.send(new DeleteCommand({ ...item.Delete!, ReturnConsumedCapacity: 'TOTAL' }));
      this.count(out.ConsumedCapacity, 'write');
    } catch (err) {
      // A failed condition, or a transaction writing the same item at this moment: either way, read again and retry.
      const name = (err as { name?: string }).name;
      if (name === 'ConditionalCheckFailedException') throw new ConflictError(undefined, ['ConditionalCheckFailed']);
      if (name === 'TransactionConflictException') throw new ConflictError(undefined, ['TransactionConflict']);
      throw err;
    }
  }
}
