import fc from 'fast-check';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { estimateUpstreamCalls } from '../../src/graphql/budget.js';
import { schema } from '../../src/graphql/schema/index.js';
import { createTestApp } from '../helpers/app.js';
import { useSandboxApp } from '../helpers/sandbox.js';

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

const target = fc.constantFrom('backlinko.com', 'ahrefs.com', 'moz.com', 'explodingtopics.com', 'https://example.com/blog/');
const size = fc.integer({ min: 0, max: 4 });
const pageArgs = fc.oneof(
  size.map((n) => `first: ${n}`),
  size.map((n) => `last: ${n}`),
);
/** Pages that fan out stay small; others may use the default size (25). */
const anyPageArgs = fc.oneof(pageArgs, fc.constant(''));

const { targetSel } = fc.letrec<{ targetSel: string }>((tie) => ({
  targetSel: fc
    .tuple(
      fc.subarray(['rank', 'backlinkCount', 'info { server }', 'target', 'id'], { minLength: 1 }),
      fc.option(
        fc
          .tuple(
            anyPageArgs,
            fc.subarray([
              'totalCount',
              'pageInfo { hasNextPage }',
              'nodes { domain }',
              'nodes { target { rank } }',
              'edges { node { domain } }',
            ]),
          )
          .map(([args, sel]) => `rd: referringDomains${args ? `(${args})` : ''} { totalCount ${sel.join(' ')} }`),
        { nil: '' },
      ),
      fc.option(
        fc
          .tuple(pageArgs, fc.option(tie('targetSel'), { nil: undefined, depthSize: 'small' }))
          .map(([args, sub]) => `hop: referringDomains${args ? `(${args})` : ''} { nodes { asTarget { ${sub ?? 'rank'} } } }`),
        { nil: '' },
      ),
      fc.option(
        fc
          .tuple(
            target,
            size,
            fc.subarray(['domain', 'intersectionCount', 'links { target { rank } }', 'links { rank }', 'asTarget { rank }'], {
              minLength: 1,
            }),
          )
          .map(
            ([other, n, sel]) =>
              `ix: intersection(others: ["${other === 'moz.com' ? 'semrush.com' : 'moz.com'}"], first: ${n}) { nodes { ${sel.join(' ')} } }`,
          ),
        { nil: '' },
      ),
    )
    .map(([fields, rd, hop, ix]) => [...fields, rd, hop, ix].filter(Boolean).join(' ')),
}));

const nodeId = fc.oneof(
  target.map((t) => Buffer.from(`Target:${JSON.stringify([t.startsWith('http') ? t : t, {}])}`).toString('base64')),
  fc
    .tuple(target, fc.constantFrom('deltagroveblog.com', 'nowhere.com'))
    .map(([t, d]) => Buffer.from(`ReferringDomain:${JSON.stringify([t, {}, d])}`).toString('base64')),
);

const rootField = fc.oneof(
  fc.tuple(target, targetSel).map(([t, sel]) => `target(target: "${t}") { ${sel} }`),
  fc
    .tuple(fc.uniqueArray(target, { minLength: 1, maxLength: 3 }), targetSel)
    .map(([ts, sel]) => `targets(targets: ${JSON.stringify(ts)}) { ${sel} }`),
  fc
    .tuple(
      fc.uniqueArray(target, { minLength: 2, maxLength: 3 }),
      size,
      fc.constantFrom('domain', 'links { target { rank } }', 'asTarget { rank backlinkCount }'),
    )
    .map(([ts, n, sel]) => `domainIntersection(targets: ${JSON.stringify(ts)}, first: ${n}) { totalCount nodes { ${sel} } }`),
  fc
    .tuple(nodeId, targetSel)
    .map(([id, sel]) => `node(id: "${id}") { id ... on Target { ${sel} } ... on ReferringDomain { domain asTarget { rank } } }`),
);

const operation = fc
  .array(rootField, { minLength: 1, maxLength: 3 })
  .map((fields) => `{ ${fields.map((f, i) => `f${i}: ${f}`).join('\n')} }`);

/**
 * Operations as a hostile client writes them: named fragments spread several times (from each other, never in a
 * cycle), inline fragments with and without a type condition, @skip/@include on fields, spreads and inline
 * fragments with literal and variable conditions, variables that are null, missing or defaulted (a null over a
 * default makes an argument or a condition impossible), aliases of equal fields.
 */
