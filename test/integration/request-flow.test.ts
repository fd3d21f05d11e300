/**
 * Contracts section 9 through the real local parts: a request submitted with the same use case the console calls
 * (in this process, on DynamoDB Local), then decided by each approver from the link in their own email in the SES
 * emulator's inbox, through the HTTP API and the real actions handler; a rejection; the set-up from the IT manager's
 * email. The console's pages over this are the console's own tests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { depsFromEnv } from '../../functions/adapters/deps.ts';
import { personChange } from '../../functions/domain/changes.ts';
import type { AccountRequest } from '../../functions/domain/requests.ts';
import type { Deps } from '../../functions/usecases/deps.ts';
import { submitRequest } from '../../functions/usecases/requests.ts';
import { setSchool } from '../../functions/usecases/schools.ts';
import { actionLinksIn, actionUrlIn, inbox, SCHOOLS, startTestStack, type StoredEmail, type TestStack } from '../support/stack.ts';

const REQUESTER = 'j.smith@oakfield.sch.uk';
const MANAGER = 'd.okafor@oakfield.sch.uk';
const HEAD = 'head@oakfield.sch.uk';
const APPROVER = 'director.it@oakfield.sch.uk';
const IT = 'it@oakfield.sch.uk';

const FORM: Record<string, string> = {
  school: 'oakfield', platform: 'instagram', handle: 'oakfield_drama', published_name: 'Oakfield Drama', purpose: 'Drama productions and clubs',
  aims: 'Audiences for productions', why_not_existing: 'The school account is whole-school news only', content: 'Rehearsal notices and photos with consent',
  audience: 'Parents and carers', main_supervisor: 'k.williams@oakfield.sch.uk', reserve_supervisor: 'm.reserve@oakfield.sch.uk',
  monitoring_frequency: 'weekly', holiday_monitoring_frequency: 'monthly', responsible: 'Drama department', linked_email: 'drama@oakfield.sch.uk',
  admins: 'a.one@oakfield.sch.uk;a.two@oakfield.sch.uk', planned_end_date: '', exit_plan: 'Archive it if the club stops', success_measures: 'Tickets sold',
};

let stack: TestStack;
let deps: Deps;

beforeAll(async () => {
  stack = await startTestStack();
  const actor = { by: IT, source: 'test' };
  for (const s of SCHOOLS) await setSchool(stack.store, { ...s, ...(s.id === 'oakfield' ? { headteacher: HEAD } : {}) }, actor);
  const nowIso = new Date().toISOString();
  await stack.store.commit([personChange(undefined, {
    key: 'hr:requester', primaryEmail: REQUESTER, addresses: [REQUESTER], displayName: 'Jo Smith', lineManagerEmail: MANAGER, status: 'active',
    createdAt: nowIso, updatedAt: nowIso, version: 1,
  }, 'person.created')], actor);
  // The use cases in this process, configured as the console function is.
  deps = depsFromEnv();
  deps.config.trustApprovers = [APPROVER];
}, 120_000);
afterAll(async () => stack?.stop());

async function submit(handle: string): Promise<AccountRequest> {
  const result = await submitRequest(deps, { email: REQUESTER, name: 'Jo Smith' }, { ...FORM, handle });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.request;
}

/** The newest email to `to` holding a link for the task. */
async function emailFor(to: string, taskId: string): Promise<StoredEmail> {
  const mails = (await inbox(stack)).filter((m) => m.destination.to.includes(to) && actionLinksIn(m).some((l) => l.taskId === taskId));
  const mail = mails.at(-1);
  if (!mail) throw new Error(`no email to ${to} for task ${taskId}`);
  return mail;
}

async function post(url: string, fields: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  return { status: res.status, body: await res.text() };
}

const stepTask = async (id: string, step: number) => (await stack.store.getRequest(id))!.steps[step]!.taskId!;

