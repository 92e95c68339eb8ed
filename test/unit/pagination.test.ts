import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { decodeCursor, encodeCursor, queryFingerprint, resolveOffsetConnection } from '../../src/graphql/pagination.js';

const fp = queryFingerprint('referring_domains', { target: 'a.com', limit: undefined });

describe('cursors', () => {
  it('round-trip an offset for the same query', () => {
    expect(decodeCursor('after', encodeCursor(41, fp), fp)).toBe(41);
  });

  it('are bound to the query: key order does not matter, any value does', () => {
    expect(queryFingerprint('summary', { a: 1, b: 2 })).toBe(queryFingerprint('summary', { b: 2, a: 1 }));
    expect(queryFingerprint('summary', { a: 1 })).not.toBe(queryFingerprint('summary', { a: 2 }));
    expect(queryFingerprint('summary', { a: 1 })).not.toBe(queryFingerprint('referring_domains', { a: 1 }));
    expect(() => decodeCursor('after', encodeCursor(1, queryFingerprint('summary', { a: 1 })), fp)).toThrow(/other arguments/);
  });

  it.each(['', 'abc', encodeCursor(-1, fp), Buffer.from('v1:1e3:xxxxxxxxxxxxxxxx').toString('base64url')])(
    'refuse malformed %j',
    (cursor) => {
      expect(() => decodeCursor('before', cursor, fp)).toThrow(GraphQLError);
    },
  );
});

describe('resolveOffsetConnection', () => {
  const list = Array.from({ length: 10 }, (_, i) => i);
  function fetcher() {
    const calls: [number, number][] = [];
    const fetch = async (offset: number, limit: number) => {
      calls.push([offset, limit]);
      return { totalCount: list.length, items: list.slice(offset, offset + limit) };
    };
    return { calls, fetch };
  }

  it.each([
    [{ first: 3 }, [0, 1, 2], [[0, 3]]],
    [{ first: 3, after: encodeCursor(2, fp) }, [3, 4, 5], [[3, 3]]],
    [{ last: 2, before: encodeCursor(5, fp) }, [3, 4], [[3, 2]]],
    [
      { last: 4 },
      [6, 7, 8, 9],
      [
        [0, 4],
        [6, 4],
      ],
    ],
    [{ last: 20 }, list, [[0, 20]]],
    [{ first: 5, after: encodeCursor(1, fp), before: encodeCursor(4, fp) }, [2, 3], [[2, 2]]],
    [{ last: 5, after: encodeCursor(7, fp) }, [8, 9], [[8, 5]]],
    [{ before: encodeCursor(3, fp) }, [0, 1, 2], [[0, 3]]],
    [{ first: 0 }, [], [[0, 1]]],
  ])('%o → items %o with calls %o', async (args, items, calls) => {
    const f = fetcher();
    const c = await resolveOffsetConnection(args, fp, f.fetch, (n) => n);
    expect(c.edges.map((e) => e.node)).toEqual(items);
    expect(f.calls).toEqual(calls);
    expect(c.totalCount).toBe(10);
    c.edges.forEach((e, i) => expect(decodeCursor('after', e.cursor, fp)).toBe(items[i] as number));
  });

  it('derives hasNextPage from the total, never from an extra row', async () => {
    const f = fetcher();
    const c = await resolveOffsetConnection({ first: 10 }, fp, f.fetch, (n) => n);
    expect(c.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    expect(f.calls).toEqual([[0, 10]]);
  });
});
