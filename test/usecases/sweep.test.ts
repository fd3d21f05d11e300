/**
 * The daily sweep (`runSweep`) on the in-memory store, with the clock driven day by day: task reminders and
 * escalation, attestation and neglect, planned ends, accounts short of administrators, policy reviews, the weekly
 * digest, working days, failed emails and a sweep that runs out of time. Given / when / then.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { accountChange } from '../../functions/domain/scheduled-changes.ts';
import type { Account } from '../../functions/domain/model.ts';
import type { Task } from '../../functions/domain/tasks.ts';
import { addDays, londonDate } from '../../functions/domain/working-days.ts';
import type { OutgoingEmail } from '../../functions/usecases/ports.ts';
import { recordActivity } from '../../functions/usecases/activity.ts';
import { processLeaver } from '../../functions/usecases/leavers.ts';
import { addPolicy } from '../../functions/usecases/policies.ts';
import { resolveTask } from '../../functions/usecases/resolve.ts';
import { putSchool } from '../../functions/usecases/schools.ts';
import { runSweep, type SweepResult } from '../../functions/usecases/sweep.ts';
import { harness, hrEvent, SCHOOLS, seedSampleRegister, TRUST_IT, type Harness } from './support.ts';

const IT = 'it@oakfield.sch.uk';
const SUPERVISOR = 'k.williams@oakfield.sch.uk';
const ACTOR = { by: IT, source: 'test' };

async function given(start: string): Promise<Harness> {
  const h = harness(start);
  for (const s of SCHOOLS) await putSchool(h.store, s, ACTOR);
  return h;
}

/** An account entered in the register now (as the clock reads). */
async function addAccount(h: Harness, over: Partial<Account> & Pick<Account, 'id' | 'handle'>): Promise<Account> {
  const now = h.clock.now().toISOString();
  const account: Account = {
    platform: 'facebook', school: 'oakfield', linkedEmail: 'office@oakfield.sch.uk', admins: ['a.one@oakfield.sch.uk', 'a.two@oakfield.sch.uk'],
    mainSupervisor: SUPERVISOR, monitoringFrequency: 'monthly', status: 'active', createdAt: now, updatedAt: now, version: 1, ...over,
  };
  await h.store.commit([accountChange(undefined, account, 'account.created', londonDate(h.clock.now()))], ACTOR);
  return account;
}

async function sweepAt(h: Harness, instant: string, remainingMs?: () => number): Promise<SweepResult> {
  h.clock.set(instant);
  return runSweep(h.deps, { escalateAfterWorkingDays: 3, ...(remainingMs ? { remainingMs } : {}) });
}

interface Day { result: SweepResult; emails: OutgoingEmail[]; again: { result: SweepResult; emails: OutgoingEmail[] } }

/** The scheduled sweep every morning from `from` to `to`, each followed by a second sweep the same morning. */
async function everyMorning(h: Harness, from: string, to: string, before?: (day: string) => Promise<void>): Promise<Map<string, Day>> {
  const days = new Map<string, Day>();
  for (let day = from; day <= to; day = addDays(day, 1)) {
    await before?.(day);
    const n = h.mailer.sent.length;
    const result = await sweepAt(h, `${day}T07:00:00Z`);
    const m = h.mailer.sent.length;
    const again = await sweepAt(h, `${day}T07:05:00Z`);
    days.set(day, { result, emails: h.mailer.sent.slice(n, m), again: { result: again, emails: h.mailer.sent.slice(m) } });
  }
  return days;
}

const about = (id: string) => (e: OutgoingEmail) => e.text.includes(id);
/** Whom the action links in an email act as (from each link's signed payload). */
const linkRecipients = (e: OutgoingEmail) => [...new Set([...e.text.matchAll(/\/actions\/([A-Za-z0-9_-]+)\./g)].map((m) => (JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as { r: string }).r))];
const isDigest = (e: OutgoingEmail) => e.subject.startsWith('Custodian weekly');
const daysWhen = (days: Map<string, Day>, pick: (e: OutgoingEmail) => boolean) => [...days].filter(([, d]) => d.emails.some(pick)).map(([day]) => day);
const tasksOf = async (h: Harness, accountId: string, type: Task['type']) => (await h.store.listTasks()).filter((t) => t.accountId === accountId && t.type === type);

