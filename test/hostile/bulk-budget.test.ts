import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, useMockUpstreamApp } from '../helpers/app.js';
import { bulkReply } from '../helpers/bulk-upstream.js';
import { okEnvelope, summaryResult, taskErrorEnvelope } from '../helpers/mock-upstream.js';

/**
 * Ways around the budget through the bulk fields, counted at the strict double: each day of newAndLost is its own
 * call, so many days are priced and refused like many calls; retries of a failing bulk call stay inside the
 * operation's allowance; a failing bulk task of 1000 targets is one failure for the breaker, not a thousand.
 */
const env = useMockUpstreamApp();
let budgeted: ReturnType<typeof createTestApp>;
let retrying: ReturnType<typeof createTestApp>;
let guarded: ReturnType<typeof createTestApp>;
beforeAll(() => {
  budgeted = createTestApp(env.upstream.url, 'dataforseo', { maxUpstreamCallsPerOperation: 50 });
  retrying = createTestApp(env.upstream.url, 'dataforseo', {
    maxUpstreamCallsPerOperation: 2,
    retry: { retries: 4 },
    breaker: { volume: 1000 },
  });
  guarded = createTestApp(env.upstream.url, 'dataforseo', { breaker: { volume: 5, errorPercentage: 50, resetMs: 60_000 } });
});
afterAll(async () => {
  await Promise.all([budgeted.close(), retrying.close(), guarded.close()]);
});

const now = new Date();
const day = (back: number) =>
  new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - back)).toISOString().slice(0, 10);
const days = (n: number) =>
  Array.from({ length: n }, (_, i) => `d${i}: newAndLost(since: "${day(i + 1)}") { newBacklinkCount newReferringDomainCount }`).join(' ');
const codes = (errors: { extensions?: { code?: string } }[] | undefined) => (errors ?? []).map((e) => e.extensions?.code);

describe('many days of newAndLost are many calls', () => {
  it('30 days × 2 endpoints on one target: 60 calls, refused above 50 before any call; the dry run prices them', async () => {
    const query = `{ target(target: "a.example") { bulkMetrics { ${days(30)} } } }`;
    const refused = await budgeted.execute(query);
    expect(codes(refused.body.errors)).toEqual(['BUDGET_EXCEEDED']);
    expect(refused.body.errors?.[0].extensions.estimatedUpstreamCalls).toBe(60);
    const dry = await budgeted.execute(query, undefined, { 'x-dry-run': 'true' });
    expect(dry.body.extensions.cost).toMatchObject({ estimatedUpstreamCalls: 60, upstreamCalls: 0 });
    expect(env.upstream.calls).toHaveLength(0);
  });

  it('12 days × 2 endpoints over 300 targets: 24 calls, as estimated', async () => {
    env.upstream.expect({ endpoint: 'bulk_new_lost_backlinks', reply: bulkReply('bulk_new_lost_backlinks'), times: 12 });
    env.upstream.expect({ endpoint: 'bulk_new_lost_referring_domains', reply: bulkReply('bulk_new_lost_referring_domains'), times: 12 });
    const targets = Array.from({ length: 300 }, (_, i) => `t${i}.example`);
    const { body } = await budgeted.execute(`query($t: [String!]!) { targets(targets: $t) { bulkMetrics { ${days(12)} } } }`, {
      t: targets,
    });
    expect(body.errors).toBeUndefined();
    expect(env.upstream.calls).toHaveLength(24);
    expect(new Set(env.upstream.calls.map((c) => `${c.endpoint} ${String(c.task.date_from)}`)).size).toBe(24);
    for (const c of env.upstream.calls) expect(c.task.targets).toHaveLength(300);
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 24, estimatedUpstreamCalls: 24 });
  });

  it('ten aliases of the same 1000 targets are priced at 10 calls and make 1', async () => {
    env.upstream.expect({ endpoint: 'bulk_ranks', reply: bulkReply('bulk_ranks') });
    const targets = Array.from({ length: 1000 }, (_, i) => `t${i}.example`);
    const aliases = Array.from({ length: 10 }, (_, i) => `a${i}: targets(targets: $t) { bulkMetrics { rank } }`).join(' ');
    const { body } = await budgeted.execute(`query($t: [String!]!) { ${aliases} }`, { t: targets });
    expect(body.errors).toBeUndefined();
    expect(env.upstream.calls).toHaveLength(1);
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 1, estimatedUpstreamCalls: 10 });
  });
});

describe('retries of a failing bulk call stay inside the allowance', () => {
  it('a bulk_ranks task failing 50000 with 4 retries allowed makes at most 2 calls under an allowance of 2', async () => {
    env.upstream.expect({ endpoint: 'bulk_ranks', reply: taskErrorEnvelope('bulk_ranks', 50000), times: 2 });
    const { body } = await retrying.execute('{ targets(targets: ["a.example", "b.example"]) { bulkMetrics { rank } } }');
    // One failed call, one error naming both fields it nulled.
    expect(codes(body.errors)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(body.errors?.[0]?.extensions.paths).toHaveLength(2);
    expect(env.upstream.calls).toHaveLength(2);
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 2, estimatedUpstreamCalls: 1, retries: 1 });
  });
});

describe('the breaker counts a failing bulk task as one failure', () => {
  it('a failed bulk call of 1000 targets does not open it: the next summary is still sent', async () => {
    env.upstream.expect({ endpoint: 'bulk_ranks', status: 500, reply: { error: 'boom' } });
    const targets = Array.from({ length: 1000 }, (_, i) => `t${i}.example`);
    const failed = await guarded.execute('query($t: [String!]!) { targets(targets: $t) { bulkMetrics { rank } } }', { t: targets });
    expect(new Set(codes(failed.body.errors))).toEqual(new Set(['UPSTREAM_UNAVAILABLE']));
    expect(failed.body.errors).toHaveLength(1);
    expect(failed.body.errors?.[0]?.extensions.paths).toHaveLength(1000);
    env.upstream.assertDone();
    env.upstream.reset();

    env.upstream.expect({ endpoint: 'summary', reply: okEnvelope('summary', summaryResult('other.example')) });
    const next = await guarded.execute('{ target(target: "other.example") { rank } }');
    expect(next.body.errors).toBeUndefined();
    expect(next.body.data.target.rank).toBe(100);
    expect(guarded.gateway.breakerState()).toBe('closed');
  });
});
