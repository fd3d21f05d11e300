import { nextTaskActionOn } from '../../functions/domain/schedule.ts';
import { describe, expect, it } from 'vitest';
import { joinerTask, planCancellation, planLeaver, type AccountPlan, type LeaverReport, type PlanContext } from '../../functions/domain/leavers.ts';
import type { Account, School } from '../../functions/domain/model.ts';
import { taskId, type Task } from '../../functions/domain/tasks.ts';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures

const TODAY = '2026-12-01'; // a Tuesday
const NOW = '2026-12-01T09:00:00.000Z';
const TRUST = 'it@trust.org.uk';

const JO = 'jo.bloggs@oak.sch.uk';
const JO_ALIAS = 'jbloggs@oak.sch.uk';
const HEAD = 'head@oak.sch.uk';
const OAK_IT = 'it.oak@oak.sch.uk';
const SAM = 'sam@oak.sch.uk';
const ALEX = 'alex@oak.sch.uk';
const OFFICE = 'office@oak.sch.uk';

const oak: School = { id: 'oak', name: 'Oak Primary', itManagers: [OAK_IT], domains: ['oak.sch.uk'] };
const elm: School = { id: 'elm', name: 'Elm Academy', itManagers: [], domains: ['elm.sch.uk'] };

function ctx(over: Partial<PlanContext> = {}): PlanContext {
  return { today: TODAY, nowIso: NOW, trustItContact: TRUST, escalateAfter: 3, schools: new Map([[oak.id, oak], [elm.id, elm]]), ...over };
}

function account(over: Partial<Account> = {}): Account {
  return {
    id: 'facebook:oakprimary',
    platform: 'facebook',
    handle: 'OakPrimary',
    school: 'oak',
    linkedEmail: OFFICE,
    admins: [SAM, ALEX],
    mainSupervisor: HEAD,
    monitoringFrequency: 'weekly',
    status: 'active',
    createdAt: '2026-09-01T10:00:00.000Z',
    updatedAt: '2026-09-01T10:00:00.000Z',
    version: 3,
    ...over,
  };
}

function report(over: Partial<LeaverReport> = {}): LeaverReport {
  return {
    addresses: [JO, JO_ALIAS],
    displayName: 'Jo Bloggs',
    leaveDate: '2026-12-18',
    lineManager: HEAD,
    eventId: 'evt-1',
    eventTime: '2026-12-01T08:00:00Z',
    ...over,
  };
}

function task(over: Partial<Task> & Pick<Task, 'id' | 'type' | 'subjectEmail'>): Task {
  return {
    status: 'open',
    accountId: 'facebook:oakprimary',
    dueDate: '2026-12-18',
    assignees: [HEAD, OAK_IT],
    reason: 'a reason',
    eventDate: '2026-12-18',
    sourceEvent: 'evt-1',
    sourceTime: '2026-12-01T08:00:00Z',
    createdAt: '2026-12-01T08:00:05.000Z',
    updatedAt: '2026-12-01T08:00:05.000Z',
    version: 1,
    delivery: { kind: 'created', state: 'sent', sentAt: '2026-12-01T08:00:06.000Z' },
    remindersSent: 0,
    ...over,
  };
}

const noTasks = () => new Map<string, Task>();
const allTasks = (plans: AccountPlan[]) => plans.flatMap((p) => p.tasks.map((t) => t.after));
const byId = (tasks: Task[]) => new Map(tasks.map((t) => [t.id, t]));
/** The accounts as the use case would have written them. */
const applied = (accounts: Account[], plans: AccountPlan[]) => accounts.map((a) => plans.find((p) => p.before.id === a.id)?.after ?? a);

// ---------------------------------------------------------------------------------------------------------------

