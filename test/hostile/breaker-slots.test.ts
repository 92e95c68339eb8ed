import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { startSandbox } from '../helpers/sandbox.js';
import type { Sandbox } from '../../src/sandbox/server.js';

/**
 * While the breaker is open, refused calls must not take a slot of the scheduler (rate window or concurrency):
 * otherwise the refusals of an outage fill the per-minute window and the server answers UPSTREAM_BUSY long after
 * the upstream is back. Counted at the sandbox: a refused call never reaches it.
 */

type TestApp = ReturnType<typeof createTestApp>;
const running: { sandbox: Sandbox; app: TestApp }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map(async (r) => (await r.app.close(), await r.sandbox.close())));
});

async function setUp(appOptions: Parameters<typeof createTestApp>[2]) {
  const { sandbox, url } = await startSandbox();
  const app = createTestApp(url, 'dataforseo', appOptions);
  running.push({ sandbox, app });
  return { sandbox, app };
}

const codesOf = (body: { errors?: { extensions: { code: string } }[] }) => (body.errors ?? []).map((e) => e.extensions.code);

/** Makes the breaker open: the upstream fails every call, for `n` distinct targets. */
async function outage(sandbox: Sandbox, app: TestApp, n: number) {
  sandbox.setFaults({ errorRate: 1, errorKinds: ['http500'] });
  for (let i = 0; i < n; i++) {
    const { body } = await app.execute(`{ target(target: "down${i}.com") { rank } }`);
    expect(codesOf(body)).toEqual(['UPSTREAM_UNAVAILABLE']);
  }
  expect(app.gateway.breakerState()).toBe('open');
  return Date.now();
}

describe('refusals while the breaker is open', () => {
  it('take no slot of the per-minute window: after the outage the next request succeeds within the reset time, never UPSTREAM_BUSY', async () => {
    const resetMs = 2000;
    // 5 calls of the outage + 1 probe fit the window; one refusal more in it would leave no slot for the probe.
    const { sandbox, app } = await setUp({
      limits: { maxPerWindow: 6, windowMs: 60_000, queueTimeoutMs: 300 },
      breaker: { volume: 5, resetMs },
    });
    const openedAt = await outage(sandbox, app, 5);

    const refused = await Promise.all(Array.from({ length: 100 }, (_, i) => app.execute(`{ target(target: "r${i}.com") { rank } }`)));
    for (const { body } of refused) {
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
      expect(body.extensions.cost).toMatchObject({ upstreamCalls: 0, upstreamCostUsd: 0, retries: 0 });
    }
    expect(sandbox.stats().requests).toBe(5);
    expect(app.scheduler.state()).toMatchObject({ queued: 0, inFlight: 0 });

    sandbox.setFaults({});
    const seen: string[] = [];
    let succeededAt = 0;
    while (Date.now() < openedAt + resetMs + 3000) {
      const { body } = await app.execute('{ target(target: "back.com") { rank } }');
      const codes = codesOf(body);
      if (codes.length === 0) {
        succeededAt = Date.now();
        break;
      }
      seen.push(...codes);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect([...new Set(seen)]).toEqual(seen.length > 0 ? ['UPSTREAM_UNAVAILABLE'] : []);
    expect(succeededAt).toBeGreaterThan(0);
    // A deadline the issue asks for (reset time + slack for a loaded machine), not a performance figure.
    expect(succeededAt - openedAt).toBeLessThan(resetMs + 1500);
    expect(sandbox.stats().requests).toBe(6);
    expect(app.gateway.breakerState()).toBe('closed');
  });

  it('wait for no concurrency slot: half-open lets exactly one probe through and refuses the rest at once', async () => {
    const resetMs = 300;
    const { sandbox, app } = await setUp({ limits: { maxConcurrency: 1 }, breaker: { volume: 3, resetMs } });
    await outage(sandbox, app, 3);
    sandbox.setFaults({ latencyMs: 400 });
    await new Promise((r) => setTimeout(r, resetMs + 50));
    expect(app.gateway.breakerState()).toBe('half-open');

    // Each answer notes in which order it came back.
    let answered = 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        app.execute(`{ target(target: "p${i}.com") { rank } }`).then((r) => ({ ...r, order: answered++ })),
      ),
    );
    const ok = results.filter((r) => codesOf(r.body).length === 0);
    const refused = results.filter((r) => codesOf(r.body).length > 0);
    expect(ok).toHaveLength(1);
    expect(ok[0]?.body.extensions.cost.upstreamCalls).toBe(1);
    expect(refused).toHaveLength(9);
    for (const r of refused) {
      expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
      expect(r.body.extensions.cost.upstreamCalls).toBe(0);
    }
    // Every refusal came back before the probe that held the only slot: none queued behind it.
    expect(ok[0]?.order).toBe(9);
    expect(sandbox.stats().requests).toBe(3 + 1);
    expect(app.gateway.breakerState()).toBe('closed');
  });

  it('calls already waiting for a slot when the breaker opens are dropped without taking one', async () => {
    const resetMs = 1500;
    // One call at a time; the window holds the 3 failures and the probe: one refusal in it would leave none.
    const { sandbox, app } = await setUp({
      limits: { maxConcurrency: 1, maxPerWindow: 4, windowMs: 60_000, queueTimeoutMs: 300 },
      breaker: { volume: 3, resetMs },
    });
    sandbox.setFaults({ errorRate: 1, errorKinds: ['http500'], latencyMs: 50 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => app.execute(`{ target(target: "q${i}.com") { rank } }`)));
    for (const { body } of results) expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    expect(results.reduce((n, r) => n + r.body.extensions.cost.upstreamCalls, 0)).toBe(3);
    expect(sandbox.stats().requests).toBe(3);
    expect(app.scheduler.state()).toMatchObject({ queued: 0, inFlight: 0 });

    sandbox.setFaults({});
    await new Promise((r) => setTimeout(r, resetMs + 50));
    const { body } = await app.execute('{ target(target: "back.com") { rank } }');
    expect(body.errors).toBeUndefined();
    expect(sandbox.stats().requests).toBe(4);
  });

  it('a retry refused by the breaker is no retry and no call in the cost meter', async () => {
    const { sandbox, app } = await setUp({ retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5 }, breaker: { volume: 1, resetMs: 60_000 } });
    sandbox.setFaults({ errorRate: 1, errorKinds: ['http500'] });
    const { body } = await app.execute('{ target(target: "once.com") { rank } }');
    expect(codesOf(body)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(app.gateway.breakerState()).toBe('open');
    expect(sandbox.stats().requests).toBe(1);
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 1, retries: 0 });
  });
});
