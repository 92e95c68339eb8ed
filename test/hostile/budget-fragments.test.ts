import { describe, expect, it } from 'vitest';
import { useMockUpstreamApp } from '../helpers/app.js';

/**
 * Repeated fragments are costed once each: 22 fragments that each spread the next twice (under 1 KB) would expand
 * to 4 million selections. The server must answer at once (the test's own timeout is the deadline; the estimator's
 * work is counted in test/unit/budget.test.ts), and /health must not wait behind it.
 */
const env = useMockUpstreamApp();

function doubled(levels: number, leaf: string, on = 'Target'): string {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on ${on} { ...F${i + 1} ...F${i + 1} }`);
  return `${fragments.join(' ')} fragment F${levels} on ${on} { ${leaf} }`;
}

describe('doubled fragments', () => {
  it('22 levels under 1 KB: answered with its exact estimate', { timeout: 5_000 }, async () => {
    const document = `{ target(target: "a.com") { ...F0 } } ${doubled(22, 'target id')}`;
    expect(document.length).toBeLessThan(1024);
    const { body } = await env.app.execute(document);
    expect(body.errors).toBeUndefined();
    expect(body.data.target.target).toBe('a.com');
    expect(body.extensions.cost.estimatedUpstreamCalls).toBe(0);
    expect(env.upstream.calls).toHaveLength(0);
  });

  it('22 levels on Query, each leaf a fan-out: refused by the budget at once, no call', { timeout: 5_000 }, async () => {
    const document = `{ ...F0 } ${doubled(22, 'target(target: "a.com") { referringDomains(first: 1000) { nodes { asTarget { rank } } } }', 'Query')}`;
    const { body } = await env.app.execute(document);
    expect(body.errors?.[0]?.extensions?.code).toBe('BUDGET_EXCEEDED');
    expect(env.upstream.calls).toHaveLength(0);
  });

  it('/health answers while a doubled-fragment operation is being handled', { timeout: 5_000 }, async () => {
    const document = `{ target(target: "a.com") { ...F0 } } ${doubled(22, 'target')}`;
    const operation = env.app.execute(document);
    const health = await env.app.yoga.fetch('http://yoga/health');
    expect(health.status).toBe(200);
    await operation;
  });
});
