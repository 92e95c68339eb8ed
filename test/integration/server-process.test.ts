import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server-process.js';
import { DEFAULT_QUERY } from '../../src/http/graphiql.js';

/** The real process entry (what `npm start` runs), started with a clean environment. */

describe('the server process', () => {
  it('starts with no environment on the sandbox, serves GraphiQL and synthetic data, says so, and stops on SIGTERM', async () => {
    const server = startServer({ PORT: '0', HOST: '127.0.0.1' });
    const url = await server.ready;
    expect(server.output().stdout).toMatch(/SYNTHETIC data from the embedded sandbox/);

    const page = await fetch(url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/graphiql/i);

    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: DEFAULT_QUERY }),
    });
    const body = (await response.json()) as {
      data: { target: { referringDomains: { nodes: unknown[] } } };
      errors?: unknown;
      extensions: { sandbox: { synthetic: boolean } };
    };
    expect(body.errors).toBeUndefined();
    expect(body.data.target.referringDomains.nodes.length).toBeGreaterThan(0);
    expect(body.extensions.sandbox.synthetic).toBe(true);

    server.child.kill('SIGTERM');
    const [code] = (await once(server.child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('refuses to start with an incomplete configuration, saying which variables to set', async () => {
    const server = startServer({ UPSTREAM: 'dataforseo', DATAFORSEO_LOGIN: 'someone' });
    await expect(server.ready).rejects.toThrow(/exited with 1: .*DATAFORSEO_LOGIN and DATAFORSEO_PASSWORD/s);
  });

  it('never prints credentials', async () => {
    const server = startServer({
      PORT: '0',
      HOST: '127.0.0.1',
      DATAFORSEO_LOGIN: 'login-visible?',
      DATAFORSEO_PASSWORD: 'never-print-me',
      DATAFORSEO_BASE_URL: 'http://127.0.0.1:9',
    });
    const url = await server.ready;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ target(target: "a.com") { rank } }' }),
    });
    const text = await response.text();
    expect(text).toMatch(/UPSTREAM_UNAVAILABLE/);
    server.child.kill('SIGTERM');
    await once(server.child, 'exit');
    const { stdout, stderr } = server.output();
    for (const out of [text, stdout, stderr]) {
      expect(out).not.toContain('never-print-me');
      expect(out).not.toContain(Buffer.from('login-visible?:never-print-me').toString('base64'));
    }
  });
});
