/**
 * What a leaver, a cancellation or a joiner means for the register, as a plan of changes. Pure: the use case
 * reads the accounts, tasks and people involved, calls these, and writes the plan in transactions.
 */
import { compareInstants } from './instants.ts';
import { mailboxOf, type Account, type IsoDate, type Person, type School } from './model.ts';
import { addWorkingDays } from './working-days.ts';
import { nextTaskActionOn } from './schedule.ts';
import { accountLabel, assigneesFor, cancelledDelivery, leaverDueDate, taskId, type Task } from './tasks.ts';

export interface LeaverReport {
  /** Every address of the person: the one HR or the directory gave, and every alias known. */
  addresses: string[];
  displayName?: string;
  leaveDate: IsoDate;
  lineManager?: string;
  /** The event's id and time (EventBridge `time`), to order duplicates and late arrivals. */
  eventId: string;
  eventTime: string;
  /**
   * `leaving` (the default): the person is leaving. `address_gone`: these addresses no longer exist in the
   * directory (renamed or deleted), so accounts registered to them can no longer be recovered by email.
   */
  cause?: 'leaving' | 'address_gone';
}

export interface PlanContext {
  today: IsoDate;
  nowIso: string;
  trustItContact: string;
  /** Working days overdue before a task is escalated. */
  escalateAfter: number;
  schools: Map<string, School>;
}

export interface AccountPlan {
  before: Account;
  after: Account;
  tasks: Array<{ before?: Task; after: Task }>;
}

/** Builds a new open task with the bookkeeping every task carries. */
function newTask(fields: Omit<Task, 'status' | 'createdAt' | 'updatedAt' | 'version' | 'delivery' | 'remindersSent'>, ctx: PlanContext): Task {
  return {
    ...fields, status: 'open', createdAt: ctx.nowIso, updatedAt: ctx.nowIso, version: 1, delivery: { kind: 'created', state: 'pending' }, remindersSent: 0,
    // Its first email goes today; the sweep takes it from the next reminder date on.
    nextActionOn: nextTaskActionOn({ type: fields.type, dueDate: fields.dueDate }, ctx.today, ctx.escalateAfter),
  };
}

/**
 * A task that should exist after this report: created when new; re-opened when it was cancelled by an
 * earlier cancellation and this report is newer; its due date brought forward when a newer report makes it
 * sooner. Returns undefined when nothing changes (a duplicate report).
 */
function reconcile(existing: Task | undefined, wanted: Task, report: LeaverReport, ctx: PlanContext): Task | undefined {
  if (!existing) return wanted;
  const newer = compareInstants(report.eventTime, existing.sourceTime) > 0;
  if (existing.status === 'cancelled' && newer) {
    return {
      ...existing,
      status: 'open',
      generation: (existing.generation ?? 1) + 1,
      dueDate: wanted.dueDate,
      eventDate: wanted.eventDate,
      assignees: wanted.assignees,
      reason: wanted.reason,
      // Its name may have been removed when the person's retention period started (domain/retention.ts).
      subjectName: wanted.subjectName ?? existing.subjectName,
      sourceEvent: report.eventId,
      sourceTime: report.eventTime,
      resolution: undefined,
      delivery: { kind: 'created', state: 'pending' },
      remindersSent: 0,
      lastReminderOn: undefined,
      escalatedOn: undefined,
      nextActionOn: wanted.nextActionOn,
      updatedAt: ctx.nowIso,
      version: existing.version + 1,
    };
  }
  // A newer report may bring the deadline forward (the directory disabled the account early), never push it back:
  // once one source says the address is going sooner, the sooner date stands.
  if (existing.status === 'open' && newer && wanted.dueDate < existing.dueDate) {
    return {
      ...existing, dueDate: wanted.dueDate, eventDate: wanted.eventDate, sourceEvent: report.eventId, sourceTime: report.eventTime,
      nextActionOn: nextTaskActionOn({ type: existing.type, dueDate: wanted.dueDate, escalatedOn: existing.escalatedOn }, existing.lastReminderOn ?? ctx.today, ctx.escalateAfter),
      updatedAt: ctx.nowIso, version: existing.version + 1,
    };
  }
  return undefined;
}

