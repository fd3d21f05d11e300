/**
 * A real browser for tests: Debian's Chromium (`apt-get install chromium`, which `.ci/run` installs when missing),
 * driven by playwright-core. There is no silent skip: without Chromium the browser tests fail and say what to install.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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
