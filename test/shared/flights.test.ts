import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, startRedis, startReplica, type Replica, type ReplicaOptions, type TestRedis } from '../helpers/redis.js';
import { startSandbox } from '../helpers/sandbox.js';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/server.js';

/**
 * The answer cache and single flight shared by replicas through one real Redis, counted at the sandbox: what one
 * replica fetched, or is fetching, another never pays for again.
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
  const keyPrefix = `flights${(prefixes += 1)}:`;
  const replicas = await Promise.all(Array.from({ length: n }, () => startReplica(url, redis.url, { replicas: n, keyPrefix, ...options })));
  open.push({ replicas, sandbox });
  return { sandbox, replicas };
}

const RANK = 'query($t: String!) { target(target: $t) { rank } }';
const BULK_RANK = 'query($t: [String!]!) { targets(targets: $t) { target bulkMetrics { rank } } }';
const sum = (results: { body: { extensions?: any } }[], field: string) =>
  results.reduce((n, r) => n + (r.body.extensions?.cost?.[field] ?? 0), 0);

describe('the answer cache in Redis', () => {
  it('an answer fetched through replica A is a cache hit on replica B', async () => {
    const { sandbox, replicas } = await setUp(2, {});
    const [a, b] = replicas as [Replica, Replica];
    const first = await a.execute(RANK, { t: 'shared-cache.com' });
    expect(first.body.errors).toBeUndefined();
    expect(first.body.extensions?.cost).toMatchObject({ upstreamCalls: 1, cacheHits: 0 });
    const second = await b.execute(RANK, { t: 'shared-cache.com' });
    expect(second.body.data).toEqual(first.body.data);
    expect(second.body.extensions?.cost).toMatchObject({ upstreamCalls: 0, cacheHits: 1 });
    expect(sandbox.stats().calls).toBe(1);
  });

  it('never keeps an error: a failed task is asked again by the next replica', async () => {
    const { sandbox, replicas } = await setUp(2, { faults: { targetCodes: { 'broken.com': 40501 } } });
    const [a, b] = replicas as [Replica, Replica];
    expect(codesOf((await a.execute(RANK, { t: 'broken.com' })).body)).toEqual(['UPSTREAM_BAD_REQUEST']);
    const again = await b.execute(RANK, { t: 'broken.com' });
    expect(codesOf(again.body)).toEqual(['UPSTREAM_BAD_REQUEST']);
    expect(again.body.extensions?.cost).toMatchObject({ upstreamCalls: 1, cacheHits: 0 });
    expect(sandbox.stats().calls).toBe(2);
  });

  it('caches bulk items per target across replicas: B sends only the targets A has not fetched', async () => {
    const { sandbox, replicas } = await setUp(2, {});
    const [a, b] = replicas as [Replica, Replica];
    const known = Array.from({ length: 8 }, (_, i) => `bulk-known${i}.com`);
    expect((await a.execute(BULK_RANK, { t: known })).body.extensions?.cost).toMatchObject({ upstreamCalls: 1 });
    const billedBefore = sandbox.stats().billedUsd;
    const fresh = ['bulk-new1.com', 'bulk-new2.com'];
    const mixed = await b.execute(BULK_RANK, { t: [...known, ...fresh] });
    expect(mixed.body.errors).toBeUndefined();
    expect(mixed.body.extensions?.cost).toMatchObject({ upstreamCalls: 1, cacheHits: 8 });
    // The second call carried the two new targets only: $0.02 + 2 rows.
    expect(sandbox.stats().billedUsd - billedBefore).toBeCloseTo(0.02 + 2 * 0.00003, 9);
  });
});

describe('single flight across replicas', () => {
  it('60 identical concurrent operations over two replicas: 1 upstream call', async () => {
    const { sandbox, replicas } = await setUp(2, { faults: { latencyMs: 300 } });
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (replicas[i % 2] as Replica).execute(RANK, { t: 'one-flight.com' })),
    );
    for (const r of results) expect(r.body.errors).toBeUndefined();
    expect(sandbox.stats().calls).toBe(1);
    expect(sum(results, 'upstreamCalls')).toBe(1);
    expect(sum(results, 'coalesced') + sum(results, 'cacheHits')).toBe(59);
    // Replica B's requests joined A's call (or the other way round): coalesced on both sides.
    const byReplica = [0, 1].map((k) =>
      sum(
        results.filter((_, i) => i % 2 === k),
        'upstreamCalls',
      ),
    );
    expect(byReplica.sort()).toEqual([0, 1]);
  });

  it('tells the waiters of other replicas the failure of the call they joined, without repeating it', async () => {
    const { sandbox, replicas } = await setUp(3, { faults: { latencyMs: 300, targetCodes: { 'broken.com': 40501 } } });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (replicas[i % 3] as Replica).execute(RANK, { t: 'broken.com' })),
    );
    for (const r of results) expect(codesOf(r.body)).toEqual(['UPSTREAM_BAD_REQUEST']);
    expect(sandbox.stats().calls).toBe(1);
  });

  it('bulk calls lock per target: two replicas asking overlapping lists carry each target once', async () => {
    const { sandbox, replicas } = await setUp(2, { faults: { latencyMs: 300 } });
    const [a, b] = replicas as [Replica, Replica];
    const left = Array.from({ length: 10 }, (_, i) => `overlap${i}.com`);
    const right = Array.from({ length: 10 }, (_, i) => `overlap${i + 5}.com`);
    const [ra, rb] = await Promise.all([a.execute(BULK_RANK, { t: left }), b.execute(BULK_RANK, { t: right })]);
    expect(ra.body.errors).toBeUndefined();
    expect(rb.body.errors).toBeUndefined();
    const stats = sandbox.stats();
    // 15 distinct targets in all, each carried by exactly one call: 15 rows billed.
    expect(stats.billedUsd - 0.02 * stats.calls).toBeCloseTo(15 * 0.00003, 9);
    expect(stats.calls).toBeLessThanOrEqual(3);
    expect(sum([ra, rb], 'coalesced')).toBe(20 - 15 - sum([ra, rb], 'cacheHits'));
    // Both see the same ranks for the targets they share.
    const rank = (r: typeof ra, t: string) => r.body.data.targets.find((x: any) => x.target === t)?.bulkMetrics.rank;
    for (const t of left.filter((x) => right.includes(x))) expect(rank(ra, t)).toBe(rank(rb, t));
  });

  it('an owner that dies mid-call stops holding its lock: a waiter takes the call over when the lock expires', async () => {
    // A waiter would wait a minute for a live owner: what sets it free here is the lock's expiry.
    const { sandbox, replicas } = await setUp(2, { faults: { latencyMs: 1500 } }, { lockTtlMs: 400, pollMs: 50, maxWaitMs: 60_000 });
    const [owner, waiter] = replicas as [Replica, Replica];
    const orphaned = owner.execute(RANK, { t: 'owner-dies.com' });
    while (sandbox.stats().inFlight === 0) await new Promise((r) => setTimeout(r, 10));
    const joined = waiter.execute(RANK, { t: 'owner-dies.com' });
    // While the owner lives (and refreshes its lock past its 400 ms TTL), the waiter waits instead of calling.
    await new Promise((r) => setTimeout(r, 600));
    expect(sandbox.stats().calls).toBe(1);
    // The owner's process is gone as far as Redis knows: no refresh of its lock, no message when its call ends.
    await owner.redis.close();
    const answer = await joined;
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.target.rank).toEqual(expect.any(Number));
    expect(answer.body.extensions?.cost).toMatchObject({ upstreamCalls: 1, coalesced: 0 });
    expect(sandbox.stats().calls).toBe(2);
    await orphaned;
  });
});