/**
 * The leaver's addresses, matched by mailbox: `jo+social@school` reaches jo's mailbox, so it is jo's address too and
 * is switched off with it.
 */
function mailboxes(addresses: string[]): { has(email: string): boolean } {
  const set = new Set(addresses.map(mailboxOf));
  return { has: (email) => set.has(mailboxOf(email)) };
}

/**
 * For each account tied to the leaver: a transfer_or_close task when it is registered to their address (the
 * account becomes transfer_pending); their removal from the administrators, with a replace_admin task when fewer
 * than two remain; a replace_supervisor task for each supervisor role they hold. Closed accounts need nothing.
 */
export function planLeaver(report: LeaverReport, accounts: Account[], existingTasks: Map<string, Task>, ctx: PlanContext): AccountPlan[] {
  const mine = mailboxes(report.addresses);
  const who = report.displayName ?? report.addresses[0]!;
  const plans: AccountPlan[] = [];
  /** Records an account's plan when its tasks or the account itself change. */
  const commit = (account: Account, afterAdmins: Account, wanted: Task[]) => {
    const tasks = wanted.flatMap((w) => {
      const before = existingTasks.get(w.id);
      const next = reconcile(before, w, report, ctx);
      return next ? [{ before, after: next }] : [];
    });
    // The account awaits a transfer only when this report opened (or re-opened) its transfer task; a replay of a
    // report whose task was already resolved must leave the account as the resolution left it.
    let after = afterAdmins;
    if (after.status === 'active' && tasks.some((t) => t.after.type === 'transfer_or_close' && (!t.before || t.before.status !== 'open'))) {
      after = { ...after, status: 'transfer_pending' };
    }
    const changed = after !== account ? { ...after, updatedAt: ctx.nowIso, version: account.version + 1 } : account;
    if (tasks.length > 0 || changed !== account) plans.push({ before: account, after: changed, tasks });
  };
  for (const account of accounts) {
    if (account.status === 'closed') continue;
    const school = ctx.schools.get(account.school);
    const assignees = assigneesFor({
      lineManager: report.lineManager,
      schoolItManagers: school?.itManagers ?? [],
      trustItContact: ctx.trustItContact,
      exclude: report.addresses,
    });
    const label = accountLabel(account);
    const base = {
      accountId: account.id,
      platform: account.platform,
      handle: account.handle,
      school: account.school,
      subjectName: report.displayName,
      dueDate: leaverDueDate(report.leaveDate, ctx.today),
      eventDate: report.leaveDate,
      assignees,
      ...(report.lineManager ? { lineManager: report.lineManager } : {}),
      sourceEvent: report.eventId,
      sourceTime: report.eventTime,
    };
    let after: Account = account;
    const wanted: Task[] = [];

    if (mine.has(account.linkedEmail)) {
      wanted.push(newTask({
        ...base,
        id: taskId('transfer_or_close', account.id, account.linkedEmail),
        type: 'transfer_or_close',
        subjectEmail: account.linkedEmail,
        reason: report.cause === 'address_gone'
          ? `${label} is registered to ${account.linkedEmail}, which no longer exists in the directory`
          : `${label} is registered to ${who}'s email address, and ${who} is leaving`,
      }, ctx));
    }
    // An address that is gone concerns only the accounts registered to it; the person may well still be here.
    if (report.cause === 'address_gone') {
      commit(account, after, wanted);
      continue;
    }

    const leaving = account.admins.filter((e) => mine.has(e));
    // A report that removes them now can leave the account short. One that finds them already removed only
    // updates the task it made then: a replay, after someone else has also gone, must not open a second task
    // for the same gap.
    const removedEarlier = account.removedAdmins?.find((r) => mine.has(r.email))?.email;
    const adminSubject = leaving[0]
      ?? (removedEarlier && existingTasks.has(taskId('replace_admin', account.id, removedEarlier)) ? removedEarlier : undefined);
    if (leaving.length > 0) {
      after = {
        ...after,
        admins: account.admins.filter((e) => !mine.has(e)),
        removedAdmins: [...(account.removedAdmins ?? []), ...leaving.map((email) => ({ email, removedOn: ctx.today }))],
      };
    }
    if (adminSubject && after.admins.length < 2) {
      wanted.push(newTask({
        ...base,
        id: taskId('replace_admin', account.id, adminSubject),
        type: 'replace_admin',
        subjectEmail: adminSubject,
        reason: `${who} was an administrator of ${label}, which now has ${after.admins.length} administrator${after.admins.length === 1 ? '' : 's'}`,
      }, ctx));
    }

    for (const role of ['main_supervisor', 'reserve_supervisor'] as const) {
      const email = role === 'main_supervisor' ? account.mainSupervisor : account.reserveSupervisor;
      if (!email || !mine.has(email)) continue;
      wanted.push(newTask({
        ...base,
        id: taskId('replace_supervisor', `${account.id}#${role}`, email),
        type: 'replace_supervisor',
        subjectEmail: email,
        role,
        reason: `${who} is the ${role === 'main_supervisor' ? 'main' : 'reserve'} supervisor of ${label}, and is leaving`,
      }, ctx));
    }

    commit(account, after, wanted);
  }
  return plans;
}

