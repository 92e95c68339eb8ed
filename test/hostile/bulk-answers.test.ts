import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeTarget } from '../../src/dataforseo/target.js';
import { TEST_LOGIN, TEST_PASSWORD, createTestApp, useMockUpstreamApp } from '../helpers/app.js';
import { bulkReply, figure, item } from '../helpers/bulk-upstream.js';
import { okEnvelope, taskErrorEnvelope } from '../helpers/mock-upstream.js';

/**
 * What the upstream's answers can do to a batch: a name one target carries must not fail the others' call, an item
 * for a target nobody asked must not reach anyone (now or from the cache), a malformed answer must give coded errors
 * on its own fields only, and a request that goes away must not fail those that joined its call.
 */
const env = useMockUpstreamApp();
let cached: ReturnType<typeof createTestApp>;
beforeAll(() => {
  cached = createTestApp(env.upstream.url, 'dataforseo', { cacheTtlMs: 60_000 });
});
afterAll(() => cached.close());

const rank = (t: string, scale = 'one_thousand') => figure('bulk_ranks', { rank_scale: scale }, t, 'rank');
const codes = (errors: { extensions?: { code?: string } }[] | undefined) => (errors ?? []).map((e) => e.extensions?.code);
const valid = (t: string) => {
  try {
    normalizeTarget(t);
    return true;
  } catch {
    return false;
  }
};

