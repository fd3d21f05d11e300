/**
 * When the sweep acts: task reminders and escalations, account attestation and neglect checks, policy reviews and
 * the weekly digest. Pure: `today` is always passed in (an England and Wales calendar date, `YYYY-MM-DD`); nothing
 * here reads the clock or does I/O. Emails only ever go out on working days (contracts section 1). How often an
 * account is due to be looked after, through term time and the school's holidays, is cadence.ts.
 */
import { attestationDueOn, lastSeenOn, neglectedFrom, periodsDueOn } from './cadence.ts';
import type { Account, HolidayRange, IsoDate, Policy, TaskType } from './model.ts';
import type { Task } from './tasks.ts';
import { addDays, addWorkingDays, isWorkingDay, londonDateOf, onOrBeforeWorkingDay } from './working-days.ts';

/** Still importable from here, where it was first: bench/lib/cost.ts imports it from this module. */
export { MONITORING_PERIOD_DAYS } from './cadence.ts';

/** Overdue tasks are chased this often, in working days. */
const OVERDUE_REMINDER_EVERY = 2;
/** Before the due date: this many working days before it (ordinary tasks). */
const WORKING_DAYS_BEFORE_DUE = [7, 2];
/** Before a policy's review date: this many calendar days before it (policy_review tasks, and the policy itself). */
const POLICY_DAYS_BEFORE_REVIEW = [60, 30, 7];
/** A planned end is raised this many calendar days ahead. */
const PLANNED_END_NOTICE_DAYS = 30;

// ---------------------------------------------------------------------------------------------------------------
// Small date helpers

function maxDate(...dates: Array<IsoDate | undefined>): IsoDate {
  return dates.filter((d): d is IsoDate => !!d).reduce((a, b) => (a > b ? a : b));
}
function minDate(...dates: Array<IsoDate | undefined>): IsoDate {
  return dates.filter((d): d is IsoDate => !!d).reduce((a, b) => (a < b ? a : b));
}

/** The working day on or after `d`. */
function onOrAfterWorkingDay(d: IsoDate): IsoDate {
  return addWorkingDays(d, 0);
}

/** `n` working days before `d`, counted from the working day on or before `d`. */
function workingDaysBefore(d: IsoDate, n: number): IsoDate {
  let date = onOrBeforeWorkingDay(d);
  for (let i = 0; i < n; ) {
    date = addDays(date, -1);
    if (isWorkingDay(date)) i++;
  }
  return date;
}