describe('planLeaver: the account is registered to the leaver', () => {
  it('creates a transfer_or_close task and marks the account transfer_pending', () => {
    const acc = account({ linkedEmail: JO });
    const plans = planLeaver(report(), [acc], noTasks(), ctx());
    expect(plans).toHaveLength(1);
    const [plan] = plans as [AccountPlan];
    expect(plan.before).toBe(acc);
    expect(plan.after).toEqual({ ...acc, status: 'transfer_pending', updatedAt: NOW, version: 4 });
    expect(plan.tasks).toHaveLength(1);
    expect(plan.tasks[0]!.before).toBeUndefined();
    expect(plan.tasks[0]!.after).toEqual({
      id: taskId('transfer_or_close', 'facebook:oakprimary', JO),
      type: 'transfer_or_close',
      status: 'open',
      subjectEmail: JO,
      subjectName: 'Jo Bloggs',
      accountId: 'facebook:oakprimary',
      platform: 'facebook',
      handle: 'OakPrimary',
      school: 'oak',
      dueDate: '2026-12-18',
      eventDate: '2026-12-18',
      assignees: [HEAD, OAK_IT],
      lineManager: HEAD,
      reason: "Facebook @OakPrimary is registered to Jo Bloggs's email address, and Jo Bloggs is leaving",
      sourceEvent: 'evt-1',
      sourceTime: '2026-12-01T08:00:00Z',
      createdAt: NOW,
      updatedAt: NOW,
      version: 1,
      delivery: { kind: 'created', state: 'pending' },
      remindersSent: 0,
      nextActionOn: nextTaskActionOn({ type: 'transfer_or_close', dueDate: '2026-12-18' }, TODAY, 3),
    });
  });

  it('does not change the objects it was given', () => {
    const acc = account({ linkedEmail: JO, admins: [JO, SAM] });
    const snapshot = structuredClone(acc);
    const r = report();
    const rSnapshot = structuredClone(r);
    planLeaver(r, [acc], noTasks(), ctx());
    expect(acc).toEqual(snapshot);
    expect(r).toEqual(rSnapshot);
  });

  it('leaves a closure_pending account in that status, but still asks about it', () => {
    const acc = account({ linkedEmail: JO, status: 'closure_pending' });
    const [plan] = planLeaver(report(), [acc], noTasks(), ctx()) as [AccountPlan];
    expect(plan.after).toBe(acc);
    expect(plan.tasks.map((t) => t.after.type)).toEqual(['transfer_or_close']);
  });

  it('matches the leaver through an alias among their addresses', () => {
    const acc = account({ linkedEmail: JO_ALIAS });
    const [plan] = planLeaver(report({ addresses: [JO, JO_ALIAS] }), [acc], noTasks(), ctx()) as [AccountPlan];
    expect(plan.after.status).toBe('transfer_pending');
    const t = plan.tasks[0]!.after;
    expect(t.subjectEmail).toBe(JO_ALIAS); // the address as it appears on the account
    expect(t.id).toBe(taskId('transfer_or_close', acc.id, JO_ALIAS));
    expect(t.assignees).not.toContain(JO);
    expect(t.assignees).not.toContain(JO_ALIAS);
  });

  it('names the leaver by their first address when there is no display name', () => {
    const [plan] = planLeaver(report({ displayName: undefined }), [account({ linkedEmail: JO })], noTasks(), ctx()) as [AccountPlan];
    expect(plan.tasks[0]!.after.reason).toBe(`Facebook @OakPrimary is registered to ${JO}'s email address, and ${JO} is leaving`);
    expect(plan.tasks[0]!.after.subjectName).toBeUndefined();
  });

  it('asks the trust IT contact when the line manager is unknown, and records no line manager', () => {
    const [plan] = planLeaver(report({ lineManager: undefined }), [account({ linkedEmail: JO })], noTasks(), ctx()) as [AccountPlan];
    const t = plan.tasks[0]!.after;
    expect(t.assignees).toEqual([OAK_IT, TRUST]);
    expect('lineManager' in t).toBe(false);
  });

  it('asks the trust IT contact when the school has no IT managers or is not set up', () => {
    const [atElm] = planLeaver(report(), [account({ school: 'elm', linkedEmail: JO })], noTasks(), ctx()) as [AccountPlan];
    expect(atElm.tasks[0]!.after.assignees).toEqual([HEAD, TRUST]);
    const [unknown] = planLeaver(report(), [account({ school: 'nowhere', linkedEmail: JO })], noTasks(), ctx()) as [AccountPlan];
    expect(unknown.tasks[0]!.after.assignees).toEqual([HEAD, TRUST]);
  });

  it('never asks the leaver, even when they are the school IT manager', () => {
    const schools = new Map([['oak', { ...oak, itManagers: [JO_ALIAS, OAK_IT] }]]);
    const [plan] = planLeaver(report(), [account({ linkedEmail: JO })], noTasks(), ctx({ schools })) as [AccountPlan];
    expect(plan.tasks[0]!.after.assignees).toEqual([HEAD, OAK_IT]);
  });

  it('gives a late notice two working days from today', () => {
    const [plan] = planLeaver(report({ leaveDate: '2026-11-20' }), [account({ linkedEmail: JO })], noTasks(), ctx()) as [AccountPlan];
    expect(plan.tasks[0]!.after.dueDate).toBe('2026-12-03');
    expect(plan.tasks[0]!.after.eventDate).toBe('2026-11-20');
  });

  it('moves a leave date on a bank holiday back to the working day before', () => {
    const [plan] = planLeaver(report({ leaveDate: '2026-12-28' }), [account({ linkedEmail: JO })], noTasks(), ctx()) as [AccountPlan];
    expect(plan.tasks[0]!.after.dueDate).toBe('2026-12-24');
  });
});

