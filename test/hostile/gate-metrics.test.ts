import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { createMockUpstream } from '../helpers/mock-upstream.js';
import { OPERATION_NAME_LABELS_MAX } from '../../src/ops/metrics.js';

/** Operation names are the client's to choose: thousands of made-up names must not grow /metrics. */

const upstream = await createMockUpstream();
const app = createTestApp(upstream.url, 'dataforseo', { metrics: true });
afterAll(async () => {
  await app.close();
  await upstream.close();
});

const scrape = async () => (await app.yoga.fetch('http://yoga/metrics')).text();
const operationNames = (text: string) => new Set([...text.matchAll(/operationName="([^"]*)"/g)].map((m) => m[1]));

describe('metric labels from a bounded set', () => {
  it('collapses operation names past the first ones seen into "other", so /metrics stays small', { timeout: 120_000 }, async () => {
    const baseline = (await scrape()).length;
    const names = 3000;
    for (let i = 0; i < names; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => app.execute(`query Made_up_${i + j} { __typename }`).then(() => undefined)));
    }
    // Errors too (an unknown field), with long names and names that pose as "other".
    await app.execute(`query ${'L'.repeat(5000)} { nope }`);
    await app.execute('query other { nope }');
    const text = await scrape();
    const seen = operationNames(text);
    expect(seen.size).toBeLessThanOrEqual(OPERATION_NAME_LABELS_MAX + 2);
    expect(seen.has('other')).toBe(true);
    expect([...seen].every((name) => (name ?? '').length <= 64)).toBe(true);
    expect(text).not.toMatch(/path="/);
    // About 7 KB per operation name across the histograms: 100 names make ~0.7 MB; 3000 made ~31 MB before.
    expect(text.length - baseline).toBeLessThan(1_500_000);
    expect(text).toMatch(
      /graphql_envelop_request\{operationName="other",operationType="unknown"\} \d+|graphql_envelop_request\{operationName="other",operationType="query"\} \d+/,
    );
  });
});
