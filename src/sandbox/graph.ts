import { LRUCache } from 'lru-cache';
import { normalizeTarget, rootDomainOf } from '../dataforseo/target.js';
import type { ReferringDomainItem, SummaryResult } from '../dataforseo/types.js';
import { combine, createRng, hashString, mix32, unit, type Rng } from './random.js';

/**
 * A deterministic synthetic link graph. Nothing in it describes a real site: names of referring domains are made
 * up, and every target, real-looking or not, gets a profile drawn from hashes of its normalised name.
 *
 * The model: a fixed universe of referring domains, ordered by authority (index 0 is the strongest). A target links
 * from a subset of it, drawn independently per referrer with a probability that grows with the referrer's authority
 * and the target's popularity (heavy-tailed), so big referrers link to many targets and intersections are realistic.
 * Each (target, referrer) pair carries a few link groups: sets of identical backlinks (same type, dofollow, anchor,
 * first seen, lost or not …). Every option of the API is a predicate on groups (status, subdomains, indirect links,
 * backlinks_filters), and every counter is an aggregate of the groups kept, so summary, referring_domains and
 * domain_intersection agree by construction.
 */

/**
 * The sandbox's "today": every date of the graph is drawn before it, so the graph never depends on the clock. Only
 * the bulk new/lost endpoints read the real clock, to place their `date_from` relative to this day (endpoints.ts).
 */
export const SANDBOX_NOW_MS = Date.UTC(2026, 10, 1);
const DAY_MS = 86_400_000;
/** How many referring domains the universe holds. */
export const UNIVERSE_SIZE = 40_000;
const MAX_PROFILE_SIZE = 15_000;
/** Link groups kept drawn, over all targets (about 200 bytes each). */
const LINK_CACHE_GROUPS = 300_000;
/**
 * How a lost link's lost date falls in its life: `u ** LOST_SKEW` of the way from first seen to now, u uniform, so
 * that losses lean to the recent end (an index learns of a loss at a recrawl, and keeps recent losses) and a month
 * back holds lost links and lost referring domains for most targets. It moves dates only, never what is lost.
 */
const LOST_SKEW = 0.3;

