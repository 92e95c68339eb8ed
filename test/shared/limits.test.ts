import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { codesOf, startRedis, startReplica, type Replica, type ReplicaOptions, type TestRedis } from '../helpers/redis.js';
import { startSandbox } from '../helpers/sandbox.js';
import { createLocalLimiter } from '../../src/upstream/limiter.js';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/server.js';

/**
 * The account's limits shared by every replica through one real Redis, counted by the sandbox (which enforces its
 * own limits, and answers 40209/40202 past them): several replicas together stay within one account's limits.
 */

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

const open: { replicas: Replica[]; sandbox: Sandbox }[] = [];
afterEach(async () => {
  for (const { replicas, sandbox } of open.splice(0)) {
    await Promise.all(replicas.map((r) => r.close()));
    await sandbox.close();
  }
});

let prefixes = 0;
async function setUp(n: number, sandboxOptions: SandboxOptions, options: Partial<ReplicaOptions> = {}) {
  const { sandbox, url } = await startSandbox(sandboxOptions);
  const keyPrefix = `limits${(prefixes += 1)}:`;
  const replicas = await Promise.all(Array.from({ length: n }, () => startReplica(url, redis.url, { replicas: n, keyPrefix, ...options })));
  open.push({ replicas, sandbox });
  return { sandbox, replicas, url };
}

const RANK = 'query($t: String!) { target(target: $t) { rank } }';

/** `count` distinct operations spread round-robin over the replicas, all at once. */
function spread(replicas: Replica[], count: number, name: string) {
  return Promise.all(
    Array.from({ length: count }, (_, i) => (replicas[i % replicas.length] as Replica).execute(RANK, { t: `${name}${i}.com` })),
  );
}

describe('concurrency: one semaphore for every replica', () => {
  it('three replicas against one sandbox of concurrency 6 never have more than 6 calls in flight, and no client sees 40209', async () => {
    // Each replica alone would send 6 at once: 18 together, without the shared semaphore.
    const { sandbox, replicas } = await setUp(
      3,
      { maxConcurrency: 6, faults: { latencyMs: { min: 20, max: 60 } } },
      { limits: { maxConcurrency: 6 } },
    );
    const results = await spread(replicas, 240, 'conc');
    expect(results.flatMap((r) => codesOf(r.body))).toEqual([]);
    const stats = sandbox.stats();
    expect(stats.calls).toBe(240);
    expect(stats.maxInFlight).toBeLessThanOrEqual(6);
    expect(stats.rejectedConcurrency).toBe(0);
    // The semaphore was used, not just the limit of one replica: the peak reached the account's limit.
    expect(stats.maxInFlight).toBe(6);
  });

  it('a lease of a replica that died expires: its slot comes back to the others', async () => {
    const { sandbox, replicas } = await setUp(2, { faults: { latencyMs: 2000 } }, { limits: { maxConcurrency: 1 }, leaseMs: 300 });
    const [dying, survivor] = replicas as [Replica, Replica];
    const orphaned = dying.execute(RANK, { t: 'lease-holder.com' });
    while (sandbox.stats().inFlight === 0) await new Promise((r) => setTimeout(r, 10));
    await dying.redis.close();
    sandbox.setFaults({});
    const after = await survivor.execute(RANK, { t: 'after-lease.com' });
    expect(after.body.errors).toBeUndefined();
    // The survivor's call ran while the dead replica's (never released) call was still in flight at the sandbox.
    expect(sandbox.stats().maxInFlight).toBe(2);
    await orphaned;
  });
});

