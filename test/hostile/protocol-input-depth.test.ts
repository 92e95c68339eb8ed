import { describe, expect, it } from 'vitest';
import { SECURITY_DEFAULTS } from '../../src/ops/config.js';
import { useMockUpstreamApp } from '../helpers/app.js';

/**
 * Input values nest at most MAX_INPUT_DEPTH deep: variables, literal arguments, extensions and the JSON body as a
 * whole are checked before graphql-js (whose coercion and parser recurse per level) touches them. Refused with a
 * coded 400, never a 500, never an upstream call.
 */

const env = useMockUpstreamApp();
const FILTER_QUERY = 'query($f: ReferringDomainFilter) { target(target: "a.com") { referringDomains(filter: $f) { totalCount } } }';
const LEAF = '{"domain":{"eq":"x.com"}}';
/** A ReferringDomainFilter of `levels` nested `and`s: 2 levels of JSON each, plus 2 for the leaf. */
const nestedFilterJson = (levels: number) => `${'{"and":['.repeat(levels)}${LEAF}${']}'.repeat(levels)}`;

async function postRaw(body: string) {
  const response = await env.app.yoga.fetch('http://yoga/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    body: JSON.parse(text) as { errors?: { message: string; extensions?: Record<string, unknown> }[] },
  };
}

function expectDepthRefusal(answer: Awaited<ReturnType<typeof postRaw>>) {
  expect(answer.status, answer.text).toBe(400);
  expect(answer.body.errors?.[0]?.extensions?.code, answer.text).toBe('LIMIT_EXCEEDED');
  expect(answer.body.errors?.[0]?.extensions?.limit).toBe('MAX_INPUT_DEPTH');
  expect(answer.body.errors?.[0]?.extensions?.max).toBe(SECURITY_DEFAULTS.maxInputDepth);
  expect(answer.body.errors?.[0]?.message).toMatch(new RegExp(`${SECURITY_DEFAULTS.maxInputDepth}`));
  expect(env.upstream.calls).toHaveLength(0);
}

describe('variables', () => {
  it.each([3000, 8000])('a filter variable %i levels deep: 400 LIMIT_EXCEEDED, not 500', async (levels) => {
    expectDepthRefusal(await postRaw(`{"query":${JSON.stringify(FILTER_QUERY)},"variables":{"f":${nestedFilterJson(levels)}}}`));
  });

  it('just over the limit is refused, at the limit it runs', async () => {
    // Depth of the variable value: 2 per `and` level, 2 for the leaf `{"domain":{"eq":…}}`.
    const atLimit = (SECURITY_DEFAULTS.maxInputDepth - 2) / 2;
    expectDepthRefusal(await postRaw(`{"query":${JSON.stringify(FILTER_QUERY)},"variables":{"f":{"or":[${nestedFilterJson(atLimit)}]}}}`));
    const answer = await postRaw(
      `{"query":${JSON.stringify(FILTER_QUERY)},"variables":{"f":${nestedFilterJson(atLimit)}},"extensions":{"dryRun":true}}`,
    );
    expect(answer.body.errors, answer.text).toBeUndefined();
  });

  it('deep lists in a variable the operation does not even use', async () => {
    expectDepthRefusal(await postRaw(`{"query":"{ __typename }","variables":{"unused":${'['.repeat(5000)}${']'.repeat(5000)}}}`));
  });

  it('through GET', async () => {
    const variables = encodeURIComponent(nestedFilterJson(1000));
    const response = await env.app.yoga.fetch(
      `http://yoga/graphql?query=${encodeURIComponent(FILTER_QUERY)}&variables=%7B%22f%22%3A${variables}%7D`,
      {
        headers: { 'x-graphql-csrf': '1', accept: 'application/graphql-response+json' },
      },
    );
    const text = await response.text();
    expectDepthRefusal({ status: response.status, text, body: JSON.parse(text) });
  });
});

describe('nulls and absent members pass the check untouched', () => {
  it.each([
    ['null variables and extensions', '{"query":"{ __typename }","variables":null,"extensions":null}'],
    ['a null variable', `{"query":${JSON.stringify(FILTER_QUERY)},"variables":{"f":null},"extensions":{"dryRun":true}}`],
    ['no variables', '{"query":"{ __typename }"}'],
    ['empty objects and lists', '{"query":"{ __typename }","variables":{"a":{},"b":[]},"extensions":{}}'],
  ])('%s', async (_name, body) => {
    const answer = await postRaw(body);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.errors, answer.text).toBeUndefined();
  });
});

describe('the rest of the body', () => {
  it('deep extensions', async () => {
    expectDepthRefusal(await postRaw(`{"query":"{ __typename }","extensions":{"x":${'['.repeat(5000)}${']'.repeat(5000)}}}`));
  });

  it('a deep value under an unknown key', async () => {
    expectDepthRefusal(await postRaw(`{"query":"{ __typename }","other":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`));
  });
});

describe('literal values in the document', () => {
  it('a literal filter over the limit', async () => {
    let literal = '{ domain: { eq: "x.com" } }';
    for (let i = 0; i < SECURITY_DEFAULTS.maxInputDepth; i++) literal = `{ and: [${literal}] }`;
    expectDepthRefusal(
      await postRaw(JSON.stringify({ query: `{ target(target: "a.com") { referringDomains(filter: ${literal}) { totalCount } } }` })),
    );
  });

  it('a literal default value of a variable over the limit', async () => {
    const literal = `${'{ and: ['.repeat(SECURITY_DEFAULTS.maxInputDepth)}{ domain: { eq: "x" } }${'] }'.repeat(SECURITY_DEFAULTS.maxInputDepth)}`;
    expectDepthRefusal(await postRaw(JSON.stringify({ query: `query($f: ReferringDomainFilter = ${literal}) { __typename }` })));
  });

  it('brackets nested deeper than graphql-js can parse, with a generous token limit', async () => {
    const { createTestApp } = await import('../helpers/app.js');
    const roomy = createTestApp(env.upstream.url, 'dataforseo', { security: { maxTokens: 1_000_000, maxBodyBytes: 1_000_000 } });
    const n = 20_000;
    const response = await roomy.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: `{ targets(targets: ${'['.repeat(n)}${']'.repeat(n)}) { id } }` }),
    });
    const text = await response.text();
    await roomy.close();
    expect(response.status, text).toBe(400);
    expect((JSON.parse(text) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('LIMIT_EXCEEDED');
    expect(env.upstream.calls).toHaveLength(0);
  });

  it('selection sets nested deeper than graphql-js can parse', async () => {
    const { createTestApp } = await import('../helpers/app.js');
    const roomy = createTestApp(env.upstream.url, 'dataforseo', { security: { maxTokens: 1_000_000, maxBodyBytes: 1_000_000 } });
    const n = 20_000;
    const response = await roomy.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: `${'{ a '.repeat(n)}${'}'.repeat(n)}` }),
    });
    const text = await response.text();
    await roomy.close();
    expect(response.status, text).toBe(400);
    expect((JSON.parse(text) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('LIMIT_EXCEEDED');
  });
});
