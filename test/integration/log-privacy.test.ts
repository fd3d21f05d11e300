/**
 * No personal data in logs: a whole leaver scenario runs through the real local parts while every line the test
 * process writes is captured (process.stdout and stderr, where Powertools Logger writes its JSON; console.*; the
 * local stack's own log lines), and no line may contain an email address or the name of anyone in the fixtures.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../functions/domain/signature.ts';
import { EventBridgeBus, SqsQueue } from '../../functions/adapters/queues.ts';
import { listDeadLetters, redrive } from '../../functions/usecases/dead-letters.ts';
import { captureLogs, type LogCapture } from '../support/log-capture.ts';
import { actionLinksIn, actionUrlIn, inbox, putEvent, seedRegister, startTestStack, type StoredEmail, type TestStack } from '../support/stack.ts';

const DIRECTORY = path.resolve(import.meta.dirname, '../../samples/directory.json');
const directoryUsers = (JSON.parse(readFileSync(DIRECTORY, 'utf8')) as {
  users: Array<{ displayName: string; givenName?: string; surname?: string; mail?: string; userPrincipalName?: string; proxyAddresses?: string[] }>;
}).users;

/** Names that appear in this file's events (and nowhere in the directory fixture). */
const EVENT_NAMES = ['Rachel Hughes', 'Jessica Clarke', 'Tomasz Nowak', 'Laura Turner', 'Karen Williams', 'Oliver Bennett'];
const NAMES = [...new Set([
  ...EVENT_NAMES,
  ...directoryUsers.map((u) => u.displayName),
  ...directoryUsers.flatMap((u) => (u.givenName && u.surname ? [`${u.givenName} ${u.surname}`] : [])),
])];
/** Any email address, and the local part of a fixture address on its own (`r.hughes`), which is just as personal. */
const EMAIL = /[^\s@]+@[^\s@]+\.[a-z]{2,}/i;
const LOCAL_PARTS = [...new Set(directoryUsers.flatMap((u) => [u.mail, u.userPrincipalName, ...(u.proxyAddresses ?? []).map((p) => p.replace(/^smtp:/i, ''))])
  .filter((a): a is string => !!a)
  .map((a) => a.split('@')[0]!.toLowerCase())
  .filter((l) => l.includes('.')))];

const LEAVER = 'r.hughes@oakfield.sch.uk';
const MANAGER = 'd.okafor@oakfield.sch.uk';

let stack: TestStack;
let capture: LogCapture;
const savedLogLevel = process.env.POWERTOOLS_LOG_LEVEL;

async function form(url: string, fields: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  return { status: res.status, body: await res.text() };
}
const emailsAbout = (emails: StoredEmail[], text: string) => emails.filter((e) => e.body.text?.includes(text));

/**
 * SES as it answers SendEmail for recipients it will not send to (an account still in the SES sandbox): HTTP 400,
 * `MessageRejected`, with a message that lists the refused recipients' addresses. It takes the SES emulator's place
 * on its port, so the functions reach it through their real SesMailer and the AWS SDK.
 */
