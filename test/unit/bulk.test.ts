import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BULK_TARGETS_MAX,
  PAGES_SUMMARY_ROOTS_MAX,
  bulkBatchSize,
  chunkTargets,
  itemsByTarget,
  type BulkEndpoint,
} from '../../src/dataforseo/bulk.js';
import { normalizeTarget, rootDomainOf } from '../../src/dataforseo/target.js';

/**
 * chunkTargets splits the targets of one bulk endpoint into its tasks; itemsByTarget reads an answer back per
 * target. Both decide what a bulk call costs and whose figures a target gets, so both are checked over random
 * inputs (the seed is fixed; FC_SEED=… explores others).
 */
const SEED = Number(process.env.FC_SEED ?? 20261201);

const OTHER_ENDPOINTS: BulkEndpoint[] = [
  'bulk_ranks',
  'bulk_backlinks',
  'bulk_spam_score',
  'bulk_referring_domains',
  'bulk_new_lost_backlinks',
  'bulk_new_lost_referring_domains',
];

const rootOf = (target: string) => {
  try {
    return rootDomainOf(normalizeTarget(target).host);
  } catch {
    return target;
  }
};

/** Every target exactly once across the chunks, and no chunk empty. */
function expectPartition(chunks: string[][], targets: readonly string[]) {
  for (const chunk of chunks) expect(chunk.length).toBeGreaterThan(0);
  const flat = chunks.flat();
  expect(flat).toHaveLength(targets.length);
  expect([...flat].sort()).toEqual([...targets].sort());
}

