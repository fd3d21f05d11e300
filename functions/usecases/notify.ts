/**
 * Delivers a task's news exactly once in practice: the change that creates (or cancels) a task records its
 * delivery in the same transaction, either as pending or, when the same invocation goes on to deliver it, as
 * already claimed by it (claimedOnCommit: the versioned write that creates the task is then its one-time claim, and
 * no second write is needed). Delivery claims a pending one (a versioned write, so two workers cannot both claim
 * it), sends the email and the Account Flagged event, and marks it sent: a leaver's tasks, sent to each recipient
 * as one email, are marked sent in one commit. If sending fails the claim is released and the error rethrown, so
 * Lambda's retry (or a redrive from the dead-letter queue) sends it later. A claim left by a crash is taken over
 * after CLAIM_LEASE_MS. Claims are bookkeeping (not audited); what was sent, and to whom, is audited.
 */
import { taskChange } from '../domain/changes.ts';
import { taskCancelledEmail } from '../domain/emails.ts';
import type { Task } from '../domain/tasks.ts';
import type { Deps } from './deps.ts';
import { accountView } from './links.ts';
import { ConflictError, retryOnConflict } from './ports.ts';
import { groupsByLeaver, leaverKeys, loadTaskContext, openedEmailFor, recipientsOf, sendLeaverEmails, type GroupItem } from './task-emails.ts';


/** Longer than a delivery takes, shorter than the gap to Lambda's second retry, so a retry can take over. */
export const CLAIM_LEASE_MS = 2 * 60_000;

/**
 * Writes that settle a claim (release or mark sent) must not be lost to a short database outage, or the claim is
 * stranded until its lease runs out: they are retried with backoff for about half a minute.
 */
async function settle(write: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await write();
      return;
    } catch (err) {
      if (err instanceof ConflictError || attempt >= 7) throw err;
      await new Promise((r) => setTimeout(r, Math.min(8_000, 250 * 2 ** attempt)));
    }
  }
}
const SYSTEM = { by: 'system:notify', source: 'delivery' };

export function needsDelivery(task: Task, now: Date): boolean {
  const d = task.delivery;
  if (d.state === 'pending') return true;
  return d.state === 'sending' && !!d.claimedAt && now.getTime() - Date.parse(d.claimedAt) > CLAIM_LEASE_MS;
}

/** The tasks an invocation committed already claimed (claimedOnCommit), as it wrote them, by id. */
export type OwnClaims = Map<string, Task>;

/**
 * The task as the change that creates, reopens or cancels it should write it when this invocation delivers its news
 * straight after: its pending delivery already claimed. Anything else is returned as it is.
 */
export function claimedOnCommit(task: Task, now: Date): Task {
  return task.delivery.state === 'pending' ? { ...task, delivery: { ...task.delivery, state: 'sending', claimedAt: now.toISOString() } } : task;
}

/** Records the claims of tasks just committed (call only once the commit succeeded). */
export function noteClaims(claims: OwnClaims, committed: Task[]): void {
  for (const task of committed) if (task.delivery.state === 'sending') claims.set(task.id, task);
}

/**
 * The tasks as read, with those this invocation has just written as it wrote them where the read is older or missed
 * them: a read through an index may lag a write by a moment, and a claim made on commit must not wait for the sweep.
 */
export function withOwnClaims(read: Task[], claims: ReadonlyMap<string, Task>): Task[] {
  const byId = new Map(read.map((t) => [t.id, t]));
  for (const own of claims.values()) {
    const seen = byId.get(own.id);
    if (!seen || seen.version < own.version) byId.set(own.id, own);
  }
  return [...byId.values()];
}

/**
 * Runs `work`, which commits tasks claimed on commit and then delivers them; if it fails before their news went (a
 * later commit or a read failed), the claims still as it wrote them are given back, so the retry of the event sends
 * them rather than waiting out the lease. A claim that moved on (sent, or given back by the delivery) is left alone:
 * the versioned write refuses it.
 */
export async function releasingClaimsOnFailure<T>(deps: Deps, claims: ReadonlyMap<string, Task>, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    for (const task of claims.values()) {
      const released: Task = { ...task, delivery: { ...task.delivery, state: 'pending', claimedAt: undefined }, version: task.version + 1, updatedAt: deps.clock().toISOString() };
      await settle(() => deps.store.commit([taskChange(task, released, 'task.delivery_failed')], SYSTEM)).catch(() => undefined);
    }
    throw err;
  }
}

/** A transaction holds 100 items: a task and its audit entry each. */
const MARK_PER_COMMIT = 50;

/**
 * Sends whatever of these tasks' news is still pending (and whatever of it this invocation claimed when it wrote the
 * tasks: `own`). Returns how many tasks' news was sent. A leaver's new tasks go to each recipient as one email
 * (task-emails.ts); each recipient's email is recorded on the tasks it covered only if a later one fails, so the
 * retry sends the others theirs and never sends anyone the same task twice.
 */
