/**
 * Holiday monitoring (issue 13, contracts section 9): a school's holidays loaded from the term dates it publishes,
 * and the daily sweep asking for attestations at the account's term-time cadence in term and its holiday cadence in
 * the school's holidays. The real use cases on the in-memory store, with the clock driven day by day. Given / when / then.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHolidaysFile } from '../../functions/domain/holidays.ts';
import type { IsoDate } from '../../functions/domain/model.ts';
import { addDays } from '../../functions/domain/working-days.ts';
import { editAccount, viewerFor } from '../../functions/usecases/console/index.ts';
import { importRegister } from '../../functions/usecases/register.ts';
import { resolveTask } from '../../functions/usecases/resolve.ts';
import { putSchool, SchoolError, setSchool, setSchoolHolidays } from '../../functions/usecases/schools.ts';
import { runSweep } from '../../functions/usecases/sweep.ts';
import { harness, SCHOOLS, type Harness } from './support.ts';

const IT = 'it@oakfield.sch.uk';
const SUPERVISOR = 'k.williams@oakfield.sch.uk';
const TERM_DATES = path.resolve(import.meta.dirname, '../fixtures/oakfield-term-dates.ics');
const HEADER = 'platform,handle,school,linked_email,admins,main_supervisor,monitoring_frequency,holiday_monitoring_frequency';
const row = (handle: string, term: string, holiday: string) =>
  `facebook,${handle},oakfield,office@oakfield.sch.uk,a.one@oakfield.sch.uk;a.two@oakfield.sch.uk,${SUPERVISOR},${term},${holiday}`;

/** The schools, Oakfield's holidays from its published term dates, and the accounts imported as a CSV, now. */
async function given(start: string, rows: string[]): Promise<Harness> {
  const h = harness(start);
  for (const s of SCHOOLS) await putSchool(h.store, s, { by: IT, source: 'test' });
  const parsed = parseHolidaysFile(readFileSync(TERM_DATES), 'oakfield-term-dates.ics');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  await setSchoolHolidays(h.store, 'oakfield', parsed.holidays, { by: IT, source: 'holidays:oakfield-term-dates.ics' });
  const imported = await importRegister(h.store, [HEADER, ...rows].join('\n'), { now: h.clock.now(), actor: { by: IT, source: 'csv:test.csv' } });
  if (!imported.ok) throw new Error(JSON.stringify(imported.errors));
  return h;
}

/**
 * The scheduled sweep every morning from `from` to `to`; the main supervisor confirms each request at 10:00 the day
 * it comes. Returns the days each account was asked (by the attestation email), by account handle.
 */
async function everyMorning(h: Harness, from: IsoDate, to: IsoDate): Promise<Map<string, IsoDate[]>> {
  const asked = new Map<string, IsoDate[]>();
  for (let day = from; day <= to; day = addDays(day, 1)) {
    h.clock.set(`${day}T07:00:00Z`);
    const sent = h.mailer.sent.length;
    await runSweep(h.deps, { escalateAfterWorkingDays: 3 });
    for (const e of h.mailer.sent.slice(sent).filter((m) => / still in use and monitored/.test(m.subject))) {
      expect(e.to).toEqual([SUPERVISOR]);
      const handle = /facebook @?(\S+) still in use/i.exec(e.subject)?.[1] ?? e.subject;
      asked.set(handle, [...(asked.get(handle) ?? []), day]);
    }
    h.clock.set(`${day}T10:00:00Z`);
    for (const task of await h.store.listTasks('open')) {
      if (task.type !== 'attest_account') continue;
      await resolveTask(h.deps, { taskId: task.id, decision: { action: 'confirm' }, actor: { by: SUPERVISOR, source: 'test' } });
    }
  }
  return asked;
}

