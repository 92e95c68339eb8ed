import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/server.js';
import { createTestApp } from '../helpers/app.js';
import { startSandbox } from '../helpers/sandbox.js';

/** The shared cache and request coalescing, counted by the sandbox. */

let sandbox: Sandbox;
let url: string;
beforeAll(async () => ({ sandbox, url } = await startSandbox({ maxConcurrency: 1000 })));
afterAll(() => sandbox.close());
const apps: ReturnType<typeof createTestApp>[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  sandbox.setFaults({});
  sandbox.resetStats();
});
function app(options: Parameters<typeof createTestApp>[2] = {}) {
  const a = createTestApp(url, 'dataforseo', options);
  apps.push(a);
  return a;
}

const QUERY = '{ target(target: "backlinko.com") { rank backlinkCount } }';

describe('coalescing and the shared cache', () => {
  it('turns 100 identical concurrent operations into 1 upstream call', async () => {
    sandbox.setFaults({ latencyMs: 200 });
    const a = app({ cacheTtlMs: 60_000 });
    const results = await Promise.all(Array.from({ length: 100 }, () => a.execute(QUERY)));
    expect(results.every((r) => r.body.data.target.rank === results[0]?.body.data.target.rank)).toBe(true);
    expect(sandbox.stats().calls).toBe(1);
    const costs = results.map((r) => r.body.extensions.cost);
    expect(costs.filter((c) => c.upstreamCalls === 1)).toHaveLength(1);
    expect(costs.filter((c) => c.coalesced === 1)).toHaveLength(99);
  });

  it('coalesces even with the cache disabled', async () => {
    sandbox.setFaults({ latencyMs: 200 });
    const a = app({ cacheTtlMs: 0 });
    await Promise.all(Array.from({ length: 20 }, () => a.execute(QUERY)));
    expect(sandbox.stats().calls).toBe(1);
  });

  it('serves the same operation within the TTL from the cache, and calls again after it', async () => {
    const a = app({ cacheTtlMs: 400 });
    const first = await a.execute(QUERY);
    expect(first.body.extensions.cost).toMatchObject({ upstreamCalls: 1, cacheHits: 0 });
    const second = await a.execute(QUERY);
    expect(second.body.extensions.cost).toMatchObject({ upstreamCalls: 0, cacheHits: 1, upstreamCostUsd: 0 });
    expect(second.body.data).toEqual(first.body.data);
    expect(sandbox.stats().calls).toBe(1);
    await new Promise((r) => setTimeout(r, 500));
    const third = await a.execute(QUERY);
    expect(third.body.extensions.cost).toMatchObject({ upstreamCalls: 1, cacheHits: 0 });
    expect(sandbox.stats().calls).toBe(2);
  });

  it('never caches a failure: the next request calls again', async () => {
    sandbox.setFaults({ targetCodes: { 'backlinko.com': 50000 } });
    const a = app({ cacheTtlMs: 60_000 });
    const failed = await a.execute(QUERY);
    expect(failed.body.errors?.[0]?.extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    sandbox.setFaults({});
    const ok = await a.execute(QUERY);
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.extensions.cost).toMatchObject({ upstreamCalls: 1, cacheHits: 0 });
    expect(sandbox.stats().calls).toBe(2);
  });

  it('shares the cache key with the loaders: equal tasks spelt differently are one entry', async () => {
    const a = app({ cacheTtlMs: 60_000 });
    await a.execute('{ target(target: "https://WWW.backlinko.com") { rank } }');
    const again = await a.execute('{ target(target: "backlinko.com", options: { status: LIVE, breakdownLimit: 10 }) { backlinkCount } }');
    expect(again.body.extensions.cost).toMatchObject({ upstreamCalls: 0, cacheHits: 1 });
  });
});

describe('extensions.cost', () => {
  it('equals what the sandbox billed, call for call and cent for cent', async () => {
    const a = app();
    const operations = [
      '{ target(target: "ahrefs.com") { rank referringDomains(first: 100) { nodes { domain asTarget { rank } } } } }',
      '{ domainIntersection(targets: ["ahrefs.com", "moz.com"], first: 50) { nodes { domain } } }',
      '{ targets(targets: ["a.com", "b.com", "c.com"]) { rank } }',
      '{ target(target: "moz.com") { referringDomains(last: 7) { totalCount } } }',
    ];
    let calls = 0;
    let usd = 0;
    for (const query of operations) {
      const { body } = await a.execute(query);
      expect(body.errors).toBeUndefined();
      calls += body.extensions.cost.upstreamCalls;
      usd += body.extensions.cost.upstreamCostUsd;
      expect(body.extensions.cost.upstreamCalls).toBeLessThanOrEqual(body.extensions.cost.estimatedUpstreamCalls);
    }
    const stats = sandbox.stats();
    expect(calls).toBe(stats.calls);
    expect(usd).toBeCloseTo(stats.billedUsd, 6);
    expect(usd).toBeGreaterThan(0.3);
  });
});
