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
import { loadTaskContext, sendTaskOpened } from './task-emails.ts';


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

/** Sends whatever of these tasks' news is still pending. Returns how many were sent. */
export async function deliverPending(deps: Deps, tasks: Task[]): Promise<number> {
  let sent = 0;
  for (const task of tasks) {
    if (!needsDelivery(task, deps.clock())) continue;
    const nowIso = deps.clock().toISOString();
    const claimed: Task = { ...task, delivery: { ...task.delivery, state: 'sending', claimedAt: nowIso }, version: task.version + 1, updatedAt: nowIso };
    try {
      await deps.store.commit([taskChange(task, claimed, 'task.delivery_claimed')], SYSTEM);
    } catch (err) {
      if (err instanceof ConflictError) continue; // someone else has it, or the task moved on
      throw err;
    }
    try {
      await send(deps, claimed);
    } catch (err) {
      const released: Task = { ...claimed, delivery: { ...claimed.delivery, state: 'pending', claimedAt: undefined }, version: claimed.version + 1, updatedAt: deps.clock().toISOString() };
      await settle(() => deps.store.commit([taskChange(claimed, released, 'task.delivery_failed')], SYSTEM)).catch(() => undefined);
      throw err;
    }
    const done: Task = { ...claimed, delivery: { ...claimed.delivery, state: 'sent', sentAt: deps.clock().toISOString(), claimedAt: undefined }, version: claimed.version + 1, updatedAt: deps.clock().toISOString() };
    await settle(() => deps.store.commit([taskChange(claimed, done, claimed.delivery.kind === 'created' ? 'task.notified' : 'task.cancellation_notified')], SYSTEM));
    sent++;
  }
  return sent;
}

async function send(deps: Deps, task: Task): Promise<void> {
  const context = await loadTaskContext(deps, task);
  if (task.delivery.kind === 'cancelled') {
    const ctx = { trustName: deps.config.trustName, trustItContact: deps.config.trustItContact };
    const reason = task.resolution?.action === 'cancelled' ? task.resolution.reason : 'it is no longer needed';
    const account = context.account ? accountView(context.account, context.school) : undefined;
    await deps.mailer.send({ to: task.assignees, ...taskCancelledEmail(ctx, { task, account, reason }) });
    return;
  }
  await sendTaskOpened(deps, task, context, { flag: true });
}
