import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { startSandbox } from '../helpers/sandbox.js';
import { createSpendLedger, type SpendLedger } from '../../src/ops/spend-ledger.js';
import type { ApiKeyEntry } from '../../src/ops/config.js';
import type { Sandbox } from '../../src/sandbox/server.js';

/**
 * Spend caps with the ledger in a real redis-server shared by several app instances ("replicas"), each with its own
 * Redis connection and ledger, over one sandbox: what the sandbox billed is what the ledger holds, a restarted
 * replica keeps the day's spend, and an unreachable Redis refuses capped keys before any call.
 */
const SHARED = 'spend-redis-shared-0123456789';
const CROWD = 'spend-redis-crowd-0123456789';
const DOWN = 'spend-redis-down-0123456789';
const OPEN = 'spend-redis-open-0123456789';
const SLOW = 'spend-redis-slow-0123456789';
const CAP_USD = 0.1;
const KEYS: ApiKeyEntry[] = [
  { key: SHARED, name: 'shared', dailyCapUsd: CAP_USD },
  { key: CROWD, name: 'crowd', dailyCapUsd: CAP_USD },
  { key: DOWN, name: 'down', dailyCapUsd: CAP_USD },
  { key: SLOW, name: 'slow', dailyCapUsd: CAP_USD },
  { key: OPEN, name: 'open' },
];
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const SPEND = '{ spend { keyName spentUsd heldUsd capUsd remainingUsd } }';

let server: TestRedis;
let sandbox: Sandbox;
let url: string;
const replicas: Replica[] = [];

interface Replica {
  redis: Redis;
  ledger: SpendLedger;
  app: ReturnType<typeof createTestApp>;
  close(): Promise<void>;
}

function startReplica(timeoutMs = 500): Replica {
  const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  // Outages are on purpose here: the ledger reports them; ioredis would print each reconnection failure.
  redis.on('error', () => undefined);
  const ledger = createSpendLedger({ redis, timeoutMs });
  const app = createTestApp(url, 'dataforseo', { sandbox: true, security: { apiKeys: KEYS }, spendLedger: ledger });
  const replica: Replica = {
    redis,
    ledger,
    app,
    async close() {
      if (!replicas.includes(replica)) return;
      replicas.splice(replicas.indexOf(replica), 1);
      await app.close();
      redis.disconnect();
    },
  };
  replicas.push(replica);
  return replica;
}

beforeAll(async () => {
  server = await startRedis();
  ({ sandbox, url } = await startSandbox({ maxConcurrency: 10_000, maxPerMinute: 10_000_000 }));
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.close()));
  await sandbox.close();
  await server.stop();
});

async function spendOf(replica: Replica, key: string) {
  const { body } = await replica.app.execute(SPEND, undefined, bearer(key));
  expect(body.errors).toBeUndefined();
  return body.data.spend as { spentUsd: number; heldUsd: number; remainingUsd: number };
}

describe('the ledger in Redis, shared by replicas', () => {
  it('two replicas spend one cap; a restarted replica keeps the day’s spend and refuses before any call', async () => {
    const a = startReplica();
    const b = startReplica();
    const billed = sandbox.stats().billedUsd;
    let refusedAt = -1;
    for (let i = 0; i < 20 && refusedAt < 0; i++) {
      const replica = i % 2 ? b : a;
      const calls = sandbox.stats().calls;
      const { body } = await replica.app.execute(`{ target(target: "redis-${i}.example") { rank } }`, undefined, bearer(SHARED));
      if (body.errors?.[0]?.extensions.code === 'BUDGET_EXCEEDED') {
        refusedAt = i;
        expect(sandbox.stats().calls).toBe(calls);
      } else {
        expect(body.errors).toBeUndefined();
        expect(sandbox.stats().calls).toBe(calls + 1);
      }
    }
    // $0.02003 each: four fit in $0.10, the fifth does not, whichever replica runs it.
    expect(refusedAt).toBe(4);
    const spent = sandbox.stats().billedUsd - billed;
    expect(Math.abs((await spendOf(a, SHARED)).spentUsd - spent)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs((await spendOf(b, SHARED)).spentUsd - spent)).toBeLessThanOrEqual(1e-9);

    // A replica restart: a new connection, ledger and app on the same Redis.
    await a.close();
    const restarted = startReplica();
    const figures = await spendOf(restarted, SHARED);
    expect(Math.abs(figures.spentUsd - spent)).toBeLessThanOrEqual(1e-9);
    expect(figures.remainingUsd).toBeCloseTo(CAP_USD - spent, 9);
    const calls = sandbox.stats().calls;
    const { body } = await restarted.app.execute('{ target(target: "after-restart.example") { rank } }', undefined, bearer(SHARED));
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BUDGET_EXCEEDED', keyName: 'shared', capUsd: CAP_USD });
    expect(body.errors?.[0]?.extensions.spentUsd).toBeCloseTo(spent, 9);
    expect(sandbox.stats().calls).toBe(calls);
  });

  it('20 operations at once over three replicas cannot together pass the cap, even with 1000-row answers', async () => {
    const three = [startReplica(), startReplica(), startReplica()];
    const calls = sandbox.stats().calls;
    const billed = sandbox.stats().billedUsd;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (three[i % 3] as Replica).app.execute(
          `{ target(target: "ahrefs.com") { referringDomains(first: ${1000 - i}) { totalCount } } }`,
          undefined,
          bearer(CROWD),
        ),
      ),
    );
    const answered = results.filter((r) => r.body.errors === undefined).length;
    // Each holds $0.05 (its call and 1000 rows): two fit, and what they do not spend of it is less than a call.
    expect(answered).toBe(2);
    expect(results.every((r) => r.body.errors === undefined || r.body.errors[0].extensions.code === 'BUDGET_EXCEEDED')).toBe(true);
    expect(sandbox.stats().calls - calls).toBe(answered);
    const spent = sandbox.stats().billedUsd - billed;
    expect(spent).toBeLessThanOrEqual(CAP_USD);
    const figures = await spendOf(three[0] as Replica, CROWD);
    expect(Math.abs(figures.spentUsd - spent)).toBeLessThanOrEqual(1e-9);
    expect(figures.heldUsd).toBe(0);
  });

  it('Redis keys name accounts and days, never a key, and expire', async () => {
    const admin = new Redis(server.url);
    try {
      const keys = await admin.keys('*');
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        expect(key).toMatch(/^backlinks:spend:\{\d{4}-\d{2}-\d{2}:n:[a-z]+\}(:charges)?$/);
        for (const secret of KEYS) expect(key).not.toContain(secret.key);
        const ttl = await admin.pttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(2 * 86_400_000);
        const values = JSON.stringify(await admin.hgetall(key));
        for (const secret of KEYS) expect(values).not.toContain(secret.key);
      }
    } finally {
      admin.disconnect();
    }
  });
});

