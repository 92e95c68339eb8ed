/* eslint-disable */
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null | undefined;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string };
  String: { input: string; output: string };
  Boolean: { input: boolean; output: boolean };
  Int: { input: number; output: number };
  Float: { input: number; output: number };
  /** A calendar date, "yyyy-mm-dd" (a UTC day), as the upstream takes it in date_from. */
  Date: { input: string; output: string };
  /** An ISO-8601 UTC timestamp. The upstream's '2019-11-15 12:57:46 +00:00' becomes '2019-11-15T12:57:46.000Z'. */
  DateTime: { input: string; output: string };
  /** An integer from -(2^53 - 1) to 2^53 - 1: a count that can exceed the 32 bits of Int. */
  SafeInt: { input: number; output: number };
};

/** Conditions on the individual backlinks counted (backlinks_filters), e.g. only dofollow links. Fields are joined by "and"; at most 8 conditions in all. */
export type BacklinkFilter = {
  /** The anchor text (anchor). */
  anchor?: InputMaybe<StringFilter>;
  /** All of these filters. */
  and?: InputMaybe<Array<BacklinkFilter>>;
  /** The link attributes: nofollow, ugc, sponsored … (attributes). */
  attributes?: InputMaybe<ListFilter>;
  /** Only dofollow (true) or only nofollow (false) links (dofollow). */
  dofollow?: InputMaybe<Scalars['Boolean']['input']>;
  /** The linking host (domain_from). */
  domainFrom?: InputMaybe<StringFilter>;
  /** ISO country code of the linking domain (domain_from_country). */
  domainFromCountry?: InputMaybe<StringFilter>;
  /** Platform types of the linking domain (domain_from_platform_type). */
  domainFromPlatformTypes?: InputMaybe<ListFilter>;
  /** Rank of the linking domain (domain_from_rank), on the scale of rankScale. */
  domainFromRank?: InputMaybe<IntFilter>;
  /** When the link was found (first_seen). */
  firstSeen?: InputMaybe<DateTimeFilter>;
  /** Links to pages answering 4xx/5xx, or not (is_broken). */
  isBroken?: InputMaybe<Scalars['Boolean']['input']>;
  /** Links through a redirect or canonical, or not (is_indirect_link). */
  isIndirect?: InputMaybe<Scalars['Boolean']['input']>;
  /** Lost links, or not (is_lost). */
  isLost?: InputMaybe<Scalars['Boolean']['input']>;
  /** Links found in the last month, or not (is_new). */
  isNew?: InputMaybe<Scalars['Boolean']['input']>;
  /** The link type (item_type). */
  linkType?: InputMaybe<LinkTypeFilter>;
  /** When the link was lost (lost_date). */
  lostDate?: InputMaybe<DateTimeFilter>;
  /** At least one of these filters. */
  or?: InputMaybe<Array<BacklinkFilter>>;
  /** Rank of the linking page (page_from_rank), on the scale of rankScale. */
  pageFromRank?: InputMaybe<IntFilter>;
  /** The HTML element holding the link (semantic_location). */
  semanticLocation?: InputMaybe<StringFilter>;
  /** Spam score of the backlink, 0–100 (backlink_spam_score). */
  spamScore?: InputMaybe<IntFilter>;
  /** Top-level domain of the linking domain (tld_from). */
  tldFrom?: InputMaybe<StringFilter>;
  /** The linking page (url_from). */
  urlFrom?: InputMaybe<StringFilter>;
  /** The linked page (url_to). */
  urlTo?: InputMaybe<StringFilter>;
};

/** Options that change how links are counted; each maps onto one upstream parameter. */
export type BacklinkOptions = {
  /** backlinks_filters: count only the backlinks that match, e.g. { dofollow: true }. */
  backlinksFilter?: InputMaybe<BacklinkFilter>;
  /** internal_list_limit: entries per breakdown list, 1–1000. */
  breakdownLimit?: InputMaybe<Scalars['Int']['input']>;
  /** exclude_internal_backlinks: ignore links from the target's own subdomains. */
  excludeInternalBacklinks?: InputMaybe<Scalars['Boolean']['input']>;
  /** include_indirect_links: count links through redirects and canonicals. */
  includeIndirectLinks?: InputMaybe<Scalars['Boolean']['input']>;
  /** include_subdomains: count links to the target's subdomains. */
  includeSubdomains?: InputMaybe<Scalars['Boolean']['input']>;
  /** rank_scale: the scale of every rank. */
  rankScale?: InputMaybe<RankScale>;
  /** backlinks_status_type: which backlinks count. */
  status?: InputMaybe<BacklinkStatus>;
};

/** Which backlinks are counted (backlinks_status_type). */
export type BacklinkStatus =
  /** Live and lost backlinks. */
  | 'ALL'
  /** Backlinks found at the last check (the default). */
  | 'LIVE'
  /** Backlinks that were lost. */
  | 'LOST';

/** Conditions on the link count of one key per breakdown list; combine several with `and`/`or`. */
export type BreakdownFilter = {
  /** Links with one attribute (referring_links_attributes). */
  attribute?: InputMaybe<KeyCountFilter>;
  /** Links from one country (referring_links_countries). */
  country?: InputMaybe<KeyCountFilter>;
  /** Links from one platform type (referring_links_platform_types). */
  platformType?: InputMaybe<KeyCountFilter>;
  /** Links in one HTML element (referring_links_semantic_locations). */
  semanticLocation?: InputMaybe<KeyCountFilter>;
  /** Links from one top-level domain (referring_links_tld). */
  tld?: InputMaybe<KeyCountFilter>;
  /** Links of one type (referring_links_types). */
  type?: InputMaybe<KeyCountFilter>;
};

