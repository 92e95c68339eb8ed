import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { createSpendLedger, type SpendAccount, type SpendLedger, type SpendLedgerOptions } from '../../src/ops/spend-ledger.js';

/**
 * The spend ledger's contract, the same for both stores (memory, and a real redis-server): holds are atomic, a hold
 * becomes what was billed, a charge counts once, a day ends at 00:00 UTC, and a hold nobody settles expires.
 */
let server: TestRedis;
const clients: Redis[] = [];
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await server.stop();
});

let accounts = 0;
const account = (dailyCapUsd: number | null = 0.1): SpendAccount => {
  accounts += 1;
  return { id: `n:test-${accounts}`, name: `test-${accounts}`, dailyCapUsd };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A ledger of the store under test, with a clock that `advance` moves (memory) or waits out (Redis holds). */
function ledgerOf(kind: 'memory' | 'redis', options: Omit<SpendLedgerOptions, 'redis'> = {}) {
  let offset = 0;
  const base = options.now ?? Date.now;
  const redis = kind === 'redis' ? new Redis(server.url) : undefined;
  if (redis) clients.push(redis);
  const ledger: SpendLedger = createSpendLedger({ ...options, redis, now: () => base() + offset });
  return {
    ledger,
    redis,
    setOffset: (ms: number) => (offset = ms),
    /** Lets `ms` pass for hold deadlines: Redis keeps them on its own clock. */
    async advance(ms: number) {
      if (kind === 'redis') await sleep(ms);
      else offset += ms;
    },
  };
}

describe.each(['memory', 'redis'] as const)('the %s ledger', (kind) => {
  it('100 concurrent holds of $0.02 on a $0.10 cap: exactly 5 are admitted; settling frees what was not billed', async () => {
    const { ledger } = ledgerOf(kind);
    const acme = account();
    const answers = await Promise.all(Array.from({ length: 100 }, () => ledger.reserve(acme, { minUsd: 0.02, maxUsd: 0.02 })));
    const holds = answers.flatMap((a) => (a.admitted ? [a.hold] : []));
    expect(holds).toHaveLength(5);
    const refused = answers.find((a) => !a.admitted);
    expect(refused).toMatchObject({ admitted: false, status: { spentUsd: 0, heldUsd: 0.1, remainingUsd: 0, capUsd: 0.1 } });
    expect(await ledger.status(acme)).toMatchObject({ spentUsd: 0, heldUsd: 0.1, remainingUsd: 0 });
    const after = await ledger.settle(holds[0]!, 0.01);
    expect(after).toMatchObject({ spentUsd: 0.01, heldUsd: 0.08 });
    expect(after?.remainingUsd).toBeCloseTo(0.01, 9);
    for (const hold of holds.slice(1)) await ledger.settle(hold, 0.02003);
    const status = await ledger.status(acme);
    expect(status.spentUsd).toBe(0.09012);
    expect(status.heldUsd).toBe(0);
  });

  it('an operation holds the most it may cost, or all that is left; it is admitted while its least fits', async () => {
    const { ledger } = ledgerOf(kind);
    const acme = account();
    const first = await ledger.reserve(acme, { minUsd: 0.02, maxUsd: 0.05 });
    expect(first).toMatchObject({ admitted: true, hold: { heldUsd: 0.05 } });
    const second = await ledger.reserve(acme, { minUsd: 0.04, maxUsd: 0.1 });
    expect(second).toMatchObject({ admitted: true, hold: { heldUsd: 0.05 } });
    expect(await ledger.reserve(acme, { minUsd: 0.02, maxUsd: 0.02 })).toMatchObject({ admitted: false });
    // Free operations run even with nothing left.
    expect(await ledger.reserve(acme, { minUsd: 0, maxUsd: 0 })).toMatchObject({ admitted: true, hold: { heldUsd: 0 } });
  });

  it('settling twice, or a late charge, counts what was billed once each', async () => {
    const { ledger } = ledgerOf(kind);
    const acme = account();
    const reservation = await ledger.reserve(acme, { minUsd: 0.02, maxUsd: 0.05 });
    if (!reservation.admitted) throw new Error('refused');
    await ledger.settle(reservation.hold, 0.02003);
    await ledger.settle(reservation.hold, 0.02003);
    await ledger.charge(reservation.hold, 0.02);
    await ledger.charge(reservation.hold, 0.02);
    expect((await ledger.status(acme)).spentUsd).toBe(0.06003);
  });

  it('an uncapped account is counted, never refused, without a hold', async () => {
    const { ledger } = ledgerOf(kind);
    const open = account(null);
    const reservation = await ledger.reserve(open, { minUsd: 1000, maxUsd: 5000 });
    if (!reservation.admitted) throw new Error('refused');
    expect(reservation.hold.heldUsd).toBe(0);
    expect(await ledger.settle(reservation.hold, 12.5)).toMatchObject({ spentUsd: 12.5, capUsd: null, remainingUsd: null, heldUsd: 0 });
  });

  it('a day ends at 00:00 UTC; a hold settled after midnight charges the day it held', async () => {
    const { ledger, setOffset } = ledgerOf(kind, { now: () => Date.parse('2026-11-01T23:59:59.000Z') });
    const acme = account();
    const reservation = await ledger.reserve(acme, { minUsd: 0.02, maxUsd: 0.05 });
    if (!reservation.admitted) throw new Error('refused');
    expect((await ledger.status(acme)).resetAt.toISOString()).toBe('2026-11-02T00:00:00.000Z');
    setOffset(2000);
    const today = await ledger.status(acme);
    expect(today).toMatchObject({ spentUsd: 0, heldUsd: 0, remainingUsd: 0.1 });
    expect(today.resetAt.toISOString()).toBe('2026-11-03T00:00:00.000Z');
    await ledger.settle(reservation.hold, 0.03);
    expect((await ledger.status(acme)).spentUsd).toBe(0);
    setOffset(0);
    expect(await ledger.status(acme)).toMatchObject({ spentUsd: 0.03, heldUsd: 0 });
  });

  it('a hold nobody settles (its replica died) stops counting after its TTL', async () => {
    const { ledger, advance } = ledgerOf(kind, { holdTtlMs: 300 });
    const acme = account();
    expect(await ledger.reserve(acme, { minUsd: 0.1, maxUsd: 0.1 })).toMatchObject({ admitted: true });
    expect(await ledger.reserve(acme, { minUsd: 0.02, maxUsd: 0.02 })).toMatchObject({ admitted: false });
    await advance(400);
    expect(await ledger.status(acme)).toMatchObject({ heldUsd: 0, remainingUsd: 0.1 });
    expect(await ledger.reserve(acme, { minUsd: 0.1, maxUsd: 0.1 })).toMatchObject({ admitted: true });
  });
});

describe('the Redis ledger when Redis fails', () => {
  it('a settle that timed out (Redis applied it later) and was retried is charged once', async () => {
    const errors: unknown[] = [];
    const { ledger } = ledgerOf('redis', { timeoutMs: 200, onError: (e) => errors.push(e) });
    const acme = account();
    const reservation = await ledger.reserve(acme, { minUsd: 0.02, maxUsd: 0.05 });
    if (!reservation.admitted) throw new Error('refused');
    const admin = new Redis(server.url);
    clients.push(admin);
    await admin.call('CLIENT', 'PAUSE', '600', 'ALL');
    // Timed out: kept in the process, while Redis still holds the command and runs it when the pause ends.
    expect(await ledger.settle(reservation.hold, 0.02003)).toBeUndefined();
    expect(errors.length).toBeGreaterThan(0);
    await sleep(700);
    const status = await ledger.status(acme);
    expect(status).toMatchObject({ spentUsd: 0.02003, heldUsd: 0 });
    expect(JSON.stringify(errors.map(String))).not.toContain('password');
  });

  it('without Redis, reserve and status throw SPEND_UNAVAILABLE (never an admission), and settle keeps the charge for later', async () => {
    const dead = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    dead.on('error', () => undefined);
    clients.push(dead);
    const ledger = createSpendLedger({ redis: dead, timeoutMs: 200 });
    const acme = account();
    await expect(ledger.reserve(acme, { minUsd: 0.02, maxUsd: 0.05 })).rejects.toMatchObject({ code: 'SPEND_UNAVAILABLE' });
    await expect(ledger.status(acme)).rejects.toMatchObject({ code: 'SPEND_UNAVAILABLE' });
    const open = await ledger.reserve(account(null), { minUsd: 0.02, maxUsd: 0.05 });
    if (!open.admitted) throw new Error('refused');
    await expect(ledger.settle(open.hold, 0.02)).resolves.toBeUndefined();
  });
});
