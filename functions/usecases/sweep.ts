/**
 * The daily sweep (contracts section 1; runs at 07:00 Europe/London, or `custodian sweep --at`): reminders and
 * escalations for open tasks, attestation and neglect checks, planned ends, accounts short of administrators,
 * policy reviews, and the weekly digest. It reads only what is due, through the sparse `due` index, and reads the
 * open tasks once. Each item is claimed with a versioned write before its email is sent, so two sweeps at the same
 * time send nothing twice; each claimed item moves to its next date, so a sweep stopped halfway resumes where it
 * stopped. Nothing is sent on weekends and bank holidays: the items simply stay due until the next working day.
 */
import { logger } from '../adapters/logger.ts';
import { ConflictError, type TransactItem } from '../adapters/store.ts';
import { weeklyDigestEmail } from '../domain/digest.ts';
import { attestationEmail, neglectedAccountEmail, plannedEndEmail, policyReviewEmail, taskCreatedEmail, taskEscalationEmail, taskReminderEmail } from '../domain/emails.ts';
import type { Account, Actor, IsoDate, Policy, TaskType } from '../domain/model.ts';
import {
  accountChecks, isDigestDay, isoWeek, lastSeenOn, nextPolicyCheckOn, nextTaskActionOn, policyReviewTaskDueToOpen, taskDecision,
} from '../domain/schedule.ts';
import { taskId, type Task } from '../domain/tasks.ts';
import { addWorkingDays, isWorkingDay, londonDate, longDate, workingDaysBetween } from '../domain/working-days.ts';
import type { Deps } from './deps.ts';
import { accountView, actionLink, deliverPending } from './notify.ts';

export interface SweepOptions {
  escalateAfterWorkingDays: number;
  /** Milliseconds left before the function must stop (Lambda's getRemainingTimeInMillis). */
  remainingMs?: () => number;
}

export interface SweepResult {
  date: IsoDate;
  workingDay: boolean;
  due: number;
  processed: number;
  reminders: number;
  escalations: number;
  tasksCreated: number;
  neglected: number;
  digests: number;
  complete: boolean;
  failures: number;
}

const ACTOR: Actor = { by: 'system:sweep', source: 'sweep' };
const STOP_WHEN_LESS_THAN_MS = 20_000;

