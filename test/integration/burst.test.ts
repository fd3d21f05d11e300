/**
 * A burst of 2,000 leaver events through the local bus (PutEvents, 10 a call) is processed with no event lost and
 * none processed twice: 2,000 invocations, 2,000 tasks, 2,000 emails and 2,000 Account Flagged events, one each;
 * 200 of the events sent again add nothing.
 *
 * The events go onto the bus as fast as it takes them, but never more than IN_FLIGHT unfinished at once. That stands
 * in for Lambda's asynchronous queue and concurrency limit, which the local runtime does not have: it starts every
 * invocation at once in this one process, each with the function's 60 s timeout running from that moment, so 2,000
 * at once share two CPUs, time out, and are retried while the first attempt carries on (measured: every event
 * invoked 2 or 3 times, and all 2,000 dead-lettered when other test files ran alongside). Set IN_FLIGHT to Infinity
 * to see that.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../functions/domain/tasks.ts';
import { emailsPerTask, recipientsPerTask, flaggedPerTask, importRows, leaverEntry, putAll, tally, until, type RegisterRow } from '../support/load.ts';
import { inbox, SCHOOLS, startTestStack, type TestStack } from '../support/stack.ts';

const N = 2000;
const IN_FLIGHT = 100;
const AGAIN = 200;
const pad = (i: number) => String(i).padStart(4, '0');
const school = (i: number) => SCHOOLS[i % SCHOOLS.length]!;
const leaver = (i: number) => `leaver.${pad(i)}@${school(i).domains[0]}`;
const manager = (i: number) => `head@${school(i).domains[0]}`;

let stack: TestStack;
const timings: Record<string, number> = {};
let tasks: Task[];

function rows(): RegisterRow[] {
  return Array.from({ length: N }, (_, i) => {
    const domain = school(i).domains[0]!;
    return {
      platform: 'instagram', handle: `burst_${pad(i)}`, school: school(i).id, linked_email: leaver(i),
      admins: [`admin.one@${domain}`, `admin.two@${domain}`], main_supervisor: `supervisor@${domain}`,
    };
  });
}

const detail = (i: number) => ({ email: leaver(i), leaveDate: '2027-04-30', lineManagerEmail: manager(i), school: school(i).id });
const deadLetters = () => stack.queues.all().find((q) => q.spec.logicalId.startsWith('MessagingDeadLetter'))!.messages;
const failedAttempts = () => stack.logs.filter((l) => / failed/.test(l));
const flaggedCount = () => stack.aws.recentEvents.reduce((n, e) => n + (e['detail-type'] === 'Account Flagged' ? 1 : 0), 0);
const seconds = (ms: number) => Math.round(ms / 100) / 10;

beforeAll(async () => {
  let t = Date.now();
  stack = await startTestStack();
  timings.startStack = Date.now() - t;
  t = Date.now();
  await importRows(stack.store, rows());
  timings.importRegister = Date.now() - t;

  t = Date.now();
  // An event is finished, near enough, once its Account Flagged event is out (just before its email).
  const room = (sent: number) => until(() => sent - flaggedCount() < IN_FLIGHT, 120_000, `fewer than ${IN_FLIGHT} unfinished events (sent ${sent}, finished ${flaggedCount()})`);
  const ids = await putAll(stack, Array.from({ length: N }, (_, i) => leaverEntry(stack, detail(i))), { batch: 10, parallel: 1, beforeEach: room });
  expect(new Set(ids).size).toBe(N);
  timings.putEvents = Date.now() - t; // paced by IN_FLIGHT
  await stack.idle();
  timings.processed = Date.now() - t;

  t = Date.now();
  tasks = await stack.store.listTasks();
  timings.readTasks = Date.now() - t;
  console.info(`burst: ${N} events: ${Object.entries(timings).map(([k, v]) => `${k} ${seconds(v)} s`).join(', ')}; ` +
    `${stack.runtime.invocations} invocations, ${failedAttempts().length} failed attempts, ${stack.runtime.failures} exhausted retries`);
}, 600_000);

afterAll(async () => stack?.stop());

describe(`a burst of ${N} leaver events`, () => {
  it('each event was processed once: one invocation each, nothing failed, nothing dead-lettered', () => {
    expect(failedAttempts()).toEqual([]);
    expect(stack.runtime.invocations).toBe(N);
    expect(stack.runtime.failures).toBe(0);
    expect(deadLetters()).toEqual([]);
  });

  it(`creates exactly ${N} transfer_or_close tasks, one for each leaver's account`, () => {
    expect(tally(tasks, (t) => `${t.type} ${t.status}`)).toEqual({ 'transfer_or_close open': N });
    const bySubject = tally(tasks, (t) => t.subjectEmail);
    expect(Object.keys(bySubject)).toHaveLength(N);
    expect(Object.values(bySubject).filter((n) => n !== 1)).toEqual([]);
    for (const t of tasks) {
      const i = Number(t.handle!.slice('burst_'.length));
      expect(t.subjectEmail).toBe(leaver(i));
      expect(t.accountId).toBe(`instagram:burst_${pad(i)}`);
      expect(t.assignees.sort()).toEqual([manager(i), ...school(i).itManagers].sort());
      expect(t.delivery.state).toBe('sent');
      expect(t.version).toBe(2); // created already claimed for its delivery, then marked sent: no write repeated
    }
  });

  it(`sends each task's assignees one email each, ${N} tasks in all`, async () => {
    const emails = await inbox(stack);
    expect(emails).toHaveLength(tasks.reduce((n, t) => n + t.assignees.length, 0));
    for (const e of emails) expect(e.destination.to).toHaveLength(1);
    const perTask = await emailsPerTask(stack);
    expect(perTask.size).toBe(N);
    expect([...perTask.values()].filter((n) => n !== 1)).toEqual([]);
    const reached = await recipientsPerTask(stack);
    expect(tasks.filter((t) => [...(reached.get(t.id) ?? [])].sort().join() !== [...t.assignees].sort().join()).map((t) => t.id)).toEqual([]);
  });

  it(`publishes ${N} Account Flagged events, one per task`, () => {
    const flagged = flaggedPerTask(stack);
    expect(flagged.size).toBe(N);
    expect([...flagged.values()].filter((n) => n !== 1)).toEqual([]);
    expect(tasks.filter((t) => flagged.get(t.id) !== 1).map((t) => t.id)).toEqual([]);
  });

  it(`${AGAIN} of the events sent again add no task, no email and no event`, async () => {
    const before = new Map(tasks.map((t) => [t.id, t.version]));
    const emailsBefore = (await inbox(stack)).length;
    const flaggedBefore = stack.aws.recentEvents.filter((e) => e['detail-type'] === 'Account Flagged').length;
    const t = Date.now();
    await putAll(stack, Array.from({ length: AGAIN }, (_, k) => leaverEntry(stack, detail(k * (N / AGAIN)))));
    await stack.idle();
    console.info(`burst: ${AGAIN} repeated events processed in ${seconds(Date.now() - t)} s`);
    const after = await stack.store.listTasks();
    expect(after).toHaveLength(N);
    expect(after.filter((a) => before.get(a.id) !== a.version).map((a) => a.id)).toEqual([]);
    expect((await inbox(stack)).length).toBe(emailsBefore);
    expect(stack.aws.recentEvents.filter((e) => e['detail-type'] === 'Account Flagged')).toHaveLength(flaggedBefore);
    expect(failedAttempts()).toEqual([]);
    expect(stack.runtime.invocations).toBe(N + AGAIN);
    expect(stack.runtime.failures).toBe(0);
    expect(deadLetters()).toEqual([]);
  }, 300_000);
});