describe('planLeaver: the leaver is an administrator', () => {
  it('removes them from an account with three administrators, with no task', () => {
    const acc = account({ admins: [SAM, JO, ALEX] });
    const plans = planLeaver(report(), [acc], noTasks(), ctx());
    expect(plans).toHaveLength(1);
    expect(plans[0]!.tasks).toEqual([]);
    expect(plans[0]!.after).toEqual({ ...acc, admins: [SAM, ALEX], removedAdmins: [{ email: JO, removedOn: TODAY }], updatedAt: NOW, version: 4 });
  });

  it('removes them from an account with two administrators and asks for a replacement', () => {
    const acc = account({ admins: [JO, SAM] });
    const [plan] = planLeaver(report(), [acc], noTasks(), ctx()) as [AccountPlan];
    expect(plan.after.admins).toEqual([SAM]);
    expect(plan.after.removedAdmins).toEqual([{ email: JO, removedOn: TODAY }]);
    expect(plan.after.status).toBe('active');
    expect(plan.tasks).toHaveLength(1);
    expect(plan.tasks[0]!.after).toMatchObject({
      id: taskId('replace_admin', acc.id, JO),
      type: 'replace_admin',
      status: 'open',
      subjectEmail: JO,
      accountId: acc.id,
      dueDate: '2026-12-18',
      assignees: [HEAD, OAK_IT],
      reason: 'Jo Bloggs was an administrator of Facebook @OakPrimary, which now has 1 administrator',
    });
  });

  it('says "0 administrators" when they were the only one', () => {
    const [plan] = planLeaver(report(), [account({ admins: [JO] })], noTasks(), ctx()) as [AccountPlan];
    expect(plan.after.admins).toEqual([]);
    expect(plan.tasks[0]!.after.reason).toBe('Jo Bloggs was an administrator of Facebook @OakPrimary, which now has 0 administrators');
  });

  it('removes every alias of theirs, with one task about the first', () => {
    const acc = account({ admins: [JO_ALIAS, SAM, JO] });
    const [plan] = planLeaver(report(), [acc], noTasks(), ctx()) as [AccountPlan];
    expect(plan.after.admins).toEqual([SAM]);
    expect(plan.after.removedAdmins).toEqual([{ email: JO_ALIAS, removedOn: TODAY }, { email: JO, removedOn: TODAY }]);
    expect(plan.tasks.map((t) => [t.after.type, t.after.subjectEmail])).toEqual([['replace_admin', JO_ALIAS]]);
  });

  it('keeps administrators removed earlier for someone else', () => {
    const earlier = { email: 'former@oak.sch.uk', removedOn: '2026-10-01' };
    const [plan] = planLeaver(report(), [account({ admins: [JO, SAM, ALEX], removedAdmins: [earlier] })], noTasks(), ctx()) as [AccountPlan];
    expect(plan.after.removedAdmins).toEqual([earlier, { email: JO, removedOn: TODAY }]);
  });

  it('when already removed earlier (removedAdmins), yields no duplicate task and no second removal', () => {
    // First report: two admins → one, with a task.
    const acc = account({ admins: [JO, SAM] });
    const first = planLeaver(report(), [acc], noTasks(), ctx());
    const existing = byId(allTasks(first));
    const after = applied([acc], first);
    expect(after[0]!.removedAdmins).toEqual([{ email: JO, removedOn: TODAY }]);

    // The same report again, days later: nothing to do.
    expect(planLeaver(report(), after, existing, ctx({ today: '2026-12-03', nowIso: '2026-12-03T09:00:00.000Z' }))).toEqual([]);
    // A newer report with the same leave date: nothing to do either.
    expect(planLeaver(report({ eventId: 'evt-2', eventTime: '2026-12-02T08:00:00Z' }), after, existing, ctx())).toEqual([]);
  });

  it('when already removed earlier from an account that still has two administrators, creates nothing', () => {
    const acc = account({ admins: [SAM, ALEX], removedAdmins: [{ email: JO, removedOn: '2026-11-25' }] });
    expect(planLeaver(report(), [acc], noTasks(), ctx())).toEqual([]);
  });

  it('when already removed earlier, finds the existing replace_admin task through removedAdmins and moves its due date', () => {
    const acc = account({ admins: [SAM], removedAdmins: [{ email: JO, removedOn: '2026-11-25' }] });
    const existing = task({ id: taskId('replace_admin', acc.id, JO), type: 'replace_admin', subjectEmail: JO, dueDate: '2027-01-15', eventDate: '2027-01-15' });
    const plans = planLeaver(report({ leaveDate: '2027-01-08', eventId: 'evt-2', eventTime: '2026-12-02T08:00:00Z' }), [acc], byId([existing]), ctx());
    expect(plans).toHaveLength(1);
    expect(plans[0]!.after).toBe(acc); // no second removal
    expect(plans[0]!.tasks).toHaveLength(1);
    expect(plans[0]!.tasks[0]!.before).toBe(existing);
    expect(plans[0]!.tasks[0]!.after).toMatchObject({ id: existing.id, dueDate: '2027-01-08', eventDate: '2027-01-08', version: 2 });
  });
});

