import { describe, expect, it } from 'vitest';
import { SECURITY_DEFAULTS } from '../../src/ops/config.js';
import { useMockUpstreamApp } from '../helpers/app.js';

/**
 * Every refusal of a request carries `extensions.code`, gets the status the GraphQL-over-HTTP spec asks for
 * (400 for request errors under `application/graphql-response+json`; `application/json` keeps the legacy 200), and
 * never reaches the upstream: the strict double has no expectations, so any call fails the test.
 */

const env = useMockUpstreamApp();
const GRAPHQL_RESPONSE = 'application/graphql-response+json';

interface Answer {
  status: number;
  text: string;
  errors: { message: string; extensions?: Record<string, unknown> }[];
}

async function send(init: RequestInit, url = 'http://yoga/graphql'): Promise<Answer> {
  const response = await env.app.yoga.fetch(url, init);
  const text = await response.text();
  const body = text ? (JSON.parse(text) as { errors?: Answer['errors'] }) : {};
  return { status: response.status, text, errors: body.errors ?? [] };
}

const post = (body: unknown, accept = GRAPHQL_RESPONSE, headers: Record<string, string> = {}) =>
  send({
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

function expectRefused(answer: Answer, code: string, status: number) {
  expect(answer.errors.length, answer.text).toBeGreaterThan(0);
  for (const error of answer.errors) expect(error.extensions?.code, answer.text).toBe(code);
  expect(answer.status, answer.text).toBe(status);
  expect(env.upstream.calls).toHaveLength(0);
}

const aliases = (n: number, field = '__typename') => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
const nest = (levels: number) => `${'referringDomains { nodes { target { '.repeat(levels)}id${' } } }'.repeat(levels)}`;
const deepSelection = (levels: number) => `{ target(target: "a.com") { ${nest(levels)} } }`;

const LIMITS: [string, string, string][] = [
  ['tokens', 'MAX_TOKENS', `{ targets(targets: [${' "a.com"'.repeat(SECURITY_DEFAULTS.maxTokens)} ]) { id } }`],
  ['depth', 'MAX_DEPTH', deepSelection(5)],
  ['depth through fragments', 'MAX_DEPTH', `{ target(target: "a.com") { ...F } } fragment F on Target { ${nest(5)} }`],
  ['aliases', 'MAX_ALIASES', aliases(SECURITY_DEFAULTS.maxAliases + 1, 'target(target: "a.com") { id }')],
  ['aliases of __typename', 'MAX_ALIASES', aliases(SECURITY_DEFAULTS.maxAliases + 1)],
  ['aliases inside a fragment', 'MAX_ALIASES', `{ ...F } fragment F on Query ${aliases(SECURITY_DEFAULTS.maxAliases + 1)}`],
  ['directives', 'MAX_DIRECTIVES', aliases(SECURITY_DEFAULTS.maxDirectives + 1, '__typename @include(if: true)')],
];

describe.each(LIMITS)('the %s limit', (_name, limit, query) => {
  it('refuses with LIMIT_EXCEEDED naming the limit, 400 under graphql-response+json', async () => {
    const answer = await post({ query });
    expectRefused(answer, 'LIMIT_EXCEEDED', 400);
    expect(answer.errors[0]?.extensions?.limit).toBe(limit);
    expect(answer.errors[0]?.extensions?.max).toEqual(expect.any(Number));
    expect(answer.errors[0]?.message).not.toMatch(/^Syntax Error/);
  });

  it('refuses with the same code, 200 under legacy application/json', async () => {
    expectRefused(await post({ query }, 'application/json'), 'LIMIT_EXCEEDED', 200);
  });
});

describe('request errors', () => {
  it('a syntax error: GRAPHQL_PARSE_FAILED, 400', async () => {
    expectRefused(await post({ query: '{ target(target: "a.com") { id ' }), 'GRAPHQL_PARSE_FAILED', 400);
  });

  it('an unknown field: GRAPHQL_VALIDATION_FAILED, 400, no suggestion', async () => {
    const answer = await post({ query: '{ targt(target: "a.com") { id } }' });
    expectRefused(answer, 'GRAPHQL_VALIDATION_FAILED', 400);
    expect(answer.text).not.toMatch(/Did you mean/);
  });

  it.each([
    ['mutation', 'mutation { target }'],
    ['subscription', 'subscription { target }'],
  ])('a %s (the schema has none): GRAPHQL_VALIDATION_FAILED, 400', async (_kind, query) => {
    const answer = await post({ query });
    expectRefused(answer, 'GRAPHQL_VALIDATION_FAILED', 400);
    expect(answer.errors[0]?.message).toMatch(/only reads|queries only|no (mutation|subscription)/i);
  });

  it('a mutation sent with GET (and the CSRF header): coded, 405', async () => {
    expectRefused(
      await send({ headers: { 'x-graphql-csrf': '1' } }, 'http://yoga/graphql?query=mutation%7B__typename%7D'),
      'BAD_REQUEST',
      405,
    );
  });

  it.each([
    ['a wrong type', { t: 5 }],
    ['null for a non-null variable', { t: null }],
    ['a missing variable', undefined],
    ['an object for a string', { t: { a: 1 } }],
  ])('a variable with %s: BAD_USER_INPUT, 400', async (_name, variables) => {
    expectRefused(await post({ query: 'query($t: String!) { target(target: $t) { id } }', variables }), 'BAD_USER_INPUT', 400);
  });

  it('an unknown input field in a variable: BAD_USER_INPUT without a field suggestion', async () => {
    const query = 'query($f: ReferringDomainFilter) { target(target: "a.com") { referringDomains(filter: $f) { totalCount } } }';
    const answer = await post({ query, variables: { f: { domian: { eq: 'x' } } } });
    expectRefused(answer, 'BAD_USER_INPUT', 400);
    expect(answer.text).not.toMatch(/Did you mean/);
  });

  it.each([
    ['a GET without the header', {}, 'http://yoga/graphql?query=%7B__typename%7D'],
    [
      'a form POST',
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=%7B__typename%7D' },
      undefined,
    ],
    ['a text/plain POST', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ __typename }"}' }, undefined],
  ] as [string, RequestInit, string | undefined][])(
    'CSRF prevention refuses %s: CSRF_PREVENTED, 403, naming what to send',
    async (_name, init, url) => {
      const answer = await send(init, url);
      expectRefused(answer, 'CSRF_PREVENTED', 403);
      expect(answer.errors[0]?.message).toMatch(/x-graphql-csrf/);
      expect(answer.errors[0]?.message).toMatch(/application\/json/);
    },
  );

  it('a body that is not JSON: BAD_REQUEST, 400, without echoing the body', async () => {
    const answer = await post('{"query": "{ __typename }", <img src=x onerror=alert(1)>');
    expectRefused(answer, 'BAD_REQUEST', 400);
    expect(answer.text).not.toMatch(/onerror|img src|__typename/);
  });

  it.each(['PUT', 'DELETE', 'PATCH'])('%s, whatever its content type: METHOD_NOT_ALLOWED (the gate), 405', async (method) => {
    for (const type of ['application/json', 'application/xml']) {
      expectRefused(
        await send({ method, headers: { 'content-type': type, 'x-graphql-csrf': '1' }, body: '{"query":"{ __typename }"}' }),
        'METHOD_NOT_ALLOWED',
        405,
      );
    }
  });

  it.each([
    ['empty', ''],
    ['null', 'null'],
    ['a string', '"{ __typename }"'],
    ['an array', '[]'],
  ])('a JSON body that is %s: BAD_REQUEST, 400', async (_name, body) => {
    expectRefused(await post(body, 'application/json'), 'BAD_REQUEST', 400);
  });

  it('a GET whose variables are not JSON: BAD_REQUEST, 400', async () => {
    expectRefused(
      await send({ headers: { 'x-graphql-csrf': '1' } }, 'http://yoga/graphql?query=%7B__typename%7D&variables=%7Bbad'),
      'BAD_REQUEST',
      400,
    );
  });

  it('a content type no parser takes: UNSUPPORTED_MEDIA_TYPE, 415', async () => {
    expectRefused(
      await send({ method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<query/>' }),
      'UNSUPPORTED_MEDIA_TYPE',
      415,
    );
  });
});

describe('parse errors do not echo the request', () => {
  it.each([
    ['a string where a field is expected', '{ target(target: "a.com") { "<script>alert(1)</script>" } }', /script|alert/],
    ['a block string', '{ target(target: "a.com") { """<b>evil</b> "quoted" text""" } }', /evil|quoted/],
    ['a name after the operation', '{ target(target: "a.com") { id } } id_ignore_all_previous_instructions', /ignore_all/],
    ['an unexpected character', '{ target(target: "a.com") { id } } <', /"<"/],
    ['an invalid escape', '{ target(target: "a\\q<evil>") { id } }', /evil|\\q/],
    ['a name where an operation is expected', 'evil_instructions { target(target: "a.com") { id } }', /evil_instructions/],
  ])('%s', async (_name, query, echoed) => {
    const answer = await post({ query });
    expectRefused(answer, 'GRAPHQL_PARSE_FAILED', 400);
    expect(answer.errors[0]?.message).toMatch(/^Syntax Error/);
    expect(answer.errors[0]?.message).not.toMatch(echoed);
    expect(answer.text).not.toMatch(echoed);
    expect(answer.text).toMatch(/"locations":\[\{"line":1,"column":\d+\}\]/);
  });

  it("keeps the punctuation it expected, which is not the client's text", async () => {
    const answer = await post({ query: '{ target(target "a.com") { id } }' });
    expect(answer.errors[0]?.message).toMatch(/Expected ":"/);
  });
});
