import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, useMockUpstreamApp } from '../helpers/app.js';
import { startSandbox } from '../helpers/sandbox.js';
import { bulkReply, figure, item, type BulkEndpointName, type HostileOptions } from '../helpers/bulk-upstream.js';
import { okEnvelope, referringDomainsResult, summaryResult, taskErrorEnvelope, type RecordedCall } from '../helpers/mock-upstream.js';

/**
 * Issue 12, "Done when", counted at a strict upstream double: the bulk fields of a page of referring domains or of a
 * list of targets cost one call per bulk endpoint per 1000 targets per parameter set; cached targets are not sent
 * again; targets another request is fetching are joined; the estimate is the real count; failures are coded per
 * field; refusals are free; items are matched to targets by name, never by position.
 */
const env = useMockUpstreamApp();

type App = ReturnType<typeof createTestApp>;
let cached: App;
let retrying: App;
let budgeted: App;
beforeAll(() => {
  cached = createTestApp(env.upstream.url, 'dataforseo', { cacheTtlMs: 60_000 });
  retrying = createTestApp(env.upstream.url, 'dataforseo', { retry: { retries: 2 }, breaker: { volume: 100_000 } });
  // The server's default allowance (MAX_UPSTREAM_CALLS_PER_OPERATION).
  budgeted = createTestApp(env.upstream.url, 'dataforseo', { maxUpstreamCallsPerOperation: 50 });
});
afterAll(async () => {
  await Promise.all([cached.close(), retrying.close(), budgeted.close()]);
});

function expectBulk(
  endpoint: BulkEndpointName,
  options: HostileOptions & { times?: number; match?: (t: Record<string, unknown>) => boolean } = {},
) {
  const { times, match, ...hostile } = options;
  env.upstream.expect({ endpoint, reply: bulkReply(endpoint, hostile), ...(times ? { times } : {}), ...(match ? { match } : {}) });
}

const callsTo = (endpoint: string): RecordedCall[] => env.upstream.calls.filter((c) => c.endpoint === endpoint);
const targetsOf = (call: RecordedCall | undefined): string[] => (call?.task.targets ?? []) as string[];
const sorted = (list: readonly string[]) => [...list].sort();
const domains = (n: number, prefix = 'site') => Array.from({ length: n }, (_, i) => `${prefix}${i}.example`);
const codes = (errors: { extensions?: { code?: string } }[] | undefined) => (errors ?? []).map((e) => e.extensions?.code);

/**
 * "yyyy-mm-dd" of a UTC day `years`/`months` and `days` away from `now`; a month without that day takes its last
 * (one month before 31 March is the last day of February).
 */
function utcDay(now: Date, { years = 0, months = 0, days = 0 }: { years?: number; months?: number; days?: number }): string {
  const year = now.getUTCFullYear() + years;
  const month = now.getUTCMonth() + months;
  const day = Math.min(now.getUTCDate(), new Date(Date.UTC(year, month + 1, 0)).getUTCDate());
  return new Date(Date.UTC(year, month, day + days)).toISOString().slice(0, 10);
}