/** A target's figures from the bulk endpoints (backlinks/bulk_*), a different measurement from its summary: they count live links only, a domain rolled up to its root domain with all its subdomains, and take none of the counting options (only rankScale). Each endpoint takes up to 1000 targets per call: the same field over a page of referring domains or a list of targets is one call per 1000 targets, and a target fetched in the last minutes is not fetched again. */
export type BulkMetrics = {
  __typename?: 'BulkMetrics';
  /** Live backlinks (bulk_backlinks: backlinks). */
  backlinkCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Links gained and lost since a day. One call per 1000 targets per endpoint selected, per day. */
  newAndLost?: Maybe<NewAndLost>;
  /** The link profile bulk_pages_summary gives for this target (made for many pages of few sites). */
  pageSummary: PageSummary;
  /** Rank on the scale of `options.rankScale` (bulk_ranks: rank). */
  rank?: Maybe<Scalars['Int']['output']>;
  /** Referring domains, subdomains counted apart (bulk_referring_domains: referring_domains). */
  referringDomainCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Referring domains with at least one nofollow link (bulk_referring_domains: referring_domains_nofollow). */
  referringDomainNofollowCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Referring root domains (bulk_referring_domains: referring_main_domains). */
  referringMainDomainCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Referring root domains with at least one nofollow link (bulk_referring_domains: referring_main_domains_nofollow). */
  referringMainDomainNofollowCount?: Maybe<Scalars['SafeInt']['output']>;
  /** The target's own spam score, 0–100 (bulk_spam_score: spam_score), as the summary's info.spamScore. */
  spamScore?: Maybe<Scalars['Int']['output']>;
};

/** A target's figures from the bulk endpoints (backlinks/bulk_*), a different measurement from its summary: they count live links only, a domain rolled up to its root domain with all its subdomains, and take none of the counting options (only rankScale). Each endpoint takes up to 1000 targets per call: the same field over a page of referring domains or a list of targets is one call per 1000 targets, and a target fetched in the last minutes is not fetched again. */
export type BulkMetricsNewAndLostArgs = {
  since?: InputMaybe<Scalars['Date']['input']>;
};

/** Conditions on a time; both are joined by "and". Each counts as one of the 8 upstream conditions. */
export type DateTimeFilter = {
  /** Strictly after this time. */
  after?: InputMaybe<Scalars['DateTime']['input']>;
  /** Strictly before this time. */
  before?: InputMaybe<Scalars['DateTime']['input']>;
};

/** Conditions on a number; several are joined by "and". Each counts as one of the 8 upstream conditions. */
export type IntFilter = {
  /** Equal to. */
  eq?: InputMaybe<Scalars['Int']['input']>;
  /** Greater than. */
  gt?: InputMaybe<Scalars['Int']['input']>;
  /** Greater than or equal to. */
  gte?: InputMaybe<Scalars['Int']['input']>;
  /** One of these (a non-empty list). */
  in?: InputMaybe<Array<Scalars['Int']['input']>>;
  /** Less than. */
  lt?: InputMaybe<Scalars['Int']['input']>;
  /** Less than or equal to. */
  lte?: InputMaybe<Scalars['Int']['input']>;
  /** Not equal to. */
  ne?: InputMaybe<Scalars['Int']['input']>;
  /** None of these (a non-empty list). */
  notIn?: InputMaybe<Array<Scalars['Int']['input']>>;
};

/** A referring domain that links to several of the queried targets (backlinks/domain_intersection). */
export type Intersection = Node & {
  __typename?: 'Intersection';
  /** This domain's own backlink profile, as a Target counted with the same options. */
  asTarget: Target;
  /** The referring domain. */
  domain: Scalars['String']['output'];
  /** A global ID: opaque, stable, and accepted by `node` and `nodes`. */
  id: Scalars['ID']['output'];
  /** How many of the queried targets this domain links to (summary.intersections_count). */
  intersectionCount: Scalars['Int']['output'];
  /** One entry per queried target this domain links to, in the order the targets were given. */
  links: Array<IntersectionLink>;
};

/** A page of intersecting referring domains. */
export type IntersectionConnection = {
  __typename?: 'IntersectionConnection';
  /** The page of items, each with its cursor. */
  edges: Array<IntersectionEdge>;
  /** The page of items, without cursors. */
  nodes: Array<Intersection>;
  /** Where this page sits in the whole list. */
  pageInfo: PageInfo;
  /** How many items the whole list holds, from the upstream's total_count. */
  totalCount: Scalars['Int']['output'];
};

/** An intersecting domain and its cursor. */
export type IntersectionEdge = {
  __typename?: 'IntersectionEdge';
  /** An opaque cursor for `after` and `before`, valid only with the same arguments. */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge. */
  node: Intersection;
};

/** Conditions on intersecting domains (filters). Fields are joined by "and"; `and`/`or` nest; at most 8 conditions in all. */
export type IntersectionFilter = {
  /** All of these filters. */
  and?: InputMaybe<Array<IntersectionFilter>>;
  /** How many of the queried targets the domain links to (intersections_count). */
  intersectionCount?: InputMaybe<IntFilter>;
  /** Conditions on the links to one queried target, named by the target as given; use `and` for several targets. */
  link?: InputMaybe<IntersectionLinkFilter>;
  /** At least one of these filters. */
  or?: InputMaybe<Array<IntersectionFilter>>;
};

/** How one intersecting domain links to one of the queried targets; the counters describe those links. */
export type IntersectionLink = LinkProfile & {
  __typename?: 'IntersectionLink';
  /** Backlinks counted (backlinks). */
  backlinkCount?: Maybe<Scalars['SafeInt']['output']>;
  /** The links broken down by TLD, type, attribute, platform, location and country. */
  breakdown?: Maybe<LinkBreakdown>;
  /** Backlinks pointing at pages that answer 4xx/5xx (broken_backlinks). */
  brokenBacklinkCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Linked pages that answer 4xx/5xx (broken_pages). */
  brokenPageCount?: Maybe<Scalars['SafeInt']['output']>;
  /** When the first of these links was found (first_seen). */
  firstSeen?: Maybe<Scalars['DateTime']['output']>;
  /** When the last of these links was lost; null while any is live (lost_date). */
  lostDate?: Maybe<Scalars['DateTime']['output']>;
  /** Rank on the scale of `options.rankScale` (0–1000 by default), PageRank-like (rank). */
  rank?: Maybe<Scalars['Int']['output']>;
  /** Referring domains, subdomains counted apart (referring_domains). */
  referringDomainCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Referring domains with at least one nofollow link (referring_domains_nofollow). */
  referringDomainNofollowCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Distinct IP addresses of the linking hosts (referring_ips). */
  referringIpCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Referring root domains (referring_main_domains). */
  referringMainDomainCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Referring root domains with at least one nofollow link (referring_main_domains_nofollow). */
  referringMainDomainNofollowCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Pages holding these links (referring_pages). */
  referringPageCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Pages holding at least one nofollow link (referring_pages_nofollow). */
  referringPageNofollowCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Distinct /24 subnets of the linking hosts (referring_subnets). */
  referringSubnetCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Average spam score of the backlinks, 0–100 (backlinks_spam_score). */
  spamScore?: Maybe<Scalars['Int']['output']>;
  /** The queried target these links point to. */
  target: Target;
};