async function rejectingSes(endpoint: string): Promise<{ rejections: string[]; close(): Promise<void> }> {
  const rejections: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => {
      let to: string[] = [];
      try {
        to = (JSON.parse(body) as { Destination?: { ToAddresses?: string[] } }).Destination?.ToAddresses ?? [];
      } catch { /* not JSON: no recipients to name */ }
      const message = `Email address is not verified. The following identities failed the check in region EU-WEST-2: ${to.join(', ')}`;
      rejections.push(message);
      res.writeHead(400, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'MessageRejected:http://internal.amazon.com/coral/com.amazonaws.sesv2/',
        'x-amzn-requestid': `rejected-${rejections.length}`,
      });
      res.end(JSON.stringify({ message }));
    });
  });
  const { hostname, port } = new URL(endpoint);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(port), hostname, () => resolve());
  });
  return {
    rejections,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
let sesRejections: string[] = [];

/** Every line written during the scenario: the captured output and the local stack's own log. */
const allLines = () => [...capture.lines, ...stack.logs.map((line) => ({ via: 'stack log', line }))];

beforeAll(async () => {
  // Everything the functions could log, debug included.
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  capture = captureLogs();
  stack = await startTestStack();
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  await seedRegister(stack.store);
  const dlq = stack.queues.all().find((q) => q.spec.logicalId.startsWith('MessagingDeadLetter'))!;

  // A leaver with a display name, then the same event twice more.
  const leaver = { email: 'R.Hughes@oakfield.sch.uk', leaveDate: '2027-01-29', displayName: 'Rachel Hughes', lineManagerEmail: 'D.Okafor@oakfield.sch.uk', school: 'oakfield', employeeId: 'E10442' };
  await putEvent(stack, 'Staff Leaver', leaver);
  await stack.idle();
  expect(await stack.store.tasksForSubjects([LEAVER])).toHaveLength(4);
  await putEvent(stack, 'Staff Leaver', leaver);
  await putEvent(stack, 'Staff Leaver', leaver);
  await stack.idle();
  expect(await stack.store.tasksForSubjects([LEAVER])).toHaveLength(4);

  // Invalid events, full of personal data, go to the dead-letter queue with their reason.
  await putEvent(stack, 'Staff Leaver', { email: 'j.clarke@oakfield.sch.uk', leaveDate: '2027-02-30', displayName: 'Jessica Clarke', lineManagerEmail: MANAGER });
  await putEvent(stack, 'Staff Leaver', { email: 'Jessica Clarke <jessica.clarke at oakfield.sch.uk>', leaveDate: '2027-02-12' });
  await stack.idle();
  expect(dlq.messages).toHaveLength(2);
  dlq.purge();

  // The action link: opened, a refused transfer (outside address, then the leaver), a forged link, then a transfer.
  const emails = await inbox(stack);
  const pe = (await stack.store.tasksForSubjects([LEAVER])).find((t) => t.accountId === 'instagram:oakfield_pe')!;
  const url = actionUrlIn(emails.find((e) => e.destination.to[0] === MANAGER && actionLinksIn(e).some((l) => l.taskId === pe.id))!, pe.id);
  expect((await fetch(url)).status).toBe(200);
  expect((await form(url, { action: 'transfer', newOwner: 'rachel.hughes@gmail.com' })).status).toBe(400);
  expect((await form(url, { action: 'transfer', newOwner: LEAVER })).status).toBe(400);
  const token = url.split('/actions/')[1]!;
  expect((await form(`${url.split('/actions/')[0]}/actions/${token.slice(0, -4)}AAAA`, { action: 'close' })).status).toBe(403);
  expect((await form(url, { action: 'transfer', newOwner: 'S.Ahmed@oakfield.sch.uk' })).status).toBe(200);
  expect((await form(url, { action: 'close' })).status).toBe(409);

  // The HR webhook: a signed leaver, and a request with a bad signature.
  const body = JSON.stringify({ detailType: 'Staff Leaver', detail: { email: 'l.turner@riverside.sch.uk', leaveDate: '2027-02-12', displayName: 'Laura Turner' } });
  const post = (signature: string) => fetch(`${stack.outputs.endpoints.http}/hr/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-custodian-signature': signature }, body });
  expect((await post(signBody(stack.secretValue('HrWebhookSecret'), body, Math.floor(Date.now() / 1000)))).status).toBe(202);
  expect((await post(signBody('wrong-secret', body, Math.floor(Date.now() / 1000)))).status).toBe(401);
  await stack.idle();

  // A cancellation, which emails the assignees of the open tasks.
  await putEvent(stack, 'Staff Leaver Cancelled', { email: 'R.HUGHES@oakfield.sch.uk', employeeId: 'E10442' });
  await stack.idle();
  expect((await stack.store.tasksForSubjects([LEAVER])).filter((t) => t.status === 'open')).toEqual([]);

  // A joiner, who acknowledges the policy from their link.
  await putEvent(stack, 'Staff Joiner', { email: 'T.Nowak@riverside.sch.uk', startDate: '2027-01-04', displayName: 'Tomasz Nowak', school: 'riverside', lineManagerEmail: 's.bennett@riverside.sch.uk', jobTitle: 'Teacher of Geography' });
  await stack.idle();
  const ackUrl = actionUrlIn((await inbox(stack)).find((e) => e.destination.to.includes('t.nowak@riverside.sch.uk'))!);
  expect((await fetch(ackUrl)).status).toBe(200);
  expect((await form(ackUrl, { action: 'acknowledge' })).status).toBe(200);

  // Sending fails (the SES emulator is down): the function's errors are logged, retried, dead-lettered, redriven.
  await stack.stopSes();
  await putEvent(stack, 'Staff Leaver', { email: 'k.williams@oakfield.sch.uk', leaveDate: '2027-03-31', displayName: 'Karen Williams', lineManagerEmail: MANAGER });
  await stack.idle();
  await stack.startSes();
  const letters = await listDeadLetters(new SqsQueue(stack.outputs.deadLetterQueueUrl), 'events');
  expect(letters).toHaveLength(1);
  for (const l of letters) await redrive(l, { from: new SqsQueue(stack.outputs.deadLetterQueueUrl), bus: new EventBridgeBus(stack.outputs.eventBusName) });
  await stack.idle();
  expect((await stack.store.tasksForSubjects(['k.williams@oakfield.sch.uk'])).every((t) => t.delivery.state === 'sent')).toBe(true);

  // The directory: connected and synchronised, then a user disabled (a change notification), then synchronised again.
  expect(await stack.runtime.invoke('directory-sync', {})).toMatchObject({ outcome: 'synchronised' });
  await stack.idle();
  await stack.graph.disableUser('e.thompson@riverside.sch.uk');
  await stack.idle();
  expect(await stack.runtime.invoke('directory-sync', {})).toMatchObject({ outcome: 'synchronised' });
  await stack.idle();
  expect((await stack.store.tasksForSubjects(['office@riverside.sch.uk'])).length).toBeGreaterThan(0);

  // The daily sweep on a Monday: reminders, escalations, checks and the weekly digest.
  expect(await stack.runtime.invoke('sweep', { at: '2027-01-04T07:00:00Z' })).toMatchObject({ workingDay: true });
  await stack.idle();

  // SES rejects every email, naming the recipients (an account still in the SES sandbox): a leaver's task emails
  // fail in hr-events (logged by the runtime, retried, dead-lettered), and the next Monday's sweep logs its failures.
  await stack.stopSes();
  const ses = await rejectingSes(stack.outputs.endpoints.ses);
  try {
    await putEvent(stack, 'Staff Leaver', { email: 'o.bennett@hillcrest.sch.uk', leaveDate: '2027-03-31', displayName: 'Oliver Bennett', lineManagerEmail: 'i.reid@hillcrest.sch.uk' });
    await stack.idle();
    // (It throws when anything failed, so that the scheduler's retry resumes it.)
    await expect(stack.runtime.invoke('sweep', { at: '2027-01-11T07:00:00Z' })).rejects.toThrow(/^sweep incomplete: .* failed; a retry resumes it$/);
    await stack.idle();
  } finally {
    await ses.close();
    await stack.startSes();
  }
  sesRejections = ses.rejections;
  expect(await listDeadLetters(new SqsQueue(stack.outputs.deadLetterQueueUrl), 'events')).toHaveLength(1);
}, 180_000);

afterAll(async () => {
  capture?.stop();
  if (savedLogLevel === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
  else process.env.POWERTOOLS_LOG_LEVEL = savedLogLevel;
  await stack?.stop();
});

describe('the logs of a whole leaver scenario', () => {
  it('were captured: the functions logged each step', () => {
    const messages = new Set(capture.lines.flatMap(({ line }) => {
      try {
        return [String((JSON.parse(line) as { message?: unknown }).message)];
      } catch {
        return [];
      }
    }));
    for (const m of [
      'leaver processed', 'invalid HR event sent to the dead-letter queue', 'action link refused', 'task resolved',
      'HR webhook event accepted', 'HR webhook request rejected', 'leaver cancellation processed', 'joiner processed',
      'directory synchronised', 'sweep finished',
    ]) expect(messages, `no "${m}" line was captured`).toContain(m);
    // The stack's own log saw the failed sends.
    expect(stack.logs.some((l) => /hr-events: attempt \d failed/.test(l))).toBe(true);
  });

  it('were captured for an SES rejection that listed recipient addresses, with the addresses taken out', () => {
    // The rejections really named recipients, so the logs below had addresses to leak.
    expect(sesRejections.length).toBeGreaterThan(0);
    expect(sesRejections.some((m) => m.includes('i.reid@hillcrest.sch.uk'))).toBe(true); // the leaver's line manager
    // The runtime's log of the failed hr-events attempts, as Lambda logs an error that leaves a function.
    expect(stack.logs.some((l) => /^hr-events: attempt \d failed: Email address is not verified\. The following identities failed the check in region EU-WEST-2: <address>/.test(l))).toBe(true);
    // The sweep's own log of what it could not send.
    const sweepFailures = capture.lines.flatMap(({ line }) => {
      try {
        const entry = JSON.parse(line) as { message?: string; error?: string };
        return /^(sweep item|weekly digest) failed/.test(entry.message ?? '') ? [entry.error ?? ''] : [];
      } catch {
        return [];
      }
    });
    expect(sweepFailures.length).toBeGreaterThan(0);
    expect(sweepFailures.every((e) => e.startsWith('Email address is not verified.') && e.includes('<address>'))).toBe(true);
  });

  it('contain no email address and no name', () => {
    const offending = allLines().filter(({ line }) =>
      EMAIL.test(line) || NAMES.some((n) => line.toLowerCase().includes(n.toLowerCase())) || LOCAL_PARTS.some((l) => line.toLowerCase().includes(l)));
    const shown = offending.map(({ via, line }) => `  [${via}] ${line.length > 600 ? `${line.slice(0, 600)}…` : line}`).join('\n');
    expect(offending, `${offending.length} of ${allLines().length} log lines contain personal data:\n${shown}`).toEqual([]);
  });
});
