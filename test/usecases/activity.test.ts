/**
 * `Account Activity` on the in-memory store: an event is recorded only from a configured activity source
 * (`recordActivityEvent`, what the account-activity function runs), and an activity dated in the future counts as
 * today, so it cannot switch off neglect detection. Given / when / then.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { accountChange } from '../../functions/domain/scheduled-changes.ts';
import type { Account } from '../../functions/domain/model.ts';
import { addDays, londonDate } from '../../functions/domain/working-days.ts';
import { recordActivity, recordActivityEvent } from '../../functions/usecases/activity.ts';
import { putSchool } from '../../functions/usecases/schools.ts';
import { runSweep } from '../../functions/usecases/sweep.ts';
import { harness, SCHOOLS, type Harness } from './support.ts';

const SOURCES = ['activity', 'trust.social-monitor'];
const ACTOR = { by: 'it@oakfield.sch.uk', source: 'test' };
const ID = 'facebook:news';

let h: Harness;
let n = 0;
const event = (detail: unknown, source = 'activity') => ({ id: `act-${++n}`, source, detail });
const account = async () => (await h.store.getAccount(ID))!;
const snapshot = async () => JSON.stringify({ accounts: await h.store.listAccounts(), audit: (await h.store.auditSince('2020-01-01')).length });

/** Monday 4 January 2027: a weekly account entered in the register. */
async function givenAWeeklyAccount(): Promise<void> {
  h = harness('2027-01-04T09:00:00Z');
  for (const s of SCHOOLS) await putSchool(h.store, s, ACTOR);
  const now = h.clock.now().toISOString();
  const a: Account = {
    id: ID, platform: 'facebook', handle: 'news', school: 'oakfield', linkedEmail: 'office@oakfield.sch.uk',
    admins: ['a.one@oakfield.sch.uk', 'a.two@oakfield.sch.uk'], mainSupervisor: 'k.williams@oakfield.sch.uk',
    monitoringFrequency: 'weekly', status: 'active', createdAt: now, updatedAt: now, version: 1,
  };
  await h.store.commit([accountChange(undefined, a, 'account.created', londonDate(h.clock.now()))], ACTOR);
}

describe('an Account Activity event', () => {
  beforeEach(givenAWeeklyAccount);

  it('from a configured source is recorded, audited as that source and that event', async () => {
    h.clock.set('2027-01-06T15:00:00Z');
    const e = event({ platform: 'Facebook', handle: '@News', at: '2027-01-06T10:30:00Z' }, 'trust.social-monitor');
    expect(await recordActivityEvent(h.deps, e, SOURCES)).toBeUndefined();
    expect((await account()).lastActivityDate).toBe('2027-01-06');
    expect((await h.store.auditFor('account', ID)).filter((a) => a.action === 'account.activity')).toEqual([
      expect.objectContaining({ by: 'system:trust.social-monitor', source: `event:${e.id}`, after: { lastActivityDate: '2027-01-06' } }),
    ]);
  });

  it('from any other source is refused with the reason, and nothing is written', async () => {
    const before = await snapshot();
    for (const source of ['hr', 'custodian', 'Activity', 'activity ', '']) {
      expect(await recordActivityEvent(h.deps, event({ platform: 'facebook', handle: 'news' }, source), SOURCES)).toBe(`source "${source}" is not an accepted activity source`);
    }
    expect(await snapshot()).toBe(before);
  });

  it('with an invalid detail, or for an account not in the register, is refused with the reason', async () => {
    const before = await snapshot();
    expect(await recordActivityEvent(h.deps, event({ platform: 'facebook' }), SOURCES)).toBe('handle: is required');
    expect(await recordActivityEvent(h.deps, event({ platform: 'facebook', handle: 'news', at: 'yesterday' }), SOURCES)).toMatch(/^at: /);
    expect(await recordActivityEvent(h.deps, event({ platform: 'facebook', handle: 'nobody' }), SOURCES)).toBe('no account facebook:nobody in the register');
    expect(await snapshot()).toBe(before);
  });
});

describe('an activity dated in the future', () => {
  beforeEach(givenAWeeklyAccount);

  it('counts as today: in 2099, later today, or tomorrow by the clock of another time zone', async () => {
    h.clock.set('2027-01-06T15:00:00Z');
    await recordActivityEvent(h.deps, event({ platform: 'facebook', handle: 'news', at: '2099-12-31T23:59:59Z' }), SOURCES);
    expect((await account()).lastActivityDate).toBe('2027-01-06');
    await recordActivity(h.deps, { platform: 'facebook', handle: 'news', at: '2027-01-06T23:00:00Z' }, ACTOR);
    await recordActivity(h.deps, { platform: 'facebook', handle: 'news', at: '2027-01-07T09:00:00+10:00' }, ACTOR);
    expect((await account()).lastActivityDate).toBe('2027-01-06');
  });

  it('is recorded on the London day it happened when it is in the past', async () => {
    h.clock.set('2027-01-06T15:00:00Z');
    // 23:30 in New York on the 4th is 04:30 in London on the 5th
    await recordActivity(h.deps, { platform: 'facebook', handle: 'news', at: '2027-01-04T23:30:00-05:00' }, ACTOR);
    expect((await account()).lastActivityDate).toBe('2027-01-05');
  });

  it('does not switch off neglect detection: the account is still reported two periods after the real day', async () => {
    // Given activity "in 2099" reported on Friday 15 January (a weekly account: neglected after two quiet weeks)
    const notices: string[] = [];
    for (let day = '2027-01-05'; day <= '2027-02-05'; day = addDays(day, 1)) {
      if (day === '2027-01-15') {
        h.clock.set('2027-01-15T12:00:00Z');
        expect(await recordActivityEvent(h.deps, event({ platform: 'facebook', handle: 'news', at: '2099-01-01T00:00:00Z' }), SOURCES)).toBeUndefined();
      }
      const sent = h.mailer.sent.length;
      h.clock.set(`${day}T07:00:00Z`);
      await runSweep(h.deps, { escalateAfterWorkingDays: 3 });
      if (h.mailer.sent.slice(sent).some((e) => e.subject.startsWith('Neglected account'))) notices.push(day);
    }
    // Then it is reported as if the activity were on the 15th (as real activity that day would be), not never
    expect(notices).toEqual(['2027-01-29']);
    expect((await account()).neglectedSince).toBe('2027-01-29');
  });
});