/** Conditions on how intersecting domains link to one of the queried targets. */
export type IntersectionLinkFilter = {
  /** Conditions on the number of backlinks of the links to that target (N.backlinks). */
  backlinkCount?: InputMaybe<IntFilter>;
  /** Conditions on a breakdown key of the links to that target. */
  breakdown?: InputMaybe<BreakdownFilter>;
  /** Conditions on the number of broken backlinks of the links to that target (N.broken_backlinks). */
  brokenBacklinkCount?: InputMaybe<IntFilter>;
  /** Conditions on the number of broken pages of the links to that target (N.broken_pages). */
  brokenPageCount?: InputMaybe<IntFilter>;
  /** Conditions on when the first link was found of the links to that target (N.first_seen). */
  firstSeen?: InputMaybe<DateTimeFilter>;
  /** Conditions on when the last link was lost of the links to that target (N.lost_date). */
  lostDate?: InputMaybe<DateTimeFilter>;
  /** Conditions on rank of the links to that target (N.rank). */
  rank?: InputMaybe<IntFilter>;
  /** Conditions on the number of referring domains of the links to that target (N.referring_domains). */
  referringDomainCount?: InputMaybe<IntFilter>;
  /** Conditions on the number of nofollow referring domains of the links to that target (N.referring_domains_nofollow). */
  referringDomainNofollowCount?: InputMaybe<IntFilter>;
  /** Conditions on the number of referring IPs of the links to that target (N.referring_ips). */
  referringIpCount?: InputMaybe<IntFilter>;
  /** Conditions on the number of referring main domains of the links to that target (N.referring_main_domains). */
  referringMainDomainCount?: InputMaybe<IntFilter>;
  /** Conditions on the number of nofollow referring main domains of the links to that target (N.referring_main_domains_nofollow). */
  referringMainDomainNofollowCount?: InputMaybe<IntFilter>;
  /** Conditions on the number of referring pages of the links to that target (N.referring_pages). */
  referringPageCount?: InputMaybe<IntFilter>;
  /** Conditions on the number of nofollow referring pages of the links to that target (N.referring_pages_nofollow). */
  referringPageNofollowCount?: InputMaybe<IntFilter>;
  /** Conditions on the number of referring subnets of the links to that target (N.referring_subnets). */
  referringSubnetCount?: InputMaybe<IntFilter>;
  /** Conditions on the spam score of the links to that target (N.backlinks_spam_score). */
  spamScore?: InputMaybe<IntFilter>;
  /** The queried target, as given (it is normalised the same way). */
  target: Scalars['String']['input'];
};

/** Which referring domains an intersection returns (intersection_mode). */
export type IntersectionMode =
  /** Domains linking to every target (the default). */
  | 'ALL'
  /** Domains linking to at least one target; links lists only the targets each links to. */
  | 'PARTIAL';

/** One ordering rule; give up to 3, the first deciding most. */
export type IntersectionOrder = {
  /** Which way; DESC by default. */
  direction?: OrderDirection;
  /** What to order by. */
  field: IntersectionOrderField;
  /** The queried target whose links the field describes; required for every field but INTERSECTION_COUNT. */
  target?: InputMaybe<Scalars['String']['input']>;
};

/** What intersecting domains can be ordered by. Every field but INTERSECTION_COUNT needs `target`. */
export type IntersectionOrderField =
  /** By the number of backlinks of the links to `target` (N.backlinks). */
  | 'BACKLINK_COUNT'
  /** By the number of broken backlinks of the links to `target` (N.broken_backlinks). */
  | 'BROKEN_BACKLINK_COUNT'
  /** By the number of broken pages of the links to `target` (N.broken_pages). */
  | 'BROKEN_PAGE_COUNT'
  /** By when the first link was found of the links to `target` (N.first_seen). */
  | 'FIRST_SEEN'
  /** By how many of the queried targets the domain links to. */
  | 'INTERSECTION_COUNT'
  /** By when the last link was lost of the links to `target` (N.lost_date). */
  | 'LOST_DATE'
  /** By rank of the links to `target` (N.rank). */
  | 'RANK'
  /** By the number of referring domains of the links to `target` (N.referring_domains). */
  | 'REFERRING_DOMAIN_COUNT'
  /** By the number of nofollow referring domains of the links to `target` (N.referring_domains_nofollow). */
  | 'REFERRING_DOMAIN_NOFOLLOW_COUNT'
  /** By the number of referring IPs of the links to `target` (N.referring_ips). */
  | 'REFERRING_IP_COUNT'
  /** By the number of referring main domains of the links to `target` (N.referring_main_domains). */
  | 'REFERRING_MAIN_DOMAIN_COUNT'
  /** By the number of nofollow referring main domains of the links to `target` (N.referring_main_domains_nofollow). */
  | 'REFERRING_MAIN_DOMAIN_NOFOLLOW_COUNT'
  /** By the number of referring pages of the links to `target` (N.referring_pages). */
  | 'REFERRING_PAGE_COUNT'
  /** By the number of nofollow referring pages of the links to `target` (N.referring_pages_nofollow). */
  | 'REFERRING_PAGE_NOFOLLOW_COUNT'
  /** By the number of referring subnets of the links to `target` (N.referring_subnets). */
  | 'REFERRING_SUBNET_COUNT'
  /** By the spam score of the links to `target` (N.backlinks_spam_score). */
  | 'SPAM_SCORE';

/** A number of links for one key of a breakdown. */
export type KeyCount = {
  __typename?: 'KeyCount';
  /** How many links have this key. */
  count: Scalars['SafeInt']['output'];
  /** The key: a TLD, a link type, a country code … The empty string means 'unknown'. */
  key: Scalars['String']['output'];
};

/** Conditions on the link count of one key of a breakdown, e.g. the links from .edu domains. */
export type KeyCountFilter = {
  /** Conditions on its link count (a missing key counts 0). */
  count: IntFilter;
  /** The key: a TLD ("com"), a link type ("anchor"), a country code ("US") … */
  key: Scalars['String']['input'];
};

