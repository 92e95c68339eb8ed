/**
 * Wire shapes of the DataForSEO Backlinks API, with the upstream's own (snake_case) names, exactly as documented.
 * Every response field may be null: the upstream says so in its OpenAPI description, and it does send nulls.
 */

/**
 * The live endpoints this project calls, named by their path segment, with the task each takes and the result it
 * returns: the one typed map that the client, the gateway and the loaders share.
 */
export interface Endpoints {
  summary: { task: SummaryTask; result: SummaryResult };
  referring_domains: { task: ReferringDomainsTask; result: ReferringDomainsResult };
  domain_intersection: { task: DomainIntersectionTask; result: DomainIntersectionResult };
  bulk_ranks: { task: BulkTask; result: BulkResult<BulkRankItem> };
  bulk_backlinks: { task: BulkTask; result: BulkResult<BulkBacklinksItem> };
  bulk_spam_score: { task: BulkTask; result: BulkResult<BulkSpamScoreItem> };
  bulk_referring_domains: { task: BulkTask; result: BulkResult<BulkReferringDomainsItem> };
  bulk_new_lost_backlinks: { task: BulkTask; result: BulkResult<BulkNewLostBacklinksItem> };
  bulk_new_lost_referring_domains: { task: BulkTask; result: BulkResult<BulkNewLostReferringDomainsItem> };
  bulk_pages_summary: { task: BulkTask; result: BulkResult<BulkPagesSummaryItem> };
}

/** A live endpoint's path segment. */
export type LiveEndpoint = keyof Endpoints;
/** The task an endpoint takes. */
export type TaskOf<E extends LiveEndpoint> = Endpoints[E]['task'];
/** The result an endpoint returns (`tasks[0].result[0]`). */
export type ResultOf<E extends LiveEndpoint> = Endpoints[E]['result'];

// Every endpoint exactly once: a key missing here, or one the map does not have, fails to compile.
const ENDPOINT_NAMES = {
  summary: true,
  referring_domains: true,
  domain_intersection: true,
  bulk_ranks: true,
  bulk_backlinks: true,
  bulk_spam_score: true,
  bulk_referring_domains: true,
  bulk_new_lost_backlinks: true,
  bulk_new_lost_referring_domains: true,
  bulk_pages_summary: true,
} as const satisfies Record<LiveEndpoint, true>;

export const LIVE_ENDPOINTS = Object.keys(ENDPOINT_NAMES) as readonly LiveEndpoint[];

/** `backlinks_status_type`. */
export type BacklinksStatusType = 'all' | 'live' | 'lost';
/** `rank_scale`. */
export type RankScale = 'one_hundred' | 'one_thousand';
/** `intersection_mode`. */
export type IntersectionMode = 'all' | 'partial';

/**
 * A filter in the upstream's array language: a condition `[field, op, value]`, or conditions joined by "and"/"or",
 * nested at will: `[["rank", ">", 500], "and", [["domain", "like", "%blog%"], "or", ["backlinks", ">", 10]]]`.
 */
export type FilterValue = string | number | boolean | null | readonly (string | number)[];
export type FilterCondition = readonly [field: string, operator: string, value: FilterValue];
export type FilterExpression = FilterCondition | readonly (FilterExpression | 'and' | 'or')[];

/** Parameters shared by summary, referring_domains and domain_intersection. */
export interface BacklinkParams {
  include_subdomains?: boolean;
  include_indirect_links?: boolean;
  exclude_internal_backlinks?: boolean;
  /** 1–1000, default 10: length of the `referring_links_*` maps. */
  internal_list_limit?: number;
  backlinks_status_type?: BacklinksStatusType;
  backlinks_filters?: FilterExpression;
  rank_scale?: RankScale;
  /** ≤255 characters, echoed in `tasks[].data`. */
  tag?: string;
}

/** The task of `backlinks/summary/live`. */
export interface SummaryTask extends BacklinkParams {
  target: string;
}

/** The task of `backlinks/referring_domains/live`. */
export interface ReferringDomainsTask extends BacklinkParams {
  target: string;
  /** 1–1000, default 100. */
  limit?: number;
  offset?: number;
  filters?: FilterExpression;
  /** At most 3 rules such as `"rank,desc"`. */
  order_by?: readonly string[];
}

/** The task of `backlinks/domain_intersection/live`. */
export interface DomainIntersectionTask extends BacklinkParams {
  /** `{"1": "a.com", "2": "b.com"}`: 2–20 entries numbered from 1. */
  targets: Readonly<Record<string, string>>;
  /** At most 10. */
  exclude_targets?: readonly string[];
  limit?: number;
  offset?: number;
  filters?: FilterExpression;
  order_by?: readonly string[];
  intersection_mode?: IntersectionMode;
}

/** The task of every `bulk_*` endpoint: up to 1000 targets (100 distinct root domains for bulk_pages_summary). */
export interface BulkTask {
  targets: readonly string[];
  rank_scale?: RankScale;
  include_subdomains?: boolean;
  /** bulk_new_lost_*: "yyyy-mm-dd". */
  date_from?: string;
  tag?: string;
}

/** Link counts per key (`referring_links_tld` etc.); `""` means unknown. */
export type CountMap = Record<string, number> | null;

