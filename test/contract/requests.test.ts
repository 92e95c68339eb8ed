import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { createMockUpstream, okEnvelope, referringDomainsResult, summaryResult, type MockUpstream } from '../helpers/mock-upstream.js';
import { CONTRACT_ENDPOINTS, requestErrors } from '../helpers/openapi.js';

/** Every request the server sends, through either wire, validates against the contract and carries one task. */

const OPERATIONS = [
  `{ target(target: "Example.com") { rank info { server } } }`,
  `{ target(target: "https://Example.com/blog/", options: { status: ALL, includeSubdomains: false, includeIndirectLinks: false, excludeInternalBacklinks: false, rankScale: ONE_HUNDRED, breakdownLimit: 1000 }) {
      rank referringDomains(first: 1000) { totalCount } } }`,
  `{ target(target: "a.com") { referringDomains(last: 3) { nodes { domain asTarget { rank } } } } }`,
  `{ domainIntersection(targets: ["a.com", "b.com", "https://c.com/page"], excludeTargets: ["d.com", "https://e.com/x/*"], mode: PARTIAL, options: { status: LOST }, first: 10) { totalCount } }`,
  `{ target(target: "a.com") { intersection(others: ["b.com"]) { nodes { domain } } } }`,
];

let upstream: MockUpstream;
beforeAll(async () => {
  upstream = await createMockUpstream();
});
afterAll(() => upstream.close());

function expectAnything() {
  upstream.expect({ endpoint: 'summary', times: 1000, reply: (t) => okEnvelope('summary', summaryResult(String(t.target))) });
  upstream.expect({
    endpoint: 'referring_domains',
    times: 1000,
    reply: (t) => okEnvelope('referring_domains', referringDomainsResult(t, 20)),
  });
  upstream.expect({
    endpoint: 'domain_intersection',
    times: 1000,
    reply: () => okEnvelope('domain_intersection', { total_count: 0, items_count: 0, items: [] }),
  });
  for (const endpoint of CONTRACT_ENDPOINTS.filter((e) => e.startsWith('bulk_'))) {
    upstream.expect({ endpoint, times: 1000, reply: () => okEnvelope(endpoint, { items_count: 0, items: [] }) });
  }
}

describe.each(['dataforseo', 'aisa'] as const)('requests through the %s wire', (wire) => {
  it('validate against the OpenAPI request schemas, one task per call', async () => {
    upstream.reset();
    expectAnything();
    const app = createTestApp(upstream.url, wire);
    for (const query of OPERATIONS) {
      const { body } = await app.execute(query);
      expect(body.errors, query).toBeUndefined();
    }
    const bulk = { targets: ['a.com', 'https://b.com/page'], tag: 'contract' };
    await app.client.bulkRanks({ ...bulk, rank_scale: 'one_hundred' });
    await app.client.bulkBacklinks(bulk);
    await app.client.bulkSpamScore(bulk);
    await app.client.bulkReferringDomains(bulk);
    await app.client.bulkNewLostBacklinks({ ...bulk, date_from: '2026-01-01' });
    await app.client.bulkNewLostReferringDomains({ ...bulk, date_from: '2026-01-01' });
    await app.client.bulkPagesSummary({ ...bulk, include_subdomains: false, rank_scale: 'one_thousand' });
    await app.close();

    expect(new Set(upstream.calls.map((c) => c.endpoint))).toEqual(
      new Set(['summary', 'referring_domains', 'domain_intersection', ...CONTRACT_ENDPOINTS.filter((e) => e.startsWith('bulk_'))]),
    );
    for (const call of upstream.calls) {
      if (wire === 'dataforseo') {
        expect(call.path).toBe(`/v3/backlinks/${call.endpoint}/live`);
        expect(Array.isArray(call.body) && call.body.length).toBe(1);
        expect(call.headers.authorization).toMatch(/^Basic /);
      } else {
        expect(call.path).toBe(`/apis/v1/dataforseo/backlinks/${call.endpoint}/live`);
        expect(Array.isArray(call.body)).toBe(false);
        expect(call.headers.authorization).toMatch(/^Bearer sk-aisa-/);
      }
      expect(requestErrors(call.endpoint, call.task), JSON.stringify(call.task)).toEqual([]);
    }
  });
});

it('the validator refuses what the upstream refuses: unknown fields and wrong types', () => {
  expect(requestErrors('summary', { target: 'a.com', limit: 5 })).not.toEqual([]);
  expect(requestErrors('referring_domains', { target: 'a.com', limit: '5' })).not.toEqual([]);
  expect(requestErrors('domain_intersection', { targets: ['a.com'] })).not.toEqual([]);
});