/** Link counts per category, largest first (at most `breakdownLimit` entries each). The key '' means 'unknown'. */
export type LinkBreakdown = {
  __typename?: 'LinkBreakdown';
  /** By link attribute: nofollow, noopener, ugc, sponsored … (referring_links_attributes). */
  attributes: Array<KeyCount>;
  /** By ISO country code of the linking domain (referring_links_countries). */
  countries: Array<KeyCount>;
  /** By platform of the linking site: cms, blogs, ecommerce … (referring_links_platform_types). */
  platformTypes: Array<KeyCount>;
  /** By HTML element holding the link: article, footer … (referring_links_semantic_locations). */
  semanticLocations: Array<KeyCount>;
  /** By top-level domain of the linking page (referring_links_tld). */
  tlds: Array<KeyCount>;
  /** By link type: anchor, image, redirect, canonical … (referring_links_types). */
  types: Array<KeyCount>;
};

/** Counters that describe a set of links. Every type that summarises links implements it. */
export type LinkProfile = {
  /** Backlinks counted (backlinks). */
  backlinkCount?: Maybe<Scalars['SafeInt']['output']>;
  /** The links broken down by TLD, type, attribute, platform, location and country. */
  breakdown?: Maybe<LinkBreakdown>;
  /** Backlinks pointing at pages that answer 4xx/5xx (broken_backlinks). */
  brokenBacklinkCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Linked pages that answer 4xx/5xx (broken_pages). */
  brokenPageCount?: Maybe<Scalars['SafeInt']['output']>;
  /** When the first of these links was found (first_seen). */
  firstSeen?: Maybe<Scalars['DateTime']['output']>;
  /** When the last of these links was lost; null while any is live (lost_date). */
  lostDate?: Maybe<Scalars['DateTime']['output']>;
  /** Rank on the scale of `options.rankScale` (0–1000 by default), PageRank-like (rank). */
  rank?: Maybe<Scalars['Int']['output']>;
  /** Referring domains, subdomains counted apart (referring_domains). */
  referringDomainCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Referring domains with at least one nofollow link (referring_domains_nofollow). */
  referringDomainNofollowCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Distinct IP addresses of the linking hosts (referring_ips). */
  referringIpCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Referring root domains (referring_main_domains). */
  referringMainDomainCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Referring root domains with at least one nofollow link (referring_main_domains_nofollow). */
  referringMainDomainNofollowCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Pages holding these links (referring_pages). */
  referringPageCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Pages holding at least one nofollow link (referring_pages_nofollow). */
  referringPageNofollowCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Distinct /24 subnets of the linking hosts (referring_subnets). */
  referringSubnetCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Average spam score of the backlinks, 0–100 (backlinks_spam_score). */
  spamScore?: Maybe<Scalars['Int']['output']>;
};

/** How a page links (item_type). */
export type LinkType =
  /** An alternate link. */
  | 'ALTERNATE'
  /** An <a> link. */
  | 'ANCHOR'
  /** A canonical link (indirect). */
  | 'CANONICAL'
  /** A linked image. */
  | 'IMAGE'
  /** A <link> element. */
  | 'LINK'
  /** A meta refresh. */
  | 'META'
  /** A redirect (indirect). */
  | 'REDIRECT';

/** Conditions on the link type. */
export type LinkTypeFilter = {
  /** Of this type. */
  eq?: InputMaybe<LinkType>;
  /** Of one of these types (a non-empty list). */
  in?: InputMaybe<Array<LinkType>>;
  /** Not of this type. */
  ne?: InputMaybe<LinkType>;
  /** Of none of these types (a non-empty list). */
  notIn?: InputMaybe<Array<LinkType>>;
};

/** Conditions on a list of strings. */
export type ListFilter = {
  /** The list contains this value. */
  has?: InputMaybe<Scalars['String']['input']>;
  /** The list does not contain this value. */
  hasNot?: InputMaybe<Scalars['String']['input']>;
};

/** Links a target gained and lost since a day (bulk_new_lost_backlinks, bulk_new_lost_referring_domains), over the whole root domain as the other bulk figures: new counts links first seen on or after that day, lost counts links lost on or after it (a link found and lost in between counts in both). Each endpoint takes up to 1000 targets per call, per day asked for. */
export type NewAndLost = {
  __typename?: 'NewAndLost';
  /** Backlinks lost since that day (lost_backlinks). */
  lostBacklinkCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Referring domains lost since that day (lost_referring_domains). */
  lostReferringDomainCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Referring root domains lost since that day (lost_referring_main_domains). */
  lostReferringMainDomainCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Backlinks found since that day (new_backlinks). */
  newBacklinkCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Referring domains gained since that day (new_referring_domains). */
  newReferringDomainCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Referring root domains gained since that day (new_referring_main_domains). */
  newReferringMainDomainCount?: Maybe<Scalars['SafeInt']['output']>;
  /** The day the counts start from (date_from). */
  since: Scalars['Date']['output'];
};

/** An object with a global ID that `node` and `nodes` can fetch again. */
export type Node = {
  /** A global ID: opaque, stable, and accepted by `node` and `nodes`. */
  id: Scalars['ID']['output'];
};

/** Sort direction. */
export type OrderDirection =
  /** Smallest (or earliest, or A) first. */
  | 'ASC'
  /** Largest (or latest, or Z) first. */
  | 'DESC';

/** Where a page sits in its connection. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** The cursor of the last item of the page; null when the page is empty. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** Whether items follow this page (from the upstream total, no extra row fetched). */
  hasNextPage: Scalars['Boolean']['output'];
  /** Whether items precede this page. */
  hasPreviousPage: Scalars['Boolean']['output'];
  /** The cursor of the first item of the page; null when the page is empty. */
  startCursor?: Maybe<Scalars['String']['output']>;
};

