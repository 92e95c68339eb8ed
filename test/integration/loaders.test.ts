import { describe, expect, it } from 'vitest';
import { useMockUpstreamApp } from '../helpers/app.js';
import { okEnvelope, referringDomainsResult, summaryResult } from '../helpers/mock-upstream.js';

const env = useMockUpstreamApp();

describe('upstream calls happen only for what the query selected', () => {
  it('makes no call for a target whose selection needs none', async () => {
    const { body } = await env.app.execute('{ target(target: "Example.com") { id target } }');
    expect(body.errors).toBeUndefined();
    expect(body.data.target.target).toBe('example.com');
    expect(env.upstream.calls).toHaveLength(0);
  });

  it('makes one referring_domains call and no summary call for referringDomains { totalCount }', async () => {
    env.upstream.expect({ endpoint: 'referring_domains', reply: (t) => okEnvelope('referring_domains', referringDomainsResult(t, 42)) });
    const { body } = await env.app.execute('{ target(target: "example.com") { referringDomains { totalCount } } }');
    expect(body.data.target.referringDomains.totalCount).toBe(42);
    expect(env.upstream.calls.map((c) => c.endpoint)).toEqual(['referring_domains']);
  });

  it('shares one summary call among every summary field of a target', async () => {
    env.upstream.expect({
      endpoint: 'summary',
      reply: okEnvelope(
        'summary',
        summaryResult('example.com', {
          crawled_pages: 5,
          info: { server: 'nginx', platform_type: ['cms'] },
          referring_links_tld: { com: 3 },
        }),
      ),
    });
    const { body } = await env.app.execute(`{ target(target: "example.com") {
      rank backlinkCount spamScore firstSeen lostDate referringDomainCount referringMainDomainCount crawledPageCount
      info { server platformTypes } breakdown { tlds { key count } } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.target).toMatchObject({
      rank: 100,
      backlinkCount: 10,
      crawledPageCount: 5,
      info: { server: 'nginx', platformTypes: ['cms'] },
    });
    expect(env.upstream.calls).toHaveLength(1);
  });

  it('fetches the same target once when it is asked for 50 times in one operation', async () => {
    env.upstream.expect({ endpoint: 'summary', reply: okEnvelope('summary', summaryResult('example.com')) });
    const aliases = Array.from(
      { length: 50 },
      (_, i) => `t${i}: target(target: "${i % 2 ? 'www.Example.com' : 'https://EXAMPLE.com'}") { rank }`,
    ).join('\n');
    const { body } = await env.app.execute(`{ ${aliases} }`);
    expect(body.errors).toBeUndefined();
    expect(Object.values(body.data as Record<string, { rank: number }>).every((t) => t.rank === 100)).toBe(true);
    expect(env.upstream.calls).toHaveLength(1);
  });

  it('fetches the asTarget summary of a repeated domain once', async () => {
    env.upstream.expect({
      endpoint: 'referring_domains',
      reply: (t) =>
        okEnvelope('referring_domains', {
          total_count: 4,
          items_count: 4,
          items: ['a.com', 'b.com', 'a.com', 'b.com'].map((domain) => ({ domain, rank: 1 })),
          target: t.target,
        }),
    });
    env.upstream.expect({
      endpoint: 'summary',
      match: (t) => t.target === 'a.com',
      reply: okEnvelope('summary', summaryResult('a.com', { rank: 7 })),
    });
    env.upstream.expect({
      endpoint: 'summary',
      match: (t) => t.target === 'b.com',
      reply: okEnvelope('summary', summaryResult('b.com', { rank: 8 })),
    });
    const { body } = await env.app.execute(
      '{ target(target: "example.com") { referringDomains(first: 4) { nodes { domain asTarget { rank backlinkCount } } } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.target.referringDomains.nodes.map((n: { asTarget: { rank: number } }) => n.asTarget.rank)).toEqual([7, 8, 7, 8]);
    expect(env.upstream.calls.filter((c) => c.endpoint === 'summary')).toHaveLength(2);
  });

  it('fetches N distinct targets concurrently, not one after another', async () => {
    const targets = Array.from({ length: 8 }, (_, i) => `site${i}.com`);
    for (const t of targets)
      env.upstream.expect({
        endpoint: 'summary',
        match: (task) => task.target === t,
        reply: okEnvelope('summary', summaryResult(t)),
        delayMs: 150,
      });
    const { body } = await env.app.execute('query($t: [String!]!) { targets(targets: $t) { target rank } }', { t: targets });
    expect(body.errors).toBeUndefined();
    expect(body.data.targets.map((t: { target: string }) => t.target)).toEqual(targets);
    expect(env.upstream.calls).toHaveLength(8);
    expect(env.upstream.maxConcurrent).toBe(8);
  });

  it('sends every option explicitly, so equal options are one key whatever the input spelled', async () => {
    env.upstream.expect({ endpoint: 'summary', reply: okEnvelope('summary', summaryResult('example.com')) });
    const { body } = await env.app.execute(`{
      a: target(target: "example.com") { rank }
      b: target(target: "example.com", options: { status: LIVE, rankScale: ONE_THOUSAND, breakdownLimit: 10 }) { rank }
    }`);
    expect(body.errors).toBeUndefined();
    expect(env.upstream.calls).toHaveLength(1);
    expect(env.upstream.calls[0]?.task).toEqual({
      target: 'example.com',
      backlinks_status_type: 'live',
      include_subdomains: true,
      include_indirect_links: true,
      exclude_internal_backlinks: true,
      rank_scale: 'one_thousand',
      internal_list_limit: 10,
    });
  });
});
