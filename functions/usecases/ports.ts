/**
 * The ports the use cases talk to, in domain terms. Adapters (functions/adapters/) implement them: DynamoDB, SES,
 * EventBridge and SQS when deployed; in memory for tests and dry runs. Nothing here knows a table, a key or a queue URL.
 */
import type { AccountLink, Change, DirectoryState, DueItem } from '../domain/changes.ts';
import type { Account, AccountStatus, Actor, AuditEntry, IsoDate, Person, Policy, School } from '../domain/model.ts';
import type { AccountRequest, RequestStatus } from '../domain/requests.ts';
import type { Task } from '../domain/tasks.ts';

/**
 * Another writer changed a record between this use case reading it and committing: nothing of the commit was
 * written. Run the use case again from fresh reads (retryOnConflict).
 */
export class ConflictError extends Error {
  constructor(message = 'the record changed while this change was being made; try again', readonly reasons: string[] = []) {
    super(message);
    this.name = 'ConflictError';
  }
}

/**
 * The changes are more than one atomic write can hold (DynamoDB: 100 items). Nothing was written; split them into
 * smaller commits where that keeps the meaning (the register import does, account by account).
 */
export class CommitTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommitTooLargeError';
  }
}

export interface CommitResult {
  /** The changes that wrote something (a change to nothing new is skipped). */
  applied: Change[];
  /** The audit entries written with them. */
  audit: AuditEntry[];
}

/** Which requests for new accounts to list: any combination; none lists them all. */
export interface RequestFilter {
  /** The requester's address, matched by mailbox (`jo+x@school` finds `jo@school`'s requests). */
  requester?: string;
  status?: RequestStatus;
  school?: string;
}

/**
 * The register, tasks, people, policies, requests for new accounts and their history. Lists come back in a stable
 * order: schools, people and policies by id; accounts by school then id; tasks by due date then id; requests by id
 * (oldest first: their ids start with the time); audit entries oldest first.
 */
export interface Store {
  getSchool(id: string): Promise<School | undefined>;
  listSchools(): Promise<School[]>;

  getAccount(id: string): Promise<Account | undefined>;
  getAccounts(ids: string[]): Promise<Account[]>;
  listAccounts(filter?: { school?: string; status?: AccountStatus }): Promise<Account[]>;
  /**
   * Every (account, role) any of these addresses is tied to, through an index (never a scan). Matched by mailbox:
   * `jo@school` also finds accounts tied to `jo+social@school` (mail to either reaches the same person).
   */
  linksForEmails(emails: string[]): Promise<AccountLink[]>;

  getTask(id: string): Promise<Task | undefined>;
  getTasks(ids: string[]): Promise<Task[]>;
  listTasks(status?: Task['status']): Promise<Task[]>;
  /** Every task about any of these addresses (a leaver's or joiner's tasks), through an index; matched by mailbox too. */
  tasksForSubjects(emails: string[]): Promise<Task[]>;

  getPerson(key: string): Promise<Person | undefined>;
  /** The person any of these addresses belongs to (the first address that finds one wins). */
  findPerson(emails: string[]): Promise<Person | undefined>;
  listPeople(): Promise<Person[]>;

  getPolicy(id: string): Promise<Policy | undefined>;
  listPolicies(): Promise<Policy[]>;

  getRequest(id: string): Promise<AccountRequest | undefined>;
  /** Through an index (never a scan): by requester, or all of them, then narrowed by status and school. */
  listRequests(filter?: RequestFilter): Promise<AccountRequest[]>;

  /** What the sweep must look at on or before `date`, oldest first, through the sparse due index. */
  dueOnOrBefore(date: IsoDate, limit?: number): Promise<DueItem[]>;
  /** Whether an emailed link's one-time nonce has been used. */
  isLinkUsed(nonce: string): Promise<boolean>;
  getDirectoryState(): Promise<DirectoryState | undefined>;

  auditFor(entityType: AuditEntry['entityType'], entityId: string): Promise<AuditEntry[]>;
  /** Audit entries from `since` (a date) up to `until`, oldest first. */
  auditSince(since: IsoDate, until?: Date): Promise<AuditEntry[]>;

  /**
   * Writes the changes and their audit entries (by `actor`) atomically: all of them, or none and a ConflictError
   * when a record is not as its change's `before` says (or a one-time claim was already made). Two changes to
   * one record in one commit are refused. An adapter may refuse a commit too large for it (CommitTooLargeError).
   */
  commit(changes: Change[], actor: Actor): Promise<CommitResult>;
}

export interface OutgoingEmail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<string>;
}

/** Custodian's own events (Account Flagged, Task Resolved) for a trust's other systems. */
export interface Publisher {
  publish(detailType: string, detail: Record<string, unknown>): Promise<void>;
}

/**
 * Re-runs `work` from fresh reads when a concurrent writer wins a race (ConflictError), a few times with jitter;
 * then lets the conflict through. Work must read what it needs inside, so each attempt starts from the truth.
 */
export async function retryOnConflict<T>(work: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 50));
    }
  }
}

/** A message on a queue, as read without consuming it. */
export interface QueueMessage {
  messageId: string;
  /** The adapter's handle for removing this read of the message. */
  receipt: string;
  body: string;
  /** Message attributes, including SentTimestamp and ERROR_MESSAGE where the queue has them. */
  attributes: Record<string, string>;
}

/** A queue (the dead-letter queue). */
export interface Queue {
  /** Reads up to `max` messages and leaves every one of them on the queue. */
  peek(max: number): Promise<QueueMessage[]>;
  remove(message: QueueMessage): Promise<void>;
  send(body: string): Promise<void>;
}

/** An event put on the stack's bus, as if its source had sent it (a redrive keeps its original time). */
export interface BusEvent {
  source: string;
  detailType: string;
  detail: unknown;
  time?: string;
}

export interface Bus {
  /** Puts the event on the bus; the bus's id for it. */
  put(event: BusEvent): Promise<string>;
}