/** A target's link profile from bulk_pages_summary: a domain, subdomain or page counted with its live links (subdomains included), and the rank of its root domain. A different measurement from the Target's own summary fields, batched: one call per up to 1000 targets of at most 100 distinct root domains (counted as one call per 100 targets). Breakdown lists hold at most `options.breakdownLimit` entries. */
export type PageSummary = LinkProfile & {
  __typename?: 'PageSummary';
  /** Backlinks counted (backlinks). */
  backlinkCount?: Maybe<Scalars['SafeInt']['output']>;
  /** The links broken down by TLD, type, attribute, platform, location and country. */
  breakdown?: Maybe<LinkBreakdown>;
  /** Backlinks pointing at pages that answer 4xx/5xx (broken_backlinks). */
  brokenBacklinkCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Linked pages that answer 4xx/5xx (broken_pages). */
  brokenPageCount?: Maybe<Scalars['SafeInt']['output']>;
  /** When the first of these links was found (first_seen). */
  firstSeen?: Maybe<Scalars['DateTime']['output']>;
  /** When the last of these links was lost; null while any is live (lost_date). */
  lostDate?: Maybe<Scalars['DateTime']['output']>;
  /** Rank of the target's root domain, on the scale of `options.rankScale` (main_domain_rank). */
  mainDomainRank?: Maybe<Scalars['Int']['output']>;
  /** Rank on the scale of `options.rankScale` (0–1000 by default), PageRank-like (rank). */
  rank?: Maybe<Scalars['Int']['output']>;
  /** Referring domains, subdomains counted apart (referring_domains). */
  referringDomainCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Referring domains with at least one nofollow link (referring_domains_nofollow). */
  referringDomainNofollowCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Distinct IP addresses of the linking hosts (referring_ips). */
  referringIpCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Referring root domains (referring_main_domains). */
  referringMainDomainCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Referring root domains with at least one nofollow link (referring_main_domains_nofollow). */
  referringMainDomainNofollowCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Pages holding these links (referring_pages). */
  referringPageCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Pages holding at least one nofollow link (referring_pages_nofollow). */
  referringPageNofollowCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Distinct /24 subnets of the linking hosts (referring_subnets). */
  referringSubnetCount?: Maybe<Scalars['SafeInt']['output']>;
  /** Average spam score of the backlinks, 0–100 (backlinks_spam_score). */
  spamScore?: Maybe<Scalars['Int']['output']>;
};

/** Backlink data of the DataForSEO Backlinks API. Every upstream call costs money: fields say how many they make. */
export type Query = {
  __typename?: 'Query';
  /** Referring domains shared by 2–20 targets (the "link gap" query). One upstream call per page. */
  domainIntersection?: Maybe<IntersectionConnection>;
  /** Fetches an object by its global ID; null when it no longer exists. Costs what fetching it costs: no call for a Target, one for the others. */
  node?: Maybe<Node>;
  /** Fetches objects by their global IDs, in the order given. */
  nodes: Array<Maybe<Node>>;
  /** The spend of this request’s API key today, like GitHub’s `rateLimit`. Free: no upstream call, read once per request. Null when the server has no API_KEYS. */
  spend?: Maybe<Spend>;
  /** One domain, subdomain or page. No upstream call is made until a field that needs one is selected. */
  target?: Maybe<Target>;
  /** Several targets (at most 1000): their summaries are fetched concurrently, each distinct one once (one call each), and their bulkMetrics in one call per 1000 targets per endpoint. The budget decides how many may select summary fields. */
  targets?: Maybe<Array<Target>>;
};

/** Backlink data of the DataForSEO Backlinks API. Every upstream call costs money: fields say how many they make. */
export type QueryDomainIntersectionArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  excludeTargets?: InputMaybe<Array<Scalars['String']['input']>>;
  filter?: InputMaybe<IntersectionFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  mode?: InputMaybe<IntersectionMode>;
  options?: InputMaybe<BacklinkOptions>;
  orderBy?: InputMaybe<Array<IntersectionOrder>>;
  targets: Array<Scalars['String']['input']>;
};

/** Backlink data of the DataForSEO Backlinks API. Every upstream call costs money: fields say how many they make. */
export type QueryNodeArgs = {
  id: Scalars['ID']['input'];
};

/** Backlink data of the DataForSEO Backlinks API. Every upstream call costs money: fields say how many they make. */
export type QueryNodesArgs = {
  ids: Array<Scalars['ID']['input']>;
};

/** Backlink data of the DataForSEO Backlinks API. Every upstream call costs money: fields say how many they make. */
export type QueryTargetArgs = {
  options?: InputMaybe<BacklinkOptions>;
  target: Scalars['String']['input'];
};

/** Backlink data of the DataForSEO Backlinks API. Every upstream call costs money: fields say how many they make. */
export type QueryTargetsArgs = {
  options?: InputMaybe<BacklinkOptions>;
  targets: Array<Scalars['String']['input']>;
};

/** The scale of rank values (rank_scale). */
export type RankScale =
  /** Ranks from 0 to 100. */
  | 'ONE_HUNDRED'
  /** Ranks from 0 to 1000 (the default). */
  | 'ONE_THOUSAND';

/** A domain that links to a target; its counters describe its links to that target. */
export type ReferringDomain = LinkProfile &
  Node & {
    __typename?: 'ReferringDomain';
    /** This domain's own backlink profile, as a Target counted with the same options (one summary per distinct domain per operation). */
    asTarget: Target;
    /** Backlinks counted (backlinks). */
    backlinkCount?: Maybe<Scalars['SafeInt']['output']>;
    /** The links broken down by TLD, type, attribute, platform, location and country. */
    breakdown?: Maybe<LinkBreakdown>;
    /** Backlinks pointing at pages that answer 4xx/5xx (broken_backlinks). */
    brokenBacklinkCount?: Maybe<Scalars['SafeInt']['output']>;
    /** Linked pages that answer 4xx/5xx (broken_pages). */
    brokenPageCount?: Maybe<Scalars['SafeInt']['output']>;
    /** The referring domain. */
    domain: Scalars['String']['output'];
    /** When the first of these links was found (first_seen). */
    firstSeen?: Maybe<Scalars['DateTime']['output']>;
    /** A global ID: opaque, stable, and accepted by `node` and `nodes`. */
    id: Scalars['ID']['output'];
    /** When the last of these links was lost; null while any is live (lost_date). */
    lostDate?: Maybe<Scalars['DateTime']['output']>;
    /** Rank on the scale of `options.rankScale` (0–1000 by default), PageRank-like (rank). */
    rank?: Maybe<Scalars['Int']['output']>;
    /** Referring domains, subdomains counted apart (referring_domains). */
    referringDomainCount?: Maybe<Scalars['SafeInt']['output']>;
    /** Referring domains with at least one nofollow link (referring_domains_nofollow). */
    referringDomainNofollowCount?: Maybe<Scalars['SafeInt']['output']>;
    /** Distinct IP addresses of the linking hosts (referring_ips). */
    referringIpCount?: Maybe<Scalars['SafeInt']['output']>;
    /** Referring root domains (referring_main_domains). */
    referringMainDomainCount?: Maybe<Scalars['SafeInt']['output']>;
    /** Referring root domains with at least one nofollow link (referring_main_domains_nofollow). */
    referringMainDomainNofollowCount?: Maybe<Scalars['SafeInt']['output']>;
    /** Pages holding these links (referring_pages). */
    referringPageCount?: Maybe<Scalars['SafeInt']['output']>;
    /** Pages holding at least one nofollow link (referring_pages_nofollow). */
    referringPageNofollowCount?: Maybe<Scalars['SafeInt']['output']>;
    /** Distinct /24 subnets of the linking hosts (referring_subnets). */
    referringSubnetCount?: Maybe<Scalars['SafeInt']['output']>;
    /** Average spam score of the backlinks, 0–100 (backlinks_spam_score). */
    spamScore?: Maybe<Scalars['Int']['output']>;
    /** The target these links point to. */
    target: Target;
  };

