import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBacklinksClient, UpstreamError, type BacklinksClient } from '../../src/dataforseo/index.js';
import { createAisaProvider, createDataForSeoProvider } from '../../src/dataforseo/providers.js';
import { envelopeError, okEnvelope, taskErrorEnvelope } from '../helpers/mock-upstream.js';

const ORIGIN = 'https://api.dataforseo.test';
let agent: MockAgent;
let dataforseo: BacklinksClient;
let aisa: BacklinksClient;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  dataforseo = createBacklinksClient({
    provider: createDataForSeoProvider({ baseUrl: ORIGIN, login: 'me@example.com', password: 'pa:ss' }),
    dispatcher: agent,
  });
  aisa = createBacklinksClient({
    provider: createAisaProvider({ baseUrl: `${ORIGIN}/apis/v1/`, apiKey: 'sk-aisa-secret' }),
    dispatcher: agent,
  });
});
afterEach(async () => {
  agent.assertNoPendingInterceptors();
  await agent.close();
});

describe('wire formats', () => {
  it('DataForSEO: Basic auth, /v3 path, an array of exactly one task', async () => {
    agent
      .get(ORIGIN)
      .intercept({
        path: '/v3/backlinks/summary/live',
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('me@example.com:pa:ss').toString('base64')}` },
        body: (body) => JSON.stringify(JSON.parse(body)) === JSON.stringify([{ target: 'a.com' }]),
      })
      .reply(200, okEnvelope('summary', { target: 'a.com', rank: 5 }, { cost: 0.02003 }));
    const answer = await dataforseo.summary({ target: 'a.com' });
    expect(answer).toEqual({ result: { target: 'a.com', rank: 5 }, costUsd: 0.02003, taskId: 'test-task' });
  });

  it('AIsa: Bearer auth, /dataforseo path under the base, the task object itself', async () => {
    agent
      .get(ORIGIN)
      .intercept({
        path: '/apis/v1/dataforseo/backlinks/referring_domains/live',
        method: 'POST',
        headers: { authorization: 'Bearer sk-aisa-secret' },
        body: (body) => JSON.stringify(JSON.parse(body)) === JSON.stringify({ target: 'a.com', limit: 2 }),
      })
      .reply(200, okEnvelope('referring_domains', { total_count: 0, items: [] }));
    expect((await aisa.referringDomains({ target: 'a.com', limit: 2 })).result).toEqual({ total_count: 0, items: [] });
  });

  it('returns a null result for a successful task without one', async () => {
    const envelope = okEnvelope('summary', null);
    agent
      .get(ORIGIN)
      .intercept({ path: '/v3/backlinks/summary/live', method: 'POST' })
      .reply(200, { ...envelope, tasks: [{ ...envelope.tasks[0], result: null }] });
    expect((await dataforseo.summary({ target: 'a.com' })).result).toBeNull();
  });
});

describe('failures are classified once, at the level they happen', () => {
  const cases: [string, number, unknown, Record<string, string>, string, boolean, number | undefined][] = [
    ['task 40501', 200, taskErrorEnvelope('summary', 40501), {}, 'UPSTREAM_BAD_REQUEST', false, 40501],
    ['task 50401', 200, taskErrorEnvelope('summary', 50401), {}, 'UPSTREAM_TIMEOUT', true, 50401],
    ['task 40404', 200, taskErrorEnvelope('summary', 40404), {}, 'UPSTREAM_NOT_FOUND', false, 40404],
    ['task 40204', 200, taskErrorEnvelope('summary', 40204), {}, 'UPSTREAM_FORBIDDEN', false, 40204],
    ['envelope 40209', 200, envelopeError(40209), {}, 'UPSTREAM_RATE_LIMITED', true, 40209],
    ['envelope 50301', 200, envelopeError(50301), {}, 'UPSTREAM_UNAVAILABLE', true, 50301],
    ['envelope 40210', 200, envelopeError(40210), {}, 'UPSTREAM_PAYMENT', false, 40210],
    ['HTTP 401 with 40100', 401, envelopeError(40100), {}, 'UPSTREAM_AUTH', false, 40100],
    ['HTTP 402, no body', 402, '', {}, 'UPSTREAM_PAYMENT', false, undefined],
    ['HTTP 502, HTML', 502, '<html>bad gateway</html>', {}, 'UPSTREAM_UNAVAILABLE', true, undefined],
    ['HTTP 200, not JSON', 200, 'oops', {}, 'UPSTREAM_INVALID_RESPONSE', true, undefined],
    ['HTTP 200, no task', 200, { ...envelopeError(20000), tasks: [] }, {}, 'UPSTREAM_INVALID_RESPONSE', true, undefined],
  ];
  it.each(cases)('%s', async (_name, status, body, headers, code, retryable, statusCode) => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/v3/backlinks/summary/live', method: 'POST' })
      .reply(status, body as object, { headers });
    const error = await dataforseo.summary({ target: 'a.com' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code, retryable, statusCode, endpoint: 'summary' });
    expect(String((error as Error).message)).not.toMatch(/me@example\.com|pa:ss|oops|bad gateway/);
  });

  it('AIsa 429 keeps Retry-After', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/apis/v1/dataforseo/backlinks/summary/live', method: 'POST' })
      .reply(
        429,
        { error: { type: 'rate_limit_error', code: 'rate_limited', message: 'slow down sk-aisa-secret' } },
        { headers: { 'retry-after': '7' } },
      );
    const error = (await aisa.summary({ target: 'a.com' }).catch((e: unknown) => e)) as UpstreamError;
    expect(error).toMatchObject({ code: 'UPSTREAM_RATE_LIMITED', retryable: true, retryAfterSeconds: 7, httpStatus: 429 });
    expect(error.message).not.toContain('sk-aisa-secret');
  });

  it('a connection failure is UPSTREAM_UNAVAILABLE and retryable', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/v3/backlinks/summary/live', method: 'POST' })
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const error = await dataforseo.summary({ target: 'a.com' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'UpstreamNetworkError', code: 'UPSTREAM_UNAVAILABLE', retryable: true });
  });

  it('reports each call to onCall with its cost and outcome', async () => {
    const events: unknown[] = [];
    const client = createBacklinksClient({
      provider: createDataForSeoProvider({ baseUrl: ORIGIN, login: 'l', password: 'p' }),
      dispatcher: agent,
      onCall: (e) => events.push(e),
    });
    agent
      .get(ORIGIN)
      .intercept({ path: '/v3/backlinks/summary/live', method: 'POST' })
      .reply(200, okEnvelope('summary', {}, { cost: 0.02003 }));
    agent.get(ORIGIN).intercept({ path: '/v3/backlinks/summary/live', method: 'POST' }).reply(200, taskErrorEnvelope('summary', 40501));
    await client.summary({ target: 'a.com' });
    await client.summary({ target: 'a.com' }).catch(() => undefined);
    expect(events).toMatchObject([
      { endpoint: 'summary', costUsd: 0.02003, statusCode: 20000, httpStatus: 200, error: undefined },
      { endpoint: 'summary', costUsd: 0, statusCode: 40501, error: { code: 'UPSTREAM_BAD_REQUEST' } },
    ]);
  });
});
