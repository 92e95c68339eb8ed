import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server-process.js';

describe('graceful shutdown', () => {
  it('on SIGTERM, stops accepting, finishes the request in flight, then exits 0', async () => {
    const server = startServer({ PORT: '0', HOST: '127.0.0.1', SANDBOX_LATENCY_MS: '1500' });
    const url = await server.ready;
    const inFlight = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ target(target: "backlinko.com") { rank } }' }),
    });
    await new Promise((r) => setTimeout(r, 400));
    server.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    await expect(
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }),
    ).rejects.toThrow();
    const response = await inFlight;
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { target: { rank: number } } };
    expect(body.data.target.rank).toEqual(expect.any(Number));
    const [code] = (await once(server.child, 'exit')) as [number | null];
    expect(code).toBe(0);
    const log = server.output().stdout;
    expect(log.indexOf('shutting down')).toBeLessThan(log.indexOf('"msg":"request"'));
    expect(log).toMatch(/"msg":"stopped"/);
  });
});
