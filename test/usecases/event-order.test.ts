/**
 * Leavers, cancellations and rejoins are ordered by when they happened, not by when they arrive (README
 * "Cancellations"; issue "Who acted is a fact", point 3): the detail's `occurredAt`, else the event's time. A leaver
 * report older than a recorded cancellation revives nothing, in either arrival order. Real use cases, in memory.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { HrEvent } from '../../events/schemas.ts';
import { hrPersonKey, type Account, type Person } from '../../functions/domain/model.ts';
import type { Task } from '../../functions/domain/tasks.ts';
import { processHrEvent } from '../../functions/usecases/hr-events.ts';
import { processCancellation, processJoiner, processLeaver, type EventMeta, type LeaverInput } from '../../functions/usecases/leavers.ts';
import { harness, seedSampleRegister, type Harness } from './support.ts';

const LEAVER = 'r.hughes@oakfield.sch.uk';
const HER_ACCOUNTS = ['instagram:oakfield_pe', 'youtube:oakfieldmusic', 'facebook:oakfieldacademy', 'x:oakfieldsport', 'tiktok:oakfieldsixthform', 'blog:oakfield-library'];

let h: Harness;
beforeEach(async () => {
  h = harness('2026-12-02T12:00:00Z');
  await seedSampleRegister(h);
});

const rachel = (over: Partial<LeaverInput> = {}): LeaverInput => ({
  email: LEAVER, leaveDate: '2027-01-29', displayName: 'Rachel Hughes', lineManagerEmail: 'd.okafor@oakfield.sch.uk', school: 'oakfield', ...over,
});
let n = 0;
const at = (time: string): EventMeta => ({ id: `evt-order-${++n}`, time, origin: 'hr' });
const tasksOf = () => h.store.tasksForSubjects([LEAVER]);
const open = async () => (await tasksOf()).filter((t) => t.status === 'open');
const person = () => h.store.findPerson([LEAVER]);

/** What the register says about her accounts, without the bookkeeping (versions, times, next checks, list order). */
async function registerState(): Promise<Array<Pick<Account, 'id' | 'status' | 'admins' | 'removedAdmins'>>> {
  return (await h.store.getAccounts(HER_ACCOUNTS)).map(({ id, status, admins, removedAdmins }) => ({ id, status, admins: [...admins].sort(), ...(removedAdmins ? { removedAdmins } : {}) }));
}

const STALE_LEAVER = '2026-12-02T09:00:00Z';
const CANCELLATION = '2026-12-02T10:00:00Z';

