import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { useSandboxApp } from '../helpers/sandbox.js';

/**
 * The budget estimate is an upper bound of the upstream calls an operation really makes (cache off, so every call
 * is counted), over random operations nesting targets, pages, asTarget hops, intersections and node lookups; and
 * an operation over the budget is refused before any call.
 */
const SEED = Number(process.env.FC_SEED ?? 20261122);
const RUNS = Number(process.env.FC_RUNS ?? 1500) / 5;

// Deep nesting is the point here; the depth limit has its own tests.
const env = useSandboxApp({ maxConcurrency: 10_000, maxPerMinute: 10_000_000 }, 'dataforseo', { security: { maxDepth: 100 } });

const target = fc.constantFrom('backlinko.com', 'ahrefs.com', 'moz.com', 'explodingtopics.com', 'https://example.com/blog/');
const size = fc.integer({ min: 0, max: 4 });
const pageArgs = fc.oneof(size.map((n) => `first: ${n}`), size.map((n) => `last: ${n}`));
/** Pages that fan out stay small; others may use the default size (25). */
const anyPageArgs = fc.oneof(pageArgs, fc.constant(''));

const { targetSel } = fc.letrec<{ targetSel: string }>((tie) => ({
  targetSel: fc
    .tuple(
      fc.subarray(['rank', 'backlinkCount', 'info { server }', 'target', 'id'], { minLength: 1 }),
      fc.option(
        fc.tuple(anyPageArgs, fc.subarray(['totalCount', 'pageInfo { hasNextPage }', 'nodes { domain }', 'nodes { target { rank } }', 'edges { node { domain } }'])).map(([args, sel]) => `rd: referringDomains${args ? `(${args})` : ''} { totalCount ${sel.join(' ')} }`),
        { nil: '' },
      ),
      fc.option(
        fc.tuple(pageArgs, fc.option(tie('targetSel'), { nil: undefined, depthSize: 'small' })).map(([args, sub]) => `hop: referringDomains${args ? `(${args})` : ''} { nodes { asTarget { ${sub ?? 'rank'} } } }`),
        { nil: '' },
      ),
      fc.option(
        fc.tuple(target, size, fc.subarray(['domain', 'intersectionCount', 'links { target { rank } }', 'links { rank }', 'asTarget { rank }'], { minLength: 1 })).map(([other, n, sel]) => `ix: intersection(others: ["${other === 'moz.com' ? 'semrush.com' : 'moz.com'}"], first: ${n}) { nodes { ${sel.join(' ')} } }`),
        { nil: '' },
      ),
    )
    .map(([fields, rd, hop, ix]) => [...fields, rd, hop, ix].filter(Boolean).join(' ')),
}));

const nodeId = fc.oneof(
  target.map((t) => Buffer.from(`Target:${JSON.stringify([t.startsWith('http') ? t : t, {}])}`).toString('base64')),
  fc.tuple(target, fc.constantFrom('deltagroveblog.com', 'nowhere.com')).map(([t, d]) => Buffer.from(`ReferringDomain:${JSON.stringify([t, {}, d])}`).toString('base64')),
);

const rootField = fc.oneof(
  fc.tuple(target, targetSel).map(([t, sel]) => `target(target: "${t}") { ${sel} }`),
  fc.tuple(fc.uniqueArray(target, { minLength: 1, maxLength: 3 }), targetSel).map(([ts, sel]) => `targets(targets: ${JSON.stringify(ts)}) { ${sel} }`),
  fc.tuple(fc.uniqueArray(target, { minLength: 2, maxLength: 3 }), size, fc.constantFrom('domain', 'links { target { rank } }', 'asTarget { rank backlinkCount }')).map(([ts, n, sel]) => `domainIntersection(targets: ${JSON.stringify(ts)}, first: ${n}) { totalCount nodes { ${sel} } }`),
  fc.tuple(nodeId, targetSel).map(([id, sel]) => `node(id: "${id}") { id ... on Target { ${sel} } ... on ReferringDomain { domain asTarget { rank } } }`),
);

const operation = fc.array(rootField, { minLength: 1, maxLength: 3 }).map((fields) => `{ ${fields.map((f, i) => `f${i}: ${f}`).join('\n')} }`);

describe('the budget estimate', () => {
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
            expect(body.data).toBeUndefined();
            expect(body.extensions.dryRun).toBe(true);
            expect(env.sandbox.stats().requests - before).toBe(0);
          } else if (estimate > 3) {
            expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BUDGET_EXCEEDED', estimatedUpstreamCalls: estimate, maxUpstreamCalls: 3 });
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
