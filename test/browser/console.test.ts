/**
 * The web console in a real browser (headless Debian Chromium through playwright-core), signed in through the local
 * OpenID provider's page as the people who use it: a school IT manager, a member of staff, a trust administrator.
 * What each sees is compared with the register itself (DynamoDB Local); what each changes is checked there too,
 * with its audit entry. axe-core checks every page visited, at a desktop width and at 360 px.
 *
 * One stack and one browser for the file; each person gets their own browser context (their own cookies).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { depsFromEnv } from '../../functions/adapters/deps.ts';
import { mailboxOf } from '../../functions/domain/model.ts';
import { addPolicy } from '../../functions/usecases/policies.ts';
import { listRegister } from '../../functions/usecases/register.ts';
import { axeViolations } from '../support/axe.ts';
import { ConsoleSessions } from '../support/browser.ts';
import { putEvent, seedRegister, startTestStack, type TestStack } from '../support/stack.ts';

const IT_MANAGER = 'it@riverside.sch.uk';
const STAFF = 'r.hughes@oakfield.sch.uk';
const ADMIN = 'it@oakfield.sch.uk'; // holds the Custodian.Admin app role in samples/directory.json
const LEAVER = 'h.murphy@riverside.sch.uk';
const LEAVE_DATE = new Date(Date.now() + 42 * 86_400_000).toISOString().slice(0, 10);

let stack: TestStack;
let base: string;
/** The browser sessions, and every accessibility problem found on any page visited (checked once, at the end). */
let sessions: ConsoleSessions;

beforeAll(async () => {
  stack = await startTestStack();
  sessions = await ConsoleSessions.start(stack);
  base = sessions.base;
  await seedRegister(stack.store);
  await addPolicy(depsFromEnv(), { title: 'Riverside Social Media Policy', nextReview: '2027-03-01', owner: 'h.marsh@riverside.sch.uk', school: 'riverside' }, { by: 'test', source: 'test' });
  await putEvent(stack, 'Staff Leaver', { email: LEAVER, leaveDate: LEAVE_DATE, displayName: 'Hannah Murphy', school: 'riverside' });
  await stack.idle();
}, 120_000);

afterAll(async () => {
  await sessions?.close();
  await stack?.stop();
}, 60_000);

/** A fresh browser session for one person, signed in, their home page checked. */
async function signIn(email: string): Promise<Page> {
  const page = await sessions.signIn(email);
  await check(page, `home (${email})`);
  return page;
}

const check = (page: Page, label: string) => sessions.check(page, label);

async function open(page: Page, path: string, label: string, status = 200): Promise<void> {
  const res = await page.goto(`${base}${path}`);
  expect(res?.status(), path).toBe(status);
  await check(page, label);
}