describe('a stale leaver report and a cancellation', () => {
  it('cancellation first, for someone not known yet: it is recorded, and the older leaver report changes nothing', async () => {
    const before = await registerState();
    expect(await person()).toBeUndefined();

    expect(await processCancellation(h.deps, { email: LEAVER, reason: 'HR cancelled the leaver record' }, at(CANCELLATION))).toEqual({ cancelled: 0 });
    const recorded = (await person())!;
    expect(recorded).toMatchObject({ key: hrPersonKey(LEAVER), status: 'active', cancelledAt: '2026-12-02T10:00:00.000Z', addresses: [LEAVER] });
    expect(recorded.leaveDate).toBeUndefined();

    const outcome = await processLeaver(h.deps, rachel(), at(STALE_LEAVER));
    expect(outcome).toMatchObject({ skipped: expect.stringContaining('older than the cancellation'), plans: [], emailsSent: 0 });
    expect(await tasksOf()).toEqual([]);
    expect(await registerState()).toEqual(before);
    expect(await person()).toMatchObject({ status: 'active' });
    expect(h.mailer.sent).toEqual([]);
    expect(h.publisher.events).toEqual([]);
  });

  it('leaver first: the cancellation undoes it, and the register ends as in the other order', async () => {
    const before = await registerState();
    await processLeaver(h.deps, rachel(), at(STALE_LEAVER));
    expect(await open()).toHaveLength(4);
    await processCancellation(h.deps, { email: LEAVER, reason: 'HR cancelled the leaver record' }, at(CANCELLATION));

    expect(await open()).toEqual([]);
    expect(await registerState()).toEqual(before);
    expect(await person()).toMatchObject({ status: 'active', cancelledAt: '2026-12-02T10:00:00.000Z' });
    // The stale report delivered again (a retry, a redrive) still revives nothing.
    const sent = h.mailer.sent.length;
    expect((await processLeaver(h.deps, rachel(), at(STALE_LEAVER))).skipped).toContain('older than the cancellation');
    expect(await open()).toEqual([]);
    expect(h.mailer.sent).toHaveLength(sent);
  });

  it('a leaver report newer than the cancellation is a new leaving, whichever arrived first', async () => {
    await processCancellation(h.deps, { email: LEAVER, reason: 'HR cancelled the leaver record' }, at(CANCELLATION));
    await processLeaver(h.deps, rachel(), at('2026-12-02T11:00:00Z'));
    expect(await open()).toHaveLength(4);
    expect(await person()).toMatchObject({ status: 'leaving', leaverReportedAt: '2026-12-02T11:00:00.000Z' });
  });

  it('at the same instant, the cancellation wins in either order', async () => {
    await processCancellation(h.deps, { email: LEAVER, reason: 'HR cancelled' }, at(CANCELLATION));
    expect((await processLeaver(h.deps, rachel(), at('2026-12-02T11:00:00+01:00'))).skipped).toContain('older than the cancellation');
    expect(await tasksOf()).toEqual([]);

    const other = 'o.bennett@hillcrest.sch.uk';
    await processLeaver(h.deps, { email: other, leaveDate: '2027-01-29' }, at(CANCELLATION));
    expect((await processCancellation(h.deps, { email: other, reason: 'HR cancelled' }, at('2026-12-02T10:00:00.000Z'))).skipped).toBeUndefined();
    expect((await h.store.tasksForSubjects([other])).filter((t) => t.status === 'open')).toEqual([]);
  });

  it('an older cancellation delivered late never moves the recorded cancellation back', async () => {
    await processCancellation(h.deps, { email: LEAVER, reason: 'HR cancelled' }, at(CANCELLATION));
    await processCancellation(h.deps, { email: LEAVER, reason: 'HR cancelled' }, at('2026-12-02T08:00:00Z'));
    expect(await person()).toMatchObject({ cancelledAt: '2026-12-02T10:00:00.000Z' });
    expect((await processLeaver(h.deps, rachel(), at(STALE_LEAVER))).skipped).toContain('older than the cancellation');
    expect(await tasksOf()).toEqual([]);
  });
});

describe('times compared as instants, not as text', () => {
  it('`…:00Z`, `…:00.000Z` and an offset are the same instant; `…:00.500Z` is later than `…:00Z`', async () => {
    // A cancellation recorded before times were stored in one form (no milliseconds).
    const legacy: Person = {
      key: hrPersonKey(LEAVER), primaryEmail: LEAVER, addresses: [LEAVER], status: 'active', cancelledAt: '2026-12-02T10:00:00Z',
      createdAt: '2026-12-02T10:00:00.000Z', updatedAt: '2026-12-02T10:00:00.000Z', version: 1,
    };
    h.store.seed({ people: [legacy] });
    // As text, '…10:00:00.000Z' < '…10:00:00Z' and '…10:00:00.500Z' < '…10:00:00Z'; as instants, equal and later.
    expect((await processLeaver(h.deps, rachel(), at('2026-12-02T10:00:00.000Z'))).skipped).toContain('older than the cancellation');
    expect((await processLeaver(h.deps, rachel(), at('2026-12-02T11:00:00+01:00'))).skipped).toContain('older than the cancellation');
    expect(await tasksOf()).toEqual([]);
    expect((await processLeaver(h.deps, rachel(), at('2026-12-02T10:00:00.500Z'))).skipped).toBeUndefined();
    expect(await open()).toHaveLength(4);
    expect(await person()).toMatchObject({ leaverReportedAt: '2026-12-02T10:00:00.500Z' });
  });
});

