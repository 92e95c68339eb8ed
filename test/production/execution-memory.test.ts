import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { VALUES_PER_CALL } from '../../src/http/plugins/execution-memory.js';
import { SECURITY_DEFAULTS } from '../../src/ops/config.js';
import { createMockUpstream, envelopeError, okEnvelope, referringDomainsResult, summaryResult } from '../helpers/mock-upstream.js';

/**
 * The execution memory ceiling (EXECUTION_MAX_VALUES): operations weigh their estimated values plus VALUES_PER_CALL per
 * upstream call, wait in arrival order for room, and are refused with 503 SERVER_BUSY when too many wait or one waited
 * too long — before any upstream call. Proven by counting: calls at the upstream double, its highest concurrency, and
 * the ceiling's own gauges, which must be back to 0 however each operation ended.
 *
 * The ceiling here is 1 500 values (below what EXECUTION_MAX_VALUES may be set to, so that the cases stay small): one
 * summary (a few values + 1 000 for its call) fits, two do not, so summaries run one at a time.
 */
const upstream = await createMockUpstream();
const KEY = 'key-memory-0123456789abcdef';
const ceiling = { executionMaxValues: 1_500, executionMaxQueue: 2, executionQueueTimeoutMs: 2_000 };
const app = createTestApp(upstream.url, 'dataforseo', { metrics: true, security: ceiling });
const keyed = createTestApp(upstream.url, 'dataforseo', {
  metrics: true,
  security: { ...ceiling, apiKeys: [{ key: KEY, name: 'capped', dailyCapUsd: 5 }] },
});
const timed = createTestApp(upstream.url, 'dataforseo', { metrics: true, security: { ...ceiling, executionQueueTimeoutMs: 100 } });
afterEach(() => {
  try {
    upstream.assertDone();
  } finally {
    upstream.reset();
  }
});
afterAll(async () => {
  await Promise.all([app.close(), keyed.close(), timed.close()]);
  await upstream.close();
});

type TestApp = typeof app;

/**
 * The ceiling's gauges, as /metrics reports them. Read after the check phase of the event loop: an operation gives
 * its room back once its result is serialised (setImmediate), which in process may be after its response was read.
 */
async function gauges(of: TestApp): Promise<{ inFlight: number; queued: number; refused: Record<string, number> }> {
  await new Promise((r) => setImmediate(r));
  const registry = of.metrics?.registry;
  if (!registry) throw new Error('metrics are off');
  const value = async (name: string) => (await registry.getSingleMetric(name)?.get())?.values ?? [];
  const refused: Record<string, number> = {};
  for (const v of await value('backlinks_execution_refused_total')) refused[String(v.labels.reason)] = v.value;
  return {
    inFlight: (await value('backlinks_execution_values_in_flight'))[0]?.value ?? NaN,
    queued: (await value('backlinks_execution_queued'))[0]?.value ?? NaN,
    refused,
  };
}

/** Resolves once `n` operations wait for room. */
async function untilQueued(of: TestApp, n: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if ((await gauges(of)).queued === n) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`never ${n} queued`);
}

const summary = (target: string) => `{ target(target: "${target}") { rank backlinkCount } }`;
const expectSummary = (times: number, delayMs = 0) =>
  upstream.expect({ endpoint: 'summary', times, delayMs, reply: (task) => okEnvelope('summary', summaryResult(String(task.target))) });