/** The account ids in the register table on the page. */
async function listedAccounts(page: Page): Promise<string[]> {
  const hrefs = await page.locator('#register tbody tr th a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  return hrefs.map((h) => decodeURIComponent(h.replace('/register/', ''))).sort();
}

/** Presses a form's button and waits for the page its POST leads to. */
async function submitAndWait(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

describe('a school IT manager', { timeout: 120_000 }, () => {
  let page: Page;
  beforeAll(async () => {
    page = await signIn(IT_MANAGER);
  });

  it('sees only their school\'s accounts', async () => {
    await open(page, '/register', 'register (IT manager)');
    const riverside = (await listRegister(stack.store, { school: 'riverside' })).map((a) => a.id).sort();
    expect(riverside.length).toBeGreaterThan(0);
    expect(await listedAccounts(page)).toEqual(riverside);
    await open(page, '/register?school=oakfield', 'register filtered to another school');
    expect(await listedAccounts(page)).toEqual([]);
    await open(page, '/register?finding=fewer_than_two_admins', 'register filtered by finding');
  });

  it('adds an administrator to one account and finds the change in its history, with their own address as actor', async () => {
    await open(page, `/register/${encodeURIComponent('facebook:riversideprimary')}`, 'account (IT manager)');
    const admins = await page.inputValue('#f-admins');
    await page.fill('#f-admins', `${admins};j.newton@riverside.sch.uk`);
    await submitAndWait(page, '#f-submit-edit');
    expect(await page.locator('#saved').innerText()).toContain('saved');
    const first = page.locator('#history tbody tr').first();
    const cells = await first.locator('th, td').allInnerTexts();
    expect(cells[1]).toBe(IT_MANAGER);
    expect(cells[4]).toContain('j.newton@riverside.sch.uk');
    await check(page, 'account after an edit');

    const account = await stack.store.getAccount('facebook:riversideprimary');
    expect(account!.admins).toContain('j.newton@riverside.sch.uk');
    const audit = await stack.store.auditFor('account', 'facebook:riversideprimary');
    expect(audit.at(-1)).toMatchObject({ by: IT_MANAGER, source: 'console' });
  });

  it('sees each refused field next to its input, with what was typed kept', async () => {
    const before = await stack.store.getAccount('instagram:riverside.eyfs');
    await open(page, `/register/${encodeURIComponent('instagram:riverside.eyfs')}`, 'account to edit');
    await page.fill('#f-linked_email', 'not an address');
    await submitAndWait(page, '#f-submit-edit');
    expect(await page.locator('#error-summary').isVisible()).toBe(true);
    expect(await page.inputValue('#f-linked_email')).toBe('not an address');
    expect(await page.getAttribute('#f-linked_email', 'aria-invalid')).toBe('true');
    expect(await page.locator('#f-linked_email-error').innerText()).not.toBe('');
    await check(page, 'account edit with errors');
    expect(await stack.store.getAccount('instagram:riverside.eyfs')).toEqual(before);
  });

  it('gets 403 on another school\'s account, and changes nothing there', async () => {
    await open(page, `/register/${encodeURIComponent('facebook:oakfieldacademy')}`, '403 page', 403);
  });

  it('decides a task as themselves', async () => {
    await open(page, '/tasks?status=open', 'tasks');
    const tasks = (await stack.store.tasksForSubjects([LEAVER])).filter((t) => t.status === 'open');
    const task = tasks.find((t) => t.type === 'transfer_or_close')!;
    expect(task).toBeDefined();
    expect(await page.locator(`a[href="/tasks/${task.id}"]`).count()).toBeGreaterThan(0);
    await open(page, `/tasks/${task.id}`, 'task');
    await page.fill('#f-newOwner', 'c.patel@riverside.sch.uk');
    await submitAndWait(page, '#submit-transfer');
    expect(await page.locator('#done').innerText()).toContain('recorded');
    await check(page, 'task after the decision');
    const done = await stack.store.getTask(task.id);
    expect(done!.status).toBe('done');
    expect(done!.resolution).toMatchObject({ action: 'transfer', to: 'c.patel@riverside.sch.uk', by: IT_MANAGER });
  });

  it('imports a file with one bad row: sees the line and reason, and nothing is written', async () => {
    const before = await listRegister(stack.store);
    await open(page, '/register/import', 'import form');
    const csv = [
      'platform,handle,school,linked_email,admins,main_supervisor',
      'tiktok,riverside_new,riverside,office@riverside.sch.uk,s.ahmed@riverside.sch.uk;p.kaur@riverside.sch.uk,s.ahmed@riverside.sch.uk',
      'tiktok,riverside_bad,riverside,office@riverside.sch.uk,not-an-address,s.ahmed@riverside.sch.uk',
    ].join('\n');
    await page.setInputFiles('#f-file', { name: 'register.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await submitAndWait(page, '#preview');
    const errors = await page.locator('#import-errors tbody tr').allInnerTexts();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^3\s/);
    expect(errors[0]).toContain('not-an-address');
    await check(page, 'import refused');
    expect(await listRegister(stack.store)).toEqual(before);
  });

  it('imports a good file: sees every change first, and it is written only on confirm', async () => {
    await open(page, '/register/import', 'import form again');
    const csv = [
      'platform,handle,school,linked_email,admins,main_supervisor,purpose',
      'tiktok,riverside_new,riverside,office@riverside.sch.uk,s.ahmed@riverside.sch.uk;p.kaur@riverside.sch.uk,s.ahmed@riverside.sch.uk,Clubs and trips',
    ].join('\n');
    await page.setInputFiles('#f-file', { name: 'register.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await submitAndWait(page, '#preview');
    const rows = await page.locator('#preview tbody tr').allInnerTexts();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/^2\s+tiktok:riverside_new\s+New account/);
    await check(page, 'import preview');
    expect(await stack.store.getAccount('tiktok:riverside_new')).toBeUndefined();

    await submitAndWait(page, '#confirm');
    expect(await page.locator('#import-done').innerText()).toContain('1 created');
    await check(page, 'import done');
    expect(await stack.store.getAccount('tiktok:riverside_new')).toMatchObject({ school: 'riverside', purpose: 'Clubs and trips' });
    expect((await stack.store.auditFor('account', 'tiktok:riverside_new')).at(-1)).toMatchObject({ by: IT_MANAGER, source: 'console' });
  });

  it('records a policy review, and the other pages', async () => {
    await open(page, '/policies', 'policies');
    await submitAndWait(page, 'form[id^="review-"] button');
    expect(await page.locator('#done').innerText()).toContain('recorded');
    expect((await stack.store.getPolicy('riverside-riverside-social-media-policy'))?.lastReviewedOn).toBeDefined();
    await open(page, '/audit', 'history');
    await open(page, `/audit?account=${encodeURIComponent('facebook:riversideprimary')}`, 'history of an account');
    await open(page, '/requests', 'requests');
  });

  it('signs out', async () => {
    await Promise.all([page.waitForURL((u) => !u.href.startsWith(`${base}/register`)), page.click('header button[type=submit]')]);
    await page.waitForLoadState('load');
    const res = await page.goto(`${base}/register`);
    // No session any more: the console sends the browser to sign in, and the provider asks who they are.
    expect(res?.url().startsWith(stack.outputs.endpoints.oidc!)).toBe(true);
    expect(await page.locator('input[name=email]').count()).toBe(1);
  });
});

describe('a member of staff', { timeout: 120_000 }, () => {
  it('sees exactly the accounts tied to their address, and nothing else', async () => {
    const page = await signIn(STAFF);
    const all = await listRegister(stack.store);
    const mine = all.filter((a) => [a.linkedEmail, ...a.admins, a.mainSupervisor, a.reserveSupervisor].some((x) => x && mailboxOf(x) === STAFF)).map((a) => a.id).sort();
    expect(mine.length).toBeGreaterThan(1);
    await open(page, '/register', 'register (member of staff)');
    expect(await listedAccounts(page)).toEqual(mine);
    const home = await page.goto(`${base}/`);
    expect(home?.status()).toBe(200);
    const onHome = await page.locator('#my-accounts tbody tr th a').evaluateAll((as) => as.map((a) => decodeURIComponent((a.getAttribute('href') ?? '').replace('/register/', ''))));
    expect(onHome.sort()).toEqual(mine);
    await open(page, `/register/${encodeURIComponent(mine[0]!)}`, 'account (member of staff, read only)');
    expect(await page.locator('#edit-form').count()).toBe(0);
    await open(page, '/register/import', 'import refused to staff', 403);
    await open(page, `/register/${encodeURIComponent('facebook:riversideprimary')}`, 'another school\'s account (staff)', 403);
  });
});

describe('a trust administrator', { timeout: 120_000 }, () => {
  it('sees every school\'s accounts', async () => {
    const page = await signIn(ADMIN);
    await open(page, '/register', 'register (trust administrator)');
    const all = (await listRegister(stack.store)).map((a) => a.id).sort();
    expect(await listedAccounts(page)).toEqual(all);
    const schools = new Set(await page.locator('#register tbody tr td:nth-of-type(1)').allInnerTexts());
    expect([...schools].sort()).toEqual(['hillcrest', 'oakfield', 'riverside']);
    await open(page, '/tasks', 'tasks (trust administrator)');
    await open(page, '/policies', 'policies (trust administrator)');
  });
});

it('finds no WCAG 2.2 AA violation on any console page, at desktop width and at 360 px', async () => {
  // The check itself finds what it should: a page without a language or an image's text alternative.
  const page = await sessions.newPage();
  await page.setContent('<!doctype html><html><head><title>x</title></head><body><img src="data:,"></body></html>');
  expect((await axeViolations(page)).map((v) => v.rule).sort()).toEqual(['html-has-lang', 'image-alt']);
  await page.context().close();
  expect(sessions.problems).toEqual([]);
});