describe('occurredAt in the detail', () => {
  const leaverEvent = (occurredAt?: string) => HrEvent.parse({ detailType: 'Staff Leaver', detail: { email: LEAVER, leaveDate: '2027-01-29', ...(occurredAt ? { occurredAt } : {}) } });
  const cancelEvent = (occurredAt?: string) => HrEvent.parse({ detailType: 'Staff Leaver Cancelled', detail: { email: LEAVER, ...(occurredAt ? { occurredAt } : {}) } });

  it('orders events by when they happened, not by when they were put on the bus', async () => {
    // The cancellation was put on the bus first; the leaver report after it, but it happened an hour before.
    await processHrEvent(h.deps, cancelEvent('2026-12-02T10:00:00+00:00'), at('2026-12-02T11:58:00Z'));
    await processHrEvent(h.deps, leaverEvent('2026-12-02T09:00:00Z'), at('2026-12-02T11:59:00Z'));
    expect(await tasksOf()).toEqual([]);
    expect(await person()).toMatchObject({ status: 'active', cancelledAt: '2026-12-02T10:00:00.000Z' });
    expect(h.mailer.sent).toEqual([]);
  });

  it('in the other arrival order too: the late cancellation undoes the leaver report it is newer than', async () => {
    await processHrEvent(h.deps, leaverEvent('2026-12-02T09:00:00Z'), at('2026-12-02T11:58:00Z'));
    expect(await open()).toHaveLength(4);
    expect(await person()).toMatchObject({ leaverReportedAt: '2026-12-02T09:00:00.000Z' });
    await processHrEvent(h.deps, cancelEvent('2026-12-02T11:00:00+01:00'), at('2026-12-02T11:59:00Z'));
    expect(await open()).toEqual([]);
    // And a cancellation that happened before the leaver report is skipped, even though it arrived after it.
    await processHrEvent(h.deps, leaverEvent('2026-12-02T10:30:00Z'), at('2026-12-02T12:00:00Z'));
    expect(await open()).toHaveLength(4);
    await processHrEvent(h.deps, cancelEvent('2026-12-02T10:15:00Z'), at('2026-12-02T12:01:00Z'));
    expect(await open()).toHaveLength(4);
  });

  it('without occurredAt, the event\'s time is used', async () => {
    await processHrEvent(h.deps, cancelEvent(), at('2026-12-02T10:00:00Z'));
    await processHrEvent(h.deps, leaverEvent(), at('2026-12-02T09:59:59Z'));
    expect(await tasksOf()).toEqual([]);
  });

  it('is refused without a time zone offset, or when it is not a date-time', () => {
    for (const occurredAt of ['2026-12-02T09:00:00', '2026-12-02', 'yesterday']) {
      expect(HrEvent.safeParse({ detailType: 'Staff Leaver', detail: { email: LEAVER, leaveDate: '2027-01-29', occurredAt } }).success, occurredAt).toBe(false);
    }
  });
});

describe('a rejoin and a stale leaver report', () => {
  it('joiner first: a leaver report older than the joining revives nothing', async () => {
    await processJoiner(h.deps, { email: LEAVER, startDate: '2027-01-04' }, at(CANCELLATION));
    const outcome = await processLeaver(h.deps, rachel(), at(STALE_LEAVER));
    expect(outcome.skipped).toContain('older than the cancellation');
    expect((await tasksOf()).map((t: Task) => t.type)).toEqual(['acknowledge_policy']);
    expect(await person()).toMatchObject({ status: 'active' });
  });

  it('leaver first: the rejoin cancels the leaver tasks, and the register ends as in the other order', async () => {
    const before = await registerState();
    await processLeaver(h.deps, rachel(), at(STALE_LEAVER));
    await processJoiner(h.deps, { email: LEAVER, startDate: '2027-01-04' }, at(CANCELLATION));
    expect((await open()).map((t) => t.type)).toEqual(['acknowledge_policy']);
    expect(await registerState()).toEqual(before);
  });
});