describe('reminders and escalation of a leaver task (due Friday 18 December 2026)', () => {
  let task: Task;
  let days: Map<string, Day>;
  beforeAll(async () => {
    // Given an account registered to a leaver, reported on 24 November
    const h = await given('2026-11-24T09:00:00Z');
    await addAccount(h, { id: 'instagram:oakfield_pe', platform: 'instagram', handle: 'oakfield_pe', linkedEmail: 'r.hughes@oakfield.sch.uk' });
    await processLeaver(h.deps, { email: 'r.hughes@oakfield.sch.uk', leaveDate: '2026-12-18', displayName: 'Rachel Hughes', lineManagerEmail: 'd.okafor@oakfield.sch.uk' }, hrEvent(h));
    [task] = (await h.store.tasksForSubjects(['r.hughes@oakfield.sch.uk'])) as [Task];
    // When the sweep runs every morning (twice) until 6 January
    days = await everyMorning(h, '2026-11-25', '2027-01-06');
  });
  // The task's own emails (the Monday digest lists it too).
  const mine = (d: Day) => d.emails.filter((e) => about(task.id)(e) && !isDigest(e));
  const escalation = (e: OutgoingEmail) => e.subject.startsWith('Escalated');

  it('reminds 7 and 2 working days before the due date, on it, then every 2 working days, numbering each', () => {
    const reminders = [...days].filter(([, d]) => mine(d).some((e) => !escalation(e)));
    expect(reminders.slice(0, 6).map(([day]) => day)).toEqual(['2026-12-09', '2026-12-16', '2026-12-18', '2026-12-22', '2026-12-24', '2026-12-30']);
    expect(mine(days.get('2026-12-09')!)[0]!.subject).toMatch(/^Reminder 1: action needed by/);
    expect(mine(days.get('2026-12-18')!)[0]!.text).toMatch(/This is reminder 3;\s+2\s+reminders\s+were\s+sent\s+before/);
    expect(mine(days.get('2026-12-22')!)[0]!.subject).toMatch(/^Overdue, was due by .* \(reminder 4\)/);
    // Each person asked gets their own copy, with a link that acts as them alone.
    for (const [day, d] of reminders) {
      // Once escalated (23 December) the trust IT contact is asked too, and reminded like the others.
      const asked = day < '2026-12-23' ? [['d.okafor@oakfield.sch.uk'], [IT]] : [['d.okafor@oakfield.sch.uk'], [IT], [TRUST_IT]];
      expect(mine(d).map((e) => e.to), day).toEqual(asked);
      for (const e of mine(d)) expect(linkRecipients(e)).toEqual(e.to);
    }
    // A line manager reads no terminal commands; the IT manager may use them.
    expect(mine(days.get('2026-12-09')!)[0]!.text).not.toContain('custodian ');
    expect(mine(days.get('2026-12-09')!)[1]!.text).toContain('custodian tasks resolve');
  });

  it('escalates once, 3 working days overdue, to the trust IT contact with the assignees copied, saying how many reminders went before', () => {
    const escalated = [...days].filter(([, d]) => mine(d).some(escalation));
    expect(escalated.map(([day]) => day)).toEqual(['2026-12-23']);
    const emails = mine(escalated[0]![1]).filter(escalation);
    expect(emails.map((e) => e.to[0]).sort()).toEqual(['d.okafor@oakfield.sch.uk', IT, TRUST_IT].sort());
    for (const email of emails) {
      expect(email.text).toMatch(/4\s+reminders\s+were\s+sent\s+since/);
      // The trust IT contact, escalated to, gets a link of their own (no choosing an assignee's address).
      expect(linkRecipients(email)).toEqual(email.to);
    }
  });

  it('sends each person at most one email about the task a day, and a second sweep the same morning sends nothing', () => {
    for (const [day, d] of days) {
      const to = mine(d).flatMap((e) => e.to);
      expect(new Set(to).size, day).toBe(to.length);
      expect(d.again.emails, `second sweep on ${day}`).toEqual([]);
    }
  });

  it('sends nothing at all on weekends and bank holidays (Christmas and New Year)', () => {
    for (const day of ['2026-12-19', '2026-12-20', '2026-12-25', '2026-12-26', '2026-12-27', '2026-12-28', '2027-01-01', '2027-01-02', '2027-01-03']) {
      expect(days.get(day)!.result, day).toMatchObject({ workingDay: false, due: 0, processed: 0 });
      expect(days.get(day)!.emails, day).toEqual([]);
    }
  });
});

