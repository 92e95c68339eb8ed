import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { startSandbox, useSandboxApp } from '../helpers/sandbox.js';

/**
 * Two ways around the budget found by the hostile review: retries of transient failures made more calls than the
 * operation's allowance (96 calls against a limit of 50), and a dry-run header the server did not understand
 * (`TRUE`, `1`, a repeated header) ran the operation and paid. Both are counted at the sandbox.
 */
const env = useSandboxApp({ maxConcurrency: 10_000, maxPerMinute: 10_000_000 }, 'dataforseo', { maxUpstreamCallsPerOperation: 5 });

describe('retries stay inside the operation’s allowance', () => {
  let failing: Awaited<ReturnType<typeof startSandbox>>;
  let app: ReturnType<typeof createTestApp>;
  beforeAll(async () => {
    failing = await startSandbox({
      faults: { targetCodes: Object.fromEntries(['f1', 'f2', 'f3', 'f4'].map((t) => [`${t}.example`, 50000])) },
    });
    app = createTestApp(failing.url, 'dataforseo', { maxUpstreamCallsPerOperation: 5, retry: { retries: 4 }, breaker: { volume: 1000 } });
  });
  afterAll(async () => {
    await app.close();
    await failing.sandbox.close();
  });

  it('4 summaries that keep failing (50000, retryable) make at most 5 calls, not 4 × 5', async () => {
    const before = failing.sandbox.stats().calls;
    const { body } = await app.execute('{ targets(targets: ["f1.example", "f2.example", "f3.example", "f4.example"]) { rank } }');
    const calls = failing.sandbox.stats().calls - before;
    expect(body.extensions.cost.estimatedUpstreamCalls).toBe(4);
    expect(calls).toBeLessThanOrEqual(5);
    expect(body.extensions.cost.upstreamCalls).toBe(calls);
    expect(body.errors?.every((e: { extensions: { code?: string } }) => e.extensions.code === 'UPSTREAM_UNAVAILABLE')).toBe(true);
  });
});

describe('a dry run that is not understood is refused, never run', () => {
  const query = '{ target(target: "dry.example") { rank } }';
  it.each([['TRUE'], ['True'], ['1'], ['yes'], ['true, true'], ['']])('x-dry-run: %j', async (value) => {
    const before = env.sandbox.stats().calls;
    const { status, body } = await env.app.execute(query, undefined, { 'x-dry-run': value });
    expect(env.sandbox.stats().calls - before).toBe(0);
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.extensions.code).toBe('BAD_REQUEST');
  });

  it.each([['"true"'], ['1'], ['null'], ['{}']])('extensions.dryRun: %s', async (value) => {
    const before = env.sandbox.stats().calls;
    const response = await env.app.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: `{"query":${JSON.stringify(query)},"extensions":{"dryRun":${value}}}`,
    });
    const body = (await response.json()) as { errors?: { extensions: { code: string } }[] };
    expect(env.sandbox.stats().calls - before).toBe(0);
    expect(body.errors?.[0]?.extensions.code).toBe('BAD_REQUEST');
  });

  it('x-dry-run: true and false still mean what they say', async () => {
    const before = env.sandbox.stats().calls;
    const dry = await env.app.execute(query, undefined, { 'x-dry-run': 'true' });
    expect(dry.body.extensions.cost.estimatedUpstreamCalls).toBe(1);
    expect(env.sandbox.stats().calls - before).toBe(0);
    const real = await env.app.execute(query, undefined, { 'x-dry-run': 'false' });
    expect(real.body.data.target.rank).toEqual(expect.any(Number));
    expect(env.sandbox.stats().calls - before).toBe(1);
  });
});