describe('a page of referring domains: 1 referring_domains call + 1 per bulk endpoint, not 101', () => {
  const query = `{ target(target: "x.com") { referringDomains(first: 100) { nodes { domain asTarget { target bulkMetrics {
    rank backlinkCount spamScore referringDomainCount referringMainDomainCount } } } } } }`;
  const endpoints = ['bulk_ranks', 'bulk_backlinks', 'bulk_spam_score', 'bulk_referring_domains'] as const;

  it('sends the 100 distinct domains once to each of the 4 endpoints and puts each figure on its node', async () => {
    env.upstream.expect({ endpoint: 'referring_domains', reply: (t) => okEnvelope('referring_domains', referringDomainsResult(t, 250)) });
    for (const e of endpoints) expectBulk(e, { shuffleSeed: 1 });
    const { body } = await env.app.execute(query);
    expect(body.errors).toBeUndefined();
    expect(env.upstream.calls).toHaveLength(5);
    expect(callsTo('referring_domains')).toHaveLength(1);
    const page = Array.from({ length: 100 }, (_, i) => `d${i}.com`);
    for (const e of endpoints) {
      expect(callsTo(e)).toHaveLength(1);
      expect(sorted(targetsOf(callsTo(e)[0]))).toEqual(sorted(page));
    }
    expect(callsTo('bulk_ranks')[0]?.task.rank_scale).toBe('one_thousand');
    const nodes = body.data.target.referringDomains.nodes as { domain: string; asTarget: { target: string; bulkMetrics: any } }[];
    expect(nodes.map((n) => n.domain)).toEqual(page);
    for (const n of nodes) {
      const d = n.domain;
      expect(n.asTarget.bulkMetrics).toEqual({
        rank: figure('bulk_ranks', { rank_scale: 'one_thousand' }, d, 'rank'),
        backlinkCount: figure('bulk_backlinks', {}, d, 'backlinks'),
        spamScore: figure('bulk_spam_score', {}, d, 'spam_score'),
        referringDomainCount: figure('bulk_referring_domains', {}, d, 'referring_domains'),
        referringMainDomainCount: figure('bulk_referring_domains', {}, d, 'referring_main_domains'),
      });
    }
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 5, estimatedUpstreamCalls: 5 });
  });

  it('waits for every page of the operation: a list, a page and a page of a page are one bulk_ranks call', async () => {
    env.upstream.expect({
      endpoint: 'referring_domains',
      match: (t) => t.target === 'x.com',
      reply: (t) => okEnvelope('referring_domains', referringDomainsResult(t, 3)),
    });
    // d0.com's own page names other domains: its asTargets arrive one page later.
    env.upstream.expect({
      endpoint: 'referring_domains',
      match: (t) => t.target === 'd0.com',
      delayMs: 50,
      reply: (t) =>
        okEnvelope('referring_domains', {
          target: t.target,
          total_count: 2,
          items_count: 2,
          items: ['deep1.com', 'deep2.com'].map((domain) => ({ type: 'backlinks_referring_domain', domain, rank: 1 })),
        }),
    });
    expectBulk('bulk_ranks');
    const { body } = await env.app.execute(`{
      list: targets(targets: ["l1.com", "l2.com"]) { target bulkMetrics { rank } }
      page: target(target: "x.com") { referringDomains(first: 3) { nodes { asTarget { target bulkMetrics { rank }
        hop: referringDomains(first: 2) @include(if: false) { totalCount } } } } }
      deep: target(target: "d0.com") { referringDomains(first: 2) { nodes { asTarget { target bulkMetrics { rank } } } } }
    }`);
    expect(body.errors).toBeUndefined();
    expect(callsTo('bulk_ranks')).toHaveLength(1);
    expect(sorted(targetsOf(callsTo('bulk_ranks')[0]))).toEqual([
      'd0.com',
      'd1.com',
      'd2.com',
      'deep1.com',
      'deep2.com',
      'l1.com',
      'l2.com',
    ]);
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 3, estimatedUpstreamCalls: 3 });
  });

  it('a page of a page of referring domains: the nested asTargets join the same bulk call', async () => {
    env.upstream.expect({
      endpoint: 'referring_domains',
      times: 3,
      reply: (t) =>
        okEnvelope('referring_domains', {
          ...referringDomainsResult(t, 2),
          items: referringDomainsResult(t, 2).items.map((i) => ({ ...i, domain: `${String(t.target).replace(/\.com$/, '')}-${i.domain}` })),
        }),
    });
    expectBulk('bulk_ranks');
    const { body } = await env.app
      .execute(`{ target(target: "x.com") { referringDomains(first: 2) { nodes { asTarget { target bulkMetrics { rank }
      referringDomains(first: 2) { nodes { asTarget { target bulkMetrics { rank } } } } } } } } }`);
    expect(body.errors).toBeUndefined();
    expect(callsTo('referring_domains')).toHaveLength(3);
    expect(callsTo('bulk_ranks')).toHaveLength(1);
    expect(targetsOf(callsTo('bulk_ranks')[0])).toHaveLength(6);
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 4, estimatedUpstreamCalls: 4 });
  });

  it('prices the same operation at 5 calls in a dry run, and makes none', async () => {
    const { body } = await env.app.execute(query, undefined, { 'x-dry-run': 'true' });
    expect(body.errors).toBeUndefined();
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 0, estimatedUpstreamCalls: 5 });
    expect(env.upstream.calls).toHaveLength(0);
  });

  it('sends a domain the page names twice, in two spellings, once: normalised', async () => {
    const spelled = ['a.com', 'WWW.A.com', 'b.com', 'https://b.com', 'B.COM.', 'bücher.com'];
    env.upstream.expect({
      endpoint: 'referring_domains',
      reply: (t) =>
        okEnvelope('referring_domains', {
          target: t.target,
          total_count: spelled.length,
          items_count: spelled.length,
          items: spelled.map((domain) => ({ type: 'backlinks_referring_domain', domain, rank: 1 })),
        }),
    });
    expectBulk('bulk_ranks');
    const { body } = await env.app.execute(
      '{ target(target: "x.com") { referringDomains(first: 6) { nodes { asTarget { target bulkMetrics { rank } } } } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(sorted(targetsOf(callsTo('bulk_ranks')[0]))).toEqual(['a.com', 'b.com', 'xn--bcher-kva.com']);
    for (const n of body.data.target.referringDomains.nodes as { asTarget: { target: string; bulkMetrics: { rank: number } } }[]) {
      expect(n.asTarget.bulkMetrics.rank).toBe(figure('bulk_ranks', { rank_scale: 'one_thousand' }, n.asTarget.target, 'rank'));
    }
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 2, estimatedUpstreamCalls: 2 });
  });
});

