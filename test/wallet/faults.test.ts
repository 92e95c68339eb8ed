import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { startSandbox } from '../helpers/sandbox.js';

/** Fault injection through the sandbox: transient failures are absorbed, permanent ones coded, outages fast. */

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

const OPERATIONS = [
  '{ target(target: "ahrefs.com") { rank backlinkCount referringDomains(first: 20) { totalCount nodes { domain rank asTarget { rank } } } } }',
  '{ domainIntersection(targets: ["backlinko.com", "ahrefs.com"], first: 30) { totalCount nodes { domain links { backlinkCount } } } }',
  '{ targets(targets: ["a.com", "b.com", "c.com", "d.com", "e.com"]) { rank referringMainDomainCount } }',
  '{ target(target: "moz.com") { referringDomains(last: 10) { totalCount nodes { domain } } } }',
];

describe('with 20 % transient failures (50000, 50401, HTTP 500, connection resets)', () => {
  it('every operation returns complete, correct data', async () => {
    const clean = await startSandbox();
    const baselineApp = createTestApp(clean.url);
    const baseline = await Promise.all(OPERATIONS.map((q) => baselineApp.execute(q)));
    await baselineApp.close();
    await clean.sandbox.close();

    const faulty = await startSandbox({ faults: { errorRate: 0.2, seed: 7 } });
    const app = createTestApp(faulty.url, 'dataforseo', { retry: { retries: 12, minDelayMs: 1, maxDelayMs: 20, deadlineMs: 30_000 } });
    let retries = 0;
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(OPERATIONS.map((q) => app.execute(q)));
      results.forEach((r, i) => {
        expect(r.body.errors, OPERATIONS[i]).toBeUndefined();
        expect(r.body.data).toEqual(baseline[i]?.body.data);
        retries += r.body.extensions.cost.retries;
      });
    }
    expect(faulty.sandbox.stats().faultsInjected).toBeGreaterThan(10);
    expect(retries).toBe(faulty.sandbox.stats().faultsInjected);
    await app.close();
    await faulty.sandbox.close();
  });
});

describe('with permanent failures', () => {
  it('each affected field gets its coded error, once, and the rest resolves', async () => {
    const { sandbox, url } = await startSandbox({
      faults: { targetCodes: { 'broken.com': 40501, 'broke.com': 40210, 'gone.com': 40404 } },
    });
    const app = createTestApp(url, 'dataforseo', { retry: { retries: 5, minDelayMs: 1 } });
    const { body } = await app.execute(
      '{ a: target(target: "broken.com") { rank } b: target(target: "broke.com") { rank } c: target(target: "gone.com") { rank } d: target(target: "fine.com") { rank } }',
    );
    expect(body.data.d.rank).toEqual(expect.any(Number));
    expect(
      Object.fromEntries((body.errors ?? []).map((e: { path: string[]; extensions: { code: string } }) => [e.path[0], e.extensions.code])),
    ).toEqual({
      a: 'UPSTREAM_BAD_REQUEST',
      b: 'UPSTREAM_PAYMENT',
      c: 'UPSTREAM_NOT_FOUND',
    });
    expect(sandbox.stats().calls).toBe(4);
    await app.close();
    await sandbox.close();
  });
});

describe('the breaker counts only what says the upstream is unhealthy', () => {
  it('bad tasks, account failures and throttling never open it, however many distinct targets fail', async () => {
    const codes = [40501, 40404, 40210, 40202, 40209];
    const targetCodes = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`t${i}.com`, codes[i % codes.length] ?? 40501]));
    const { sandbox, url } = await startSandbox({ faults: { targetCodes } });
    const app = createTestApp(url, 'dataforseo', { breaker: { volume: 5 } });
    for (let i = 0; i < 30; i++) {
      const { body } = await app.execute(`{ target(target: "t${i}.com") { rank } }`);
      expect(body.errors?.[0]?.extensions.code).toMatch(/^UPSTREAM_(BAD_REQUEST|NOT_FOUND|PAYMENT|RATE_LIMITED)$/);
    }
    expect(app.gateway.breakerState()).toBe('closed');
    const { body } = await app.execute('{ target(target: "fine.com") { rank } }');
    expect(body.errors).toBeUndefined();
    expect(sandbox.stats().calls).toBe(31);
    await app.close();
    await sandbox.close();
  });
});

describe('with the upstream down', () => {
  const down = createTestApp('http://127.0.0.1:9', 'dataforseo', {
    retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5 },
    breaker: { volume: 5, resetMs: 60_000 },
  });
  afterAll(() => down.close());

  it('fails with UPSTREAM_UNAVAILABLE, then fast: the breaker opens and no call is even attempted', async () => {
    // The breaker counts distinct targets, not calls: five targets (each tried four times) reach its volume of five.
    for (let i = 0; i < 5; i++) {
      const { body } = await down.execute(`{ target(target: "t${i}.com") { rank } }`);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    }
    expect(down.gateway.breakerState()).toBe('open');
    const { body } = await down.execute('{ target(target: "later.com") { rank } }');
    expect(body.errors?.[0]?.extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(body.extensions.cost.upstreamCalls).toBe(0);
  });

  it('keeps serving what needs no upstream', async () => {
    const { body } = await down.execute('{ target(target: "Example.com") { target id } }');
    expect(body.errors).toBeUndefined();
    expect(body.data.target.target).toBe('example.com');
  });

  it('does not grow in memory across 10 000 failing requests', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const burst = async (n: number) => {
      for (let i = 0; i < n; i += 100)
        await Promise.all(Array.from({ length: 100 }, (_, j) => down.execute(`{ target(target: "m${i + j}.com") { rank } }`)));
    };
    await burst(1000);
    gc();
    const before = process.memoryUsage().heapUsed;
    await burst(10_000);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(grown).toBeLessThan(16 * 1024 * 1024);
  });
});
