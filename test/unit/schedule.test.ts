import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Account, HolidayRange, IsoDate, Policy, TaskType } from '../../functions/domain/model.ts';
import {
  attestationDueOn,
  frequencyOn,
  lastSeenOn,
  mergeHolidayRanges,
  MONITORING_PERIOD_DAYS,
  neglectedFrom,
} from '../../functions/domain/cadence.ts';
import {
  accountChecks,
  escalationDate,
  isDigestDay,
  isoWeek,
  nextAccountCheckOn,
  nextPolicyCheckOn,
  nextTaskActionOn,
  policyReviewTaskDueToOpen,
  reminderDates,
  rollReviewDate,
  taskDecision,
  type TaskDecision,
} from '../../functions/domain/schedule.ts';
import type { Task } from '../../functions/domain/tasks.ts';
import { addDays, isWorkingDay } from '../../functions/domain/working-days.ts';

/** Christmas 2026: Friday 25 and Monday 28 December are bank holidays, 26-27 the weekend between; 1 January 2027 too. */
const CHRISTMAS_CLOSED = ['2026-12-25', '2026-12-26', '2026-12-27', '2026-12-28', '2027-01-01', '2027-01-02', '2027-01-03'];

function task(over: Partial<Task> = {}): Task {
  return {
    id: 't1',
    type: 'transfer_or_close',
    status: 'open',
    subjectEmail: 'jo@oak.sch.uk',
    dueDate: '2027-01-15',
    assignees: ['head@oak.sch.uk'],
    reason: 'Jo is leaving',
    sourceEvent: 'e1',
    sourceTime: '2027-01-04T09:00:00Z',
    createdAt: '2027-01-04T09:00:00.000Z', // Monday
    updatedAt: '2027-01-04T09:00:00.000Z',
    version: 1,
    delivery: { kind: 'created', state: 'sent' },
    remindersSent: 0,
    ...over,
  };
}

function account(over: Partial<Account> = {}): Account {
  return {
    id: 'facebook:oak',
    platform: 'facebook',
    handle: 'oak',
    school: 'oak',
    linkedEmail: 'social@oak.sch.uk',
    admins: ['a@oak.sch.uk', 'b@oak.sch.uk'],
    mainSupervisor: 'head@oak.sch.uk',
    monitoringFrequency: 'weekly',
    status: 'active',
    createdAt: '2026-01-05T10:00:00.000Z',
    updatedAt: '2026-01-05T10:00:00.000Z',
    version: 1,
    ...over,
  };
}

function policy(over: Partial<Policy> = {}): Policy {
  return {
    id: 'p1',
    title: 'Social media policy',
    owner: 'dpo@trust.org.uk',
    nextReviewDate: '2027-03-01',
    createdAt: '2026-01-05T10:00:00.000Z',
    updatedAt: '2026-01-05T10:00:00.000Z',
    version: 1,
    ...over,
  };
}

