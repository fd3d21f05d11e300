/**
 * Replays and order through the real local parts (issue "Who acted is a fact", point 3): signed `POST /hr/events`
 * requests over loopback HTTP, the hr-webhook and hr-events handlers, the local bus, DynamoDB Local and the SES
 * emulator. A captured signed request replayed within its window changes nothing; a leaver report signed before a
 * cancellation changes nothing, whichever of the two arrives first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hrPersonKey } from '../../functions/domain/model.ts';
import { signBody } from '../../functions/domain/signature.ts';
import type { Task } from '../../functions/domain/tasks.ts';
import { inbox, seedRegister, startTestStack, type TestStack } from '../support/stack.ts';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
  await seedRegister(stack.store);
}, 120_000);
afterAll(async () => stack?.stop());

interface Signed { body: string; signature: string; t: number }
const nowSeconds = () => Math.floor(Date.now() / 1000);
/** The request an HR system would send, signed at `t` (unix seconds). */
function signed(detailType: string, detail: Record<string, unknown>, t = nowSeconds()): Signed {
  const body = JSON.stringify({ detailType, detail });
  return { body, signature: signBody(stack.secretValue('HrWebhookSecret'), body, t), t };
}
async function post(r: Signed): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${stack.outputs.endpoints.http}/hr/events`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-custodian-signature': r.signature }, body: r.body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
/** EventBridge writes an event's time in whole seconds. */
const busTime = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
const hrEventsOnBus = () => stack.aws.recentEvents.filter((e) => e.source === 'hr');
const tasksOf = (email: string) => stack.store.tasksForSubjects([email]);
const openTasks = async (email: string) => (await tasksOf(email)).filter((t) => t.status === 'open');
const emailsAbout = async (text: string) => (await inbox(stack)).filter((e) => e.body.text?.includes(text));
const auditCount = async () => (await stack.store.auditSince(new Date(Date.now() - 86_400_000).toISOString().slice(0, 10))).length;
/** The register's view of some accounts, without bookkeeping (versions, times) or list order. */
async function registerState(ids: string[]) {
  return (await stack.store.getAccounts(ids)).map(({ id, status, admins, linkedEmail, removedAdmins }) => ({ id, status, linkedEmail, admins: [...admins].sort(), removedAdmins }));
}
const byId = (tasks: Task[]) => [...tasks].sort((a, b) => a.id.localeCompare(b.id));

describe('a captured signed request, replayed within its window', () => {
  const LEAVER = 'r.hughes@oakfield.sch.uk';

  it('is acknowledged as a duplicate and changes nothing: one set of tasks, one set of emails, one event on the bus', async () => {
    const captured = signed('Staff Leaver', { email: LEAVER, leaveDate: '2027-01-29', displayName: 'Rachel Hughes', lineManagerEmail: 'd.okafor@oakfield.sch.uk', school: 'oakfield' });
    const first = await post(captured);
    expect(first.status).toBe(202);
    expect(first.json).toEqual({ eventId: expect.any(String) });
    await stack.idle();

    // On the bus once, with the time HR signed it.
    const onBus = hrEventsOnBus().filter((e) => e.id === first.json.eventId);
    expect(onBus).toHaveLength(1);
    expect(onBus[0]!.time).toBe(busTime(captured.t));
    const tasks = byId(await tasksOf(LEAVER));
    expect(tasks).toHaveLength(4);
    const emails = (await emailsAbout('Rachel Hughes')).length;
    expect(emails).toBeGreaterThan(0);
    const busCount = stack.aws.recentEvents.length;
    const audit = await auditCount();

    // The same request again, byte for byte, and with its signature header written differently.
    const replays = [captured, { ...captured, signature: ` ${captured.signature.replace('v1=', `v1=${'0'.repeat(64)}, v1=`)} ` }];
    for (const replay of replays) {
      const again = await post(replay);
      expect(again).toEqual({ status: 200, json: { duplicate: true } });
    }
    await stack.idle();

    expect(stack.aws.recentEvents.length).toBe(busCount);
    expect(byId(await tasksOf(LEAVER))).toEqual(tasks);
    expect((await emailsAbout('Rachel Hughes')).length).toBe(emails);
    expect(await auditCount()).toBe(audit);
  });

  it('two deliveries of one signed request at once: one is accepted, the other is the duplicate', async () => {
    const joiner = signed('Staff Joiner', { email: 'n.okoro@hillcrest.sch.uk', startDate: '2027-01-04', displayName: 'Nia Okoro', school: 'hillcrest' });
    const busCount = hrEventsOnBus().length;
    const results = await Promise.all([post(joiner), post(joiner)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 202]);
    await stack.idle();
    expect(hrEventsOnBus().length).toBe(busCount + 1);
    expect((await tasksOf('n.okoro@hillcrest.sch.uk')).map((t) => t.type)).toEqual(['acknowledge_policy']);
    expect((await inbox(stack)).filter((e) => e.destination.to.includes('n.okoro@hillcrest.sch.uk'))).toHaveLength(1);
  });

  it('the same event signed again (a new timestamp) is a new request, accepted, and still changes nothing twice', async () => {
    const t = nowSeconds();
    const detail = { email: LEAVER, leaveDate: '2027-01-29', displayName: 'Rachel Hughes', lineManagerEmail: 'd.okafor@oakfield.sch.uk', school: 'oakfield' };
    const tasks = byId(await tasksOf(LEAVER));
    const emails = (await emailsAbout('Rachel Hughes')).length;
    expect((await post(signed('Staff Leaver', detail, t + 1))).status).toBe(202);
    await stack.idle();
    // The handlers are idempotent: the tasks and emails are those of the first report.
    expect(byId(await tasksOf(LEAVER)).map((t) => t.id)).toEqual(tasks.map((t) => t.id));
    expect((await emailsAbout('Rachel Hughes')).length).toBe(emails);
  });
});

describe('a stale leaver report and a cancellation, signed a minute apart', () => {
  it('cancellation first (for someone not yet reported): the older leaver report, arriving after it, changes nothing', async () => {
    const PERSON = 'o.bennett@hillcrest.sch.uk';
    const ACCOUNTS = ['instagram:hillcrest_drama'];
    const before = await registerState(ACCOUNTS);
    expect(before).toMatchObject([{ status: 'active', admins: expect.arrayContaining([PERSON]) }]);
    const t = nowSeconds();
    const cancellation = signed('Staff Leaver Cancelled', { email: PERSON }, t);
    const staleLeaver = signed('Staff Leaver', { email: PERSON, leaveDate: '2027-02-12', displayName: 'Oliver Bennett' }, t - 60);

    expect((await post(cancellation)).status).toBe(202);
    await stack.idle();
    expect(await stack.store.findPerson([PERSON])).toMatchObject({ key: hrPersonKey(PERSON), status: 'active', cancelledAt: new Date(t * 1000).toISOString() });
    const emails = (await inbox(stack)).length;

    expect((await post(staleLeaver)).status).toBe(202);
    await stack.idle();
    expect(await tasksOf(PERSON)).toEqual([]);
    expect(await registerState(ACCOUNTS)).toEqual(before);
    expect(await stack.store.findPerson([PERSON])).toMatchObject({ status: 'active' });
    expect((await inbox(stack)).length).toBe(emails);
    expect(stack.aws.recentEvents.filter((e) => e.source === 'custodian' && JSON.stringify(e.detail).includes('hillcrest_drama'))).toEqual([]);
  });

  it('leaver first: the newer cancellation undoes it, and a stale leaver report after that changes nothing', async () => {
    const PERSON = 'c.adeyemi@riverside.sch.uk';
    const ACCOUNTS = ['youtube:riversidechoir'];
    const before = await registerState(ACCOUNTS);
    expect(before).toMatchObject([{ status: 'active', admins: expect.arrayContaining([PERSON]) }]);
    const t = nowSeconds();

    expect((await post(signed('Staff Leaver', { email: PERSON, leaveDate: '2027-02-12', displayName: 'Chidi Adeyemi' }, t - 60))).status).toBe(202);
    await stack.idle();
    expect((await openTasks(PERSON)).length).toBeGreaterThan(0);
    expect((await registerState(ACCOUNTS))[0]!.status).toBe('transfer_pending');

    expect((await post(signed('Staff Leaver Cancelled', { email: PERSON }, t))).status).toBe(202);
    await stack.idle();
    expect(await openTasks(PERSON)).toEqual([]);
    expect(await registerState(ACCOUNTS)).toEqual(before);
    const tasks = byId(await tasksOf(PERSON));
    const emails = (await inbox(stack)).length;
    const audit = await auditCount();

    // Another report signed before the cancellation (a late export, a retry) arrives now: nothing is revived.
    expect((await post(signed('Staff Leaver', { email: PERSON, leaveDate: '2027-01-08', displayName: 'Chidi Adeyemi' }, t - 30))).status).toBe(202);
    await stack.idle();
    expect(await openTasks(PERSON)).toEqual([]);
    expect(byId(await tasksOf(PERSON))).toEqual(tasks);
    expect(await registerState(ACCOUNTS)).toEqual(before);
    expect((await inbox(stack)).length).toBe(emails);
    expect(await auditCount()).toBe(audit);
  });
});
