import { describe, expect, it } from 'vitest';
import { useMockUpstreamApp } from '../helpers/app.js';
import { okEnvelope, referringDomainsResult } from '../helpers/mock-upstream.js';

const env = useMockUpstreamApp();
const TOTAL = 7;

/** Expects one referring_domains call for exactly this window. */
function expectWindow(offset: number, limit: number, total = TOTAL) {
  env.upstream.expect({
    endpoint: 'referring_domains',
    match: (t) => t.offset === offset && t.limit === limit,
    reply: (t) => okEnvelope('referring_domains', referringDomainsResult(t, total)),
  });
}

const PAGE = `query($first: Int, $after: String, $last: Int, $before: String, $target: String! = "example.com") {
  target(target: $target) { referringDomains(first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { cursor node { domain } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;

type Page = {
  totalCount: number;
  edges: { cursor: string; node: { domain: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
};

async function page(variables: Record<string, unknown>): Promise<{ page: Page | null; errors: any[] | undefined }> {
  const { body } = await env.app.execute(PAGE, variables);
  return { page: body.data?.target?.referringDomains ?? null, errors: body.errors };
}

const domains = (p: Page | null) => p?.edges.map((e) => e.node.domain);

describe('Relay pagination over offset/limit', () => {
  it('walks forward with first/after, one call per page, the last page saying so', async () => {
    expectWindow(0, 3);
    const p1 = (await page({ first: 3 })).page;
    expect(domains(p1)).toEqual(['d0.com', 'd1.com', 'd2.com']);
    expect(p1?.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(p1?.totalCount).toBe(TOTAL);

    expectWindow(3, 3);
    const p2 = (await page({ first: 3, after: p1?.pageInfo.endCursor })).page;
    expect(domains(p2)).toEqual(['d3.com', 'd4.com', 'd5.com']);
    expect(p2?.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });

    expectWindow(6, 3);
    const p3 = (await page({ first: 3, after: p2?.pageInfo.endCursor })).page;
    expect(domains(p3)).toEqual(['d6.com']);
    expect(p3?.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    // hasNextPage came from total_count: no call ever asked for an extra row.
    expect(env.upstream.calls.map((c) => [c.task.offset, c.task.limit])).toEqual([
      [0, 3],
      [3, 3],
      [6, 3],
    ]);
  });

  it('defaults to 25 items', async () => {
    expectWindow(0, 25);
    expect(domains((await page({})).page)).toHaveLength(TOTAL);
  });

  it('walks back with last/before', async () => {
    expectWindow(0, 3);
    const first = (await page({ first: 3 })).page;
    const cursorOfD2 = first?.edges[2]?.cursor;
    expectWindow(0, 2);
    const back = (await page({ last: 5, before: cursorOfD2 })).page;
    expect(domains(back)).toEqual(['d0.com', 'd1.com']);
    expect(back?.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
  });

  it('serves last without before from the end of the list (two calls when the list is longer than the page)', async () => {
    expectWindow(0, 3);
    expectWindow(4, 3);
    const tail = (await page({ last: 3 })).page;
    expect(domains(tail)).toEqual(['d4.com', 'd5.com', 'd6.com']);
    expect(tail?.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('serves last without before in one call when the whole list fits', async () => {
    expectWindow(0, 10);
    expect(domains((await page({ last: 10 })).page)).toHaveLength(TOTAL);
  });

  it('returns an empty connection for a target with no referring domains', async () => {
    expectWindow(0, 25, 0);
    const empty = (await page({})).page;
    expect(empty).toEqual({
      totalCount: 0,
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
  });

  it('answers first: 0 with the total and no edges, from a one-row call', async () => {
    expectWindow(0, 1);
    const zero = (await page({ first: 0 })).page;
    expect(zero?.totalCount).toBe(TOTAL);
    expect(zero?.edges).toEqual([]);
  });

  it('refuses a malformed cursor without calling upstream', async () => {
    const { page: p, errors } = await page({ first: 2, after: 'not-a-cursor' });
    expect(p).toBeNull();
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after', value: 'not-a-cursor' });
    expect(env.upstream.calls).toHaveLength(0);
  });

  it('refuses a cursor reused with other arguments without calling upstream', async () => {
    expectWindow(0, 2);
    const p1 = (await page({ first: 2 })).page;
    const { page: p, errors } = await page({ first: 2, after: p1?.pageInfo.endCursor, target: 'other.com' });
    expect(p).toBeNull();
    expect(errors?.[0]?.message).toMatch(/other arguments/);
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    expect(env.upstream.calls).toHaveLength(1);
  });

  it.each([
    [{ first: 1001 }, 'first'],
    [{ last: -1 }, 'last'],
    [{ first: 2, last: 2 }, 'last'],
  ])('refuses %o with a clear error naming %s, at no cost', async (variables, argument) => {
    const { errors } = await page(variables);
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    expect(errors?.[0]?.message).toMatch(argument === 'first' ? /0 to 1000/ : /.+/);
    expect(env.upstream.calls).toHaveLength(0);
  });

  it('accepts the maximum page size of 1000', async () => {
    expectWindow(0, 1000);
    expect((await page({ first: 1000 })).errors).toBeUndefined();
  });
});
