/**
 * Delivers a task's news exactly once in practice: the change that creates (or cancels) a task records its
 * delivery as pending in the same transaction; delivery then claims it (a versioned write, so two workers cannot
 * both claim it), sends the email and the Account Flagged event, and marks it sent. If sending fails the claim is
 * released and the error rethrown, so Lambda's retry (or a redrive from the dead-letter queue) sends it later.
 * A claim left by a crash is taken over after CLAIM_LEASE_MS.
 */
import { taskChange } from '../domain/changes.ts';
import { taskCancelledEmail } from '../domain/emails.ts';
import type { Task } from '../domain/tasks.ts';
import type { Deps } from './deps.ts';
import { accountView } from './links.ts';
import { ConflictError } from './ports.ts';
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

/**
 * Sends whatever of these tasks' news is still pending. Returns how many tasks' news was sent. A leaver's new tasks
 * go to each recipient as one email (task-emails.ts); each recipient's email is recorded on the tasks it covered
 * only if a later one fails, so the retry sends the others theirs and never sends anyone the same task twice.
 */
export async function deliverPending(deps: Deps, tasks: Task[]): Promise<number> {
  const claimed: Task[] = [];
  for (const task of tasks) {
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
    for (const task of group) {
      const done: Task = { ...task, delivery: { kind: task.delivery.kind, state: 'sent', sentAt: deps.clock().toISOString() }, version: task.version + 1, updatedAt: deps.clock().toISOString() };
      await settle(() => deps.store.commit([taskChange(task, done, task.delivery.kind === 'created' ? 'task.notified' : 'task.cancellation_notified')], SYSTEM));
      sent++;
    }
  }
  if (failure) throw failure;
  return sent;
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