/**
 * A cancelled leaver: their open leaver tasks are cancelled, they are restored as administrator where they were
 * removed, and accounts waiting on them return to active.
 */
export function planCancellation(addresses: string[], accounts: Account[], tasks: Task[], reason: string, by: string, ctx: PlanContext): {
  accounts: Array<{ before: Account; after: Account }>;
  tasks: Array<{ before: Task; after: Task }>;
} {
  const mine = mailboxes(addresses);
  const leaverTypes = new Set(['transfer_or_close', 'replace_admin', 'replace_supervisor']);
  const cancelled = tasks
    .filter((t) => t.status === 'open' && leaverTypes.has(t.type) && mine.has(t.subjectEmail))
    .map((t) => ({
      before: t,
      after: {
        ...t,
        status: 'cancelled' as const,
        resolution: { action: 'cancelled' as const, reason, by, at: ctx.nowIso },
        // Tell the assignees only if they were told about the task in the first place.
        delivery: cancelledDelivery(t),
        updatedAt: ctx.nowIso,
        version: t.version + 1,
      },
    }));
  const stillOpenTransfer = new Set(tasks.filter((t) => t.status === 'open' && t.type === 'transfer_or_close' && !mine.has(t.subjectEmail)).map((t) => t.accountId));
  const changed = accounts.flatMap((account) => {
    const restore = (account.removedAdmins ?? []).filter((r) => mine.has(r.email));
    let after = account;
    if (restore.length > 0) {
      after = {
        ...after,
        admins: [...account.admins, ...restore.map((r) => r.email).filter((e) => !account.admins.includes(e))],
        removedAdmins: (account.removedAdmins ?? []).filter((r) => !mine.has(r.email)),
      };
      if (after.removedAdmins!.length === 0) delete after.removedAdmins;
    }
    if (account.status === 'transfer_pending' && mine.has(account.linkedEmail) && !stillOpenTransfer.has(account.id)) {
      after = { ...after, status: 'active' };
    }
    return after === account ? [] : [{ before: account, after: { ...after, updatedAt: ctx.nowIso, version: account.version + 1 } }];
  });
  return { accounts: changed, tasks: cancelled };
}

/** A joiner must acknowledge the social media policy: due five working days after they start (or from today). */
export function joinerTask(person: Pick<Person, 'primaryEmail' | 'displayName' | 'school'>, startDate: IsoDate, event: { id: string; time: string }, ctx: PlanContext): Task {
  const from = startDate > ctx.today ? startDate : ctx.today;
  return newTask({
    id: taskId('acknowledge_policy', 'policy', person.primaryEmail),
    type: 'acknowledge_policy',
    subjectEmail: person.primaryEmail,
    subjectName: person.displayName,
    school: person.school,
    dueDate: addWorkingDays(from, 5),
    eventDate: startDate,
    assignees: [person.primaryEmail],
    reason: 'every member of staff reads and signs the social media policy',
    sourceEvent: event.id,
    sourceTime: event.time,
  }, ctx);
}
