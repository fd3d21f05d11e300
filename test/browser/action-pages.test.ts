/**
 * The action pages in a real browser, as a line manager would use them: headless Debian Chromium driven by
 * playwright-core opens the SES emulator's web inbox, follows the link in the email, fills in and submits the forms,
 * and reads the result. The register (DynamoDB Local) is checked after each step to see what really changed.
 *
 * Chromium must be at /usr/bin/chromium (`apt-get install chromium`; `.ci/run` installs it when missing). Without it
 * these tests fail with that message: they are never skipped.
 */
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../functions/domain/tasks.ts';
import { CHROMIUM, launchChromium } from '../support/browser.ts';
import { actionLinksIn, actionUrlIn, inbox, putEvent, seedRegister, startTestStack, type TestStack } from '../support/stack.ts';

const LEAVER = 'r.hughes@oakfield.sch.uk';
const MANAGER = 'd.okafor@oakfield.sch.uk';
const SUCCESSOR = 's.ahmed@oakfield.sch.uk';
/** Six weeks ahead, so every task is due in the future. */
const LEAVE_DATE = new Date(Date.now() + 42 * 86_400_000).toISOString().slice(0, 10);

let browser: Browser | undefined;
let context: BrowserContext | undefined;
let stack: TestStack | undefined;
let page: Page;

const theStack = (): TestStack => {
  if (!stack) throw new Error('the local stack did not start');
  return stack;
};

async function taskFor(accountId: string): Promise<Task> {
  const task = (await theStack().store.tasksForSubjects([LEAVER])).find((t) => t.accountId === accountId);
  if (!task) throw new Error(`no task for ${accountId}`);
  return task;
}

/**
 * Opens the SES emulator's web inbox, finds the line manager's one email about the leaver (every account that needs
 * them, each with its own link), checks its subject is shown, opens its plain-text view and takes the link for
 * `accountId`'s task from what is displayed there.
 */
async function linkFromWebInbox(accountId: string): Promise<{ url: string; subject: string }> {
  const s = theStack();
  const [email, ...more] = (await inbox(s)).filter((e) => e.destination.to.includes(MANAGER));
  expect(email, 'one email to the line manager about Rachel Hughes').toBeDefined();
  expect(more).toHaveLength(0);
  expect(email!.destination.to).toEqual([MANAGER]);
  const task = await taskFor(accountId);

  const res = await page.goto(`${s.outputs.endpoints.ses}/`);
  expect(res?.status()).toBe(200);
  // The viewer fetches /store as soon as it loads and renders one `.email` card per message.
  // The IT manager's email has the same subject: the card is the one addressed to the line manager.
  const card = page.locator('.email').filter({ hasText: email!.subject }).filter({ has: page.locator('p').filter({ hasText: 'To:' }).filter({ hasText: MANAGER }) });
  await card.waitFor({ state: 'visible' });
  expect(await card.count()).toBe(1);
  const subjectLine = card.locator('p').filter({ hasText: 'Subject:' });
  expect(await subjectLine.isVisible()).toBe(true);
  expect(await subjectLine.innerText()).toContain(email!.subject);
  expect(await card.locator('p').filter({ hasText: 'To:' }).innerText()).toContain(MANAGER);

  // The text body is hidden until "Toggle text view" is pressed; the link is read from what the page then shows.
  const body = card.locator('.email-text');
  expect(await body.isVisible()).toBe(false);
  await card.getByRole('button', { name: 'Toggle text view' }).click();
  await body.waitFor({ state: 'visible' });
  const shown = await body.innerText();
  expect(shown).toContain('Rachel Hughes');
  const expected = actionUrlIn(email!, task.id);
  expect(shown, 'the action link in the email as the inbox shows it').toContain(expected);
  // Made for the line manager: whoever opens it acts as them.
  expect(actionLinksIn(email!).find((l) => l.taskId === task.id)).toMatchObject({ recipient: MANAGER });
  return { url: expected, subject: email!.subject };
}

/** Presses a submit button and waits for the page the form's POST returns. */
async function submit(buttonId: string, url: string): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url() === url && r.request().method() === 'POST'),
    page.click(`#${buttonId}`),
  ]);
  await page.waitForLoadState('load');
  return response;
}

const h1 = async () => (await page.locator('h1').innerText()).trim();
const message = async () => (await page.locator('#message').innerText()).trim();

it('runs in Debian Chromium at /usr/bin/chromium (apt-get install chromium)', () => {
  expect(existsSync(CHROMIUM), `Chromium was not found at ${CHROMIUM}: run \`apt-get install chromium\` (or .ci/run, which installs it)`).toBe(true);
});

