/**
 * Issue 13's acceptance, in a real browser (headless Debian Chromium through playwright-core) over the local stack:
 * a member of staff asks for a new official account with the console's form; her line manager, the headteacher and
 * the trust approver each approve from the link in their own email (SES emulator); the school's IT manager records
 * the set-up in the console; the account is then `active` in `custodian register list` with every answer of the
 * form, and the audit shows each decision as its maker's. A rejection at the headteacher's step ends the request; a
 * form with a personal linked address, one administrator and a leaver as supervisor is refused field by field.
 * axe-core checks the form (with and without errors), the list, the progress page, the emailed approval page and the
 * console's set-up page, at desktop width and at 360 px.
 *
 * The people are the sample directory's (samples/directory.json): Priya Sharma, Year 2 teacher at Oakfield, whose
 * line manager (HR's joiner record, as the directory's managerId) is Sophie Clarke, the deputy head; Daniel Okafor,
 * Oakfield's headteacher (`schools set --head`); the trust approver of cdk.json (`trustApprovers`); Oakfield's IT
 * manager; and Hannah Lewis, a teaching assistant who is leaving.
 *
 * One stack and one browser for the file; each person gets their own browser context (their own cookies).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountRequest } from '../../functions/domain/requests.ts';
import type { RegisterEntry } from '../../functions/domain/register.ts';
import { setSchool } from '../../functions/usecases/schools.ts';
import { ConsoleSessions } from '../support/browser.ts';
import { cli, outputsFile } from '../support/cli.ts';
import { actionLinksIn, actionUrlIn, inbox, putEvent, SCHOOLS, seedRegister, startTestStack, type StoredEmail, type TestStack } from '../support/stack.ts';

const REQUESTER = 'p.sharma@oakfield.sch.uk';
const LINE_MANAGER = 's.clarke@oakfield.sch.uk';
const HEAD = 'd.okafor@oakfield.sch.uk';
const IT_MANAGER = 'it@oakfield.sch.uk';
const LEAVER = 'h.lewis@oakfield.sch.uk';
/** Two years on: the planned end of the new account. */
const PLANNED_END = new Date(Date.now() + 730 * 86_400_000).toISOString().slice(0, 10);

/** The form as Priya fills it in (field → answer, by the form's field names). */
const FORM: Record<string, string> = {
  school: 'oakfield',
  platform: 'instagram',
  handle: 'oakfield_ecoclub',
  published_name: 'Oakfield Eco Club',
  purpose: 'News of the Eco Club: litter picks, the school garden and the recycling rota.',
  aims: 'More families joining the litter picks and the garden days.',
  why_not_existing: 'The school Facebook page is for whole-school news; the club posts weekly.',
  content: 'Event notices and photos of the garden (no pupils\' faces without consent).',
  audience: 'Parents and carers of Oakfield pupils.',
  success_measures: 'Attendance at the termly litter pick; followers among Oakfield families.',
  main_supervisor: REQUESTER,
  reserve_supervisor: 'j.whitfield@oakfield.sch.uk',
  monitoring_frequency: 'weekly',
  holiday_monitoring_frequency: 'monthly',
  responsible: 'Priya Sharma posts and answers messages; James Whitfield covers when she is away.',
  linked_email: 'ecoclub@oakfield.sch.uk',
  admins: `${REQUESTER}\nj.whitfield@oakfield.sch.uk`,
  planned_end_date: PLANNED_END,
  exit_plan: 'If the club stops, the account is archived and then closed by the IT manager.',
};
const SELECTS = new Set(['school', 'platform', 'monitoring_frequency', 'holiday_monitoring_frequency']);

let stack: TestStack;
let base: string;
let trustApprover: string;
/** The browser sessions, and every accessibility problem found on the pages checked (asserted once, at the end). */
let sessions: ConsoleSessions;

beforeAll(async () => {
  stack = await startTestStack();
  sessions = await ConsoleSessions.start(stack);
  base = sessions.base;
  await seedRegister(stack.store);
  const actor = { by: IT_MANAGER, source: 'test' };
  // `custodian schools set oakfield … --head d.okafor@oakfield.sch.uk`
  await setSchool(stack.store, { ...SCHOOLS[0]!, headteacher: HEAD }, actor);
  // HR's records: Priya's line manager, and Hannah Lewis leaving at the end of January.
  await putEvent(stack, 'Staff Joiner', { email: REQUESTER, startDate: '2025-09-01', displayName: 'Priya Sharma', school: 'oakfield', lineManagerEmail: LINE_MANAGER, jobTitle: 'Year 2 Teacher' });
  await putEvent(stack, 'Staff Leaver', { email: LEAVER, leaveDate: '2027-01-31', displayName: 'Hannah Lewis', school: 'oakfield' });
  await stack.idle();
  // The stack runs with cdk.json's settings: the default chain, and the trust approver named there.
  trustApprover = stack.outputs.environment?.TRUST_APPROVERS?.split(',')[0] ?? '';
  expect(trustApprover).toMatch(/@/);
}, 120_000);

