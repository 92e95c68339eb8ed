import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/http/app.js';
import { DEFAULT_QUERY } from '../../src/http/graphiql.js';
import type { ExecutorName, ExecutorOptions } from '../../src/http/plugins/executor.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { createTestApp, type TestAppOptions } from '../helpers/app.js';
import { hostileOperation, hostileVariables, operation as budgetOperation } from '../helpers/budget-operations.js';
import { BULK_ENDPOINTS } from '../helpers/bulk-upstream.js';
import { bulkVariables, operation as bulkOperation, replyFor } from '../helpers/bulk-operations.js';
import { operation as fuzzOperation, type GeneratedOperation } from '../helpers/fuzz-operations.js';
import { createMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { startSandbox } from '../helpers/sandbox.js';

/**
 * The differential test of the executors: every operation runs on two apps that differ only in their executor — one
 * always graphql-js (Yoga's own), one compiling with graphql-jit wherever useExecutor routes an operation to it — over
 * the same gateway and upstream (the sandbox, or the bulk test's double), one operation after the other. The two
 * responses must be byte for byte the same: status, content type and body (`data`, `errors` with their codes, paths,
 * messages and locations, `extensions` but for the cost). The corpus: the generated operations of the fuzz, budget and bulk property
 * tests (the seeds are fixed; FC_SEED=… explores others), every ```graphql block of the README and GraphiQL's default
 * query. A last test shows the comparison has teeth: let graphql-jit also run the operations it coerces differently,
 * and it finds them.
 */
const SEED = Number(process.env.FC_SEED ?? 20261202);
const SCALE = Number(process.env.FC_RUNS ?? 1000) / 1000;
const RUNS = {
  fuzz: Math.round(1300 * SCALE),
  budget: Math.round(300 * SCALE),
  hostile: Math.round(200 * SCALE),
  bulk: Math.round(200 * SCALE),
};

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const README_BLOCKS = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

interface Request {
  body: string;
  /** Deferred operations are asked for as GraphiQL asks: multipart. */
  accept: string;
}

const request = (op: GeneratedOperation): Request => {
  const { query, variables, operationName } = op;
  const body: Record<string, unknown> = { query };
  if (variables !== undefined) body.variables = variables;
  if (operationName !== undefined) body.operationName = operationName;
  const incremental = /@(?:defer|stream)\b/.test(query);
  return { body: JSON.stringify(body), accept: incremental ? 'multipart/mixed' : 'application/graphql-response+json' };
};

interface Difference {
  request: string;
  at: number;
  graphqlJs: string;
  graphqlJit: string;
}

/** Where two responses part, with a little of each from there (whole responses can be megabytes). */
function difference(r: Request, graphqlJs: string, graphqlJit: string): Difference {
  let at = 0;
  while (at < graphqlJs.length && graphqlJs[at] === graphqlJit[at]) at += 1;
  const from = Math.max(0, at - 80);
  return { request: r.body.slice(0, 4000), at, graphqlJs: graphqlJs.slice(from, at + 200), graphqlJit: graphqlJit.slice(from, at + 200) };
}

/**
 * Two apps alike but for the executor, over one gateway whose cache keeps every answer: the reference asks the upstream,
 * the compiled one then reads the same answers from the cache (as most requests in production do). Their responses are
 * compared whole, but for `extensions.cost`, which says where the answers came from. Counts which executor ran each
 * execution of the compiled app.
 */
function pair(url: string, options: TestAppOptions = {}, jit: ExecutorOptions = {}) {
  const ran: Record<ExecutorName, number> = { 'graphql-jit': 0, 'graphql-js': 0 };
  const reference = createTestApp(url, 'dataforseo', { ...options, cacheTtlMs: 3_600_000, executor: { mode: 'graphql-js' } });
  const compiled = createApp({
    gateway: reference.gateway,
    sandbox: options.sandbox ?? false,
    logger: false,
    maxUpstreamCallsPerOperation: 100_000,
    security: options.security,
    executor: { mode: 'graphql-jit', ...jit, onExecutor: (name) => (ran[name] += 1) },
  });
  const send = async (app: App, r: Request) => {
    const response = await app.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: r.accept },
      body: r.body,
    });
    // A multipart part gives its length, which the cost inside it changes.
    const text = (await response.text()).replace(COST, '').replace(/^Content-Length: \d+\r?$/gm, '');
    return `${response.status} ${response.headers.get('content-type') ?? ''}\n${text}`;
  };
  return {
    ran,
    /** The requests whose two responses differ: each with both responses from their first difference on. */
    async differences(requests: Request[]): Promise<Difference[]> {
      const found: Difference[] = [];
      for (const r of requests) {
        const graphqlJs = await send(reference.yoga, r);
        const graphqlJit = await send(compiled, r);
        if (graphqlJs !== graphqlJit) found.push(difference(r, graphqlJs, graphqlJit));
      }
      return found;
    },
    close: () => reference.close(),
  };
}