describe('approving from the emailed links', () => {
  it('each approver opens their own link (which changes nothing), approves, and the last approval puts the account in the register', async () => {
    const r = await submit('oakfield_drama');
    const managerTask = await stepTask(r.id, 0);
    const mail = await emailFor(MANAGER, managerTask);
    expect(mail.subject).toContain('new Instagram @oakfield_drama account for Oakfield Academy, requested by Jo Smith');
    expect(mail.body.html).toContain('Drama productions and clubs');
    expect(actionLinksIn(mail)).toEqual([expect.objectContaining({ taskId: managerTask, recipient: MANAGER, generation: 1 })]);

    // A mail scanner opening the link changes nothing.
    const url = actionUrlIn(mail, managerTask);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const hook of ['id="form-approve"', 'id="form-reject"', 'id="request"', 'drama@oakfield.sch.uk', 'You are deciding as <strong>d.okafor@oakfield.sch.uk</strong>']) expect(html).toContain(hook);
    expect((await stack.store.getRequest(r.id))!.steps[0]!.decision).toBeUndefined();

    const approved = await post(url, { action: 'approve' });
    expect(approved.status).toBe(200);
    expect(approved.body).toContain('your approval of the request for Instagram @oakfield_drama is recorded');
    // The link worked once.
    expect((await post(url, { action: 'approve' })).status).toBe(409);

    const headTask = await stepTask(r.id, 1);
    expect((await post(actionUrlIn(await emailFor(HEAD, headTask), headTask), { action: 'approve' })).status).toBe(200);
    const approverTask = await stepTask(r.id, 2);
    expect((await post(actionUrlIn(await emailFor(APPROVER, approverTask), approverTask), { action: 'approve' })).status).toBe(200);

    const request = (await stack.store.getRequest(r.id))!;
    expect(request.status).toBe('approved');
    expect(request.steps.map((s) => s.decision?.by)).toEqual([MANAGER, HEAD, APPROVER]);
    expect(await stack.store.getAccount('instagram:oakfield_drama')).toMatchObject({ status: 'approved', linkedEmail: 'drama@oakfield.sch.uk', holidayMonitoringFrequency: 'monthly' });
    const audit = await stack.store.auditFor('account_request', r.id);
    expect(audit.filter((e) => e.action === 'request.approved').map((e) => [e.by, e.source])).toEqual([
      [MANAGER, `email-action:${managerTask}`], [HEAD, `email-action:${headTask}`], [APPROVER, `email-action:${approverTask}`],
    ]);

    // The IT manager records the set-up from their own email.
    const setUpTask = request.setUpTaskId!;
    const setUpUrl = actionUrlIn(await emailFor(IT, setUpTask), setUpTask);
    const form = await (await fetch(setUpUrl)).text();
    expect(form).toContain('id="form-set_up"');
    const missing = await post(setUpUrl, { action: 'set_up', handle: 'oakfield_drama', url: 'https://www.instagram.com/oakfield_drama', linked_email: 'drama@oakfield.sch.uk', admins: 'a.one@oakfield.sch.uk\na.two@oakfield.sch.uk' });
    expect(missing.status).toBe(400);
    expect(missing.body).toContain('login_stored: confirm that the login details are stored');
    expect((await stack.store.getAccount('instagram:oakfield_drama'))!.status).toBe('approved');
    const done = await post(setUpUrl, {
      action: 'set_up', handle: 'Oakfield_Drama', url: 'https://www.instagram.com/oakfield_drama', linked_email: 'drama@oakfield.sch.uk',
      admins: 'a.one@oakfield.sch.uk\na.two@oakfield.sch.uk', login_stored: 'yes',
    });
    expect(done.status).toBe(200);
    expect(await stack.store.getAccount('instagram:oakfield_drama')).toMatchObject({ status: 'active', handle: 'Oakfield_Drama', url: 'https://www.instagram.com/oakfield_drama' });
    expect((await stack.store.getRequest(r.id))!.status).toBe('set_up');
  });
});

describe('rejecting from the emailed link', () => {
  it('asks for a reason, then ends the request, tells the requester why, and adds nothing to the register', async () => {
    const r = await submit('oakfield_chess');
    const managerTask = await stepTask(r.id, 0);
    expect((await post(actionUrlIn(await emailFor(MANAGER, managerTask), managerTask), { action: 'approve' })).status).toBe(200);
    const headTask = await stepTask(r.id, 1);
    const url = actionUrlIn(await emailFor(HEAD, headTask), headTask);

    const noReason = await post(url, { action: 'reject', reason: '' });
    expect(noReason.status).toBe(400);
    expect(noReason.body).toContain('id="error"');
    expect((await stack.store.getRequest(r.id))!.status).toBe('pending');

    const rejected = await post(url, { action: 'reject', reason: 'The chess club can use the school account.' });
    expect(rejected.status).toBe(200);
    expect((await stack.store.getRequest(r.id))).toMatchObject({ status: 'rejected' });
    expect(await stack.store.getAccount('instagram:oakfield_chess')).toBeUndefined();
    expect((await stack.store.getRequest(r.id))!.steps[2]!.taskId).toBeUndefined();
    const told = (await inbox(stack)).filter((m) => m.destination.to.includes(REQUESTER) && m.subject.includes('oakfield_chess'));
    expect(told.map((m) => m.subject)).toEqual(['Not approved: your request for Instagram @oakfield_chess (Oakfield Academy)']);
    expect(told[0]!.body.text).toContain('The chess club can use the school account.');
  });
});
