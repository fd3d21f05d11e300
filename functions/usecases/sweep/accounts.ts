/**
 * The sweep's step for accounts: attestation when due (or past the review date), the planned end coming up, fewer
 * than two administrators, and neglect. The account's next check date and any new tasks are one commit; the
 * emails follow.
 */
import { taskChange } from '../../domain/changes.ts';
import { accountChange } from '../../domain/scheduled-changes.ts';
import { neglectedAccountEmail } from '../../domain/emails.ts';
import type { Account, HolidayRange, IsoDate, TaskType } from '../../domain/model.ts';
import { frequencyOn, holidayOn, lastSeenOn } from '../../domain/cadence.ts';
import { accountChecks, nextAccountCheckOn, nextTaskActionOn } from '../../domain/schedule.ts';
import { taskId, type Task } from '../../domain/tasks.ts';
import { addWorkingDays } from '../../domain/working-days.ts';
import { accountView } from '../links.ts';
import { addOpenTask, schoolContacts, sendOpened, SWEEP_ACTOR, type SweepRun } from './run.ts';

export async function sweepAccount(run: SweepRun, id: string): Promise<void> {
  const { store } = run.deps;
  const account = await store.getAccount(id);
  if (!account) return;
  const { after, created } = await planAccountChecks(run, account);
  const nowIso = run.deps.clock().toISOString();
  const newlyNeglected = !!after.neglectedSince && !account.neglectedSince;
  const school = run.schools.get(account.school);
  await store.commit([
    withHolidays(accountChange(account, { ...after, updatedAt: nowIso, version: account.version + 1 }, newlyNeglected ? 'account.neglected' : 'account.checked', run.today), run.today, school?.holidays),
    ...created.map((t) => taskChange(undefined, t, 'task.created')),
  ], SWEEP_ACTOR);
  run.result.tasksCreated += created.length;
  for (const t of created) addOpenTask(run, t);

  if (newlyNeglected) {
    try {
      await run.deps.mailer.send({
        to: schoolContacts(run, school),
        ...neglectedAccountEmail(run.email, { account: { ...accountView(account, school), monitoringFrequency: account.monitoringFrequency, mainSupervisor: account.mainSupervisor, lastSeenOn: lastSeenOn(account) }, today: run.today }),
      });
      run.result.neglected++;
    } catch (err) {
      await unmarkNeglected(run, id);
      throw err;
    }
  }
  await sendOpened(run, created, { account, ...(school ? { school } : {}) });
}

/**
 * The sweep knows the school's holidays, which other writers of an account do not: its next check date is counted
 * with them (schedule.ts nextAccountCheckOn), so a monthly-in-holiday account is not looked at weekly all holiday.
 */
function withHolidays(change: ReturnType<typeof accountChange>, today: IsoDate, holidays: HolidayRange[] | undefined): ReturnType<typeof accountChange> {
  if (!change.after.nextCheckOn) return change;
  const next = nextAccountCheckOn(change.after, today, holidays ?? []);
  const after: Account = { ...change.after, nextCheckOn: next };
  if (!next) delete after.nextCheckOn;
  return { ...change, after };
}

/** Nobody was told: the account is not marked neglected after all, so a later run marks it and tells them. */
async function unmarkNeglected(run: SweepRun, id: string): Promise<void> {
  const account = await run.deps.store.getAccount(id);
  if (!account?.neglectedSince) return;
  const after = { ...account, neglectedSince: undefined, updatedAt: run.deps.clock().toISOString(), version: account.version + 1 };
  await run.deps.store.commit([accountChange(account, after, 'account.neglect_notice_failed', run.today)], SWEEP_ACTOR).catch(() => undefined);
}

/** The account as the checks leave it, and the tasks they open (none that was decided before in the same cycle). */
async function planAccountChecks(run: SweepRun, account: Account): Promise<{ after: Account; created: Task[] }> {
  const { today } = run;
  const open = run.openByAccount.get(account.id) ?? [];
  const school = run.schools.get(account.school);
  const holidays = school?.holidays ?? [];
  const checks = account.status === 'closed' ? [] : accountChecks(account, today, new Set(open.map((t) => t.type as TaskType)), holidays);
  let after: Account = account;
  const wanted: Task[] = [];
  for (const check of checks) {
    switch (check.kind) {
      case 'attest':
      case 'review_due':
        wanted.push(newTask(run, account, 'attest_account', today, [account.mainSupervisor], addWorkingDays(today, 5),
          check.kind === 'review_due' ? `${account.platform} ${account.handle} is past its review date` : `the main supervisor confirms the account is still in use and monitored (${cadenceText(account, today, holidays)})`));
        break;
      case 'planned_end':
        wanted.push({
          ...newTask(run, account, 'planned_end', account.plannedEndDate!, [...new Set([account.mainSupervisor, ...(account.reserveSupervisor ? [account.reserveSupervisor] : [])])],
            account.plannedEndDate! < today ? addWorkingDays(today, 2) : account.plannedEndDate!, `the account reaches its planned end on ${account.plannedEndDate}`),
          eventDate: account.plannedEndDate!,
        });
        break;
      case 'short_of_admins':
        // One task per state of the administrator list: a "keep" decision stands until the list changes.
        wanted.push(newTask(run, account, 'replace_admin', `admins:${[...account.admins].sort().join(',')}`, [...new Set([...schoolContacts(run, school), account.mainSupervisor])],
          addWorkingDays(today, 10), `the account has ${account.admins.length} administrator${account.admins.length === 1 ? '' : 's'}; policy asks for at least two`));
        break;
      case 'neglected':
        after = { ...after, neglectedSince: today };
        break;
    }
  }
  const decided = new Set((await run.deps.store.getTasks(wanted.map((t) => t.id))).map((t) => t.id));
  return { after, created: wanted.filter((t) => !decided.has(t.id)) };
}

/** "weekly", or "monthly in the school holidays" when the holiday cadence is the one in force today. */
function cadenceText(account: Account, today: IsoDate, holidays: readonly HolidayRange[]): string {
  const frequency = frequencyOn(account, today, holidays);
  return account.holidayMonitoringFrequency && holidayOn(holidays, today) ? `${frequency} in the school holidays` : frequency;
}

function newTask(run: SweepRun, account: Account, type: TaskType, cycle: string, assignees: string[], dueDate: IsoDate, reason: string): Task {
  const nowIso = run.deps.clock().toISOString();
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
    sourceEvent: `sweep:${run.today}`,
    sourceTime: nowIso,
    createdAt: nowIso,
    updatedAt: nowIso,
    version: 1,
    // Sent right after the write (sendCreated); marked sent here so the leaver delivery path does not also send it.
    delivery: { kind: 'created', state: 'sent', sentAt: nowIso },
    remindersSent: 0,
    lastReminderOn: run.today,
  };
  return { ...task, nextActionOn: nextTaskActionOn(task, run.today, run.options.escalateAfterWorkingDays) };
}