const b64 = (s: string) => Buffer.from(s).toString('base64');
const condition = fc.constantFrom('true', 'false', '$b1', '$b2');
const directive = fc.option(
  fc.tuple(fc.constantFrom('skip', 'include'), condition).map(([d, c]) => ` @${d}(if: ${c})`),
  { nil: '', freq: 2 },
);
const decorate = (sel: fc.Arbitrary<string>) =>
  fc
    .tuple(sel, directive, fc.constantFrom('plain', 'inline', 'typed', 'profile'))
    .map(([s, d, how]) =>
      how === 'plain'
        ? s
        : how === 'inline'
          ? `...${d} { ${s} }`
          : how === 'typed'
            ? `... on Target${d} { ${s} }`
            : `... on LinkProfile${d} { rank }`,
    );
const hostileTargetSel = fc
  .array(
    fc.oneof(
      decorate(targetSel),
      fc
        .tuple(directive, fc.constantFrom('rank', 'backlinkCount', 'info { country }'))
        .map(([d, f]) => `x${f.length}: ${f.split(' ')[0]}${d}${f.includes('{') ? ' { country }' : ''}`),
      fc.tuple(fc.integer({ min: 0, max: 2 }), directive).map(([i, d]) => `...T${i}${d}`),
      fc.constant('hv: referringDomains(first: $n) { nodes { asTarget { rank } } }'),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((parts) => parts.join(' '));
const fragmentBodies = fc.tuple(
  targetSel,
  fc.tuple(targetSel, fc.constantFrom('', '...T0', '...T0 ...T0')),
  fc.tuple(targetSel, fc.constantFrom('', '...T1 ...T1', '...T0 ...T1 ...T1')),
);
const hostileRoot = fc.oneof(
  fc.tuple(target, directive, hostileTargetSel).map(([t, d, sel]) => `target(target: "${t}")${d} { ${sel} }`),
  fc.tuple(directive, hostileTargetSel).map(([d, sel]) => `target(target: $t)${d} { ${sel} }`),
  fc
    .tuple(fc.uniqueArray(target, { minLength: 1, maxLength: 3 }), hostileTargetSel)
    .map(([ts, sel]) => `targets(targets: ${JSON.stringify(ts)}) { ${sel} }`),
  fc
    .tuple(fc.uniqueArray(target, { minLength: 2, maxLength: 3 }), fc.constantFrom('1', '2', '3', '0', '9', '1.target'))
    .map(
      ([ts, n]) =>
        `node(id: "${b64(`Intersection:${JSON.stringify([ts, [], 'all', {}, 'deltagroveblog.com', n])}`)}") { id ... on Intersection { links { target { rank } } asTarget { rank } } }`,
    ),
  rootField,
);
const hostileOperation = fc
  .tuple(fc.array(hostileRoot, { minLength: 1, maxLength: 3 }), fragmentBodies, fc.boolean(), directive)
  .map(([fields, [t0, [t1, s1], [t2, s2]], repeat, d]) => {
    const roots = fields.map((f, i) => `f${i}: ${f}`);
    // Every fragment and variable is used somewhere, as validation requires.
    roots.push(
      `uses: target(target: "moz.com")${d} { ...T0 ...T1 ...T2 rank @skip(if: $b1) rank @include(if: $b2) hv: referringDomains(first: $n) { totalCount } }`,
    );
    roots.push(`ut: target(target: $t) { target }`);
    if (repeat) roots.push(roots[0] ?? '');
    const fragments = [`fragment T0 on Target { ${t0} }`, `fragment T1 on Target { ${t1} ${s1} }`, `fragment T2 on Target { ${t2} ${s2} }`];
    const document = `query Hostile($b1: Boolean!, $b2: Boolean = true, $t: String = "ahrefs.com", $n: Int = 2) { ${roots.join('\n')} }\n${fragments.join('\n')}`;
    // Inner aliases made unique, so that fields merged from several fragments never conflict (a validation error).
    let k = 0;
    return document.replace(/\b(rd|hop|ix|hv|x\d+):/g, () => `a${(k += 1)}:`);
  });
const hostileVariables = fc.record(
  {
    b1: fc.boolean(),
    b2: fc.constantFrom(true, false, null),
    t: fc.constantFrom('moz.com', 'ahrefs.com', null),
    n: fc.constantFrom(0, 1, 3, null),
  },
  { requiredKeys: ['b1'] },
);
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