/** Every calendar date from..to inclusive. */
function days(from: IsoDate, to: IsoDate): IsoDate[] {
  const out: IsoDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/**
 * Runs the sweep's task logic on each of `sweepDays`, applying each decision as the sweep would, and returns the
 * emails sent. The task's first email went out when it was created.
 */
function simulate(start: Task, sweepDays: IsoDate[], escalateAfter: number): Array<{ on: IsoDate; decision: TaskDecision }> {
  let t: Task = { ...start, nextActionOn: start.nextActionOn ?? nextTaskActionOn(start, start.createdAt.slice(0, 10), escalateAfter) };
  const sent: Array<{ on: IsoDate; decision: TaskDecision }> = [];
  for (const today of sweepDays) {
    const decision = taskDecision(t, today, escalateAfter);
    if (decision.kind === 'none') continue;
    sent.push({ on: today, decision });
    // As the sweep does: a reminder counts; the escalation is recorded but is not counted as a reminder.
    t = decision.kind === 'reminder'
      ? { ...t, remindersSent: decision.number, lastReminderOn: today }
      : { ...t, lastReminderOn: today, escalatedOn: today };
    t = { ...t, nextActionOn: nextTaskActionOn(t, today, escalateAfter) };
  }
  return sent;
}

describe('MONITORING_PERIOD_DAYS', () => {
  it('is in calendar days', () => {
    expect(MONITORING_PERIOD_DAYS).toEqual({ daily: 1, weekly: 7, fortnightly: 14, monthly: 30 });
  });
});

describe('reminderDates', () => {
  it('reminds 7 and 2 working days before, on the due date, then every 2 working days', () => {
    // Friday 15 January 2027; 1 January is a bank holiday but does not fall in the 7 working days before.
    expect(reminderDates({ type: 'transfer_or_close', dueDate: '2027-01-15' }, '2027-01-29')).toEqual([
      '2027-01-06', // Wednesday: 14, 13, 12, 11, 8, 7, 6
      '2027-01-13',
      '2027-01-15',
      '2027-01-19',
      '2027-01-21',
      '2027-01-25',
      '2027-01-27',
      '2027-01-29',
    ]);
  });

  it('includes horizonEnd itself and nothing after it', () => {
    expect(reminderDates({ type: 'replace_admin', dueDate: '2027-01-15' }, '2027-01-15')).toEqual(['2027-01-06', '2027-01-13', '2027-01-15']);
    expect(reminderDates({ type: 'replace_admin', dueDate: '2027-01-15' }, '2027-01-14')).toEqual(['2027-01-06', '2027-01-13']);
    expect(reminderDates({ type: 'replace_admin', dueDate: '2027-01-15' }, '2027-01-01')).toEqual([]);
  });

  it('skips Christmas 2026 and New Year bank holidays', () => {
    // Due Thursday 31 December: 7 working days back crosses 25 and 28 December.
    expect(reminderDates({ type: 'transfer_or_close', dueDate: '2026-12-31' }, '2027-01-08')).toEqual([
      '2026-12-18', // 30, 29, 24, 23, 22, 21, 18
      '2026-12-29',
      '2026-12-31',
      '2027-01-05', // 1 Jan is a bank holiday: 4, 5
      '2027-01-07',
    ]);
    // Due Wednesday 23 December: overdue reminders jump the closed days.
    expect(reminderDates({ type: 'transfer_or_close', dueDate: '2026-12-23' }, '2027-01-06')).toEqual([
      '2026-12-14',
      '2026-12-21',
      '2026-12-23',
      '2026-12-29', // 24, 29
      '2026-12-31', // 30, 31
      '2027-01-05', // 4, 5
    ]);
  });

  it('never falls on a weekend or bank holiday, is sorted and has no repeats (any due date around Christmas)', () => {
    for (const due of days('2026-12-10', '2027-01-10')) {
      for (const type of ['transfer_or_close', 'policy_review'] as const) {
        const dates = reminderDates({ type, dueDate: due }, '2027-02-28');
        for (const d of dates) {
          expect(isWorkingDay(d), `${type} due ${due}: ${d}`).toBe(true);
          expect(CHRISTMAS_CLOSED).not.toContain(d);
        }
        expect([...dates].sort()).toEqual(dates);
        expect(new Set(dates).size).toBe(dates.length);
      }
    }
  });

  it('treats a due date on a weekend as the working day before it', () => {
    // Saturday 16 January 2027 → Friday 15th.
    expect(reminderDates({ type: 'transfer_or_close', dueDate: '2027-01-16' }, '2027-01-21')).toEqual([
      '2027-01-06',
      '2027-01-13',
      '2027-01-15',
      '2027-01-19',
      '2027-01-21',
    ]);
  });

  describe('policy_review', () => {
    it('reminds 60, 30 and 7 calendar days before the review date and on it, then every 2 working days', () => {
      // Monday 1 March 2027: 60 days before is Thursday 31 December 2026, 30 before Friday 29 January, 7 before Monday 22 February.
      expect(reminderDates({ type: 'policy_review', dueDate: '2027-03-01' }, '2027-03-05')).toEqual([
        '2026-12-31',
        '2027-01-29',
        '2027-02-22',
        '2027-03-01',
        '2027-03-03',
        '2027-03-05',
      ]);
    });

    it('moves each date to the working day on or before it', () => {
      // Friday 26 February 2027: 60 days before is Monday 28 December 2026, a bank holiday → Thursday 24th.
      expect(reminderDates({ type: 'policy_review', dueDate: '2027-02-26' }, '2027-03-02')).toEqual([
        '2026-12-24',
        '2027-01-27',
        '2027-02-19',
        '2027-02-26',
        '2027-03-02',
      ]);
      // Easter Sunday 28 March 2027: on the day → Thursday 25th (Good Friday 26th); 7 before (Sunday 21st) → Friday 19th;
      // overdue: Easter Monday is a bank holiday, so 30, 31 March.
      expect(reminderDates({ type: 'policy_review', dueDate: '2027-03-28' }, '2027-03-31')).toEqual([
        '2027-01-27',
        '2027-02-26',
        '2027-03-19',
        '2027-03-25',
        '2027-03-31',
      ]);
    });
  });
});

describe('escalationDate', () => {
  it('is the due date plus escalateAfter working days', () => {
    expect(escalationDate({ dueDate: '2027-01-15' }, 3)).toBe('2027-01-20'); // Mon 18, Tue 19, Wed 20
    expect(escalationDate({ dueDate: '2027-01-15' }, 1)).toBe('2027-01-18');
    expect(escalationDate({ dueDate: '2026-12-23' }, 3)).toBe('2026-12-30'); // 24, 29, 30
    expect(escalationDate({ dueDate: '2026-12-31' }, 3)).toBe('2027-01-06'); // 4, 5, 6
  });

  it('with 0 is the due date, or the next working day; negative counts as 0', () => {
    expect(escalationDate({ dueDate: '2027-01-15' }, 0)).toBe('2027-01-15');
    expect(escalationDate({ dueDate: '2026-12-25' }, 0)).toBe('2026-12-29');
    expect(escalationDate({ dueDate: '2027-01-15' }, -2)).toBe('2027-01-15');
  });
});

describe('nextTaskActionOn', () => {
  const t = { type: 'transfer_or_close' as const, dueDate: '2027-01-15' };

  it('is the next reminder strictly after the given day', () => {
    expect(nextTaskActionOn(t, '2027-01-04', 3)).toBe('2027-01-06');
    expect(nextTaskActionOn(t, '2027-01-06', 3)).toBe('2027-01-13');
    expect(nextTaskActionOn(t, '2027-01-13', 3)).toBe('2027-01-15');
    expect(nextTaskActionOn(t, '2027-01-15', 3)).toBe('2027-01-19');
  });

  it('is the escalation date when that comes first, until escalated', () => {
    expect(nextTaskActionOn(t, '2027-01-19', 3)).toBe('2027-01-20');
    expect(nextTaskActionOn({ ...t, escalatedOn: '2027-01-20' }, '2027-01-19', 3)).toBe('2027-01-21');
    expect(nextTaskActionOn({ ...t, escalatedOn: '2027-01-20' }, '2027-01-20', 3)).toBe('2027-01-21');
  });

  it('does not lose an escalation that was missed', () => {
    // Not escalated, escalation date (20th) already behind: the next working day.
    expect(nextTaskActionOn(t, '2027-01-22', 3)).toBe('2027-01-25');
  });

  it('is always a working day', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 120 }), fc.integer({ min: -30, max: 60 }), fc.integer({ min: 0, max: 10 }), fc.boolean(), (dueOffset, afterOffset, esc, policyReview) => {
        const dueDate = addDays('2026-11-01', dueOffset);
        const after = addDays(dueDate, afterOffset);
        const next = nextTaskActionOn({ type: policyReview ? 'policy_review' : 'replace_admin', dueDate }, after, esc);
        expect(isWorkingDay(next)).toBe(true);
        expect(next > after).toBe(true);
      }),
    );
  });
});

