import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeTarget } from '../../src/dataforseo/target.js';
import { createTestApp } from '../helpers/app.js';
import {
  BULK_ENDPOINTS,
  METRIC_FIELDS,
  NEW_LOST_FIELDS,
  figure,
  isBulkEndpoint,
  paramsOf,
  type BulkEndpointName,
} from '../helpers/bulk-upstream.js';
import { omitted, operation, range, replyFor, summaryRank } from '../helpers/bulk-operations.js';
import { createMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';

/**
 * Random operations mixing summary fields, bulk fields, newAndLost on several days, lists of targets with duplicates
 * and unnormalised spellings, aliases, fragments, and pages of referring domains (and of intersections) whose
 * asTargets ask for bulk fields, two levels deep — against an upstream double whose every figure is a hash of its
 * endpoint, parameters and target, and whose bulk answers shuffle their items, leave some targets out, spell others
 * differently, add strangers and duplicates. For each operation:
 * (a) the real upstream calls (counted at the double, cache off) never exceed extensions.cost.estimatedUpstreamCalls;
 * (b) every bulk figure returned is the one the double said for that target, endpoint and parameters, and null
 *     exactly where the double left the target out: no figure lands on another key of its batch;
 * (c) a bulk task carries normalised targets, each once, and no operation sends a target twice to one endpoint with
 *     one parameter set (all of an operation's targets go in one batch).
 * The seed is fixed so CI is reproducible; FC_SEED=… and FC_RUNS=… explore others.
 */
const SEED = Number(process.env.FC_SEED ?? 20261201);
const RUNS = Number(process.env.FC_RUNS ?? 40);

let upstream: MockUpstream;
let app: ReturnType<typeof createTestApp>;
beforeAll(async () => {
  upstream = await createMockUpstream();
  for (const endpoint of ['summary', 'referring_domains', 'domain_intersection', ...BULK_ENDPOINTS]) {
    upstream.expect({ endpoint, reply: (task) => replyFor(endpoint, task), times: Number.MAX_SAFE_INTEGER });
  }
  app = createTestApp(upstream.url, 'dataforseo', { security: { maxDepth: 100, maxAliases: 10_000, maxTokens: 100_000 } });
});
afterAll(async () => {
  await app.close();
  await upstream.close();
});

// ---------------------------------------------------------------------------------------------------------------
// Operations

// Operations: test/helpers/bulk-operations.ts

// ---------------------------------------------------------------------------------------------------------------
// Checks

// ---------------------------------------------------------------------------------------------------------------
// Checks

/** The rank_scale each entry of OPTIONS sends. */
const SCALE_OF_OPTIONS = ['one_thousand', 'one_hundred', 'one_thousand', 'one_hundred'];

interface Checked {
  figures: number;
  nulls: number;
}

/** Every Target in the response (objects with `target`), with the rank scale its root alias counts with. */
function checkResponse(data: unknown, scaleOf: (alias: string) => string, checked: Checked): void {
  const visit = (value: unknown, scale: string): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v, scale);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const obj = value as Record<string, unknown>;
    if (typeof obj.target === 'string') checkTarget(obj, scale, checked);
    for (const v of Object.values(obj)) visit(v, scale);
  };
  for (const [alias, value] of Object.entries(data as Record<string, unknown>)) visit(value, scaleOf(alias));
}

function expectFigure(
  got: unknown,
  endpoint: BulkEndpointName,
  params: Record<string, unknown>,
  target: string,
  field: string,
  checked: Checked,
) {
  const want = omitted(target, endpoint) ? null : figure(endpoint, params, target, field);
  expect(got, `${endpoint} ${field} of ${target} ${JSON.stringify(params)}`).toBe(want);
  if (want === null) checked.nulls += 1;
  else checked.figures += 1;
}