const WORDS = [
  'acorn',
  'alpine',
  'amber',
  'anchor',
  'apex',
  'arbor',
  'atlas',
  'aurora',
  'beacon',
  'birch',
  'bloom',
  'bold',
  'breeze',
  'bright',
  'brook',
  'canyon',
  'cedar',
  'cinder',
  'clear',
  'cloud',
  'coast',
  'cobalt',
  'comet',
  'coral',
  'crest',
  'crisp',
  'daily',
  'delta',
  'dune',
  'echo',
  'ember',
  'field',
  'flint',
  'forge',
  'fox',
  'frost',
  'garden',
  'glade',
  'globe',
  'golden',
  'granite',
  'grove',
  'harbor',
  'hazel',
  'hollow',
  'horizon',
  'indigo',
  'iron',
  'ivy',
  'jade',
  'juniper',
  'kite',
  'lake',
  'lantern',
  'lark',
  'leaf',
  'linen',
  'lumen',
  'maple',
  'marble',
  'meadow',
  'mesa',
  'mint',
  'moss',
  'north',
  'nova',
  'oak',
  'ocean',
  'olive',
  'onyx',
  'orbit',
  'pebble',
  'pine',
  'pixel',
  'plume',
  'prairie',
  'quartz',
  'quill',
  'rapid',
  'raven',
  'reef',
  'ridge',
  'river',
  'robin',
  'rust',
  'sage',
  'salt',
  'signal',
  'silver',
  'slate',
  'solar',
  'spark',
  'spruce',
  'stone',
  'summit',
  'swift',
  'thistle',
  'tide',
  'timber',
  'trail',
  'true',
  'tulip',
  'umber',
  'valley',
  'vast',
  'velvet',
  'vine',
  'violet',
  'wave',
  'willow',
  'wind',
  'wren',
  'zenith',
  'zephyr',
];
const SUFFIXES = [
  '',
  '',
  '',
  'blog',
  'news',
  'hub',
  'lab',
  'media',
  'review',
  'guide',
  'press',
  'works',
  'daily',
  'online',
  'tech',
  'studio',
  'forum',
  'wiki',
  'shop',
  'digital',
  'world',
  'zone',
  'base',
  'post',
];
const TLDS: readonly (readonly [string, number])[] = [
  ['com', 46],
  ['net', 6],
  ['org', 7],
  ['de', 5],
  ['co.uk', 4],
  ['ru', 3],
  ['fr', 3],
  ['io', 3],
  ['info', 2],
  ['nl', 2],
  ['it', 2],
  ['es', 2],
  ['pl', 2],
  ['jp', 2],
  ['com.br', 2],
  ['in', 2],
  ['com.au', 1],
  ['ca', 1],
  ['blog', 1],
  ['xyz', 1],
  ['co', 1],
  ['us', 1],
  ['edu', 1],
  ['ch', 1],
  ['se', 1],
  ['cz', 1],
];
const TLD_COUNTRY: Readonly<Record<string, string>> = {
  de: 'DE',
  'co.uk': 'GB',
  ru: 'RU',
  fr: 'FR',
  nl: 'NL',
  it: 'IT',
  es: 'ES',
  pl: 'PL',
  jp: 'JP',
  'com.br': 'BR',
  in: 'IN',
  'com.au': 'AU',
  ca: 'CA',
  us: 'US',
  ch: 'CH',
  se: 'SE',
  cz: 'CZ',
  edu: 'US',
};
const COUNTRIES: readonly (readonly [string, number])[] = [
  ['US', 40],
  ['', 14],
  ['GB', 6],
  ['DE', 6],
  ['IN', 5],
  ['CA', 4],
  ['FR', 4],
  ['NL', 3],
  ['AU', 3],
  ['SG', 2],
  ['IE', 2],
  ['JP', 2],
  ['BR', 2],
  ['ES', 2],
  ['SE', 1],
  ['PL', 1],
  ['UA', 1],
  ['VN', 1],
];
const PLATFORMS: readonly (readonly [readonly string[], number])[] = [
  [['cms', 'blogs'], 30],
  [['unknown'], 20],
  [['cms'], 12],
  [['ecommerce'], 8],
  [['cms', 'ecommerce'], 6],
  [['news'], 6],
  [['organization'], 6],
  [['blogs'], 6],
  [['message-boards'], 3],
  [['wikis'], 2],
  [['cms', 'news'], 2],
];
/** Link types; redirect and canonical are the indirect ones. */
export const LINK_TYPES: readonly (readonly [string, number])[] = [
  ['anchor', 80],
  ['image', 8],
  ['redirect', 5],
  ['link', 3],
  ['canonical', 2],
  ['meta', 1],
  ['alternate', 1],
];
const INDIRECT_TYPES = new Set(['redirect', 'canonical']);
const SEMANTIC_LOCATIONS: readonly (readonly [string, number])[] = [
  ['', 30],
  ['article', 25],
  ['section', 10],
  ['footer', 9],
  ['main', 8],
  ['aside', 6],
  ['header', 4],
  ['nav', 4],
  ['summary', 2],
  ['figure', 2],
];
const SUBDOMAINS = ['blog', 'news', 'shop', 'forum', 'm', 'docs', 'community', 'help'];
const ANCHORS = [
  'click here',
  'read more',
  'this article',
  'source',
  'website',
  'learn more',
  'here',
  'guide',
  'review',
  'homepage',
  'link',
  'official site',
];
const SERVERS = ['nginx', 'cloudflare', 'Apache', 'LiteSpeed', 'Microsoft-IIS/10.0', 'openresty', null] as const;
const CMSES = [null, null, 'WordPress', 'Shopify', 'Drupal', 'Joomla', 'Ghost', 'Wix'] as const;

/** A domain of the universe, with the facts every link from it shares. */
export interface Referrer {
  index: number;
  domain: string;
  tld: string;
  country: string;
  /** 0–1000. */
  rank: number;
  spamScore: number;
  platformTypes: readonly string[];
  hosts: readonly string[];
  hostIps: readonly number[];
}