describe('the per-minute cap and smooth pacing, shared', () => {
  it('three replicas never start more than the per-window cap together, and no client sees 40202', async () => {
    const window = { windowMs: 2000, maxPerMinute: 40 };
    const { sandbox, replicas } = await setUp(3, { ...window, faults: { latencyMs: 5 } }, { limits: { maxPerWindow: 40, windowMs: 2000 } });
    const results = await spread(replicas, 100, 'cap');
    expect(results.flatMap((r) => codesOf(r.body))).toEqual([]);
    const stats = sandbox.stats();
    expect(stats.calls).toBe(100);
    expect(stats.maxPerMinute).toBeLessThanOrEqual(40);
    expect(stats.rejectedPerMinute).toBe(0);
  });

  // The sandbox counts calls per rolling 500 ms here: with a budget of 60 per 3 s, a burst paced by a bucket of 10
  // refilled at 60 per 3.5 s holds about 10 + 9 per 500 ms; unpaced, all 60 would land in the first few ms.
  const PACED = { maxPerWindow: 60, windowMs: 3000 };
  const MAX_IN_HALF_SECOND = 25;

  it('a burst of distinct work over two replicas is spread over the window, not spent at once', async () => {
    const { sandbox, replicas } = await setUp(2, { windowMs: 500, maxPerMinute: 1000 }, { limits: PACED });
    const results = await spread(replicas, 60, 'pace');
    expect(results.flatMap((r) => codesOf(r.body))).toEqual([]);
    expect(sandbox.stats().calls).toBe(60);
    expect(sandbox.stats().maxPerMinute).toBeLessThanOrEqual(MAX_IN_HALF_SECOND);
  });

  it('in one process without Redis too', async () => {
    const { sandbox, url } = await startSandbox({ windowMs: 500, maxPerMinute: 1000 });
    const app = createTestApp(url, 'dataforseo', { limits: PACED });
    try {
      const results = await Promise.all(Array.from({ length: 60 }, (_, i) => app.execute(RANK, { t: `alone${i}.com` })));
      expect(results.flatMap((r) => codesOf(r.body))).toEqual([]);
      expect(sandbox.stats().calls).toBe(60);
      expect(sandbox.stats().maxPerMinute).toBeLessThanOrEqual(MAX_IN_HALF_SECOND);
    } finally {
      await app.close();
      await sandbox.close();
    }
  });

  it('the limiter paces a minute of 10 000 calls at 167 a second after a burst of 167, and caps the rolling minute at 10 000', () => {
    const clock = { t: 0 };
    const limiter = createLocalLimiter({ maxConcurrency: 1_000_000, maxPerWindow: 10_000, windowMs: 60_000 }, { now: () => clock.t });
    let id = 0;
    const drain = () => {
      let n = 0;
      while (limiter.acquireNow(String((id += 1))).granted) n += 1;
      return n;
    };
    expect(drain()).toBe(167);
    clock.t = 1000;
    // 10 000 per 60.25 s (the window and its margin): 165.97 tokens a second.
    expect(drain()).toBe(165);
    let total = 167 + 165;
    for (clock.t = 2000; clock.t < 60_000; clock.t += 1000) total += drain();
    expect(total).toBeLessThanOrEqual(10_000);
    expect(total).toBeGreaterThan(9_800);
    // However long it waited, a new minute starts with one burst, not with the whole minute's budget.
    clock.t += 600_000;
    expect(drain()).toBe(167);
  });
});

describe('the slow-down after the upstream throttles is shared', () => {
  it('the slow-down one replica decides after a throttle (40209: fewer at once; 40202: a pause) holds every replica', async () => {
    const { replicas } = await setUp(2, {}, { limits: { maxConcurrency: 10 } });
    const [a, b] = replicas as [Replica, Replica];
    a.scheduler.slowDown('concurrency', 10);
    await new Promise((r) => setTimeout(r, 50));
    await b.execute(RANK, { t: 'after-slowdown.com' });
    // 10 lowered to 8 by A's slow-down, read by B at its next start, then one step back for B's own success.
    expect(b.scheduler.state()).toMatchObject({ mode: 'shared', concurrency: 9 });

    a.scheduler.slowDown('rate', 1500);
    await new Promise((r) => setTimeout(r, 50));
    const held = b.execute(RANK, { t: 'paused.com' });
    await new Promise((r) => setTimeout(r, 100));
    // B never saw a throttle; it waits because A did.
    expect(b.scheduler.state().queued).toBe(1);
    expect(b.scheduler.state().pausedUntil).toBeGreaterThan(Date.now());
    const answer = await held;
    expect(answer.body.errors).toBeUndefined();
    expect(b.scheduler.state().queued).toBe(0);
  });
});