describe('objects loaded by ID join the batch', () => {
  it('ReferringDomains and Targets of nodes(ids:) and node(id:): one bulk_ranks call per rank scale', async () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    env.upstream.expect({
      endpoint: 'referring_domains',
      times: 3,
      // Each answers late, one after another: the bulk batch must wait for all of them.
      delayMs: 30,
      reply: (t) => {
        const domain = String((t.filters as unknown[])[2]);
        return okEnvelope('referring_domains', {
          target: t.target,
          total_count: 1,
          items_count: 1,
          items: [{ type: 'backlinks_referring_domain', domain, rank: 1 }],
        });
      },
    });
    expectBulk('bulk_ranks', { times: 2 });
    const rd = [1, 2, 3].map((i) => b64(`ReferringDomain:${JSON.stringify(['x.com', {}, `r${i}.com`])}`));
    const tg = [1, 2].map((i) => b64(`Target:${JSON.stringify([`t${i}.com`, {}])}`));
    const hundred = b64(`Target:${JSON.stringify(['h.com', { rank_scale: 'one_hundred' }])}`);
    const { body } = await env.app.execute(`{
      nodes(ids: ${JSON.stringify([...rd, ...tg, hundred])}) {
        ... on ReferringDomain { asTarget { target bulkMetrics { rank } } }
        ... on Target { target bulkMetrics { rank } }
      }
      again: node(id: "${rd[0]}") { ... on ReferringDomain { asTarget { target bulkMetrics { rank } } } }
    }`);
    expect(body.errors).toBeUndefined();
    expect(callsTo('referring_domains')).toHaveLength(3);
    const byScale = Object.fromEntries(callsTo('bulk_ranks').map((c) => [c.task.rank_scale as string, sorted(targetsOf(c))]));
    expect(byScale).toEqual({ one_thousand: ['r1.com', 'r2.com', 'r3.com', 't1.com', 't2.com'], one_hundred: ['h.com'] });
    type Ranked = { target: string; bulkMetrics: { rank: number } };
    const got = (body.data.nodes as (Ranked | { asTarget: Ranked })[]).map((n) => ('asTarget' in n ? n.asTarget : n));
    expect(got.map((t) => t.target)).toEqual(['r1.com', 'r2.com', 'r3.com', 't1.com', 't2.com', 'h.com']);
    for (const t of got)
      expect(t.bulkMetrics.rank).toBe(
        figure('bulk_ranks', { rank_scale: t.target === 'h.com' ? 'one_hundred' : 'one_thousand' }, t.target, 'rank'),
      );
    expect(body.data.again.asTarget.bulkMetrics.rank).toBe(figure('bulk_ranks', { rank_scale: 'one_thousand' }, 'r1.com', 'rank'));
    expect(body.extensions.cost.upstreamCalls).toBe(5);
    expect(body.extensions.cost.estimatedUpstreamCalls).toBeGreaterThanOrEqual(5);
  });
});

describe('counted at the sandbox, whose bulk answers come from its own link graph', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let app: App;
  beforeAll(async () => {
    sandbox = await startSandbox({ maxConcurrency: 10_000, maxPerMinute: 10_000_000 });
    app = createTestApp(sandbox.url, 'dataforseo', { sandbox: true });
  });
  afterAll(async () => {
    await app.close();
    await sandbox.sandbox.close();
  });

  it('a page of 100 referring domains with 4 bulk endpoints: 5 calls, not 101', async () => {
    sandbox.sandbox.resetStats();
    const { body } =
      await app.execute(`{ target(target: "backlinko.com") { referringDomains(first: 100) { nodes { asTarget { target bulkMetrics {
      rank backlinkCount spamScore referringDomainCount referringMainDomainCount } } } } } }`);
    expect(body.errors).toBeUndefined();
    const stats = sandbox.sandbox.stats();
    expect(stats.callsByEndpoint).toEqual({
      referring_domains: 1,
      bulk_ranks: 1,
      bulk_backlinks: 1,
      bulk_spam_score: 1,
      bulk_referring_domains: 1,
    });
    expect(stats.calls).toBe(5);
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 5, estimatedUpstreamCalls: 5 });
    const nodes = body.data.target.referringDomains.nodes as { asTarget: { bulkMetrics: Record<string, number | null> } }[];
    expect(nodes).toHaveLength(100);
    // The sandbox knows every domain it names: every figure is there.
    for (const n of nodes) for (const v of Object.values(n.asTarget.bulkMetrics)) expect(typeof v).toBe('number');
  });

  it('the same page with summary fields instead: 101 calls, as estimated', async () => {
    sandbox.sandbox.resetStats();
    const { body } = await app.execute(
      '{ target(target: "backlinko.com") { referringDomains(first: 100) { nodes { asTarget { rank backlinkCount spamScore referringDomainCount } } } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(sandbox.sandbox.stats().calls).toBe(101);
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 101, estimatedUpstreamCalls: 101 });
  });
});