describe('working days', () => {
  it('what falls due over Christmas waits for the next working day', async () => {
    // Given a weekly account entered on Friday 18 December: asked to attest on the 25th, neglected from 1 January
    const h = await given('2026-12-18T10:00:00Z');
    await addAccount(h, { id: 'facebook:news', handle: 'news', monitoringFrequency: 'weekly' });
    // When the sweep runs every morning
    const days = await everyMorning(h, '2026-12-21', '2027-01-05');
    // Then the request waits for Tuesday 29 December and the neglect notice for Monday 4 January
    expect((await tasksOf(h, 'facebook:news', 'attest_account')).map((t) => t.createdAt.slice(0, 10))).toEqual(['2026-12-29']);
    expect(daysWhen(days, (e) => e.subject.startsWith('Neglected account'))).toEqual(['2027-01-04']);
    for (const day of ['2026-12-25', '2026-12-28', '2027-01-01']) expect(days.get(day)!.emails, day).toEqual([]);
  });
});

describe('attestation and neglect', () => {
  it('asks the main supervisor at the account\'s monitoring frequency, one request at a time', async () => {
    // Given four accounts entered on Monday 4 January 2027, one per monitoring frequency
    const h = await given('2027-01-04T09:00:00Z');
    for (const f of ['daily', 'weekly', 'fortnightly', 'monthly'] as const) await addAccount(h, { id: `facebook:${f}`, handle: f, monitoringFrequency: f });
    // When the sweep runs every morning for a month
    const days = await everyMorning(h, '2027-01-05', '2027-02-05');
    // Then each is asked once (its request stays open), a period after it was entered
    const asked = async (f: string) => (await tasksOf(h, `facebook:${f}`, 'attest_account')).map((t) => t.createdAt.slice(0, 10));
    expect(await asked('daily')).toEqual(['2027-01-05']);
    expect(await asked('weekly')).toEqual(['2027-01-11']);
    expect(await asked('fortnightly')).toEqual(['2027-01-18']);
    expect(await asked('monthly')).toEqual(['2027-02-03']);
    const request = days.get('2027-01-11')!.emails.find((e) => e.subject.includes('@weekly still in use and monitored'))!;
    expect(request.to).toEqual([SUPERVISOR]);
    expect(request.text).toContain('/actions/');
  });

  it('an account with no attestation or activity for twice its period is reported to the school\'s IT managers, once', async () => {
    const h = await given('2027-01-04T09:00:00Z');
    await addAccount(h, { id: 'facebook:news', handle: 'news', monitoringFrequency: 'weekly' });
    const days = await everyMorning(h, '2027-01-05', '2027-02-12');
    const notices = [...days].flatMap(([day, d]) => d.emails.filter((e) => e.subject.startsWith('Neglected account')).map((e) => ({ day, e })));
    expect(notices.map((n) => n.day)).toEqual(['2027-01-18']);
    expect(notices[0]!.e.to).toEqual([IT]);
    expect(days.get('2027-01-18')!.result.neglected).toBe(1);
    expect((await h.store.getAccount('facebook:news'))!.neglectedSince).toBe('2027-01-18');
  });

  it('a confirmation starts the next period: the next request comes a period later, and the account is not neglected', async () => {
    const h = await given('2027-01-04T09:00:00Z');
    await addAccount(h, { id: 'facebook:news', handle: 'news', monitoringFrequency: 'weekly' });
    const days = await everyMorning(h, '2027-01-05', '2027-01-22', async (day) => {
      if (day !== '2027-01-12') return;
      const [open] = await tasksOf(h, 'facebook:news', 'attest_account');
      h.clock.set('2027-01-12T06:00:00Z');
      await resolveTask(h.deps, { taskId: open!.id, decision: { action: 'confirm' }, actor: { by: SUPERVISOR, source: 'test' } });
    });
    expect((await tasksOf(h, 'facebook:news', 'attest_account')).map((t) => `${t.createdAt.slice(0, 10)} ${t.status}`).sort()).toEqual(['2027-01-11 done', '2027-01-19 open']);
    expect(daysWhen(days, (e) => e.subject.startsWith('Neglected account'))).toEqual([]);
  });

  it('recorded activity holds off neglect (but not the request to attest)', async () => {
    const h = await given('2027-01-04T09:00:00Z');
    await addAccount(h, { id: 'facebook:news', handle: 'news', monitoringFrequency: 'weekly' });
    const days = await everyMorning(h, '2027-01-05', '2027-02-01', async (day) => {
      if (day !== '2027-01-15') return;
      h.clock.set('2027-01-15T12:00:00Z'); // reported as it happens: an activity dated later than now counts as now
      await recordActivity(h.deps, { platform: 'facebook', handle: 'news', at: '2027-01-15T12:00:00Z' }, { by: 'system:activity', source: 'test' });
    });
    expect(await tasksOf(h, 'facebook:news', 'attest_account')).toHaveLength(1);
    expect(daysWhen(days, (e) => e.subject.startsWith('Neglected account'))).toEqual(['2027-01-29']);
  });

  it('an account past its review date is asked to attest', async () => {
    const h = await given('2027-01-04T09:00:00Z');
    await addAccount(h, { id: 'facebook:news', handle: 'news', nextReviewDate: '2027-01-06' });
    await everyMorning(h, '2027-01-05', '2027-01-08');
    const tasks = await tasksOf(h, 'facebook:news', 'attest_account');
    expect(tasks.map((t) => [t.createdAt.slice(0, 10), t.reason])).toEqual([['2027-01-07', expect.stringContaining('past its review date')]]);
  });
});

