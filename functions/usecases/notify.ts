/**
 * Delivers a task's news exactly once in practice: the change that creates (or cancels) a task records its
 * delivery as pending in the same transaction; delivery then claims it (a versioned write, so two workers cannot
 * both claim it), sends the email and the Account Flagged event, and marks it sent. If sending fails the claim is
 * released and the error rethrown, so Lambda's retry (or a redrive from the dead-letter queue) sends it later.
 * A claim left by a crash is taken over after CLAIM_LEASE_MS.
 */
import { randomBytes } from 'node:crypto';
import { policyAcknowledgementEmail, taskCancelledEmail, taskCreatedEmail, type AccountView, type AssigneeRole } from '../domain/emails.ts';
import type { Account, School } from '../domain/model.ts';
import { signToken } from '../domain/tokens.ts';
import type { Task } from '../domain/tasks.ts';
import { londonDate } from '../domain/working-days.ts';
import { taskChange } from '../domain/changes.ts';
import type { Deps } from './deps.ts';
import { ConflictError } from './ports.ts';

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

export function accountView(account: Account, school: School | undefined): AccountView {
  return {
    platform: account.platform,
    handle: account.handle,
    ...(account.url ? { url: account.url } : {}),
    schoolName: school?.name ?? account.school,
    linkedEmail: account.linkedEmail,
    admins: account.admins,
  };
}

function rolesOf(task: Task, school: School | undefined, trustItContact: string): Record<string, AssigneeRole[]> {
  const roles: Record<string, AssigneeRole[]> = {};
  const add = (email: string, role: AssigneeRole) => { (roles[email] ??= []).includes(role) || roles[email]!.push(role); };
  for (const a of task.assignees) {
    if (a === task.lineManager) add(a, 'line_manager');
    if (school?.itManagers.includes(a)) add(a, 'it_manager');
    if (a === trustItContact) add(a, 'trust_it_contact');
  }
  return roles;
}

/** A fresh signed link to a task's action page. */
export async function actionLink(deps: Deps, task: Task): Promise<{ url: string; expiresOn: string }> {
  const now = deps.clock();
  const expires = Math.floor(now.getTime() / 1000) + deps.config.linkExpiryDays * 86_400;
  const token = signToken(await deps.config.linkSecret(), task.id, expires, randomBytes(12).toString('base64url'));
  return { url: `${deps.config.publicBaseUrl}/actions/${token}`, expiresOn: londonDate(new Date(expires * 1000)) };
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
  const ctx = { trustName: deps.config.trustName, trustItContact: deps.config.trustItContact };
  const account = task.accountId ? await deps.store.getAccount(task.accountId) : undefined;
  const school = account ? await deps.store.getSchool(account.school) : task.school ? await deps.store.getSchool(task.school) : undefined;
  const view = account ? accountView(account, school) : undefined;

  if (task.delivery.kind === 'cancelled') {
    const reason = task.resolution?.action === 'cancelled' ? task.resolution.reason : 'it is no longer needed';
    await deps.mailer.send({ to: task.assignees, ...taskCancelledEmail(ctx, { task, account: view, reason }) });
    return;
  }
  const link = await actionLink(deps, task);
  if (task.type === 'acknowledge_policy') {
    await deps.mailer.send({
      to: [task.subjectEmail],
      ...policyAcknowledgementEmail(ctx, { task, joinerName: task.subjectName, actionUrl: link.url, linkExpiresOn: link.expiresOn, policyTitle: `${deps.config.trustName} social media and acceptable use policy` }),
    });
    return;
  }
  if (!view) throw new Error(`task ${task.id} refers to account ${task.accountId}, which is not in the register`);
  // The event goes first: if the email then fails, a retry repeats the event (consumers dedupe by taskId)
  // rather than the email.
  await deps.publisher.publish('Account Flagged', {
    taskId: task.id,
    taskType: task.type,
    accountId: task.accountId,
    platform: task.platform,
    handle: task.handle,
    school: task.school,
    subjectEmail: task.subjectEmail,
    dueDate: task.dueDate,
    assignees: task.assignees,
    reason: task.reason,
  });
  await deps.mailer.send({
    to: task.assignees,
    ...taskCreatedEmail(ctx, {
      task,
      account: view,
      actionUrl: link.url,
      linkExpiresOn: link.expiresOn,
      assigneeRoles: rolesOf(task, school, deps.config.trustItContact),
      today: londonDate(deps.clock()),
    }),
  });
}