describe('holiday monitoring', () => {
  it('An account with weekly term-time and monthly holiday monitoring is asked to attest weekly in term and monthly in the school\'s holidays (clock driven through a half term)', async () => {
    // Given Oakfield's term dates (October half term: Saturday 24 October to Sunday 1 November 2026), and two
    // accounts entered on Thursday 1 October: one weekly in term and monthly in the holidays, one weekly throughout
    const h = await given('2026-10-01T09:00:00Z', [row('news', 'weekly', 'monthly'), row('sport', 'weekly', '')]);
    expect((await h.store.getAccount('facebook:news'))!.holidayMonitoringFrequency).toBe('monthly');
    // When the sweep runs every morning through the half term, and each request is confirmed the day it comes
    const asked = await everyMorning(h, '2026-10-02', '2026-11-27');
    // Then the weekly-and-monthly account is asked every Thursday in term, and not in the half term: the 9 holiday
    // days after its confirmation on the 22nd count a thirtieth of a period each, so it is asked again on the 4th day
    // back, Thursday 5 November
    expect(asked.get('news')).toEqual(['2026-10-08', '2026-10-15', '2026-10-22', '2026-11-05', '2026-11-12', '2026-11-19', '2026-11-26']);
    // while the account that is weekly throughout is asked in the half term too
    expect(asked.get('sport')).toEqual(['2026-10-08', '2026-10-15', '2026-10-22', '2026-10-29', '2026-11-05', '2026-11-12', '2026-11-19', '2026-11-26']);
    const requests = (await h.store.listTasks()).filter((t) => t.accountId === 'facebook:news' && t.type === 'attest_account');
    expect(requests.map((t) => t.createdAt.slice(0, 10))).toEqual(asked.get('news'));
    expect(requests.every((t) => t.status === 'done' && t.reason.endsWith('(weekly)'))).toBe(true);
    // And neither is ever neglected
    expect(h.mailer.sent.filter((e) => e.subject.startsWith('Neglected account'))).toEqual([]);
  });

  it('in the summer holiday the same account is asked a month after its last attestation, and weekly again from the start of term', async () => {
    // Given the account entered on Thursday 1 July 2027 (term ends Wednesday 21 July; back Thursday 2 September)
    const h = await given('2027-07-01T09:00:00Z', [row('news', 'weekly', 'monthly')]);
    const asked = await everyMorning(h, '2027-07-02', '2027-09-30');
    // Then: weekly in term; confirmed on 15 July, it is next asked a month later, on the first working day a month
    // has gone by (Saturday 14 August → Monday 16th); confirmed then, the holiday's last 16 days count 0.53 of a
    // period, so term makes it whole on Sunday 5 September: asked Monday 6th, then weekly.
    expect(asked.get('news')).toEqual(['2027-07-08', '2027-07-15', '2027-08-16', '2027-09-06', '2027-09-13', '2027-09-20', '2027-09-27']);
    const [request] = (await h.store.listTasks()).filter((t) => t.type === 'attest_account' && t.createdAt.startsWith('2027-08-16'));
    expect(request!.reason).toContain('(monthly in the school holidays)');
    expect(h.mailer.sent.filter((e) => e.subject.startsWith('Neglected account'))).toEqual([]);
  });

  it('an unanswered account in a holiday is neglected at two holiday periods, not on the first day back', async () => {
    // Given the account entered on the last day of the summer term, whose requests nobody answers
    const h = await given('2027-07-21T09:00:00Z', [row('news', 'weekly', 'monthly')]);
    const neglected: IsoDate[] = [];
    for (let day = '2027-07-22'; day <= '2027-09-30'; day = addDays(day, 1)) {
      h.clock.set(`${day}T07:00:00Z`);
      const sent = h.mailer.sent.length;
      await runSweep(h.deps, { escalateAfterWorkingDays: 3 });
      if (h.mailer.sent.slice(sent).some((e) => e.subject.startsWith('Neglected account'))) neglected.push(day);
    }
    // Then it is asked a month into the holiday (Friday 20 August), and neglected once 2 periods have built up: the 42
    // holiday days are 1.4 of them; 0.6 of a week more is Monday 6 September, not Thursday 2nd (the first day back)
    const requests = (await h.store.listTasks()).filter((t) => t.type === 'attest_account');
    expect(requests.map((t) => t.createdAt.slice(0, 10))).toEqual(['2027-08-20']);
    expect(neglected).toEqual(['2027-09-06']);
    expect((await h.store.getAccount('facebook:news'))!.neglectedSince).toBe('2027-09-06');
  });
});

