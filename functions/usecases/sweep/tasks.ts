/**
 * The sweep's step for open tasks: an initial email that never went goes now; otherwise a reminder or the
 * escalation when one is due. Each task is claimed (a versioned write moving its next action date on) before its
 * email goes, so two sweeps at once send nothing twice; if the email fails the claim is put back.
 *
 * A leaver's tasks due on the same day are followed up together: each recipient gets one email listing every
 * account of that leaver still waiting for them, each with their own link (task-emails.ts).
 */
import { taskChange } from '../../domain/changes.ts';
import { taskEscalationEmail, taskReminderEmail, type EmailContent } from '../../domain/emails.ts';
import { nextTaskActionOn, taskDecision, type TaskDecision } from '../../domain/schedule.ts';
import type { Task } from '../../domain/tasks.ts';
import { workingDaysBetween } from '../../domain/working-days.ts';
import { accountView, actionLink, requestAccountView } from '../links.ts';
import { deliverPending } from '../notify.ts';
import { loadTaskContext, sendLeaverEmails, showsCommands, type GroupItem } from '../task-emails.ts';
import { SWEEP_ACTOR, type SweepRun } from './run.ts';

type FollowUp = Exclude<TaskDecision, { kind: 'none' }>;

interface Claimed { before: Task; task: Task; decision: FollowUp; escalateTo?: string; escalatedAs?: 'trust_it_contact' | 'line_manager' }

export async function sweepTask(run: SweepRun, id: string): Promise<void> {
  await sweepTasks(run, [id]);
}

/** One task, or a leaver's tasks due today together. */
export async function sweepTasks(run: SweepRun, ids: string[]): Promise<void> {
  const { store } = run.deps;
  const claimed: Claimed[] = [];
  for (const id of ids) {
    const task = await store.getTask(id);
    if (!task || task.status !== 'open') continue;
    if (task.delivery.state !== 'sent' && task.delivery.state !== 'skipped') {
      await deliverPending(run.deps, [task]);
      await moveOn(run, (await store.getTask(id))!, { lastReminderOn: run.today });
      continue;
    }
    const decision = taskDecision(task, run.today, run.options.escalateAfterWorkingDays);
    if (decision.kind === 'none') {
      await moveOn(run, task, {});
      continue;
    }
    const escalating = decision.kind === 'escalation';
    const escalateTo = escalating ? await escalationTarget(run, task) : undefined;
    // Escalated to someone new (the trust IT contact): they are asked too from now on, with links of their own.
    // A joiner's line manager is told, but the policy is accepted by the joiner alone.
    const assignees = escalateTo && task.type !== 'acknowledge_policy' && !task.assignees.includes(escalateTo.email) ? [...task.assignees, escalateTo.email] : task.assignees;
    const after = await moveOn(run, task, {
      lastReminderOn: run.today,
      remindersSent: escalating ? task.remindersSent : task.remindersSent + 1,
      assignees,
      ...(escalating ? { escalatedOn: run.today } : {}),
    });
    claimed.push({ before: task, task: after, decision, ...(escalateTo ? { escalateTo: escalateTo.email, escalatedAs: escalateTo.as } : {}) });
  }
  if (claimed.length === 0) return;
  try {
    await send(run, claimed);
  } catch (err) {
    // Put them back as they were, so the next sweep tries again; then let the failure be counted.
    for (const c of claimed) {
      const putBack = { ...c.before, version: c.task.version + 1, updatedAt: run.deps.clock().toISOString() };
      await store.commit([taskChange(c.task, putBack, 'task.reminder_failed')], SWEEP_ACTOR).catch(() => undefined);
    }
    throw err;
  }
  for (const c of claimed) {
    if (c.decision.kind === 'escalation') run.result.escalations++;
    else run.result.reminders++;
  }
}

/** Claims a task for today: a versioned write that moves its next action date on. */
async function moveOn(run: SweepRun, task: Task, changes: Partial<Task>): Promise<Task> {
  const next = { ...task, ...changes };
  const after: Task = { ...next, nextActionOn: nextTaskActionOn(next, run.today, run.options.escalateAfterWorkingDays), updatedAt: run.deps.clock().toISOString(), version: task.version + 1 };
  const action = changes.escalatedOn ? 'task.escalated' : changes.remindersSent !== undefined ? 'task.reminded' : 'task.rescheduled';
  await run.deps.store.commit([taskChange(task, after, action)], SWEEP_ACTOR);
  return after;
}

/** Overdue past the limit: the trust IT contact is told, or, for a joiner who has not acknowledged, their line manager. */
async function escalationTarget(run: SweepRun, task: Task): Promise<{ email: string; as: 'trust_it_contact' | 'line_manager' }> {
  if (task.type === 'acknowledge_policy') {
    const person = await run.deps.store.findPerson([task.subjectEmail]);
    const manager = person?.lineManagerEmail ?? person?.directoryManagerEmail;
    if (manager) return { email: manager, as: 'line_manager' };
  }
  return { email: run.deps.config.trustItContact, as: 'trust_it_contact' };
}

/** Who hears about this follow-up: those asked (the joiner alone for the policy), and whoever it is escalated to. */
function recipients(c: Claimed): string[] {
  const asked = c.task.type === 'acknowledge_policy' ? [c.task.subjectEmail] : c.task.assignees;
  return [...new Set([...(c.escalateTo ? [c.escalateTo] : []), ...asked])];
}

async function send(run: SweepRun, claimed: Claimed[]): Promise<void> {
  const byId = new Map(claimed.map((c) => [c.task.id, c]));
  const items: GroupItem[] = [];
  for (const c of claimed) {
    const standing = c.decision.kind === 'escalation' ? 'escalated' : c.decision.overdue ? 'overdue' : 'due';
    items.push({ task: c.task, context: await loadTaskContext(run.deps, c.task), standing });
  }
  await sendLeaverEmails(run.deps, items, {
    kind: 'follow_up',
    recipients: (task) => recipients(byId.get(task.id)!),
    single: (item, recipient) => followUpEmail(run, byId.get(item.task.id)!, item, recipient),
  });
}

/** A reminder or escalation about one task, for one recipient, with their own link when they may act. */
async function followUpEmail(run: SweepRun, c: Claimed, item: GroupItem, recipient: string): Promise<EmailContent> {
  const { task } = c;
  const { account, school, policy, request } = item.context;
  const mayAct = task.type === 'acknowledge_policy' ? recipient === task.subjectEmail : task.assignees.includes(recipient);
  const link = mayAct ? await actionLink(run.deps, task, recipient) : undefined;
  const context = {
    account: account ? accountView(account, school) : request ? requestAccountView(request, school) : undefined,
    policy: policy ? { title: policy.title, nextReviewDate: policy.nextReviewDate } : undefined,
    commands: showsCommands(run.deps, recipient, [school]),
  };
  if (c.decision.kind === 'reminder') {
    return taskReminderEmail(run.email, { task, ...context, actionUrl: link!.url, linkExpiresOn: link!.expiresOn, number: c.decision.number, overdue: c.decision.overdue, today: run.today });
  }
  return taskEscalationEmail(run.email, {
    task, ...context, ...(link ? { actionUrl: link.url, linkExpiresOn: link.expiresOn } : {}),
    remindersSent: task.remindersSent, workingDaysOverdue: Math.max(0, workingDaysBetween(task.dueDate, run.today)),
    escalatedTo: c.escalatedAs ?? 'trust_it_contact', today: run.today,
  });
}