/** A set of identical backlinks from one referrer to one target. */
export interface LinkGroup {
  referrer: Referrer;
  host: string;
  hostIp: number;
  count: number;
  pages: number;
  dofollow: boolean;
  type: string;
  attributes: readonly string[];
  semanticLocation: string;
  toSubdomain: boolean;
  firstSeenMs: number;
  lostDateMs: number | null;
  broken: boolean;
  pageFromRank: number;
  seed: number;
  /** The target's normalised value and host, for url_to. */
  target: TargetProfile;
}

/** A target's own, option-independent facts. */
export interface TargetProfile {
  key: string;
  kind: 'domain' | 'page';
  host: string;
  root: string;
  seed: number;
  /** Expected number of referring main domains. */
  size: number;
  /** 0–1000. */
  rank: number;
  spamScore: number;
  isIp: boolean;
}

/** The options that decide which link groups count. */
export interface GraphOptions {
  status: 'all' | 'live' | 'lost';
  includeSubdomains: boolean;
  includeIndirectLinks: boolean;
  excludeInternalBacklinks: boolean;
  /** Extra predicate from `backlinks_filters`. */
  backlinksFilter: ((group: LinkGroup) => boolean) | null;
}

/** A referring domain of a target under some options: its wire item (full maps) and the facts summaries need. */
export interface PairAggregate {
  item: ReferringDomainItem & { domain: string };
  ips: readonly number[];
  spamWeighted: number;
}