describe('planned ends', () => {
  it('30 days before the planned end, the supervisors get one planned_end task due on that date', async () => {
    const h = await given('2027-01-04T09:00:00Z');
    await addAccount(h, { id: 'whatsapp:y6-trip', platform: 'whatsapp', handle: 'y6-trip', reserveSupervisor: 'd.fraser@oakfield.sch.uk', plannedEndDate: '2027-02-12' });
    const days = await everyMorning(h, '2027-01-05', '2027-01-29');
    const tasks = await tasksOf(h, 'whatsapp:y6-trip', 'planned_end');
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ dueDate: '2027-02-12', assignees: [SUPERVISOR, 'd.fraser@oakfield.sch.uk'], status: 'open' });
    expect(tasks[0]!.createdAt.slice(0, 10)).toBe('2027-01-13');
    const emails = days.get('2027-01-13')!.emails.filter(about(tasks[0]!.id));
    expect(emails.map((e) => e.to)).toEqual([[SUPERVISOR], ['d.fraser@oakfield.sch.uk']]);
    for (const e of emails) expect(e.subject).toContain('is planned to end on');
  });
});

describe('accounts with fewer than two administrators', () => {
  it('get one replace_admin task; a "keep" decision stands until the administrators change', async () => {
    // Given an account with one administrator
    const h = await given('2027-01-04T09:00:00Z');
    const account = await addAccount(h, { id: 'instagram:art', platform: 'instagram', handle: 'art', monitoringFrequency: 'weekly', admins: ['s.okafor@oakfield.sch.uk'] });
    // When the sweep runs for a week: one task, to the school's IT managers and the main supervisor
    await everyMorning(h, '2027-01-05', '2027-01-12');
    const [first, ...others] = await tasksOf(h, account.id, 'replace_admin');
    expect(others).toEqual([]);
    expect(first!.assignees.sort()).toEqual([IT, SUPERVISOR].sort());
    // And someone decides to keep it as it is
    await resolveTask(h.deps, { taskId: first!.id, decision: { action: 'keep', reason: 'a second admin joins in March' }, actor: ACTOR });
    await everyMorning(h, '2027-01-13', '2027-02-12');
    expect(await tasksOf(h, account.id, 'replace_admin')).toHaveLength(1);
    // Then a change to the administrators asks again
    const current = (await h.store.getAccount(account.id))!;
    h.clock.set('2027-02-12T12:00:00Z');
    await h.store.commit([accountChange(current, { ...current, admins: ['m.clarke@oakfield.sch.uk'], version: current.version + 1 }, 'account.updated', '2027-02-12')], ACTOR);
    await everyMorning(h, '2027-02-15', '2027-03-15');
    const after = await tasksOf(h, account.id, 'replace_admin');
    expect(after.map((t) => t.status).sort()).toEqual(['done', 'open']);
  });

  it('after importing the sample register, the two accounts short of administrators get one task each', async () => {
    const h = harness('2026-12-02T09:00:00Z');
    await seedSampleRegister(h);
    await sweepAt(h, '2026-12-03T07:00:00Z');
    await sweepAt(h, '2026-12-04T07:00:00Z');
    const short = (await h.store.listTasks()).filter((t) => t.type === 'replace_admin');
    expect(short.map((t) => t.accountId).sort()).toEqual(['flickr:riversidephotos', 'instagram:oakfield_art']);
  });
});

