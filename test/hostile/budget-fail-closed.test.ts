import { describe, expect, it } from 'vitest';
import { useSandboxApp } from '../helpers/sandbox.js';

/**
 * The budget fails closed: whatever the client sends — skipped fields with null variables, directives driven by
 * variables, arguments that cannot be coerced — the operation is either estimated (an upper bound of its real calls,
 * counted at the sandbox) or refused with a code before any call. It never runs unbudgeted.
 */
const LIMIT = 50;
const env = useSandboxApp({ maxConcurrency: 10_000, maxPerMinute: 10_000_000 }, 'dataforseo', { maxUpstreamCallsPerOperation: LIMIT });

async function run(query: string, variables?: Record<string, unknown>) {
  const before = env.sandbox.stats().calls;
  const { body } = await env.app.execute(query, variables);
  return { body, calls: env.sandbox.stats().calls - before };
}

/** 1 page + 300 asTarget summaries: far over the limit. */
const fanOut = (directive = '', target = 'x.example') =>
  `t: target(target: "${target}") ${directive} { referringDomains(first: 300) { nodes { asTarget { rank } } } }`;
const FAN_OUT = fanOut();

describe('the budget fails closed', () => {
  it('a skipped field with a null variable does not switch the budget off (issue 10: 251 calls against 50)', async () => {
    const { body, calls } = await run(`query($v: String = "a.com") { bad: target(target: $v) @skip(if: true) { target } ${FAN_OUT} }`, {
      v: null,
    });
    expect(calls).toBe(0);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BUDGET_EXCEEDED', maxUpstreamCalls: LIMIT });
    expect(body.errors?.[0]?.extensions.estimatedUpstreamCalls).toBeGreaterThan(LIMIT);
  });

  it.each([
    ['a null required argument, not skipped', `query($v: String = "a.com") { bad: target(target: $v) { rank } ${FAN_OUT} }`, { v: null }],
    [
      'a null required argument in an @include(if: $yes) field',
      `query($v: String = "a.com", $yes: Boolean!) { bad: target(target: $v) @include(if: $yes) { rank } ${FAN_OUT} }`,
      { v: null, yes: true },
    ],
    [
      'a null variable inside a list literal',
      `query($t: String = "b.com") { bad: targets(targets: ["a.com", $t]) { rank } ${FAN_OUT} }`,
      { t: null },
    ],
    [
      'inside a fragment',
      `query($v: String = "a.com") { ...F } fragment F on Query { bad: target(target: $v) { rank } ${FAN_OUT} }`,
      { v: null },
    ],
  ])('%s: still budgeted', async (_name, query, variables) => {
    const { body, calls } = await run(query, variables);
    expect(calls).toBe(0);
    if (body.errors?.[0]?.extensions?.code !== 'BAD_USER_INPUT') {
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BUDGET_EXCEEDED' });
    }
  });

  it('@skip/@include with variables are evaluated as execution evaluates them', async () => {
    const query = `query($s: Boolean!, $i: Boolean = false) { a: target(target: "a.com") @skip(if: $s) { rank } ${fanOut('@include(if: $i)', 'y.example')} }`;
    const skipped = await run(query, { s: true });
    expect(skipped.body.errors).toBeUndefined();
    expect(skipped.body.extensions.cost.estimatedUpstreamCalls).toBe(0);
    expect(skipped.calls).toBe(0);
    const included = await run(query, { s: false, i: true });
    expect(included.body.errors?.[0]?.extensions?.code).toBe('BUDGET_EXCEEDED');
    expect(included.calls).toBe(0);
    const one = await run(query, { s: false });
    expect(one.body.extensions.cost.estimatedUpstreamCalls).toBe(1);
    expect(one.calls).toBe(1);
  });

  it.each([
    ['on a root field', 'query($s: Boolean = true) { a: target(target: "a.com") @skip(if: $s) { rank } }'],
    ['on a nested field', 'query($s: Boolean = true) { a: target(target: "a.com") { rank @include(if: $s) } }'],
    [
      'on a fragment spread',
      'query($s: Boolean = true) { a: target(target: "a.com") { ...F @skip(if: $s) } } fragment F on Target { rank }',
    ],
  ])('a directive whose condition cannot be evaluated (explicit null over a default) %s is refused with a code', async (_name, query) => {
    const { body, calls } = await run(query, { s: null });
    expect(calls).toBe(0);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BUDGET_UNKNOWN' });
    expect(body.extensions.cost.estimatedUpstreamCalls).toBeNull();
  });

  it('every executed operation reports a numeric estimate, also when a field refuses its arguments', async () => {
    const { body, calls } = await run(
      'query($v: String = "b.com") { target(target: $v) { rank } ok: target(target: "a.com") { target } }',
      { v: null },
    );
    expect(calls).toBe(0);
    expect(body.data.ok.target).toBe('a.com');
    expect(body.extensions.cost.estimatedUpstreamCalls).toBe(0);
  });

  it('an empty `before` counts as no cursor, as the resolver reads it: `last` then takes two calls, and the estimate says so', async () => {
    const { body, calls } = await run('{ target(target: "backlinko.com") { referringDomains(last: 1, before: "") { totalCount } } }');
    expect(body.errors).toBeUndefined();
    expect(calls).toBe(2);
    expect(body.extensions.cost.estimatedUpstreamCalls).toBeGreaterThanOrEqual(calls);
  });
});

describe('budget refusals are request errors', () => {
  it.each([
    ['BUDGET_EXCEEDED', `{ ${FAN_OUT} }`, {}],
    ['BUDGET_UNKNOWN', 'query($s: Boolean = true) { target(target: "a.com") @skip(if: $s) { rank } }', { s: null }],
  ])('%s: 400 under application/graphql-response+json, 200 under application/json (GraphQL over HTTP)', async (code, query, variables) => {
    for (const [accept, status] of [
      ['application/graphql-response+json', 400],
      ['application/json', 200],
    ] as const) {
      const { status: got, body } = await env.app.execute(query, variables, { accept });
      expect(body.errors?.[0]?.extensions.code).toBe(code);
      expect(body.errors?.[0]?.extensions.http).toBeUndefined();
      expect([accept, got]).toEqual([accept, status]);
    }
  });
});
