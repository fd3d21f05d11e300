/**
 * DynamoDB adapter: the only code that knows the table's layout. Every change is written in one transaction
 * together with its audit entry, and every read or write adds its consumed capacity to `capacity`
 * (the benchmarks and the sweep's cost checks read it).
 */
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand,
  type DynamoDBDocumentClient, type QueryCommandInput, type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { diffFields } from '../domain/audit.ts';
import type { Account, Actor, AuditEntry, Person, Policy, School } from '../domain/model.ts';
import type { Task } from '../domain/tasks.ts';
import { nextAccountCheckOn, nextPolicyCheckOn } from '../domain/schedule.ts';
import { londonDate } from '../domain/working-days.ts';
import { documentClient } from './aws.ts';
import { timeOrderedId } from './ids.ts';
import { accountItem, accountLinks, auditItem, DUE_PARTITION, fromItem, keys, personAddresses, personItem, policyItem, schoolItem, taskItem, type LinkRole } from './keys.ts';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export class ConflictError extends Error {
  constructor(message: string, readonly reasons: string[] = []) {
    super(message);
  }
}

export interface Capacity {
  read: number;
  write: number;
}

/**
 * The audit keeps what happened, not more personal data than it needs: for people (whose records expire) and for
 * the free text of tasks, it records that a field changed, not its value. Register fields (who an account is
 * linked to, its administrators and supervisors) and who acted are kept: they are what the audit is for.
 */
const PERSONAL_FIELDS: Record<string, ReadonlySet<string>> = {
  person: new Set(['primaryEmail', 'addresses', 'displayName', 'employeeId', 'lineManagerEmail', 'directoryManagerEmail']),
  task: new Set(['subjectName', 'reason']),
};
const REDACTED = '(personal data not kept)';

function redact<T extends { before?: Record<string, unknown>; after?: Record<string, unknown>; changed: string[] }>(entityType: string, diff: T): T {
  const fields = PERSONAL_FIELDS[entityType];
  if (!fields) return diff;
  const scrub = (o?: Record<string, unknown>) => (o ? Object.fromEntries(Object.entries(o).map(([k, v]) => [k, fields.has(k) ? REDACTED : v])) : o);
  return { ...diff, before: scrub(diff.before), after: scrub(diff.after) };
}

export interface DirectoryState {
  deltaLink?: string;
  lastSyncAt?: string;
  subscriptionId?: string;
  subscriptionExpiresAt?: string;
}

export interface AccountLink {
  accountId: string;
  role: LinkRole;
  email: string;
}

export class Store {
  readonly capacity: Capacity = { read: 0, write: 0 };

  constructor(
    readonly tableName: string,
    private readonly client: DynamoDBDocumentClient = documentClient(),
    private readonly clock: () => Date = () => new Date(),
  ) {}

  // ---------- low level ----------

  private count(cc: ConsumedCapacity | ConsumedCapacity[] | undefined, kind: keyof Capacity): void {
    for (const c of Array.isArray(cc) ? cc : cc ? [cc] : []) this.capacity[kind] += c.CapacityUnits ?? 0;
  }

