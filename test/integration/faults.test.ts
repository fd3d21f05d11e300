/**
 * Faults against the real local parts. DynamoDB Local (its own java process, data on disk) is stopped in the middle
 * of a burst of leaver events and started again on the same port: every event ends processed once, through Lambda's
 * retries or a redrive from the dead-letter queue, with each task written once and emailed at most once (a delivery
 * claim the outage strands is a known bug, described below). The SES emulator unavailable delays emails, without
 * duplicating tasks or emails once it returns.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../functions/domain/tasks.ts';
import { EventBridgeBus, SqsQueue } from '../../functions/adapters/queues.ts';
import { listDeadLetters, redrive } from '../../functions/usecases/dead-letters.ts';
import { freePort, startDynamoLocal, type DynamoLocal } from '../../infra/local/dynamo.ts';
import { emailsPerTask, flaggedPerTask, importRows, leaverEntry, putAll, sleep, tally, until, type RegisterRow } from '../support/load.ts';
import { inbox, startTestStack, type TestStack } from '../support/stack.ts';

const HOST = '127.0.0.1';
/** Lambda's retries come 3 s and then 6 s after a failure (1 and 2 minutes, scaled). */
const TIME_SCALE = 0.05;
const MANAGER = 'd.okafor@oakfield.sch.uk';
const OTHERS = { admins: ['a.one@oakfield.sch.uk', 'a.two@oakfield.sch.uk'], main_supervisor: 'k.williams@oakfield.sch.uk' };

let dataDir: string;
let dynamoPort: number;
let dynamo: DynamoLocal | undefined;
let stack: TestStack;

const pad = (i: number) => String(i).padStart(3, '0');
const burstLeaver = (i: number) => `fault.${pad(i)}@oakfield.sch.uk`;
const sesLeaver = (i: number) => `ses.${pad(i)}@oakfield.sch.uk`;
const lateLeaver = (i: number) => `late.${pad(i)}@oakfield.sch.uk`;
const BURST = 50;
const SES_DOWN = 10;
const SES_BRIEFLY_DOWN = 5;

/**
 * Each burst leaver is the linked email of one account, the main supervisor of a second, and one of the two
 * administrators of a third: three tasks, written in four transactions and delivered in three claim-send-mark steps,
 * so an outage can fall between any two of them.
 */
function burstRows(i: number): RegisterRow[] {
  const me = burstLeaver(i);
  return [
    { platform: 'instagram', handle: `fault${pad(i)}_pe`, school: 'oakfield', linked_email: me, ...OTHERS },
    { platform: 'youtube', handle: `fault${pad(i)}_music`, school: 'oakfield', linked_email: 'office@oakfield.sch.uk', admins: OTHERS.admins, main_supervisor: me },
    { platform: 'facebook', handle: `fault${pad(i)}_news`, school: 'oakfield', linked_email: 'office@oakfield.sch.uk', admins: [me, 'a.one@oakfield.sch.uk'], main_supervisor: OTHERS.main_supervisor },
  ];
}
const singleRow = (handle: string, me: string): RegisterRow => ({ platform: 'instagram', handle, school: 'oakfield', linked_email: me, ...OTHERS });

const deadLetterQueue = () => stack.queues.all().find((q) => q.spec.logicalId.startsWith('MessagingDeadLetter'))!;

async function redriveAll(): Promise<number> {
  const letters = await listDeadLetters(new SqsQueue(stack.outputs.deadLetterQueueUrl), 'events');
  for (const l of letters) {
    expect(await redrive(l, { from: new SqsQueue(stack.outputs.deadLetterQueueUrl), bus: new EventBridgeBus(stack.outputs.eventBusName) }), `nothing to replay in ${JSON.stringify(l.body).slice(0, 300)}`).toBe(true);
  }
  return letters.length;
}

/** Every task of these people, with what it was about and how it was delivered, in one line each for failure messages. */
async function tasksOf(emails: string[]): Promise<Map<string, Task[]>> {
  const out = new Map<string, Task[]>();
  for (const e of emails) out.set(e, await stack.store.tasksForSubjects([e]));
  return out;
}
const describeTask = (t: Task) => `${t.id} ${t.type} ${t.accountId} ${t.status} delivery=${t.delivery.state}`;

