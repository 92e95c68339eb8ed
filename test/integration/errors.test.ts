import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_API_KEY, TEST_LOGIN, TEST_PASSWORD } from '../helpers/app.js';
import {
  createMockUpstream,
  envelopeError,
  okEnvelope,
  summaryResult,
  taskErrorEnvelope,
  type MockUpstream,
} from '../helpers/mock-upstream.js';

let upstream: MockUpstream;
const apps: Record<'dataforseo' | 'aisa', ReturnType<typeof createTestApp>> = {} as never;

beforeAll(async () => {
  upstream = await createMockUpstream();
  apps.dataforseo = createTestApp(upstream.url, 'dataforseo');
  apps.aisa = createTestApp(upstream.url, 'aisa');
});
afterEach(() => {
  upstream.assertDone();
  upstream.reset();
});
afterAll(async () => {
  await apps.dataforseo.close();
  await apps.aisa.close();
  await upstream.close();
});

const SECRETS = [TEST_LOGIN, TEST_PASSWORD, TEST_API_KEY, Buffer.from(`${TEST_LOGIN}:${TEST_PASSWORD}`).toString('base64')];
const RAW_BODY_MARKER = 'raw-upstream-body-marker';

const QUERY = `{ ok: target(target: "good.com") { rank } bad: target(target: "bad.com") { rank backlinkCount } }`;

function expectGood() {
  upstream.expect({
    endpoint: 'summary',
    match: (t) => t.target === 'good.com',
    reply: okEnvelope('summary', summaryResult('good.com', { rank: 321 })),
  });
}

describe.each(['dataforseo', 'aisa'] as const)('upstream failures through the %s wire', (wire) => {
  it.each([
    [
      'a task error (40501)',
      { reply: taskErrorEnvelope('summary', 40501, `Invalid Field: 'target'. ${RAW_BODY_MARKER}`) },
      'UPSTREAM_BAD_REQUEST',
      40501,
      false,
    ],
    [
      'an envelope error (40100)',
      { reply: envelopeError(40100, `Not authorized ${RAW_BODY_MARKER}`), status: 401 },
      'UPSTREAM_AUTH',
      40100,
      false,
    ],
    ['an HTTP 500', { reply: { error: { message: RAW_BODY_MARKER } }, status: 500 }, 'UPSTREAM_UNAVAILABLE', undefined, true],
    ['a rate limit (40202)', { reply: envelopeError(40202, RAW_BODY_MARKER) }, 'UPSTREAM_RATE_LIMITED', 40202, true],
    ['insufficient funds (40210)', { reply: taskErrorEnvelope('summary', 40210, RAW_BODY_MARKER) }, 'UPSTREAM_PAYMENT', 40210, false],
  ])('maps %s to its code on the failing field, and the rest resolves', async (_name, failure, code, statusCode, retryable) => {
    expectGood();
    upstream.expect({ endpoint: 'summary', match: (t) => t.target === 'bad.com', ...failure });
    const { status, text, body } = await apps[wire].execute(QUERY);
    expect(status).toBe(200);
    expect(body.data.ok).toEqual({ rank: 321 });
    expect(body.data.bad).toEqual({ rank: null, backlinkCount: null });
    // One failed task, one error: `path` is the first field it nulled, `extensions.paths` every one of them.
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions.paths).toEqual([
      ['bad', 'rank'],
      ['bad', 'backlinkCount'],
    ]);
    for (const error of body.errors ?? []) {
      expect(error.path[0]).toBe('bad');
      expect(error.extensions.code).toBe(code);
      expect(error.extensions.retryable).toBe(retryable);
      if (statusCode !== undefined) expect(error.extensions.upstreamStatusCode).toBe(statusCode);
    }
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).not.toContain(RAW_BODY_MARKER);
    expect(text).not.toContain(upstream.url);
    expect(text).not.toMatch(/at .*\.ts:\d+/);
  });
});

it('maps an unreachable upstream to UPSTREAM_UNAVAILABLE without leaking its address', async () => {
  const down = createTestApp('http://127.0.0.1:9', 'dataforseo');
  const { text, body } = await down.execute('{ target(target: "x.com") { rank } }');
  await down.close();
  expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
  expect(text).not.toContain('127.0.0.1:9');
  for (const secret of SECRETS) expect(text).not.toContain(secret);
});

it('nothing listening: one retry, not four; no call counted (attempts apart); one error for the failed task', async () => {
  const down = createTestApp('http://127.0.0.1:9', 'dataforseo', { retry: { retries: 4, minDelayMs: 5, maxDelayMs: 50 } });
  const { body } = await down.execute('{ target(target: "x.com") { rank backlinkCount info { server } } }');
  await down.close();
  expect(body.extensions.cost).toMatchObject({ upstreamCalls: 0, attempts: 2, retries: 1, upstreamCostUsd: 0 });
  expect(body.errors).toHaveLength(1);
  expect(body.errors?.[0]?.extensions).toMatchObject({
    code: 'UPSTREAM_UNAVAILABLE',
    paths: [
      ['target', 'rank'],
      ['target', 'backlinkCount'],
      ['target', 'info'],
    ],
  });
});

it('refuses an invalid target with BAD_USER_INPUT, no upstream call, and siblings still resolve', async () => {
  expectGood();
  const { body } = await apps.dataforseo.execute(
    '{ ok: target(target: "good.com") { rank } bad: target(target: "not a domain") { rank } }',
  );
  expect(body.data).toEqual({ ok: { rank: 321 }, bad: null });
  expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'target', value: 'not a domain' });
  expect(upstream.calls).toHaveLength(1);
});
