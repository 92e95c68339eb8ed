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