  async get<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }));
    this.count(out.ConsumedCapacity, 'read');
    return out.Item ? fromItem<T>(out.Item) : undefined;
  }

  async batchGet<T>(keyList: Array<{ pk: string; sk: string }>): Promise<T[]> {
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
  async queryAll<T>(input: Omit<QueryCommandInput, 'TableName'>, raw = false): Promise<T[]> {
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

  async transact(items: TransactItem[]): Promise<void> {
    if (items.length === 0) return;
    if (items.length > 100) throw new Error(`a change of ${items.length} items is more than one transaction can hold`);
    try {
      const out = await this.client.send(new TransactWriteCommand({ TransactItems: items, ReturnConsumedCapacity: 'TOTAL' }));
      this.count(out.ConsumedCapacity, 'write');
    } catch (err) {
      const e = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> };
      if (e.name === 'TransactionCanceledException') {
        const reasons = (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
        if (reasons.includes('ConditionalCheckFailed') || reasons.includes('TransactionConflict')) {
          throw new ConflictError('the record changed while this change was being made; try again', reasons);
        }
      }
      throw err;
    }
  }

  put(item: Record<string, unknown>, condition?: { expression: string; values?: Record<string, unknown>; names?: Record<string, string> }): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: item,
        ...(condition ? { ConditionExpression: condition.expression } : {}),
        ...(condition?.values ? { ExpressionAttributeValues: condition.values } : {}),
        ...(condition?.names ? { ExpressionAttributeNames: condition.names } : {}),
      },
    };
  }

  delete(key: { pk: string; sk: string }): TransactItem {
    return { Delete: { TableName: this.tableName, Key: key } };
  }

  /** A versioned put: creates when `before` is undefined, otherwise succeeds only if nobody else changed it meanwhile. */
  putVersioned(item: Record<string, unknown>, before: { version: number } | undefined): TransactItem {
    return before
      ? this.put(item, { expression: 'version = :v', values: { ':v': before.version } })
      : this.put(item, { expression: 'attribute_not_exists(pk)' });
  }

  /**
   * A versioned write of `item` with its audit entry; a write alone when only bookkeeping changed (the sweep's
   * next date); nothing when nothing changed.
   */
  private change(before: object | undefined, after: object, item: Record<string, unknown>, auditOp: TransactItem | undefined): TransactItem[] {
    if (auditOp) return [this.putVersioned(item, before as { version: number } | undefined), auditOp];
    const strip = (o: object) => JSON.stringify({ ...o, updatedAt: undefined, version: undefined });
    if (before && strip(before) !== strip(after)) return [this.putVersioned(item, before as { version: number })];
    return [];
  }

  /** The audit entry for a change, or undefined when nothing changed. */
  audit(actor: Actor, action: string, entityType: AuditEntry['entityType'], entityId: string, before: object | undefined, after: object | undefined): TransactItem | undefined {
    const diff = redact(entityType, diffFields(before, after));
    if (diff.changed.length === 0 && before && after) return undefined;
    const at = this.clock().toISOString();
    const entry: AuditEntry = {
      id: timeOrderedId(this.clock()),
      at,
      by: actor.by,
      source: actor.source,
      action,
      entityType,
      entityId,
      ...(diff.before && Object.keys(diff.before).length ? { before: diff.before } : {}),
      ...(diff.after && Object.keys(diff.after).length ? { after: diff.after } : {}),
    };
    return this.put(auditItem(entry));
  }

  now(): Date {
    return this.clock();
  }

  // ---------- schools ----------

  getSchool(id: string): Promise<School | undefined> {
    return this.get<School>(keys.school(id));
  }

  listSchools(): Promise<School[]> {
    return this.queryAll<School>({
      IndexName: 'byType',
      KeyConditionExpression: 'gsi2pk = :p',
      ExpressionAttributeValues: { ':p': 'SCHOOLS' },
    });
  }

  /** Adds or updates a school; returns what happened. */
  async putSchool(school: School, actor: Actor): Promise<'created' | 'updated' | 'unchanged'> {
    const before = await this.getSchool(school.id);
    const auditOp = this.audit(actor, before ? 'school.updated' : 'school.created', 'school', school.id, before, school);
    if (!auditOp) return 'unchanged';
    await this.transact([this.put(schoolItem(school)), auditOp]);
    return before ? 'updated' : 'created';
  }

  // ---------- accounts ----------

  getAccount(id: string): Promise<Account | undefined> {
    return this.get<Account>(keys.account(id));
  }

  getAccounts(ids: string[]): Promise<Account[]> {
    return this.batchGet<Account>([...new Set(ids)].map(keys.account));
  }

  listAccounts(filter: { school?: string } = {}): Promise<Account[]> {
    return this.queryAll<Account>({
      IndexName: 'byType',
      KeyConditionExpression: filter.school ? 'gsi2pk = :p AND begins_with(gsi2sk, :s)' : 'gsi2pk = :p',
      ExpressionAttributeValues: { ':p': 'ACCOUNTS', ...(filter.school ? { ':s': `${filter.school}#` } : {}) },
    });
  }

  /** Every (account, role) an address is tied to, through the byEmail index. */
  async linksForEmails(emails: string[]): Promise<AccountLink[]> {
    const all = await Promise.all(
      [...new Set(emails)].map((email) =>
        this.queryAll<AccountLink>({
          IndexName: 'byEmail',
          KeyConditionExpression: 'gsi1pk = :e AND begins_with(gsi1sk, :a)',
          ExpressionAttributeValues: { ':e': keys.email(email), ':a': 'ACCOUNT#' },
        }),
      ),
    );
    return all.flat().map(({ accountId, role, email }) => ({ accountId, role, email }));
  }

  /**
   * The transaction items that move an account from `before` to `after`: the account (version-checked),
   * its changed link items, and the audit entry. Empty when nothing changed.
   */
  accountChange(before: Account | undefined, changed: Account, actor: Actor, action: string): TransactItem[] {
    // Every write sets when the sweep should next look at the account.
    const next = changed.status === 'closed' ? undefined : nextAccountCheckOn(changed, londonDate(this.clock()));
    const after: Account = { ...changed, nextCheckOn: next };
    if (!next) delete after.nextCheckOn;
    const ops = this.change(before, after, accountItem(after), this.audit(actor, action, 'account', after.id, before, after));
    if (ops.length === 0) return [];
    const oldLinks = new Map((before ? accountLinks(before) : []).map((l) => [l.sk, l]));
    const newLinks = new Map(accountLinks(after).map((l) => [l.sk, l]));
    for (const [sk, link] of newLinks) if (!oldLinks.has(sk)) ops.push(this.put(link));
    for (const [sk, link] of oldLinks) if (!newLinks.has(sk)) ops.push(this.delete({ pk: link.pk, sk }));
    return ops;
  }

  async saveAccount(before: Account | undefined, after: Account, actor: Actor, action: string): Promise<boolean> {
    const ops = this.accountChange(before, after, actor, action);
    await this.transact(ops);
    return ops.length > 0;
  }

  // ---------- tasks ----------

  getTask(id: string): Promise<Task | undefined> {
    return this.get<Task>(keys.task(id));
  }

  getTasks(ids: string[]): Promise<Task[]> {
    return ids.length ? this.batchGet<Task>([...new Set(ids)].map(keys.task)) : Promise.resolve([]);
  }

  listTasks(status?: Task['status']): Promise<Task[]> {
    const statuses: Array<Task['status']> = status ? [status] : ['open', 'done', 'cancelled'];
    return Promise.all(statuses.map((st) => this.queryAll<Task>({
      IndexName: 'byType',
      KeyConditionExpression: 'gsi2pk = :p',
      ExpressionAttributeValues: { ':p': `TASKS#${st}` },
    }))).then((lists) => lists.flat());
  }

  /** Every task about any of these addresses, through the byEmail index. */
  async tasksForSubjects(emails: string[]): Promise<Task[]> {
    const lists = await Promise.all([...new Set(emails)].map((email) => this.queryAll<Task>({
      IndexName: 'byEmail',
      KeyConditionExpression: 'gsi1pk = :s',
      ExpressionAttributeValues: { ':s': keys.subject(email) },
    })));
    return lists.flat();
  }

  taskChange(before: Task | undefined, after: Task, actor: Actor, action: string): TransactItem[] {
    return this.change(before, after, taskItem(after), this.audit(actor, action, 'task', after.id, before, after));
  }

  // ---------- people ----------

  getPerson(key: string): Promise<Person | undefined> {
    return this.get<Person>(keys.person(key));
  }

  /** The person any of these addresses belongs to (the first found), through the byEmail index. */
  async findPerson(emails: string[]): Promise<Person | undefined> {
    for (const email of [...new Set(emails)]) {
      const hits = await this.queryAll<{ personKey: string }>({
        IndexName: 'byEmail',
        KeyConditionExpression: 'gsi1pk = :e AND begins_with(gsi1sk, :p)',
        ExpressionAttributeValues: { ':e': keys.email(email), ':p': 'PERSON#' },
      });
      if (hits[0]) return this.getPerson(hits[0].personKey);
    }
    return undefined;
  }

  listPeople(): Promise<Person[]> {
    return this.queryAll<Person>({
      IndexName: 'byType',
      KeyConditionExpression: 'gsi2pk = :p',
      ExpressionAttributeValues: { ':p': 'PEOPLE' },
    });
  }

  personChange(before: Person | undefined, after: Person, actor: Actor, action: string): TransactItem[] {
    const auditOp = this.audit(actor, action, 'person', after.key, before, after);
    if (!auditOp) return [];
    const oldAddr = new Map((before ? personAddresses(before) : []).map((a) => [a.sk, a]));
    const newAddr = new Map(personAddresses(after).map((a) => [a.sk, a]));
    const ops: TransactItem[] = [this.putVersioned(personItem(after), before), auditOp];
    // Address items share the record's expiry, so they are rewritten when it changes.
    const expiryChanged = before?.personalDataExpiresAt !== after.personalDataExpiresAt;
    for (const [sk, a] of newAddr) if (!oldAddr.has(sk) || expiryChanged) ops.push(this.put(a));
    for (const [sk, a] of oldAddr) if (!newAddr.has(sk)) ops.push(this.delete({ pk: a.pk, sk }));
    return ops;
  }

  // ---------- policies ----------

  getPolicy(id: string): Promise<(Policy & { nextCheckOn?: string }) | undefined> {
    return this.get(keys.policy(id));
  }

  listPolicies(): Promise<Array<Policy & { nextCheckOn?: string }>> {
    return this.queryAll({ IndexName: 'byType', KeyConditionExpression: 'gsi2pk = :p', ExpressionAttributeValues: { ':p': 'POLICIES' } });
  }

  policyChange(before: Policy | undefined, changed: Policy & { nextCheckOn?: string }, actor: Actor, action: string): TransactItem[] {
    const after = { ...changed, nextCheckOn: changed.nextCheckOn ?? nextPolicyCheckOn(changed, londonDate(this.clock())) };
    return this.change(before, after, policyItem(after), this.audit(actor, action, 'policy', after.id, before, after));
  }

  // ---------- the sweep's due index ----------

  /** Everything whose next action date is on or before `date`, oldest first, through the sparse `due` index. */
  async dueOnOrBefore(date: string, limit?: number): Promise<Array<{ kind: 'task' | 'account' | 'policy'; id: string; on: string }>> {
    const items = await this.queryAll<{ gsi3sk?: string }>({
      IndexName: 'due',
      KeyConditionExpression: 'gsi3pk = :p AND gsi3sk <= :d',
      ExpressionAttributeValues: { ':p': DUE_PARTITION, ':d': `${date}#~` },
      ProjectionExpression: 'gsi3sk',
      ...(limit ? { Limit: limit } : {}),
    }, true);
    return items.map((i) => {
      const [on, kind, ...rest] = String(i.gsi3sk).split('#');
      return { kind: kind as 'task' | 'account' | 'policy', id: rest.join('#'), on: on! };
    });
  }

  /** Marks a school's weekly digest as sent; false when it already was (a second sweep sends nothing twice). */
  async claimDigest(school: string, week: string, expiresAtSeconds: number): Promise<boolean> {
    try {
      await this.transact([this.put({ ...keys.digest(school, week), entity: 'digest', sentAt: this.clock().toISOString(), expiresAt: expiresAtSeconds }, { expression: 'attribute_not_exists(pk)' })]);
      return true;
    } catch (err) {
      if (err instanceof ConflictError) return false;
      throw err;
    }
  }

  // ---------- action links ----------

  /** Records an action link's nonce as used; the transaction fails if it was used before. */
  useTokenOnce(nonce: string, taskId: string, expiresAtSeconds: number): TransactItem {
    return this.put(
      { ...keys.usedToken(nonce), entity: 'token', taskId, usedAt: this.clock().toISOString(), expiresAt: expiresAtSeconds },
      { expression: 'attribute_not_exists(pk)' },
    );
  }

  async isTokenUsed(nonce: string): Promise<boolean> {
    return (await this.get(keys.usedToken(nonce))) !== undefined;
  }

  // ---------- directory sync state ----------

  /** The Graph delta and subscription state, present once the directory has been connected. */
  getDirectoryState(): Promise<DirectoryState | undefined> {
    return this.get<DirectoryState>(keys.directoryState());
  }

  /** Bookkeeping of the directory connection (delta link, subscription); not a register change, so not audited. */
  async putDirectoryState(state: DirectoryState): Promise<void> {
    await this.transact([this.put({ ...keys.directoryState(), entity: 'directory', ...state })]);
  }

  /**
   * A person first known from HR becomes the directory's person: the HR record and its address items are removed
   * and the merged record written under its directory key, in one transaction with the audit entry.
   */
  personMerge(from: Person, into: Person | undefined, after: Person, actor: Actor): TransactItem[] {
    const ops = this.personChange(into, after, actor, 'person.merged');
    const keep = new Set(after.key === from.key ? after.addresses : []);
    ops.push(this.delete(keys.person(from.key)));
    for (const email of from.addresses) if (!keep.has(email)) ops.push(this.delete(keys.personAddress(from.key, email)));
    return ops;
  }

  // ---------- audit ----------

  auditFor(entityType: AuditEntry['entityType'], entityId: string): Promise<AuditEntry[]> {
    return this.queryAll<AuditEntry>({
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': keys.auditPartition(entityType, entityId) },
    });
  }

  /** Audit entries from `since` (a date) to today, oldest first, one Query per day bucket. */
  async auditSince(since: string, until: Date = this.clock()): Promise<AuditEntry[]> {
    const days: string[] = [];
    for (let d = new Date(`${since}T00:00:00Z`); d <= until; d = new Date(d.getTime() + 86_400_000)) {
      days.push(d.toISOString().slice(0, 10));
    }
    const out: AuditEntry[] = [];
    for (let i = 0; i < days.length; i += 10) {
      const batch = await Promise.all(
        days.slice(i, i + 10).map((day) =>
          this.queryAll<AuditEntry>({
            IndexName: 'byType',
            KeyConditionExpression: 'gsi2pk = :p',
            ExpressionAttributeValues: { ':p': keys.auditDay(day) },
          }),
        ),
      );
      out.push(...batch.flat());
    }
    return out;
  }
}