describe('a referring domain named oddly does not fail the bulk call of its page', () => {
  it('the odd names get no figures; the others get theirs, in one call that carries only the names an upstream takes', async () => {
    const names = ['good1.com', 'my_site.example.com', '', 'good2.com', '-bad-.com', 'localhost', 'good3.com'];
    env.upstream.expect({
      endpoint: 'referring_domains',
      reply: (t) =>
        okEnvelope('referring_domains', {
          target: t.target,
          total_count: names.length,
          items_count: names.length,
          items: names.map((domain) => ({ type: 'backlinks_referring_domain', domain, rank: 1 })),
        }),
    });
    // As the sandbox (and its model, the upstream) does: one target it cannot read fails the whole task.
    env.upstream.expect({
      endpoint: 'bulk_ranks',
      reply: (task) =>
        (task.targets as string[]).every(valid)
          ? bulkReply('bulk_ranks')(task)
          : taskErrorEnvelope('bulk_ranks', 40501, "Invalid Field: 'targets'."),
    });
    const { body } = await env.app.execute(
      '{ target(target: "x.com") { referringDomains(first: 7) { nodes { domain asTarget { target bulkMetrics { rank } } } } } }',
    );
    expect(body.errors).toBeUndefined();
    const sent = env.upstream.calls.find((c) => c.endpoint === 'bulk_ranks')?.task.targets as string[];
    expect([...sent].sort()).toEqual(['good1.com', 'good2.com', 'good3.com']);
    for (const n of body.data.target.referringDomains.nodes as { domain: string; asTarget: { bulkMetrics: { rank: number | null } } }[]) {
      expect(n.asTarget.bulkMetrics.rank, n.domain).toBe(valid(n.domain) ? rank(n.domain) : null);
    }
  });

  it('a page of only odd names makes no bulk call at all', async () => {
    env.upstream.expect({
      endpoint: 'referring_domains',
      reply: (t) =>
        okEnvelope('referring_domains', {
          target: t.target,
          total_count: 2,
          items_count: 2,
          items: ['a_b.com', 'localhost'].map((domain) => ({ type: 'backlinks_referring_domain', domain, rank: 1 })),
        }),
    });
    const { body } = await env.app.execute(
      '{ target(target: "x.com") { referringDomains(first: 2) { nodes { asTarget { bulkMetrics { rank spamScore newAndLost { newBacklinkCount } } } } } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(env.upstream.calls.map((c) => c.endpoint)).toEqual(['referring_domains']);
    expect(body.extensions.cost.upstreamCalls).toBe(1);
  });
});

describe('an item for a target nobody asked for', () => {
  it('is neither returned nor cached: asking for that target later asks the upstream', async () => {
    env.upstream.expect({
      endpoint: 'bulk_ranks',
      reply: okEnvelope('bulk_ranks', {
        total_count: 2,
        items_count: 2,
        items: [{ target: 'victim.example', rank: 1 }, item('bulk_ranks', { rank_scale: 'one_thousand' }, 'asked.example')],
      }),
    });
    const first = await cached.execute('{ target(target: "asked.example") { bulkMetrics { rank } } }');
    expect(first.body.data.target.bulkMetrics.rank).toBe(rank('asked.example'));
    env.upstream.assertDone();
    env.upstream.reset();

    env.upstream.expect({ endpoint: 'bulk_ranks', reply: bulkReply('bulk_ranks') });
    const later = await cached.execute('{ target(target: "victim.example") { bulkMetrics { rank } } }');
    expect(env.upstream.calls).toHaveLength(1);
    expect(later.body.data.target.bulkMetrics.rank).toBe(rank('victim.example'));
    expect(later.body.extensions.cost.cacheHits).toBe(0);
  });
});

describe('malformed answers: coded errors on their own fields, the rest resolves, nothing leaks', () => {
  it('figures of the wrong type, and items that are not a list', async () => {
    const one = (extra: object) => okEnvelope('x', { total_count: 1, items_count: 1, items: [{ target: 'a.com', ...extra }] });
    env.upstream.expect({ endpoint: 'bulk_ranks', reply: one({ rank: 1.5 }) });
    env.upstream.expect({ endpoint: 'bulk_backlinks', reply: one({ backlinks: 2 ** 60 }) });
    env.upstream.expect({ endpoint: 'bulk_spam_score', reply: okEnvelope('x', { items: { target: 'a.com', spam_score: 3 } }) });
    env.upstream.expect({ endpoint: 'bulk_referring_domains', reply: one({ referring_domains: 7, referring_main_domains: 5 }) });
    const { status, text, body } = await env.app.execute(
      '{ target(target: "a.com") { target bulkMetrics { rank backlinkCount spamScore referringDomainCount referringMainDomainCount } } }',
    );
    expect(status).toBe(200);
    expect(body.data.target).toEqual({
      target: 'a.com',
      bulkMetrics: { rank: null, backlinkCount: null, spamScore: null, referringDomainCount: 7, referringMainDomainCount: 5 },
    });
    expect(body.errors?.map((e: { path: string[] }) => e.path.at(-1)).sort()).toEqual(['backlinkCount', 'rank', 'spamScore']);
    for (const code of codes(body.errors)) expect(typeof code).toBe('string');
    for (const secret of [TEST_LOGIN, TEST_PASSWORD, env.upstream.url, 'TypeError', 'at ']) expect(text).not.toContain(secret);
  });
});

describe('a request that goes away', () => {
  const q = 'query($t: [String!]!) { targets(targets: $t) { target bulkMetrics { rank } } }';
  const run = (t: string[], signal?: AbortSignal) =>
    env.app.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      ...(signal ? { signal } : {}),
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: q, variables: { t } }),
    });

  it('does not fail the request that joined its bulk call', async () => {
    const has = (task: Record<string, unknown>, t: string) => (task.targets as string[]).includes(t);
    env.upstream.expect({ endpoint: 'bulk_ranks', match: (t) => has(t, 'a0.example'), reply: bulkReply('bulk_ranks'), delayMs: 300 });
    env.upstream.expect({ endpoint: 'bulk_ranks', match: (t) => has(t, 'b0.example'), reply: bulkReply('bulk_ranks') });
    const controller = new AbortController();
    const a = Promise.resolve(run(['s0.example', 's1.example', 'a0.example'], controller.signal)).catch((e: unknown) => e);
    for (let i = 0; i < 500 && env.upstream.calls.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    const b = run(['s0.example', 's1.example', 'b0.example']);
    // B has joined A's call once its own call is out.
    for (let i = 0; i < 500 && env.upstream.calls.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    expect(await a).toBeInstanceOf(Error);
    const body = (await (await b).json()) as { data: { targets: { target: string; bulkMetrics: { rank: number } }[] }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    for (const t of body.data.targets) expect(t.bulkMetrics.rank).toBe(rank(t.target));
    expect(env.upstream.calls).toHaveLength(2);
  });
});