describe('planLeaver: the leaver is a supervisor', () => {
  it('asks for a replacement for each role, with distinct ids', () => {
    const acc = account({ mainSupervisor: JO, reserveSupervisor: JO_ALIAS });
    const plans = planLeaver(report(), [acc], noTasks(), ctx());
    expect(plans).toHaveLength(1);
    expect(plans[0]!.after).toBe(acc); // supervisors are not removed from the register
    const tasks = allTasks(plans);
    expect(tasks.map((t) => [t.type, t.role, t.subjectEmail])).toEqual([
      ['replace_supervisor', 'main_supervisor', JO],
      ['replace_supervisor', 'reserve_supervisor', JO_ALIAS],
    ]);
    expect(tasks[0]!.id).toBe(taskId('replace_supervisor', `${acc.id}#main_supervisor`, JO));
    expect(tasks[1]!.id).toBe(taskId('replace_supervisor', `${acc.id}#reserve_supervisor`, JO_ALIAS));
    expect(tasks[0]!.id).not.toBe(tasks[1]!.id);
    expect(tasks[0]!.reason).toBe('Jo Bloggs is the main supervisor of Facebook @OakPrimary, and is leaving');
    expect(tasks[1]!.reason).toBe('Jo Bloggs is the reserve supervisor of Facebook @OakPrimary, and is leaving');
  });

  it('gives distinct ids for both roles held under the same address', () => {
    const tasks = allTasks(planLeaver(report(), [account({ mainSupervisor: JO, reserveSupervisor: JO })], noTasks(), ctx()));
    expect(tasks).toHaveLength(2);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(2);
  });

  it('ignores a reserve supervisor who is someone else, or absent', () => {
    expect(allTasks(planLeaver(report(), [account({ mainSupervisor: JO, reserveSupervisor: SAM })], noTasks(), ctx())).map((t) => t.role)).toEqual(['main_supervisor']);
    expect(allTasks(planLeaver(report(), [account({ reserveSupervisor: JO })], noTasks(), ctx())).map((t) => t.role)).toEqual(['reserve_supervisor']);
  });
});

describe('planLeaver: an address that is gone (cause address_gone)', () => {
  it('asks about accounts registered to the address, and nothing else', () => {
    const acc = account({ linkedEmail: JO, admins: [JO, SAM], mainSupervisor: JO, reserveSupervisor: JO_ALIAS });
    const plans = planLeaver(report({ cause: 'address_gone' }), [acc], noTasks(), ctx());
    expect(plans).toHaveLength(1);
    expect(plans[0]!.after).toEqual({ ...acc, status: 'transfer_pending', updatedAt: NOW, version: 4 }); // admins untouched
    const tasks = allTasks(plans);
    expect(tasks.map((t) => t.type)).toEqual(['transfer_or_close']);
    expect(tasks[0]!.id).toBe(taskId('transfer_or_close', acc.id, JO));
    expect(tasks[0]!.reason).toBe(`Facebook @OakPrimary is registered to ${JO}, which no longer exists in the directory`);
  });

  it('plans nothing for accounts where the address is only an administrator or supervisor', () => {
    const acc = account({ admins: [JO, SAM], mainSupervisor: JO });
    expect(planLeaver(report({ cause: 'address_gone' }), [acc], noTasks(), ctx())).toEqual([]);
  });

  it('gives the same task id as a leaver report, so the two do not duplicate', () => {
    const acc = account({ linkedEmail: JO });
    const gone = planLeaver(report({ cause: 'address_gone' }), [acc], noTasks(), ctx());
    expect(planLeaver(report(), applied([acc], gone), byId(allTasks(gone)), ctx())).toEqual([]);
  });

  it('behaves as a leaver report when the cause is leaving', () => {
    const acc = account({ linkedEmail: JO, admins: [JO, SAM] });
    expect(planLeaver(report({ cause: 'leaving' }), [acc], noTasks(), ctx())).toEqual(planLeaver(report(), [acc], noTasks(), ctx()));
  });
});

describe('planLeaver: several ties and several accounts', () => {
  it('gives one plan per account with every task it needs', () => {
    const acc = account({ linkedEmail: JO, admins: [JO, SAM], mainSupervisor: JO_ALIAS });
    const plans = planLeaver(report(), [acc], noTasks(), ctx());
    expect(plans).toHaveLength(1);
    expect(plans[0]!.after).toMatchObject({ status: 'transfer_pending', admins: [SAM], version: 4 });
    const tasks = allTasks(plans);
    expect(tasks.map((t) => t.type)).toEqual(['transfer_or_close', 'replace_admin', 'replace_supervisor']);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(3);
  });

  it('skips closed accounts and accounts with no tie to the leaver', () => {
    const closed = account({ id: 'x:closed', platform: 'x', handle: 'closed', linkedEmail: JO, admins: [JO], mainSupervisor: JO, status: 'closed', closedOn: '2026-10-01' });
    const unrelated = account({ id: 'x:other', platform: 'x', handle: 'other' });
    const mine = account({ id: 'instagram:oak', platform: 'instagram', handle: 'oak', linkedEmail: JO });
    const plans = planLeaver(report(), [closed, unrelated, mine], noTasks(), ctx());
    expect(plans.map((p) => p.before.id)).toEqual(['instagram:oak']);
    expect(planLeaver(report(), [closed], noTasks(), ctx())).toEqual([]);
    expect(planLeaver(report(), [], noTasks(), ctx())).toEqual([]);
  });
});