describe('lists of targets: one bulk_ranks call per 1000 targets', () => {
  const three =
    'query($a: [String!]!, $b: [String!]!, $c: [String!]!) { a: targets(targets: $a) { target bulkMetrics { rank } } b: targets(targets: $b) { target bulkMetrics { rank } } c: targets(targets: $c) { target bulkMetrics { rank } } }';
  const all = domains(2500, 'list');
  const vars = { a: all.slice(0, 1000), b: all.slice(1000, 2000), c: all.slice(2000) };

  function expectRanks(body: { data?: any }, aliases: Record<string, readonly string[]>) {
    for (const [alias, targets] of Object.entries(aliases)) {
      const got = body.data[alias] as { target: string; bulkMetrics: { rank: number } }[];
      expect(got.map((t) => t.target)).toEqual(targets);
      for (const t of got) expect(t.bulkMetrics.rank).toBe(figure('bulk_ranks', { rank_scale: 'one_thousand' }, t.target, 'rank'));
    }
  }

  it('1000 distinct domains cost 1 call carrying all of them', async () => {
    expectBulk('bulk_ranks', { shuffleSeed: 7 });
    const targets = domains(1000);
    const { body } = await env.app.execute('query($t: [String!]!) { targets(targets: $t) { target bulkMetrics { rank } } }', {
      t: targets,
    });
    expect(body.errors).toBeUndefined();
    expect(env.upstream.calls).toHaveLength(1);
    expect(sorted(targetsOf(env.upstream.calls[0]))).toEqual(sorted(targets));
    expectRanks(body, { targets });
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 1, estimatedUpstreamCalls: 1 });
  });

  it('2500 targets over three aliases cost 3 calls of ≤1000, each target sent once; again: 0 calls, all from the cache', async () => {
    expectBulk('bulk_ranks', { times: 3, shuffleSeed: 3 });
    const first = await cached.execute(three, vars);
    expect(first.body.errors).toBeUndefined();
    const calls = callsTo('bulk_ranks');
    expect(calls).toHaveLength(3);
    for (const c of calls) expect(targetsOf(c).length).toBeLessThanOrEqual(1000);
    const sent = calls.flatMap(targetsOf);
    expect(sent).toHaveLength(2500);
    expect(sorted(sent)).toEqual(sorted(all));
    expectRanks(first.body, vars);
    expect(first.body.extensions.cost).toMatchObject({ upstreamCalls: 3, estimatedUpstreamCalls: 3, cacheHits: 0 });

    env.upstream.reset();
    const again = await cached.execute(three, vars);
    expect(again.body.errors).toBeUndefined();
    expect(env.upstream.calls).toHaveLength(0);
    expectRanks(again.body, vars);
    expect(again.body.extensions.cost).toMatchObject({ upstreamCalls: 0, cacheHits: 2500 });
  });

  it('900 known targets and 100 new ones send only the 100', async () => {
    const known = domains(900, 'known');
    const fresh = domains(100, 'fresh');
    expectBulk('bulk_ranks');
    const warm = await cached.execute('query($t: [String!]!) { targets(targets: $t) { target bulkMetrics { rank } } }', { t: known });
    expect(warm.body.errors).toBeUndefined();
    env.upstream.assertDone();
    env.upstream.reset();

    expectBulk('bulk_ranks', { shuffleSeed: 5 });
    const mixed = [...known.slice(0, 450), ...fresh, ...known.slice(450)];
    const { body } = await cached.execute('query($t: [String!]!) { targets(targets: $t) { target bulkMetrics { rank } } }', { t: mixed });
    expect(body.errors).toBeUndefined();
    expect(env.upstream.calls).toHaveLength(1);
    expect(sorted(targetsOf(env.upstream.calls[0]))).toEqual(sorted(fresh));
    expectRanks(body, { targets: mixed });
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 1, cacheHits: 900 });
  });

  it('a cached target that the answer omitted stays null, and is not asked again', async () => {
    const targets = ['kept.example', 'gone.example'];
    expectBulk('bulk_ranks', { omit: (t) => t === 'gone.example' });
    const q = 'query($t: [String!]!) { targets(targets: $t) { target bulkMetrics { rank } } }';
    const first = await cached.execute(q, { t: targets });
    expect(first.body.data.targets[1].bulkMetrics.rank).toBeNull();
    env.upstream.assertDone();
    env.upstream.reset();
    const again = await cached.execute(q, { t: targets });
    expect(env.upstream.calls).toHaveLength(0);
    expect(again.body.data).toEqual(first.body.data);
    expect(again.body.extensions.cost).toMatchObject({ upstreamCalls: 0, cacheHits: 2 });
  });
});

