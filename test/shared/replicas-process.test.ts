import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server-process.js';
import { codesOf, startRedis, type TestRedis } from '../helpers/redis.js';
import { startSandbox } from '../helpers/sandbox.js';
import type { Sandbox } from '../../src/sandbox/server.js';

/**
 * The "done when", with real server processes (what `npm start` runs): three replicas on one Redis and one
 * sandbox. The per-minute limit is counted over a 3 s window (UPSTREAM_RATE_WINDOW_MS, and the sandbox's own
 * window) so that the limit binds within a test's time; the rules are those of a minute.
 */

const running: { redis?: TestRedis; sandbox?: Sandbox }[] = [];
afterEach(async () => {
  for (const { redis, sandbox } of running.splice(0)) {
    await sandbox?.close();
    await redis?.stop();
  }
});

const RANK = 'query($t: String!) { target(target: $t) { rank } }';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function post(url: string, target: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: RANK, variables: { t: target } }),
  });
  return { status: response.status, body: await response.json() };
}

function startReplicas(n: number, env: Record<string, string>) {
  return Array.from({ length: n }, () =>
    startServer({
      PORT: '0',
      HOST: '127.0.0.1',
      UPSTREAM: 'dataforseo',
      DATAFORSEO_LOGIN: 'replica',
      DATAFORSEO_PASSWORD: 'replica-password',
      UPSTREAM_REPLICAS: String(n),
      LOG_LEVEL: 'info',
      ...env,
    }),
  );
}

describe('three server processes, one Redis, one sandbox', () => {
  it('600 concurrent operations over 200 targets stay within the account limits; 200 identical ones make 1 call; B hits what A cached', async () => {
    const redis = await startRedis();
    const { sandbox, url } = await startSandbox({ maxConcurrency: 10, maxPerMinute: 60, windowMs: 3000, faults: { latencyMs: 300 } });
    running.push({ redis, sandbox });
    const servers = startReplicas(3, {
      DATAFORSEO_BASE_URL: url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: 'e2e-load:',
      UPSTREAM_MAX_CONCURRENCY: '10',
      UPSTREAM_MAX_PER_MINUTE: '60',
      UPSTREAM_RATE_WINDOW_MS: '3000',
    });
    const urls = await Promise.all(servers.map((s) => s.ready));

    // Operation i goes to replica i % 3 and asks for target i % 200: each target is asked on all three replicas.
    const results = await Promise.all(Array.from({ length: 600 }, (_, i) => post(urls[i % 3] ?? '', `e2e${i % 200}.com`)));
    for (const { status, body } of results) {
      expect(status).toBe(200);
      expect(codesOf(body)).toEqual([]);
    }
    const stats = sandbox.stats();
    expect(stats.calls).toBe(200);
    expect(stats.maxInFlight).toBeLessThanOrEqual(10);
    expect(stats.maxPerMinute).toBeLessThanOrEqual(60);
    expect(stats.rejectedConcurrency + stats.rejectedPerMinute).toBe(0);
    expect(results.reduce((n, r) => n + r.body.extensions.cost.upstreamCalls, 0)).toBe(200);

    sandbox.resetStats();
    const identical = await Promise.all(Array.from({ length: 200 }, (_, i) => post(urls[i % 3] ?? '', 'identical.com')));
    for (const { body } of identical) expect(codesOf(body)).toEqual([]);
    expect(sandbox.stats().calls).toBe(1);

    const fetched = await post(urls[0] ?? '', 'fetched-on-a.com');
    expect(fetched.body.extensions.cost).toMatchObject({ upstreamCalls: 1, cacheHits: 0 });
    const hit = await post(urls[1] ?? '', 'fetched-on-a.com');
    expect(hit.body.extensions.cost).toMatchObject({ upstreamCalls: 0, cacheHits: 1 });
    expect(hit.body.data).toEqual(fetched.body.data);
  }, 90_000);

  it('Redis killed under load: no replica exits, every request is answered, /ready and /metrics say local-share, then shared again; the password is never printed', async () => {
    const password = 'redis-secret-never-printed';
    const redis = await startRedis({ password });
    const { sandbox, url } = await startSandbox({ maxConcurrency: 9, faults: { latencyMs: 100 } });
    running.push({ redis, sandbox });
    const servers = startReplicas(3, {
      DATAFORSEO_BASE_URL: url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: 'e2e-down:',
      UPSTREAM_MAX_CONCURRENCY: '9',
    });
    const urls = await Promise.all(servers.map((s) => s.ready));
    const base = (u: string) => u.replace(/\/graphql$/, '');
    const ready = async (u: string) => (await (await fetch(`${base(u)}/ready`)).json()) as { ready: boolean; limits: string };
    const metrics = async (u: string) => (await fetch(`${base(u)}/metrics`)).text();
    for (const u of urls) expect(await ready(u)).toMatchObject({ ready: true, limits: 'shared' });

    let loading = true;
    let n = 0;
    const answers: { status: number; body: any }[] = [];
    const clients = urls.flatMap((u) =>
      Array.from({ length: 6 }, async () => {
        while (loading) answers.push(await post(u, `down${(n += 1)}.com`));
      }),
    );
    await sleep(800);
    await redis.kill();
    for (const u of urls) {
      for (let i = 0; (await ready(u)).limits !== 'local-share'; i++) {
        if (i > 200) throw new Error('a replica never reported local-share');
        await sleep(50);
      }
      const state = await ready(u);
      // Still ready: a replica within its local share serves, it must not leave the load balancer.
      expect(state.ready).toBe(true);
      expect(await metrics(u)).toMatch(/backlinks_limits_mode\{mode="local-share"\} 1/);
    }
    sandbox.resetStats();
    await sleep(1500);
    // Three replicas on their local share (9 / 3 = 3 each) together stay within the account's 9.
    expect(sandbox.stats().maxInFlight).toBeLessThanOrEqual(9);
    expect(sandbox.stats().rejectedConcurrency).toBe(0);

    await redis.restart();
    for (const u of urls) {
      for (let i = 0; (await ready(u)).limits !== 'shared'; i++) {
        if (i > 300) throw new Error('a replica never returned to shared mode');
        await sleep(50);
      }
      const text = await metrics(u);
      expect(text).toMatch(/backlinks_limits_mode\{mode="shared"\} 1/);
      expect(text).toMatch(/backlinks_limits_fallbacks_total 1/);
    }
    loading = false;
    await Promise.all(clients);

    expect(answers.length).toBeGreaterThan(50);
    for (const { status, body } of answers) {
      expect(status).toBe(200);
      expect(codesOf(body)).toEqual([]);
    }
    for (const server of servers) expect(server.child.exitCode).toBeNull();
    for (const server of servers) {
      const { stdout, stderr } = server.output();
      expect(stdout).toMatch(/Redis is unreachable/);
      expect(stdout).toMatch(/Redis answers again/);
      expect(stdout + stderr).not.toContain(password);
    }
  }, 90_000);
});
