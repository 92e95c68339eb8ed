import { describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { useSandboxApp } from '../helpers/sandbox.js';

/** /metrics, parsed: the upstream counters move by exactly what each query cost. */

const env = useSandboxApp({}, 'dataforseo', { metrics: true, cacheTtlMs: 60_000 });

async function scrape(): Promise<Map<string, number>> {
  const text = await (await env.app.yoga.fetch('http://yoga/metrics')).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m?.[1] && m[2]) samples.set(m[1], Number(m[2]));
  }
  return samples;
}
const sum = (samples: Map<string, number>, name: string) =>
  [...samples].filter(([k]) => k === name || k.startsWith(`${name}{`)).reduce((t, [, v]) => t + v, 0);

describe('/metrics', () => {
  it('counts upstream calls, cost, cache hits and GraphQL requests by operation, exactly', async () => {
    const before = await scrape();
    const first = await env.app.execute(
      'query Profile { target(target: "ahrefs.com") { rank referringDomains(first: 10) { nodes { asTarget { rank } } } } }',
    );
    const middle = await scrape();
    const calls = first.body.extensions.cost.upstreamCalls;
    expect(calls).toBeGreaterThan(2);
    expect(sum(middle, 'backlinks_upstream_calls_total') - sum(before, 'backlinks_upstream_calls_total')).toBe(calls);
    expect(sum(middle, 'backlinks_upstream_cost_usd_total') - sum(before, 'backlinks_upstream_cost_usd_total')).toBeCloseTo(
      first.body.extensions.cost.upstreamCostUsd,
      8,
    );
    expect(middle.get('backlinks_upstream_calls_total{endpoint="referring_domains",status="20000"}')).toBe(1);

    const again = await env.app.execute(
      'query Profile { target(target: "ahrefs.com") { rank referringDomains(first: 10) { nodes { asTarget { rank } } } } }',
    );
    const after = await scrape();
    expect(again.body.extensions.cost).toMatchObject({ upstreamCalls: 0, cacheHits: calls });
    expect(sum(after, 'backlinks_upstream_calls_total')).toBe(sum(middle, 'backlinks_upstream_calls_total'));
    expect(sum(after, 'backlinks_cache_hits_total') - sum(middle, 'backlinks_cache_hits_total')).toBe(calls);
    expect(sum(after, 'graphql_envelop_request') - sum(before, 'graphql_envelop_request')).toBe(2);
    expect([...after.keys()].some((k) => k.startsWith('graphql_envelop_request{') && k.includes('operationName="Profile"'))).toBe(true);
    expect([...after.keys()].some((k) => k.includes('url='))).toBe(false);
    expect([...after.keys()].some((k) => k.startsWith('backlinks_upstream_duration_seconds_bucket'))).toBe(true);
  });

  it('counts budget refusals and error results', async () => {
    const strict = createTestApp(env.url, 'dataforseo', { metrics: true, maxUpstreamCallsPerOperation: 5 });
    const scrapeStrict = async () => {
      const text = await (await strict.yoga.fetch('http://yoga/metrics')).text();
      return text;
    };
    const refused = await strict.execute(
      'query Big { target(target: "a.com") { referringDomains(first: 10) { nodes { asTarget { rank } } } } }',
    );
    expect(refused.body.errors?.[0]?.extensions.code).toBe('BUDGET_EXCEEDED');
    const text = await scrapeStrict();
    await strict.close();
    expect(text).toMatch(/^backlinks_budget_rejections_total 1$/m);
  });

  it('counts error results by operation, and upstream calls by status code', async () => {
    env.sandbox.setFaults({ targetCodes: { 'broken.com': 40501 } });
    const { body } = await env.app.execute('query Broken { target(target: "broken.com") { rank } }');
    env.sandbox.setFaults({});
    expect(body.errors?.[0]?.extensions.code).toBe('UPSTREAM_BAD_REQUEST');
    const samples = await scrape();
    expect([...samples].find(([k]) => k.startsWith('graphql_envelop_error_result{') && k.includes('operationName="Broken"'))?.[1]).toBe(1);
    expect(samples.get('backlinks_upstream_calls_total{endpoint="summary",status="40501"}')).toBe(1);
  });
});
