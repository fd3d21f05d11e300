/**
 * Changes, in domain terms: what a use case decided, handed to the store's `commit` to be written atomically with
 * its audit entries. A change names the record as it was read (`before`, undefined for a new one) and as it should
 * be (`after`); the store writes it only if nobody else changed the record meanwhile. Pure.
 */
import { auditEntry, effectOf, type Effect } from './audit.ts';
import type { Account, Actor, AuditEntry, IsoDate, Person, Policy, School } from './model.ts';
import type { AccountRequest } from './requests.ts';
import type { Task } from './tasks.ts';

/** The directory connection's bookkeeping (Graph delta link and subscription). */
export interface DirectoryState {
  deltaLink?: string;
  lastSyncAt?: string;
  subscriptionId?: string;
  subscriptionExpiresAt?: string;
}

/** `removed_admin`: an administrator taken off because they left, found again if the leaver is cancelled. */
export type LinkRole = 'linked' | 'admin' | 'main_supervisor' | 'reserve_supervisor' | 'removed_admin';

/** One (account, role, address) tie: what "which accounts is this person tied to?" answers. */
export interface AccountLink {
  accountId: string;
  role: LinkRole;
  email: string;
}

export type EntityChange =
  | { kind: 'school'; action: string; before?: School; after: School }
  | { kind: 'account'; action: string; before?: Account; after: Account }
  | { kind: 'task'; action: string; before?: Task; after: Task }
  | { kind: 'person'; action: string; before?: Person; after: Person }
  | { kind: 'policy'; action: string; before?: Policy; after: Policy }
  /** A request for a new official account (contracts section 9), as it moves through its approvals. */
  | { kind: 'account_request'; action: string; before?: AccountRequest; after: AccountRequest };

export type Change =
  | EntityChange
  /** A person first known from HR whose record the directory's replaces (see usecases/directory.ts). */
  | { kind: 'person_removed'; action: string; before: Person }
  /** An emailed link's one-time nonce: the commit fails if it was used before. */
  | { kind: 'link_used'; nonce: string; taskId: string; expiresAt: number; at: string }
  /** A school's weekly digest: the commit fails if it was already sent this week. */
  | { kind: 'digest_sent'; school: string; week: string; expiresAt: number; at: string }
  /** The digest could not be sent after all: the claim is given back, so a later run sends it. */
  | { kind: 'digest_released'; school: string; week: string }
  /**
   * A signed HR webhook request, by `key` (a hash of its verified signature, never the body): the commit fails if
   * the same signed request was accepted before. `expiresAt` (unix seconds) is past the signature's window.
   */
  | { kind: 'request_seen'; key: string; expiresAt: number; at: string }
  /** The request could not be put on the bus after all: the claim is given back, so the sender's retry is accepted. */
  | { kind: 'request_released'; key: string }
  /** Directory bookkeeping: not a register change, so not audited. */
  | { kind: 'directory_state'; after: DirectoryState };

/** The audit's name for an entity change's record type. */
export function entityTypeOf(change: RecordChange): AuditEntry['entityType'] {
  return change.kind === 'person_removed' ? 'person' : change.kind;
}

export function entityIdOf(change: RecordChange): string {
  switch (change.kind) {
    case 'person': return change.after.key;
    case 'person_removed': return change.before.key;
    default: return change.after.id;
  }
}

export function taskChange(before: Task | undefined, after: Task, action: string): Extract<Change, { kind: 'task' }> {
  return { kind: 'task', action, ...(before ? { before } : {}), after };
}

export function requestChange(before: AccountRequest | undefined, after: AccountRequest, action: string): Extract<Change, { kind: 'account_request' }> {
  return { kind: 'account_request', action, ...(before ? { before } : {}), after };
}

export function personChange(before: Person | undefined, after: Person, action: string): Extract<Change, { kind: 'person' }> {
  return { kind: 'person', action, ...(before ? { before } : {}), after };
}

/** The ties an account has: its linked email, administrators, supervisors and removed administrators. */
export function accountLinks(a: Pick<Account, 'id' | 'linkedEmail' | 'admins' | 'mainSupervisor' | 'reserveSupervisor' | 'removedAdmins'>): AccountLink[] {
  const pairs: Array<[LinkRole, string]> = [
    ['linked', a.linkedEmail],
    ...a.admins.map((e): [LinkRole, string] => ['admin', e]),
    ['main_supervisor', a.mainSupervisor],
    ...(a.reserveSupervisor ? [['reserve_supervisor', a.reserveSupervisor] as [LinkRole, string]] : []),
    ...(a.removedAdmins ?? []).map((r): [LinkRole, string] => ['removed_admin', r.email]),
  ];
  return pairs.map(([role, email]) => ({ accountId: a.id, role, email }));
}

export type DueKind = 'task' | 'account' | 'policy';
export interface DueItem {
  kind: DueKind;
  id: string;
  on: IsoDate;
}

/** When the sweep must next look at a record, if ever: open tasks, accounts not closed, and policies. */
export function dueOn(kind: 'task', record: Task): IsoDate | undefined;
export function dueOn(kind: 'account', record: Account): IsoDate | undefined;
export function dueOn(kind: 'policy', record: Policy): IsoDate | undefined;
export function dueOn(kind: DueKind, record: Task | Account | Policy): IsoDate | undefined {
  switch (kind) {
    case 'task': return (record as Task).status === 'open' ? (record as Task).nextActionOn : undefined;
    // An approved account waits for its set-up: the sweep has nothing to ask of it yet.
    case 'account': return (record as Account).status === 'closed' || (record as Account).status === 'approved' ? undefined : (record as Account).nextCheckOn;
    case 'policy': return (record as Policy).nextCheckOn;
  }
}

/** The record a change writes, as `kind:id`: one commit may write each record once. */
export function changeTarget(change: Change): string {
  switch (change.kind) {
    case 'link_used': return `link:${change.nonce}`;
    case 'digest_sent':
    case 'digest_released': return `digest:${change.week}:${change.school}`;
    case 'request_seen':
    case 'request_released': return `request:${change.key}`;
    case 'directory_state': return 'directory';
    case 'person_removed': return `person:${change.before.key}`;
    default: return `${change.kind}:${entityIdOf(change)}`;
  }
}

/** Refuses a set of changes that writes one record twice (DynamoDB refuses such a transaction too). */
export function assertOneChangePerRecord(changes: Change[]): void {
  const seen = new Set<string>();
  for (const change of changes) {
    const target = changeTarget(change);
    if (seen.has(target)) throw new Error(`one commit changes ${target} twice; merge the changes first`);
    seen.add(target);
  }
}

type RecordChange = EntityChange | Extract<Change, { kind: 'person_removed' }>;

/** What a record change amounts to (see audit.ts): nothing, a bookkeeping write, or an audited change. */
export function effectOfChange(change: RecordChange): Effect {
  return change.kind === 'person_removed'
    ? effectOf('person', change.before, undefined)
    : effectOf(entityTypeOf(change), change.before, change.after);
}

/** The audit entry a record change writes, if it is audited. `id` orders entries made in the same millisecond. */
export function auditOfChange(change: RecordChange, effect: Effect, actor: Actor, at: Date, id: string): AuditEntry | undefined {
  if (effect.kind !== 'audited') return undefined;
  return auditEntry(effect, { action: change.action, entityType: entityTypeOf(change), entityId: entityIdOf(change) }, actor, at.toISOString(), id);
}