async function auditActions(taskId: string): Promise<string[]> {
  return (await stack.store.auditFor('task', taskId)).map((a) => a.action);
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'custodian-faults-'));
  dynamoPort = await freePort(HOST);
  dynamo = await startDynamoLocal({ host: HOST, port: dynamoPort, dataDir });
  stack = await startTestStack({ dynamoEndpoint: dynamo.endpoint, timeScale: TIME_SCALE });
  await importRows(stack.store, [
    ...Array.from({ length: BURST }, (_, i) => burstRows(i)).flat(),
    ...Array.from({ length: SES_DOWN }, (_, i) => singleRow(`ses${pad(i)}_pe`, sesLeaver(i))),
    ...Array.from({ length: SES_BRIEFLY_DOWN }, (_, i) => singleRow(`late${pad(i)}_pe`, lateLeaver(i))),
  ]);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await dynamo?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('DynamoDB Local stopped in the middle of a burst of leaver events, then restarted', () => {
  const leavers = Array.from({ length: BURST }, (_, i) => burstLeaver(i));
  const timings: Record<string, number> = {};
  let redriven = 0;
  let failedAttempts = 0;
  let recoveredByRetry = 0;

  beforeAll(async () => {
    const t0 = Date.now();
    const logsBefore = stack.logs.length;
    const baseline = (await inbox(stack)).length;
    const put = (i: number) => putAll(stack, [leaverEntry(stack, { email: leavers[i], leaveDate: '2027-03-31', lineManagerEmail: MANAGER })]);
    // Fifteen events, one every 100 ms; once ten leavers are fully processed (their 30 emails sent) DynamoDB stops,
    // with the others half way through.
    let i = 0;
    for (; i < 15; i++) {
      await put(i);
      await sleep(100);
    }
    await until(async () => (await inbox(stack)).length - baseline >= 30, 60_000, 'ten leavers to be processed');
    await dynamo!.stop();
    dynamo = undefined;
    const stoppedAt = Date.now();
    timings.stoppedAfterMs = stoppedAt - t0;
    timings.eventsBeforeStop = i;
    // The rest arrive spread over the next 14 s; DynamoDB starts again 11 s after it stopped (java takes a few
    // seconds more). The events that fail first exhaust their three attempts (3 s, then 6 s, apart) before then and
    // are dead-lettered; the last ones recover through a retry.
    const restarted = (async () => {
      await sleep(Math.max(0, stoppedAt + 11_000 - Date.now()));
      timings.downForMs = Date.now() - stoppedAt;
      dynamo = await startDynamoLocal({ host: HOST, port: dynamoPort, dataDir });
      timings.restartedAfterMs = Date.now() - t0;
    })();
    const rest = BURST - i;
    for (let k = 0; i < BURST; i++, k++) {
      await sleep(Math.max(0, stoppedAt + (k * 14_000) / rest - Date.now()));
      await put(i);
    }
    await restarted;
    await stack.idle();
    timings.retriesDoneAfterMs = Date.now() - t0;
    const failures = stack.logs.slice(logsBefore).filter((l) => /^hr-events: attempt \d failed/.test(l));
    failedAttempts = failures.length;
    const exhausted = failures.filter((l) => l.startsWith('hr-events: attempt 3 failed')).length;
    recoveredByRetry = failures.filter((l) => l.startsWith('hr-events: attempt 1 failed')).length - exhausted;
    redriven = await redriveAll();
    expect(redriven).toBe(exhausted);
    await stack.idle();
    timings.totalMs = Date.now() - t0;
    console.info(`faults: DynamoDB burst: ${JSON.stringify(timings)}; ${failedAttempts} failed attempts, ${recoveredByRetry} events recovered through Lambda's retries, ${redriven} redriven from the dead-letter queue; errors: ${JSON.stringify(tally(failures, (l) => l.replace(/^hr-events: attempt \d failed: /, '').replace(/\d+/g, 'N')))}`);
  }, 240_000);

  it('the outage was real: attempts failed while DynamoDB was down, some recovered by retry, some dead-lettered', () => {
    expect(failedAttempts).toBeGreaterThan(0);
    expect(redriven).toBeGreaterThan(0);
    expect(recoveredByRetry).toBeGreaterThan(0);
  });

  it('the dead-letter queue is empty once the redriven events are processed', async () => {
    expect(deadLetterQueue().messages.map((m) => m.Body.slice(0, 300))).toEqual([]);
    expect(await listDeadLetters(new SqsQueue(stack.outputs.deadLetterQueueUrl), 'events')).toEqual([]);
  });

  it('every leaver has exactly their three tasks, open', async () => {
    const byLeaver = await tasksOf(leavers);
    const wrong = [...byLeaver].filter(([, tasks]) => {
      const types = tally(tasks, (t) => t.type);
      return tasks.length !== 3 || types.transfer_or_close !== 1 || types.replace_supervisor !== 1 || types.replace_admin !== 1 || tasks.some((t) => t.status !== 'open');
    });
    expect(wrong.map(([who, tasks]) => `${who}: ${tasks.map(describeTask).join('; ') || 'no tasks'}`)).toEqual([]);
    // The register shows each leaver's changes once: linked account awaiting transfer, no longer an administrator.
    for (let i = 0; i < BURST; i++) {
      const pe = (await stack.store.getAccount(`instagram:fault${pad(i)}_pe`))!;
      const news = (await stack.store.getAccount(`facebook:fault${pad(i)}_news`))!;
      expect(pe.status, pe.id).toBe('transfer_pending');
      expect(news.admins, news.id).toEqual(['a.one@oakfield.sch.uk']);
      expect(news.removedAdmins?.map((r) => r.email), news.id).toEqual([leavers[i]]);
    }
    const people = await Promise.all(leavers.map((e) => stack.store.findPerson([e])));
    expect(people.map((p) => p?.status ?? 'missing').filter((s) => s !== 'leaving')).toEqual([]);
  });

  it('every task was emailed exactly once and recorded as sent', async () => {
    const tasks = [...(await tasksOf(leavers)).values()].flat();
    expect(tasks).toHaveLength(BURST * 3);
    const emails = await emailsPerTask(stack);
    const line = async (t: Task) => `${describeTask(t)} emails=${emails.get(t.id) ?? 0} audit=${(await auditActions(t.id)).join(',')}`;
    expect(await Promise.all(tasks.filter((t) => (emails.get(t.id) ?? 0) > 1).map(line))).toEqual([]);
    // Claims are settled with retries that outlast the outage, so none is left 'sending'.
    expect(await Promise.all(tasks.filter((t) => t.delivery.state !== 'sent').map(line))).toEqual([]);
    expect(await Promise.all(tasks.filter((t) => t.delivery.state === 'sent' && emails.get(t.id) !== 1).map(line))).toEqual([]);
    for (const t of tasks) {
      // Each was created once, and notified (recorded as sent) once.
      const actions = await auditActions(t.id);
      expect(actions.filter((a) => a === 'task.created'), t.id).toHaveLength(1);
      expect(actions.filter((a) => a === 'task.notified'), t.id).toHaveLength(t.delivery.state === 'sent' ? 1 : 0);
    }
    // Account Flagged goes out before the email, so a retry may repeat it (consumers dedupe by taskId); it is
    // missing only where the email is.
    const flagged = flaggedPerTask(stack);
    expect(tasks.filter((t) => !flagged.get(t.id) && emails.get(t.id)).map((t) => t.id)).toEqual([]);
    const repeats = tasks.filter((t) => flagged.get(t.id)! > 1).length;
    console.info(`faults: DynamoDB burst: ${repeats} of ${tasks.length} tasks had their Account Flagged event published more than once`);
  });
});

