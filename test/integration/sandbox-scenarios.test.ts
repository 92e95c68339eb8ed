import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/server.js';
import { DEFAULT_QUERY } from '../../src/http/graphiql.js';
import { createTestApp, TEST_PASSWORD } from '../helpers/app.js';
import { startSandbox } from '../helpers/sandbox.js';

/** The app and its client against the embedded sandbox over a loopback socket, through both wires. */

let sandbox: Sandbox;
let url: string;
beforeAll(async () => ({ sandbox, url } = await startSandbox({ faults: { targetCodes: { 'broken.com': 40501 } } })));
afterAll(() => sandbox.close());

describe.each(['dataforseo', 'aisa'] as const)('through the %s wire', (wire) => {
  let app: ReturnType<typeof createTestApp>;
  beforeAll(() => {
    app = createTestApp(url, wire, { sandbox: true });
  });
  afterAll(() => app.close());

  it('runs the GraphiQL default query with data and no error, and says the data is synthetic', async () => {
    sandbox.resetStats();
    const { body } = await app.execute(DEFAULT_QUERY);
    expect(body.errors).toBeUndefined();
    expect(body.data.target.referringDomains.nodes.length).toBeGreaterThan(0);
    expect(body.data.target.intersection.nodes.length).toBeGreaterThan(0);
    expect(body.extensions.sandbox).toMatchObject({ synthetic: true });
    // 1 summary + 1 referring_domains + 1 domain_intersection + 2 bulk calls for every asTarget hop, as the query says.
    expect(sandbox.stats().callsByEndpoint).toEqual({
      summary: 1,
      referring_domains: 1,
      domain_intersection: 1,
      bulk_ranks: 1,
      bulk_referring_domains: 1,
    });
  });

  it('says the data is synthetic in the first part of a deferred answer too', async () => {
    const response = await app.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed' },
      body: JSON.stringify({ query: '{ target(target: "backlinko.com") { rank ... @defer { backlinkCount } } }' }),
    });
    const text = await response.text();
    const parts = [...text.matchAll(/\r?\n\r?\n(\{.*\})\r?\n/g)].map(
      (m) => JSON.parse(m[1] ?? '{}') as { extensions?: { sandbox?: { synthetic?: boolean } } },
    );
    expect(parts.length).toBeGreaterThan(1);
    expect(parts[0]?.extensions?.sandbox).toMatchObject({ synthetic: true });
  });

  it('makes upstream calls only for what is selected, each distinct task once, concurrently (sandbox counters)', async () => {
    sandbox.resetStats();
    await app.execute('{ target(target: "example.com") { target id } }');
    expect(sandbox.stats().calls).toBe(0);

    await app.execute('{ target(target: "example.com") { referringDomains { totalCount } } }');
    expect(sandbox.stats().callsByEndpoint).toEqual({ referring_domains: 1 });

    sandbox.resetStats();
    const aliases = Array.from(
      { length: 50 },
      (_, i) => `t${i}: target(target: "www.example.com") { rank backlinkCount info { server } }`,
    ).join(' ');
    await app.execute(`{ ${aliases} }`);
    expect(sandbox.stats().callsByEndpoint).toEqual({ summary: 1 });

    sandbox.resetStats();
    sandbox.setFaults({ latencyMs: 100, targetCodes: { 'broken.com': 40501 } });
    const targets = Array.from({ length: 6 }, (_, i) => `concurrent${i}.com`);
    const { body } = await app.execute('query($t: [String!]!) { targets(targets: $t) { rank } }', { t: targets });
    sandbox.setFaults({ targetCodes: { 'broken.com': 40501 } });
    expect(body.errors).toBeUndefined();
    expect(sandbox.stats()).toMatchObject({ calls: 6, maxInFlight: 6 });
  });

  it('pages through every referring domain with cursors: no gap, no repeat, totalCount reached', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    for (let guard = 0; guard < 50; guard++) {
      const { body } = await app.execute(
        'query($after: String) { target(target: "explodingtopics.com") { referringDomains(first: 17, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { domain } } } }',
        { after },
      );
      const c = body.data.target.referringDomains;
      total = c.totalCount;
      seen.push(...c.nodes.map((n: { domain: string }) => n.domain));
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
  });

  it('agrees with itself: a target’s referringMainDomainCount is its referringDomains totalCount', async () => {
    const { body } = await app.execute(
      '{ target(target: "backlinko.com", options: { status: ALL }) { referringMainDomainCount referringDomains { totalCount } } }',
    );
    expect(body.data.target.referringMainDomainCount).toBe(body.data.target.referringDomains.totalCount);
  });

  it('maps a task error of the sandbox to its code while siblings resolve', async () => {
    const { body, text } = await app.execute('{ a: target(target: "broken.com") { rank } b: target(target: "fine.com") { rank } }');
    expect(body.data.a).toEqual({ rank: null });
    expect(body.data.b.rank).toEqual(expect.any(Number));
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_BAD_REQUEST', upstreamStatusCode: 40501 });
    expect(text).not.toContain(TEST_PASSWORD);
  });

  it('round-trips global IDs of Target, ReferringDomain and Intersection through node and nodes', async () => {
    const { body } = await app.execute(`{
      target(target: "backlinko.com", options: { rankScale: ONE_HUNDRED, breakdownLimit: 3 }) {
        id rank
        referringDomains(first: 2) { nodes { id domain backlinkCount } }
        intersection(others: ["ahrefs.com"], first: 1) { nodes { id domain intersectionCount } }
      } }`);
    expect(body.errors).toBeUndefined();
    const t = body.data.target;
    const rd = t.referringDomains.nodes[1];
    const ix = t.intersection.nodes[0];
    const again = await app.execute(
      `query($ids: [ID!]!, $t: ID!) {
      t: node(id: $t) { __typename id ... on Target { target rank breakdown { tlds { key } } } }
      all: nodes(ids: $ids) { __typename id ... on ReferringDomain { domain backlinkCount target { target } } ... on Intersection { domain intersectionCount links { target { target } } } }
    }`,
      { t: t.id, ids: [rd.id, ix.id] },
    );
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data.t).toMatchObject({ __typename: 'Target', id: t.id, target: 'backlinko.com', rank: t.rank });
    expect(again.body.data.t.breakdown.tlds.length).toBeLessThanOrEqual(3);
    expect(again.body.data.all[0]).toMatchObject({
      __typename: 'ReferringDomain',
      id: rd.id,
      domain: rd.domain,
      backlinkCount: rd.backlinkCount,
      target: { target: 'backlinko.com' },
    });
    expect(again.body.data.all[1]).toMatchObject({
      __typename: 'Intersection',
      id: ix.id,
      domain: ix.domain,
      intersectionCount: 2,
      links: [{ target: { target: 'backlinko.com' } }, { target: { target: 'ahrefs.com' } }],
    });
  });

  it('round-trips the ID of an intersection with a wildcard exclusion and options', async () => {
    const { body } =
      await app.execute(`{ domainIntersection(targets: ["ahrefs.com", "moz.com"], excludeTargets: ["https://semrush.com/blog/*"], mode: PARTIAL, options: { status: ALL }, first: 1) {
      nodes { id domain intersectionCount } } }`);
    const node = body.data.domainIntersection.nodes[0];
    const again = await app.execute('query($id: ID!) { node(id: $id) { ... on Intersection { domain intersectionCount } } }', {
      id: node.id,
    });
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data.node).toEqual({ domain: node.domain, intersectionCount: node.intersectionCount });
  });

  it('answers node with null for an ID of nothing', async () => {
    const id = Buffer.from('Target:["not a domain",{}]').toString('base64');
    const { body } = await app.execute('query($id: ID!) { node(id: $id) { id } }', { id });
    expect(body.data.node).toBeNull();
  });
});

describe('malformed global IDs', () => {
  let app: ReturnType<typeof createTestApp>;
  beforeAll(() => {
    app = createTestApp(url);
  });
  afterAll(() => app.close());

  it.each(['garbage', Buffer.from('Nope:1').toString('base64'), Buffer.from('Target').toString('base64')])(
    'refuses %j with BAD_USER_INPUT, at no cost',
    async (id) => {
      sandbox.resetStats();
      const { body } = await app.execute('query($id: ID!) { node(id: $id) { id } }', { id });
      expect(body.data.node).toBeNull();
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'id', value: id });
      expect(sandbox.stats().calls).toBe(0);
    },
  );
});
