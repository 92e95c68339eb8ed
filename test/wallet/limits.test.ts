import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, useMockUpstreamApp } from '../helpers/app.js';
import { envelopeError, okEnvelope, summaryResult, taskErrorEnvelope } from '../helpers/mock-upstream.js';
import { startSandbox } from '../helpers/sandbox.js';
import type { Sandbox } from '../../src/sandbox/server.js';

const running: { sandbox: Sandbox; app: ReturnType<typeof createTestApp> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map(async (r) => (await r.app.close(), await r.sandbox.close())));
});
async function setUp(sandboxOptions: Parameters<typeof startSandbox>[0], appOptions: Parameters<typeof createTestApp>[2]) {
  const { sandbox, url } = await startSandbox(sandboxOptions);
  const app = createTestApp(url, 'dataforseo', appOptions);
  running.push({ sandbox, app });
  return { sandbox, app };
}

describe('the scheduler keeps the upstream within its limits', () => {
  it('500 concurrent fanning-out operations: the sandbox never sees more than its limits, no client sees 40209/40202', async () => {
    const limits = { maxConcurrency: 30, maxPerWindow: 300, windowMs: 1000 };
    const { sandbox, app } = await setUp(
      { maxConcurrency: 30, maxPerMinute: 300, windowMs: 1000, faults: { latencyMs: { min: 5, max: 30 } } },
      { limits },
    );
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        app.execute('query($t: [String!]!) { targets(targets: $t) { rank } }', {
          t: [`load${i}.com`, `load${i + 1}.com`, `load${i + 2}.com`],
        }),
      ),
    );
    const codes = results.flatMap((r) => (r.body.errors ?? []).map((e: { extensions: { code: string } }) => e.extensions.code));
    expect(codes).toEqual([]);
    const stats = sandbox.stats();
    expect(stats.calls).toBe(502); // distinct targets: load0 … load501
    expect(stats.maxInFlight).toBeLessThanOrEqual(30);
    expect(stats.maxPerMinute).toBeLessThanOrEqual(300);
    expect(stats.rejectedConcurrency + stats.rejectedPerMinute).toBe(0);
  });

  it('refuses with UPSTREAM_BUSY, at no cost, a call that cannot get a slot in time', async () => {
    const { app } = await setUp({ faults: { latencyMs: 400 } }, { limits: { maxConcurrency: 1, queueTimeoutMs: 100 } });
    const [slow, waiting] = await Promise.all([
      app.execute('{ target(target: "a.com") { rank } }'),
      app.execute('{ target(target: "b.com") { rank } }'),
    ]);
    expect(slow.body.errors).toBeUndefined();
    expect(waiting.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_BUSY', retryable: true });
    expect(waiting.body.extensions.cost.upstreamCalls).toBe(0);
  });

  it('drops queued work nobody awaits any more when the client goes away', async () => {
    const { sandbox, app } = await setUp({ faults: { latencyMs: 300 } }, { limits: { maxConcurrency: 1 } });
    const first = app.execute('{ target(target: "a.com") { rank } }');
    const controller = new AbortController();
    const abandoned = Promise.resolve(
      app.yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ target(target: "b.com") { rank } }' }),
        signal: controller.signal,
      }),
    );
    setTimeout(() => controller.abort(), 50);
    await expect(abandoned.then((r: Response) => r.text())).rejects.toThrow();
    await first;
    await new Promise((r) => setTimeout(r, 400));
    expect(sandbox.stats().callsByEndpoint).toEqual({ summary: 1 });
  });
});

describe('retries', () => {
  const env = useMockUpstreamApp();

  it('never retries a permanent failure', async () => {
    const app = createTestApp(env.upstream.url, 'dataforseo', { retry: { retries: 5 } });
    env.upstream.expect({ endpoint: 'summary', reply: taskErrorEnvelope('summary', 40501) });
    const { body } = await app.execute('{ target(target: "a.com") { rank } }');
    await app.close();
    expect(body.errors?.[0]?.extensions.code).toBe('UPSTREAM_BAD_REQUEST');
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 1, retries: 0 });
  });

  it('retries a transient failure and succeeds, counting the retry', async () => {
    const app = createTestApp(env.upstream.url, 'dataforseo', { retry: { retries: 3 } });
    env.upstream.expect({ endpoint: 'summary', reply: taskErrorEnvelope('summary', 50000) });
    env.upstream.expect({ endpoint: 'summary', status: 502, reply: { oops: true } });
    env.upstream.expect({ endpoint: 'summary', reply: okEnvelope('summary', summaryResult('a.com', { rank: 9 })) });
    const { body } = await app.execute('{ target(target: "a.com") { rank } }');
    await app.close();
    expect(body.data.target.rank).toBe(9);
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 3, retries: 2 });
  });

  it('honours AIsa’s Retry-After', async () => {
    const app = createTestApp(env.upstream.url, 'aisa', { retry: { retries: 2, minDelayMs: 1 } });
    env.upstream.expect({
      endpoint: 'summary',
      status: 429,
      headers: { 'retry-after': '1' },
      reply: { error: { type: 'rate_limit_error', message: 'slow down' } },
    });
    env.upstream.expect({ endpoint: 'summary', reply: okEnvelope('summary', summaryResult('a.com')) });
    const started = Date.now();
    const { body } = await app.execute('{ target(target: "a.com") { rank } }');
    await app.close();
    expect(body.errors).toBeUndefined();
    // A lower bound on a behaviour (the wait the upstream asked for), not a performance figure.
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('slows down on 40209: fewer calls at once, recovered one step per success', async () => {
    const app = createTestApp(env.upstream.url, 'dataforseo', {
      retry: { retries: 2, rateLimitPauseMs: 50 },
      limits: { maxConcurrency: 10 },
    });
    env.upstream.expect({ endpoint: 'summary', reply: envelopeError(40209) });
    env.upstream.expect({ endpoint: 'summary', reply: okEnvelope('summary', summaryResult('a.com')) });
    const { body } = await app.execute('{ target(target: "a.com") { rank } }');
    expect(body.errors).toBeUndefined();
    expect(app.scheduler.state().concurrency).toBe(9);
    await app.close();
  });

  it('waits out a 40202 and succeeds', async () => {
    const app = createTestApp(env.upstream.url, 'dataforseo', { retry: { retries: 2, rateLimitPauseMs: 100 } });
    env.upstream.expect({ endpoint: 'summary', reply: envelopeError(40202) });
    env.upstream.expect({ endpoint: 'summary', reply: okEnvelope('summary', summaryResult('a.com')) });
    const { body } = await app.execute('{ target(target: "a.com") { rank } }');
    await app.close();
    expect(body.errors).toBeUndefined();
    expect(body.extensions.cost.retries).toBe(1);
  });
});