describe('the SES emulator unavailable', () => {
  it('delays the emails: the events are retried, then dead-lettered; after a redrive each task is emailed once', async () => {
    const leavers = Array.from({ length: SES_DOWN }, (_, i) => sesLeaver(i));
    const t0 = Date.now();
    const logsBefore = stack.logs.length;
    await stack.stopSes();
    await putAll(stack, leavers.map((email) => leaverEntry(stack, { email, leaveDate: '2027-03-31', lineManagerEmail: MANAGER })));
    await stack.idle();
    const retriedFor = Date.now() - t0;

    // Tasks written once, their emails still pending; three failed attempts per event, then the dead-letter queue.
    const during = [...(await tasksOf(leavers)).values()].flat();
    expect(during.map((t) => `${t.subjectEmail} ${t.type} ${t.delivery.state}`).sort())
      .toEqual(leavers.map((e) => `${e} transfer_or_close pending`).sort());
    const ids = new Set(during.map((t) => t.id));
    expect(stack.logs.slice(logsBefore).filter((l) => /^hr-events: attempt \d failed/.test(l))).toHaveLength(SES_DOWN * 3);
    const letters = await listDeadLetters(new SqsQueue(stack.outputs.deadLetterQueueUrl), 'events');
    expect(letters).toHaveLength(SES_DOWN);
    for (const l of letters) expect(l).toMatchObject({ replay: 'back on the bus', reason: expect.stringContaining('RetriesExhausted') });

    await stack.startSes();
    // Nothing went out for them meanwhile (the emulator's inbox outlives its restart).
    const sentDuring = await emailsPerTask(stack);
    expect([...ids].filter((id) => sentDuring.has(id))).toEqual([]);
    expect(await redriveAll()).toBe(SES_DOWN);
    await stack.idle();

    const after = [...(await tasksOf(leavers)).values()].flat();
    expect(after.map((t) => t.id).sort()).toEqual([...ids].sort());
    const emails = await emailsPerTask(stack);
    expect(after.map((t) => `${t.subjectEmail} emails=${emails.get(t.id) ?? 0} ${t.delivery.state}`).sort())
      .toEqual(leavers.map((e) => `${e} emails=1 sent`).sort());
    for (const t of after) expect((await auditActions(t.id)).filter((a) => a === 'task.notified'), t.id).toHaveLength(1);
    expect(deadLetterQueue().messages).toHaveLength(0);
    // Account Flagged went out on every attempt (it precedes the email): 3 failed attempts + the redrive.
    const flagged = flaggedPerTask(stack);
    const perTask = after.map((t) => flagged.get(t.id) ?? 0);
    expect(Math.min(...perTask)).toBeGreaterThanOrEqual(1);
    console.info(`faults: SES down: retried for ${retriedFor} ms; Account Flagged per task: ${JSON.stringify(tally(perTask, String))}`);
  }, 120_000);

  it('back before the retries run out: Lambda\'s retry sends each email once, with nothing dead-lettered', async () => {
    const leavers = Array.from({ length: SES_BRIEFLY_DOWN }, (_, i) => lateLeaver(i));
    const logsBefore = stack.logs.length;
    await stack.stopSes();
    await putAll(stack, leavers.map((email) => leaverEntry(stack, { email, leaveDate: '2027-03-31', lineManagerEmail: MANAGER })));
    // Wait for every event's first attempt to fail, then bring SES back before the second.
    await until(() => stack.logs.slice(logsBefore).filter((l) => /^hr-events: attempt 1 failed/.test(l)).length >= SES_BRIEFLY_DOWN, 30_000, 'the first attempts to fail');
    await stack.startSes();
    await stack.idle();
    expect(stack.logs.slice(logsBefore).filter((l) => /^hr-events: attempt 3 failed/.test(l))).toEqual([]);
    expect(deadLetterQueue().messages).toHaveLength(0);
    const tasks = [...(await tasksOf(leavers)).values()].flat();
    const emails = await emailsPerTask(stack);
    expect(tasks.map((t) => `${t.subjectEmail} ${t.type} emails=${emails.get(t.id) ?? 0} ${t.delivery.state}`).sort())
      .toEqual(leavers.map((e) => `${e} transfer_or_close emails=1 sent`).sort());
  }, 60_000);
});