afterAll(async () => {
  await sessions?.close();
  await stack?.stop();
}, 60_000);

const newPage = () => sessions.newPage();
const signIn = (email: string) => sessions.signIn(email);
const check = (page: Page, label: string) => sessions.check(page, label);

/** Presses a button and waits for the page its form's POST leads to (after any redirect); that page's status. */
async function submit(page: Page, selector: string): Promise<number> {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
  return response?.status() ?? 0;
}

async function fillRequestForm(page: Page, answers: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(answers)) {
    if (SELECTS.has(name)) await page.selectOption(`#f-${name}`, value);
    else await page.fill(`#f-${name}`, value);
  }
}

/** Opens the form from the console's own link, fills it in and sends it; the page it leads to. */
async function request(page: Page, answers: Record<string, string>, label?: string): Promise<number> {
  await page.goto(`${base}/`);
  await Promise.all([page.waitForURL(`${base}/requests/new`), page.click('#request-new-account')]);
  if (label) await check(page, label);
  await fillRequestForm(page, answers);
  return submit(page, '#submit-request');
}

/** The one email to `to` carrying a link for `taskId`, with that link made for them. */
async function emailFor(to: string, taskId: string): Promise<StoredEmail> {
  const mails = (await inbox(stack)).filter((m) => m.destination.to.includes(to) && actionLinksIn(m).some((l) => l.taskId === taskId));
  expect(mails, `one email to ${to} for task ${taskId}`).toHaveLength(1);
  expect(actionLinksIn(mails[0]!).find((l) => l.taskId === taskId)).toMatchObject({ recipient: to });
  return mails[0]!;
}

/** The approver opens the link in their email, in their own browser, and presses a button on the page it opens. */
async function decideFromEmail(who: string, taskId: string, decide: (page: Page) => Promise<void>, label?: string): Promise<void> {
  const page = await newPage();
  const url = actionUrlIn(await emailFor(who, taskId), taskId);
  expect((await page.goto(url))?.status()).toBe(200);
  expect(await page.locator('#acting-as').innerText()).toContain(who);
  expect(await page.locator('#request').innerText()).toContain(FORM.linked_email);
  if (label) await check(page, label);
  await decide(page);
  expect(await page.locator('h1').innerText()).toBe('Done');
  await page.context().close();
}

const approve = async (page: Page) => { expect(await submit(page, '#submit-approve')).toBe(200); };

async function theRequest(id: string): Promise<AccountRequest> {
  const r = await stack.store.getRequest(id);
  if (!r) throw new Error(`no request ${id}`);
  return r;
}

const requestIdIn = (page: Page): string => decodeURIComponent(new URL(page.url()).pathname.replace('/requests/', ''));

let requester: Page;