describe('the console\'s account form', () => {
  it('changes holiday_monitoring_frequency as the import would, and refuses a bad value by its field', async () => {
    const h = await given('2026-10-01T09:00:00Z', [row('news', 'weekly', 'monthly')]);
    const viewer = await viewerFor(h.deps, { email: IT });
    const version = async () => (await h.store.getAccount('facebook:news'))!.version;
    const bad = await editAccount(h.deps, viewer, 'facebook:news', { holiday_monitoring_frequency: 'termly' }, await version());
    expect(bad).toEqual({ ok: false, errors: [{ field: 'holiday_monitoring_frequency', message: '"termly" is not one of daily, weekly, fortnightly, monthly' }] });
    const ok = await editAccount(h.deps, viewer, 'facebook:news', { holiday_monitoring_frequency: 'fortnightly' }, await version());
    expect(ok).toMatchObject({ ok: true, changed: ['holiday_monitoring_frequency'], account: { holidayMonitoringFrequency: 'fortnightly' } });
    // Emptied: the same as term time.
    expect(await editAccount(h.deps, viewer, 'facebook:news', { holiday_monitoring_frequency: '' }, await version())).toMatchObject({ ok: true, changed: ['holiday_monitoring_frequency'] });
    expect(Object.keys((await h.store.getAccount('facebook:news'))!)).not.toContain('holidayMonitoringFrequency');
  });
});

describe('the school: holidays and headteacher', () => {
  it('replacing the holidays is one audited school change; loading the same again changes nothing', async () => {
    const h = await given('2026-09-01T09:00:00Z', []);
    const school = (await h.store.getSchool('oakfield'))!;
    expect(school.holidays).toHaveLength(7);
    const holidays = [{ start: '2026-10-26', end: '2026-10-30' }, { start: '2026-10-24', end: '2026-10-25', name: 'weekend' }];
    const first = await setSchoolHolidays(h.store, 'oakfield', holidays, { by: IT, source: 'holidays:x.txt' });
    expect(first).toMatchObject({ result: 'updated', before: 7 });
    expect((await h.store.getSchool('oakfield'))!.holidays).toEqual([{ start: '2026-10-24', end: '2026-10-30', name: 'weekend' }]);
    expect(await setSchoolHolidays(h.store, 'oakfield', holidays, { by: IT, source: 'holidays:x.txt' })).toMatchObject({ result: 'unchanged', before: 1 });
    const audit = (await h.store.auditSince('2020-01-01')).filter((e) => e.entityType === 'school' && e.entityId === 'oakfield');
    expect(audit.map((e) => [e.action, e.by, e.source]).sort()).toEqual([
      ['school.created', IT, 'test'],
      ['school.holidays_set', IT, 'holidays:oakfield-term-dates.ics'],
      ['school.holidays_set', IT, 'holidays:x.txt'],
    ]);
    await expect(setSchoolHolidays(h.store, 'nowhere', holidays, { by: IT, source: 'test' })).rejects.toThrow(SchoolError);
  });

  it('schools set keeps the holidays; --head sets the headteacher on the school\'s domains, in lower case', async () => {
    const h = await given('2026-09-01T09:00:00Z', []);
    const settings = { id: 'oakfield', name: 'Oakfield Academy', itManagers: [IT], domains: ['oakfield.sch.uk'] };
    expect(await setSchool(h.store, { ...settings, headteacher: ' J.Patel@Oakfield.sch.uk ' }, { by: IT, source: 'cli' })).toBe('updated');
    expect(await h.store.getSchool('oakfield')).toMatchObject({ headteacher: 'j.patel@oakfield.sch.uk', holidays: expect.arrayContaining([expect.objectContaining({ start: '2026-10-24' })]) });
    // Without --head the headteacher is kept.
    expect(await setSchool(h.store, { ...settings, name: 'Oakfield Academy Trust School' }, { by: IT, source: 'cli' })).toBe('updated');
    expect((await h.store.getSchool('oakfield'))!.headteacher).toBe('j.patel@oakfield.sch.uk');
    // Not on the school's domains: refused, and nothing changes.
    await expect(setSchool(h.store, { ...settings, headteacher: 'head@gmail.com' }, { by: IT, source: 'cli' })).rejects.toThrow('--head: head@gmail.com is not on the school\'s domain (oakfield.sch.uk)');
    await expect(setSchool(h.store, { ...settings, domains: ['oakfield.org.uk'] }, { by: IT, source: 'cli' })).rejects.toThrow(/the headteacher j\.patel@oakfield\.sch\.uk is not on the school's domain \(oakfield\.org\.uk\); give the school's headteacher with --head/);
    expect((await h.store.getSchool('oakfield'))!.name).toBe('Oakfield Academy Trust School');
  });
});
