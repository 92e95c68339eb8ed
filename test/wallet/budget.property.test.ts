import fc from 'fast-check';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { estimateUpstreamCalls } from '../../src/graphql/budget.js';
import { schema } from '../../src/graphql/schema/index.js';
import { createTestApp } from '../helpers/app.js';
import { useSandboxApp } from '../helpers/sandbox.js';
import { hostileOperation, hostileVariables, operation } from '../helpers/budget-operations.js';

/**
 * The budget estimate is an upper bound of the upstream calls an operation really makes (cache off, so every call
 * is counted), over random operations nesting targets, pages, asTarget hops, intersections and node lookups; and
 * an operation over the budget is refused before any call.
 */
const SEED = Number(process.env.FC_SEED ?? 20261122);
const RUNS = Number(process.env.FC_RUNS ?? 1500) / 5;

// Deep nesting and many aliases are the point here; the armor limits have their own tests.
const env = useSandboxApp({ maxConcurrency: 10_000, maxPerMinute: 10_000_000 }, 'dataforseo', {
  security: { maxDepth: 100, maxAliases: 10_000, maxTokens: 100_000 },
});

// Operations: test/helpers/budget-operations.ts

const HOSTILE_RUNS = Math.ceil(RUNS / 2);
/** A fixed bound on the estimator's work for any operation the generator can write. */
const HOSTILE_WORK_MAX = 5_000;

/** The values a response holds, counted as the estimator counts them: one per field, a list's items each with theirs. */
function responseValues(value: unknown): number {
  const nested = (v: unknown) => (typeof v === 'object' && v !== null ? responseValues(v) : 0);
  if (Array.isArray(value)) return value.reduce((n: number, item) => n + nested(item), 0);
  if (typeof value !== 'object' || value === null) return 0;
  return Object.values(value).reduce((n: number, v) => n + 1 + nested(v), 0);
}

describe('the budget estimate', () => {
  it(
    `bounds the real calls or refuses at no cost, within ${HOSTILE_WORK_MAX} steps, for hostile operations (${HOSTILE_RUNS} runs)`,
    { timeout: 180_000 },
    async () => {
      const outcomes = { bounded: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(hostileOperation, hostileVariables, async (query, variables) => {
          let work = 0;
          try {
            work = estimateUpstreamCalls(schema, parse(query), undefined, variables).work;
          } catch {
            // Refused: the app must refuse it too, at no cost (checked below).
          }
          expect(work, query).toBeLessThanOrEqual(HOSTILE_WORK_MAX);
          const before = env.sandbox.stats().calls;
          const { body } = await env.app.execute(query, variables);
          const real = env.sandbox.stats().calls - before;
          const code = body.errors?.[0]?.extensions?.code;
          expect(code, query).not.toBe('GRAPHQL_VALIDATION_FAILED');
          if (code === 'BUDGET_UNKNOWN' || code === 'BUDGET_EXCEEDED') {
            expect(real, query).toBe(0);
            outcomes.refused += 1;
            return;
          }
          const cost = body.extensions?.cost;
          expect(cost?.estimatedUpstreamCalls, JSON.stringify(body)).toEqual(expect.any(Number));
          expect(real, `${query}\n${JSON.stringify(variables)}`).toBeLessThanOrEqual(cost.estimatedUpstreamCalls);
          outcomes.bounded += 1;
        }),
        { numRuns: HOSTILE_RUNS, seed: SEED },
      );
      // Both outcomes occur: the generator reaches the refusals (null over a default in a condition) and real runs.
      expect(outcomes.refused).toBeGreaterThan(0);
      expect(outcomes.bounded).toBeGreaterThan(HOSTILE_RUNS / 2);
    },
  );

  it(`is an upper bound of the real upstream calls (${RUNS} random operations)`, { timeout: 120_000 }, async () => {
    let exact = 0;
    await fc.assert(
      fc.asyncProperty(operation, async (query) => {
        const before = env.sandbox.stats().calls;
        const { body } = await env.app.execute(query);
        const cost = body.extensions.cost;
        const real = env.sandbox.stats().calls - before;
        expect(real, query).toBe(cost.upstreamCalls);
        expect(cost.estimatedUpstreamCalls, query).toEqual(expect.any(Number));
        expect(real, query).toBeLessThanOrEqual(cost.estimatedUpstreamCalls);
        if (real === cost.estimatedUpstreamCalls) exact += 1;
        // The response-size bound (MAX_RESULT_VALUES) is an upper bound of what the response really holds.
        expect(responseValues(body.data), query).toBeLessThanOrEqual(estimateUpstreamCalls(schema, parse(query), undefined, {}).values);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // An upper bound far above reality would refuse good operations. Here deduplication (the same strong referrers
    // recur in every page) lowers the real figure often; the estimate must still be exact a fair share of the time.
    expect(exact).toBeGreaterThan(RUNS / 10);
  });

  it('refuses an operation over the budget before any upstream call, and dry runs cost nothing', async () => {
    const strict = createTestApp(env.url, 'dataforseo', { maxUpstreamCallsPerOperation: 3, security: { maxDepth: 100 } });
    try {
      await fc.assert(
        fc.asyncProperty(operation, fc.boolean(), async (query, dryRun) => {
          const before = env.sandbox.stats().requests;
          const { body } = await strict.execute(query, undefined, dryRun ? { 'x-dry-run': 'true' } : {});
          const estimate = body.extensions.cost.estimatedUpstreamCalls;
          if (dryRun) {
            // A dry run answers as the run would: the refusal over the budget, else the estimate alone.
            expect(body.data).toBeUndefined();
            if (estimate > 3)
              expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BUDGET_EXCEEDED', estimatedUpstreamCalls: estimate });
            else expect(body.extensions.dryRun).toBe(true);
            expect(env.sandbox.stats().requests - before).toBe(0);
          } else if (estimate > 3) {
            expect(body.errors?.[0]?.extensions).toMatchObject({
              code: 'BUDGET_EXCEEDED',
              estimatedUpstreamCalls: estimate,
              maxUpstreamCalls: 3,
            });
            expect(env.sandbox.stats().requests - before).toBe(0);
          }
        }),
        { numRuns: RUNS, seed: SEED },
      );
    } finally {
      await strict.close();
    }
  });
});
