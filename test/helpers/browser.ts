// Headless Chromium for the tests, as `report` prints with it: Debian's `chromium` package driven by
// playwright-core (which never downloads a browser).
import fs from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { DEFAULT_CHROMIUM as CHROMIUM, CHROMIUM_ARGS } from '../../src/report/index.js';

export { CHROMIUM };

/** Starts the browser; a missing one fails the test saying what to install. */
export function launchChromium(what: string): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is needed for ${what} (.ci/run installs Debian's chromium package)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
