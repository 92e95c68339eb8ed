import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { startSandbox } from '../helpers/sandbox.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import type { SandboxOptions } from '../../src/sandbox/server.js';

/**
 * The breaker is shared by every client, so it must measure the upstream, not one client: a client that keeps
 * asking for a target the upstream fails on (under any spelling of the task) must not open it for everyone, nor
 * keep it open after a real outage ends. A real outage across many distinct targets still opens it.
 */

type TestApp = ReturnType<typeof createTestApp>;
const running: { sandbox: Sandbox; app: TestApp }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map(async (r) => (await r.app.close(), await r.sandbox.close())));
});

async function setUp(sandboxOptions: SandboxOptions, appOptions: Parameters<typeof createTestApp>[2]) {
  const { sandbox, url } = await startSandbox(sandboxOptions);
  const app = createTestApp(url, 'dataforseo', appOptions);
  running.push({ sandbox, app });
  return { sandbox, app };
}

const codesOf = (body: { errors?: { extensions: { code: string } }[] }) => (body.errors ?? []).map((e) => e.extensions.code);

/** Every way one client can spell "the same broken target" as a different upstream task. */
function hammering(i: number, target = 'broken.com'): string {
  switch (i % 4) {
    case 0:
      return `{ target(target: "${target}") { rank } }`;
    case 1:
      return `{ target(target: "${target}", options: { breakdownLimit: ${1 + (i % 50)} }) { rank } }`;
    case 2:
      return `{ target(target: "${target}") { referringDomains(first: ${1 + (i % 50)}) { nodes { domain } } } }`;
    default:
      return `{ domainIntersection(targets: ["${target}", "other${i}.com"], first: 5) { nodes { domain } } }`;
  }
}

describe('one client hammering a target the upstream fails on', () => {
  it('200 failing requests for one target (200 distinct tasks) do not open the breaker; another client is served', async () => {
    const { sandbox, app } = await setUp(
      { faults: { targetCodes: { 'broken.com': 50000 } } },
      { retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 } },
    );
    for (let round = 0; round < 10; round++) {
      const results = await Promise.all(Array.from({ length: 20 }, (_, j) => app.execute(hammering(round * 20 + j))));
      for (const { body } of results) expect(codesOf(body)).toEqual(['UPSTREAM_UNAVAILABLE']);
    }
    expect(app.gateway.breakerState()).toBe('closed');
    expect(sandbox.stats().requests).toBeGreaterThanOrEqual(200);

    const other = await app.execute('{ target(target: "healthy.com") { rank } }');
    expect(other.body.errors).toBeUndefined();
    expect(other.body.data.target.rank).toEqual(expect.any(Number));
  });

  it('a real outage across many distinct targets still opens it, and then calls are refused at no cost', async () => {
    const { sandbox, app } = await setUp(
      { faults: { errorRate: 1, errorKinds: ['50000', 'http500', 'reset'] } },
      { breaker: { resetMs: 60_000 } },
    );
    for (let i = 0; i < 10; i++) {
      const { body } = await app.execute(`{ target(target: "site${i}.com") { rank } }`);
      expect(codesOf(body)).toEqual(['UPSTREAM_UNAVAILABLE']);
    }
    expect(app.gateway.breakerState()).toBe('open');
    const before = sandbox.stats().requests;
    const { body } = await app.execute('{ target(target: "later.com") { rank } }');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    expect(body.extensions.cost.upstreamCalls).toBe(0);
    expect(sandbox.stats().requests).toBe(before);
  });

  it.each([
    { broken: ['broken.com'], label: 'its broken target' },
    { broken: ['broken1.com', 'broken2.com', 'broken3.com'], label: 'three broken targets' },
  ])('after a real outage, a client hammering $label cannot keep the breaker open for everyone', async ({ broken }) => {
    const resetMs = 300;
    const { sandbox, app } = await setUp({ faults: { errorRate: 1, errorKinds: ['http500'] } }, { breaker: { volume: 5, resetMs } });
    for (let i = 0; i < 5; i++) await app.execute(`{ target(target: "site${i}.com") { rank } }`);
    expect(app.gateway.breakerState()).toBe('open');
    // The outage ends; only the attacker's target is still failing.
    sandbox.setFaults({ targetCodes: Object.fromEntries(broken.map((t) => [t, 50000])) });
    const endedAt = Date.now();

    // The worst case, made deterministic: each time the breaker turns half-open, the attacker's requests (every
    // spelling of its broken target at once) reach it before the honest client's.
    let servedAt = 0;
    const seen = new Set<string>();
    for (let round = 0; servedAt === 0 && Date.now() < endedAt + 8 * resetMs + 2000; round++) {
      while (app.gateway.breakerState() === 'open') await new Promise((r) => setTimeout(r, 10));
      await Promise.all(broken.flatMap((target) => [0, 1, 2, 3].map((k) => app.execute(hammering(round * 4 + k, target)))));
      const { body } = await app.execute('{ target(target: "honest.com") { rank } }');
      if (!body.errors) servedAt = Date.now();
      for (const code of codesOf(body)) seen.add(code);
    }
    expect([...seen]).toEqual(seen.size > 0 ? ['UPSTREAM_UNAVAILABLE'] : []);
    expect(servedAt).toBeGreaterThan(0);
    // One failed probe per broken target at most, then the honest probe: a deadline, not a performance figure.
    expect(servedAt - endedAt).toBeLessThan((broken.length + 1) * resetMs + 1500);
    expect(app.gateway.breakerState()).toBe('closed');
  });
});
