import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { createMockUpstream } from '../helpers/mock-upstream.js';

/** Guessing keys: wrong keys are throttled per client address (the socket's peer), and the throttle holds even for the right key. */

const KEY = 'throttle-key-0123456789abcdef';
const FAILURES = 3;
const upstream = await createMockUpstream();
afterEach(() => {
  const calls = upstream.calls.length;
  upstream.reset();
  expect(calls, 'a refused request reached the upstream').toBe(0);
});
afterAll(() => upstream.close());

const newApp = () =>
  createTestApp(upstream.url, 'dataforseo', {
    security: { apiKeys: [KEY], apiKeyFailuresPerMinute: FAILURES, apiKeyRateLimitPerMinute: 1000 },
  });
const from = (remoteAddress: string) => ({ req: { socket: { remoteAddress } } });
const attempt = async (app: ReturnType<typeof newApp>, address: string, headers: Record<string, string>) => {
  const response = await app.yoga.fetch(
    'http://yoga/graphql',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ target(target: "a.com") { rank } }' }),
    },
    from(address),
  );
  const text = await response.text();
  expect(text).not.toContain(KEY);
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    code: (JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code,
  };
};

describe('wrong-key throttle', () => {
  it(`after ${FAILURES} wrong keys a minute from one address, answers 429 with Retry-After, even to the right key`, async () => {
    const app = newApp();
    for (let i = 0; i < FAILURES; i++)
      expect((await attempt(app, '203.0.113.7', { 'x-api-key': `guess-${i}-0123456789abcdef` })).status).toBe(401);
    const limited = await attempt(app, '203.0.113.7', { 'x-api-key': 'guess-x-0123456789abcdef' });
    expect(limited).toMatchObject({ status: 429, code: 'TOO_MANY_FAILED_ATTEMPTS' });
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    expect(Number(limited.retryAfter)).toBeLessThanOrEqual(60);
    // The right key gets the same answer: a guesser learns nothing from it.
    expect(await attempt(app, '203.0.113.7', { authorization: `Bearer ${KEY}` })).toMatchObject({
      status: 429,
      code: 'TOO_MANY_FAILED_ATTEMPTS',
    });
    // The same address written as IPv4-mapped IPv6 is the same client; a forwarded-for header changes nothing.
    expect((await attempt(app, '::ffff:203.0.113.7', { 'x-api-key': KEY, 'x-forwarded-for': '198.51.100.1' })).status).toBe(429);
    await app.close();
  });

  it('counts Basic passwords, unknown schemes and bare keys as guesses; a missing key is not one', async () => {
    const app = newApp();
    for (let i = 0; i < 10; i++) expect((await attempt(app, '198.51.100.9', {})).status).toBe(401);
    const guesses = [
      { authorization: `Basic ${Buffer.from(`u:wrong-${KEY}`).toString('base64')}` },
      { authorization: `Token ${KEY}` },
      { authorization: KEY },
    ];
    for (const headers of guesses) expect((await attempt(app, '198.51.100.9', headers)).status).toBe(401);
    expect((await attempt(app, '198.51.100.9', { 'x-api-key': KEY })).status).toBe(429);
    await app.close();
  });

  it('counts an IPv6 client by its /64, and leaves other addresses alone', async () => {
    const app = newApp();
    for (let i = 1; i <= FAILURES; i++)
      expect((await attempt(app, `2001:db8:1:2::${i}`, { 'x-api-key': `guess-${i}-0123456789abcdef` })).status).toBe(401);
    expect((await attempt(app, '2001:db8:1:2:ffff:1:2:3', { 'x-api-key': 'guess-y-0123456789abcdef' })).status).toBe(429);
    // Another /64 and another IPv4 client may still use their key: no upstream call is expected, so ask for __typename.
    const ok = await app.yoga.fetch(
      'http://yoga/graphql',
      { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: '{"query":"{ __typename }"}' },
      from('2001:db8:1:3::1'),
    );
    expect(ok.status).toBe(200);
    const ok4 = await app.yoga.fetch(
      'http://yoga/graphql',
      { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: '{"query":"{ __typename }"}' },
      from('192.0.2.1'),
    );
    expect(ok4.status).toBe(200);
    await app.close();
  });

  it('throttles by the real socket address over a loopback connection', async () => {
    const app = newApp();
    const server = createServer(app.yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    const post = (key: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: '{"query":"{ __typename }"}' });
    try {
      for (let i = 0; i < FAILURES; i++) expect((await post(`guess-${i}-0123456789abcdef`)).status).toBe(401);
      const limited = await post(KEY);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await app.close();
    }
  });
});

describe('wrong-key throttle behind a reverse proxy', () => {
  const PROXY = '10.1.2.3';
  const behindProxy = () =>
    createTestApp(upstream.url, 'dataforseo', {
      security: { apiKeys: [KEY], apiKeyFailuresPerMinute: FAILURES, apiKeyRateLimitPerMinute: 1000, trustedProxies: [PROXY] },
    });

  it('counts by the client X-Forwarded-For names when the peer is a trusted proxy: one guesser does not lock out the rest', async () => {
    const app = behindProxy();
    for (let i = 0; i <= FAILURES; i++) await attempt(app, PROXY, { 'x-api-key': `wrong-${i}`, 'x-forwarded-for': '203.0.113.7' });
    expect((await attempt(app, PROXY, { 'x-api-key': KEY, 'x-forwarded-for': '203.0.113.7' })).status).toBe(429);
    // Another client behind the same proxy is not locked out; a spoofed left-most entry does not change who it is.
    expect((await attempt(app, PROXY, { 'x-api-key': KEY, 'x-forwarded-for': '198.51.100.9', 'x-dry-run': 'true' })).status).toBe(200);
    expect((await attempt(app, PROXY, { 'x-api-key': KEY, 'x-forwarded-for': '198.51.100.9, 203.0.113.7' })).status).toBe(429);
    await app.close();
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const app = behindProxy();
    for (let i = 0; i <= FAILURES; i++)
      await attempt(app, '192.0.2.50', { 'x-api-key': `wrong-${i}`, 'x-forwarded-for': `198.51.100.${i}` });
    expect((await attempt(app, '192.0.2.50', { 'x-api-key': KEY, 'x-forwarded-for': '198.51.100.200' })).status).toBe(429);
    await app.close();
  });
});
