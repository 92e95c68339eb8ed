import { normalizeTarget, rootDomainOf } from './target.js';
import type { BulkResult, BulkTask, LiveEndpoint, ResultOf } from './types.js';

/**
 * What the bulk endpoints have in common: one task carries up to 1000 targets (bulk_pages_summary: of at most 100
 * distinct root domains), and the answer holds one item per target, which names its target (`target`, or `url` for
 * bulk_pages_summary). Nothing here knows GraphQL: the gateway splits work into calls with `chunkTargets` and
 * reads answers back per target with `itemsByTarget`.
 */

/** The bulk endpoints: those whose task takes a `targets` array. */
export type BulkEndpoint = Extract<LiveEndpoint, `bulk_${string}`>;

/** The item a bulk endpoint returns per target. */
export type BulkItemOf<E extends BulkEndpoint> = ResultOf<E> extends BulkResult<infer Item> ? Item : never;

/** A bulk task without its targets: what one loader's targets share. */
export type BulkParams = Omit<BulkTask, 'targets'>;

/** Targets per bulk task, on every bulk endpoint. */
export const BULK_TARGETS_MAX = 1000;
/** Distinct root domains per bulk_pages_summary task. */
export const PAGES_SUMMARY_ROOTS_MAX = 100;

/**
 * The fewest targets a full chunk of `endpoint` holds (every chunk but the last holds at least this many), so that
 * `ceil(n / size)` bounds the calls for n targets: 1000, or 100 for bulk_pages_summary, whose chunk can close early
 * at its 100th root domain (and then holds at least 100 targets).
 */
export function bulkBatchSize(endpoint: BulkEndpoint): number {
  return endpoint === 'bulk_pages_summary' ? PAGES_SUMMARY_ROOTS_MAX : BULK_TARGETS_MAX;
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** The root domain a target counts against in bulk_pages_summary; an IP address is its own. */
function rootOf(target: string): string {
  try {
    const { host } = normalizeTarget(target);
    return IPV4.test(host) ? host : rootDomainOf(host);
  } catch {
    // A target the normaliser refuses never gets this far; on its own it can only cost its own chunk.
    return target;
  }
}

/**
 * Splits distinct targets into the tasks of `endpoint`: at most 1000 each, and for bulk_pages_summary at most 100
 * distinct root domains each (targets of one root stay together where they fit). Every chunk but the last holds at
 * least `bulkBatchSize(endpoint)` targets.
 */
export function chunkTargets(endpoint: BulkEndpoint, targets: readonly string[]): string[][] {
  if (endpoint !== 'bulk_pages_summary') {
    const chunks: string[][] = [];
    for (let i = 0; i < targets.length; i += BULK_TARGETS_MAX) chunks.push(targets.slice(i, i + BULK_TARGETS_MAX));
    return chunks;
  }
  const byRoot = new Map<string, string[]>();
  for (const target of targets) {
    const root = rootOf(target);
    const list = byRoot.get(root);
    if (list) list.push(target);
    else byRoot.set(root, [target]);
  }
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let roots = new Set<string>();
  for (const [root, list] of byRoot) {
    for (const target of list) {
      if (chunk.length === BULK_TARGETS_MAX || (!roots.has(root) && roots.size === PAGES_SUMMARY_ROOTS_MAX)) {
        chunks.push(chunk);
        chunk = [];
        roots = new Set();
      }
      chunk.push(target);
      roots.add(root);
    }
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** The target an item names: `url` on bulk_pages_summary, `target` elsewhere. */
function itemTarget(item: object): unknown {
  const { target, url } = item as { target?: unknown; url?: unknown };
  return typeof target === 'string' ? target : url;
}

function normalized(target: string): string | undefined {
  try {
    return normalizeTarget(target).value;
  } catch {
    return undefined;
  }
}

/**
 * The items of a bulk answer by the target each was asked for: an item belongs to the target it names, as sent or
 * (when the upstream echoes another spelling, "www.x.com" for "x.com") once normalised; never by position, so an
 * answer that omits a target or reorders its items cannot give one target another's figures. A target the answer
 * does not name is missing from the map; an item naming no asked target, or a target already answered, is ignored.
 */
export function itemsByTarget<Item extends object>(
  asked: readonly string[],
  result: BulkResult<Item> | null | undefined,
): Map<string, Item> {
  const askedSet = new Set(asked);
  const byNormalized = new Map<string, string>();
  for (const target of asked) {
    const n = normalized(target);
    if (n !== undefined && !byNormalized.has(n)) byNormalized.set(n, target);
  }
  const found = new Map<string, Item>();
  for (const item of result?.items ?? []) {
    if (typeof item !== 'object' || item === null) continue;
    const named = itemTarget(item);
    if (typeof named !== 'string') continue;
    const target = askedSet.has(named) ? named : byNormalized.get(normalized(named) ?? '');
    if (target !== undefined && !found.has(target)) found.set(target, item);
  }
  return found;
}