function formatDate(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +00:00`;
}

function ipString(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

function hostIp(host: string): number {
  // Keep addresses in 1.0.0.0–223.255.255.255, like public unicast space.
  const h = hashString(host, 7);
  return ((1 + (h % 223)) * 16777216 + (h >>> 8)) >>> 0;
}

function rankForIndex(index: number): number {
  return Math.max(1, Math.round(1000 * (1 / (1 + index / 40)) ** 0.55));
}

function sizeForRank(rank: number): number {
  return Math.min(MAX_PROFILE_SIZE, Math.max(1, Math.round(10 ** ((rank / 1000) * 4.2))));
}

function rankForSize(size: number): number {
  if (size <= 0) return 0;
  return Math.min(1000, Math.round((Math.log10(1 + size) / 4.2) * 1000));
}

function bumpMap(map: Record<string, number>, key: string, by: number): void {
  map[key] = (map[key] ?? 0) + by;
}

/** Keeps the `limit` largest entries, largest first (ties by key), as the upstream's `internal_list_limit` does. */
export function topEntries(map: Record<string, number> | null | undefined, limit: number): Record<string, number> | null {
  if (!map) return null;
  const entries = Object.entries(map);
  if (entries.length === 0) return null;
  entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return Object.fromEntries(entries.slice(0, limit));
}

/** Creates the graph; the universe is built once, here (about 50 ms). */
export function createLinkGraph() {
  const universe: Referrer[] = [];
  const byDomain = new Map<string, Referrer>();
  const weights = new Float64Array(UNIVERSE_SIZE);
  let weightTotal = 0;
  for (let i = 0; i < UNIVERSE_SIZE; i++) {
    const rng = createRng(mix32(i + 1));
    const tld = rng.weighted(TLDS);
    let base = rng.pick(WORDS) + (rng.next() < 0.55 ? rng.pick(WORDS) : '') + rng.pick(SUFFIXES);
    if (rng.next() < 0.12) base += String(rng.int(1, 99));
    let domain = `${base}.${tld}`;
    if (byDomain.has(domain)) domain = `${base}${i}.${tld}`;
    const hosts = [domain];
    const extra = rng.next();
    if (extra < 0.35) hosts.push(`${rng.pick(SUBDOMAINS)}.${domain}`);
    if (extra < 0.1) hosts.push(`${SUBDOMAINS[(SUBDOMAINS.indexOf(hosts[1]?.split('.')[0] ?? '') + 1) % SUBDOMAINS.length]}.${domain}`);
    const rank = rankForIndex(i);
    const referrer: Referrer = {
      index: i,
      domain,
      tld,
      country: TLD_COUNTRY[tld] ?? rng.weighted(COUNTRIES),
      rank,
      spamScore: Math.min(100, Math.floor(rng.next() ** 3 * 100 * (1.2 - rank / 1000))),
      platformTypes: rng.weighted(PLATFORMS),
      hosts,
      hostIps: hosts.map(hostIp),
    };
    universe.push(referrer);
    byDomain.set(domain, referrer);
    const w = 1 / (i + 8) ** 1.05;
    weights[i] = w;
    weightTotal += w;
  }

  function profileOf(target: string): TargetProfile {
    const n = normalizeTarget(target);
    const seed = hashString(n.value, 0x5eed);
    const root = rootDomainOf(n.host);
    const known = n.kind === 'domain' ? byDomain.get(n.value) : undefined;
    const u = unit(hashString(n.value, 0x909));
    let size: number;
    let rank: number;
    if (known) {
      rank = known.rank;
      size = sizeForRank(rank);
    } else {
      // Pareto(α = 0.8, x_min = 60): median ≈ 140 referring domains, a few percent in the thousands.
      size = Math.min(MAX_PROFILE_SIZE, Math.floor(60 * (1 - u) ** (-1 / 0.8)));
      if (n.kind === 'page') size = u < 0.12 ? 0 : Math.floor(size / 4);
      else if (n.host !== root) size = Math.floor(size / 2);
      rank = rankForSize(size);
    }
    const isIp = /^\d+\.\d+\.\d+\.\d+$/.test(n.host);
    const spamScore = Math.floor(unit(combine(seed, 3)) ** 4 * 60);
    return { key: n.value, kind: n.kind, host: n.host, root, seed, size, rank, spamScore, isIp };
  }

  function groupsFor(profile: TargetProfile, referrer: Referrer, internal: boolean): LinkGroup[] {
    const seed = combine(profile.seed, internal ? 0x7fffffff : referrer.index);
    const rng = createRng(seed);
    const groupCount = 1 + Math.floor(rng.next() ** 1.5 * 4);
    const groups: LinkGroup[] = [];
    const age = Math.floor(4380 * rng.next() ** 1.6);
    for (let g = 0; g < groupCount; g++) {
      const hostIndex = rng.next() < 0.75 ? 0 : rng.int(0, referrer.hosts.length - 1);
      const host = referrer.hosts[hostIndex] ?? referrer.domain;
      const sitewide = rng.next() < 0.03;
      const count = Math.min(sitewide ? 20_000 : 2_000, Math.floor((1 - rng.next()) ** (-1 / 1.3)) * (sitewide ? 60 : 1));
      const dofollow = rng.next() < 0.72;
      const type = rng.weighted(LINK_TYPES);
      const attributes: string[] = [];
      if (!dofollow) attributes.push('nofollow');
      const a = rng.next();
      if (a < 0.25) attributes.push('noopener');
      if (a < 0.1) attributes.push('noreferrer');
      if (!dofollow && a > 0.9) attributes.push(rng.next() < 0.5 ? 'ugc' : 'sponsored');
      // Each group is first seen up to 200 days before the pair's age, and a young pair's groups at most half its
      // age before, so pairs first seen in the last month or year (new referring domains) are as common as the
      // age draw makes them. The draws are the same as ever: this moves dates only, never what is counted.
      const spread = Math.floor(rng.int(0, 200) * Math.min(1, age / 400));
      const firstSeenMs = SANDBOX_NOW_MS - (Math.min(4400, age + spread) + 1) * DAY_MS + rng.int(0, DAY_MS / 1000 - 1) * 1000;
      const lost = rng.next() < 0.16;
      const lostDateMs = lost ? firstSeenMs + Math.floor(((SANDBOX_NOW_MS - firstSeenMs) * rng.next() ** LOST_SKEW) / 1000) * 1000 : null;
      groups.push({
        referrer,
        host,
        hostIp: referrer.hostIps[hostIndex] ?? hostIp(host),
        count,
        pages: Math.max(1, Math.min(count, Math.ceil(count * (0.25 + 0.75 * rng.next())))),
        dofollow,
        type,
        attributes,
        semanticLocation: rng.weighted(SEMANTIC_LOCATIONS),
        toSubdomain: profile.kind === 'domain' && rng.next() < 0.12,
        firstSeenMs,
        lostDateMs,
        broken: rng.next() < 0.04,
        pageFromRank: Math.round(referrer.rank * (0.2 + 0.8 * rng.next())),
        seed: mix32(seed + g),
        target: profile,
      });
    }
    return groups;
  }

  function keeps(group: LinkGroup, options: GraphOptions): boolean {
    if (options.status === 'live' && group.lostDateMs !== null) return false;
    if (options.status === 'lost' && group.lostDateMs === null) return false;
    if (!options.includeSubdomains && group.toSubdomain) return false;
    if (!options.includeIndirectLinks && INDIRECT_TYPES.has(group.type)) return false;
    return options.backlinksFilter === null || options.backlinksFilter(group);
  }

  function internalReferrer(profile: TargetProfile): Referrer | null {
    if (profile.isIp || unit(combine(profile.seed, 11)) > 0.7) return null;
    const rng: Rng = createRng(combine(profile.seed, 12));
    const hosts = [`${rng.pick(SUBDOMAINS)}.${profile.root}`];
    return {
      index: -1,
      domain: profile.root,
      tld: profile.root.slice(profile.root.indexOf('.') + 1),
      country: rng.weighted(COUNTRIES),
      rank: profile.rank,
      spamScore: profile.spamScore,
      platformTypes: rng.weighted(PLATFORMS),
      hosts,
      hostIps: hosts.map(hostIp),
    };
  }

  /** The referrers of a target, strongest first, independent of options. */
  function referrersOf(profile: TargetProfile): Referrer[] {
    const result: Referrer[] = [];
    if (profile.size <= 0) return result;
    const c = profile.size / weightTotal;
    for (let i = 0; i < UNIVERSE_SIZE; i++) {
      const referrer = universe[i];
      if (!referrer || referrer.domain === profile.root) continue;
      const p = Math.min(1, c * (weights[i] ?? 0));
      if (unit(combine(profile.seed, i)) < p) result.push(referrer);
    }
    return result;
  }

  function aggregate(referrer: Referrer, groups: readonly LinkGroup[]): PairAggregate {
    let backlinks = 0;
    let pages = 0;
    let pagesNofollow = 0;
    let brokenBacklinks = 0;
    let brokenPages = 0;
    let firstSeen = Infinity;
    let lastLost = -Infinity;
    let allLost = true;
    const hosts = new Set<string>();
    const nofollowHosts = new Set<string>();
    const ips = new Set<number>();
    const tlds: Record<string, number> = {};
    const types: Record<string, number> = {};
    const attributes: Record<string, number> = {};
    const platforms: Record<string, number> = {};
    const locations: Record<string, number> = {};
    const countries: Record<string, number> = {};
    for (const g of groups) {
      backlinks += g.count;
      pages += g.pages;
      if (!g.dofollow) {
        pagesNofollow += g.pages;
        nofollowHosts.add(g.host);
      }
      if (g.broken) {
        brokenBacklinks += g.count;
        brokenPages += 1;
      }
      firstSeen = Math.min(firstSeen, g.firstSeenMs);
      if (g.lostDateMs === null) allLost = false;
      else lastLost = Math.max(lastLost, g.lostDateMs);
      hosts.add(g.host);
      ips.add(g.hostIp);
      bumpMap(types, g.type, g.count);
      for (const attribute of g.attributes) bumpMap(attributes, attribute, g.count);
      bumpMap(locations, g.semanticLocation, g.count);
    }
    bumpMap(tlds, referrer.tld, backlinks);
    bumpMap(countries, referrer.country, backlinks);
    for (const p of referrer.platformTypes) bumpMap(platforms, p, backlinks);
    const subnets = new Set([...ips].map((ip) => ip >>> 8));
    return {
      item: {
        type: 'backlinks_referring_domain',
        domain: referrer.domain,
        rank: referrer.rank,
        backlinks,
        first_seen: formatDate(firstSeen),
        lost_date: allLost && lastLost > -Infinity ? formatDate(lastLost) : null,
        backlinks_spam_score: referrer.spamScore,
        broken_backlinks: brokenBacklinks,
        broken_pages: brokenPages,
        referring_domains: hosts.size,
        referring_domains_nofollow: nofollowHosts.size,
        referring_main_domains: 1,
        referring_main_domains_nofollow: nofollowHosts.size > 0 ? 1 : 0,
        referring_ips: ips.size,
        referring_subnets: subnets.size,
        referring_pages: pages,
        referring_pages_nofollow: pagesNofollow,
        referring_links_tld: tlds,
        referring_links_types: types,
        referring_links_attributes: Object.keys(attributes).length ? attributes : null,
        referring_links_platform_types: platforms,
        referring_links_semantic_locations: locations,
        referring_links_countries: countries,
      },
      ips: [...ips],
      spamWeighted: referrer.spamScore * backlinks,
    };
  }

  /**
   * The link groups of a target from each of its external referrers, strongest first. They depend on the target
   * alone, not on the options, so they are drawn once and kept while there is room: every option, filter and
   * endpoint over the same target then only filters and aggregates them.
   */
  const linkCache = new LRUCache<string, readonly (readonly LinkGroup[])[]>({
    maxSize: LINK_CACHE_GROUPS,
    sizeCalculation: (links) => 1 + links.reduce((total, groups) => total + groups.length, 0),
  });
  function linksOf(profile: TargetProfile): readonly (readonly LinkGroup[])[] {
    let links = linkCache.get(profile.key);
    if (!links) {
      links = referrersOf(profile).map((referrer) => groupsFor(profile, referrer, false));
      linkCache.set(profile.key, links);
    }
    return links;
  }

  /** Every referring domain of a target under the options, strongest referrer first, maps untrimmed. */
  function referringDomains(profile: TargetProfile, options: GraphOptions): PairAggregate[] {
    const pairs: PairAggregate[] = [];
    const add = (referrer: Referrer, groups: readonly LinkGroup[]) => {
      const kept = groups.filter((g) => keeps(g, options));
      if (kept.length > 0) pairs.push(aggregate(referrer, kept));
    };
    for (const groups of linksOf(profile)) if (groups[0]) add(groups[0].referrer, groups);
    if (!options.excludeInternalBacklinks) {
      const internal = internalReferrer(profile);
      if (internal) add(internal, groupsFor(profile, internal, true));
    }
    return pairs;
  }

  /** The summary of a target: the aggregate of its referring domains under the same options, maps untrimmed. */
  function summary(profile: TargetProfile, pairs: readonly PairAggregate[], targetAsGiven: string): SummaryResult {
    const sum = (pick: (i: ReferringDomainItem) => number | null | undefined) => pairs.reduce((total, p) => total + (pick(p.item) ?? 0), 0);
    const merge = (pick: (i: ReferringDomainItem) => Record<string, number> | null | undefined) => {
      const out: Record<string, number> = {};
      for (const p of pairs) for (const [k, v] of Object.entries(pick(p.item) ?? {})) bumpMap(out, k, v);
      return out;
    };
    const ips = new Set<number>();
    for (const p of pairs) for (const ip of p.ips) ips.add(ip);
    const subnets = new Set([...ips].map((ip) => ip >>> 8));
    const backlinks = sum((i) => i.backlinks);
    const firstSeen = pairs.reduce<string | null>((min, p) => {
      const f = p.item.first_seen ?? null;
      return min === null || (f !== null && f < min) ? f : min;
    }, null);
    const allLost = pairs.length > 0 && pairs.every((p) => p.item.lost_date);
    const lostDate = allLost ? pairs.reduce((max, p) => ((p.item.lost_date ?? '') > max ? (p.item.lost_date ?? '') : max), '') : null;
    const rng = createRng(combine(profile.seed, 21));
    const pagesCrawled = profile.kind === 'page' ? 1 : Math.max(1, Math.round(profile.size * (2 + rng.next() * 6)));
    const external = Math.round(pagesCrawled * (3 + rng.next() * 20));
    return {
      target: targetAsGiven,
      first_seen: firstSeen,
      lost_date: lostDate,
      rank: profile.rank,
      backlinks,
      backlinks_spam_score: backlinks > 0 ? Math.round(pairs.reduce((t, p) => t + p.spamWeighted, 0) / backlinks) : 0,
      crawled_pages: pagesCrawled,
      info: {
        server: rng.pick(SERVERS),
        cms: rng.pick(CMSES),
        platform_type: [...rng.weighted(PLATFORMS)],
        ip_address: ipString(hostIp(profile.host)),
        country: rng.weighted(COUNTRIES) || null,
        is_ip: profile.isIp,
        target_spam_score: profile.spamScore,
      },
      internal_links_count: Math.round(pagesCrawled * (8 + rng.next() * 40)),
      external_links_count: external,
      broken_backlinks: sum((i) => i.broken_backlinks),
      broken_pages: sum((i) => i.broken_pages),
      referring_domains: sum((i) => i.referring_domains),
      referring_domains_nofollow: sum((i) => i.referring_domains_nofollow),
      referring_main_domains: pairs.length,
      referring_main_domains_nofollow: sum((i) => i.referring_main_domains_nofollow),
      referring_ips: ips.size,
      referring_subnets: subnets.size,
      referring_pages: sum((i) => i.referring_pages),
      referring_pages_nofollow: sum((i) => i.referring_pages_nofollow),
      referring_links_tld: merge((i) => i.referring_links_tld),
      referring_links_types: merge((i) => i.referring_links_types),
      referring_links_attributes: merge((i) => i.referring_links_attributes),
      referring_links_platform_types: merge((i) => i.referring_links_platform_types),
      referring_links_semantic_locations: merge((i) => i.referring_links_semantic_locations),
      referring_links_countries: merge((i) => i.referring_links_countries),
    };
  }

  /** Every link group of a target under the options (for the bulk new/lost endpoints). */
  function keptGroups(profile: TargetProfile, options: GraphOptions): LinkGroup[] {
    const out: LinkGroup[] = [];
    for (const groups of linksOf(profile)) for (const g of groups) if (keeps(g, options)) out.push(g);
    return out;
  }

  return { universe, profileOf, referringDomains, summary, keptGroups };
}

/** The link graph's interface, as used by the endpoints. */
export type LinkGraph = ReturnType<typeof createLinkGraph>;

/** The values `backlinks_filters` can test on a link group, by upstream field name. */
export function groupField(group: LinkGroup, field: string, rankScale: (rank: number) => number): unknown {
  switch (field) {
    case 'dofollow':
      return group.dofollow;
    case 'anchor': {
      if (group.type === 'image' || group.type === 'canonical' || group.type === 'redirect') return '';
      const r = unit(group.seed);
      if (r < 0.3) return group.target.root.split('.')[0] ?? '';
      if (r < 0.45) return `https://${group.target.host}/`;
      return ANCHORS[Math.floor(unit(mix32(group.seed)) * ANCHORS.length)] ?? '';
    }
    case 'domain_from':
      return group.host;
    case 'url_from':
      return `https://${group.host}/${WORDS[group.seed % WORDS.length]}-${(group.seed >>> 8) % 9973}`;
    case 'url_to':
      return group.target.kind === 'page'
        ? group.target.key
        : `https://${group.toSubdomain ? `blog.${group.target.host}` : group.target.host}/`;
    case 'domain_from_rank':
      return rankScale(group.referrer.rank);
    case 'page_from_rank':
      return rankScale(group.pageFromRank);
    case 'first_seen':
      return formatDate(group.firstSeenMs);
    case 'lost_date':
      return group.lostDateMs === null ? null : formatDate(group.lostDateMs);
    case 'item_type':
      return group.type;
    case 'is_lost':
      return group.lostDateMs !== null;
    case 'is_new':
      return SANDBOX_NOW_MS - group.firstSeenMs < 30 * DAY_MS;
    case 'is_broken':
      return group.broken;
    case 'is_indirect_link':
      return INDIRECT_TYPES.has(group.type);
    case 'attributes':
      return group.attributes;
    case 'semantic_location':
      return group.semanticLocation;
    case 'domain_from_country':
      return group.referrer.country;
    case 'tld_from':
      return group.referrer.tld;
    case 'domain_from_platform_type':
      return group.referrer.platformTypes;
    case 'backlink_spam_score':
      return group.referrer.spamScore;
    default:
      return undefined;
  }
}
