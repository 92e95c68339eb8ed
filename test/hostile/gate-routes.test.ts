import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { createMockUpstream } from '../helpers/mock-upstream.js';

/**
 * The gate, as an attacker tries it: every spelling of the endpoint, every method, every Accept, with keys on and
 * GraphiQL on and off. The upstream is a strict double with no expectations: any call it sees is an execution that
 * got past the gate, and fails the test.
 */

const KEY = 'gate-key-0123456789abcdef';
const upstream = await createMockUpstream();
const withGraphiql = createTestApp(upstream.url, 'dataforseo', { security: { apiKeys: [KEY] }, metrics: true });
const withoutGraphiql = createTestApp(upstream.url, 'dataforseo', { security: { apiKeys: [KEY] }, graphiql: false });
const open = createTestApp(upstream.url, 'dataforseo', { metrics: true });
const openWithoutGraphiql = createTestApp(upstream.url, 'dataforseo', { graphiql: false });
afterEach(() => {
  const calls = upstream.calls.map((c) => c.endpoint);
  upstream.reset();
  expect(calls, 'upstream calls: an execution got past the gate').toEqual([]);
});
afterAll(async () => {
  await Promise.all([withGraphiql.close(), withoutGraphiql.close(), open.close(), openWithoutGraphiql.close()]);
  await upstream.close();
});

const QUERY = '{ target(target: "a.com") { rank } }';
const GET_QUERY = `query=${encodeURIComponent(QUERY)}`;
type App = ReturnType<typeof createTestApp>;
const call = (app: App, path: string, init: RequestInit = {}) => Promise.resolve(app.yoga.fetch(`http://yoga${path}`, init));
const post = (headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
  body: JSON.stringify({ query: QUERY }),
});

async function expectCodedRefusal(response: Response, status: number, code: string) {
  expect(response.status, `${response.status} ${code}`).toBe(status);
  const body = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
  expect(body.errors?.[0]?.extensions?.code).toBe(code);
  expect(JSON.stringify(body)).not.toContain(KEY);
}

// Spellings Yoga 5 answers as the GraphQL endpoint (request.url.endsWith('/graphql'), endsWith('/graphql/'), or its
// URLPattern) although their path is not /graphql, and spellings it does not.
const OTHER_SPELLINGS = [
  '/graphql/',
  '//graphql',
  '///graphql',
  '/x/graphql',
  '/x?y=/graphql',
  '/health/graphql',
  '/%67raphql',
  '/graphql%2F',
  '/GRAPHQL',
  '/graphql;x',
  '/graphql.json',
  '/x#/graphql',
  '/anything',
];

