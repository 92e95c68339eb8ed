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

const KEY = 'browser-key-0123456789abcdef';

/** Starts the built server with `env`, opens GraphiQL in a fresh browser context, runs the default query, checks the answer. */
async function runDefaultQuery(env: Record<string, string>, httpCredentials?: { username: string; password: string }) {
  buildServer();
  const server = startServer({ PORT: '0', HOST: '127.0.0.1', ...env }, { built: true });
  const url = await server.ready;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
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
  try {
    const context = await browser.newContext(httpCredentials ? { httpCredentials } : {});
    const page = await context.newPage();
    const offsite: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(new URL(url).origin) && !request.url().startsWith('data:') && !request.url().startsWith('blob:'))
        offsite.push(request.url());
    });
    const documentResponse = await page.goto(url);
    // A small page; the bundle comes as cacheable, compressed assets.
    expect(documentResponse?.status()).toBe(200);
    expect((await documentResponse?.body())?.length).toBeLessThan(10_000);
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
    if (httpCredentials) {
      // Without the credentials the page is a 401 that asks the browser for them (headless Chromium cannot prompt).
      const refused = await fetch(url, { headers: { accept: 'text/html' } });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/^Basic /);
    }
  } finally {
    await browser.close();
  }
}

describe('GraphiQL', () => {
  it.skipIf(!CHROMIUM && !process.env.CI)('runs its default query and shows data', { timeout: 90_000 }, async () => {
    expect(CHROMIUM, 'chromium is not installed: .ci/run installs it with apt-get').toBeDefined();
    await runDefaultQuery({});
  });

  it.skipIf(!CHROMIUM && !process.env.CI)(
    'with API_KEYS set, runs its default query with the key as the Basic password',
    { timeout: 90_000 },
    async () => {
      expect(CHROMIUM, 'chromium is not installed: .ci/run installs it with apt-get').toBeDefined();
      await runDefaultQuery({ API_KEYS: KEY }, { username: 'graphiql', password: KEY });
    },
  );
});