describe('policy reviews', () => {
  it('remind the owner 60, 30 and 7 days before the review date and on it, then escalate', async () => {
    // Given a policy due for review on Monday 1 March 2027
    const h = await given('2026-12-01T09:00:00Z');
    await addPolicy(h.deps, { title: 'Social Media Policy', nextReview: '2027-03-01', owner: 'head@oakfield.sch.uk' }, ACTOR);
    // When the sweep runs every morning
    const days = await everyMorning(h, '2026-12-01', '2027-03-05');
    const toOwner = (e: OutgoingEmail) => e.to.includes('head@oakfield.sch.uk');
    // Then (60 days before is Thursday 31 December)
    expect(daysWhen(days, toOwner)).toEqual(['2026-12-31', '2027-01-29', '2027-02-22', '2027-03-01', '2027-03-03', '2027-03-04', '2027-03-05']);
    expect(days.get('2026-12-31')!.emails.find(toOwner)!.subject).toContain('Social Media Policy is due for review on');
    const escalation = days.get('2027-03-04')!.emails.find(toOwner)!;
    expect(escalation.subject).toMatch(/^Escalated/);
    expect(days.get('2027-03-04')!.emails.find((e) => e.to.includes(TRUST_IT))!.subject).toMatch(/^Escalated/);
    expect((await h.store.listTasks()).filter((t) => t.type === 'policy_review')).toHaveLength(1);
  });
});

describe('the weekly digest', () => {
  it('goes once a week to each school\'s IT managers, on the first working day, however often the sweep runs', async () => {
    const h = await given('2026-12-01T09:00:00Z');
    const days = await everyMorning(h, '2026-12-07', '2027-01-08');
    // Monday 28 December is a bank holiday: that week's digest goes on Tuesday 29th
    expect(daysWhen(days, isDigest)).toEqual(['2026-12-07', '2026-12-14', '2026-12-21', '2026-12-29', '2027-01-04']);
    const monday = days.get('2026-12-07')!;
    expect(monday.result.digests).toBe(3);
    expect(monday.emails.filter(isDigest).map((e) => e.to).sort()).toEqual([['it@hillcrest.sch.uk'], [IT], ['it@riverside.sch.uk']]);
    expect(monday.again.result.digests).toBe(0);
    for (const [, d] of days) expect(d.again.emails.filter(isDigest)).toEqual([]);
  });
});

describe('two sweeps', () => {
  it('running at the same moment send each email once', async () => {
    const h = await given('2027-01-04T09:00:00Z');
    await addAccount(h, { id: 'facebook:news', handle: 'news', monitoringFrequency: 'weekly' });
    await addAccount(h, { id: 'instagram:art', platform: 'instagram', handle: 'art', monitoringFrequency: 'weekly', admins: ['s.okafor@oakfield.sch.uk'] });
    h.clock.set('2027-01-11T07:00:00Z');
    await Promise.all([runSweep(h.deps, { escalateAfterWorkingDays: 3 }), runSweep(h.deps, { escalateAfterWorkingDays: 3 })]);
    const subjects = h.mailer.sent.map((e) => `${e.to.join(',')} ${e.subject}`);
    expect(new Set(subjects).size).toBe(subjects.length);
    expect(h.mailer.sent.filter(isDigest)).toHaveLength(3);
    expect((await h.store.listTasks()).map((t) => `${t.accountId} ${t.type}`).sort()).toEqual(['facebook:news attest_account', 'instagram:art attest_account', 'instagram:art replace_admin']);
  });
});