describe('a member of staff asks for a new account', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    requester = await signIn(REQUESTER);
  });

  it('a personal linked address, one administrator and a leaver as supervisor are refused field by field, and nothing is written', async () => {
    const before = (await stack.store.listRequests()).length;
    const status = await request(requester, {
      ...FORM, handle: 'oakfield_eco', linked_email: 'priya.sharma@gmail.com', admins: REQUESTER, main_supervisor: LEAVER,
    }, 'request form');
    expect(status).toBe(400);
    const summary = requester.locator('#error-summary');
    expect(await summary.getAttribute('role')).toBe('alert');
    const links = await summary.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(['#f-main_supervisor', '#f-linked_email', '#f-admins']);
    for (const [name, words] of [['linked_email', 'not an official address'], ['admins', 'at least two administrators'], ['main_supervisor', 'they are leaving']] as const) {
      expect(await requester.getAttribute(`#f-${name}`, 'aria-invalid'), name).toBe('true');
      expect(await requester.getAttribute(`#f-${name}`, 'aria-describedby'), name).toContain(`f-${name}-error`);
      expect(await requester.locator(`#f-${name}-error`).innerText(), name).toContain(words);
    }
    // Only those three: every other answer was acceptable, and each is kept as typed.
    expect(await requester.locator('[aria-invalid=true]').count()).toBe(3);
    expect(await requester.inputValue('#f-linked_email')).toBe('priya.sharma@gmail.com');
    expect(await requester.inputValue('#f-purpose')).toBe(FORM.purpose);
    expect(await requester.inputValue('#f-holiday_monitoring_frequency')).toBe('monthly');
    await check(requester, 'request form with errors');
    expect((await stack.store.listRequests()).length).toBe(before);
    expect(await stack.store.getAccount('instagram:oakfield_eco')).toBeUndefined();
  });

  it('goes through the line manager, the headteacher and the trust approver from their emails, is set up by the IT manager in the console, and is active in the register', async () => {
    // Priya sends the form.
    expect(await request(requester, FORM)).toBe(200);
    expect(requester.url()).toMatch(/\/requests\/r[0-9a-z]+\?submitted=1$/);
    const id = requestIdIn(requester);
    expect(await requester.locator('#submitted').innerText()).toContain(LINE_MANAGER);
    expect(await requester.locator('#step-1').innerText()).toMatch(/Line manager[\s\S]*Waiting/);
    expect(await requester.locator('#step-2').innerText()).toContain(HEAD);
    expect(await requester.locator('#step-3').innerText()).toContain(trustApprover);
    expect(await requester.locator('#steps').innerText()).not.toContain('in place of');
    await check(requester, 'request progress (just sent)');

    // The list, as a page and as JSON.
    await requester.goto(`${base}/requests`);
    expect(await requester.locator(`#requests a[href="/requests/${id}"]`).count()).toBe(1);
    await check(requester, 'requests list');
    const rows = await (await requester.request.get(`${base}/requests`, { headers: { accept: 'application/json' } })).json() as Array<Record<string, unknown>>;
    expect(rows).toEqual([expect.objectContaining({ id, status: 'pending', school: 'oakfield', platform: 'instagram', handle: 'oakfield_ecoclub', requester: REQUESTER, waitingFor: '1 of 3: line manager' })]);

    // Each approver, from the link in their own email.
    const steps = async () => (await theRequest(id)).steps;
    await decideFromEmail(LINE_MANAGER, (await steps())[0]!.taskId!, approve, 'emailed approval page');
    await decideFromEmail(HEAD, (await steps())[1]!.taskId!, approve);
    await decideFromEmail(trustApprover, (await steps())[2]!.taskId!, approve);
    const approved = await theRequest(id);
    expect(approved.status).toBe('approved');
    expect(await stack.store.getAccount('instagram:oakfield_ecoclub')).toMatchObject({ status: 'approved' });
    // Priya sees every approval on her page.
    await requester.goto(`${base}/requests/${id}`);
    for (const [n, who] of [[1, LINE_MANAGER], [2, HEAD], [3, trustApprover]] as const) expect(await requester.locator(`#step-${n}`).innerText()).toMatch(new RegExp(`Approved by ${who.replace(/\./g, '\\.')}`));
    expect(await requester.locator('#decide').count()).toBe(0);

    // The IT manager, signed in to the console, follows the request's link to the set-up.
    const it = await signIn(IT_MANAGER);
    await it.goto(`${base}/requests/${id}`);
    expect(await it.locator('#step-set-up').innerText()).toContain('Waiting');
    await Promise.all([it.waitForURL(`${base}/tasks/${approved.setUpTaskId}`), it.click('#decide')]);
    expect(await it.inputValue('#f-handle')).toBe('oakfield_ecoclub');
    expect(await it.inputValue('#f-admins')).toBe(FORM.admins);
    await it.fill('#f-url', 'https://www.instagram.com/oakfield_ecoclub');
    await it.fill('#f-linked_email', FORM.linked_email!);
    // Without confirming the login details are stored: refused by that field, nothing changed.
    expect(await submit(it, '#submit-set_up')).toBe(400);
    expect(await it.locator('#error-summary a').getAttribute('href')).toBe('#f-login_stored');
    expect(await it.locator('#f-login_stored-error').innerText()).toContain('login details are stored');
    expect(await it.inputValue('#f-url')).toBe('https://www.instagram.com/oakfield_ecoclub');
    await check(it, 'console set-up page (with an error)');
    expect((await stack.store.getAccount('instagram:oakfield_ecoclub'))!.status).toBe('approved');
    await it.check('#f-login_stored');
    expect(await submit(it, '#submit-set_up')).toBe(200);
    expect(await it.locator('#done').innerText()).toContain('recorded');
    await check(it, 'console set-up page (done)');

    // The register, as `custodian register list --json` shows it: active, with every answer of the form.
    const listed = await cli(outputsFile(stack.outputs), ['register', 'list', '--school', 'oakfield', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const account = (JSON.parse(listed.stdout) as RegisterEntry[]).find((a) => a.id === 'instagram:oakfield_ecoclub');
    expect(account).toMatchObject({
      status: 'active', school: 'oakfield', platform: 'instagram', handle: 'oakfield_ecoclub', url: 'https://www.instagram.com/oakfield_ecoclub',
      publishedName: FORM.published_name, purpose: FORM.purpose, audience: FORM.audience, linkedEmail: FORM.linked_email,
      admins: [REQUESTER, 'j.whitfield@oakfield.sch.uk'], mainSupervisor: REQUESTER, reserveSupervisor: 'j.whitfield@oakfield.sch.uk',
      monitoringFrequency: 'weekly', holidayMonitoringFrequency: 'monthly', plannedEndDate: PLANNED_END,
      approval: {
        requestId: id, requestedBy: REQUESTER, aims: FORM.aims, whyNotExisting: FORM.why_not_existing, content: FORM.content,
        responsible: FORM.responsible, exitPlan: FORM.exit_plan, successMeasures: FORM.success_measures, setUpBy: IT_MANAGER,
      },
    });
    expect((await theRequest(id)).status).toBe('set_up');

    // Each decision is its maker's own: the requester's submission, each approver's approval, the IT manager's set-up.
    const audit = (await stack.store.auditFor('account_request', id)).map((e) => [e.action, e.by, e.source.replace(/:.*/, '')]);
    expect(audit).toEqual([
      ['request.submitted', REQUESTER, 'console'],
      ['request.approved', LINE_MANAGER, 'email-action'],
      ['request.approved', HEAD, 'email-action'],
      ['request.approved', trustApprover, 'email-action'],
      ['request.set_up', IT_MANAGER, 'console'],
    ]);
    // The account's own history, as `custodian audit --account` shows it: approved by the last approver, set up by the IT manager.
    expect((await stack.store.auditFor('account', 'instagram:oakfield_ecoclub')).map((e) => [e.action, e.by])).toEqual([
      ['account.approved', trustApprover], ['account.set_up', IT_MANAGER],
    ]);
    const tasks = await stack.store.getTasks([...approved.steps.map((s) => s.taskId!), approved.setUpTaskId!]);
    expect(tasks.map((t) => [t.resolution?.action, t.resolution?.by])).toEqual([
      ['approve', LINE_MANAGER], ['approve', HEAD], ['approve', trustApprover], ['set_up', IT_MANAGER],
    ]);
    // Priya is told it is set up.
    expect((await inbox(stack)).some((m) => m.destination.to.includes(REQUESTER) && m.subject.startsWith('Set up: Instagram @oakfield_ecoclub'))).toBe(true);
  });

  it('a rejection at the headteacher\'s step ends the request, tells the requester why, and adds nothing to the register', async () => {
    expect(await request(requester, { ...FORM, handle: 'oakfield_garden', published_name: 'Oakfield Garden' })).toBe(200);
    const id = requestIdIn(requester);
    await decideFromEmail(LINE_MANAGER, (await theRequest(id)).steps[0]!.taskId!, approve);
    const reason = 'The Eco Club account can share the garden news: one account is enough.';
    await decideFromEmail(HEAD, (await theRequest(id)).steps[1]!.taskId!, async (page) => {
      await page.fill('#reason', reason);
      expect(await submit(page, '#submit-reject')).toBe(200);
    });

    const r = await theRequest(id);
    expect(r.status).toBe('rejected');
    expect(r.steps[1]!.decision).toMatchObject({ outcome: 'rejected', by: HEAD, reason });
    // The chain stopped: the trust approver's step was never opened, and they were never emailed about it.
    expect(r.steps[2]!.taskId).toBeUndefined();
    expect((await inbox(stack)).filter((m) => m.destination.to.includes(trustApprover) && m.subject.includes('@oakfield_garden'))).toEqual([]);
    expect(await stack.store.getAccount('instagram:oakfield_garden')).toBeUndefined();
    // Priya is emailed the reason, and her page shows it.
    const told = (await inbox(stack)).filter((m) => m.destination.to.includes(REQUESTER) && m.subject.startsWith('Not approved: your request for Instagram @oakfield_garden'));
    expect(told).toHaveLength(1);
    expect(told[0]!.body.text).toContain(reason);
    await requester.goto(`${base}/requests/${id}`);
    expect(await requester.locator('#status').innerText()).toContain(reason);
    expect(await requester.locator('#step-3').innerText()).toContain('Not needed');
    await check(requester, 'request progress (rejected)');
  });
});

it('finds no WCAG 2.2 AA violation on the request pages, at desktop width and at 360 px', () => {
  expect(sessions.problems).toEqual([]);
});