/** `extensions.cost` (flat: numbers only, without API keys), which differs by design between the two apps. */
const COST = /"cost":\{[^{}]*\},?/g;

const generated = <T>(arb: fc.Arbitrary<T>, numRuns: number, salt: number) => fc.sample(arb, { seed: SEED + salt, numRuns });
const fuzzRequests = () => generated(fuzzOperation, RUNS.fuzz, 0).map(request);
const budgetRequests = () => [
  ...generated(budgetOperation, RUNS.budget, 1).map((query) => request({ query })),
  ...generated(fc.tuple(hostileOperation, hostileVariables), RUNS.hostile, 2).map(([query, variables]) => request({ query, variables })),
];
const documented = () => [...README_BLOCKS, DEFAULT_QUERY].map((query) => request({ query }));

/** Deep nesting and many aliases are the point of the budget and bulk corpora; the armor limits have their own tests. */
const WIDE = { security: { maxDepth: 100, maxAliases: 10_000, maxTokens: 100_000 } };

describe('graphql-jit and graphql-js give byte-identical responses', () => {
  let sandbox: { sandbox: Sandbox; url: string };
  let upstream: MockUpstream;
  beforeAll(async () => {
    sandbox = await startSandbox({ maxConcurrency: 10_000, maxPerMinute: 10_000_000 });
    upstream = await createMockUpstream();
    for (const endpoint of ['summary', 'referring_domains', 'domain_intersection', ...BULK_ENDPOINTS]) {
      upstream.expect({ endpoint, reply: (task) => replyFor(endpoint, task), times: Number.MAX_SAFE_INTEGER });
    }
  });
  afterAll(async () => {
    await sandbox.sandbox.close();
    await upstream.close();
  });

  /** No response differs, and at least `compiled` executions ran on graphql-jit (not graphql-js against itself). */
  async function expectIdentical(url: string, options: TestAppOptions, requests: Request[], compiled: number) {
    const apps = pair(url, options);
    try {
      expect((await apps.differences(requests)).slice(0, 3)).toEqual([]);
      expect(apps.ran['graphql-jit']).toBeGreaterThanOrEqual(compiled);
    } finally {
      await apps.close();
    }
  }

  it(`for every README example and GraphiQL's default query (${README_BLOCKS.length + 1})`, async () => {
    expect(README_BLOCKS.length).toBeGreaterThanOrEqual(4);
    // All but the deferred ones run on graphql-jit.
    const compiled = README_BLOCKS.filter((b) => !/@(?:defer|stream)\b/.test(b)).length;
    await expectIdentical(sandbox.url, { sandbox: true }, documented(), compiled);
  });

  it(`for ${RUNS.fuzz} generated operations of the fuzz corpus (variables right, wrong, null and missing)`, { timeout: 300_000 }, () =>
    expectIdentical(sandbox.url, { sandbox: true }, fuzzRequests(), Math.ceil(RUNS.fuzz / 5)),
  );

  it(
    `for ${RUNS.budget + RUNS.hostile} generated operations of the budget corpus (fragments, directives, variables)`,
    { timeout: 300_000 },
    () => expectIdentical(sandbox.url, { sandbox: true, ...WIDE }, budgetRequests(), Math.ceil(RUNS.budget / 2)),
  );

  it(`for ${RUNS.bulk} generated operations of the bulk corpus (hostile bulk answers, big target lists)`, { timeout: 300_000 }, () =>
    expectIdentical(
      upstream.url,
      WIDE,
      generated(bulkOperation, RUNS.bulk, 3).map(({ query, big }) => request({ query, variables: bulkVariables(big) })),
      Math.ceil(RUNS.bulk / 2),
    ),
  );

  it('finds the operations graphql-jit runs differently when it is let run them', async () => {
    // What the routing keeps from graphql-jit, each sent both ways: a non-null variable with a default left out, and an
    // order given through a variable, whose input-object field `direction` has a default. (A variable of a recursive
    // input type, BacklinkOptions and the filters, is not tried: graphql-jit's compiler recurses on it until the
    // process runs out of memory — the first reason the routing keeps every input-object variable from it.)
    const apps = pair(sandbox.url, { sandbox: true }, { unsafeVariables: true });
    const cases = [
      { query: 'query($n: Int! = 3) { target(target: "moz.com") { referringDomains(first: $n) { nodes { domain } } } }' },
      {
        query:
          'query($by: [ReferringDomainOrder!]) { target(target: "moz.com") { referringDomains(first: 3, orderBy: $by) { nodes { domain } } } }',
        variables: { by: [{ field: 'RANK' }] },
      },
    ];
    try {
      const found = await apps.differences(cases.map(request));
      expect(found.length, JSON.stringify(found, null, 1)).toBeGreaterThan(0);
      // The same operations, routed as the app routes them, give the same responses.
      const routed = pair(sandbox.url, { sandbox: true });
      try {
        expect(await routed.differences(cases.map(request))).toEqual([]);
      } finally {
        await routed.close();
      }
    } finally {
      await apps.close();
    }
  });
});
