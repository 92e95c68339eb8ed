import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildServer, startServer } from '../helpers/server-process.js';

/**
 * GraphiQL in a real headless browser (Debian's chromium), against the server as `npm start` runs it (built to
 * dist/, then `node dist/server.js`) with no environment: it loads with no network, runs its default query and shows data from the sandbox. Skipped only where
 * no chromium is installed, and never in CI, where .ci/run installs it.
 */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));

describe('GraphiQL', () => {
  it.skipIf(!CHROMIUM && !process.env.CI)('runs its default query and shows data', { timeout: 90_000 }, async () => {
    expect(CHROMIUM, 'chromium is not installed: .ci/run installs it with apt-get').toBeDefined();
    buildServer();
    const server = startServer({ PORT: '0', HOST: '127.0.0.1' }, { built: true });
    const url = await server.ready;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const offsite: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith(new URL(url).origin) && !request.url().startsWith('data:') && !request.url().startsWith('blob:')) offsite.push(request.url());
      });
      await page.goto(url);
      await page.locator('.graphiql-execute-button').click({ timeout: 30_000 });
      const result = page.locator('.result-window');
      // The result is an editor that renders only its visible lines: the top of the answer is what shows.
      await expect.poll(async () => result.innerText(), { timeout: 30_000 }).toContain('"data"');
      const text = (await result.innerText()).replace(/\s+/g, ' ');
      expect(text).toContain('"target": "backlinko.com"');
      expect(text).toMatch(/"rank": \d+/);
      expect(text).toMatch(/"backlinkCount": \d+/);
      expect(text).not.toContain('"errors"');
      expect(offsite).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