/** A page of referring domains. */
export type ReferringDomainConnection = {
  __typename?: 'ReferringDomainConnection';
  /** The page of items, each with its cursor. */
  edges: Array<ReferringDomainEdge>;
  /** The page of items, without cursors. */
  nodes: Array<ReferringDomain>;
  /** Where this page sits in the whole list. */
  pageInfo: PageInfo;
  /** How many items the whole list holds, from the upstream's total_count. */
  totalCount: Scalars['Int']['output'];
};

/** A referring domain and its cursor. */
export type ReferringDomainEdge = {
  __typename?: 'ReferringDomainEdge';
  /** An opaque cursor for `after` and `before`, valid only with the same arguments. */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge. */
  node: ReferringDomain;
};

/** Conditions on referring domains (filters). Fields are joined by "and"; `and`/`or` nest; at most 8 conditions in all. */
export type ReferringDomainFilter = {
  /** All of these filters. */
  and?: InputMaybe<Array<ReferringDomainFilter>>;
  /** Conditions on the number of backlinks (backlinks). */
  backlinkCount?: InputMaybe<IntFilter>;
  /** Conditions on the link count of a breakdown key, e.g. links from .edu domains. */
  breakdown?: InputMaybe<BreakdownFilter>;
  /** Conditions on the number of broken backlinks (broken_backlinks). */
  brokenBacklinkCount?: InputMaybe<IntFilter>;
  /** Conditions on the number of broken pages (broken_pages). */
  brokenPageCount?: InputMaybe<IntFilter>;
  /** The referring domain (domain). */
  domain?: InputMaybe<StringFilter>;
  /** Conditions on when the first link was found (first_seen). */
  firstSeen?: InputMaybe<DateTimeFilter>;
  /** Conditions on when the last link was lost (lost_date). */
  lostDate?: InputMaybe<DateTimeFilter>;
  /** At least one of these filters. */
  or?: InputMaybe<Array<ReferringDomainFilter>>;
  /** Conditions on rank (rank). */
  rank?: InputMaybe<IntFilter>;
  /** Conditions on the number of referring domains (referring_domains). */
  referringDomainCount?: InputMaybe<IntFilter>;
  /** Conditions on the number of nofollow referring domains (referring_domains_nofollow). */
  referringDomainNofollowCount?: InputMaybe<IntFilter>;
  /** Conditions on the number of referring IPs (referring_ips). */
  referringIpCount?: InputMaybe<IntFilter>;
  /** Conditions on the number of referring main domains (referring_main_domains). */
  referringMainDomainCount?: InputMaybe<IntFilter>;
  /** Conditions on the number of nofollow referring main domains (referring_main_domains_nofollow). */
  referringMainDomainNofollowCount?: InputMaybe<IntFilter>;
  /** Conditions on the number of referring pages (referring_pages). */
  referringPageCount?: InputMaybe<IntFilter>;
  /** Conditions on the number of nofollow referring pages (referring_pages_nofollow). */
  referringPageNofollowCount?: InputMaybe<IntFilter>;
  /** Conditions on the number of referring subnets (referring_subnets). */
  referringSubnetCount?: InputMaybe<IntFilter>;
  /** Conditions on the spam score (backlinks_spam_score). */
  spamScore?: InputMaybe<IntFilter>;
};

/** One ordering rule; give up to 3, the first deciding most. */
export type ReferringDomainOrder = {
  /** Which way; DESC by default. */
  direction?: OrderDirection;
  /** What to order by. */
  field: ReferringDomainOrderField;
};

/** What referring domains can be ordered by. */
export type ReferringDomainOrderField =
  /** By the number of backlinks (backlinks). */
  | 'BACKLINK_COUNT'
  /** By the number of broken backlinks (broken_backlinks). */
  | 'BROKEN_BACKLINK_COUNT'
  /** By the number of broken pages (broken_pages). */
  | 'BROKEN_PAGE_COUNT'
  /** By the referring domain, alphabetically (domain). */
  | 'DOMAIN'
  /** By when the first link was found (first_seen). */
  | 'FIRST_SEEN'
  /** By when the last link was lost (lost_date). */
  | 'LOST_DATE'
  /** By rank (rank). */
  | 'RANK'
  /** By the number of referring domains (referring_domains). */
  | 'REFERRING_DOMAIN_COUNT'
  /** By the number of nofollow referring domains (referring_domains_nofollow). */
  | 'REFERRING_DOMAIN_NOFOLLOW_COUNT'
  /** By the number of referring IPs (referring_ips). */
  | 'REFERRING_IP_COUNT'
  /** By the number of referring main domains (referring_main_domains). */
  | 'REFERRING_MAIN_DOMAIN_COUNT'
  /** By the number of nofollow referring main domains (referring_main_domains_nofollow). */
  | 'REFERRING_MAIN_DOMAIN_NOFOLLOW_COUNT'
  /** By the number of referring pages (referring_pages). */
  | 'REFERRING_PAGE_COUNT'
  /** By the number of nofollow referring pages (referring_pages_nofollow). */
  | 'REFERRING_PAGE_NOFOLLOW_COUNT'
  /** By the number of referring subnets (referring_subnets). */
  | 'REFERRING_SUBNET_COUNT'
  /** By the spam score (backlinks_spam_score). */
  | 'SPAM_SCORE';