describe('a line manager acting on the emailed links in a browser', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    // The browser first: if Chromium is missing, fail at once with the message saying how to install it.
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1000, height: 900 }, locale: 'en-GB' });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);

    stack = await startTestStack();
    await seedRegister(stack.store);
    await putEvent(stack, 'Staff Leaver', {
      email: LEAVER, leaveDate: LEAVE_DATE, displayName: 'Rachel Hughes', lineManagerEmail: MANAGER, school: 'oakfield',
    });
    await stack.idle();
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    await stack?.stop();
  }, 60_000);

  let transferUrl: string;
  let transferTask: Task;

  it('sees the email in the web inbox, follows its link, and the page names the account and the person leaving', async () => {
    const found = await linkFromWebInbox('instagram:oakfield_pe');
    transferUrl = found.url;
    transferTask = await taskFor('instagram:oakfield_pe');
    expect(transferTask.status).toBe('open');

    const res = await page.goto(transferUrl);
    expect(res?.status()).toBe(200);
    expect(await h1()).toBe('Transfer or close Instagram @oakfield_pe');
    const main = await page.locator('main').innerText();
    expect(main).toContain('@oakfield_pe');
    expect(main).toContain('Rachel Hughes');
    expect(main).toContain(LEAVER);
    expect(main).toContain('Nothing has changed yet');
    for (const decision of ['transfer', 'close', 'keep']) {
      expect(await page.locator(`#form-${decision}`).isVisible()).toBe(true);
      expect(await page.locator(`#submit-${decision}`).isVisible()).toBe(true);
    }
    expect(await page.locator('#error').count()).toBe(0);
    // Nobody is asked who they are: the page says the decision is recorded as the person the link was sent to.
    expect(await page.locator('select, [name="actor"]').count()).toBe(0);
    expect(main).not.toContain('Who is making this decision');
    expect(await page.locator('#acting-as').innerText()).toContain(MANAGER);
  });

  it('documents what a user sees: a screenshot of the action page', async () => {
    await page.goto(transferUrl);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'custodian-browser-')), 'action-page.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(1000);
    console.info(`action page screenshot: ${file}`);
  });

  it('a transfer to an outside address shows the error box on the page, and changes nothing', async () => {
    await page.goto(transferUrl);
    await page.fill('#newOwner', 'someone@gmail.com');
    const res = await submit('submit-transfer', transferUrl);
    expect(res.status()).toBe(400);

    const error = page.locator('#error');
    expect(await error.isVisible()).toBe(true);
    expect(await error.innerText()).toContain('not on a trust domain');
    // The form is shown again, filled in as it was, so the user can correct it.
    expect(await h1()).toBe('Transfer or close Instagram @oakfield_pe');
    expect(await page.locator('#newOwner').inputValue()).toBe('someone@gmail.com');

    const s = theStack();
    const task = (await s.store.getTask(transferTask.id))!;
    expect(task.status).toBe('open');
    expect(task.version).toBe(transferTask.version);
    const account = (await s.store.getAccount('instagram:oakfield_pe'))!;
    expect(account.linkedEmail).toBe(LEAVER);
    expect(account.status).toBe('transfer_pending');
  });

  it('a transfer to a continuing member of staff shows success and updates the register', async () => {
    // Straight on from the error page: correct the address and submit again.
    await page.fill('#newOwner', SUCCESSOR);
    const res = await submit('submit-transfer', transferUrl);
    expect(res.status()).toBe(200);
    expect(await h1()).toBe('Done');
    expect(await message()).toContain(SUCCESSOR);
    expect(await page.locator('#result.success').isVisible()).toBe(true);
    expect(await page.locator('form').count()).toBe(0);

    const s = theStack();
    const account = (await s.store.getAccount('instagram:oakfield_pe'))!;
    expect(account.linkedEmail).toBe(SUCCESSOR);
    expect(account.status).toBe('active');
    expect(await s.store.getTask(transferTask.id)).toMatchObject({
      status: 'done', resolution: { action: 'transfer', to: SUCCESSOR, by: MANAGER },
    });
  });

  it('going back to the same link says nothing is left to do, with no form', async () => {
    const res = await page.goto(transferUrl);
    expect(res?.status()).toBe(409);
    expect(await h1()).toBe('Nothing left to do');
    expect((await message()).length).toBeGreaterThan(0);
    expect(await page.locator('form').count()).toBe(0);
    expect(await page.locator('#submit-transfer').count()).toBe(0);
    expect((await theStack().store.getAccount('instagram:oakfield_pe'))!.linkedEmail).toBe(SUCCESSOR);
  });

  it('another account is closed with the close form', async () => {
    const { url } = await linkFromWebInbox('youtube:oakfieldmusic');
    const task = await taskFor('youtube:oakfieldmusic');
    expect(task).toMatchObject({ type: 'transfer_or_close', status: 'open' });

    expect((await page.goto(url))?.status()).toBe(200);
    const res = await submit('submit-close', url);
    expect(res.status()).toBe(200);
    expect(await h1()).toBe('Done');
    expect(await message()).toMatch(/closed/i);

    const s = theStack();
    expect((await s.store.getAccount('youtube:oakfieldmusic'))!.status).toBe('closed');
    expect(await s.store.getTask(task.id)).toMatchObject({ status: 'done', resolution: { action: 'close', by: MANAGER } });
  });

  it('keeping an account needs a reason: the browser will not send the form without one; with one it is recorded', async () => {
    const { url } = await linkFromWebInbox('blog:oakfield-library');
    const task = await taskFor('blog:oakfield-library');
    expect(task).toMatchObject({ type: 'replace_supervisor', status: 'open' });

    expect((await page.goto(url))?.status()).toBe(200);
    const title = await h1();
    const posts: string[] = [];
    page.on('request', (r) => { if (r.method() === 'POST') posts.push(r.url()); });

    expect(await page.locator('#reason').inputValue()).toBe('');
    await page.click('#submit-keep');
    await page.waitForTimeout(500);
    // The `required` textarea stops the submission in the browser: no request, same page, nothing changed.
    expect(posts).toEqual([]);
    expect(page.url()).toBe(url);
    expect(await h1()).toBe(title);
    expect(await page.locator('#reason').evaluate((el) => (el as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing)).toBe(true);
    expect((await theStack().store.getTask(task.id))!.status).toBe('open');

    const reason = 'The library blog is run by the librarian; the head of English supervises it from next term.';
    await page.fill('#reason', reason);
    const res = await submit('submit-keep', url);
    expect(posts).toEqual([url]);
    expect(res.status()).toBe(200);
    expect(await h1()).toBe('Done');
    expect(await message()).toMatch(/kept as it is/i);
    expect(await theStack().store.getTask(task.id)).toMatchObject({ status: 'done', resolution: { action: 'keep', reason, by: MANAGER } });
  });
});
