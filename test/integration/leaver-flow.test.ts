/**
 * Contracts sections 2, 5 and 6, end to end through the real local parts: HR events on the local bus, the
 * hr-events and actions handlers, DynamoDB Local, the SES emulator's inbox and the HTTP API over loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../functions/domain/signature.ts';
import { signToken } from '../../functions/domain/tokens.ts';
import type { Task } from '../../functions/domain/tasks.ts';
import { actionLinksIn, actionUrlIn, createAccount, inbox, putEvent, seedRegister, startTestStack, type StoredEmail, type TestStack } from '../support/stack.ts';
const RECIPIENT = 'recipient@oakfield.sch.uk';
const link = (taskId: string, recipient = RECIPIENT, generation = 1) => ({ taskId, recipient, generation });

let stack: TestStack;
const LEAVER = 'r.hughes@oakfield.sch.uk';
const MANAGER = 'd.okafor@oakfield.sch.uk';

beforeAll(async () => {
  stack = await startTestStack();
  await seedRegister(stack.store);
}, 120_000);
afterAll(async () => stack?.stop());

const tasksFor = async (email: string) => (await stack.store.tasksForSubjects([email])).sort((a, b) => a.id.localeCompare(b.id));
const emailsAbout = (emails: StoredEmail[], text: string) => emails.filter((e) => e.body.text?.toLowerCase().includes(text.toLowerCase()));

async function auditSize(): Promise<number> {
  return (await stack.store.auditSince(new Date(Date.now() - 86_400_000).toISOString().slice(0, 10))).length;
}

async function form(url: string, fields: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  return { status: res.status, body: await res.text() };
}

describe('a leaver reported on the bus', () => {
  it('creates exactly the tasks the register calls for, and emails the line manager and the school IT manager', async () => {
    await putEvent(stack, 'Staff Leaver', {
      email: 'R.Hughes@OAKFIELD.sch.uk', leaveDate: '2027-01-29', displayName: 'Rachel Hughes', lineManagerEmail: 'D.Okafor@oakfield.sch.uk', school: 'oakfield',
    });
    await stack.idle();

    const tasks = await tasksFor(LEAVER);
    const summary = tasks.map((t) => `${t.type} ${t.accountId}${t.role ? ` ${t.role}` : ''}`).sort();
    expect(summary).toEqual([
      'replace_admin x:oakfieldsport',
      'replace_supervisor blog:oakfield-library main_supervisor',
      'transfer_or_close instagram:oakfield_pe',
      'transfer_or_close youtube:oakfieldmusic',
    ]);
    for (const t of tasks) {
      expect(t.status).toBe('open');
      expect(t.dueDate).toBe('2027-01-29');
      expect(t.assignees.sort()).toEqual([MANAGER, 'it@oakfield.sch.uk'].sort());
    }

    // The register: linked accounts await transfer; she is no longer an administrator of her three.
    const accounts = await stack.store.getAccounts(['instagram:oakfield_pe', 'youtube:oakfieldmusic', 'facebook:oakfieldacademy', 'x:oakfieldsport', 'tiktok:oakfieldsixthform']);
    const byId = new Map(accounts.map((a) => [a.id, a]));
    expect(byId.get('instagram:oakfield_pe')!.status).toBe('transfer_pending');
    expect(byId.get('youtube:oakfieldmusic')!.status).toBe('transfer_pending');
    for (const id of ['facebook:oakfieldacademy', 'x:oakfieldsport', 'tiktok:oakfieldsixthform']) {
      expect(byId.get(id)!.admins).not.toContain(LEAVER);
      expect(byId.get(id)!.status).toBe('active');
    }
    expect(byId.get('x:oakfieldsport')!.admins).toHaveLength(1);

    // One email per recipient, listing every account that needs them, each with a link made for that recipient.
    const emails = await inbox(stack);
    expect(emails.map((e) => e.destination.to).sort()).toEqual([[MANAGER], ['it@oakfield.sch.uk']].sort());
    for (const e of emails) {
      expect(e.body.text).toContain('Rachel Hughes');
      expect(e.body.html).toContain('Rachel Hughes');
      expect(e.body.text).toMatch(/29 January 2027/);
      const links = actionLinksIn(e);
      expect(links.map((l) => l.taskId).sort()).toEqual(tasks.map((t) => t.id).sort());
      for (const l of links) expect(l).toMatchObject({ recipient: e.destination.to[0], generation: 1 });
      // For information: the two accounts where she was only removed as an administrator.
      expect(e.body.text).toContain('For information');
    }
    // No terminal commands for the line manager.
    expect(emails.find((e) => e.destination.to[0] === MANAGER)!.body.text).not.toContain('custodian ');
    expect(emailsAbout(emails, 'oakfield_pe')).toHaveLength(2);
    // Account Flagged events for a trust's ticketing system.
    const flagged = stack.aws.recentEvents.filter((e) => e['detail-type'] === 'Account Flagged');
    expect(flagged.map((e) => (e.detail as { taskId: string }).taskId).sort()).toEqual(tasks.map((t) => t.id).sort());
  });

  it('the same event three more times adds no task and no email', async () => {
    const before = { tasks: (await tasksFor(LEAVER)).map((t) => `${t.id}:${t.version}`), emails: (await inbox(stack)).length };
    for (let i = 0; i < 3; i++) {
      await putEvent(stack, 'Staff Leaver', { email: 'r.hughes@oakfield.sch.uk', leaveDate: '2027-01-29', displayName: 'Rachel Hughes', lineManagerEmail: MANAGER });
    }
    await stack.idle();
    expect((await tasksFor(LEAVER)).map((t) => `${t.id}:${t.version}`)).toEqual(before.tasks);
    expect((await inbox(stack)).length).toBe(before.emails);
  });

  it('an invalid event lands in the dead-letter queue with the reason, and changes nothing', async () => {
    const dlq = stack.queues.all().find((q) => q.spec.logicalId.startsWith('MessagingDeadLetter'))!;
    const audit = await auditSize();
    await putEvent(stack, 'Staff Leaver', { email: 'not-an-address', leaveDate: '2027-02-30' });
    await stack.idle();
    const letters = dlq.messages.map((m) => JSON.parse(m.Body) as { reason: string; event: { detail: unknown } });
    expect(letters).toHaveLength(1);
    expect(letters[0]!.reason).toContain('email: is not an email address');
    expect(letters[0]!.reason).toContain('leaveDate: must be a real date');
    expect(letters[0]!.event.detail).toEqual({ email: 'not-an-address', leaveDate: '2027-02-30' });
    expect(await auditSize()).toBe(audit);
  });
});

describe('acting from the email', () => {
  let email: StoredEmail;
  let url: string;
  let task: Task;

  beforeAll(async () => {
    const emails = await inbox(stack);
    email = emails.find((e) => e.destination.to[0] === MANAGER)!;
    task = (await tasksFor(LEAVER)).find((t) => t.accountId === 'instagram:oakfield_pe')!;
    url = actionUrlIn(email, task.id);
  });

  it('opening the link (as a mail scanner would) shows the choices and changes nothing', async () => {
    const audit = await auditSize();
    for (let i = 0; i < 3; i++) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page).toContain('oakfield_pe');
      expect(page).toContain('form-transfer');
    }
    expect((await stack.store.getTask(task.id))!.version).toBe(task.version);
    expect(await auditSize()).toBe(audit);
  });

  it('refuses a transfer to the leaver, to an outside address, or to another leaver, and changes nothing', async () => {
    const audit = await auditSize();
    await putEvent(stack, 'Staff Leaver', { email: 'm.evans@oakfield.sch.uk', leaveDate: '2027-03-31' });
    await stack.idle();
    const afterOtherLeaver = await auditSize();
    expect(afterOtherLeaver).toBeGreaterThan(audit);
    for (const [to, why] of [
      ['rachel.hughes@gmail.com', 'not on a trust domain'],
      [LEAVER, 'belongs to the person who is leaving'],
      ['m.evans@oakfield.sch.uk', 'not an active member of staff'],
    ] as const) {
      const res = await form(url, { action: 'transfer', newOwner: to });
      expect(res.status).toBe(400);
      expect(res.body).toContain(why);
    }
    expect((await stack.store.getTask(task.id))!.status).toBe('open');
    expect((await stack.store.getAccount('instagram:oakfield_pe'))!.linkedEmail).toBe(LEAVER);
    expect(await auditSize()).toBe(afterOtherLeaver);
  });

  it('a transfer to a continuing member of staff updates the register and the audit; the link then refuses reuse', async () => {
    const res = await form(url, { action: 'transfer', newOwner: 'S.Ahmed@oakfield.sch.uk' });
    expect(res.status).toBe(200);
    expect(res.body).toContain('s.ahmed@oakfield.sch.uk');
    const account = (await stack.store.getAccount('instagram:oakfield_pe'))!;
    expect(account.linkedEmail).toBe('s.ahmed@oakfield.sch.uk');
    expect(account.status).toBe('active');
    const done = (await stack.store.getTask(task.id))!;
    expect(done).toMatchObject({ status: 'done', resolution: { action: 'transfer', to: 's.ahmed@oakfield.sch.uk', by: MANAGER } });
    const history = await stack.store.auditFor('account', 'instagram:oakfield_pe');
    expect(history.at(-1)).toMatchObject({ action: 'account.transferred', by: MANAGER, before: { linkedEmail: LEAVER, status: 'transfer_pending' }, after: { linkedEmail: 's.ahmed@oakfield.sch.uk', status: 'active' } });
    const resolved = stack.aws.recentEvents.filter((e) => e['detail-type'] === 'Task Resolved');
    expect(resolved.map((e) => (e.detail as { taskId: string }).taskId)).toContain(task.id);

    const again = await form(url, { action: 'close' });
    expect(again.status).toBe(409);
    expect((await fetch(url)).status).toBe(409);
    expect((await stack.store.getAccount('instagram:oakfield_pe'))!.status).toBe('active');
  });

  it('a forged or expired link shows a clear page and changes nothing', async () => {
    const other = (await tasksFor(LEAVER)).find((t) => t.accountId === 'youtube:oakfieldmusic')!;
    const otherUrl = actionUrlIn(emailsAbout(await inbox(stack), 'oakfieldmusic')[0]!, other.id);
    const token = otherUrl.split('/actions/')[1]!;
    const forged = `${otherUrl.split('/actions/')[0]}/actions/${token.slice(0, -3)}${token.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const res = await form(forged, { action: 'close' });
    expect(res.status).toBe(403);
    expect(res.body).toContain('not valid');
    const expired = signToken(stack.secretValue('LinkSigningSecret'), link(other.id), Math.floor(Date.now() / 1000) - 60);
    const res2 = await form(`${stack.outputs.endpoints.http}/actions/${expired}`, { action: 'close' });
    expect(res2.status).toBe(410);
    // A link for one task cannot act on another: the signature covers the task id.
    const swapped = signToken('not-the-secret', link(other.id), Math.floor(Date.now() / 1000) + 3600);
    expect((await form(`${stack.outputs.endpoints.http}/actions/${swapped}`, { action: 'close' })).status).toBe(403);
    expect((await stack.store.getTask(other.id))!.status).toBe('open');
    expect((await stack.store.getAccount('youtube:oakfieldmusic'))!.status).toBe('transfer_pending');
  });

  it('keep needs a written reason; the page asks nobody who they are', async () => {
    const other = (await tasksFor(LEAVER)).find((t) => t.accountId === 'youtube:oakfieldmusic')!;
    const otherUrl = actionUrlIn(emailsAbout(await inbox(stack), 'oakfieldmusic')[0]!, other.id);
    const page = await (await fetch(otherUrl)).text();
    expect(page).not.toContain('Who is making this decision');
    expect(page).not.toMatch(/name="actor"/);
    expect((await form(otherUrl, { action: 'keep', reason: '' })).status).toBe(400);
    expect((await stack.store.getTask(other.id))!.status).toBe('open');
  });
});

describe('each link acts as the person it was sent to', () => {
  const LEAVING = 'j.patel@oakfield.sch.uk';
  const IT = 'it@oakfield.sch.uk';
  const ids = ['facebook:oakfield-choir', 'facebook:oakfield-band', 'facebook:oakfield-drama'];
  const taskOf = async (accountId: string) => (await tasksFor(LEAVING)).find((t) => t.accountId === accountId)!;
  const linkFor = async (recipient: string, accountId: string) => {
    const task = await taskOf(accountId);
    const mail = (await inbox(stack)).filter((e) => e.destination.to[0] === recipient && actionLinksIn(e).some((l) => l.taskId === task.id)).at(-1)!;
    return actionUrlIn(mail, task.id);
  };

  beforeAll(async () => {
    const now = new Date().toISOString();
    for (const id of ids) {
      const handle = id.split(':')[1]!;
      await createAccount(stack.store, {
        id, platform: 'facebook', handle, school: 'oakfield', linkedEmail: LEAVING, admins: ['s.ahmed@oakfield.sch.uk', 'k.williams@oakfield.sch.uk'],
        mainSupervisor: 'k.williams@oakfield.sch.uk', monitoringFrequency: 'monthly', status: 'active', createdAt: now, updatedAt: now, version: 1,
      }, { by: IT, source: 'test' });
    }
    await putEvent(stack, 'Staff Leaver', { email: LEAVING, leaveDate: '2027-02-26', displayName: 'Jay Patel', lineManagerEmail: MANAGER });
    await stack.idle();
  });

  it('a forwarded link acts as its original recipient: the audit names them, whoever pressed the button', async () => {
    const url = await linkFor(IT, 'facebook:oakfield-choir');
    // The IT manager forwards their email to the line manager, who decides from it.
    const res = await form(url, { action: 'keep', reason: 'Choir page stays; login being moved by IT' });
    expect(res.status).toBe(200);
    const done = await taskOf('facebook:oakfield-choir');
    expect(done).toMatchObject({ status: 'done', resolution: { action: 'keep', by: IT } });
    const audit = await stack.store.auditFor('task', done.id);
    expect(audit.at(-1)).toMatchObject({ action: 'task.resolved', by: IT });
  });

  it('the link of someone no longer asked is refused with a clear page, and changes nothing', async () => {
    const task = await taskOf('facebook:oakfield-band');
    const url = await linkFor(MANAGER, 'facebook:oakfield-band');
    // The task is handed to the IT manager alone.
    await stack.store.commit([{ kind: 'task', action: 'task.reassigned', before: task, after: { ...task, assignees: [IT], version: task.version + 1 } }], { by: IT, source: 'test' });
    const audit = await auditSize();
    const page = await fetch(url);
    expect(page.status).toBe(403);
    expect(await page.text()).toContain('no longer asked');
    const res = await form(url, { action: 'close' });
    expect(res.status).toBe(403);
    expect((await taskOf('facebook:oakfield-band')).status).toBe('open');
    expect((await stack.store.getAccount('facebook:oakfield-band'))!.status).toBe('transfer_pending');
    expect(await auditSize()).toBe(audit);
  });

  it('a link from before the task was reopened is refused; the new email\'s link works', async () => {
    const before = await linkFor(IT, 'facebook:oakfield-drama');
    // EventBridge times have whole seconds: say when each happened, so the new report is plainly the newer one.
    const cancelledAt = Date.now();
    await putEvent(stack, 'Staff Leaver Cancelled', { email: LEAVING, occurredAt: new Date(cancelledAt).toISOString() });
    await stack.idle();
    await putEvent(stack, 'Staff Leaver', { email: LEAVING, leaveDate: '2027-03-31', displayName: 'Jay Patel', lineManagerEmail: MANAGER, occurredAt: new Date(cancelledAt + 1).toISOString() });
    await stack.idle();
    const reopened = await taskOf('facebook:oakfield-drama');
    expect(reopened).toMatchObject({ status: 'open', generation: 2 });
    const audit = await auditSize();
    const stale = await form(before, { action: 'close' });
    expect(stale.status).toBe(403);
    expect(stale.body).toContain('reopened');
    expect((await taskOf('facebook:oakfield-drama')).status).toBe('open');
    expect(await auditSize()).toBe(audit);

    const fresh = await linkFor(IT, 'facebook:oakfield-drama');
    expect(fresh).not.toBe(before);
    const res = await form(fresh, { action: 'close' });
    expect(res.status).toBe(200);
    expect(await taskOf('facebook:oakfield-drama')).toMatchObject({ status: 'done', resolution: { action: 'close', by: IT } });
  });
});

describe('the signed HR webhook', () => {
  const post = async (body: string, signature?: string, contentType = 'application/json') =>
    fetch(`${stack.outputs.endpoints.http}/hr/events`, { method: 'POST', headers: { 'content-type': contentType, ...(signature ? { 'x-custodian-signature': signature } : {}) }, body });

  it('a correctly signed leaver is processed like a bus event', async () => {
    const body = JSON.stringify({ detailType: 'Staff Leaver', detail: { email: 'l.turner@riverside.sch.uk', leaveDate: '2027-02-12', displayName: 'Laura Turner' } });
    const res = await post(body, signBody(stack.secretValue('HrWebhookSecret'), body, Math.floor(Date.now() / 1000)));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ eventId: expect.any(String) });
    await stack.idle();
    expect((await stack.store.findPerson(['l.turner@riverside.sch.uk']))?.status).toBe('leaving');
  });

  it('a bad signature, a stale timestamp or no signature gets 401 and changes nothing', async () => {
    const audit = await auditSize();
    const events = stack.aws.recentEvents.length;
    const body = JSON.stringify({ detailType: 'Staff Leaver', detail: { email: 'j.clarke@oakfield.sch.uk', leaveDate: '2027-02-12' } });
    const secret = stack.secretValue('HrWebhookSecret');
    for (const signature of [signBody('wrong-secret', body, Math.floor(Date.now() / 1000)), signBody(secret, body, Math.floor(Date.now() / 1000) - 301), undefined]) {
      const res = await post(body, signature);
      expect(res.status).toBe(401);
    }
    await stack.idle();
    expect(stack.aws.recentEvents.length).toBe(events);
    expect(await auditSize()).toBe(audit);
    expect(await stack.store.findPerson(['j.clarke@oakfield.sch.uk'])).toBeUndefined();
  });

  it('a signed but invalid event is refused with the reason', async () => {
    const body = JSON.stringify({ detailType: 'Staff Leaver', detail: { email: 'nobody' } });
    const res = await post(body, signBody(stack.secretValue('HrWebhookSecret'), body, Math.floor(Date.now() / 1000)));
    expect(res.status).toBe(400);
    expect((await res.json()) as { message: string }).toMatchObject({ message: expect.stringContaining('detail.email') });
  });
});

describe('a cancelled leaver', () => {
  it('cancels their tasks, restores them as administrator, and tells the assignees', async () => {
    const sent = (await inbox(stack)).length;
    const open = (await tasksFor(LEAVER)).filter((t) => t.status === 'open');
    expect(open.length).toBe(3);
    await putEvent(stack, 'Staff Leaver Cancelled', { email: 'R.HUGHES@oakfield.sch.uk' });
    await stack.idle();
    const after = await tasksFor(LEAVER);
    expect(after.filter((t) => t.status === 'open')).toEqual([]);
    expect(after.filter((t) => t.status === 'cancelled').map((t) => t.id).sort()).toEqual(open.map((t) => t.id).sort());
    for (const id of ['facebook:oakfieldacademy', 'x:oakfieldsport', 'tiktok:oakfieldsixthform']) {
      expect((await stack.store.getAccount(id))!.admins).toContain(LEAVER);
    }
    expect((await stack.store.getAccount('youtube:oakfieldmusic'))!.status).toBe('active');
    const told = (await inbox(stack)).slice(sent);
    expect(told).toHaveLength(3);
    for (const e of told) {
      expect(e.subject.toLowerCase()).toContain('cancelled');
      expect(e.destination.to.sort()).toEqual([MANAGER, 'it@oakfield.sch.uk'].sort());
    }
  });

  it('a leaver event older than the cancellation, arriving late, does not revive the tasks', async () => {
    const sent = (await inbox(stack)).length;
    await stack.aws.putEvents([{
      EventBusName: stack.outputs.eventBusName, Source: 'hr', DetailType: 'Staff Leaver', Time: '2020-01-01T00:00:00Z',
      Detail: JSON.stringify({ email: LEAVER, leaveDate: '2027-01-29' }),
    }]);
    await stack.idle();
    expect((await tasksFor(LEAVER)).filter((t) => t.status === 'open')).toEqual([]);
    expect((await inbox(stack)).length).toBe(sent);
  });
});

describe('a joiner', () => {
  it('is recorded and asked to acknowledge the policy; the signed action records it', async () => {
    await putEvent(stack, 'Staff Joiner', { email: 'T.Nowak@riverside.sch.uk', startDate: '2027-01-04', displayName: 'Tomasz Nowak', school: 'riverside', lineManagerEmail: 's.bennett@riverside.sch.uk' });
    await stack.idle();
    const [task] = await tasksFor('t.nowak@riverside.sch.uk');
    expect(task).toMatchObject({ type: 'acknowledge_policy', status: 'open', assignees: ['t.nowak@riverside.sch.uk'] });
    const mail = (await inbox(stack)).find((e) => e.destination.to.includes('t.nowak@riverside.sch.uk'))!;
    expect(mail.body.text).toContain('social media');
    const url = actionUrlIn(mail);
    expect((await fetch(url)).status).toBe(200);
    expect((await stack.store.getTask(task!.id))!.status).toBe('open');
    const res = await form(url, { action: 'acknowledge' });
    expect(res.status).toBe(200);
    expect((await stack.store.getTask(task!.id))!.status).toBe('done');
    expect((await stack.store.findPerson(['t.nowak@riverside.sch.uk']))!.policyAcknowledgedAt).toBeTruthy();
  });
});

describe('personal data retention', () => {
  it('a leaver whose tasks are all resolved gets an expiry; the audit does not keep their name', async () => {
    const { store } = stack;
    await putEvent(stack, 'Staff Leaver', { email: 'p.sharma@hillcrest.sch.uk', leaveDate: '2027-03-31', displayName: 'Priya Sharma' });
    await stack.idle();
    const person = (await store.findPerson(['p.sharma@hillcrest.sch.uk']))!;
    // No account is tied to her, so no task is open: her record expires a year after she leaves.
    expect(person.key).not.toContain('@');
    expect(person.personalDataExpiresAt).toBe(Date.parse('2027-03-31T00:00:00Z') / 1000 + 365 * 86_400);
    const history = await store.auditFor('person', person.key);
    expect(JSON.stringify(history)).not.toContain('Priya');
    expect(JSON.stringify(history)).not.toContain('p.sharma@');
    // Back on HR's books: the expiry is cleared.
    await putEvent(stack, 'Staff Leaver Cancelled', { email: 'p.sharma@hillcrest.sch.uk' });
    await stack.idle();
    expect((await store.findPerson(['p.sharma@hillcrest.sch.uk']))!.personalDataExpiresAt).toBeUndefined();
  });
});
