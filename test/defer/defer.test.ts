import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { startSandbox } from '../helpers/sandbox.js';
import type { Sandbox, SandboxStats } from '../../src/sandbox/server.js';
import { listen, postForParts } from './parts.js';

/**
 * @defer and @stream over HTTP (multipart/mixed), against the sandbox with a slow domain_intersection (1500 ms) and
 * an instant summary: the cheap part is read off the socket while the slow call is still in flight at the sandbox;
 * the budget bounds every call of the deferred parts; the last part carries the cost of them all; and a key's hold
 * is settled only when the last part is out, so that its ledger is what the sandbox billed.
 */
const KEY = 'defer-key-acme-0123456789';
const bearer = { authorization: `Bearer ${KEY}` };
const SPEND = '{ spend { keyName spentUsd heldUsd capUsd remainingUsd } }';

let sandbox: Sandbox;
let app: ReturnType<typeof createTestApp>;
let server: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
  let url: string;
  ({ sandbox, url } = await startSandbox({
    maxConcurrency: 10_000,
    maxPerMinute: 10_000_000,
    faults: { latencyMsByEndpoint: { domain_intersection: 1500, summary: 0 } },
  }));
  app = createTestApp(url, 'dataforseo', { security: { apiKeys: [{ key: KEY, name: 'acme', dailyCapUsd: 5 }] } });
  server = await listen(app.yoga);
});
afterAll(async () => {
  await server.close();
  await app.close();
  await sandbox.close();
});

/** What the sandbox saw between two snapshots: calls by endpoint, and USD billed. */
function delta(before: SandboxStats, after: SandboxStats) {
  const byEndpoint: Record<string, number> = {};
  for (const [endpoint, n] of Object.entries(after.callsByEndpoint)) {
    const d = n - (before.callsByEndpoint[endpoint] ?? 0);
    if (d > 0) byEndpoint[endpoint] = d;
  }
  return { calls: after.calls - before.calls, byEndpoint, billedUsd: after.billedUsd - before.billedUsd };
}

async function dryRun(query: string): Promise<number> {
  const { body } = await app.execute(query, undefined, { ...bearer, 'x-dry-run': 'true' });
  expect(body.errors).toBeUndefined();
  return body.extensions.cost.estimatedUpstreamCalls as number;
}

async function spend() {
  const { body } = await app.execute(SPEND, undefined, bearer);
  expect(body.errors).toBeUndefined();
  return body.data.spend as { spentUsd: number; heldUsd: number };
}

const gapQuery = (target: string) => `query Gap {
  target(target: "${target}") {
    rank
    backlinkCount
    ... @defer(label: "gap") {
      intersection(others: ["ahrefs.com"], first: 5) { totalCount nodes { domain } }
    }
  }
}`;

