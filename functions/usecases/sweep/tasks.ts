/**
 * The sweep's step for open tasks: an initial email that never went goes now; otherwise a reminder or the
 * escalation when one is due. The task is claimed (a versioned write moving its next action date on) before its
 * email goes, so two sweeps at once send nothing twice; if the email fails the claim is put back.
 */
import { taskChange } from '../../domain/changes.ts';
import { taskEscalationEmail, taskReminderEmail } from '../../domain/emails.ts';
import { nextTaskActionOn, taskDecision } from '../../domain/schedule.ts';
import type { Task } from '../../domain/tasks.ts';
import { workingDaysBetween } from '../../domain/working-days.ts';
import { accountView, actionLink } from '../links.ts';
import { deliverPending } from '../notify.ts';
import { SWEEP_ACTOR, type SweepRun } from './run.ts';

export async function sweepTask(run: SweepRun, id: string): Promise<void> {
  const { store } = run.deps;
  const task = await store.getTask(id);
  if (!task || task.status !== 'open') return;
  if (task.delivery.state !== 'sent' && task.delivery.state !== 'skipped') {
    await deliverPending(run.deps, [task]);
    await moveOn(run, (await store.getTask(id))!, { lastReminderOn: run.today });
    return;
  }
  const decision = taskDecision(task, run.today, run.options.escalateAfterWorkingDays);
  if (decision.kind === 'none') {
    await moveOn(run, task, {});
    return;
  }
  const escalating = decision.kind === 'escalation';
  const claimed = await moveOn(run, task, {
    lastReminderOn: run.today,
    remindersSent: escalating ? task.remindersSent : task.remindersSent + 1,
    ...(escalating ? { escalatedOn: run.today } : {}),
  });
  try {
    if (decision.kind === 'escalation') await sendEscalation(run, claimed);
    else if (decision.kind === 'reminder') await sendReminder(run, claimed, decision);
  } catch (err) {
    // Put it back as it was, so the next sweep tries again; then let the failure be counted.
    const putBack = { ...task, version: claimed.version + 1, updatedAt: run.deps.clock().toISOString() };
    await store.commit([taskChange(claimed, putBack, 'task.reminder_failed')], SWEEP_ACTOR).catch(() => undefined);
    throw err;
  }
  if (escalating) run.result.escalations++;
  else run.result.reminders++;
}

/** Claims a task for today: a versioned write that moves its next action date on. */
async function moveOn(run: SweepRun, task: Task, changes: Partial<Task>): Promise<Task> {
  const next = { ...task, ...changes };
  const after: Task = { ...next, nextActionOn: nextTaskActionOn(next, run.today, run.options.escalateAfterWorkingDays), updatedAt: run.deps.clock().toISOString(), version: task.version + 1 };
  const action = changes.escalatedOn ? 'task.escalated' : changes.remindersSent !== undefined ? 'task.reminded' : 'task.rescheduled';
  await run.deps.store.commit([taskChange(task, after, action)], SWEEP_ACTOR);
  return after;
}

/** What a task's emails say about its account or policy, and a fresh link. */
async function taskContext(run: SweepRun, task: Task) {
  const { store } = run.deps;
  const account = task.accountId ? await store.getAccount(task.accountId) : undefined;
  const policy = task.policyId ? await store.getPolicy(task.policyId) : undefined;
  const link = await actionLink(run.deps, task);
  return {
    account: account ? accountView(account, run.schools.get(account.school)) : undefined,
    policy: policy ? { title: policy.title, nextReviewDate: policy.nextReviewDate } : undefined,
    actionUrl: link.url,
    linkExpiresOn: link.expiresOn,
  };
}

async function sendReminder(run: SweepRun, task: Task, decision: { number: number; overdue: boolean }): Promise<void> {
  const context = await taskContext(run, task);
  await run.deps.mailer.send({ to: task.assignees, ...taskReminderEmail(run.email, { task, ...context, number: decision.number, overdue: decision.overdue, today: run.today }) });
}

/** Overdue past the limit: the trust IT contact is told, or, for a joiner who has not acknowledged, their line manager. */
async function sendEscalation(run: SweepRun, task: Task): Promise<void> {
  let escalateTo = run.deps.config.trustItContact;
  let escalatedTo: 'trust_it_contact' | 'line_manager' = 'trust_it_contact';
  if (task.type === 'acknowledge_policy') {
    const person = await run.deps.store.findPerson([task.subjectEmail]);
    const manager = person?.lineManagerEmail ?? person?.directoryManagerEmail;
    if (manager) {
      escalateTo = manager;
      escalatedTo = 'line_manager';
    }
  }
  const context = await taskContext(run, task);
  const email = taskEscalationEmail(run.email, {
    task, ...context, remindersSent: task.remindersSent, workingDaysOverdue: Math.max(0, workingDaysBetween(task.dueDate, run.today)), escalatedTo, today: run.today,
  });
  await run.deps.mailer.send({ to: [...new Set([escalateTo, ...task.assignees])], ...email });
}
