/**
 * The first email about a task, chosen by its type: the same whether it goes straight after the change that
 * opened the task (leaver events, the sweep) or later from a pending delivery (a retry after a failure).
 */
import { attestationEmail, plannedEndEmail, policyAcknowledgementEmail, policyReviewEmail, taskCreatedEmail, type AssigneeRole } from '../domain/emails.ts';
import type { Account, Policy, School } from '../domain/model.ts';
import { lastSeenOn } from '../domain/schedule.ts';
import type { Task } from '../domain/tasks.ts';
import { londonDate } from '../domain/working-days.ts';
import type { Deps } from './deps.ts';
import { accountView, actionLink } from './links.ts';

export interface TaskContext {
  account?: Account;
  school?: School;
  policy?: Policy;
}

/** Reads what a task's emails say about its account (and school) or policy. */
export async function loadTaskContext(deps: Deps, task: Task): Promise<TaskContext> {
  const account = task.accountId ? await deps.store.getAccount(task.accountId) : undefined;
  const schoolId = account?.school ?? task.school;
  const school = schoolId ? await deps.store.getSchool(schoolId) : undefined;
  const policy = task.policyId ? await deps.store.getPolicy(task.policyId) : undefined;
  return { ...(account ? { account } : {}), ...(school ? { school } : {}), ...(policy ? { policy } : {}) };
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

/**
 * Emails the people a new task asks to act. `flag`: also put Account Flagged on the bus for a trust's ticketing
 * system (tasks about leavers); it goes first, so a failed email's retry repeats the event (consumers de-duplicate
 * by taskId) rather than the email.
 */
export async function sendTaskOpened(deps: Deps, task: Task, context: TaskContext, options: { flag: boolean }): Promise<void> {
  const ctx = { trustName: deps.config.trustName, trustItContact: deps.config.trustItContact };
  const link = await actionLink(deps, task);
  const common = { task, actionUrl: link.url, linkExpiresOn: link.expiresOn };
  if (task.type === 'acknowledge_policy') {
    const policyTitle = `${deps.config.trustName} social media and acceptable use policy`;
    await deps.mailer.send({ to: [task.subjectEmail], ...policyAcknowledgementEmail(ctx, { ...common, joinerName: task.subjectName, policyTitle }) });
    return;
  }
  if (task.type === 'policy_review') {
    const policy = context.policy;
    if (!policy) throw new Error(`task ${task.id} refers to policy ${task.policyId}, which is not in the policy register`);
    const schoolName = policy.school ? context.school?.name ?? policy.school : undefined;
    await deps.mailer.send({ to: task.assignees, ...policyReviewEmail(ctx, { ...common, policy: { title: policy.title, nextReviewDate: policy.nextReviewDate, ...(schoolName ? { schoolName } : {}) } }) });
    return;
  }
  const { account, school } = context;
  if (!account) throw new Error(`task ${task.id} refers to account ${task.accountId}, which is not in the register`);
  const view = accountView(account, school);
  if (task.type === 'attest_account') {
    const reason = task.reason.includes('review date') ? 'review_due' : 'scheduled';
    await deps.mailer.send({ to: task.assignees, ...attestationEmail(ctx, { ...common, account: { ...view, monitoringFrequency: account.monitoringFrequency, lastSeenOn: lastSeenOn(account) }, reason }) });
    return;
  }
  if (task.type === 'planned_end') {
    await deps.mailer.send({ to: task.assignees, ...plannedEndEmail(ctx, { ...common, account: { ...view, plannedEndDate: account.plannedEndDate! } }) });
    return;
  }
  if (options.flag) {
    await deps.publisher.publish('Account Flagged', {
      taskId: task.id, taskType: task.type, accountId: task.accountId, platform: task.platform, handle: task.handle, school: task.school,
      subjectEmail: task.subjectEmail, dueDate: task.dueDate, assignees: task.assignees, reason: task.reason,
    });
  }
  await deps.mailer.send({
    to: task.assignees,
    ...taskCreatedEmail(ctx, { ...common, account: view, assigneeRoles: rolesOf(task, school, deps.config.trustItContact), today: londonDate(deps.clock()) }),
  });
}