describe('planLeaver: duplicate and late reports', () => {
  const tied = () => [
    account({ linkedEmail: JO, admins: [JO, SAM] }),
    account({ id: 'x:oak', platform: 'x', handle: 'oak', mainSupervisor: JO, reserveSupervisor: JO_ALIAS }),
  ];

  it('plans nothing for a duplicate report (same event time, tasks already open)', () => {
    const accounts = tied();
    const first = planLeaver(report(), accounts, noTasks(), ctx());
    expect(allTasks(first)).toHaveLength(4);
    const again = planLeaver(report(), applied(accounts, first), byId(allTasks(first)), ctx());
    expect(again).toEqual([]);
  });

  it('plans nothing for a duplicate under another event id with the same time (HR and the directory)', () => {
    const accounts = tied();
    const first = planLeaver(report(), accounts, noTasks(), ctx());
    expect(planLeaver(report({ eventId: 'dir-1' }), applied(accounts, first), byId(allTasks(first)), ctx())).toEqual([]);
  });

  it('moves the due date when a newer report brings the leave date forward', () => {
    const accounts = tied();
    const first = planLeaver(report({ leaveDate: '2027-01-29' }), accounts, noTasks(), ctx());
    const existing = byId(allTasks(first));
    const moved = planLeaver(
      report({ leaveDate: '2027-01-08', eventId: 'evt-2', eventTime: '2026-12-05T10:00:00Z' }),
      applied(accounts, first),
      existing,
      ctx({ nowIso: '2026-12-05T10:00:01.000Z' }),
    );
    expect(moved).toHaveLength(2);
    for (const plan of moved) expect(plan.after).toBe(plan.before); // the accounts are already flagged
    const changes = moved.flatMap((p) => p.tasks);
    expect(changes).toHaveLength(4);
    for (const { before, after } of changes) {
      expect(before).toBe(existing.get(after.id));
      expect(after).toEqual({
        ...before,
        dueDate: '2027-01-08',
        eventDate: '2027-01-08',
        sourceEvent: 'evt-2',
        sourceTime: '2026-12-05T10:00:00Z',
        // Reminders follow the new due date.
        nextActionOn: nextTaskActionOn({ type: after.type, dueDate: '2027-01-08' }, TODAY, 3),
        updatedAt: '2026-12-05T10:00:01.000Z',
        version: 2,
      });
    }
  });

  it('moves the due date to the Friday before when the new leave date is a Sunday', () => {
    const acc = account({ linkedEmail: JO });
    const first = planLeaver(report({ leaveDate: '2027-01-29' }), [acc], noTasks(), ctx());
    const [plan] = planLeaver(report({ leaveDate: '2027-01-10', eventTime: '2026-12-05T10:00:00Z' }), applied([acc], first), byId(allTasks(first)), ctx()) as [AccountPlan];
    expect(plan.tasks[0]!.after.dueDate).toBe('2027-01-08');
    expect(plan.tasks[0]!.after.eventDate).toBe('2027-01-10');
  });

  it('never pushes the due date back: a newer report with a later leave date changes nothing', () => {
    // Current rule in reconcile(): once one source says the address is going sooner, the sooner date stands.
    // (This also applies to HR postponing a leave date; see the report.)
    const accounts = tied();
    const first = planLeaver(report(), accounts, noTasks(), ctx());
    expect(planLeaver(report({ leaveDate: '2027-01-08', eventId: 'evt-2', eventTime: '2026-12-05T10:00:00Z' }), applied(accounts, first), byId(allTasks(first)), ctx())).toEqual([]);
  });

  it('does not move the due date when the newer leave date gives the same due date', () => {
    const acc = account({ linkedEmail: JO });
    const first = planLeaver(report({ leaveDate: '2026-12-20' }), [acc], noTasks(), ctx()); // Sunday → due Friday 18th
    expect(allTasks(first)[0]!.dueDate).toBe('2026-12-18');
    expect(planLeaver(report({ leaveDate: '2026-12-18', eventTime: '2026-12-05T10:00:00Z' }), applied([acc], first), byId(allTasks(first)), ctx())).toEqual([]);
  });

  it('does not move the due date for an older report with another leave date', () => {
    const accounts = tied();
    const first = planLeaver(report({ eventTime: '2026-12-05T10:00:00Z' }), accounts, noTasks(), ctx());
    const older = planLeaver(report({ leaveDate: '2026-12-11', eventId: 'evt-0', eventTime: '2026-11-30T10:00:00Z' }), applied(accounts, first), byId(allTasks(first)), ctx());
    expect(older).toEqual([]);
  });

  it('plans nothing for a newer report with the same leave date', () => {
    const accounts = tied();
    const first = planLeaver(report(), accounts, noTasks(), ctx());
    expect(planLeaver(report({ eventId: 'evt-2', eventTime: '2026-12-05T10:00:00Z' }), applied(accounts, first), byId(allTasks(first)), ctx())).toEqual([]);
  });

  it('does not re-open a task that was done', () => {
    const acc = account({ mainSupervisor: JO });
    const done = task({
      id: taskId('replace_supervisor', `${acc.id}#main_supervisor`, JO), type: 'replace_supervisor', subjectEmail: JO, role: 'main_supervisor',
      status: 'done', resolution: { action: 'transfer', to: SAM, by: HEAD, at: '2026-12-02T10:00:00Z' },
    });
    expect(planLeaver(report({ leaveDate: '2026-12-11', eventTime: '2026-12-05T10:00:00Z' }), [acc], byId([done]), ctx())).toEqual([]);
  });

  it('a duplicate report after the transfer task was kept changes nothing', () => {
    const acc = account({ linkedEmail: JO, status: 'active', version: 5 });
    const kept = task({
      id: taskId('transfer_or_close', acc.id, JO), type: 'transfer_or_close', subjectEmail: JO,
      status: 'done', resolution: { action: 'keep', reason: 'the office shares this inbox', by: HEAD, at: '2026-12-02T10:00:00Z' },
    });
    expect(planLeaver(report(), [acc], byId([kept]), ctx())).toEqual([]);
  });
});