describe('two requests at once: the second joins the first’s call for the targets they share', () => {
  it('sends only the targets the first request is not already fetching', async () => {
    const shared = domains(10, 'shared');
    const onlyA = domains(10, 'a');
    const onlyB = domains(5, 'b');
    const has = (t: Record<string, unknown>, target: string) => (t.targets as string[]).includes(target);
    // A's call is held long enough for B to start while it is in flight.
    env.upstream.expect({ endpoint: 'bulk_ranks', match: (t) => has(t, 'a0.example'), reply: bulkReply('bulk_ranks'), delayMs: 500 });
    env.upstream.expect({ endpoint: 'bulk_ranks', match: (t) => has(t, 'b0.example'), reply: bulkReply('bulk_ranks') });
    const q = 'query($t: [String!]!) { targets(targets: $t) { target bulkMetrics { rank } } }';
    const a = env.app.execute(q, { t: [...shared, ...onlyA] });
    for (let i = 0; i < 500 && env.upstream.calls.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(env.upstream.calls).toHaveLength(1);
    const b = await env.app.execute(q, { t: [...onlyB, ...shared] });
    const resultA = await a;
    expect(resultA.body.errors).toBeUndefined();
    expect(b.body.errors).toBeUndefined();
    expect(env.upstream.calls).toHaveLength(2);
    expect(sorted(targetsOf(env.upstream.calls[0]))).toEqual(sorted([...shared, ...onlyA]));
    expect(sorted(targetsOf(env.upstream.calls[1]))).toEqual(sorted(onlyB));
    for (const t of [...resultA.body.data.targets, ...b.body.data.targets] as { target: string; bulkMetrics: { rank: number } }[]) {
      expect(t.bulkMetrics.rank).toBe(figure('bulk_ranks', { rank_scale: 'one_thousand' }, t.target, 'rank'));
    }
    expect(resultA.body.extensions.cost).toMatchObject({ upstreamCalls: 1, coalesced: 0 });
    expect(b.body.extensions.cost).toMatchObject({ upstreamCalls: 1, coalesced: 10 });
  });
});

describe('one call per parameter set: rank scale, day', () => {
  it('ONE_HUNDRED and the default scale in one operation are two bulk_ranks calls, each with its rank_scale', async () => {
    expectBulk('bulk_ranks', { times: 2 });
    const { body } = await env.app.execute(`{
      h: targets(targets: ["a.example", "b.example"], options: { rankScale: ONE_HUNDRED }) { target bulkMetrics { rank } }
      k: targets(targets: ["a.example", "c.example"]) { target bulkMetrics { rank } }
      k2: target(target: "b.example", options: { rankScale: ONE_THOUSAND }) { target bulkMetrics { rank } }
    }`);
    expect(body.errors).toBeUndefined();
    const calls = callsTo('bulk_ranks');
    expect(calls).toHaveLength(2);
    const byScale = Object.fromEntries(calls.map((c) => [c.task.rank_scale as string, sorted(targetsOf(c))]));
    expect(byScale).toEqual({ one_hundred: ['a.example', 'b.example'], one_thousand: ['a.example', 'b.example', 'c.example'] });
    const rank = (scale: string, t: string) => figure('bulk_ranks', { rank_scale: scale }, t, 'rank');
    expect(body.data.h.map((t: { bulkMetrics: { rank: number } }) => t.bulkMetrics.rank)).toEqual([
      rank('one_hundred', 'a.example'),
      rank('one_hundred', 'b.example'),
    ]);
    expect(body.data.k.map((t: { bulkMetrics: { rank: number } }) => t.bulkMetrics.rank)).toEqual([
      rank('one_thousand', 'a.example'),
      rank('one_thousand', 'c.example'),
    ]);
    expect(body.data.k2.bulkMetrics.rank).toBe(rank('one_thousand', 'b.example'));
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 2, estimatedUpstreamCalls: 2 });
  });

  it('newAndLost on two days is one call per day per endpoint, date_from sent as asked', async () => {
    const now = new Date();
    const day1 = utcDay(now, { days: -3 });
    const day2 = utcDay(now, { months: -6 });
    expectBulk('bulk_new_lost_backlinks', { times: 2 });
    expectBulk('bulk_new_lost_referring_domains', { times: 2 });
    const { body } = await env.app.execute(`{ targets(targets: ["a.example", "b.example"]) { target bulkMetrics {
      d1: newAndLost(since: "${day1}") { since newBacklinkCount lostReferringMainDomainCount }
      d2: newAndLost(since: "${day2}") { since lostBacklinkCount newReferringDomainCount }
      d1again: newAndLost(since: "${day1}") { newBacklinkCount }
    } } }`);
    expect(body.errors).toBeUndefined();
    for (const e of ['bulk_new_lost_backlinks', 'bulk_new_lost_referring_domains'] as const) {
      const calls = callsTo(e);
      expect(calls.map((c) => c.task.date_from).sort()).toEqual([day1, day2].sort());
      for (const c of calls) expect(sorted(targetsOf(c))).toEqual(['a.example', 'b.example']);
    }
    for (const t of body.data.targets as { target: string; bulkMetrics: any }[]) {
      const m = t.bulkMetrics;
      expect(m.d1).toEqual({
        since: day1,
        newBacklinkCount: figure('bulk_new_lost_backlinks', { date_from: day1 }, t.target, 'new_backlinks'),
        lostReferringMainDomainCount: figure(
          'bulk_new_lost_referring_domains',
          { date_from: day1 },
          t.target,
          'lost_referring_main_domains',
        ),
      });
      expect(m.d2).toEqual({
        since: day2,
        lostBacklinkCount: figure('bulk_new_lost_backlinks', { date_from: day2 }, t.target, 'lost_backlinks'),
        newReferringDomainCount: figure('bulk_new_lost_referring_domains', { date_from: day2 }, t.target, 'new_referring_domains'),
      });
      expect(m.d1again.newBacklinkCount).toBe(m.d1.newBacklinkCount);
    }
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 4, estimatedUpstreamCalls: 4 });
  });

  it('newAndLost without since sends date_from explicitly: one month back, UTC', async () => {
    expectBulk('bulk_new_lost_backlinks');
    const before = new Date();
    const { body } = await env.app.execute('{ target(target: "a.example") { bulkMetrics { newAndLost { since newBacklinkCount } } } }');
    const after = new Date();
    expect(body.errors).toBeUndefined();
    const expected = [utcDay(before, { months: -1 }), utcDay(after, { months: -1 })];
    const sent = callsTo('bulk_new_lost_backlinks')[0]?.task.date_from;
    expect(expected).toContain(sent);
    expect(body.data.target.bulkMetrics.newAndLost).toEqual({
      since: sent,
      newBacklinkCount: figure('bulk_new_lost_backlinks', { date_from: sent }, 'a.example', 'new_backlinks'),
    });
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 1, estimatedUpstreamCalls: 1 });
  });

  it('accepts the edges of the range: exactly one year back, and today', async () => {
    const now = new Date();
    const edges = [utcDay(now, { years: -1 }), utcDay(now, {})];
    expectBulk('bulk_new_lost_backlinks', { times: 2 });
    const { body } = await env.app.execute(
      `{ target(target: "a.example") { bulkMetrics { a: newAndLost(since: "${edges[0]}") { since } b: newAndLost(since: "${edges[1]}") { since newBacklinkCount } c: newAndLost(since: "${edges[0]}") { newBacklinkCount } } } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(
      callsTo('bulk_new_lost_backlinks')
        .map((c) => c.task.date_from)
        .sort(),
    ).toEqual([...edges].sort());
  });
});

describe('summary and bulk fields side by side', () => {
  it('a Target’s summary fields and bulk fields are fetched by their own calls and keep their own meaning', async () => {
    env.upstream.expect({
      endpoint: 'summary',
      reply: (t) => okEnvelope('summary', summaryResult(String(t.target), { rank: 1, backlinks: 2 })),
      times: 2,
    });
    expectBulk('bulk_ranks');
    expectBulk('bulk_backlinks');
    const { body } = await env.app.execute(
      '{ targets(targets: ["a.example", "b.example"]) { target rank backlinkCount bulkMetrics { rank backlinkCount } } }',
    );
    expect(body.errors).toBeUndefined();
    for (const t of body.data.targets as { target: string; rank: number; backlinkCount: number; bulkMetrics: any }[]) {
      expect(t.rank).toBe(1);
      expect(t.backlinkCount).toBe(2);
      expect(t.bulkMetrics).toEqual({
        rank: figure('bulk_ranks', { rank_scale: 'one_thousand' }, t.target, 'rank'),
        backlinkCount: figure('bulk_backlinks', {}, t.target, 'backlinks'),
      });
    }
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 4, estimatedUpstreamCalls: 4 });
  });
});

describe('a failing bulk call: a coded error on each affected field, the rest resolves', () => {
  const query = '{ targets(targets: ["a.example", "b.example"]) { target rank bulkMetrics { rank spamScore referringDomainCount } } }';

  function expectRest(body: { data?: any; errors?: any[] }, failedField: string, code: string) {
    expect(body.data.targets).toHaveLength(2);
    body.data.targets.forEach((t: { target: string; rank: number; bulkMetrics: Record<string, number | null> }, i: number) => {
      expect(t.rank).toBe(100);
      expect(t.bulkMetrics[failedField]).toBeNull();
      if (failedField !== 'rank') expect(t.bulkMetrics.rank).toBe(figure('bulk_ranks', { rank_scale: 'one_thousand' }, t.target, 'rank'));
      if (failedField !== 'referringDomainCount')
        expect(t.bulkMetrics.referringDomainCount).toBe(figure('bulk_referring_domains', {}, t.target, 'referring_domains'));
      // The failed call's one error names every field it nulled.
      expect(body.errors?.[0]?.extensions.paths).toContainEqual(['targets', i, 'bulkMetrics', failedField]);
    });
    expect(body.errors).toHaveLength(1);
    expect(codes(body.errors)).toEqual([code]);
    expect(body.errors?.[0]?.extensions.paths).toHaveLength(2);
  }

  function expectOthers() {
    env.upstream.expect({ endpoint: 'summary', reply: (t) => okEnvelope('summary', summaryResult(String(t.target))), times: 2 });
    expectBulk('bulk_ranks');
    expectBulk('bulk_referring_domains');
  }

  it('a task-level 40501 on bulk_spam_score: UPSTREAM_BAD_REQUEST on both spamScore fields, not retried', async () => {
    expectOthers();
    env.upstream.expect({ endpoint: 'bulk_spam_score', reply: taskErrorEnvelope('bulk_spam_score', 40501, 'Invalid Field: targets.') });
    const { body } = await retrying.execute(query);
    expectRest(body, 'spamScore', 'UPSTREAM_BAD_REQUEST');
    expect(callsTo('bulk_spam_score')).toHaveLength(1);
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 5, estimatedUpstreamCalls: 5, retries: 0 });
  });

  it('a task-level 50000 on bulk_ranks, after 2 retries: UPSTREAM_UNAVAILABLE on both rank fields', async () => {
    env.upstream.expect({ endpoint: 'summary', reply: (t) => okEnvelope('summary', summaryResult(String(t.target))), times: 2 });
    expectBulk('bulk_spam_score');
    expectBulk('bulk_referring_domains');
    env.upstream.expect({ endpoint: 'bulk_ranks', reply: taskErrorEnvelope('bulk_ranks', 50000, 'Internal Error.'), times: 3 });
    const { body } = await retrying.execute(query);
    expectRest(body, 'rank', 'UPSTREAM_UNAVAILABLE');
    expect(body.data.targets.map((t: { bulkMetrics: { spamScore: number } }) => t.bulkMetrics.spamScore)).toEqual([
      figure('bulk_spam_score', {}, 'a.example', 'spam_score'),
      figure('bulk_spam_score', {}, 'b.example', 'spam_score'),
    ]);
    expect(callsTo('bulk_ranks')).toHaveLength(3);
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 7, retries: 2 });
  });

  it('HTTP 500 on bulk_referring_domains, after 2 retries: UPSTREAM_UNAVAILABLE on both referringDomainCount fields', async () => {
    env.upstream.expect({ endpoint: 'summary', reply: (t) => okEnvelope('summary', summaryResult(String(t.target))), times: 2 });
    expectBulk('bulk_ranks');
    expectBulk('bulk_spam_score');
    env.upstream.expect({ endpoint: 'bulk_referring_domains', status: 500, reply: { error: 'boom' }, times: 3 });
    const { body } = await retrying.execute(query);
    expectRest(body, 'referringDomainCount', 'UPSTREAM_UNAVAILABLE');
    expect(callsTo('bulk_referring_domains')).toHaveLength(3);
    expect(body.extensions.cost).toMatchObject({ upstreamCalls: 7, retries: 2 });
  });

  it('a failure is not cached: the next operation asks again', async () => {
    env.upstream.expect({ endpoint: 'bulk_ranks', status: 500, reply: { error: 'boom' } });
    const q = '{ target(target: "flaky.example") { bulkMetrics { rank } } }';
    const first = await cached.execute(q);
    expect(codes(first.body.errors)).toEqual(['UPSTREAM_UNAVAILABLE']);
    env.upstream.assertDone();
    env.upstream.reset();
    expectBulk('bulk_ranks');
    const second = await cached.execute(q);
    expect(second.body.errors).toBeUndefined();
    expect(second.body.data.target.bulkMetrics.rank).toBe(figure('bulk_ranks', { rank_scale: 'one_thousand' }, 'flaky.example', 'rank'));
  });
});

describe('refusals are free: no upstream call', () => {
  it.each([
    ['status: ALL', 'options.status'],
    ['status: LOST', 'options.status'],
    ['includeSubdomains: false', 'options.includeSubdomains'],
    ['includeIndirectLinks: false', 'options.includeIndirectLinks'],
    ['excludeInternalBacklinks: false', 'options.excludeInternalBacklinks'],
    ['backlinksFilter: { dofollow: true }', 'options.backlinksFilter'],
  ])('bulkMetrics under options { %s } is BAD_USER_INPUT naming %s', async (options, argument) => {
    const { body } = await env.app.execute(
      `{ target(target: "a.example", options: { ${options} }) { target bulkMetrics { rank newAndLost { newBacklinkCount } } } }`,
    );
    expect(body.data.target).toEqual({ target: 'a.example', bulkMetrics: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    expect(body.errors?.[0].message).toContain(argument);
    expect(env.upstream.calls).toHaveLength(0);
  });

  it('refuses bulkMetrics on the asTarget of a page counted with refused options, before any bulk call', async () => {
    env.upstream.expect({ endpoint: 'referring_domains', reply: (t) => okEnvelope('referring_domains', referringDomainsResult(t, 3)) });
    const { body } = await env.app.execute(
      '{ target(target: "x.com", options: { status: ALL }) { referringDomains(first: 3) { nodes { asTarget { bulkMetrics { rank } } } } } }',
    );
    expect(codes(body.errors)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(env.upstream.calls.map((c) => c.endpoint)).toEqual(['referring_domains']);
  });

  it('the other fields of the Target still resolve beside a refused bulkMetrics', async () => {
    env.upstream.expect({ endpoint: 'summary', reply: (t) => okEnvelope('summary', summaryResult(String(t.target), { rank: 5 })) });
    const { body } = await env.app.execute('{ target(target: "a.example", options: { status: LOST }) { rank bulkMetrics { rank } } }');
    expect(body.data.target).toEqual({ rank: 5, bulkMetrics: null });
    expect(codes(body.errors)).toEqual(['BAD_USER_INPUT']);
    expect(env.upstream.calls.map((c) => c.endpoint)).toEqual(['summary']);
  });

  const now = new Date();
  it.each([
    ['tomorrow', utcDay(now, { days: 1 })],
    ['13 months ago', utcDay(now, { months: -13 })],
    ['a year and a day ago', utcDay(now, { years: -1, days: -1 })],
  ])('since %s is BAD_USER_INPUT, no call', async (_name, since) => {
    const { body } = await env.app.execute(
      `{ target(target: "a.example") { bulkMetrics { newAndLost(since: "${since}") { newBacklinkCount } } } }`,
    );
    expect(codes(body.errors)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors?.[0].extensions.argument).toBe('since');
    expect(env.upstream.calls).toHaveLength(0);
  });

  it.each([['2026-02-30'], ['2026-13-01'], ['yesterday'], ['2026-1-1'], ['2026-01-01T00:00:00Z'], ['']])(
    'since %j (malformed) is refused with a code, no call: in the document and in a variable',
    async (since) => {
      const literal = await env.app.execute(
        `{ target(target: "a.example") { bulkMetrics { newAndLost(since: ${JSON.stringify(since)}) { newBacklinkCount } } } }`,
      );
      expect(literal.status).toBe(400);
      expect(codes(literal.body.errors)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      const variable = await env.app.execute(
        'query($s: Date) { target(target: "a.example") { bulkMetrics { newAndLost(since: $s) { newBacklinkCount } } } }',
        { s: since },
      );
      expect(variable.status).toBe(400);
      expect(codes(variable.body.errors)).toEqual(['BAD_USER_INPUT']);
      expect(env.upstream.calls).toHaveLength(0);
    },
  );

  it('targets of 1001 is BAD_USER_INPUT, no call', async () => {
    const { body } = await env.app.execute('query($t: [String!]!) { targets(targets: $t) { bulkMetrics { rank } } }', { t: domains(1001) });
    expect(codes(body.errors)).toEqual(['BAD_USER_INPUT']);
    expect(env.upstream.calls).toHaveLength(0);
  });

  it('targets of 1000 selecting a summary field (1000 calls) is BUDGET_EXCEEDED before any call; bulkMetrics on the same 1000 runs', async () => {
    const t = domains(1000);
    const refused = await budgeted.execute('query($t: [String!]!) { targets(targets: $t) { rank bulkMetrics { rank } } }', { t });
    expect(codes(refused.body.errors)).toEqual(['BUDGET_EXCEEDED']);
    expect(refused.body.errors?.[0].extensions).toMatchObject({ estimatedUpstreamCalls: 1001, maxUpstreamCalls: 50 });
    expect(env.upstream.calls).toHaveLength(0);

    expectBulk('bulk_ranks');
    const ran = await budgeted.execute('query($t: [String!]!) { targets(targets: $t) { target bulkMetrics { rank } } }', { t });
    expect(ran.body.errors).toBeUndefined();
    expect(env.upstream.calls).toHaveLength(1);
    expect(ran.body.extensions.cost).toMatchObject({ upstreamCalls: 1, estimatedUpstreamCalls: 1 });
  });

  it('an invalid target in a list of 1000 is BAD_USER_INPUT naming its index, no call', async () => {
    const t = domains(1000);
    t[637] = 'not a domain';
    const { body } = await env.app.execute('query($t: [String!]!) { targets(targets: $t) { bulkMetrics { rank } } }', { t });
    expect(codes(body.errors)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors?.[0].extensions.argument).toBe('targets[637]');
    expect(env.upstream.calls).toHaveLength(0);
  });
});

describe('items are matched to targets by name, never by position', () => {
  const q = 'query($t: [String!]!) { targets(targets: $t) { target bulkMetrics { rank } } }';
  const rank = (t: string) => figure('bulk_ranks', { rank_scale: 'one_thousand' }, t, 'rank');
  const ranks = (body: { data?: any }) =>
    Object.fromEntries(
      (body.data.targets as { target: string; bulkMetrics: { rank: number | null } }[]).map((t) => [t.target, t.bulkMetrics.rank]),
    );

  it('shuffled items, omitted targets, other spellings, strangers and duplicates', async () => {
    const targets = [
      'x.com',
      'y.com',
      'z.com',
      'omitted.com',
      'upper.com',
      'www-echo.com',
      'xn--bcher-kva.com',
      'dup.com',
      'https://page.com/a',
    ];
    const spellings: Record<string, string> = {
      'upper.com': 'UPPER.COM',
      'www-echo.com': 'www.www-echo.com',
      'xn--bcher-kva.com': 'bücher.com',
      'z.com': 'https://z.com',
    };
    expectBulk('bulk_ranks', {
      omit: (t) => t === 'omitted.com',
      spell: (t) => spellings[t] ?? t,
      strangers: ['stranger.com', 'www.stranger2.com'],
      duplicate: (t) => t === 'dup.com' || t === 'x.com',
      shuffleSeed: 11,
    });
    const { body } = await env.app.execute(q, { t: targets });
    expect(body.errors).toBeUndefined();
    const reply = env.upstream.calls[0];
    expect(sorted(targetsOf(reply))).toEqual(sorted(targets));
    const got = ranks(body);
    for (const t of targets) expect(got[t], t).toBe(t === 'omitted.com' ? null : rank(t));
  });

  it('a target named only by a stranger spelling of another target gets nothing of it', async () => {
    // "b.a.com" is a subdomain, not "a.com"; "https://c.com/" is a page, not the domain "c.com"; a null item is skipped.
    env.upstream.expect({
      endpoint: 'bulk_ranks',
      reply: okEnvelope('bulk_ranks', {
        total_count: 3,
        items_count: 3,
        items: [
          item('bulk_ranks', { rank_scale: 'one_thousand' }, 'b.a.com'),
          item('bulk_ranks', { rank_scale: 'one_thousand' }, 'c.com', 'https://c.com/'),
          null,
        ],
      }),
    });
    const { body } = await env.app.execute(q, { t: ['a.com', 'c.com'] });
    expect(body.errors).toBeUndefined();
    expect(ranks(body)).toEqual({ 'a.com': null, 'c.com': null });
  });

  it('the user’s duplicate and unnormalised spellings are one target, sent once, each answered', async () => {
    expectBulk('bulk_ranks', { shuffleSeed: 2 });
    const spelled = [
      'WWW.Example.COM',
      'https://example.com',
      'example.com.',
      'example.com',
      'Bücher.com',
      'xn--bcher-kva.com',
      'other.com',
    ];
    const { body } = await env.app.execute(q, { t: spelled });
    expect(body.errors).toBeUndefined();
    expect(sorted(targetsOf(env.upstream.calls[0]))).toEqual(['example.com', 'other.com', 'xn--bcher-kva.com']);
    expect(body.data.targets.map((t: { target: string; bulkMetrics: { rank: number } }) => [t.target, t.bulkMetrics.rank])).toEqual(
      ['example.com', 'example.com', 'example.com', 'example.com', 'xn--bcher-kva.com', 'xn--bcher-kva.com', 'other.com'].map((t) => [
        t,
        rank(t),
      ]),
    );
  });

  it('an answer with no items, or items null, leaves every target null without an error', async () => {
    env.upstream.expect({ endpoint: 'bulk_ranks', reply: okEnvelope('bulk_ranks', { total_count: 0, items_count: 0, items: null }) });
    const { body } = await env.app.execute(q, { t: ['a.com', 'b.com'] });
    expect(body.errors).toBeUndefined();
    expect(ranks(body)).toEqual({ 'a.com': null, 'b.com': null });
  });
});