/**
 * The counters every link profile carries (summary results, referring domains, intersection entries), by upstream
 * name, with their type in the filter language: the one list that LinkProfileWire, the filter language's field map
 * and (through the GraphQL table in graphql/schema/profile-fields.ts) the LinkProfile fields, filters and order
 * enums derive from.
 */
export const LINK_PROFILE_COUNTERS = {
  rank: 'num',
  backlinks: 'num',
  first_seen: 'time',
  lost_date: 'time',
  backlinks_spam_score: 'num',
  broken_backlinks: 'num',
  broken_pages: 'num',
  referring_domains: 'num',
  referring_domains_nofollow: 'num',
  referring_main_domains: 'num',
  referring_main_domains_nofollow: 'num',
  referring_ips: 'num',
  referring_subnets: 'num',
  referring_pages: 'num',
  referring_pages_nofollow: 'num',
} as const;

/** The count maps of every link profile; a key is addressable in filters (`referring_links_tld.com`), not in order_by. */
export const LINK_PROFILE_MAPS = [
  'referring_links_tld',
  'referring_links_types',
  'referring_links_attributes',
  'referring_links_platform_types',
  'referring_links_semantic_locations',
  'referring_links_countries',
] as const;

export type LinkProfileCounter = keyof typeof LINK_PROFILE_COUNTERS;
export type LinkProfileMap = (typeof LINK_PROFILE_MAPS)[number];

/** A link profile on the wire: numbers for `num` counters, date strings for `time` ones, count maps. */
export type LinkProfileWire = {
  [K in LinkProfileCounter]?: ((typeof LINK_PROFILE_COUNTERS)[K] extends 'num' ? number : string) | null;
} & { [K in LinkProfileMap]?: CountMap };

/** `info` of a summary result. */
export interface TargetInfoWire {
  server?: string | null;
  cms?: string | null;
  platform_type?: (string | null)[] | null;
  ip_address?: string | null;
  country?: string | null;
  is_ip?: boolean | null;
  target_spam_score?: number | null;
}

/** `result[0]` of summary. */
export interface SummaryResult extends LinkProfileWire {
  target?: string | null;
  crawled_pages?: number | null;
  info?: TargetInfoWire | null;
  internal_links_count?: number | null;
  external_links_count?: number | null;
}

/** An item of referring_domains. */
export interface ReferringDomainItem extends LinkProfileWire {
  type?: string | null;
  domain?: string | null;
}

/** `result[0]` of referring_domains. */
export interface ReferringDomainsResult {
  target?: string | null;
  total_count?: number | null;
  items_count?: number | null;
  items?: (ReferringDomainItem | null)[] | null;
}

/** One numbered entry of a domain_intersection item: `target` is the referring domain. */
export interface DomainIntersectionEntry extends LinkProfileWire {
  type?: string | null;
  target?: string | null;
}

/** An item of domain_intersection. */
export interface DomainIntersectionItem {
  domain_intersection?: Record<string, DomainIntersectionEntry | null> | null;
  summary?: { intersections_count?: number | null } | null;
}

/** `result[0]` of domain_intersection. */
export interface DomainIntersectionResult {
  targets?: Record<string, string | null> | null;
  total_count?: number | null;
  items_count?: number | null;
  items?: (DomainIntersectionItem | null)[] | null;
}

/** `result[0]` of a bulk endpoint. */
export interface BulkResult<Item> {
  total_count?: number | null;
  items_count?: number | null;
  items?: (Item | null)[] | null;
}

export interface BulkRankItem {
  target?: string | null;
  rank?: number | null;
}
export interface BulkBacklinksItem {
  target?: string | null;
  backlinks?: number | null;
}
export interface BulkSpamScoreItem {
  type?: string | null;
  target?: string | null;
  spam_score?: number | null;
}
export interface BulkReferringDomainsItem {
  target?: string | null;
  referring_domains?: number | null;
  referring_domains_nofollow?: number | null;
  referring_main_domains?: number | null;
  referring_main_domains_nofollow?: number | null;
}
export interface BulkNewLostBacklinksItem {
  target?: string | null;
  new_backlinks?: number | null;
  lost_backlinks?: number | null;
}
export interface BulkNewLostReferringDomainsItem {
  target?: string | null;
  new_referring_domains?: number | null;
  lost_referring_domains?: number | null;
  new_referring_main_domains?: number | null;
  lost_referring_main_domains?: number | null;
}
export interface BulkPagesSummaryItem extends LinkProfileWire {
  type?: string | null;
  url?: string | null;
  main_domain_rank?: number | null;
}

/** A task inside the envelope. */
export interface TaskWire<Result> {
  id?: string | null;
  status_code?: number | null;
  status_message?: string | null;
  time?: string | null;
  cost?: number | null;
  result_count?: number | null;
  path?: (string | null)[] | null;
  data?: Record<string, unknown> | null;
  result?: (Result | null)[] | null;
}

/** The envelope every call returns. */
export interface TaskEnvelope<Result> {
  version?: string | null;
  status_code?: number | null;
  status_message?: string | null;
  time?: string | null;
  cost?: number | null;
  tasks_count?: number | null;
  tasks_error?: number | null;
  tasks?: (TaskWire<Result> | null)[] | null;
}

/** AIsa's error body for HTTP 4xx/5xx. */
export interface AisaErrorBody {
  error?: { type?: string; code?: string | number; message?: string; request_id?: string } | null;
}