describe('planLeaver: after a cancellation', () => {
  /** Reported, then cancelled: the accounts and tasks as they stand after both were written. */
  function reportedThenCancelled() {
    const accounts = [account({ linkedEmail: JO, admins: [JO, SAM], mainSupervisor: JO })];
    const first = planLeaver(report(), accounts, noTasks(), ctx());
    const afterReport = applied(accounts, first);
    const sent = allTasks(first).map((t) => ({ ...t, delivery: { kind: 'created' as const, state: 'sent' as const, sentAt: NOW }, remindersSent: 2, lastReminderOn: '2026-12-03', escalatedOn: '2026-12-04' }));
    const cancellation = planCancellation([JO, JO_ALIAS], afterReport, sent, 'HR withdrew the resignation', 'system:hr', ctx({ nowIso: '2026-12-04T12:00:00.000Z' }));
    const accountsNow = afterReport.map((a) => cancellation.accounts.find((c) => c.before.id === a.id)?.after ?? a);
    const tasksNow = cancellation.tasks.map((t) => t.after);
    return { accountsNow, tasksNow };
  }

  it('re-opens the cancelled tasks for a newer report, as if new', () => {
    const { accountsNow, tasksNow } = reportedThenCancelled();
    expect(accountsNow[0]).toMatchObject({ status: 'active', admins: [SAM, JO] });
    expect(tasksNow.every((t) => t.status === 'cancelled')).toBe(true);

    const nowIso = '2026-12-10T09:00:00.000Z';
    const plans = planLeaver(
      report({ leaveDate: '2027-01-29', eventId: 'evt-3', eventTime: '2026-12-10T08:00:00Z' }),
      accountsNow,
      byId(tasksNow),
      ctx({ today: '2026-12-10', nowIso }),
    );
    expect(plans).toHaveLength(1);
    expect(plans[0]!.after).toMatchObject({ status: 'transfer_pending', admins: [SAM], removedAdmins: [{ email: JO, removedOn: '2026-12-10' }] });
    const changes = plans[0]!.tasks;
    expect(changes.map((c) => c.after.type)).toEqual(['transfer_or_close', 'replace_admin', 'replace_supervisor']);
    for (const { before, after } of changes) {
      expect(before?.status).toBe('cancelled');
      expect(after).toMatchObject({
        id: before!.id,
        status: 'open',
        dueDate: '2027-01-29',
        eventDate: '2027-01-29',
        sourceEvent: 'evt-3',
        sourceTime: '2026-12-10T08:00:00Z',
        delivery: { kind: 'created', state: 'pending' },
        remindersSent: 0,
        createdAt: before!.createdAt,
        updatedAt: nowIso,
        version: before!.version + 1,
      });
      expect(after.resolution).toBeUndefined();
      expect(after.lastReminderOn).toBeUndefined();
      expect(after.escalatedOn).toBeUndefined();
      expect(after.delivery).toEqual({ kind: 'created', state: 'pending' });
    }
  });

  it('does not re-open the cancelled tasks for an older or equally old report', () => {
    const { accountsNow, tasksNow } = reportedThenCancelled();
    // (The use case also skips, before planning, any report no newer than the recorded cancellation.)
    for (const eventTime of ['2026-11-30T08:00:00Z', '2026-12-01T08:00:00Z']) {
      const plans = planLeaver(report({ eventTime, eventId: 'evt-late' }), accountsNow, byId(tasksNow), ctx());
      expect(plans.flatMap((p) => p.tasks), eventTime).toEqual([]);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('planCancellation', () => {
  const cctx = ctx({ nowIso: '2026-12-04T12:00:00.000Z' });
  const REASON = 'HR withdrew the resignation';
  const cancel = (accounts: Account[], tasks: Task[], addresses = [JO, JO_ALIAS]) => planCancellation(addresses, accounts, tasks, REASON, 'system:hr', cctx);

  it('cancels open leaver tasks; delivery pending if they had been sent, skipped if not', () => {
    const sent = task({ id: 't-sent', type: 'transfer_or_close', subjectEmail: JO });
    const pending = task({ id: 't-pending', type: 'replace_admin', subjectEmail: JO, delivery: { kind: 'created', state: 'pending' } });
    const sending = task({ id: 't-sending', type: 'replace_supervisor', subjectEmail: JO_ALIAS, role: 'main_supervisor', delivery: { kind: 'created', state: 'sending', claimedAt: NOW } });
    const { tasks } = cancel([], [sent, pending, sending]);
    expect(tasks.map((t) => t.before)).toEqual([sent, pending, sending]);
    const [a, b, c] = tasks.map((t) => t.after) as [Task, Task, Task];
    for (const t of [a, b, c]) {
      expect(t.status).toBe('cancelled');
      expect(t.resolution).toEqual({ action: 'cancelled', reason: REASON, by: 'system:hr', at: '2026-12-04T12:00:00.000Z' });
      expect(t.updatedAt).toBe('2026-12-04T12:00:00.000Z');
      expect(t.version).toBe(2);
      expect(t.delivery.kind).toBe('cancelled');
    }
    expect(a.delivery).toEqual({ kind: 'cancelled', state: 'pending' });
    expect(b.delivery.state).toBe('skipped');
    expect(c.delivery.state).toBe('skipped');
    // Everything else is kept.
    expect({ ...a, status: sent.status, resolution: undefined, delivery: sent.delivery, updatedAt: sent.updatedAt, version: 1 }).toEqual({ ...sent, resolution: undefined });
  });

  it('leaves acknowledge_policy tasks, other people\'s tasks and tasks already closed alone', () => {
    const policy = task({ id: 't-policy', type: 'acknowledge_policy', subjectEmail: JO, accountId: undefined });
    const someoneElse = task({ id: 't-sam', type: 'transfer_or_close', subjectEmail: SAM });
    const done = task({ id: 't-done', type: 'replace_admin', subjectEmail: JO, status: 'done', resolution: { action: 'keep', reason: 'enough', by: HEAD, at: NOW } });
    const cancelled = task({ id: 't-cancelled', type: 'transfer_or_close', subjectEmail: JO, status: 'cancelled' });
    const review = task({ id: 't-review', type: 'attest_account', subjectEmail: JO });
    const open = task({ id: 't-open', type: 'transfer_or_close', subjectEmail: JO });
    const { tasks } = cancel([], [policy, someoneElse, done, cancelled, review, open]);
    expect(tasks.map((t) => t.before.id)).toEqual(['t-open']);
  });

  it('restores removed administrators and clears removedAdmins', () => {
    const acc = account({ admins: [SAM], removedAdmins: [{ email: JO, removedOn: '2026-12-01' }] });
    const { accounts } = cancel([acc], []);
    expect(accounts).toHaveLength(1);
    expect(accounts[0]!.before).toBe(acc);
    expect(accounts[0]!.after.admins).toEqual([SAM, JO]);
    expect('removedAdmins' in accounts[0]!.after).toBe(false);
    expect(accounts[0]!.after.updatedAt).toBe('2026-12-04T12:00:00.000Z');
    expect(accounts[0]!.after.version).toBe(4);
  });

  it('restores every alias, keeps other people\'s removals, and does not add an administrator twice', () => {
    const other = { email: 'former@oak.sch.uk', removedOn: '2026-10-01' };
    const acc = account({ admins: [SAM, JO], removedAdmins: [other, { email: JO, removedOn: '2026-12-01' }, { email: JO_ALIAS, removedOn: '2026-12-01' }] });
    const [change] = cancel([acc], []).accounts;
    expect(change!.after.admins).toEqual([SAM, JO, JO_ALIAS]);
    expect(change!.after.removedAdmins).toEqual([other]);
  });

  it('returns a transfer_pending account registered to them to active', () => {
    const acc = account({ linkedEmail: JO, status: 'transfer_pending' });
    const open = task({ id: taskId('transfer_or_close', acc.id, JO), type: 'transfer_or_close', subjectEmail: JO });
    const { accounts, tasks } = cancel([acc], [open]);
    expect(tasks).toHaveLength(1);
    expect(accounts).toEqual([{ before: acc, after: { ...acc, status: 'active', updatedAt: '2026-12-04T12:00:00.000Z', version: 4 } }]);
  });

  it('returns it to active through an alias, and restores administrators in the same change', () => {
    const acc = account({ linkedEmail: JO_ALIAS, status: 'transfer_pending', admins: [SAM], removedAdmins: [{ email: JO, removedOn: '2026-12-01' }] });
    const [change] = cancel([acc], []).accounts;
    expect(change!.after).toMatchObject({ status: 'active', admins: [SAM, JO], version: 4 });
    expect(change!.after.removedAdmins).toBeUndefined();
  });

  it('keeps the account transfer_pending while another person\'s transfer task on it is open', () => {
    const acc = account({ linkedEmail: JO, status: 'transfer_pending' });
    const mine = task({ id: 't-mine', type: 'transfer_or_close', subjectEmail: JO });
    const theirs = task({ id: 't-theirs', type: 'transfer_or_close', subjectEmail: SAM });
    const { accounts, tasks } = cancel([acc], [mine, theirs]);
    expect(accounts).toEqual([]);
    expect(tasks.map((t) => t.before.id)).toEqual(['t-mine']);
  });

  it('returns the account to active when the other person\'s transfer task is already closed, or is on another account', () => {
    const acc = account({ linkedEmail: JO, status: 'transfer_pending' });
    const theirsDone = task({ id: 't-theirs', type: 'transfer_or_close', subjectEmail: SAM, status: 'done' });
    const theirsElsewhere = task({ id: 't-elsewhere', type: 'transfer_or_close', subjectEmail: SAM, accountId: 'x:elsewhere' });
    expect(cancel([acc], [theirsDone, theirsElsewhere]).accounts.map((c) => c.after.status)).toEqual(['active']);
  });

  it('leaves alone accounts that are not waiting on them', () => {
    const someoneElses = account({ id: 'x:a', linkedEmail: SAM, status: 'transfer_pending' });
    const closing = account({ id: 'x:b', linkedEmail: JO, status: 'closure_pending' });
    const plain = account({ id: 'x:c', linkedEmail: JO, status: 'active' });
    const othersRemoved = account({ id: 'x:d', removedAdmins: [{ email: SAM, removedOn: '2026-11-01' }] });
    expect(cancel([someoneElses, closing, plain, othersRemoved], []).accounts).toEqual([]);
  });

  it('does not change the objects it was given', () => {
    const acc = account({ linkedEmail: JO, status: 'transfer_pending', admins: [SAM], removedAdmins: [{ email: JO, removedOn: '2026-12-01' }] });
    const t = task({ id: 't', type: 'transfer_or_close', subjectEmail: JO });
    const snapshot = structuredClone([acc, t]);
    cancel([acc], [t]);
    expect([acc, t]).toEqual(snapshot);
  });

  it('undoes planLeaver: the accounts return to how they were, apart from the bookkeeping', () => {
    const before = [
      account({ linkedEmail: JO, admins: [JO, SAM] }),
      account({ id: 'x:oak', platform: 'x', handle: 'oak', admins: [SAM, JO, ALEX], mainSupervisor: JO_ALIAS }),
    ];
    const plans = planLeaver(report(), before, noTasks(), ctx());
    const flagged = applied(before, plans);
    const { accounts, tasks } = cancel(flagged, allTasks(plans));
    expect(tasks).toHaveLength(3);
    const restored = flagged.map((a) => accounts.find((c) => c.before.id === a.id)?.after ?? a);
    const strip = ({ updatedAt: _u, version: _v, ...rest }: Account) => ({ ...rest, admins: [...rest.admins].sort() });
    expect(restored.map(strip)).toEqual(before.map(strip));
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('joinerTask', () => {
  const person = { primaryEmail: 'new.starter@oak.sch.uk', displayName: 'New Starter', school: 'oak' };
  const event = { id: 'evt-join', time: '2026-12-01T07:00:00Z' };

  it('is due five working days after a future start date', () => {
    const t = joinerTask(person, '2027-01-04', event, ctx());
    expect(t.dueDate).toBe('2027-01-11');
    expect(t.eventDate).toBe('2027-01-04');
  });

  it('counts the five working days over the Christmas 2026 bank holidays', () => {
    expect(joinerTask(person, '2026-12-21', event, ctx()).dueDate).toBe('2026-12-30'); // 22, 23, 24, 29, 30
  });

  it('is due five working days after today when the start date has passed (or is today)', () => {
    const late = joinerTask(person, '2026-11-02', event, ctx());
    expect(late.dueDate).toBe('2026-12-08');
    expect(late.eventDate).toBe('2026-11-02');
    expect(joinerTask(person, TODAY, event, ctx()).dueDate).toBe('2026-12-08');
  });

  it('is an open acknowledge_policy task for the joiner themselves', () => {
    expect(joinerTask(person, '2027-01-04', event, ctx())).toEqual({
      id: taskId('acknowledge_policy', 'policy', 'new.starter@oak.sch.uk'),
      type: 'acknowledge_policy',
      status: 'open',
      subjectEmail: 'new.starter@oak.sch.uk',
      subjectName: 'New Starter',
      school: 'oak',
      dueDate: '2027-01-11',
      eventDate: '2027-01-04',
      assignees: ['new.starter@oak.sch.uk'],
      reason: 'every member of staff reads and signs the social media policy',
      sourceEvent: 'evt-join',
      sourceTime: '2026-12-01T07:00:00Z',
      createdAt: NOW,
      updatedAt: NOW,
      version: 1,
      delivery: { kind: 'created', state: 'pending' },
      remindersSent: 0,
      nextActionOn: nextTaskActionOn({ type: 'acknowledge_policy', dueDate: '2027-01-11' }, TODAY, 3),
    });
  });

  it('has a deterministic id: one per person, whatever the event or start date', () => {
    const a = joinerTask(person, '2027-01-04', event, ctx());
    const b = joinerTask(person, '2027-02-01', { id: 'evt-other', time: '2026-12-09T07:00:00Z' }, ctx({ today: '2026-12-09' }));
    expect(a.id).toBe(b.id);
    expect(joinerTask({ ...person, primaryEmail: 'someone.else@oak.sch.uk' }, '2027-01-04', event, ctx()).id).not.toBe(a.id);
  });

  it('works without a display name or school', () => {
    const t = joinerTask({ primaryEmail: 'x@oak.sch.uk' }, '2027-01-04', event, ctx());
    expect(t.subjectName).toBeUndefined();
    expect(t.school).toBeUndefined();
    expect(t.assignees).toEqual(['x@oak.sch.uk']);
  });
});