/** What the API key of this request spent today (UTC) against its daily cap (`cap=` in API_KEYS). An operation runs when its upstream calls ($0.02 each) fit in `remainingUsd`; it is charged what the upstream billed. */
export type Spend = {
  __typename?: 'Spend';
  /** The daily cap in USD; null when the key is uncapped. */
  capUsd?: Maybe<Scalars['Float']['output']>;
  /** USD held by this key’s operations in flight, this one included: the most they may still cost. */
  heldUsd: Scalars['Float']['output'];
  /** The key’s `name=` in API_KEYS; null for a key without one. */
  keyName?: Maybe<Scalars['String']['output']>;
  /** What operations may still hold today: cap − spent − held, at least 0; null when the key is uncapped. */
  remainingUsd?: Maybe<Scalars['Float']['output']>;
  /** When the day’s spend starts again from zero: the next 00:00 UTC. */
  resetAt: Scalars['DateTime']['output'];
  /** USD the upstream billed for this key’s operations today. */
  spentUsd: Scalars['Float']['output'];
};

/** Conditions on a string; several are joined by "and". Each counts as one of the 8 upstream conditions. */
export type StringFilter = {
  /** Equal to. */
  eq?: InputMaybe<Scalars['String']['input']>;
  /** Matches a like pattern, ignoring case. */
  ilike?: InputMaybe<Scalars['String']['input']>;
  /** One of these (a non-empty list). */
  in?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Matches a pattern where % stands for any characters, case-sensitive ("%blog%"); 1–1000 characters. */
  like?: InputMaybe<Scalars['String']['input']>;
  /** Contains these words (full-text match). */
  match?: InputMaybe<Scalars['String']['input']>;
  /** Not equal to. */
  ne?: InputMaybe<Scalars['String']['input']>;
  /** Does not match a like pattern, ignoring case. */
  notIlike?: InputMaybe<Scalars['String']['input']>;
  /** None of these (a non-empty list). */
  notIn?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Does not match a like pattern. */
  notLike?: InputMaybe<Scalars['String']['input']>;
  /** Does not contain these words. */
  notMatch?: InputMaybe<Scalars['String']['input']>;
  /** Does not match an RE2 regular expression. */
  notRegex?: InputMaybe<Scalars['String']['input']>;
  /** Matches an RE2 regular expression (no lookaround, no back-references), at most 1000 characters. */
  regex?: InputMaybe<Scalars['String']['input']>;
};

/** A domain, subdomain or page, and its backlink profile (backlinks/summary). Summary fields share one upstream call, made only if one is selected. */
export type Target = LinkProfile &
  Node & {
    __typename?: 'Target';
    /** Backlinks counted (backlinks). */
    backlinkCount?: Maybe<Scalars['SafeInt']['output']>;
    /** The links broken down by TLD, type, attribute, platform, location and country. */
    breakdown?: Maybe<LinkBreakdown>;
    /** Backlinks pointing at pages that answer 4xx/5xx (broken_backlinks). */
    brokenBacklinkCount?: Maybe<Scalars['SafeInt']['output']>;
    /** Linked pages that answer 4xx/5xx (broken_pages). */
    brokenPageCount?: Maybe<Scalars['SafeInt']['output']>;
    /** Figures of the bulk endpoints, batched up to 1000 targets per call: cheap over many targets, but a different measurement from the summary fields (see BulkMetrics). Refused (BAD_USER_INPUT) when the options ask for anything but live links of the whole domain, with any rankScale. */
    bulkMetrics?: Maybe<BulkMetrics>;
    /** Pages of the target's own site crawled (crawled_pages). */
    crawledPageCount?: Maybe<Scalars['SafeInt']['output']>;
    /** Links from the target to other sites (external_links_count). */
    externalLinkCount?: Maybe<Scalars['SafeInt']['output']>;
    /** When the first of these links was found (first_seen). */
    firstSeen?: Maybe<Scalars['DateTime']['output']>;
    /** A global ID: opaque, stable, and accepted by `node` and `nodes`. */
    id: Scalars['ID']['output'];
    /** Facts about the target's host. */
    info?: Maybe<TargetInfo>;
    /** Links between the target's own pages (internal_links_count). */
    internalLinkCount?: Maybe<Scalars['SafeInt']['output']>;
    /** Domains linking to this target and to `others` (domain_intersection with this target first), counted with this target's options. */
    intersection?: Maybe<IntersectionConnection>;
    /** When the last of these links was lost; null while any is live (lost_date). */
    lostDate?: Maybe<Scalars['DateTime']['output']>;
    /** Rank on the scale of `options.rankScale` (0–1000 by default), PageRank-like (rank). */
    rank?: Maybe<Scalars['Int']['output']>;
    /** Referring domains, subdomains counted apart (referring_domains). */
    referringDomainCount?: Maybe<Scalars['SafeInt']['output']>;
    /** Referring domains with at least one nofollow link (referring_domains_nofollow). */
    referringDomainNofollowCount?: Maybe<Scalars['SafeInt']['output']>;
    /** Domains linking to this target (backlinks/referring_domains), strongest first unless ordered otherwise. totalCount counts main domains. One upstream call per page. */
    referringDomains?: Maybe<ReferringDomainConnection>;
    /** Distinct IP addresses of the linking hosts (referring_ips). */
    referringIpCount?: Maybe<Scalars['SafeInt']['output']>;
    /** Referring root domains (referring_main_domains). */
    referringMainDomainCount?: Maybe<Scalars['SafeInt']['output']>;
    /** Referring root domains with at least one nofollow link (referring_main_domains_nofollow). */
    referringMainDomainNofollowCount?: Maybe<Scalars['SafeInt']['output']>;
    /** Pages holding these links (referring_pages). */
    referringPageCount?: Maybe<Scalars['SafeInt']['output']>;
    /** Pages holding at least one nofollow link (referring_pages_nofollow). */
    referringPageNofollowCount?: Maybe<Scalars['SafeInt']['output']>;
    /** Distinct /24 subnets of the linking hosts (referring_subnets). */
    referringSubnetCount?: Maybe<Scalars['SafeInt']['output']>;
    /** Average spam score of the backlinks, 0–100 (backlinks_spam_score). */
    spamScore?: Maybe<Scalars['Int']['output']>;
    /** The target as normalised and sent upstream: lower-case, punycode, no "www." for domains. */
    target: Scalars['String']['output'];
  };

