/**
 * Accessibility checks in a real browser: axe-core itself injected into the page (`@axe-core/playwright` needs
 * Node 22), run against WCAG 2.0, 2.1 and 2.2 A and AA. Custodian's pages allow no script in their
 * Content-Security-Policy, so the browser context must be made with `bypassCSP: true` for the injection to run
 * (`newAxeContext` does that); the pages themselves are unchanged.
 *
 *   const context = await newAxeContext(browser);
 *   const page = await context.newPage();
 *   await page.goto(url);
 *   expect(await axeViolations(page)).toEqual([]);   // a readable list: rule, impact, help, the elements
 */
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';

export const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** The 360 px wide phone the console must work on (and the desktop width it is otherwise checked at). */
export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 900 };

export interface AxeViolation {
  rule: string;
  impact: string | null;
  help: string;
  /** CSS selectors of the offending elements, with a little of their HTML. */
  nodes: string[];
}

/** A browser context that lets axe-core be injected despite the pages' Content-Security-Policy. */
export function newAxeContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({ viewport: DESKTOP, locale: 'en-GB', ...options, bypassCSP: true });
}

/** The WCAG A/AA violations axe-core finds on the page as it is now (an empty array when there are none). */
export async function axeViolations(page: Page, tags: string[] = WCAG_TAGS): Promise<AxeViolation[]> {
  // Written without the DOM's types (this project compiles for Node): the callbacks run in the page.
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ path: AXE_SCRIPT });
  return page.evaluate(async (values) => {
    type Result = { violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[]; html: string }> }> };
    const { axe, document } = globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<Result> }; document: unknown };
    const result = await axe.run(document, { runOnly: { type: 'tag', values }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.map(String).join(' ')}: ${n.html.slice(0, 120)}`),
    }));
  }, tags);
}

/**
 * Checks the page at the desktop width and at 360 px, and that at 360 px nothing but a table's own scrolling
 * region is wider than the screen. Returns the problems found, labelled with the width, so one `toEqual([])`
 * shows them all.
 */
export async function accessibilityProblems(page: Page, label = page.url()): Promise<string[]> {
  const problems: string[] = [];
  const original = page.viewportSize() ?? DESKTOP;
  for (const size of [DESKTOP, PHONE]) {
    await page.setViewportSize(size);
    for (const v of await axeViolations(page)) problems.push(`${label} @${size.width}px: ${v.rule} (${v.impact}): ${v.help}\n    ${v.nodes.join('\n    ')}`);
    if (size === PHONE) {
      const overflow = await page.evaluate(() => {
        const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
        return root.scrollWidth - root.clientWidth;
      });
      if (overflow > 0) problems.push(`${label} @${size.width}px: the page is ${overflow}px wider than the screen`);
    }
  }
  await page.setViewportSize(original);
  return problems;
}