export async function runSweep(deps: Deps, options: SweepOptions): Promise<SweepResult> {
  const { store } = deps;
  const now = deps.clock();
  const today = londonDate(now);
  const result: SweepResult = { date: today, workingDay: isWorkingDay(today), due: 0, processed: 0, reminders: 0, escalations: 0, tasksCreated: 0, neglected: 0, digests: 0, complete: true, failures: 0 };
  if (!result.workingDay) {
    logger.info('sweep: not a working day; nothing sent', { date: today });
    return result;
  }
  const due = await store.dueOnOrBefore(today);
  result.due = due.length;
  const openTasks = await store.listTasks('open');
  const openByAccount = new Map<string, Task[]>();
  for (const t of openTasks) if (t.accountId) openByAccount.set(t.accountId, [...(openByAccount.get(t.accountId) ?? []), t]);
  const schools = new Map((await store.listSchools()).map((s) => [s.id, s]));

  const ctx = { trustName: deps.config.trustName, trustItContact: deps.config.trustItContact };

  for (const item of due) {
    if (options.remainingMs && options.remainingMs() < STOP_WHEN_LESS_THAN_MS) {
      result.complete = false;
      break;
    }
    try {
      if (item.kind === 'task') await sweepTask(item.id);
      else if (item.kind === 'account') await sweepAccount(item.id);
      else await sweepPolicy(item.id);
      result.processed++;
    } catch (err) {
      if (err instanceof ConflictError) continue; // another sweep took it
      result.failures++;
      logger.error('sweep item failed; it stays due', { kind: item.kind, id: item.id, error: (err as Error).message });
    }
  }
  if (result.complete && isDigestDay(today)) {
    try {
      result.digests = await sendDigests();
    } catch (err) {
      result.failures++;
      logger.error('weekly digest failed', { error: (err as Error).message });
    }
  }
  logger.info('sweep finished', { ...result });
  return result;

  // ---------- tasks ----------

  async function sweepTask(id: string): Promise<void> {
    const task = await store.getTask(id);
    if (!task || task.status !== 'open') return;
    // An initial email that never went (its event's retries ran out) goes now, instead of a reminder.
    if (task.delivery.state !== 'sent' && task.delivery.state !== 'skipped') {
      await deliverPending(deps, [task]);
      const fresh = (await store.getTask(id))!;
      await moveOn(fresh, { lastReminderOn: today });
      return;
    }
    const decision = taskDecision(task, today, options.escalateAfterWorkingDays);
    if (decision.kind === 'none') {
      await moveOn(task, {});
      return;
    }
    const escalating = decision.kind === 'escalation';
    const claimed = await moveOn(task, {
      lastReminderOn: today,
      remindersSent: escalating ? task.remindersSent : task.remindersSent + 1,
      ...(escalating ? { escalatedOn: today } : {}),
    });
    try {
      await sendTaskEmail(claimed, decision);
    } catch (err) {
      // Put it back as it was, so the next sweep tries again; then let the failure be counted.
      await store.transact(store.taskChange(claimed, { ...task, version: claimed.version + 1, updatedAt: deps.clock().toISOString() }, ACTOR, 'task.reminder_failed')).catch(() => undefined);
      throw err;
    }
    if (escalating) result.escalations++;
    else result.reminders++;
  }

  /** Claims a task for today: a versioned write that moves its next action date on. */
  async function moveOn(task: Task, changes: Partial<Task>): Promise<Task> {
    const next = { ...task, ...changes };
    const after: Task = { ...next, nextActionOn: nextTaskActionOn(next, today, options.escalateAfterWorkingDays), updatedAt: deps.clock().toISOString(), version: task.version + 1 };
    const action = changes.escalatedOn ? 'task.escalated' : changes.remindersSent !== undefined ? 'task.reminded' : 'task.rescheduled';
    await store.transact(store.taskChange(task, after, ACTOR, action));
    return after;
  }

  async function sendTaskEmail(task: Task, decision: ReturnType<typeof taskDecision>): Promise<void> {
    const account = task.accountId ? await store.getAccount(task.accountId) : undefined;
    const view = account ? accountView(account, schools.get(account.school)) : undefined;
    const policy = task.policyId ? await store.getPolicy(task.policyId) : undefined;
    const policyView = policy ? { title: policy.title, nextReviewDate: policy.nextReviewDate } : undefined;
    const link = await actionLink(deps, task);
    if (decision.kind === 'escalation') {
      let escalateTo = deps.config.trustItContact;
      let escalatedTo: 'trust_it_contact' | 'line_manager' = 'trust_it_contact';
      if (task.type === 'acknowledge_policy') {
        const person = await store.findPerson([task.subjectEmail]);
        const manager = person?.lineManagerEmail ?? person?.directoryManagerEmail;
        if (manager) {
          escalateTo = manager;
          escalatedTo = 'line_manager';
        }
      }
      const email = taskEscalationEmail(ctx, {
        task, account: view, policy: policyView, actionUrl: link.url, linkExpiresOn: link.expiresOn, remindersSent: task.remindersSent,
        workingDaysOverdue: Math.max(0, workingDaysBetween(task.dueDate, today)), escalatedTo, today,
      });
      await deps.mailer.send({ to: [...new Set([escalateTo, ...task.assignees])], ...email });
      return;
    }
    if (decision.kind !== 'reminder') return;
    await deps.mailer.send({
      to: task.assignees,
      ...taskReminderEmail(ctx, { task, account: view, policy: policyView, actionUrl: link.url, linkExpiresOn: link.expiresOn, number: decision.number, overdue: decision.overdue, today }),
    });
  }

  // ---------- accounts ----------

  async function sweepAccount(id: string): Promise<void> {
    const account = await store.getAccount(id);
    if (!account) return;
    const open = openByAccount.get(id) ?? [];
    const checks = account.status === 'closed' ? [] : accountChecks(account, today, new Set(open.map((t) => t.type as TaskType)));
    let after: Account = account;
    const created: Task[] = [];
    const school = schools.get(account.school);
    for (const check of checks) {
      switch (check.kind) {
        case 'attest':
        case 'review_due':
          created.push(newTask(account, 'attest_account', `${today}`, [account.mainSupervisor], addWorkingDays(today, 5),
            check.kind === 'review_due' ? `${account.platform} ${account.handle} is past its review date` : `the main supervisor confirms the account is still in use and monitored (${account.monitoringFrequency})`));
          break;
        case 'planned_end':
          created.push({
            ...newTask(account, 'planned_end', account.plannedEndDate!, [...new Set([account.mainSupervisor, ...(account.reserveSupervisor ? [account.reserveSupervisor] : [])])],
              account.plannedEndDate! < today ? addWorkingDays(today, 2) : account.plannedEndDate!, `the account reaches its planned end on ${account.plannedEndDate}`),
            eventDate: account.plannedEndDate!,
          });
          break;
        case 'short_of_admins':
          // One task per state of the administrator list: a "keep" decision stands until the list changes.
          created.push(newTask(account, 'replace_admin', `admins:${[...account.admins].sort().join(',')}`, [...new Set([...(school?.itManagers.length ? school.itManagers : [deps.config.trustItContact]), account.mainSupervisor])],
            addWorkingDays(today, 10), `the account has ${account.admins.length} administrator${account.admins.length === 1 ? '' : 's'}; policy asks for at least two`));
          break;
        case 'neglected':
          after = { ...after, neglectedSince: today };
          break;
      }
    }
    // A task decided before (the same cycle) is not asked again.
    const decided = new Set((await store.getTasks(created.map((t) => t.id))).map((t) => t.id));
    created.splice(0, created.length, ...created.filter((t) => !decided.has(t.id)));
    const nowIso = deps.clock().toISOString();
    const ops: TransactItem[] = [
      ...store.accountChange(account, { ...after, updatedAt: nowIso, version: account.version + 1 }, ACTOR, after.neglectedSince && !account.neglectedSince ? 'account.neglected' : 'account.checked'),
      ...created.flatMap((t) => store.taskChange(undefined, t, ACTOR, 'task.created')),
    ];
    await store.transact(ops);
    result.tasksCreated += created.length;
    for (const t of created) openByAccount.set(id, [...(openByAccount.get(id) ?? []), t]);

    if (after.neglectedSince && !account.neglectedSince) {
      const recipients = school?.itManagers.length ? school.itManagers : [deps.config.trustItContact];
      await deps.mailer.send({
        to: recipients,
        ...neglectedAccountEmail(ctx, { account: { ...accountView(account, school), monitoringFrequency: account.monitoringFrequency, mainSupervisor: account.mainSupervisor, lastSeenOn: lastSeenOn(account) }, today }),
      });
      result.neglected++;
    }
    for (const t of created) await sendCreated(t, account);
  }

  function newTask(account: Account, type: TaskType, cycle: string, assignees: string[], dueDate: IsoDate, reason: string): Task {
    const nowIso = deps.clock().toISOString();
    const task: Task = {
      id: taskId(type, `${account.id}#${cycle}`, `account:${account.id}`),
      type,
      status: 'open',
      subjectEmail: `account:${account.id}`,
      accountId: account.id,
      platform: account.platform,
      handle: account.handle,
      school: account.school,
      dueDate,
      assignees,
      reason,
      sourceEvent: `sweep:${today}`,
      sourceTime: nowIso,
      createdAt: nowIso,
      updatedAt: nowIso,
      version: 1,
      // Sent right after the write, below; marked sent here so the leaver delivery path does not also send it.
      delivery: { kind: 'created', state: 'sent', sentAt: nowIso },
      remindersSent: 0,
      lastReminderOn: today,
    };
    return { ...task, nextActionOn: nextTaskActionOn(task, today, options.escalateAfterWorkingDays) };
  }

  async function sendCreated(task: Task, account: Account): Promise<void> {
    const view = accountView(account, schools.get(account.school));
    const link = await actionLink(deps, task);
    const common = { task, actionUrl: link.url, linkExpiresOn: link.expiresOn };
    if (task.type === 'attest_account') {
      await deps.mailer.send({ to: task.assignees, ...attestationEmail(ctx, { ...common, account: { ...view, monitoringFrequency: account.monitoringFrequency, lastSeenOn: lastSeenOn(account) }, reason: task.reason.includes('review date') ? 'review_due' : 'scheduled' }) });
    } else if (task.type === 'planned_end') {
      await deps.mailer.send({ to: task.assignees, ...plannedEndEmail(ctx, { ...common, account: { ...view, plannedEndDate: account.plannedEndDate! } }) });
    } else {
      const school = schools.get(account.school);
      const roles = Object.fromEntries(task.assignees.map((a) => [a, school?.itManagers.includes(a) ? ['it_manager' as const] : a === deps.config.trustItContact ? ['trust_it_contact' as const] : []]));
      await deps.mailer.send({ to: task.assignees, ...taskCreatedEmail(ctx, { ...common, account: view, assigneeRoles: roles, today }) });
    }
  }

  // ---------- policies ----------

  async function sweepPolicy(id: string): Promise<void> {
    const policy = await store.getPolicy(id);
    if (!policy) return;
    const hasOpen = openTasks.some((t) => t.type === 'policy_review' && t.policyId === id);
    const nowIso = deps.clock().toISOString();
    const ops: TransactItem[] = [...store.policyChange(policy, { ...policy, nextCheckOn: nextPolicyCheckOn(policy, today), updatedAt: nowIso, version: policy.version + 1 }, ACTOR, 'policy.checked')];
    let task: Task | undefined;
    if (!hasOpen && policyReviewTaskDueToOpen(policy, today)) {
      task = {
        id: taskId('policy_review', `${policy.id}#${policy.nextReviewDate}`, policy.owner),
        type: 'policy_review', status: 'open', subjectEmail: policy.owner, ...(policy.school ? { school: policy.school } : {}), policyId: policy.id,
        dueDate: policy.nextReviewDate, assignees: [policy.owner], reason: `${policy.title} is due for review on ${longDate(policy.nextReviewDate)}`,
        sourceEvent: `sweep:${today}`, sourceTime: nowIso, createdAt: nowIso, updatedAt: nowIso, version: 1,
        delivery: { kind: 'created', state: 'sent', sentAt: nowIso }, remindersSent: 0, lastReminderOn: today,
      };
      task.nextActionOn = nextTaskActionOn(task, today, options.escalateAfterWorkingDays);
      ops.push(...store.taskChange(undefined, task, ACTOR, 'task.created'));
    }
    await store.transact(ops);
    if (task) {
      const link = await actionLink(deps, task);
      await deps.mailer.send({
        to: task.assignees,
        ...policyReviewEmail(ctx, { task, policy: { title: policy.title, nextReviewDate: policy.nextReviewDate, ...(policy.school ? { schoolName: schools.get(policy.school)?.name ?? policy.school } : {}) }, actionUrl: link.url, linkExpiresOn: link.expiresOn }),
      });
      result.tasksCreated++;
    }
  }

  // ---------- weekly digest ----------

  async function sendDigests(): Promise<number> {
    const week = isoWeek(today);
    const accounts = new Map((await store.getAccounts([...openByAccount.keys()])).map((a) => [a.id, a]));
    const policies = await store.listPolicies();
    let sent = 0;
    for (const school of schools.values()) {
      const tasks = [...openByAccount.values()].flat().filter((t) => t.school === school.id);
      const schoolAccounts = [...accounts.values()].filter((a) => a.school === school.id);
      const due: Policy[] = policies.filter((p) => (!p.school || p.school === school.id) && p.nextReviewDate <= addWorkingDays(today, 40));
      if (!(await store.claimDigest(school.id, week, Math.floor(now.getTime() / 1000) + 60 * 86_400))) continue;
      const email = weeklyDigestEmail({
        trustName: deps.config.trustName,
        schoolName: school.name,
        today,
        weekLabel: `week of ${longDate(today)}`,
        openTasks: [...tasks, ...openTasks.filter((t) => !t.accountId && t.school === school.id)],
        neglected: schoolAccounts.filter((a) => a.neglectedSince).map((a) => ({ platform: a.platform, handle: a.handle, mainSupervisor: a.mainSupervisor, lastSeenOn: lastSeenOn(a) })),
        shortOfAdmins: schoolAccounts.filter((a) => a.status !== 'closed' && a.admins.length < 2).map((a) => ({ platform: a.platform, handle: a.handle, admins: a.admins })),
        policiesDue: due.map((p) => ({ title: p.title, owner: p.owner, nextReviewDate: p.nextReviewDate })),
      });
      await deps.mailer.send({ to: school.itManagers.length ? school.itManagers : [deps.config.trustItContact], ...email });
      sent++;
    }
    return sent;
  }
}