describe('chunkTargets', () => {
  it('bulkBatchSize: 1000 per call, 100 for bulk_pages_summary', () => {
    for (const e of OTHER_ENDPOINTS) expect(bulkBatchSize(e)).toBe(BULK_TARGETS_MAX);
    expect(bulkBatchSize('bulk_pages_summary')).toBe(PAGES_SUMMARY_ROOTS_MAX);
    expect([BULK_TARGETS_MAX, PAGES_SUMMARY_ROOTS_MAX]).toEqual([1000, 100]);
  });

  it('no targets: no chunk', () => {
    expect(chunkTargets('bulk_ranks', [])).toEqual([]);
    expect(chunkTargets('bulk_pages_summary', [])).toEqual([]);
  });

  it('exact edges: 1000 is one chunk, 1001 two, 2500 three', () => {
    const t = (n: number) => Array.from({ length: n }, (_, i) => `t${i}.com`);
    expect(chunkTargets('bulk_ranks', t(1000)).map((c) => c.length)).toEqual([1000]);
    expect(chunkTargets('bulk_ranks', t(1001)).map((c) => c.length)).toEqual([1000, 1]);
    expect(chunkTargets('bulk_spam_score', t(2500)).map((c) => c.length)).toEqual([1000, 1000, 500]);
  });

  it('other endpoints: chunks of 1000 in the order given, all full but the last', () => {
    const targets = fc.integer({ min: 0, max: 3200 }).map((n) => Array.from({ length: n }, (_, i) => `t${i}.example.com`));
    fc.assert(
      fc.property(fc.constantFrom(...OTHER_ENDPOINTS), targets, (endpoint, list) => {
        const chunks = chunkTargets(endpoint, list);
        expectPartition(chunks, list);
        expect(chunks.flat()).toEqual(list);
        expect(chunks).toHaveLength(Math.ceil(list.length / 1000));
        chunks.forEach((c, i) => expect(c.length).toBe(i < chunks.length - 1 ? 1000 : c.length));
        for (const c of chunks) expect(c.length).toBeLessThanOrEqual(1000);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  /**
   * n distinct targets over `roots` root domains, mixed by `seed`: pages on subdomains and on co.uk roots, bare
   * domains, and the odd target the normaliser refuses. Made from a few numbers, so that a failure shrinks fast.
   */
  const spread = fc
    .record({
      n: fc.integer({ min: 0, max: 2500 }),
      // Few roots as often as many: with few, the 1000 cap closes the chunks, not the roots.
      roots: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 400 })),
      seed: fc.nat(),
    })
    .map(({ n, roots, seed }) => {
      const rand = (i: number, salt: number) => Math.abs(Math.imul(seed ^ (i * 2654435761), 40503 + salt) >> 3);
      return Array.from({ length: n }, (_, i) => {
        const root = `root${rand(i, 1) % roots}.${['com', 'co.uk', 'org'][rand(i, 2) % 3] ?? 'com'}`;
        const kind = rand(i, 3) % 50;
        if (kind === 0) return `not a target ${i}`;
        if (kind === 1) return `t${i}.${root}`;
        return `https://${['', 'www.', 'blog.', 'a.b.'][rand(i, 4) % 4] ?? ''}${root}/p${i}`;
      });
    });

  it('bulk_pages_summary: ≤1000 targets and ≤100 distinct roots per chunk, every chunk but the last ≥100 targets', () => {
    fc.assert(
      fc.property(spread, (list) => {
        const chunks = chunkTargets('bulk_pages_summary', list);
        expectPartition(chunks, list);
        chunks.forEach((chunk, i) => {
          expect(chunk.length).toBeLessThanOrEqual(1000);
          expect(new Set(chunk.map(rootOf)).size).toBeLessThanOrEqual(100);
          if (i < chunks.length - 1) expect(chunk.length).toBeGreaterThanOrEqual(100);
        });
        // So the budget's ceil(n / 100) bounds the calls.
        expect(chunks.length).toBeLessThanOrEqual(Math.ceil(list.length / 100));
        expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil(list.length / 1000));
      }),
      { seed: SEED, numRuns: 80 },
    );
  });

  it('bulk_pages_summary: 150 roots of one page each are two chunks, 100 roots then 50', () => {
    const list = Array.from({ length: 150 }, (_, i) => `https://r${i}.com/`);
    expect(chunkTargets('bulk_pages_summary', list).map((c) => c.length)).toEqual([100, 50]);
  });

  it('bulk_pages_summary: pages of one root stay together, however they are interleaved', () => {
    const list = Array.from({ length: 300 }, (_, i) => `https://sub${i % 3}.r${i % 150}.com/p${i}`);
    const chunks = chunkTargets('bulk_pages_summary', list);
    expectPartition(chunks, list);
    const chunkOfRoot = new Map<string, number>();
    chunks.forEach((c, i) => {
      for (const t of c) {
        const root = rootOf(t);
        expect(chunkOfRoot.get(root) ?? i).toBe(i);
        chunkOfRoot.set(root, i);
      }
    });
  });
});

describe('itemsByTarget', () => {
  const answer = (...items: unknown[]) => ({ total_count: items.length, items_count: items.length, items: items as object[] });

  it('matches by name, exact or normalised, never by position', () => {
    const asked = ['a.com', 'b.com', 'c.com', 'xn--bcher-kva.com', 'https://page.com/X', 'd.com'];
    const found = itemsByTarget(
      asked,
      answer(
        { target: 'https://PAGE.com/X', n: 5 },
        { target: 'bücher.com', n: 4 },
        { target: 'C.COM.', n: 3 },
        { target: 'www.b.com', n: 2 },
        { target: 'a.com', n: 1 },
      ),
    );
    expect(Object.fromEntries([...found].map(([k, v]) => [k, (v as { n: number }).n]))).toEqual({
      'a.com': 1,
      'b.com': 2,
      'c.com': 3,
      'xn--bcher-kva.com': 4,
      'https://page.com/X': 5,
    });
    expect(found.has('d.com')).toBe(false);
  });

  it('a page is not its domain, a subdomain not its root, a path not another path', () => {
    const asked = ['x.com', 'https://x.com/a', 'y.com'];
    const found = itemsByTarget(
      asked,
      answer({ target: 'https://x.com/' }, { target: 'https://x.com/A' }, { target: 'blog.y.com' }, { target: 'https://www.x.com/a' }),
    );
    expect(found.size).toBe(0);
  });

  it('ignores strangers, null and malformed items, and items naming no target; a second item of a target loses', () => {
    const asked = ['a.com', 'b.com'];
    const first = { target: 'a.com', n: 1 };
    const found = itemsByTarget(
      asked,
      answer(
        null,
        7,
        'a.com',
        { n: 0 },
        { target: 42 },
        { target: 'stranger.com', n: 9 },
        first,
        { target: 'WWW.A.COM', n: 2 },
        { target: 'a.com', n: 3 },
      ),
    );
    expect([...found.entries()]).toEqual([['a.com', first]]);
  });

  it('reads `url` where there is no `target` (bulk_pages_summary)', () => {
    const item = { url: 'https://x.com/p', rank: 1 };
    expect(itemsByTarget(['https://x.com/p'], answer(item)).get('https://x.com/p')).toBe(item);
  });

  it('no result, no items, items null: an empty map', () => {
    expect(itemsByTarget(['a.com'], null).size).toBe(0);
    expect(itemsByTarget(['a.com'], undefined).size).toBe(0);
    expect(itemsByTarget(['a.com'], {}).size).toBe(0);
    expect(itemsByTarget(['a.com'], { items: null }).size).toBe(0);
  });

  /** Another spelling of a normalised domain target that normalises back to it. */
  const respell = (target: string, how: number) =>
    [target, target.toUpperCase(), `www.${target}`, `${target}.`, `https://${target}`, `HTTP://WWW.${target.toUpperCase()}`][how % 6] ??
    target;

  it('over random answers: each asked target gets its own item or none, whatever the order, spelling, strangers and duplicates', () => {
    // Not "www": the normaliser strips a leading "www." (its own test covers that).
    const label = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/).filter((l) => l !== 'www');
    const domain = fc
      .tuple(label, fc.option(label, { nil: undefined }), fc.constantFrom('com', 'org', 'co.uk'))
      .map(([a, sub, tld]) => (sub === undefined ? `${a}.${tld}` : `${sub}.${a}.${tld}`));
    const pageOf = fc.tuple(domain, label).map(([d, p]) => `https://${d}/${p}`);
    const scenario = fc
      .uniqueArray(fc.oneof({ weight: 4, arbitrary: domain }, { weight: 1, arbitrary: pageOf }), {
        minLength: 1,
        maxLength: 60,
        size: 'max',
      })
      .map((ts) => [...new Set(ts.map((t) => normalizeTarget(t).value))])
      .chain((asked) =>
        fc.record({
          asked: fc.constant(asked),
          answered: fc.array(fc.record({ spelling: fc.nat(5), duplicate: fc.boolean(), omit: fc.boolean() }), {
            minLength: asked.length,
            maxLength: asked.length,
          }),
          strangers: fc.uniqueArray(domain, { maxLength: 5, size: 'max' }),
          order: fc.array(fc.nat(), { minLength: asked.length * 2 + 5, maxLength: asked.length * 2 + 5 }),
        }),
      );
    fc.assert(
      fc.property(scenario, ({ asked, answered, strangers, order }) => {
        // Groups keep a duplicate right after its target's first item, wherever the shuffle puts them.
        const groups: { target: string; of: string; first: boolean }[][] = [];
        asked.forEach((t, i) => {
          const a = answered[i];
          if (!a || a.omit) return;
          const spelled = t.startsWith('https://') ? t : respell(t, a.spelling);
          groups.push([{ target: spelled, of: t, first: true }, ...(a.duplicate ? [{ target: t, of: t, first: false }] : [])]);
        });
        const askedSet = new Set(asked);
        for (const s of strangers) if (!askedSet.has(normalizeTarget(s).value)) groups.push([{ target: s, of: 'stranger', first: true }]);
        const shuffledItems = groups
          .map((g, i) => ({ g, k: order[i] ?? 0, i }))
          .sort((x, y) => x.k - y.k || x.i - y.i)
          .flatMap((x) => x.g);
        const found = itemsByTarget(asked, answer(...shuffledItems));
        asked.forEach((t, i) => {
          const a = answered[i];
          if (!a || a.omit) expect(found.has(t)).toBe(false);
          else expect(found.get(t)).toMatchObject({ of: t, first: true });
        });
        for (const key of found.keys()) expect(askedSet.has(key)).toBe(true);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
