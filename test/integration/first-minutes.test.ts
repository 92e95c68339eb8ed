import { once } from 'node:events';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildServer, startServer } from '../helpers/server-process.js';

/**
 * What a new user meets in the first ten minutes, on the built server (`npm start`): a `.env` is read, a busy port
 * is one line that says what to do, and GraphiQL says when its data is synthetic.
 */

beforeAll(() => buildServer(), 120_000);

async function busyPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('starting the server', () => {
  it('a busy port: exits 1 with one line naming the port and what to do, no stack trace', async () => {
    const busy = await busyPort();
    try {
      const server = startServer({ PORT: String(busy.port), HOST: '127.0.0.1' }, { built: true });
      server.ready.catch(() => undefined);
      const [code] = (await once(server.child, 'exit')) as [number | null];
      expect(code).toBe(1);
      const { stderr } = server.output();
      expect(stderr.trim().split('\n')).toEqual([
        `Port ${busy.port} is already in use: stop what listens there, or set PORT to another port.`,
      ]);
    } finally {
      await busy.close();
    }
  });

  it('reads .env from the working directory; variables already set win over it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backlinks-env-'));
    const busy = await busyPort();
    await busy.close();
    writeFileSync(join(dir, '.env'), `# as copied from .env.example\nPORT=${busy.port}\nHOST=127.0.0.1\nGRAPHIQL=false\n`);
    const fromFile = startServer({}, { built: true, cwd: dir });
    const url = await fromFile.ready;
    expect(url).toBe(`http://127.0.0.1:${busy.port}/graphql`);
    // GRAPHIQL=false came from the file too: a browser gets no GraphiQL page.
    const page = await fetch(url, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/<title>/);
    fromFile.child.kill('SIGTERM');
    await once(fromFile.child, 'exit');

    const overridden = startServer({ PORT: '0' }, { built: true, cwd: dir });
    expect(await overridden.ready).not.toBe(url);
  });

  it('a .env that cannot be parsed is one line, not a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backlinks-env-'));
    // A directory where the file should be: unreadable as a file.
    mkdirSync(join(dir, '.env'));
    const server = startServer({ PORT: '0' }, { built: true, cwd: dir });
    server.ready.catch(() => undefined);
    const [code] = (await once(server.child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(server.output().stderr.trim().split('\n')).toHaveLength(1);
    expect(server.output().stderr).toMatch(/^\.env could not be read/);
  });

  it('GraphiQL on the sandbox says the data is synthetic, in its title and its first query lines', async () => {
    const server = startServer({ PORT: '0', HOST: '127.0.0.1' }, { built: true });
    const url = await server.ready;
    const page = await (await fetch(url, { headers: { accept: 'text/html' } })).text();
    expect(page).toMatch(/<title>backlinks-graphql — sandbox \(synthetic data\)<\/title>/);
    expect(page).toMatch(/# SANDBOX: no upstream account is configured, so every answer is SYNTHETIC data/);
  });
});

describe('/ready and the upstream credentials', () => {
  /** /ready, polled until the start-up check has answered. */
  async function readiness(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const readyUrl = url.replace(/\/graphql$/, '/ready');
    for (let i = 0; ; i++) {
      const response = await fetch(readyUrl);
      const body = (await response.json()) as Record<string, unknown>;
      if (body.credentials !== 'checking' || i > 100) return { status: response.status, body };
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('accepted credentials (checked with the free account call, no billed call): ready', async () => {
    const { startSandbox } = await import('../helpers/sandbox.js');
    const { sandbox, url: upstream } = await startSandbox();
    try {
      const server = startServer(
        {
          PORT: '0',
          HOST: '127.0.0.1',
          DATAFORSEO_LOGIN: 'someone@example.com',
          DATAFORSEO_PASSWORD: 'right',
          DATAFORSEO_BASE_URL: upstream,
        },
        { built: true },
      );
      const { status, body } = await readiness(await server.ready);
      expect({ status, ready: body.ready, credentials: body.credentials }).toEqual({ status: 200, ready: true, credentials: 'accepted' });
      expect(sandbox.stats()).toMatchObject({ calls: 0, billedUsd: 0 });
    } finally {
      await sandbox.close();
    }
  });

  it('rejected credentials: not ready (503), said once in the log, never the password', async () => {
    const { startSandbox } = await import('../helpers/sandbox.js');
    const { sandbox, url: upstream } = await startSandbox({ credentials: { login: 'someone@example.com', password: 'right' } });
    try {
      const server = startServer(
        {
          PORT: '0',
          HOST: '127.0.0.1',
          DATAFORSEO_LOGIN: 'someone@example.com',
          DATAFORSEO_PASSWORD: 'wrong-Passw0rd-do-not-leak',
          DATAFORSEO_BASE_URL: upstream,
        },
        { built: true },
      );
      const { status, body } = await readiness(await server.ready);
      expect({ status, ready: body.ready, credentials: body.credentials }).toEqual({ status: 503, ready: false, credentials: 'rejected' });
      const { stdout, stderr } = server.output();
      expect(stdout.match(/rejects the configured credentials/g)).toHaveLength(1);
      expect(stdout + stderr + JSON.stringify(body)).not.toContain('wrong-Passw0rd-do-not-leak');
    } finally {
      await sandbox.close();
    }
  });

  it('AIsa has no free call: its key is reported unverified, and the server is ready', async () => {
    const server = startServer(
      { PORT: '0', HOST: '127.0.0.1', AISA_API_KEY: 'sk-aisa-test-key-do-not-leak', AISA_BASE_URL: 'http://127.0.0.1:9' },
      { built: true },
    );
    const { status, body } = await readiness(await server.ready);
    expect({ status, credentials: body.credentials }).toEqual({ status: 200, credentials: 'unverified' });
  });
});