describe('taskDecision', () => {
  const ESC = 3;
  const scheduled = (over: Partial<Task> = {}) => {
    const t = task(over);
    return { ...t, nextActionOn: t.nextActionOn ?? nextTaskActionOn(t, t.lastReminderOn ?? '2027-01-04', ESC) };
  };

  it('does nothing on the day the task was created (its first email went out then)', () => {
    const t = scheduled({ dueDate: '2027-01-06', createdAt: '2027-01-04T09:00:00.000Z' });
    expect(taskDecision({ ...t, nextActionOn: '2027-01-04' }, '2027-01-04', ESC)).toEqual({ kind: 'none' });
  });

  it('counts creation by the London date (00:30 BST is the next day)', () => {
    const t = scheduled({ dueDate: '2027-07-20', createdAt: '2027-07-05T23:30:00.000Z', nextActionOn: '2027-07-06' });
    expect(taskDecision(t, '2027-07-06', ESC)).toEqual({ kind: 'none' });
  });

  it('sends a reminder on its date, and never twice on the same day', () => {
    const t = scheduled();
    expect(t.nextActionOn).toBe('2027-01-06');
    expect(taskDecision(t, '2027-01-05', ESC)).toEqual({ kind: 'none' });
    expect(taskDecision(t, '2027-01-06', ESC)).toEqual({ kind: 'reminder', number: 1, overdue: false });
    expect(taskDecision({ ...t, remindersSent: 1, lastReminderOn: '2027-01-06' }, '2027-01-06', ESC)).toEqual({ kind: 'none' });
  });

  it('does nothing on a Saturday or a bank holiday, even when a reminder is owed', () => {
    const t = scheduled({ dueDate: '2026-12-31', createdAt: '2026-12-01T09:00:00.000Z', nextActionOn: '2026-12-24' });
    for (const d of ['2026-12-25', '2026-12-26', '2026-12-27', '2026-12-28']) expect(taskDecision(t, d, ESC)).toEqual({ kind: 'none' });
    expect(taskDecision(t, '2026-12-29', ESC)).toEqual({ kind: 'reminder', number: 1, overdue: false });
    expect(taskDecision(scheduled({ nextActionOn: '2027-01-08' }), '2027-01-09', ESC)).toEqual({ kind: 'none' });
  });

  it('marks reminders after the due date as overdue', () => {
    expect(taskDecision(scheduled({ remindersSent: 3, lastReminderOn: '2027-01-15' }), '2027-01-15', ESC)).toEqual({ kind: 'none' });
    const t = scheduled({ remindersSent: 2, lastReminderOn: '2027-01-13' });
    expect(taskDecision(t, '2027-01-15', ESC)).toEqual({ kind: 'reminder', number: 3, overdue: false });
    const late = scheduled({ remindersSent: 3, lastReminderOn: '2027-01-15' });
    expect(taskDecision(late, '2027-01-19', ESC)).toEqual({ kind: 'reminder', number: 4, overdue: true });
  });

  it('escalates once, in preference to a reminder', () => {
    const t = scheduled({ remindersSent: 4, lastReminderOn: '2027-01-19', nextActionOn: '2027-01-20' });
    expect(taskDecision(t, '2027-01-20', ESC)).toEqual({ kind: 'escalation', reminderNumber: 4 });
    // Missed on its day: still escalates (not a reminder) on the next sweep, a reminder day.
    expect(taskDecision({ ...t, nextActionOn: '2027-01-21' }, '2027-01-21', ESC)).toEqual({ kind: 'escalation', reminderNumber: 4 });
    const escalated = { ...t, lastReminderOn: '2027-01-20', escalatedOn: '2027-01-20', nextActionOn: '2027-01-21' };
    expect(taskDecision(escalated, '2027-01-20', ESC)).toEqual({ kind: 'none' });
    expect(taskDecision(escalated, '2027-01-21', ESC)).toEqual({ kind: 'reminder', number: 5, overdue: true });
  });

  it('does nothing for a task that is not open', () => {
    expect(taskDecision(scheduled({ status: 'done' }), '2027-01-20', ESC)).toEqual({ kind: 'none' });
    expect(taskDecision(scheduled({ status: 'cancelled' }), '2027-01-06', ESC)).toEqual({ kind: 'none' });
  });

  it('schedules a task without nextActionOn from its last email', () => {
    const t = task({ remindersSent: 1, lastReminderOn: '2027-01-06' });
    expect(taskDecision(t, '2027-01-12', ESC)).toEqual({ kind: 'none' });
    expect(taskDecision(t, '2027-01-13', ESC)).toEqual({ kind: 'reminder', number: 2, overdue: false });
  });

  it('over a month of daily sweeps: reminders on schedule, one escalation, at most one email a day', () => {
    const sent = simulate(task(), days('2027-01-04', '2027-01-29'), ESC);
    expect(sent).toEqual([
      { on: '2027-01-06', decision: { kind: 'reminder', number: 1, overdue: false } },
      { on: '2027-01-13', decision: { kind: 'reminder', number: 2, overdue: false } },
      { on: '2027-01-15', decision: { kind: 'reminder', number: 3, overdue: false } },
      { on: '2027-01-19', decision: { kind: 'reminder', number: 4, overdue: true } },
      { on: '2027-01-20', decision: { kind: 'escalation', reminderNumber: 4 } },
      { on: '2027-01-21', decision: { kind: 'reminder', number: 5, overdue: true } },
      { on: '2027-01-25', decision: { kind: 'reminder', number: 6, overdue: true } },
      { on: '2027-01-27', decision: { kind: 'reminder', number: 7, overdue: true } },
      { on: '2027-01-29', decision: { kind: 'reminder', number: 8, overdue: true } },
    ]);
  });

  it('over Christmas: no email on a weekend or bank holiday', () => {
    const t = task({ dueDate: '2026-12-23', createdAt: '2026-12-01T09:00:00.000Z' });
    const sent = simulate(t, days('2026-12-01', '2027-01-08'), ESC);
    expect(sent.map((s) => s.on)).toEqual(['2026-12-14', '2026-12-21', '2026-12-23', '2026-12-29', '2026-12-30', '2026-12-31', '2027-01-05', '2027-01-07']);
    expect(sent.find((s) => s.decision.kind === 'escalation')?.on).toBe('2026-12-30');
    for (const s of sent) expect(isWorkingDay(s.on)).toBe(true);
  });

  it('after an outage sends one catch-up reminder, not one per missed date', () => {
    // The sweep does not run from 7 to 18 January (reminders on the 13th and 15th missed).
    const sweepDays = days('2027-01-04', '2027-01-22').filter((d) => d <= '2027-01-06' || d >= '2027-01-19');
    expect(simulate(task(), sweepDays, ESC)).toEqual([
      { on: '2027-01-06', decision: { kind: 'reminder', number: 1, overdue: false } },
      { on: '2027-01-19', decision: { kind: 'reminder', number: 2, overdue: true } },
      { on: '2027-01-20', decision: { kind: 'escalation', reminderNumber: 2 } },
      { on: '2027-01-21', decision: { kind: 'reminder', number: 3, overdue: true } },
    ]);
  });

  it('after an outage past the escalation date escalates once, then resumes reminders', () => {
    const sweepDays = days('2027-01-04', '2027-01-29').filter((d) => d <= '2027-01-11' || d >= '2027-01-25');
    expect(simulate(task(), sweepDays, ESC)).toEqual([
      { on: '2027-01-06', decision: { kind: 'reminder', number: 1, overdue: false } },
      { on: '2027-01-25', decision: { kind: 'escalation', reminderNumber: 1 } },
      { on: '2027-01-27', decision: { kind: 'reminder', number: 2, overdue: true } },
      { on: '2027-01-29', decision: { kind: 'reminder', number: 3, overdue: true } },
    ]);
  });

  it('a policy_review task follows its own schedule', () => {
    const t = task({ type: 'policy_review', dueDate: '2027-03-01', createdAt: '2026-12-31T08:00:00.000Z' });
    const sent = simulate(t, days('2026-12-31', '2027-03-08'), ESC);
    expect(sent.map((s) => [s.on, s.decision.kind])).toEqual([
      ['2027-01-29', 'reminder'],
      ['2027-02-22', 'reminder'],
      ['2027-03-01', 'reminder'],
      ['2027-03-03', 'reminder'],
      ['2027-03-04', 'escalation'],
      ['2027-03-05', 'reminder'],
    ]);
  });

  it('property: never more than one email a day, never on a non-working day, exactly one escalation once overdue', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.boolean(), { minLength: 90, maxLength: 90 }),
        (createdOffset, lead, esc, runs) => {
          const created = addDays('2026-11-20', createdOffset);
          const t = task({ createdAt: `${created}T09:00:00.000Z`, dueDate: addDays(created, lead) });
          const sweepDays = days(created, addDays(created, 89)).filter((_, i) => runs[i]);
          const sent = simulate(t, sweepDays, esc);
          const on = sent.map((s) => s.on);
          expect(new Set(on).size).toBe(on.length);
          for (const d of on) expect(isWorkingDay(d)).toBe(true);
          expect(sent.filter((s) => s.decision.kind === 'escalation').length).toBeLessThanOrEqual(1);
          const due = escalationDate(t, esc);
          // Once a sweep has run on a working day on or after the escalation date (and after the day of creation), it has escalated.
          if (sweepDays.some((d) => d >= due && d > created && isWorkingDay(d))) {
            expect(sent.filter((s) => s.decision.kind === 'escalation').length).toBe(1);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('lastSeenOn', () => {
  it('is the latest of attestation, activity and creation', () => {
    expect(lastSeenOn(account())).toBe('2026-01-05');
    expect(lastSeenOn(account({ lastActivityDate: '2026-12-01' }))).toBe('2026-12-01');
    expect(lastSeenOn(account({ lastActivityDate: '2026-12-01', lastAttestedOn: '2026-12-10' }))).toBe('2026-12-10');
    expect(lastSeenOn(account({ lastActivityDate: '2026-12-11', lastAttestedOn: '2026-12-10' }))).toBe('2026-12-11');
    expect(lastSeenOn(account({ createdAt: '2027-01-10T12:00:00Z', lastActivityDate: '2026-12-11' }))).toBe('2027-01-10');
  });
});

describe('accountChecks', () => {
  const today = '2027-01-13'; // Wednesday
  const none = new Set<TaskType>();
  const open = (...types: TaskType[]) => new Set<TaskType>(types);
  const kinds = (a: Account, t = today, o: ReadonlySet<TaskType> = none) => accountChecks(a, t, o).map((c) => c.kind);

  it('a weekly account unseen for 14 days is neglected (and asked to attest unless already asked)', () => {
    const a = account({ lastAttestedOn: '2026-12-30' });
    expect(kinds(a)).toEqual(['attest', 'neglected']);
    expect(kinds(a, today, open('attest_account'))).toEqual(['neglected']);
  });

  it('13 days is not yet neglected, but is past the attestation date', () => {
    expect(kinds(account({ lastAttestedOn: '2026-12-31' }))).toEqual(['attest']);
  });

  it('attested 3 days ago: nothing', () => {
    expect(kinds(account({ lastAttestedOn: '2027-01-10' }))).toEqual([]);
  });

  it('asks to attest a period after the last attestation, or after creation', () => {
    expect(kinds(account({ lastAttestedOn: '2027-01-06' }))).toEqual(['attest']);
    expect(kinds(account({ lastAttestedOn: '2027-01-07' }))).toEqual([]);
    expect(kinds(account({ createdAt: '2027-01-06T10:00:00Z' }))).toEqual(['attest']);
    expect(kinds(account({ createdAt: '2027-01-07T10:00:00Z' }))).toEqual([]);
    expect(kinds(account({ monitoringFrequency: 'monthly', lastAttestedOn: '2026-12-20' }))).toEqual([]);
    expect(kinds(account({ monitoringFrequency: 'monthly', lastAttestedOn: '2026-12-14' }))).toEqual(['attest']);
    expect(kinds(account({ monitoringFrequency: 'daily', lastAttestedOn: '2027-01-12' }))).toEqual(['attest']);
  });

  it('recent activity keeps an account from being neglected, but not from being asked to attest', () => {
    expect(kinds(account({ lastAttestedOn: '2026-12-01', lastActivityDate: '2027-01-11' }))).toEqual(['attest']);
  });

  it('neglect scales with the monitoring frequency', () => {
    expect(kinds(account({ monitoringFrequency: 'daily', lastAttestedOn: '2027-01-11' }), today, open('attest_account'))).toEqual(['neglected']);
    expect(kinds(account({ monitoringFrequency: 'daily', lastAttestedOn: '2027-01-12' }), today, open('attest_account'))).toEqual([]);
    expect(kinds(account({ monitoringFrequency: 'fortnightly', lastAttestedOn: '2026-12-16' }), today, open('attest_account'))).toEqual(['neglected']);
    expect(kinds(account({ monitoringFrequency: 'fortnightly', lastAttestedOn: '2026-12-17' }), today, open('attest_account'))).toEqual([]);
    expect(kinds(account({ monitoringFrequency: 'monthly', lastAttestedOn: '2026-11-14' }), today, open('attest_account'))).toEqual(['neglected']);
    expect(kinds(account({ monitoringFrequency: 'monthly', lastAttestedOn: '2026-11-15' }), today, open('attest_account'))).toEqual([]);
  });

  it('is not neglected again once marked', () => {
    expect(kinds(account({ lastAttestedOn: '2026-12-01', neglectedSince: '2026-12-15' }), today, open('attest_account'))).toEqual([]);
  });

  it('planned end within 30 days, or past: planned_end once (not while a planned_end task is open)', () => {
    const attested = { lastAttestedOn: '2027-01-12' };
    expect(kinds(account({ ...attested, plannedEndDate: '2027-02-12' }))).toEqual(['planned_end']); // 30 days on
    expect(kinds(account({ ...attested, plannedEndDate: '2027-02-13' }))).toEqual([]); // 31 days on
    expect(kinds(account({ ...attested, plannedEndDate: '2027-01-13' }))).toEqual(['planned_end']);
    expect(kinds(account({ ...attested, plannedEndDate: '2026-12-01' }))).toEqual(['planned_end']);
    expect(kinds(account({ ...attested, plannedEndDate: '2027-02-12' }), today, open('planned_end'))).toEqual([]);
  });

  it('fewer than two administrators: short_of_admins once (not while a replace_admin task is open)', () => {
    const attested = { lastAttestedOn: '2027-01-12' };
    expect(kinds(account({ ...attested, admins: ['a@oak.sch.uk'] }))).toEqual(['short_of_admins']);
    expect(kinds(account({ ...attested, admins: [] }))).toEqual(['short_of_admins']);
    expect(kinds(account({ ...attested, admins: ['a@oak.sch.uk', 'A@Oak.sch.uk'] }))).toEqual(['short_of_admins']);
    expect(kinds(account({ ...attested, admins: ['a@oak.sch.uk'] }), today, open('replace_admin'))).toEqual([]);
    expect(kinds(account({ ...attested, admins: ['a@oak.sch.uk'] }), today, open('transfer_or_close', 'attest_account'))).toEqual(['short_of_admins']);
  });

  it('past the review date: review_due (which stands in for attest: both are an attest_account task)', () => {
    const attested = { lastAttestedOn: '2027-01-12' };
    expect(kinds(account({ ...attested, nextReviewDate: '2027-01-12' }))).toEqual(['review_due']);
    expect(kinds(account({ ...attested, nextReviewDate: '2027-01-13' }))).toEqual([]);
    expect(kinds(account({ lastAttestedOn: '2027-01-01', nextReviewDate: '2027-01-12' }))).toEqual(['review_due']);
    expect(kinds(account({ ...attested, nextReviewDate: '2027-01-12' }), today, open('attest_account'))).toEqual([]);
  });

  it('everything at once', () => {
    const a = account({ lastAttestedOn: '2026-11-01', admins: ['a@oak.sch.uk'], plannedEndDate: '2027-01-31', nextReviewDate: '2027-01-01' });
    expect(kinds(a)).toEqual(['review_due', 'neglected', 'planned_end', 'short_of_admins']);
    expect(kinds(a, today, open('attest_account', 'planned_end', 'replace_admin'))).toEqual(['neglected']);
  });

  it('a transfer_pending account is still checked', () => {
    expect(kinds(account({ status: 'transfer_pending', admins: ['a@oak.sch.uk'], lastAttestedOn: '2027-01-12' }))).toEqual(['short_of_admins']);
  });

  it('nothing for a closed account, or one whose closure is already requested', () => {
    const neglectedEverything = { lastAttestedOn: '2026-01-01', admins: [], plannedEndDate: '2026-06-01', nextReviewDate: '2026-06-01' };
    expect(kinds(account({ ...neglectedEverything, status: 'closed', closedOn: '2026-06-01' }))).toEqual([]);
    expect(kinds(account({ ...neglectedEverything, status: 'closure_pending' }))).toEqual([]);
  });

  it('nothing on a non-working day', () => {
    const a = account({ lastAttestedOn: '2026-11-01', admins: ['a@oak.sch.uk'] });
    expect(kinds(a, '2027-01-16')).toEqual([]); // Saturday
    expect(kinds(a, '2026-12-28')).toEqual([]); // bank holiday
    expect(kinds(a, '2027-01-18').length).toBeGreaterThan(0);
  });
});

describe('nextAccountCheckOn', () => {
  const today = '2027-01-13'; // Wednesday

  it('is the next attestation date when nothing comes sooner', () => {
    expect(nextAccountCheckOn(account({ lastAttestedOn: '2027-01-11' }), today)).toBe('2027-01-18');
    expect(nextAccountCheckOn(account({ createdAt: '2027-01-12T09:00:00Z' }), today)).toBe('2027-01-19');
  });

  it('is moved to the working day on or after it', () => {
    // Monthly, attested Friday 18 December: +30 days is Sunday 17 January → Monday 18th.
    expect(nextAccountCheckOn(account({ monitoringFrequency: 'monthly', lastAttestedOn: '2026-12-18' }), '2027-01-04')).toBe('2027-01-18');
    // Weekly, attested Monday 21 December: +7 days is the 28th, a bank holiday → 29th.
    expect(nextAccountCheckOn(account({ lastAttestedOn: '2026-12-21' }), '2026-12-22')).toBe('2026-12-29');
  });

  it('is not held back by activity or a neglect mark (the neglect threshold never precedes the next attestation)', () => {
    const a = account({ monitoringFrequency: 'monthly', lastAttestedOn: '2027-01-04', lastActivityDate: '2026-12-01' });
    expect(nextAccountCheckOn(a, today)).toBe('2027-02-03'); // attestation 3 February
    expect(nextAccountCheckOn(account({ lastAttestedOn: '2027-01-12', neglectedSince: '2026-12-01' }), today)).toBe('2027-01-19');
  });

  it('is 30 days before the planned end, or the day after the review date, when sooner', () => {
    const attested = { lastAttestedOn: '2027-01-12' }; // next attestation Tuesday 19 January
    expect(nextAccountCheckOn(account({ ...attested, plannedEndDate: '2027-02-14' }), today)).toBe('2027-01-15');
    expect(nextAccountCheckOn(account({ ...attested, nextReviewDate: '2027-01-13' }), today)).toBe('2027-01-14');
    expect(nextAccountCheckOn(account({ ...attested, nextReviewDate: '2027-01-15' }), today)).toBe('2027-01-18'); // Sat 16 → Mon 18
    expect(nextAccountCheckOn(account({ ...attested, plannedEndDate: '2027-06-01', nextReviewDate: '2027-06-01' }), today)).toBe('2027-01-19');
  });

  it('is at least tomorrow (a working day) when something is already due', () => {
    const overdue = account({ lastAttestedOn: '2026-06-01' });
    expect(nextAccountCheckOn(overdue, today)).toBe('2027-01-14');
    expect(nextAccountCheckOn(overdue, '2027-01-15')).toBe('2027-01-18'); // Friday → Monday
    expect(nextAccountCheckOn(overdue, '2026-12-24')).toBe('2026-12-29');
  });

  it('is undefined for a closed account; a month on for one awaiting closure', () => {
    expect(nextAccountCheckOn(account({ status: 'closed' }), today)).toBeUndefined();
    expect(nextAccountCheckOn(account({ status: 'closure_pending', lastAttestedOn: '2026-06-01' }), today)).toBe('2027-02-12');
  });

  it('property: always a working day after today, and never later than a check that accountChecks would act on', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('daily', 'weekly', 'fortnightly', 'monthly') as fc.Arbitrary<Account['monitoringFrequency']>,
        fc.integer({ min: -90, max: 0 }),
        fc.option(fc.integer({ min: -60, max: 120 })),
        fc.option(fc.integer({ min: -60, max: 120 })),
        fc.integer({ min: 0, max: 60 }),
        (frequency, attestedOffset, endOffset, reviewOffset, todayOffset) => {
          const today = addDays('2026-11-02', todayOffset);
          const a = account({
            monitoringFrequency: frequency,
            lastAttestedOn: addDays(today, attestedOffset),
            ...(endOffset !== null ? { plannedEndDate: addDays(today, endOffset) } : {}),
            ...(reviewOffset !== null ? { nextReviewDate: addDays(today, reviewOffset) } : {}),
          });
          const next = nextAccountCheckOn(a, today)!;
          expect(next > today).toBe(true);
          expect(isWorkingDay(next)).toBe(true);
          // Nothing becomes due between today (exclusive) and the next check (exclusive) that was not due today.
          const dueToday = new Set(accountChecks(a, today, new Set()).map((c) => c.kind));
          for (let d = addDays(today, 1); d < next; d = addDays(d, 1)) {
            if (!isWorkingDay(d)) continue;
            for (const c of accountChecks(a, d, new Set())) expect(dueToday.has(c.kind) || (c.kind === 'attest' && dueToday.has('review_due'))).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('term time and holidays', () => {
  // October half term 2026: Saturday 24 October to Sunday 1 November (term ends Friday 23rd, restarts Monday 2nd);
  // the summer holiday 2027: Thursday 22 July to Wednesday 1 September (42 days).
  const HOLIDAYS: HolidayRange[] = [
    { start: '2026-10-24', end: '2026-11-01', name: 'October half term' },
    { start: '2027-07-22', end: '2027-09-01', name: 'Summer holiday' },
  ];
  const weeklyMonthly = (over: Partial<Account> = {}) => account({ monitoringFrequency: 'weekly', holidayMonitoringFrequency: 'monthly', ...over });

  it('the frequency in force is the holiday one during the school\'s holidays, when the account has one', () => {
    const a = weeklyMonthly();
    expect(frequencyOn(a, '2026-10-23', HOLIDAYS)).toBe('weekly');
    expect(frequencyOn(a, '2026-10-24', HOLIDAYS)).toBe('monthly');
    expect(frequencyOn(a, '2026-11-01', HOLIDAYS)).toBe('monthly');
    expect(frequencyOn(a, '2026-11-02', HOLIDAYS)).toBe('weekly');
    expect(frequencyOn(a, '2026-10-26', [])).toBe('weekly');
    expect(frequencyOn(a, '2026-10-26', undefined)).toBe('weekly');
    expect(frequencyOn(account(), '2026-10-26', HOLIDAYS)).toBe('weekly');
  });

  it('a weekly-in-term, monthly-in-holiday account asked the Thursday before half term is asked again the Thursday after it', () => {
    // 1 term day (1/7 each) + 9 holiday days (1/30 each) = 0.44 of a period by Sunday; 4 more term days make it whole.
    expect(attestationDueOn(weeklyMonthly({ lastAttestedOn: '2026-10-22' }), HOLIDAYS)).toBe('2026-11-05');
    // Without holidays (or without a holiday frequency) it is the plain week.
    expect(attestationDueOn(weeklyMonthly({ lastAttestedOn: '2026-10-22' }), [])).toBe('2026-10-29');
    expect(attestationDueOn(account({ lastAttestedOn: '2026-10-22' }), HOLIDAYS)).toBe('2026-10-29');
  });

  it('at the boundaries: asked on the first day back when the period built up over the holiday, never in the holiday itself', () => {
    // Attested Monday 19 October: 4 term days and the 9 holiday days leave 0.13 of a period for Monday 2 November.
    expect(attestationDueOn(weeklyMonthly({ lastAttestedOn: '2026-10-19' }), HOLIDAYS)).toBe('2026-11-02');
    // Attested in the half term (Monday 26th): 6 holiday days, then 6 term days; Saturday 7th, so asked Monday 9th.
    expect(attestationDueOn(weeklyMonthly({ lastAttestedOn: '2026-10-26' }), HOLIDAYS)).toBe('2026-11-07');
    expect(accountChecks(weeklyMonthly({ lastAttestedOn: '2026-10-26' }), '2026-11-09', new Set(), HOLIDAYS).map((c) => c.kind)).toEqual(['attest']);
    // Attested Saturday 17th: 6 term days are 6/7 of a period, made whole on Wednesday 28th, in the half term; but that
    // is not a month (the holiday period) since, so the request waits for term: Monday 2 November.
    expect(attestationDueOn(weeklyMonthly({ lastAttestedOn: '2026-10-17' }), HOLIDAYS)).toBe('2026-11-02');
    expect(attestationDueOn(weeklyMonthly({ lastAttestedOn: '2026-10-17' }), HOLIDAYS, '2026-10-20')).toBe('2026-11-02');
    // No day of the half term asks, whenever in the last week of term the last attestation was.
    for (let attested = '2026-10-17'; attested <= '2026-10-23'; attested = addDays(attested, 1)) {
      for (let d = '2026-10-24'; d <= '2026-11-01'; d = addDays(d, 1)) {
        const asked = accountChecks(weeklyMonthly({ lastAttestedOn: attested }), d, new Set(), HOLIDAYS).some((c) => c.kind === 'attest');
        expect(asked, `attested ${attested}, asked on ${d}`).toBe(false);
      }
    }
  });

  it('a long holiday asks at the holiday cadence: a month into the summer', () => {
    expect(attestationDueOn(weeklyMonthly({ lastAttestedOn: '2027-07-21' }), HOLIDAYS)).toBe('2027-08-20');
    // The next one: 12 holiday days are 0.4 of a period, and term (weekly, from 2 September) makes up the rest in 5 days.
    expect(attestationDueOn(weeklyMonthly({ lastAttestedOn: '2027-08-20' }), HOLIDAYS)).toBe('2027-09-06');
  });

  it('monthly in term and weekly in the holidays: asked early in the holiday', () => {
    const a = account({ monitoringFrequency: 'monthly', holidayMonitoringFrequency: 'weekly', lastAttestedOn: '2026-10-02' });
    // 21 term days are 0.7 of a month; the holiday's days count a seventh each: 3 of them.
    expect(attestationDueOn(a, HOLIDAYS)).toBe('2026-10-26');
    expect(accountChecks(a, '2026-10-26', new Set(), HOLIDAYS).map((c) => c.kind)).toEqual(['attest']);
  });

  it('neglect is two periods at the same cadence: not neglected on the first day back', () => {
    const a = weeklyMonthly({ lastAttestedOn: '2026-10-19' });
    expect(neglectedFrom(a, [])).toBe('2026-11-02');
    expect(neglectedFrom(a, HOLIDAYS)).toBe('2026-11-09');
    expect(accountChecks(a, '2026-11-02', new Set(['attest_account']), HOLIDAYS).map((c) => c.kind)).toEqual([]);
    expect(accountChecks(a, '2026-11-09', new Set(['attest_account']), HOLIDAYS).map((c) => c.kind)).toEqual(['neglected']);
    // Neglect over the summer holiday needs two months of it.
    expect(neglectedFrom(weeklyMonthly({ lastAttestedOn: '2027-07-21' }), HOLIDAYS)).toBe('2027-09-06');
    expect(neglectedFrom(weeklyMonthly({ lastAttestedOn: '2027-07-21' }), [])).toBe('2027-08-04');
  });

  it('the next check date follows the holidays when given, and is never later than it when they are not known', () => {
    const a = weeklyMonthly({ lastAttestedOn: '2026-10-22' });
    expect(nextAccountCheckOn(a, '2026-10-22', HOLIDAYS)).toBe('2026-11-05');
    expect(nextAccountCheckOn(a, '2026-10-22', [])).toBe('2026-10-29');
    expect(nextAccountCheckOn(a, '2026-10-22')).toBe('2026-10-29');
    const b = account({ monitoringFrequency: 'monthly', holidayMonitoringFrequency: 'weekly', lastAttestedOn: '2026-10-02' });
    expect(nextAccountCheckOn(b, '2026-10-02', HOLIDAYS)).toBe('2026-10-26');
    expect(nextAccountCheckOn(b, '2026-10-02', [])).toBe('2026-11-02'); // 1 November is a Sunday
    expect(nextAccountCheckOn(b, '2026-10-02')).toBe('2026-10-09'); // unknown: at the shorter (weekly) period
  });

  it('an account approved but not yet set up is left alone', () => {
    const a = weeklyMonthly({ status: 'approved', lastAttestedOn: '2026-01-01', admins: [] });
    expect(accountChecks(a, '2026-11-02', new Set(), HOLIDAYS)).toEqual([]);
    expect(nextAccountCheckOn(a, '2026-11-02', HOLIDAYS)).toBeUndefined();
  });

  it('property: with holidays, the next check is a working day after today and never later than a check accountChecks would act on; not knowing them never makes it later', () => {
    const frequency = fc.constantFrom('daily', 'weekly', 'fortnightly', 'monthly') as fc.Arbitrary<Account['monitoringFrequency']>;
    const holidays = fc.array(fc.tuple(fc.integer({ min: -80, max: 120 }), fc.integer({ min: 0, max: 45 })), { maxLength: 4 })
      .map((rs) => rs.map(([from, length]) => ({ start: addDays('2026-11-02', from), end: addDays('2026-11-02', from + length) })));
    fc.assert(
      fc.property(frequency, fc.option(frequency), holidays, fc.integer({ min: -90, max: 0 }), fc.option(fc.integer({ min: -60, max: 120 })), fc.integer({ min: 0, max: 60 }),
        (term, holiday, ranges, attestedOffset, reviewOffset, todayOffset) => {
          const today = addDays('2026-11-02', todayOffset);
          const a = account({
            monitoringFrequency: term,
            ...(holiday ? { holidayMonitoringFrequency: holiday } : {}),
            lastAttestedOn: addDays(today, attestedOffset),
            ...(reviewOffset !== null ? { nextReviewDate: addDays(today, reviewOffset) } : {}),
          });
          const next = nextAccountCheckOn(a, today, ranges)!;
          expect(next > today).toBe(true);
          expect(isWorkingDay(next)).toBe(true);
          expect(nextAccountCheckOn(a, today)! <= next).toBe(true);
          const dueToday = new Set(accountChecks(a, today, new Set(), ranges).map((c) => c.kind));
          for (let d = addDays(today, 1); d < next; d = addDays(d, 1)) {
            if (!isWorkingDay(d)) continue;
            for (const c of accountChecks(a, d, new Set(), ranges)) expect(dueToday.has(c.kind) || (c.kind === 'attest' && dueToday.has('review_due'))).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('holiday ranges are sorted, and overlapping or touching ones merged with their names', () => {
    expect(mergeHolidayRanges([
      { start: '2026-12-21', end: '2027-01-01', name: 'Christmas' },
      { start: '2026-10-26', end: '2026-10-30', name: 'Half term' },
      { start: '2027-01-01', end: '2027-01-01', name: 'Bank holiday' },
      { start: '2026-10-24', end: '2026-10-27' },
      { start: '2027-01-02', end: '2027-01-03' },
      { start: '2027-02-20', end: '2027-02-10', name: 'backwards' },
    ])).toEqual([
      { start: '2026-10-24', end: '2026-10-30', name: 'Half term' },
      { start: '2026-12-21', end: '2027-01-03', name: 'Christmas / Bank holiday' },
    ]);
    expect(mergeHolidayRanges([])).toEqual([]);
  });
});

describe('policies', () => {
  it('a review task is due to open from 60 days before the review date', () => {
    const p = policy({ nextReviewDate: '2027-03-01' }); // 60 days before: Thursday 31 December 2026
    expect(policyReviewTaskDueToOpen(p, '2026-12-30')).toBe(false);
    expect(policyReviewTaskDueToOpen(p, '2026-12-31')).toBe(true);
    expect(policyReviewTaskDueToOpen(p, '2027-03-01')).toBe(true);
    expect(policyReviewTaskDueToOpen(p, '2027-06-01')).toBe(true);
  });

  it('opens on the working day before when the 60th day is not one', () => {
    const p = policy({ nextReviewDate: '2027-02-26' }); // 60 days before: Monday 28 December, a bank holiday
    expect(policyReviewTaskDueToOpen(p, '2026-12-23')).toBe(false);
    expect(policyReviewTaskDueToOpen(p, '2026-12-24')).toBe(true);
  });

  it('is next looked at when its review task opens, or the next working day once within', () => {
    expect(nextPolicyCheckOn(policy({ nextReviewDate: '2027-03-01' }), '2026-11-01')).toBe('2026-12-31');
    expect(nextPolicyCheckOn(policy({ nextReviewDate: '2027-03-01' }), '2026-12-30')).toBe('2026-12-31');
    expect(nextPolicyCheckOn(policy({ nextReviewDate: '2027-03-01' }), '2026-12-31')).toBe('2027-01-04');
    expect(nextPolicyCheckOn(policy({ nextReviewDate: '2027-03-01' }), '2027-02-10')).toBe('2027-02-11');
    expect(nextPolicyCheckOn(policy({ nextReviewDate: '2026-01-01' }), '2027-02-12')).toBe('2027-02-15');
    expect(nextPolicyCheckOn(policy({ nextReviewDate: '2027-02-26' }), '2026-12-01')).toBe('2026-12-24');
  });
});

describe('rollReviewDate', () => {
  it('is 12 months on from the current review date', () => {
    expect(rollReviewDate('2027-03-01', '2027-02-20')).toBe('2028-03-01'); // reviewed early
    expect(rollReviewDate('2027-03-01', '2027-03-01')).toBe('2028-03-01');
    expect(rollReviewDate('2026-11-01', '2027-02-01')).toBe('2027-11-01'); // three months overdue
  });

  it('is 12 months on from today when the review is a year or more overdue', () => {
    expect(rollReviewDate('2025-06-01', '2027-01-13')).toBe('2028-01-13');
    expect(rollReviewDate('2026-01-13', '2027-01-13')).toBe('2028-01-13'); // exactly a year: not due again today
    expect(rollReviewDate('2026-01-14', '2027-01-13')).toBe('2027-01-14');
  });

  it('uses the date given', () => {
    expect(rollReviewDate('2027-03-01', '2027-02-20', '2027-09-01')).toBe('2027-09-01');
    expect(rollReviewDate('2025-03-01', '2027-02-20', '2027-09-01')).toBe('2027-09-01');
  });

  it('turns 29 February into 28 February', () => {
    expect(rollReviewDate('2028-02-29', '2028-02-01')).toBe('2029-02-28');
    expect(rollReviewDate('2024-02-29', '2024-03-10')).toBe('2025-02-28');
    expect(rollReviewDate('2026-01-01', '2028-02-29')).toBe('2029-02-28'); // from today, a leap day
    expect(rollReviewDate('2027-02-28', '2027-01-01')).toBe('2028-02-28'); // not 29th
  });
});

describe('isDigestDay', () => {
  it('is Monday in a normal week', () => {
    expect(isDigestDay('2027-01-11')).toBe(true);
    expect(isDigestDay('2027-01-12')).toBe(false);
    expect(isDigestDay('2027-01-15')).toBe(false);
    expect(isDigestDay('2027-01-16')).toBe(false);
    expect(isDigestDay('2027-01-17')).toBe(false);
  });

  it('is Tuesday 29 December 2026, after the Monday bank holiday', () => {
    expect(isDigestDay('2026-12-28')).toBe(false);
    expect(isDigestDay('2026-12-29')).toBe(true);
    expect(isDigestDay('2026-12-30')).toBe(false);
  });

  it('is Monday 4 January 2027 (New Year fell the Friday before) and Tuesday after Easter Monday', () => {
    expect(isDigestDay('2027-01-04')).toBe(true);
    expect(isDigestDay('2027-03-29')).toBe(false);
    expect(isDigestDay('2027-03-30')).toBe(true);
  });

  it('is Wednesday 29 December 2027, after two bank holidays', () => {
    expect(isDigestDay('2027-12-27')).toBe(false);
    expect(isDigestDay('2027-12-28')).toBe(false);
    expect(isDigestDay('2027-12-29')).toBe(true);
  });

  it('happens exactly once in every week', () => {
    for (let monday = '2026-01-05'; monday < '2028-01-03'; monday = addDays(monday, 7)) {
      const week = days(monday, addDays(monday, 6));
      expect(week.filter(isDigestDay), monday).toHaveLength(1);
    }
  });
});

describe('isoWeek', () => {
  it('numbers weeks around the new year', () => {
    expect(isoWeek('2026-12-21')).toBe('2026-W52');
    expect(isoWeek('2026-12-28')).toBe('2026-W53'); // 2026 has 53 ISO weeks (it starts on a Thursday)
    expect(isoWeek('2027-01-01')).toBe('2026-W53');
    expect(isoWeek('2027-01-03')).toBe('2026-W53');
    expect(isoWeek('2027-01-04')).toBe('2027-W01');
    expect(isoWeek('2025-12-29')).toBe('2026-W01'); // a Monday in December belongs to the next year's week 1
    expect(isoWeek('2026-01-01')).toBe('2026-W01');
    expect(isoWeek('2027-12-31')).toBe('2027-W52');
    expect(isoWeek('2021-01-03')).toBe('2020-W53');
    expect(isoWeek('2024-12-30')).toBe('2025-W01');
    expect(isoWeek('2027-06-15')).toBe('2027-W24');
  });

  it('is the same for all seven days of a week and changes on Monday', () => {
    for (let monday = '2025-12-01'; monday < '2028-02-01'; monday = addDays(monday, 7)) {
      const label = isoWeek(monday);
      for (let i = 1; i < 7; i++) expect(isoWeek(addDays(monday, i))).toBe(label);
      expect(isoWeek(addDays(monday, 7))).not.toBe(label);
    }
  });
});