describe('@defer', () => {
  it('sends the summary part while the slow intersection call is still in flight, then the intersection part', async () => {
    const before = sandbox.stats();
    const atFirstPart: SandboxStats[] = [];
    const { status, contentType, parts } = await postForParts(server.url, gapQuery('backlinko.com'), {
      headers: bearer,
      onPart: (part) => {
        if (part.body.hasNext === true && part.body.data) atFirstPart.push(sandbox.stats());
      },
    });
    expect(status).toBe(200);
    expect(contentType).toMatch(/^multipart\/mixed/);
    expect(parts).toHaveLength(2);
    const [first, last] = parts as [(typeof parts)[0], (typeof parts)[0]];

    // The first part: the summary fields only, and more to come.
    expect(first.body.hasNext).toBe(true);
    expect(first.body.data.target).toEqual({ rank: expect.any(Number), backlinkCount: expect.any(Number) });
    expect(first.body.extensions?.cost).toBeUndefined();
    // When it was read off the socket, the sandbox had admitted the intersection call and not yet answered it.
    expect(atFirstPart).toHaveLength(1);
    expect(delta(before, atFirstPart[0]!).byEndpoint).toEqual({ summary: 1, domain_intersection: 1 });
    expect(atFirstPart[0]!.inFlight).toBe(1);

    // The last part: the intersection, received after the first.
    expect(last.body.hasNext).toBe(false);
    expect(last.body.incremental).toEqual([
      { label: 'gap', path: ['target'], data: { intersection: { totalCount: expect.any(Number), nodes: expect.any(Array) } } },
    ]);
    expect(last.receivedAt).toBeGreaterThan(first.receivedAt);
    expect(sandbox.stats().inFlight).toBe(0);
  });

  it('is bounded by the estimate; the last part carries the cost of every call, deferred ones included', async () => {
    const query = gapQuery('moz.com');
    const estimate = await dryRun(query);
    const before = sandbox.stats();
    const { parts } = await postForParts(server.url, query, { headers: bearer });
    const seen = delta(before, sandbox.stats());
    expect(seen.byEndpoint).toEqual({ summary: 1, domain_intersection: 1 });
    expect(estimate).toBe(2);
    const cost = parts.at(-1)!.body.extensions.cost;
    expect(cost).toMatchObject({ upstreamCalls: 2, estimatedUpstreamCalls: estimate });
    expect(cost.upstreamCostUsd).toBeCloseTo(seen.billedUsd, 9);
    // Only the last part carries it.
    expect(parts.slice(0, -1).every((part) => part.body.extensions?.cost === undefined)).toBe(true);
  });

  it("holds the key's allowance until the last part is out, then settles at what the sandbox billed", async () => {
    const spentBefore = (await spend()).spentUsd;
    const before = sandbox.stats();
    const heldAtFirstPart: number[] = [];
    const { parts } = await postForParts(server.url, gapQuery('semrush.com'), {
      headers: bearer,
      onPart: async (part) => {
        if (part.body.hasNext === true) heldAtFirstPart.push((await spend()).heldUsd);
      },
    });
    const billed = delta(before, sandbox.stats()).billedUsd;
    // While the intersection was still coming, the operation's hold was still in the ledger.
    expect(heldAtFirstPart).toHaveLength(1);
    expect(heldAtFirstPart[0]).toBeGreaterThan(0);
    // The last part shows the settled figures: nothing held, the whole operation spent.
    const figures = parts.at(-1)!.body.extensions.cost.spend;
    expect(figures.heldUsd).toBe(0);
    expect(figures.spentUsd - spentBefore).toBeCloseTo(billed, 9);
    const after = await spend();
    expect(after.heldUsd).toBe(0);
    expect(after.spentUsd - spentBefore).toBeCloseTo(billed, 9);
    expect(billed).toBeGreaterThan(0.04);
  });

  it('releases the hold when the client goes away after the first part', async () => {
    const controller = new AbortController();
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed', ...bearer },
      body: JSON.stringify({ query: gapQuery('neilpatel.com') }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('"hasNext":true')) text += new TextDecoder().decode((await reader.read()).value);
    expect((await spend()).heldUsd).toBeGreaterThan(0);
    controller.abort();
    // Not settled at the first part, and not left held either: the stream's end (return()) settles it.
    await expect.poll(async () => (await spend()).heldUsd, { timeout: 10_000 }).toBe(0);
  });
});

describe('@stream', () => {
  it('streams list items; the estimate bounds the calls and the last part counts them all', async () => {
    const query = `{ targets(targets: ["a-stream.com", "b-stream.com", "c-stream.com", "d-stream.com"]) @stream(initialCount: 1) { target rank } }`;
    const estimate = await dryRun(query);
    const before = sandbox.stats();
    const { parts } = await postForParts(server.url, query, { headers: bearer });
    const seen = delta(before, sandbox.stats());
    expect(seen.byEndpoint).toEqual({ summary: 4 });
    expect(estimate).toBe(4);
    expect(parts[0]!.body.data.targets).toHaveLength(1);
    const streamed = parts.flatMap((part) => part.body.incremental ?? []).flatMap((i: { items?: unknown[] }) => i.items ?? []);
    expect([parts[0]!.body.data.targets[0], ...streamed].map((t: any) => t.target)).toEqual([
      'a-stream.com',
      'b-stream.com',
      'c-stream.com',
      'd-stream.com',
    ]);
    expect(parts.at(-1)!.body).toMatchObject({ hasNext: false, extensions: { cost: { upstreamCalls: 4, estimatedUpstreamCalls: 4 } } });
  });
});