describe('the gate: one place decides, deny by default', () => {
  for (const path of OTHER_SPELLINGS) {
    it(`refuses POST ${path} with a 404 and no execution, with or without a key`, async () => {
      for (const app of [withGraphiql, withoutGraphiql]) {
        await expectCodedRefusal(await call(app, path, post()), 404, 'NOT_FOUND');
        await expectCodedRefusal(await call(app, path, post({ 'x-api-key': KEY })), 404, 'NOT_FOUND');
      }
      // Keys off too: one spelling of the endpoint, nothing else.
      await expectCodedRefusal(await call(open, path, post()), 404, 'NOT_FOUND');
    });
  }

  it('needs a key on /graphql with a query string, and on a dot-segment path that normalises to it', async () => {
    await expectCodedRefusal(await call(withGraphiql, '/graphql?x=1', post()), 401, 'UNAUTHENTICATED');
    await expectCodedRefusal(await call(withGraphiql, '/ready/../graphql', post()), 401, 'UNAUTHENTICATED');
    await expectCodedRefusal(
      await call(withGraphiql, `/graphql?${GET_QUERY}`, { headers: { 'x-graphql-csrf': '1' } }),
      401,
      'UNAUTHENTICATED',
    );
  });

  for (const method of ['GET', 'POST', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND']) {
    it(`${method} /graphql without a key executes nothing`, async () => {
      for (const app of [withGraphiql, withoutGraphiql]) {
        const init: RequestInit = { method, headers: { 'content-type': 'application/json', 'x-graphql-csrf': '1' } };
        if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') init.body = JSON.stringify({ query: QUERY });
        const response = await call(app, `/graphql?${GET_QUERY}`, init);
        if (method === 'OPTIONS') {
          // A CORS preflight needs no key and runs nothing.
          expect(response.status).toBe(204);
          expect(await response.text()).toBe('');
        } else if (method === 'HEAD') {
          expect([401, 405]).toContain(response.status);
        } else if (method === 'GET' || method === 'POST') {
          await expectCodedRefusal(response, 401, 'UNAUTHENTICATED');
        } else {
          await expectCodedRefusal(response, 405, 'METHOD_NOT_ALLOWED');
          expect(response.headers.get('allow')).toBe('GET, POST, OPTIONS');
        }
      }
    });
  }

  it('with GRAPHIQL=false, a GET whose Accept mentions text/html needs a key and executes nothing', async () => {
    for (const accept of ['text/html', 'text/html, application/json', 'application/json, text/html;q=0.1', 'text/HTML']) {
      const response = await call(withoutGraphiql, `/graphql?${GET_QUERY}`, { headers: { accept, 'x-graphql-csrf': '1' } });
      await expectCodedRefusal(response, 401, 'UNAUTHENTICATED');
    }
  });

  it('keys off and GRAPHIQL=false: a GET that asks only for HTML is a 406 before execution; the assets are gone', async () => {
    const response = await call(openWithoutGraphiql, `/graphql?${GET_QUERY}`, { headers: { accept: 'text/html', 'x-graphql-csrf': '1' } });
    await expectCodedRefusal(response, 406, 'NOT_ACCEPTABLE');
    const page = await call(open, '/graphql', { headers: { accept: 'text/html' } });
    const asset = /src="(\/graphiql\/[^"]+)"/.exec(await page.text())?.[1] ?? '/graphiql/none';
    expect((await call(open, asset)).status).toBe(200);
    await expectCodedRefusal(await call(openWithoutGraphiql, asset), 404, 'NOT_FOUND');
  });

  it('GraphiQL needs the key: 401 with a Basic challenge, then the page with the key as the Basic password', async () => {
    const page = await call(withGraphiql, '/graphql', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(401);
    expect(page.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(await page.text()).not.toContain('<html');
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    const ok = await call(withGraphiql, '/graphql', { headers: { accept: 'text/html', authorization: basic('anyone', KEY) } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/html/);
    const wrong = await call(withGraphiql, '/graphql', {
      headers: { accept: 'text/html', authorization: basic(KEY, 'wrong-password-0123456789') },
    });
    expect(wrong.status).toBe(401);
    // The same Basic credentials carry GraphiQL's own fetches.
    const executed = await call(withGraphiql, '/graphql', {
      ...post({ authorization: basic('', KEY) }),
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(executed.status).toBe(200);
  });

  it('/health stays open; /ready and /metrics need the key; keys off, they answer', async () => {
    expect((await call(withGraphiql, '/health')).status).toBe(200);
    await expectCodedRefusal(await call(withGraphiql, '/ready'), 401, 'UNAUTHENTICATED');
    await expectCodedRefusal(await call(withGraphiql, '/metrics'), 401, 'UNAUTHENTICATED');
    await expectCodedRefusal(
      await call(withGraphiql, '/graphql?x=/ready', { headers: { accept: 'application/json' } }),
      401,
      'UNAUTHENTICATED',
    );
    expect((await call(withGraphiql, '/ready', { headers: { 'x-api-key': KEY } })).status).toBe(200);
    expect((await call(withGraphiql, '/metrics', { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(200);
    expect((await call(open, '/ready')).status).toBe(200);
    expect((await call(open, '/metrics')).status).toBe(200);
    // Only the exact path: Yoga's health check answers any URL that ends with /health.
    await expectCodedRefusal(await call(withGraphiql, '/x/health', post()), 404, 'NOT_FOUND');
    await expectCodedRefusal(await call(withGraphiql, '/metrics/', { headers: { 'x-api-key': KEY } }), 404, 'NOT_FOUND');
  });
});

describe('content negotiation before execution', () => {
  for (const accept of [
    'application/xml',
    'text/html',
    'image/png',
    'application/json; charset=latin1',
    'application/*+xml',
    'garbage',
    ';;;',
    'text/plain',
  ]) {
    it(`refuses Accept: ${accept} with 406 and no upstream call`, async () => {
      const response = await call(open, '/graphql', post({ accept }));
      await expectCodedRefusal(response, 406, 'NOT_ACCEPTABLE');
    });
  }
  for (const accept of [
    '*/*',
    'application/json',
    'application/graphql-response+json',
    'text/event-stream',
    'multipart/mixed',
    'application/*',
    'text/html, */*;q=0.8',
    '',
  ]) {
    it(`accepts Accept: ${JSON.stringify(accept)} for an operation that needs no upstream`, async () => {
      const response = await call(open, '/graphql', { ...post({ accept }), body: JSON.stringify({ query: '{ __typename }' }) });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('Query');
    });
  }
});

describe('CORS closed by default', () => {
  it('gives another origin no Access-Control-Allow-Origin, on a preflight or a request', async () => {
    const origin = 'https://evil.example';
    const preflight = await call(open, '/graphql', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const response = await call(open, '/graphql', { ...post({ origin }), body: JSON.stringify({ query: '{ __typename }' }) });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('opens to the listed origins, or to every origin with an explicit *', async () => {
    const listed = createTestApp(upstream.url, 'dataforseo', { security: { corsOrigins: ['https://a.example', 'https://b.example'] } });
    const star = createTestApp(upstream.url, 'dataforseo', { security: { corsOrigins: '*' } });
    const preflight = (app: App, origin: string) =>
      call(app, '/graphql', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    expect((await preflight(listed, 'https://b.example')).headers.get('access-control-allow-origin')).toBe('https://b.example');
    expect((await preflight(listed, 'https://c.example')).headers.get('access-control-allow-origin')).toBeNull();
    // An explicit * lets every origin in (whatwg-node reflects the origin), still without credentials.
    const starred = await preflight(star, 'https://c.example');
    expect(starred.headers.get('access-control-allow-origin')).toMatch(/^(\*|https:\/\/c\.example)$/);
    expect(starred.headers.get('access-control-allow-credentials')).toBeNull();
    await Promise.all([listed.close(), star.close()]);
  });
});