function checkTarget(obj: Record<string, unknown>, scale: string, checked: Checked): void {
  const target = obj.target as string;
  if ('rank' in obj) expect(obj.rank, `summary rank of ${target}`).toBe(summaryRank(target));
  const bm = obj.bulkMetrics as Record<string, unknown> | null | undefined;
  if (bm === undefined) return;
  expect(bm, `bulkMetrics of ${target}`).not.toBeNull();
  for (const [key, value] of Object.entries(bm as Record<string, unknown>)) {
    if (Object.hasOwn(METRIC_FIELDS, key)) {
      const [endpoint, field] = METRIC_FIELDS[key as keyof typeof METRIC_FIELDS];
      expectFigure(value, endpoint, endpoint === 'bulk_ranks' ? { rank_scale: scale } : {}, target, field, checked);
      continue;
    }
    // A newAndLost alias: its `since` says which day it counts from.
    const nl = value as Record<string, unknown>;
    expect(typeof nl.since).toBe('string');
    for (const [nlKey, nlValue] of Object.entries(nl)) {
      if (nlKey === 'since') continue;
      const [endpoint, field] = NEW_LOST_FIELDS[nlKey as keyof typeof NEW_LOST_FIELDS];
      expectFigure(nlValue, endpoint, { date_from: nl.since }, target, field, checked);
    }
  }
}

/** (c): normalised targets, each once per task, and once per endpoint and parameters in the whole operation. */
function checkBulkCalls(): number {
  const sent = new Map<string, Set<string>>();
  let bulkCalls = 0;
  for (const call of upstream.calls) {
    if (!isBulkEndpoint(call.endpoint)) continue;
    bulkCalls += 1;
    const targets = call.task.targets as string[];
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.length).toBeLessThanOrEqual(1000);
    expect(new Set(targets).size, `${call.endpoint}: a target twice in one task`).toBe(targets.length);
    for (const t of targets) expect(normalizeTarget(t).value).toBe(t);
    const key = JSON.stringify([call.endpoint, paramsOf(call.task)]);
    const seen = sent.get(key) ?? new Set<string>();
    for (const t of targets) {
      expect(seen.has(t), `${key}: ${t} sent twice in one operation`).toBe(false);
      seen.add(t);
    }
    sent.set(key, seen);
  }
  return bulkCalls;
}

describe('bulk fields over random operations', () => {
  it('the estimate bounds the calls, and every bulk figure is its own target’s', { timeout: 150_000 }, async () => {
    const totals = { runs: 0, calls: 0, bulkCalls: 0, figures: 0, nulls: 0, tight: 0 };
    await fc.assert(
      fc.asyncProperty(operation, async ({ query, big }) => {
        upstream.calls.length = 0;
        const variables = big ? { bigA: range(0, big.a), bigB: range(big.bStart, big.b) } : undefined;
        const { status, body } = await app.execute(query, variables);
        expect(body.errors, `${query}\n${JSON.stringify(body.errors)}`).toBeUndefined();
        expect(status).toBe(200);
        const calls = upstream.calls.length;
        const unexpected = upstream.calls.filter((c) => c.endpoint === '' || (c.task as { unexpected?: unknown }).unexpected);
        expect(unexpected).toEqual([]);
        const cost = body.extensions.cost as { upstreamCalls: number; estimatedUpstreamCalls: number };
        expect(cost.upstreamCalls).toBe(calls);
        expect(calls, query).toBeLessThanOrEqual(cost.estimatedUpstreamCalls);
        const checked = { figures: 0, nulls: 0 };
        checkResponse(body.data, (alias) => SCALE_OF_OPTIONS[Number(/_o(\d)$/.exec(alias)?.[1] ?? 0)] ?? 'one_thousand', checked);
        const bulkCalls = checkBulkCalls();
        totals.runs += 1;
        totals.calls += calls;
        totals.bulkCalls += bulkCalls;
        totals.figures += checked.figures;
        totals.nulls += checked.nulls;
        if (calls === cost.estimatedUpstreamCalls) totals.tight += 1;
      }),
      // Far above the usual ~10 s: a failure shrinks for a while, then the smallest operation found so far is reported.
      { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: 90_000 },
    );
    // The runs did reach what they are meant to check.
    expect(totals.bulkCalls).toBeGreaterThan(RUNS);
    expect(totals.figures).toBeGreaterThan(100 * RUNS);
    expect(totals.nulls).toBeGreaterThan(10 * RUNS);
  });
});
