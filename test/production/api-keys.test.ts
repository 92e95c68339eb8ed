import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { createMockUpstream, okEnvelope, summaryResult } from '../helpers/mock-upstream.js';

const KEY_A = 'key-a-0123456789abcdef';
const KEY_B = 'key-b-0123456789abcdef';
const KEY_C = 'key-c-0123456789abcdef';
const upstream = await createMockUpstream();
const app = createTestApp(upstream.url, 'dataforseo', { security: { apiKeys: [KEY_A, KEY_B, KEY_C], apiKeyRateLimitPerMinute: 3 } });
afterAll(async () => {
  await app.close();
  await upstream.close();
});

const query = (headers: Record<string, string>) => app.execute('{ target(target: "a.com") { rank } }', undefined, headers);

describe('client API keys', () => {
  it('answers 401 without a key, or with a wrong one, before any upstream call', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-key-0123456789' },
      { 'x-api-key': `${KEY_A}x` },
      { authorization: KEY_A },
    ];
    for (const headers of attempts) {
      const { status, body, text } = await query(headers);
      expect(status).toBe(401);
      expect(body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
      expect(text).not.toContain(KEY_A);
    }
    expect(upstream.calls).toHaveLength(0);
  });

  it('accepts a key as a Bearer token or as x-api-key', async () => {
    upstream.expect({ endpoint: 'summary', times: 2, reply: okEnvelope('summary', summaryResult('a.com')) });
    expect((await query({ authorization: `Bearer ${KEY_A}` })).body.data.target.rank).toBe(100);
    expect((await query({ 'x-api-key': KEY_B })).body.data.target.rank).toBe(100);
    upstream.assertDone();
  });

  it('limits each key’s request rate with a 429 and Retry-After; other keys are unaffected', async () => {
    upstream.reset();
    upstream.expect({ endpoint: 'summary', times: 100, reply: okEnvelope('summary', summaryResult('a.com')) });
    // KEY_A made one request above: two more are allowed this minute.
    expect((await query({ 'x-api-key': KEY_A })).status).toBe(200);
    expect((await query({ 'x-api-key': KEY_A })).status).toBe(200);
    const limited = await query({ 'x-api-key': KEY_A });
    expect(limited.status).toBe(429);
    expect(limited.body.errors?.[0]?.extensions.code).toBe('RATE_LIMITED');
    expect((await query({ 'x-api-key': KEY_B })).status).toBe(200);
  });

  it('needs no key for CORS preflights and health; GraphiQL and readiness need one', async () => {
    const fetch = (path: string, init: RequestInit = {}) => Promise.resolve(app.yoga.fetch(`http://yoga${path}`, init));
    expect(
      (await fetch('/graphql', { method: 'OPTIONS', headers: { origin: 'https://x.example', 'access-control-request-method': 'POST' } }))
        .status,
    ).toBeLessThan(300);
    expect((await fetch('/health')).status).toBe(200);
    expect((await fetch('/graphql', { headers: { accept: 'text/html' } })).status).toBe(401);
    expect((await fetch('/ready')).status).toBe(401);
    expect(
      (
        await fetch('/graphql', {
          headers: { accept: 'text/html', authorization: `Basic ${Buffer.from(`u:${KEY_B}`).toString('base64')}` },
        })
      ).status,
    ).toBe(200);
    expect((await fetch('/ready', { headers: { 'x-api-key': KEY_C } })).status).toBe(200);
  });
});