/** The same day `years` years on; 29 February becomes 28 February in a year without one. */
function addYears(d: IsoDate, years: number): IsoDate {
  const y = Number(d.slice(0, 4)) + years;
  const month = d.slice(5, 7);
  let day = d.slice(8, 10);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (month === '02' && day === '29' && !leap) day = '28';
  return `${String(y).padStart(4, '0')}-${month}-${day}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Tasks

/**
 * Every reminder date of a task, in order, for ever (overdue reminders never stop while the task is open).
 * Decision: a due date on a weekend or bank holiday means the working day before it (as leaverDueDate does), both
 * for the "on the day" reminder and for counting working days back; the overdue reminders are counted from the due
 * date itself, which gives the same days.
 */
function* reminderSequence(task: Pick<Task, 'type' | 'dueDate'>): Generator<IsoDate> {
  const due = task.dueDate;
  const before =
    task.type === 'policy_review'
      ? [...POLICY_DAYS_BEFORE_REVIEW.map((n) => onOrBeforeWorkingDay(addDays(due, -n))), onOrBeforeWorkingDay(due)]
      : [...WORKING_DAYS_BEFORE_DUE.map((n) => workingDaysBefore(due, n)), onOrBeforeWorkingDay(due)];
  // Moving to a working day can make two dates one (a long holiday); each day is reminded once.
  yield* [...new Set(before)].sort();
  for (let d = due; ; ) {
    d = addWorkingDays(d, OVERDUE_REMINDER_EVERY);
    yield d;
  }
}

/**
 * Task reminders: 7 and 2 working days before the due date, on the due date, then every 2 working days after it.
 * policy_review tasks instead: 60, 30 and 7 calendar days before the review date (the task's dueDate) and on it,
 * each moved to the working day on or before it, then every 2 working days after.
 * Returns every reminder date up to and including `horizonEnd`, sorted, all working days. Dates before the task
 * was created are included: callers ask for the next one after a date (nextTaskActionOn).
 */
export function reminderDates(task: Pick<Task, 'type' | 'dueDate'>, horizonEnd: IsoDate): IsoDate[] {
  const dates: IsoDate[] = [];
  for (const d of reminderSequence(task)) {
    if (d > horizonEnd) break;
    dates.push(d);
  }
  return dates;
}

/**
 * The escalation: overdue by `escalateAfter` working days, i.e. dueDate + escalateAfter working days (a working day).
 * Decision: a negative or fractional `escalateAfter` is treated as its whole non-negative part; 0 escalates on the
 * due date (or the next working day when it falls on a non-working day).
 */
export function escalationDate(task: Pick<Task, 'dueDate'>, escalateAfter: number): IsoDate {
  return addWorkingDays(task.dueDate, Math.max(0, Math.floor(escalateAfter)));
}

/**
 * The next date the sweep must act on an open task strictly after `after` (normally the day of its last email):
 * the earliest of the next reminder date and, if not yet escalated, the escalation date. Always a working day.
 * Decision: an escalation that is owed but was missed (its date is on or before `after`, and the task is not
 * escalated) is due on the next working day after `after`, not skipped.
 */
export function nextTaskActionOn(task: Pick<Task, 'type' | 'dueDate' | 'escalatedOn'>, after: IsoDate, escalateAfter: number): IsoDate {
  let reminder: IsoDate | undefined;
  for (const d of reminderSequence(task)) {
    if (d > after) {
      reminder = d;
      break;
    }
  }
  if (task.escalatedOn) return reminder!;
  const escalation = maxDate(escalationDate(task, escalateAfter), onOrAfterWorkingDay(addDays(after, 1)));
  return minDate(reminder, escalation);
}

export type TaskDecision =
  | { kind: 'none' }
  /** `number`: the 1-based count of this reminder (the sweep stores it as remindersSent). */
  | { kind: 'reminder'; number: number; overdue: boolean }
  /**
   * Decision: `reminderNumber` is how many reminders went before the escalation (remindersSent, for "escalated
   * after N reminders"); the escalation is not itself counted as a reminder, so the sweep records escalatedOn and
   * lastReminderOn and leaves remindersSent as it is.
   */
  | { kind: 'escalation'; reminderNumber: number };

/**
 * What the sweep does for an open task on `today`: nothing on a non-working day; nothing if it already emailed
 * about this task today (lastReminderOn or escalatedOn is today, or the task was created today: its first email
 * went out then); the escalation if today is on or after the escalation date and it has not been escalated
 * (precedence over a reminder: one email a day at most); else a reminder if today is on or after nextActionOn.
 * Catching up after an outage sends ONE reminder, never one per missed date.
 * Decisions: a task that is not open gets nothing; a task without nextActionOn (written before it existed) is
 * scheduled from its last email, or from its creation date.
 */
export function taskDecision(task: Task, today: IsoDate, escalateAfter: number): TaskDecision {
  if (task.status !== 'open' || !isWorkingDay(today)) return { kind: 'none' };
  const createdOn = londonDateOf(task.createdAt);
  if (task.lastReminderOn === today || task.escalatedOn === today || createdOn === today) return { kind: 'none' };
  if (!task.escalatedOn && today >= escalationDate(task, escalateAfter)) {
    return { kind: 'escalation', reminderNumber: task.remindersSent };
  }
  const nextAction = task.nextActionOn ?? nextTaskActionOn(task, task.lastReminderOn ?? createdOn, escalateAfter);
  if (today >= nextAction) return { kind: 'reminder', number: task.remindersSent + 1, overdue: today > task.dueDate };
  return { kind: 'none' };
}

// ---------------------------------------------------------------------------------------------------------------
// Accounts

export type AccountCheck =
  /** Time to ask the main supervisor "still in use and monitored?" (an attest_account task). */
  | { kind: 'attest' }
  /** No attestation and no activity for 2 × the monitoring period, and not already marked neglectedSince. */
  | { kind: 'neglected' }
  /** Within 30 days of plannedEndDate, or past it (a planned_end task). */
  | { kind: 'planned_end' }
  /** today > nextReviewDate (an attest_account task). */
  | { kind: 'review_due' }
  /** Fewer than two administrators (a replace_admin task). */
  | { kind: 'short_of_admins' };

/** Distinct administrators, compared case-insensitively. */
function adminCount(account: Account): number {
  return new Set(account.admins.map((a) => a.trim().toLowerCase()).filter(Boolean)).size;
}

/**
 * Everything due for an account on `today`, given which open tasks it already has (by type), so nothing is asked
 * twice. Decisions:
 * - nothing on a non-working day (checks create tasks, and tasks send emails); nothing for a closed account, nor
 *   for one whose closure is already requested (closure_pending: the closure task is chased by its own reminders,
 *   and asking to attest, replace an administrator or plan its end would be noise), nor for one approved but not
 *   yet set up (`approved`: its set_up_account task is the thing to do; it is checked from when it is active).
 * - attestation is timed from the last attestation (or creation), as specified; activity alone does not put it off.
 * - `holidays` are the account's school's; attestation and neglect count each day at the cadence in force on it
 *   (the rule in cadence.ts). Without them (none loaded, or an unknown school) every day is term time.
 * - `attest` and `review_due` both become an attest_account task, so at most one of them is returned: review_due,
 *   the more specific reason, wins.
 * - `neglected` is not a task, so open tasks do not hold it back; it is returned until the sweep sets neglectedSince.
 */
export function accountChecks(account: Account, today: IsoDate, openTaskTypes: ReadonlySet<TaskType>, holidays: readonly HolidayRange[] = []): AccountCheck[] {
  if (account.status === 'closed' || account.status === 'closure_pending' || account.status === 'approved' || !isWorkingDay(today)) return [];
  const checks: AccountCheck[] = [];
  if (!openTaskTypes.has('attest_account')) {
    if (account.nextReviewDate && today > account.nextReviewDate) checks.push({ kind: 'review_due' });
    else if (periodsDueOn(account, account.lastAttestedOn ?? londonDateOf(account.createdAt), 1, holidays, today)) checks.push({ kind: 'attest' });
  }
  if (!account.neglectedSince && periodsDueOn(account, lastSeenOn(account), 2, holidays, today)) checks.push({ kind: 'neglected' });
  if (account.plannedEndDate && !openTaskTypes.has('planned_end') && today >= addDays(account.plannedEndDate, -PLANNED_END_NOTICE_DAYS)) {
    checks.push({ kind: 'planned_end' });
  }
  if (adminCount(account) < 2 && !openTaskTypes.has('replace_admin')) checks.push({ kind: 'short_of_admins' });
  return checks;
}

/**
 * When the sweep should next look at this account: the earliest of the next attestation date, the neglect threshold
 * (unless already marked neglected), 30 days before plannedEndDate and the day after nextReviewDate; at least
 * tomorrow; moved to the working day on or after it. Undefined for closed accounts and for approved ones not yet set
 * up (the write that makes them active schedules them).
 * `holidays`: the school's, when the caller has them (the sweep). Writers that do not (an import, a decision from an
 * email) leave it out, and the date is then counted at the shorter of the two cadences: never later than the right
 * one, so the sweep looks at the account in time and sets the date with the holidays.
 * Decisions: a date already passed (its task is open, say) still counts, so such an account is looked at each
 * working day until that is settled, which is cheap and never misses anything. A closure_pending account, which
 * accountChecks leaves alone, is looked at again in PLANNED_END_NOTICE_DAYS (30) days in case the closure stalls
 * or is undone. Fewer than two administrators is noticed at the next look, whatever brings it.
 */
export function nextAccountCheckOn(account: Account, today: IsoDate, holidays?: readonly HolidayRange[]): IsoDate | undefined {
  if (account.status === 'closed' || account.status === 'approved') return undefined;
  const tomorrow = addDays(today, 1);
  if (account.status === 'closure_pending') return onOrAfterWorkingDay(addDays(today, PLANNED_END_NOTICE_DAYS));
  const next = minDate(
    attestationDueOn(account, holidays, tomorrow),
    account.neglectedSince ? undefined : neglectedFrom(account, holidays, tomorrow),
    account.plannedEndDate ? addDays(account.plannedEndDate, -PLANNED_END_NOTICE_DAYS) : undefined,
    account.nextReviewDate ? addDays(account.nextReviewDate, 1) : undefined,
  );
  return onOrAfterWorkingDay(maxDate(next, tomorrow));
}

// ---------------------------------------------------------------------------------------------------------------
// Policies

/**
 * The day a policy's review task opens: 60 days before the review date, on or before a working day (so the task's
 * first email is its first reminder slot).
 */
function policyReviewOpensOn(policy: Pick<Policy, 'nextReviewDate'>): IsoDate {
  return onOrBeforeWorkingDay(addDays(policy.nextReviewDate, -POLICY_DAYS_BEFORE_REVIEW[0]!));
}

/** True from 60 days before nextReviewDate (moved to the working day on or before it), and ever after. */
export function policyReviewTaskDueToOpen(policy: Policy, today: IsoDate): boolean {
  return today >= policyReviewOpensOn(policy);
}

/**
 * When the sweep should next look at a policy: the day its review task opens, or, once within that window, the
 * next working day. Decision: "tomorrow" is moved to the working day on or after it, as the sweep acts only then.
 */
export function nextPolicyCheckOn(policy: Policy, today: IsoDate): IsoDate {
  const opens = policyReviewOpensOn(policy);
  return opens > today ? opens : onOrAfterWorkingDay(addDays(today, 1));
}

/**
 * `policies reviewed`: the next review date is `given` when one is given; otherwise 12 months on from the current
 * review date, or from `today` when the review is a year or more overdue. 29 February → 28 February.
 * Decision: "a year or more" (not "more than a year"), so the result is always after today: exactly a year
 * overdue would otherwise make the next review due on the day it was done.
 */
export function rollReviewDate(current: IsoDate, today: IsoDate, given?: IsoDate): IsoDate {
  if (given) return given;
  const fromCurrent = addYears(current, 1);
  return fromCurrent <= today ? addYears(today, 1) : fromCurrent;
}

// ---------------------------------------------------------------------------------------------------------------
// The weekly digest

/** Monday of the ISO week containing `d`. */
function isoMonday(d: IsoDate): IsoDate {
  const weekday = new Date(`${d}T12:00:00Z`).getUTCDay(); // 0 Sunday … 6 Saturday
  return addDays(d, -((weekday + 6) % 7));
}

/** The first working day of each ISO week: Monday, or Tuesday after a bank holiday Monday, and so on. */
export function isDigestDay(today: IsoDate): boolean {
  if (!isWorkingDay(today)) return false;
  for (let d = isoMonday(today); d < today; d = addDays(d, 1)) {
    if (isWorkingDay(d)) return false;
  }
  return true;
}

/** The ISO 8601 week, e.g. "2026-W53": weeks start on Monday and belong to the year of their Thursday. */
export function isoWeek(today: IsoDate): string {
  const thursday = addDays(isoMonday(today), 3);
  const year = thursday.slice(0, 4);
  const jan1 = `${year}-01-01`;
  const dayOfYear = Math.round((Date.parse(`${thursday}T12:00:00Z`) - Date.parse(`${jan1}T12:00:00Z`)) / 86_400_000);
  const week = Math.floor(dayOfYear / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}