describe('a Redis failure fails closed', () => {
  it('a slow Redis: past the ledger’s timeout, a capped key is refused with SPEND_UNAVAILABLE before any call', async () => {
    const replica = startReplica(300);
    await spendOf(replica, SLOW);
    const admin = new Redis(server.url);
    try {
      // Every client's commands wait 1 s (this one's UNPAUSE too): longer than the ledger's 300 ms.
      await admin.call('CLIENT', 'PAUSE', '1000', 'ALL');
      const calls = sandbox.stats().calls;
      const { status, body } = await replica.app.execute('{ target(target: "slow.example") { rank } }', undefined, bearer(SLOW));
      expect(status).toBe(503);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'SPEND_UNAVAILABLE', retryable: true });
      expect(body.data).toBeUndefined();
      expect(sandbox.stats().calls).toBe(calls);
    } finally {
      await admin.call('CLIENT', 'UNPAUSE');
      admin.disconnect();
    }
  });

  it('Redis down: capped keys are refused before any call, the spend field says so, uncapped keys are answered and counted when Redis is back', async () => {
    const replica = startReplica();
    await spendOf(replica, DOWN);
    await server.stop();
    try {
      const calls = sandbox.stats().calls;
      for (let i = 0; i < 3; i++) {
        const { status, body, text } = await replica.app.execute(
          `{ target(target: "down-${i}.example") { rank } }`,
          undefined,
          bearer(DOWN),
        );
        expect(status).toBe(503);
        expect(body.errors?.[0]?.extensions.code).toBe('SPEND_UNAVAILABLE');
        expect(text).not.toContain(server.url);
        expect(text).not.toContain(String(server.port));
      }
      expect(sandbox.stats().calls).toBe(calls);

      // What can make no call still runs.
      const free = await replica.app.execute('{ target(target: "down-free.example") { target } }', undefined, bearer(DOWN));
      expect(free.body.data.target.target).toBe('down-free.example');
      expect(free.body.extensions.cost.spend).toBeUndefined();

      const read = await replica.app.execute(SPEND, undefined, bearer(DOWN));
      expect(read.body.data.spend).toBeNull();
      expect(read.body.errors?.[0]?.extensions.code).toBe('SPEND_UNAVAILABLE');

      // Uncapped: nothing to protect, so it runs; what it cost waits in the replica until Redis is back.
      const billed = sandbox.stats().billedUsd;
      const open = await replica.app.execute('{ target(target: "down-open.example") { rank } }', undefined, bearer(OPEN));
      expect(open.body.errors).toBeUndefined();
      expect(open.body.extensions.cost.spend).toBeUndefined();
      expect(sandbox.stats().calls).toBe(calls + 1);
      const owed = sandbox.stats().billedUsd - billed;
      expect(owed).toBeGreaterThan(0);

      await server.restart();
      await waitUntilReady(replica.redis);
      // This Redis kept nothing (no persistence): the uncapped key's spend is exactly what waited.
      const back = await spendOf(replica, OPEN);
      expect(Math.abs(back.spentUsd - owed)).toBeLessThanOrEqual(1e-9);
      const capped = await replica.app.execute('{ target(target: "down-back.example") { rank } }', undefined, bearer(DOWN));
      expect(capped.body.errors).toBeUndefined();
      expect(sandbox.stats().calls).toBe(calls + 2);
    } finally {
      await server.restart().catch(() => undefined);
    }
  });
});

async function waitUntilReady(redis: Redis): Promise<void> {
  for (let i = 0; i < 200 && redis.status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 25));
  expect(redis.status).toBe('ready');
}