describe('bulk batches under @defer and @stream', () => {
  const cases: [string, string, Record<string, number>][] = [
    [
      'a deferred fragment selecting bulkMetrics on each asTarget of a page',
      `{ target(target: "backlinko.com") { rank referringDomains(first: 50) { nodes { domain ... @defer(label: "bulk") { asTarget { bulkMetrics { rank backlinkCount } } } } } } }`,
      { summary: 1, referring_domains: 1, bulk_ranks: 1, bulk_backlinks: 1 },
    ],
    [
      'bulkMetrics in the first part and in a deferred page of asTargets',
      `{
        targets(targets: ["ahrefs.com", "moz.com", "semrush.com"]) { bulkMetrics { rank } }
        target(target: "backlinko.com") { ... @defer { referringDomains(first: 40) { nodes { asTarget { bulkMetrics { rank } } } } } }
      }`,
      { referring_domains: 1, bulk_ranks: 1 },
    ],
    [
      'a streamed list of nodes selecting bulkMetrics',
      `{ target(target: "backlinko.com") { referringDomains(first: 30) { nodes @stream(initialCount: 2) { asTarget { bulkMetrics { rank spamScore } } } } } }`,
      { referring_domains: 1, bulk_ranks: 1, bulk_spam_score: 1 },
    ],
  ];
  it.each(cases)('%s: one batch per bulk endpoint, within the estimate', async (_name, query, expected) => {
    const estimate = await dryRun(query);
    const before = sandbox.stats();
    const { parts } = await postForParts(server.url, query, { headers: bearer });
    const seen = delta(before, sandbox.stats());
    expect(parts.length).toBeGreaterThan(1);
    expect(
      parts.flatMap((part) => [...(part.body.errors ?? []), ...(part.body.incremental ?? []).flatMap((i: any) => i.errors ?? [])]),
    ).toEqual([]);
    expect(seen.byEndpoint).toEqual(expected);
    expect(seen.calls).toBeLessThanOrEqual(estimate);
    expect(parts.at(-1)!.body.extensions.cost.upstreamCalls).toBe(seen.calls);
  });
});

describe('refusals', () => {
  it('refuses a deferred operation under an Accept that cannot take parts, before any call', async () => {
    const before = sandbox.stats();
    for (const accept of ['application/graphql-response+json', 'application/json']) {
      const response = await app.yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept, ...bearer },
        body: JSON.stringify({ query: gapQuery('refused-defer.com') }),
      });
      expect(response.status).toBe(406);
      const body = (await response.json()) as { errors: { extensions: { code: string } }[]; data?: unknown };
      expect(body.data).toBeUndefined();
      expect(body.errors.map((e) => e.extensions.code)).toEqual(['NOT_ACCEPTABLE']);
    }
    expect(sandbox.stats().calls).toBe(before.calls);
  });

  it('answers @defer(if: false) as one result under application/json', async () => {
    const { status, body } = await app.execute(
      `{ target(target: "backlinko.com") { rank ... @defer(if: false) { backlinkCount } } }`,
      undefined,
      bearer,
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.target).toEqual({ rank: expect.any(Number), backlinkCount: expect.any(Number) });
  });

  it('refuses @stream on a field that is not a list, with a coded validation error and no call', async () => {
    const before = sandbox.stats();
    const { body } = await app.execute(`{ target(target: "backlinko.com") { rank @stream } }`, undefined, bearer);
    expect(body.errors?.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(sandbox.stats().calls).toBe(before.calls);
  });
});

describe('errors in deferred parts', () => {
  it('one error per failed upstream task within a part, naming every field it nulled', async () => {
    sandbox.setFaults({
      latencyMsByEndpoint: { domain_intersection: 1500, summary: 0 },
      targetCodes: { 'broken-deferred.example': 50000 },
    });
    try {
      const { parts } = await postForParts(
        server.url,
        '{ ok: target(target: "fine-deferred.example") { rank } bad: target(target: "broken-deferred.example") { target ... @defer { rank backlinkCount spamScore } } }',
        { headers: bearer },
      );
      const errors = parts.flatMap((p) => [
        ...(p.body.errors ?? []),
        ...(p.body.incremental ?? []).flatMap((i: { errors?: any[] }) => i.errors ?? []),
      ]);
      expect(errors).toHaveLength(1);
      expect(errors[0].extensions).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        paths: [
          ['bad', 'rank'],
          ['bad', 'backlinkCount'],
          ['bad', 'spamScore'],
        ],
      });
    } finally {
      sandbox.setFaults({ latencyMsByEndpoint: { domain_intersection: 1500, summary: 0 } });
    }
  });
});