describe('the execution memory ceiling', () => {
  it('runs operations that do not fit together one after another, in the order they arrived, every one answered', async () => {
    expectSummary(3, 100);
    const answers: Promise<Awaited<ReturnType<TestApp['execute']>>>[] = [];
    for (const [i, target] of ['first.com', 'second.com', 'third.com'].entries()) {
      answers.push(app.execute(summary(target)));
      // Each one sent once the one before it is running or waiting: arrival order is known.
      if (i === 0) {
        for (let t = 0; t < 500 && upstream.calls.length === 0; t++) await new Promise((r) => setTimeout(r, 5));
      } else await untilQueued(app, i);
    }
    const done = await Promise.all(answers);
    for (const { status, body } of done) {
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
    }
    expect(upstream.maxConcurrent).toBe(1);
    expect(upstream.calls.map((c) => c.task.target)).toEqual(['first.com', 'second.com', 'third.com']);
    expect(await gauges(app)).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('refuses with 503 SERVER_BUSY (queue_full) and Retry-After when EXECUTION_MAX_QUEUE already wait: no call for it', async () => {
    expectSummary(3, 150);
    const running = app.execute(summary('running.com'));
    for (let t = 0; t < 500 && upstream.calls.length === 0; t++) await new Promise((r) => setTimeout(r, 5));
    const waiting = [app.execute(summary('wait1.com')), app.execute(summary('wait2.com'))];
    await untilQueued(app, 2);
    const response = await app.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: summary('refused.com') }),
    });
    const body = (await response.json()) as { data?: unknown; errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(body.data).toBeUndefined();
    expect(body.errors[0]?.extensions).toMatchObject({ code: 'SERVER_BUSY', reason: 'queue_full', retryable: true });
    expect(body.errors[0]?.message).toContain('EXECUTION_MAX_QUEUE');
    for (const { status } of await Promise.all([running, ...waiting])) expect(status).toBe(200);
    expect(upstream.calls.map((c) => c.task.target)).not.toContain('refused.com');
    expect(await gauges(app)).toMatchObject({ inFlight: 0, queued: 0 });
    expect((await gauges(app)).refused.queue_full).toBeGreaterThanOrEqual(1);
  });

  it('refuses with SERVER_BUSY (queue_timeout) an operation that waited EXECUTION_QUEUE_TIMEOUT_MS: no call for it', async () => {
    expectSummary(1, 400);
    const running = timed.execute(summary('slow.com'));
    for (let t = 0; t < 500 && upstream.calls.length === 0; t++) await new Promise((r) => setTimeout(r, 5));
    const { status, body } = await timed.execute(summary('late.com'));
    expect(status).toBe(503);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'SERVER_BUSY', reason: 'queue_timeout' });
    expect(body.errors?.[0]?.message).toContain('EXECUTION_QUEUE_TIMEOUT_MS');
    expect((await running).status).toBe(200);
    expect(upstream.calls).toHaveLength(1);
    expect(await gauges(timed)).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('gives the room back after an upstream failure, a bad variable and a missing one', async () => {
    upstream.expect({ endpoint: 'summary', status: 500, reply: envelopeError(50000, 'Internal error.') });
    const failed = await app.execute(summary('fails.com'));
    expect(failed.body.errors?.[0]?.extensions?.code).toBeDefined();
    const query = 'query($t: String!) { target(target: $t) { rank } }';
    for (const variables of [{}, { t: null }, { t: 7 }, { t: 'not a domain' }]) {
      const { body } = await app.execute(query, variables);
      expect(body.errors?.length).toBeGreaterThan(0);
    }
    expect(upstream.calls).toHaveLength(1);
    expect(await gauges(app)).toMatchObject({ inFlight: 0, queued: 0 });
    expectSummary(1);
    expect((await app.execute(summary('after.com'))).status).toBe(200);
  });

  it('a dry run is answered at once while the ceiling is full: it runs nothing, so it waits for nothing', async () => {
    expectSummary(1, 300);
    const running = app.execute(summary('busy.com'));
    for (let t = 0; t < 500 && upstream.calls.length === 0; t++) await new Promise((r) => setTimeout(r, 5));
    const dry = await app.execute(summary('dry.com'), undefined, { 'x-dry-run': 'true' });
    expect(dry.body.extensions.dryRun).toBe(true);
    expect((await gauges(app)).inFlight).toBeGreaterThan(0);
    await running;
    expect(upstream.calls).toHaveLength(1);
  });

  it('an operation heavier than the whole ceiling (aliases multiply a page) runs alone, then the others', async () => {
    upstream.expect({
      endpoint: 'referring_domains',
      delayMs: 100,
      reply: (task) => okEnvelope('referring_domains', referringDomainsResult(task, 5000)),
    });
    expectSummary(1);
    const aliases = Array.from(
      { length: 3 },
      (_, i) => `p${i}: referringDomains(first: 1000) { nodes { domain rank backlinkCount } }`,
    ).join(' ');
    const heavy = app.execute(`{ target(target: "heavy.com") { ${aliases} } }`);
    for (let t = 0; t < 500 && upstream.calls.length === 0; t++) await new Promise((r) => setTimeout(r, 5));
    const light = app.execute(summary('light.com'));
    await untilQueued(app, 1);
    const [h, l] = await Promise.all([heavy, light]);
    expect(h.body.errors).toBeUndefined();
    expect(h.body.data.target.p2.nodes).toHaveLength(1000);
    expect(l.status).toBe(200);
    expect(upstream.maxConcurrent).toBe(1);
    expect(upstream.calls.map((c) => c.endpoint)).toEqual(['referring_domains', 'summary']);
    expect(await gauges(app)).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('a request cancelled while it waited is not run, and gives its place back', async () => {
    expectSummary(1, 200);
    const running = app.execute(summary('keeps.com'));
    for (let t = 0; t < 500 && upstream.calls.length === 0; t++) await new Promise((r) => setTimeout(r, 5));
    const controller = new AbortController();
    const cancelled = Promise.resolve(
      app.yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: summary('cancelled.com') }),
        signal: controller.signal,
      }),
    ).then(
      (r) => r.text(),
      () => 'aborted',
    );
    await untilQueued(app, 1);
    controller.abort();
    await cancelled;
    await running;
    for (let t = 0; t < 100 && (await gauges(app)).inFlight !== 0; t++) await new Promise((r) => setTimeout(r, 5));
    expect(upstream.calls.map((c) => c.task.target)).toEqual(['keeps.com']);
    expect(await gauges(app)).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('@stream holds its room until the last part, and gives it back when the client stops reading', async () => {
    // s4 answers late: while its part is pending, the operation still holds its room.
    upstream.expect({
      endpoint: 'summary',
      match: (t) => t.target === 's4.com',
      delayMs: 300,
      reply: okEnvelope('summary', summaryResult('s4.com')),
    });
    expectSummary(3);
    const query = `{ targets(targets: ["s1.com", "s2.com"]) @stream(initialCount: 1) { target rank } }`;
    const headers = { 'content-type': 'application/json', accept: 'multipart/mixed' };
    const whole = await app.yoga.fetch('http://yoga/graphql', { method: 'POST', headers, body: JSON.stringify({ query }) });
    expect(whole.headers.get('content-type')).toContain('multipart/mixed');
    expect(await whole.text()).toContain('s2.com');
    expect(await gauges(app)).toMatchObject({ inFlight: 0, queued: 0 });
    // Read the first part only, then cancel the body.
    const partial = await app.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: query.replaceAll('s1', 's3').replaceAll('s2', 's4') }),
    });
    const reader = partial.body?.getReader();
    await reader?.read();
    expect((await gauges(app)).inFlight).toBeGreaterThan(0);
    await reader?.cancel();
    for (let t = 0; t < 200 && upstream.calls.length < 4; t++) await new Promise((r) => setTimeout(r, 5));
    for (let t = 0; t < 200 && (await gauges(app)).inFlight !== 0; t++) await new Promise((r) => setTimeout(r, 5));
    expect(await gauges(app)).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('200 concurrent 1000-item pages under the default ceiling: all answered, a few at a time', { timeout: 60_000 }, async () => {
    const defaults = createTestApp(upstream.url, 'dataforseo', { metrics: true });
    try {
      upstream.expect({
        endpoint: 'referring_domains',
        times: 200,
        delayMs: 50,
        reply: (task) => okEnvelope('referring_domains', referringDomainsResult(task, 5000)),
      });
      const page = (i: number) =>
        `{ target(target: "page${i}.com") { referringDomains(first: 1000) { nodes { domain rank backlinkCount firstSeen breakdown { tlds { key count } } } } } }`;
      const done = await Promise.all(Array.from({ length: 200 }, (_, i) => defaults.execute(page(i))));
      expect(
        done.filter((d) => d.status === 200 && !d.body.errors && d.body.data.target.referringDomains.nodes.length === 1000),
      ).toHaveLength(200);
      expect(upstream.calls).toHaveLength(200);
      // Each page weighs its estimate (27 002 values) plus VALUES_PER_CALL: 42 fit under the default 1 200 000 at once.
      const fit = Math.floor(SECURITY_DEFAULTS.executionMaxValues / (27_002 + VALUES_PER_CALL));
      expect(fit).toBe(42);
      expect(upstream.maxConcurrent).toBeGreaterThan(1);
      expect(upstream.maxConcurrent).toBeLessThanOrEqual(fit);
      expect(await gauges(defaults)).toMatchObject({ inFlight: 0, queued: 0 });
    } finally {
      await defaults.close();
    }
  });

  it("a refusal settles a capped key's hold: nothing stays held, nothing is spent", async () => {
    expectSummary(3, 200);
    const headers = { 'x-api-key': KEY };
    const before = (await keyed.execute('{ spend { spentUsd } }', undefined, headers)).body.data.spend.spentUsd as number;
    const running = keyed.execute(summary('k1.com'), undefined, headers);
    for (let t = 0; t < 500 && upstream.calls.length === 0; t++) await new Promise((r) => setTimeout(r, 5));
    const waiting = [keyed.execute(summary('k2.com'), undefined, headers), keyed.execute(summary('k3.com'), undefined, headers)];
    await untilQueued(keyed, 2);
    const refused = await keyed.execute(summary('k4.com'), undefined, headers);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('SERVER_BUSY');
    const done = await Promise.all([running, ...waiting]);
    expect(done.map((d) => d.status)).toEqual([200, 200, 200]);
    const { body } = await keyed.execute('{ spend { spentUsd heldUsd } }', undefined, headers);
    expect(body.data.spend.heldUsd).toBe(0);
    // Three summaries billed; the refused one nothing.
    expect(body.data.spend.spentUsd - before).toBeCloseTo(3 * (0.02 + 0.00003), 6);
  });
});
