import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { costs } from '../cost.js';
import type { CountMap, LinkProfileWire } from '../../dataforseo/types.js';
import { summaryTask, type LinkProfileSource } from '../models.js';
import { parseUpstreamDate } from './scalars.js';

/**
 * The cost group of every field that reads a link profile: a type whose profile needs a call declares what the group
 * costs (a Target: one summary, shared by all its fields); where the profile is at hand it is free.
 */
export const PROFILE = costs({ group: 'profile' });

/**
 * The counters of a set of links. A Target reads them from its summary (one call, shared by every field, made only
 * when one is selected); a ReferringDomain and an IntersectionLink carry them already.
 */
function profileOf(source: LinkProfileSource, ctx: Context): LinkProfileWire | Promise<LinkProfileWire | null> {
  switch (source.kind) {
    case 'Target':
      return ctx.loaders.summaryByTarget.load(summaryTask(source));
    case 'ReferringDomain':
      return source.item;
    case 'IntersectionLink':
      return source.entry;
  }
}

/** Reads one value of a profile, synchronously when the profile is at hand. */
export function fromProfile<T>(
  source: LinkProfileSource,
  ctx: Context,
  read: (wire: LinkProfileWire) => T | null | undefined,
): T | null | Promise<T | null> {
  const profile = profileOf(source, ctx);
  if (profile instanceof Promise) return profile.then((p) => (p ? (read(p) ?? null) : null));
  return read(profile) ?? null;
}

export interface KeyCountShape {
  key: string;
  count: number;
}

export const KeyCount = builder.objectRef<KeyCountShape>('KeyCount').implement({
  description: 'A number of links for one key of a breakdown.',
  fields: (t) => ({
    key: t.exposeString('key', { description: "The key: a TLD, a link type, a country code … The empty string means 'unknown'." }),
    count: t.expose('count', { type: 'SafeInt', description: 'How many links have this key.' }),
  }),
});

/** A count map as a list, largest first, then by key: the order the upstream ranks its top entries by. */
function toKeyCounts(map: CountMap | undefined): KeyCountShape[] {
  if (!map) return [];
  return Object.entries(map)
    .filter((e): e is [string, number] => typeof e[1] === 'number')
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export const LinkBreakdown = builder.objectRef<LinkProfileWire>('LinkBreakdown').implement({
  description: "Link counts per category, largest first (at most `breakdownLimit` entries each). The key '' means 'unknown'.",
  fields: (t) => ({
    tlds: t.field({
      type: [KeyCount],
      description: 'By top-level domain of the linking page (referring_links_tld).',
      resolve: (w) => toKeyCounts(w.referring_links_tld),
    }),
    types: t.field({
      type: [KeyCount],
      description: 'By link type: anchor, image, redirect, canonical … (referring_links_types).',
      resolve: (w) => toKeyCounts(w.referring_links_types),
    }),
    attributes: t.field({
      type: [KeyCount],
      description: 'By link attribute: nofollow, noopener, ugc, sponsored … (referring_links_attributes).',
      resolve: (w) => toKeyCounts(w.referring_links_attributes),
    }),
    platformTypes: t.field({
      type: [KeyCount],
      description: 'By platform of the linking site: cms, blogs, ecommerce … (referring_links_platform_types).',
      resolve: (w) => toKeyCounts(w.referring_links_platform_types),
    }),
    semanticLocations: t.field({
      type: [KeyCount],
      description: 'By HTML element holding the link: article, footer … (referring_links_semantic_locations).',
      resolve: (w) => toKeyCounts(w.referring_links_semantic_locations),
    }),
    countries: t.field({
      type: [KeyCount],
      description: 'By ISO country code of the linking domain (referring_links_countries).',
      resolve: (w) => toKeyCounts(w.referring_links_countries),
    }),
  }),
});

export const LinkProfile = builder.interfaceRef<LinkProfileSource>('LinkProfile').implement({
  description: 'Counters that describe a set of links. Every type that summarises links implements it.',
  resolveType: (source) => source.kind,
  fields: (t) => {
    const int = (description: string, read: (w: LinkProfileWire) => number | null | undefined) =>
      t.int({ nullable: true, description, extensions: PROFILE, resolve: (s, _args, ctx) => fromProfile(s, ctx, read) });
    const count = (description: string, read: (w: LinkProfileWire) => number | null | undefined) =>
      t.field({ type: 'SafeInt', nullable: true, description, extensions: PROFILE, resolve: (s, _args, ctx) => fromProfile(s, ctx, read) });
    const date = (description: string, read: (w: LinkProfileWire) => string | null | undefined) =>
      t.field({
        type: 'DateTime',
        nullable: true,
        description,
        extensions: PROFILE,
        resolve: (s, _args, ctx) => fromProfile(s, ctx, (w) => parseUpstreamDate(read(w))),
      });
    return {
      rank: int('Rank on the scale of `options.rankScale` (0–1000 by default), PageRank-like (rank).', (w) => w.rank),
      backlinkCount: count('Backlinks counted (backlinks).', (w) => w.backlinks),
      spamScore: int('Average spam score of the backlinks, 0–100 (backlinks_spam_score).', (w) => w.backlinks_spam_score),
      firstSeen: date('When the first of these links was found (first_seen).', (w) => w.first_seen),
      lostDate: date('When the last of these links was lost; null while any is live (lost_date).', (w) => w.lost_date),
      brokenBacklinkCount: count('Backlinks pointing at pages that answer 4xx/5xx (broken_backlinks).', (w) => w.broken_backlinks),
      brokenPageCount: count('Linked pages that answer 4xx/5xx (broken_pages).', (w) => w.broken_pages),
      referringDomainCount: count('Referring domains, subdomains counted apart (referring_domains).', (w) => w.referring_domains),
      referringDomainNofollowCount: count(
        'Referring domains with at least one nofollow link (referring_domains_nofollow).',
        (w) => w.referring_domains_nofollow,
      ),
      referringMainDomainCount: count('Referring root domains (referring_main_domains).', (w) => w.referring_main_domains),
      referringMainDomainNofollowCount: count(
        'Referring root domains with at least one nofollow link (referring_main_domains_nofollow).',
        (w) => w.referring_main_domains_nofollow,
      ),
      referringIpCount: count('Distinct IP addresses of the linking hosts (referring_ips).', (w) => w.referring_ips),
      referringSubnetCount: count('Distinct /24 subnets of the linking hosts (referring_subnets).', (w) => w.referring_subnets),
      referringPageCount: count('Pages holding these links (referring_pages).', (w) => w.referring_pages),
      referringPageNofollowCount: count(
        'Pages holding at least one nofollow link (referring_pages_nofollow).',
        (w) => w.referring_pages_nofollow,
      ),
      // Nullable: for a Target it needs the summary call, which can fail without failing the rest of the Target.
      breakdown: t.field({
        type: LinkBreakdown,
        nullable: true,
        description: 'The links broken down by TLD, type, attribute, platform, location and country.',
        extensions: PROFILE,
        resolve: (s, _args, ctx) => fromProfile(s, ctx, (w) => w),
      }),
    };
  },
});
