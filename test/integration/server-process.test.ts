import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_QUERY } from '../../src/graphiql.js';

/** The real process entry (what `npm start` runs), started with a clean environment. */

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', () => {
      const m = /"url":"(http:\/\/[^"]+)"/.exec(stdout);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  return { child, ready, output: () => ({ stdout, stderr }) };
}

describe('the server process', () => {
  it('starts with no environment on the sandbox, serves GraphiQL and synthetic data, says so, and stops on SIGTERM', async () => {
    const server = startServer({ PORT: '0', HOST: '127.0.0.1' });
    const url = await server.ready;
    expect(server.output().stdout).toMatch(/SYNTHETIC data from the embedded sandbox/);

    const page = await fetch(url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/graphiql/i);

    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: DEFAULT_QUERY }) });
    const body = (await response.json()) as { data: { target: { referringDomains: { nodes: unknown[] } } }; errors?: unknown; extensions: { sandbox: { synthetic: boolean } } };
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
    const server = startServer({ PORT: '0', HOST: '127.0.0.1', DATAFORSEO_LOGIN: 'login-visible?', DATAFORSEO_PASSWORD: 'never-print-me', DATAFORSEO_BASE_URL: 'http://127.0.0.1:9' });
    const url = await server.ready;
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ target(target: "a.com") { rank } }' }) });
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