describe('a failed email', () => {
  it('leaves a task reminder due, counts the failure, and the next run sends it', async () => {
    const h = await given('2026-11-24T09:00:00Z');
    await addAccount(h, { id: 'instagram:oakfield_pe', platform: 'instagram', handle: 'oakfield_pe', linkedEmail: 'r.hughes@oakfield.sch.uk' });
    await processLeaver(h.deps, { email: 'r.hughes@oakfield.sch.uk', leaveDate: '2026-12-18', lineManagerEmail: 'd.okafor@oakfield.sch.uk' }, hrEvent(h));
    const task = (await h.store.tasksForSubjects(['r.hughes@oakfield.sch.uk']))[0]!;
    // When the first reminder (Wednesday 9 December) cannot be sent
    h.mailer.failFor.add('d.okafor@oakfield.sch.uk');
    const failed = await sweepAt(h, '2026-12-09T07:00:00Z');
    expect(failed).toMatchObject({ failures: 1, reminders: 0 });
    expect((await h.store.dueOnOrBefore('2026-12-09')).map((i) => i.id)).toContain(task.id);
    expect((await h.store.getTask(task.id))!.remindersSent).toBe(0);
    // Then the retry sends it, once
    h.mailer.failFor.clear();
    const retry = await sweepAt(h, '2026-12-09T07:30:00Z');
    expect(retry).toMatchObject({ failures: 0, reminders: 1 });
    expect(h.mailer.sent.filter(about(task.id)).map((e) => e.subject)).toEqual([expect.any(String), expect.any(String), expect.stringMatching(/^Reminder 1/), expect.stringMatching(/^Reminder 1/)]);
  });

  it('leaves a neglect notice due, and the next run sends it', async () => {
    const h = await given('2027-01-04T09:00:00Z');
    await addAccount(h, { id: 'facebook:news', handle: 'news', monitoringFrequency: 'weekly' });
    await everyMorning(h, '2027-01-05', '2027-01-15');
    h.mailer.failFor.add(IT);
    expect((await sweepAt(h, '2027-01-18T07:00:00Z')).failures).toBeGreaterThan(0);
    h.mailer.failFor.clear();
    await sweepAt(h, '2027-01-18T07:30:00Z');
    await sweepAt(h, '2027-01-19T07:00:00Z');
    expect(h.mailer.sent.filter((e) => e.subject.startsWith('Neglected account')).map((e) => e.to)).toEqual([[IT]]);
  });

  it('leaves a request to attest due, and the next run sends it', async () => {
    const h = await given('2027-01-04T09:00:00Z');
    await addAccount(h, { id: 'facebook:news', handle: 'news', monitoringFrequency: 'weekly' });
    h.mailer.failFor.add(SUPERVISOR);
    expect((await sweepAt(h, '2027-01-11T07:00:00Z')).failures).toBeGreaterThan(0);
    h.mailer.failFor.clear();
    await sweepAt(h, '2027-01-11T07:30:00Z');
    expect(h.mailer.sent.filter((e) => e.to.includes(SUPERVISOR)).map((e) => e.subject)).toEqual([expect.stringContaining('still in use and monitored?')]);
  });

  it('to one school\'s digest does not stop the other schools\' digests', async () => {
    const h = await given('2027-01-04T06:00:00Z');
    h.mailer.failFor.add(IT);
    const failed = await sweepAt(h, '2027-01-04T07:00:00Z');
    expect(failed.failures).toBeGreaterThan(0);
    expect(h.mailer.sent.filter(isDigest).map((e) => e.to[0]).sort()).toEqual(['it@hillcrest.sch.uk', 'it@riverside.sch.uk']);
  });

  it('leaves a school\'s digest due, and the next run sends it', async () => {
    const h = await given('2027-01-04T06:00:00Z');
    h.mailer.failFor.add(IT);
    await sweepAt(h, '2027-01-04T07:00:00Z');
    h.mailer.failFor.clear();
    await sweepAt(h, '2027-01-04T07:30:00Z');
    expect(h.mailer.sent.filter((e) => isDigest(e) && e.to.includes(IT))).toHaveLength(1);
  });
});

describe('a sweep that runs out of time', () => {
  it('stops with complete: false, and the next run resumes where it stopped', async () => {
    // Given five weekly accounts due for attestation on Monday 11 January
    const h = await given('2027-01-04T09:00:00Z');
    const ids = ['a', 'b', 'c', 'd', 'e'].map((x) => `facebook:${x}`);
    for (const id of ids) await addAccount(h, { id, handle: id.slice(9), monitoringFrequency: 'weekly' });
    // When the first run has time for two items only
    let calls = 0;
    const first = await sweepAt(h, '2027-01-11T07:00:00Z', () => (calls++ < 2 ? 60_000 : 5_000));
    expect(first).toMatchObject({ complete: false, due: 5, processed: 2, digests: 0 });
    expect((await h.store.listTasks()).length).toBe(2);
    // Then the retry does the other three (and the digest), and nothing twice
    const second = await sweepAt(h, '2027-01-11T07:10:00Z', () => 600_000);
    expect(second).toMatchObject({ complete: true, due: 3, processed: 3, digests: 3 });
    const requests = h.mailer.sent.filter((e) => e.subject.includes('still in use and monitored?'));
    expect(requests).toHaveLength(5);
    expect((await h.store.listTasks()).map((t) => t.accountId).sort()).toEqual(ids);
  });
});
