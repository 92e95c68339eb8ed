import { describe, expect, it } from 'vitest';
import { useSandboxApp } from '../helpers/sandbox.js';

/** Typed filters and orders, end to end: GraphQL → compiled upstream arrays → the sandbox → filtered data. */

const env = useSandboxApp();

async function nodes(args: string, selection = 'domain rank backlinkCount firstSeen', target = 'ahrefs.com') {
  const { body } = await env.app.execute(
    `{ target(target: "${target}") { referringDomains(first: 1000${args}) { totalCount nodes { ${selection} } } } }`,
  );
  expect(body.errors).toBeUndefined();
  return body.data.target.referringDomains as { totalCount: number; nodes: any[] };
}

describe('referring domains, filtered and ordered', () => {
  it('returns only ranks above 500, all of them', async () => {
    const all = await nodes('');
    const filtered = await nodes(', filter: { rank: { gt: 500 } }');
    expect(filtered.nodes.length).toBeGreaterThan(0);
    expect(filtered.nodes.every((n) => n.rank > 500)).toBe(true);
    expect(filtered.totalCount).toBe(all.nodes.filter((n) => n.rank > 500).length);
  });

  it('orders by backlink count, descending', async () => {
    const { nodes: list } = await nodes(', orderBy: [{ field: BACKLINK_COUNT, direction: DESC }]');
    for (let i = 1; i < list.length; i++) expect(list[i - 1].backlinkCount).toBeGreaterThanOrEqual(list[i].backlinkCount);
    expect(list[0].backlinkCount).toBeGreaterThan(list[list.length - 1].backlinkCount);
  });

  it('applies nested and/or trees', async () => {
    const all = await nodes('');
    const { nodes: list } = await nodes(
      ', filter: { rank: { gt: 100 }, or: [{ domain: { like: "%blog%" } }, { backlinkCount: { gte: 5 } }] }',
    );
    const expected = all.nodes.filter((n) => n.rank > 100 && (n.domain.includes('blog') || n.backlinkCount >= 5));
    expect(list.map((n) => n.domain).sort()).toEqual(expected.map((n) => n.domain).sort());
    expect(expected.length).toBeGreaterThan(0);
  });

  it('filters on dates and on a breakdown key', async () => {
    const { nodes: recent } = await nodes(', filter: { firstSeen: { after: "2025-01-01T00:00:00Z" } }');
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.every((n) => n.firstSeen > '2025-01-01')).toBe(true);
    const { nodes: org } = await nodes(
      ', filter: { breakdown: { tld: { key: "org", count: { gt: 0 } } } }',
      'domain breakdown { tlds { key count } }',
    );
    expect(org.length).toBeGreaterThan(0);
    expect(org.every((n) => n.breakdown.tlds.some((k: { key: string }) => k.key === 'org'))).toBe(true);
  });

  it('counts only matching backlinks with options.backlinksFilter', async () => {
    const { body } = await env.app.execute(`{
      all: target(target: "ahrefs.com") { referringPageNofollowCount backlinkCount }
      dofollow: target(target: "ahrefs.com", options: { backlinksFilter: { dofollow: true } }) { referringPageNofollowCount backlinkCount
        referringDomains(first: 3) { nodes { referringPageNofollowCount asTarget { id } } } }
    }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.all.referringPageNofollowCount).toBeGreaterThan(0);
    expect(body.data.dofollow.referringPageNofollowCount).toBe(0);
    expect(body.data.dofollow.backlinkCount).toBeLessThan(body.data.all.backlinkCount);
    expect(
      body.data.dofollow.referringDomains.nodes.every((n: { referringPageNofollowCount: number }) => n.referringPageNofollowCount === 0),
    ).toBe(true);
  });

  it('binds cursors to the filter: a cursor of a filtered list is refused for another filter', async () => {
    const { body } = await env.app.execute(
      '{ target(target: "ahrefs.com") { referringDomains(first: 2, filter: { rank: { gt: 500 } }) { pageInfo { endCursor } } } }',
    );
    const cursor = body.data.target.referringDomains.pageInfo.endCursor;
    env.sandbox.resetStats();
    const again = await env.app.execute(
      'query($c: String) { target(target: "ahrefs.com") { referringDomains(first: 2, after: $c, filter: { rank: { gt: 400 } }) { totalCount } } }',
      { c: cursor },
    );
    expect(again.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    expect(env.sandbox.stats().calls).toBe(0);
  });
});

describe('intersections, filtered and ordered', () => {
  it('filters on target 2’s rank and orders by target 1’s backlinks', async () => {
    const query = (extra: string) => `{ domainIntersection(targets: ["backlinko.com", "ahrefs.com"], first: 1000${extra}) {
      totalCount nodes { domain intersectionCount links { target { target } rank backlinkCount } } } }`;
    const all = (await env.app.execute(query(''))).body.data.domainIntersection;
    const { body } = await env.app.execute(
      query(
        ', filter: { link: { target: "www.ahrefs.com", rank: { gt: 500 } } }, orderBy: [{ field: BACKLINK_COUNT, target: "backlinko.com", direction: DESC }]',
      ),
    );
    expect(body.errors).toBeUndefined();
    const list = body.data.domainIntersection.nodes;
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((n: any) => n.links[1].target.target === 'ahrefs.com' && n.links[1].rank > 500)).toBe(true);
    expect(body.data.domainIntersection.totalCount).toBe(all.nodes.filter((n: any) => n.links[1].rank > 500).length);
    for (let i = 1; i < list.length; i++) expect(list[i - 1].links[0].backlinkCount).toBeGreaterThanOrEqual(list[i].links[0].backlinkCount);
  });

  it('filters on intersectionCount in PARTIAL mode through Target.intersection', async () => {
    const { body } = await env.app
      .execute(`{ target(target: "backlinko.com") { intersection(others: ["ahrefs.com", "moz.com"], mode: PARTIAL, first: 1000, filter: { intersectionCount: { gte: 2 } }) {
      totalCount nodes { intersectionCount } } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.target.intersection.nodes.every((n: { intersectionCount: number }) => n.intersectionCount >= 2)).toBe(true);
  });
});

describe('invalid input is refused for free, and siblings still resolve', () => {
  it.each([
    ['filter: { rank: { in: [] } }', 'filter.rank.in'],
    ['filter: { domain: { regex: "(?<=x)y" } }', 'filter.domain.regex'],
    [
      'filter: { and: [{ rank: { gt: 1, lt: 2 } }, { rank: { gt: 3, lt: 4 } }, { rank: { gt: 5, lt: 6 } }, { rank: { gt: 7, lt: 8 } }, { rank: { ne: 9 } }] }',
      'filter',
    ],
    ['orderBy: [{ field: RANK }, { field: DOMAIN }, { field: BACKLINK_COUNT }, { field: SPAM_SCORE }]', 'orderBy'],
  ])('%s', async (args, argument) => {
    env.sandbox.resetStats();
    const { body } = await env.app.execute(
      `{ ok: target(target: "moz.com") { target } bad: target(target: "ahrefs.com") { target referringDomains(${args}) { totalCount } } }`,
    );
    expect(body.data.ok).toEqual({ target: 'moz.com' });
    expect(body.data.bad).toEqual({ target: 'ahrefs.com', referringDomains: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    expect(env.sandbox.stats().requests).toBe(0);
  });
});
