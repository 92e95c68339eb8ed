import { createHash } from 'node:crypto';
import type { LiveEndpoint } from '../dataforseo/types.js';
import { taskKey } from '../upstream/task-key.js';
import { badUserInput } from './input-errors.js';

/**
 * Relay cursor pagination over the upstream's offset/limit. A cursor holds an item's offset and a fingerprint of the
 * query it came from (endpoint and every parameter but limit/offset), so it is refused when reused with other
 * arguments instead of silently paging through a different list. `hasNextPage` comes from the upstream's
 * `total_count`: no extra row is ever fetched to learn it.
 */

export const PAGE_SIZE_DEFAULT = 25;
/** The upstream's `limit` maximum. */
export const PAGE_SIZE_MAX = 1000;

/** The four Relay arguments. */
export interface PageArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}

/** One page as the upstream returns it. */
export interface OffsetPage<Item> {
  totalCount: number;
  items: readonly Item[];
}

/** A Relay connection with `totalCount`. */
export interface Connection<Node> {
  totalCount: number;
  edges: { cursor: string; node: Node }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const CURSOR = /^v1:(\d{1,15}):([A-Za-z0-9_-]{16})$/;

/** A short fingerprint of the query a cursor belongs to: a hash of its task key without limit and offset. */
export function queryFingerprint(endpoint: LiveEndpoint, params: object): string {
  return createHash('sha256').update(taskKey(endpoint, params)).digest('base64url').slice(0, 16);
}

/** Encodes an offset as an opaque cursor bound to a query. */
export function encodeCursor(offset: number, fingerprint: string): string {
  return Buffer.from(`v1:${offset}:${fingerprint}`).toString('base64url');
}

/** Decodes a cursor, refusing one that is malformed or was issued for another query. */
export function decodeCursor(argument: 'after' | 'before', cursor: string, fingerprint: string): number {
  const m = CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw badUserInput(argument, cursor, 'a cursor returned by this connection', 'is not a valid cursor');
  if (m[2] !== fingerprint) {
    throw badUserInput(
      argument,
      cursor,
      'a cursor returned by this connection with the same arguments',
      'is a cursor from a query with other arguments (target, filter, order or options)',
    );
  }
  return Number(m[1]);
}

/** An edge whose cursor is encoded when it is read: a page of 1000 nodes selected without cursors encodes none. */
class Edge<Node> {
  constructor(
    readonly node: Node,
    private readonly offset: number,
    private readonly fingerprint: string,
  ) {}

  get cursor(): string {
    return encodeCursor(this.offset, this.fingerprint);
  }
}

function checkSize(argument: 'first' | 'last', value: number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0 || value > PAGE_SIZE_MAX) {
    throw badUserInput(argument, value, `an integer from 0 to ${PAGE_SIZE_MAX}`);
  }
  return value;
}

/**
 * Resolves a page: validates the arguments (before any upstream call), turns them into offset/limit, fetches, and
 * builds the connection. `last` without `before` needs the total first, so it may take two calls when the list is
 * longer than the page; every other combination takes exactly one.
 */
export async function resolveOffsetConnection<Item, Node>(
  args: PageArgs,
  fingerprint: string,
  fetch: (offset: number, limit: number) => Promise<OffsetPage<Item>>,
  toNode: (item: Item) => Node,
): Promise<Connection<Node>> {
  let first = checkSize('first', args.first);
  let last = checkSize('last', args.last);
  if (first !== undefined && last !== undefined) {
    throw badUserInput('last', last, '"first" or "last", not both', 'cannot be combined with "first"');
  }
  const after = args.after ? decodeCursor('after', args.after, fingerprint) : undefined;
  const before = args.before ? decodeCursor('before', args.before, fingerprint) : undefined;
  if (first === undefined && last === undefined) {
    if (before !== undefined && after === undefined) last = PAGE_SIZE_DEFAULT;
    else first = PAGE_SIZE_DEFAULT;
  }
  let start = after === undefined ? 0 : after + 1;
  let end = before;
  if (first !== undefined) end = Math.min(end ?? Infinity, start + first);

  let page: OffsetPage<Item>;
  if (last !== undefined && end === undefined) {
    // Counting back from the end: learn the total with the page that would be right if the list is short.
    page = await fetch(start, Math.max(1, last));
    if (page.totalCount - start > last) {
      start = Math.max(start, page.totalCount - last);
      page = await fetch(start, Math.max(1, last));
    }
    if (last === 0) page = { totalCount: page.totalCount, items: [] };
  } else {
    const stop = end ?? start;
    if (last !== undefined) start = Math.max(start, stop - last);
    const size = Math.max(0, stop - start);
    // A zero-size page still needs the total; one row is the cheapest call that returns it.
    page = await fetch(start, Math.max(1, size));
    if (size === 0) page = { totalCount: page.totalCount, items: [] };
    else if (page.items.length > size) page = { totalCount: page.totalCount, items: page.items.slice(0, size) };
  }
  const edges = page.items.map((item, i) => new Edge(toNode(item), start + i, fingerprint));
  return {
    totalCount: page.totalCount,
    edges,
    pageInfo: {
      hasNextPage: start + page.items.length < page.totalCount,
      hasPreviousPage: start > 0 && page.totalCount > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
