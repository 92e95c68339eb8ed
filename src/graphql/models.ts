import type {
  BacklinkParams,
  DomainIntersectionEntry,
  DomainIntersectionItem,
  DomainIntersectionTask,
  IntersectionMode,
  ReferringDomainItem,
  ReferringDomainsTask,
  SummaryTask,
} from '../dataforseo/types.js';

/**
 * The backing values of the GraphQL types. They are the upstream shapes plus what is needed to fetch more: no
 * second, hand-written model layer. `kind` is the GraphQL type name, so abstract types resolve from it.
 */

/** BacklinkOptions with every value explicit: the same options always give the same upstream task and key. */
export interface CanonicalOptions {
  backlinks_status_type: NonNullable<BacklinkParams['backlinks_status_type']>;
  include_subdomains: boolean;
  include_indirect_links: boolean;
  exclude_internal_backlinks: boolean;
  rank_scale: NonNullable<BacklinkParams['rank_scale']>;
  internal_list_limit: number;
  /** Present only when a BacklinkFilter was given. */
  backlinks_filters?: BacklinkParams['backlinks_filters'];
}

/** The upstream's documented defaults. */
export const DEFAULT_OPTIONS: Readonly<CanonicalOptions> = {
  backlinks_status_type: 'live',
  include_subdomains: true,
  include_indirect_links: true,
  exclude_internal_backlinks: true,
  rank_scale: 'one_thousand',
  internal_list_limit: 10,
};

/** A target, not yet fetched: summary fields load it on demand. */
export interface TargetRef {
  kind: 'Target';
  /** Normalised, as sent upstream. */
  target: string;
  options: CanonicalOptions;
}

/** A referring domain: an item of referring_domains, and the target it links to. */
export interface ReferringDomainSource {
  kind: 'ReferringDomain';
  item: ReferringDomainItem;
  domain: string;
  of: TargetRef;
}

/** The arguments of one domain_intersection query, targets normalised and in the order given. */
export interface IntersectionQuery {
  targets: readonly string[];
  excludeTargets: readonly string[];
  mode: IntersectionMode;
  options: CanonicalOptions;
}

/** A domain linking to several of the queried targets. */
export interface IntersectionSource {
  kind: 'Intersection';
  item: DomainIntersectionItem;
  domain: string;
  query: IntersectionQuery;
}

/** How an intersecting domain links to one queried target. */
export interface IntersectionLinkSource {
  kind: 'IntersectionLink';
  entry: DomainIntersectionEntry;
  target: TargetRef;
}

/** A target's figures from the bulk endpoints. */
export interface BulkMetricsRef {
  kind: 'BulkMetrics';
  of: TargetRef;
}

/** A target's new and lost links since a day (the bulk_new_lost_* endpoints). */
export interface NewAndLostRef {
  kind: 'NewAndLost';
  of: TargetRef;
  /** "yyyy-mm-dd", sent as date_from. */
  since: string;
}

/** A target's figures from bulk_pages_summary: loaded on demand, as a Target's summary. */
export interface PageSummarySource {
  kind: 'PageSummary';
  of: TargetRef;
}

/** Anything with link-profile counters. */
export type LinkProfileSource = TargetRef | ReferringDomainSource | IntersectionLinkSource | PageSummarySource;

export function targetRef(target: string, options: CanonicalOptions): TargetRef {
  return { kind: 'Target', target, options };
}

/** The summary task of a target. */
export function summaryTask(ref: TargetRef): SummaryTask {
  return { target: ref.target, ...ref.options };
}

/** Filters and order of a list query; absent ones are left out of the task (and so of its key). */
export interface ListQuery {
  filters?: ReferringDomainsTask['filters'] | undefined;
  order_by?: ReferringDomainsTask['order_by'] | undefined;
}

function listParams(extra: ListQuery): Pick<ReferringDomainsTask, 'filters' | 'order_by'> {
  return {
    ...(extra.filters !== undefined ? { filters: extra.filters } : {}),
    ...(extra.order_by !== undefined ? { order_by: extra.order_by } : {}),
  };
}

/** The referring_domains task of a target, without limit/offset. */
export function referringDomainsTask(ref: TargetRef, extra: ListQuery = {}): ReferringDomainsTask {
  return { target: ref.target, ...ref.options, ...listParams(extra) };
}

/** The domain_intersection task of a query, without limit/offset; targets numbered from 1 in the order given. */
export function domainIntersectionTask(query: IntersectionQuery, extra: ListQuery = {}): DomainIntersectionTask {
  return {
    targets: Object.fromEntries(query.targets.map((t, i) => [String(i + 1), t])),
    ...(query.excludeTargets.length > 0 ? { exclude_targets: query.excludeTargets } : {}),
    intersection_mode: query.mode,
    ...query.options,
    ...listParams(extra),
  };
}
