import { afterAll, describe, expect, it } from 'vitest';
import { SECURITY_DEFAULTS } from '../../src/ops/config.js';
import { createTestApp, useMockUpstreamApp } from '../helpers/app.js';

/**
 * The protections of the public endpoint, at their defaults. Every limit refuses just above its threshold and
 * accepts at it; the strict upstream double has no expectations, so any upstream call fails the test.
 */

const env = useMockUpstreamApp();
const DRY = { 'x-dry-run': 'true' };

/** A query of exactly `depth` field levels (root field = 1). */
function depthQuery(depth: number): string {
  const levels = Math.floor((depth - 2) / 3);
  const tail = ['id', 'referringDomains { totalCount }', 'referringDomains { pageInfo { hasNextPage } }'][(depth - 2) % 3];
  let q = tail ?? 'id';
  // Pages of one: a dry run answers as the run would, and 25-item pages nested this deep would be RESULT_TOO_LARGE.
  for (let i = 0; i < levels; i++) q = `referringDomains(first: 1) { nodes { target { ${q} } } }`;
  return `{ target(target: "a.com") { ${q} } }`;
}

const LIMITS: [string, number, (n: number) => string, Record<string, string>, RegExp][] = [
  ['depth', SECURITY_DEFAULTS.maxDepth, depthQuery, DRY, /depth limit/i],
  [
    'aliases',
    SECURITY_DEFAULTS.maxAliases,
    (n) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: target(target: "a.com") { id }`).join(' ')} }`,
    {},
    /aliases limit/i,
  ],
  [
    'directives',
    SECURITY_DEFAULTS.maxDirectives,
    (n) => `{ ${Array.from({ length: n }, (_, i) => `t${i}: target(target: "a.com") @include(if: true) { id }`).join(' ')} }`,
    {},
    /directives limit/i,
  ],
  // Tokens: 12 around the list, one per list item.
  ['tokens', SECURITY_DEFAULTS.maxTokens, (n) => `{ targets(targets: [${' "a.com"'.repeat(n - 12)} ]) { id } }`, DRY, /token limit/i],
];

describe.each(LIMITS)('the %s limit (%i)', (_name, limit, build, headers, message) => {
  it('refuses just above it, before any upstream call', async () => {
    const { body } = await env.app.execute(build(limit + 1), undefined, headers);
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.message).toMatch(message);
  });

  it('accepts it', async () => {
    const { body } = await env.app.execute(build(limit), undefined, headers);
    expect(body.errors).toBeUndefined();
  });
});

describe('the request body limit', () => {
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    Promise.resolve(
      env.app.yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
      }),
    );
  const bodyOf = (bytes: number) => {
    const base = JSON.stringify({ query: '{ target(target: "a.com") { id } }\n#' });
    return JSON.stringify({ query: `{ target(target: "a.com") { id } }\n#${'x'.repeat(bytes - base.length)}` });
  };

  it('refuses a body one byte over it with 413', async () => {
    const response = await post(bodyOf(SECURITY_DEFAULTS.maxBodyBytes + 1));
    expect(response.status).toBe(413);
  });

  it('accepts a body of exactly its size', async () => {
    const body = bodyOf(SECURITY_DEFAULTS.maxBodyBytes);
    expect(Buffer.byteLength(body)).toBe(SECURITY_DEFAULTS.maxBodyBytes);
    expect((await post(body)).status).toBe(200);
  });

  it('accepts a POST that does not declare its length (streamed, chunked), and counts it while reading', async () => {
    const stream = new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode('{"query":"{ __typename }"}')), c.close()) });
    expect((await post(stream)).status).toBe(200);
  });
});

describe('schema disclosure', () => {
  it('hides field suggestions', async () => {
    const { body } = await env.app.execute('{ targt(target: "a.com") { id } }');
    expect(body.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });

  it('answers introspection by default, and refuses it when switched off', async () => {
    expect((await env.app.execute('{ __schema { queryType { name } } }')).body.data.__schema.queryType.name).toBe('Query');
    const closed = createTestApp(env.upstream.url, 'dataforseo', { security: { introspection: false } });
    const { body } = await closed.execute('{ __schema { queryType { name } } }');
    await closed.close();
    expect(body.errors?.[0]?.message).toMatch(/introspection/i);
  });
});

describe('CORS and CSRF', () => {
  const restricted = createTestApp('http://127.0.0.1:9', 'dataforseo', { security: { corsOrigins: ['https://app.example.com'] } });
  afterAll(() => restricted.close());
  const preflight = (origin: string) =>
    Promise.resolve(
      restricted.yoga.fetch('http://yoga/graphql', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      }),
    );

  it('allows a configured origin and no other', async () => {
    expect((await preflight('https://app.example.com')).headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
  });

  it('refuses a GET query without the CSRF header (a browser could send it cross-site), and accepts one with it', async () => {
    const get = (headers: Record<string, string>) =>
      Promise.resolve(env.app.yoga.fetch('http://yoga/graphql?query=%7B__typename%7D', { headers }));
    expect((await get({})).status).toBe(403);
    expect((await get({ 'x-graphql-csrf': '1' })).status).toBe(200);
  });
});

describe('masked errors', () => {
  it('reports an unexpected failure as "Unexpected error." with no detail', async () => {
    env.upstream.expect({
      endpoint: 'referring_domains',
      reply: () => ({ status_code: 20000, tasks: [{ status_code: 20000, result: [{ total_count: 'many', items: 'not a list' }] }] }),
    });
    const { body, text } = await env.app.execute('{ target(target: "a.com") { referringDomains { totalCount nodes { domain } } } }');
    expect(body.errors?.[0]?.message).toBe('Unexpected error.');
    expect(text).not.toMatch(/not a list|TypeError|\.ts:\d+/);
  });
});
