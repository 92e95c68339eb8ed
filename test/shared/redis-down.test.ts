import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, startRedis, startReplica, type Replica, type TestRedis } from '../helpers/redis.js';
import { startSandbox } from '../helpers/sandbox.js';
import type { Sandbox } from '../../src/sandbox/server.js';

/**
 * Redis killed in the middle of a load: every request is still answered, each replica keeps to its local share of
 * the account's limits (1/3 here) while Redis is away, says so once, and shared mode resumes when Redis is back.
 * Each replica calls its own sandbox (the data is deterministic: the same answers everywhere), so that each
 * replica's own peak is what a sandbox counts.
 */

const LIMITS = { maxConcurrency: 9, maxPerWindow: 150, windowMs: 3000, queueTimeoutMs: 30_000 };
const SHARE = { maxConcurrency: 3, maxPerWindow: 50 };

let redis: TestRedis;
const sandboxes: Sandbox[] = [];
const replicas: Replica[] = [];
beforeAll(async () => {
  redis = await startRedis();
  for (let i = 0; i < 3; i++) {
    const { sandbox, url } = await startSandbox({ maxConcurrency: 9, maxPerMinute: 150, windowMs: 3000, faults: { latencyMs: 150 } });
    sandboxes.push(sandbox);
    replicas.push(await startReplica(url, redis.url, { replicas: 3, keyPrefix: 'down:', limits: LIMITS }));
  }
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.close()));
  await Promise.all(sandboxes.map((s) => s.close()));
  await redis.stop();
});

const RANK = 'query($t: String!) { target(target: $t) { rank } }';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for a condition the system reaches by itself (bounded: the test fails if it never does). */
async function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await sleep(20);
  }
}

/** Eight clients per replica, each sending distinct operations one after another until stopped. */
function load() {
  let running = true;
  let n = 0;
  const answers: { status: number; body: any }[] = [];
  const clients = replicas.flatMap((replica, r) =>
    Array.from({ length: 8 }, async () => {
      while (running) answers.push(await replica.execute(RANK, { t: `load-${r}-${(n += 1)}.com` }));
    }),
  );
  return {
    answers,
    async stop() {
      running = false;
      await Promise.all(clients);
      return answers;
    },
  };
}

describe('Redis killed mid-load', () => {
  it('every request is answered, each replica keeps to its local share while Redis is away, and shared mode resumes', async () => {
    const traffic = load();
    await sleep(1000);
    expect(replicas.map((r) => r.scheduler.state().mode)).toEqual(['shared', 'shared', 'shared']);

    await redis.kill();
    await until(() => replicas.every((r) => r.scheduler.state().mode === 'local-share'), 'every replica in local share');
    // Calls a replica started in shared mode may exceed its share for a moment; it starts none until under it.
    await until(() => sandboxes.every((s) => s.stats().inFlight <= SHARE.maxConcurrency), 'calls of the shared mode drained');
    for (const s of sandboxes) s.resetStats();
    await sleep(4000);
    for (const s of sandboxes) {
      const stats = s.stats();
      expect(stats.calls).toBeGreaterThan(0);
      expect(stats.maxInFlight).toBeLessThanOrEqual(SHARE.maxConcurrency);
      expect(stats.maxPerMinute).toBeLessThanOrEqual(SHARE.maxPerWindow);
      expect(stats.rejectedConcurrency + stats.rejectedPerMinute).toBe(0);
    }

    await redis.restart();
    await until(() => replicas.every((r) => r.scheduler.state().mode === 'shared'), 'every replica back in shared mode');
    const answers = await traffic.stop();

    // Data, or a coded error: here every one of them is data.
    expect(answers.length).toBeGreaterThan(100);
    for (const { status, body } of answers) {
      expect(status).toBe(200);
      expect(codesOf(body)).toEqual([]);
      expect(body.data.target.rank).toEqual(expect.any(Number));
    }
    // Said once when Redis went away and once when it came back, however many reconnects failed in between.
    for (const r of replicas) {
      expect(r.logs.filter((l) => l.level === 'warn')).toHaveLength(1);
      expect(r.logs.filter((l) => l.level === 'info' && /resumed/.test(l.msg))).toHaveLength(1);
    }

    // Shared again: 90 identical operations over the three replicas make one call, and B reads what A fetched.
    for (const s of sandboxes) s.resetStats();
    const identical = await Promise.all(
      Array.from({ length: 90 }, (_, i) => (replicas[i % 3] as Replica).execute(RANK, { t: 'after-restart.com' })),
    );
    for (const { body } of identical) expect(codesOf(body)).toEqual([]);
    expect(sandboxes.reduce((n, s) => n + s.stats().calls, 0)).toBe(1);
    const [a, b] = replicas as [Replica, Replica];
    expect((await a.execute(RANK, { t: 'cached-after-restart.com' })).body.extensions.cost.upstreamCalls).toBe(1);
    expect((await b.execute(RANK, { t: 'cached-after-restart.com' })).body.extensions.cost).toMatchObject({
      upstreamCalls: 0,
      cacheHits: 1,
    });
  });
});