/** A domain, subdomain or page, and its backlink profile (backlinks/summary). Summary fields share one upstream call, made only if one is selected. */
export type TargetIntersectionArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  excludeTargets?: InputMaybe<Array<Scalars['String']['input']>>;
  filter?: InputMaybe<IntersectionFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  mode?: InputMaybe<IntersectionMode>;
  orderBy?: InputMaybe<Array<IntersectionOrder>>;
  others: Array<Scalars['String']['input']>;
};

/** A domain, subdomain or page, and its backlink profile (backlinks/summary). Summary fields share one upstream call, made only if one is selected. */
export type TargetReferringDomainsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ReferringDomainFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  orderBy?: InputMaybe<Array<ReferringDomainOrder>>;
};

/** Facts about the target's own host (summary info). */
export type TargetInfo = {
  __typename?: 'TargetInfo';
  /** The content management system detected. */
  cms?: Maybe<Scalars['String']['output']>;
  /** ISO country code of its server. */
  country?: Maybe<Scalars['String']['output']>;
  /** Its IP address (ip_address). */
  ipAddress?: Maybe<Scalars['String']['output']>;
  /** Whether the target is an IP address (is_ip). */
  isIp?: Maybe<Scalars['Boolean']['output']>;
  /** Platform types detected: cms, blogs, ecommerce … (platform_type). */
  platformTypes: Array<Scalars['String']['output']>;
  /** The web server it announces. */
  server?: Maybe<Scalars['String']['output']>;
  /** The target's own spam score, 0–100 (target_spam_score). */
  spamScore?: Maybe<Scalars['Int']['output']>;
};

export type TargetOverviewQueryVariables = Exact<{
  target: Scalars['String']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
}>;

export type TargetOverviewQuery = {
  __typename?: 'Query';
  target?: {
    __typename?: 'Target';
    target: string;
    rank?: number | null;
    backlinkCount?: number | null;
    firstSeen?: string | null;
    referringDomains?: {
      __typename?: 'ReferringDomainConnection';
      totalCount: number;
      nodes: Array<{ __typename?: 'ReferringDomain'; domain: string; backlinkCount?: number | null }>;
    } | null;
  } | null;
};

export type ProspectRanksQueryVariables = Exact<{
  targets: Array<Scalars['String']['input']> | Scalars['String']['input'];
}>;

export type ProspectRanksQuery = {
  __typename?: 'Query';
  targets?: Array<{
    __typename?: 'Target';
    target: string;
    bulkMetrics?: { __typename?: 'BulkMetrics'; rank?: number | null; referringMainDomainCount?: number | null } | null;
  }> | null;
};

export const TargetOverviewDocument = {
  __meta__: { hash: '6d2d5d04366914f80b50ec06f6e9ed4d0fc1e79e96922ed6e14947cbae76be8a' },
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'query',
      name: { kind: 'Name', value: 'TargetOverview' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'target' } },
          type: { kind: 'NonNullType', type: { kind: 'NamedType', name: { kind: 'Name', value: 'String' } } },
        },
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'first' } },
          type: { kind: 'NamedType', name: { kind: 'Name', value: 'Int' } },
          defaultValue: { kind: 'IntValue', value: '3' },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'target' },
            arguments: [
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'target' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'target' } },
              },
            ],
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: 'target' } },
                { kind: 'Field', name: { kind: 'Name', value: 'rank' } },
                { kind: 'Field', name: { kind: 'Name', value: 'backlinkCount' } },
                { kind: 'Field', name: { kind: 'Name', value: 'firstSeen' } },
                {
                  kind: 'Field',
                  name: { kind: 'Name', value: 'referringDomains' },
                  arguments: [
                    {
                      kind: 'Argument',
                      name: { kind: 'Name', value: 'first' },
                      value: { kind: 'Variable', name: { kind: 'Name', value: 'first' } },
                    },
                    {
                      kind: 'Argument',
                      name: { kind: 'Name', value: 'orderBy' },
                      value: {
                        kind: 'ListValue',
                        values: [
                          {
                            kind: 'ObjectValue',
                            fields: [
                              {
                                kind: 'ObjectField',
                                name: { kind: 'Name', value: 'field' },
                                value: { kind: 'EnumValue', value: 'BACKLINK_COUNT' },
                              },
                              {
                                kind: 'ObjectField',
                                name: { kind: 'Name', value: 'direction' },
                                value: { kind: 'EnumValue', value: 'DESC' },
                              },
                            ],
                          },
                        ],
                      },
                    },
                  ],
                  selectionSet: {
                    kind: 'SelectionSet',
                    selections: [
                      { kind: 'Field', name: { kind: 'Name', value: 'totalCount' } },
                      {
                        kind: 'Field',
                        name: { kind: 'Name', value: 'nodes' },
                        selectionSet: {
                          kind: 'SelectionSet',
                          selections: [
                            { kind: 'Field', name: { kind: 'Name', value: 'domain' } },
                            { kind: 'Field', name: { kind: 'Name', value: 'backlinkCount' } },
                          ],
                        },
                      },
                    ],
                  },
                },
              ],
            },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<TargetOverviewQuery, TargetOverviewQueryVariables>;
export const ProspectRanksDocument = {
  __meta__: { hash: '8411b8c94361ab726f7b64fda9cbad7ced1a430f57d03319885f69f35b27af0b' },
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'query',
      name: { kind: 'Name', value: 'ProspectRanks' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'targets' } },
          type: {
            kind: 'NonNullType',
            type: { kind: 'ListType', type: { kind: 'NonNullType', type: { kind: 'NamedType', name: { kind: 'Name', value: 'String' } } } },
          },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'targets' },
            arguments: [
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'targets' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'targets' } },
              },
            ],
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: 'target' } },
                {
                  kind: 'Field',
                  name: { kind: 'Name', value: 'bulkMetrics' },
                  selectionSet: {
                    kind: 'SelectionSet',
                    selections: [
                      { kind: 'Field', name: { kind: 'Name', value: 'rank' } },
                      { kind: 'Field', name: { kind: 'Name', value: 'referringMainDomainCount' } },
                    ],
                  },
                },
              ],
            },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<ProspectRanksQuery, ProspectRanksQueryVariables>;
