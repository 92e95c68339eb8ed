import type { LinkProfileCounter, LinkProfileMap } from '../../dataforseo/types.js';

/**
 * The one table of the LinkProfile counters on the GraphQL side: each counter's field name, scalar and description,
 * and what the filter and order inputs call it. The LinkProfile interface fields, the profile filters
 * (ReferringDomainFilter, IntersectionLinkFilter) and the order enums are all generated from it; the upstream names
 * and their filter-language types come from dataforseo/types.ts, and the compile-time checks below fail when a
 * counter of the wire is missing here.
 */
export const PROFILE_FIELDS = [
  {
    name: 'rank',
    upstream: 'rank',
    scalar: 'Int',
    description: 'Rank on the scale of `options.rankScale` (0–1000 by default), PageRank-like (rank).',
    about: 'rank',
  },
  {
    name: 'backlinkCount',
    upstream: 'backlinks',
    scalar: 'SafeInt',
    description: 'Backlinks counted (backlinks).',
    about: 'the number of backlinks',
  },
  {
    name: 'spamScore',
    upstream: 'backlinks_spam_score',
    scalar: 'Int',
    description: 'Average spam score of the backlinks, 0–100 (backlinks_spam_score).',
    about: 'the spam score',
  },
  {
    name: 'firstSeen',
    upstream: 'first_seen',
    scalar: 'DateTime',
    description: 'When the first of these links was found (first_seen).',
    about: 'when the first link was found',
  },
  {
    name: 'lostDate',
    upstream: 'lost_date',
    scalar: 'DateTime',
    description: 'When the last of these links was lost; null while any is live (lost_date).',
    about: 'when the last link was lost',
  },
  {
    name: 'brokenBacklinkCount',
    upstream: 'broken_backlinks',
    scalar: 'SafeInt',
    description: 'Backlinks pointing at pages that answer 4xx/5xx (broken_backlinks).',
    about: 'the number of broken backlinks',
  },
  {
    name: 'brokenPageCount',
    upstream: 'broken_pages',
    scalar: 'SafeInt',
    description: 'Linked pages that answer 4xx/5xx (broken_pages).',
    about: 'the number of broken pages',
  },
  {
    name: 'referringDomainCount',
    upstream: 'referring_domains',
    scalar: 'SafeInt',
    description: 'Referring domains, subdomains counted apart (referring_domains).',
    about: 'the number of referring domains',
  },
  {
    name: 'referringDomainNofollowCount',
    upstream: 'referring_domains_nofollow',
    scalar: 'SafeInt',
    description: 'Referring domains with at least one nofollow link (referring_domains_nofollow).',
    about: 'the number of nofollow referring domains',
  },
  {
    name: 'referringMainDomainCount',
    upstream: 'referring_main_domains',
    scalar: 'SafeInt',
    description: 'Referring root domains (referring_main_domains).',
    about: 'the number of referring main domains',
  },
  {
    name: 'referringMainDomainNofollowCount',
    upstream: 'referring_main_domains_nofollow',
    scalar: 'SafeInt',
    description: 'Referring root domains with at least one nofollow link (referring_main_domains_nofollow).',
    about: 'the number of nofollow referring main domains',
  },
  {
    name: 'referringIpCount',
    upstream: 'referring_ips',
    scalar: 'SafeInt',
    description: 'Distinct IP addresses of the linking hosts (referring_ips).',
    about: 'the number of referring IPs',
  },
  {
    name: 'referringSubnetCount',
    upstream: 'referring_subnets',
    scalar: 'SafeInt',
    description: 'Distinct /24 subnets of the linking hosts (referring_subnets).',
    about: 'the number of referring subnets',
  },
  {
    name: 'referringPageCount',
    upstream: 'referring_pages',
    scalar: 'SafeInt',
    description: 'Pages holding these links (referring_pages).',
    about: 'the number of referring pages',
  },
  {
    name: 'referringPageNofollowCount',
    upstream: 'referring_pages_nofollow',
    scalar: 'SafeInt',
    description: 'Pages holding at least one nofollow link (referring_pages_nofollow).',
    about: 'the number of nofollow referring pages',
  },
] as const satisfies readonly {
  name: string;
  upstream: LinkProfileCounter;
  scalar: 'Int' | 'SafeInt' | 'DateTime';
  description: string;
  about: string;
}[];

/** The breakdown lists (LinkBreakdown) and their filters (BreakdownFilter), one entry per upstream count map. */
export const BREAKDOWN_FIELDS = [
  {
    list: 'tlds',
    filter: 'tld',
    upstream: 'referring_links_tld',
    description: 'By top-level domain of the linking page (referring_links_tld).',
    filterDescription: 'Links from one top-level domain (referring_links_tld).',
  },
  {
    list: 'types',
    filter: 'type',
    upstream: 'referring_links_types',
    description: 'By link type: anchor, image, redirect, canonical … (referring_links_types).',
    filterDescription: 'Links of one type (referring_links_types).',
  },
  {
    list: 'attributes',
    filter: 'attribute',
    upstream: 'referring_links_attributes',
    description: 'By link attribute: nofollow, noopener, ugc, sponsored … (referring_links_attributes).',
    filterDescription: 'Links with one attribute (referring_links_attributes).',
  },
  {
    list: 'platformTypes',
    filter: 'platformType',
    upstream: 'referring_links_platform_types',
    description: 'By platform of the linking site: cms, blogs, ecommerce … (referring_links_platform_types).',
    filterDescription: 'Links from one platform type (referring_links_platform_types).',
  },
  {
    list: 'semanticLocations',
    filter: 'semanticLocation',
    upstream: 'referring_links_semantic_locations',
    description: 'By HTML element holding the link: article, footer … (referring_links_semantic_locations).',
    filterDescription: 'Links in one HTML element (referring_links_semantic_locations).',
  },
  {
    list: 'countries',
    filter: 'country',
    upstream: 'referring_links_countries',
    description: 'By ISO country code of the linking domain (referring_links_countries).',
    filterDescription: 'Links from one country (referring_links_countries).',
  },
] as const satisfies readonly { list: string; filter: string; upstream: LinkProfileMap; description: string; filterDescription: string }[];

// Every counter and count map of the wire has its GraphQL entry: a new one there fails to compile until it is added.
type Missing<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : Exclude<All, Listed>;
export const PROFILE_TABLES_COMPLETE: [
  Missing<LinkProfileCounter, (typeof PROFILE_FIELDS)[number]['upstream']>,
  Missing<LinkProfileMap, (typeof BREAKDOWN_FIELDS)[number]['upstream']>,
] = [true, true];

export type ProfileFieldName = (typeof PROFILE_FIELDS)[number]['name'];
export type BreakdownFilterName = (typeof BREAKDOWN_FIELDS)[number]['filter'];
