/**
 * A real browser for tests: Debian's Chromium (`apt-get install chromium`, which `.ci/run` installs when missing),
 * driven by playwright-core. There is no silent skip: without Chromium the browser tests fail and say what to install.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { accessibilityProblems, newAxeContext } from './axe.ts';

export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium was not found at ${CHROMIUM}. The action pages are tested in a real browser: `
      + 'run `apt-get install chromium` (Debian), or `.ci/run`, which installs it when missing.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Headless Chromium on a local stack's web console: one browser for a test file, one context per person, each made
 * so axe-core can be injected (support/axe.ts). The accessibility problems of every page checked are collected in
 * `problems`, for one assertion at the end of the file.
 */
export class ConsoleSessions {
  readonly problems: string[] = [];
  private readonly contexts: BrowserContext[] = [];

  private constructor(private readonly browser: Browser, readonly base: string, private readonly provider: string) {}

  /** Launches Chromium for the console of `stack` (its HTTP API, signed in through its local OpenID provider). */
  static async start(stack: { outputs: { endpoints: { http: string; oidc?: string } } }): Promise<ConsoleSessions> {
    const { http, oidc } = stack.outputs.endpoints;
    if (!oidc) throw new Error('the stack has no OpenID provider to sign in with');
    return new ConsoleSessions(await launchChromium(), http, oidc);
  }

  /** A page in a fresh context of its own (nobody signed in). */
  async newPage(): Promise<Page> {
    const context = await newAxeContext(this.browser);
    this.contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    return page;
  }

  /** A fresh session for one person, signed in through the local provider's page (an `email` input and a button). */
  async signIn(email: string): Promise<Page> {
    const page = await this.newPage();
    await page.goto(`${this.base}/`);
    expect(page.url().startsWith(this.provider), 'the console sends a stranger to the sign-in provider').toBe(true);
    await page.fill('input[name=email]', email);
    await Promise.all([page.waitForURL(`${this.base}/`), page.click('button[type=submit]')]);
    expect(await page.locator('header').innerText()).toContain('Signed in as');
    return page;
  }

  /** Runs axe-core on the page as it is now and keeps what it finds. */
  async check(page: Page, label: string): Promise<void> {
    this.problems.push(...(await accessibilityProblems(page, label)));
  }

  /** Closes every context and the browser. */
  async close(): Promise<void> {
    for (const c of this.contexts.splice(0)) await c.close().catch(() => undefined);
    await this.browser.close();
  }
}