export async function deliverPending(deps: Deps, tasks: Task[], own?: ReadonlyMap<string, Task>): Promise<number> {
  const claimed: Task[] = [];
  for (const task of tasks) {
    // Written claimed by this invocation, and unchanged since: no second write to claim it.
    if (task.delivery.state === 'sending' && own?.get(task.id)?.version === task.version) {
      claimed.push(task);
      continue;
    }
    if (!needsDelivery(task, deps.clock())) continue;
    const nowIso = deps.clock().toISOString();
    const claim: Task = { ...task, delivery: { ...task.delivery, state: 'sending', claimedAt: nowIso }, version: task.version + 1, updatedAt: nowIso };
    try {
      await deps.store.commit([taskChange(task, claim, 'task.delivery_claimed')], SYSTEM);
      claimed.push(claim);
    } catch (err) {
      if (err instanceof ConflictError) continue; // someone else has it, or the task moved on
      throw err;
    }
  }
  const leaverOf = await leaverKeys(deps, claimed);
  let sent = 0;
  let failure: unknown;
  for (const group of groupsByLeaver(claimed, leaverOf)) {
    const sentTo = new Map(group.map((t) => [t.id, new Set(t.delivery.sentTo ?? [])]));
    try {
      await sendGroup(deps, group, sentTo);
    } catch (err) {
      failure ??= err;
      for (const task of group) {
        const delivery = { ...task.delivery, state: 'pending' as const, claimedAt: undefined, sentTo: [...sentTo.get(task.id)!] };
        const released: Task = { ...task, delivery, version: task.version + 1, updatedAt: deps.clock().toISOString() };
        await settle(() => deps.store.commit([taskChange(task, released, 'task.delivery_failed')], SYSTEM)).catch(() => undefined);
      }
      continue;
    }
    for (let i = 0; i < group.length; i += MARK_PER_COMMIT) await markSent(deps, group.slice(i, i + MARK_PER_COMMIT));
    sent += group.length;
  }
  if (failure) throw failure;
  return sent;
}

function sentVersion(deps: Deps, task: Task): Task {
  const now = deps.clock().toISOString();
  return { ...task, delivery: { kind: task.delivery.kind, state: 'sent', sentAt: now }, version: task.version + 1, updatedAt: now };
}

const sentAction = (task: Task) => (task.delivery.kind === 'created' ? 'task.notified' : 'task.cancellation_notified');

/**
 * Marks the tasks whose news just went as sent, together (with an audit entry each). If one of them changed since
 * it was claimed (someone decided it meanwhile), each is marked on its own from a fresh read, provided the claim
 * is still the one this delivery made.
 */
async function markSent(deps: Deps, claims: Task[]): Promise<void> {
  try {
    await settle(() => deps.store.commit(claims.map((task) => taskChange(task, sentVersion(deps, task), sentAction(task))), SYSTEM));
    return;
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
  }
  for (const claim of claims) {
    await settle(() => retryOnConflict(async () => {
      const current = await deps.store.getTask(claim.id);
      if (!current || current.delivery.state !== 'sending' || current.delivery.claimedAt !== claim.delivery.claimedAt) return;
      await deps.store.commit([taskChange(current, sentVersion(deps, current), sentAction(current))], SYSTEM);
    }));
  }
}

async function sendGroup(deps: Deps, group: Task[], sentTo: Map<string, Set<string>>): Promise<void> {
  const items: GroupItem[] = [];
  for (const task of group) items.push({ task, context: await loadTaskContext(deps, task) });
  const cancelled = items.filter((i) => i.task.delivery.kind === 'cancelled');
  for (const { task, context } of cancelled) {
    const ctx = { trustName: deps.config.trustName, trustItContact: deps.config.trustItContact };
    const reason = task.resolution?.action === 'cancelled' ? task.resolution.reason : 'it is no longer needed';
    const account = context.account ? accountView(context.account, context.school) : undefined;
    await deps.mailer.send({ to: task.delivery.only ?? task.assignees, ...taskCancelledEmail(ctx, { task, account, reason }) });
  }
  const created = items.filter((i) => i.task.delivery.kind === 'created');
  // Account Flagged first, for a trust's ticketing system: a retry repeats the event (consumers de-duplicate by
  // taskId) rather than an email.
  for (const { task } of created) {
    if (task.type !== 'transfer_or_close' && task.type !== 'replace_admin' && task.type !== 'replace_supervisor') continue;
    await deps.publisher.publish('Account Flagged', {
      taskId: task.id, taskType: task.type, accountId: task.accountId, platform: task.platform, handle: task.handle, school: task.school,
      subjectEmail: task.subjectEmail, dueDate: task.dueDate, assignees: task.assignees, reason: task.reason,
    });
  }
  if (created.length === 0) return;
  await sendLeaverEmails(deps, created, {
    kind: 'created',
    recipients: recipientsOf,
    skip: (task, email) => sentTo.get(task.id)!.has(email),
    sent: (email, tasks) => { for (const t of tasks) sentTo.get(t.id)!.add(email); },
    single: (item, recipient, info) => openedEmailFor(deps, item, recipient, info),
  });
}
