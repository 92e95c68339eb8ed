import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, useMockUpstreamApp } from '../helpers/app.js';
import { createMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import type { ExecutorName } from '../../src/http/plugins/executor.js';

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

/**
 * graphql-jit compiles every selection of the operation once its fragments are inlined: compiling the doubled chain
 * would generate code for millions of selections. An operation past JIT_SELECTIONS_MAX stays with graphql-js on every
 * execution (auto mode compiles from the second), so sending it again and again costs what the first did.
 */
describe('doubled fragments sent again and again', () => {
  let upstream: MockUpstream;
  let app: ReturnType<typeof createTestApp>;
  const executors: ExecutorName[] = [];
  beforeAll(async () => {
    upstream = await createMockUpstream();
    app = createTestApp(upstream.url, 'dataforseo', { executor: { onExecutor: (name) => void executors.push(name) } });
  });
  afterAll(async () => {
    await app.close();
    await upstream.close();
  });

  it(
    '22 levels, five times, and the same spelled with other names: graphql-js every time, answered at once',
    { timeout: 5_000 },
    async () => {
      const document = `{ target(target: "a.com") { ...F0 } } ${doubled(22, 'target id')}`;
      const renamed = document.replaceAll('F', 'G');
      for (const text of [document, document, document, renamed, renamed, document, renamed]) {
        const { body } = await app.execute(text);
        expect(body.errors).toBeUndefined();
        expect(body.data.target.target).toBe('a.com');
      }
      expect(executors).toEqual(Array(7).fill('graphql-js'));
      // The control: a small document goes to graphql-jit from its second execution.
      for (let i = 0; i < 2; i++) await app.execute(`{ target(target: "a.com") { ...F0 } } ${doubled(3, 'target id')}`);
      expect(executors.slice(7)).toEqual(['graphql-js', 'graphql-jit']);
      expect(upstream.calls).toHaveLength(0);
    },
  );
});
