import { InvalidTargetError, normalizeTarget, rootDomainOf } from '../dataforseo/target.js';
import type {
  DomainIntersectionEntry,
  DomainIntersectionItem,
  LinkProfileWire,
  ReferringDomainItem,
  SummaryResult,
} from '../dataforseo/types.js';
import { backlinkFieldSpec, PROFILE_MAP_FIELDS, profileFieldSpec } from '../dataforseo/filter-language.js';
import { compileFilter, compileOrder, SandboxTaskError, type FieldAccess, type ResolveField } from './filters.js';
import {
  createLinkGraph,
  groupField,
  SANDBOX_NOW_MS,
  topEntries,
  type GraphOptions,
  type LinkGraph,
  type LinkGroup,
  type PairAggregate,
  type TargetProfile,
} from './graph.js';

/**
 * The sandbox's endpoints: each validates its task like the upstream (unknown fields and bad values → 40501) and
 * answers from the link graph. What they return is `tasks[0].result[0]` and the number of rows billed.
 */

export interface EndpointAnswer {
  result: unknown;
  /** Rows billed at $0.00003 each. */
  rows: number;
}

const COMMON_KEYS = [
  'include_subdomains',
  'include_indirect_links',
  'exclude_internal_backlinks',
  'internal_list_limit',
  'backlinks_status_type',
  'backlinks_filters',
  'rank_scale',
  'tag',
] as const;

const ALLOWED_KEYS: Readonly<Record<string, readonly string[]>> = {
  summary: ['target', ...COMMON_KEYS],
  referring_domains: ['target', 'limit', 'offset', 'filters', 'order_by', ...COMMON_KEYS],
  domain_intersection: ['targets', 'exclude_targets', 'limit', 'offset', 'filters', 'order_by', 'intersection_mode', ...COMMON_KEYS],
  bulk_ranks: ['targets', 'rank_scale', 'tag'],
  bulk_backlinks: ['targets', 'tag'],
  bulk_spam_score: ['targets', 'tag'],
  bulk_referring_domains: ['targets', 'tag'],
  bulk_new_lost_backlinks: ['targets', 'date_from', 'tag'],
  bulk_new_lost_referring_domains: ['targets', 'date_from', 'tag'],
  bulk_pages_summary: ['targets', 'include_subdomains', 'rank_scale', 'tag'],
};

function invalidField(name: string, detail = ''): SandboxTaskError {
  return new SandboxTaskError(40501, `Invalid Field: '${name}'.${detail ? ` ${detail}` : ''}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Resolves a field of a link-profile row (an item, or one numbered entry of an intersection). */
function profileField<Row>(
  field: string,
  read: (row: Row) => LinkProfileWire | undefined,
  stringFields: Readonly<Record<string, string>>,
): FieldAccess<Row> | undefined {
  const spec = profileFieldSpec(field, Object.keys(stringFields));
  if (!spec) return undefined;
  const dot = field.indexOf('.');
  if (!spec.sortable && dot > 0) {
    const map = field.slice(0, dot) as (typeof PROFILE_MAP_FIELDS)[number];
    const key = field.slice(dot + 1);
    return { ...spec, get: (row) => read(row)?.[map]?.[key] ?? 0 };
  }
  const key = stringFields[field] ?? field;
  return { ...spec, get: (row) => (read(row) as Record<string, unknown> | undefined)?.[key] ?? null };
}

/** A small LRU bounded by a weight (rows or bytes held), so huge profiles cannot exhaust memory. */
export function createLru<V>(maxWeight: number, weigh: (v: V) => number) {
  const map = new Map<string, V>();
  let weight = 0;
  return {
    get(key: string): V | undefined {
      const v = map.get(key);
      if (v !== undefined) {
        map.delete(key);
        map.set(key, v);
      }
      return v;
    },
    set(key: string, v: V): void {
      map.set(key, v);
      weight += weigh(v);
      for (const [k, old] of map) {
        if (weight <= maxWeight || map.size <= 1) break;
        map.delete(k);
        weight -= weigh(old);
      }
    },
  };
}

function readBoolean(task: Record<string, unknown>, name: string, fallback: boolean): boolean {
  const v = task[name];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw invalidField(name, 'Expected true or false.');
  return v;
}

function readInteger(task: Record<string, unknown>, name: string, fallback: number, min: number, max: number): number {
  const v = task[name];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalidField(name, `Expected an integer from ${min} to ${max}.`);
  }
  return v;
}

function readEnum<T extends string>(task: Record<string, unknown>, name: string, allowed: readonly T[], fallback: T): T {
  const v = task[name];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw invalidField(name, `Expected one of ${allowed.join(', ')}.`);
  }
  return v as T;
}

function readTarget(value: unknown, name: string): TargetProfile['key'] {
  if (typeof value !== 'string') throw invalidField(name, 'Expected a string.');
  try {
    return normalizeTarget(value.endsWith('*') ? value.slice(0, -1) : value).value;
  } catch (error) {
    if (error instanceof InvalidTargetError) throw invalidField(name, error.message);
    throw error;
  }
}

/** Options of `createEndpoints`. */
export interface EndpointOptions {
  /** The real clock (ms) that the new/lost endpoints read `date_from` against. Default `Date.now`. */
  clock?: () => number;
}

const DAY_MS = 86_400_000;

/** The root domain a bulk endpoint rolls a domain target up to; an IP address has none and stays itself. */
function bulkRootOf(host: string): string {
  return /^\d+\.\d+\.\d+\.\d+$/.test(host) ? host : rootDomainOf(host);
}

/** Creates the endpoint handlers over one link graph. */
export function createEndpoints(graph: LinkGraph = createLinkGraph(), { clock = Date.now }: EndpointOptions = {}) {
  const pairCache = createLru<PairAggregate[]>(600_000, (v) => v.length + 1);
  const listCache = createLru<unknown[]>(600_000, (v) => v.length + 1);

  function readOptions(task: Record<string, unknown>) {
    const rankScale = readEnum(task, 'rank_scale', ['one_hundred', 'one_thousand'] as const, 'one_thousand');
    const scale = rankScale === 'one_hundred' ? (rank: number) => Math.round(rank / 10) : (rank: number) => rank;
    let backlinksFilter: GraphOptions['backlinksFilter'] = null;
    if (task.backlinks_filters !== undefined && task.backlinks_filters !== null) {
      const resolve: ResolveField<LinkGroup> = (field) => {
        const spec = backlinkFieldSpec(field);
        return spec ? { ...spec, get: (g) => groupField(g, field, scale) } : undefined;
      };
      backlinksFilter = compileFilter('backlinks_filters', task.backlinks_filters, resolve);
    }
    const options: GraphOptions = {
      status: readEnum(task, 'backlinks_status_type', ['all', 'live', 'lost'] as const, 'live'),
      includeSubdomains: readBoolean(task, 'include_subdomains', true),
      includeIndirectLinks: readBoolean(task, 'include_indirect_links', true),
      excludeInternalBacklinks: readBoolean(task, 'exclude_internal_backlinks', true),
      backlinksFilter,
    };
    const listLimit = readInteger(task, 'internal_list_limit', 10, 1, 1000);
    if (task.tag !== undefined && (typeof task.tag !== 'string' || task.tag.length > 255)) {
      throw invalidField('tag', 'Expected a string of at most 255 characters.');
    }
    const cacheKey = JSON.stringify([
      options.status,
      options.includeSubdomains,
      options.includeIndirectLinks,
      options.excludeInternalBacklinks,
      task.backlinks_filters ?? null,
      rankScale,
    ]);
    return { options, scale, listLimit, cacheKey };
  }

  function pairsOf(profile: TargetProfile, opts: ReturnType<typeof readOptions>): PairAggregate[] {
    const key = `${profile.key}\n${opts.cacheKey}`;
    let pairs = pairCache.get(key);
    if (!pairs) {
      pairs = graph.referringDomains(profile, opts.options);
      if (opts.scale(1000) !== 1000) {
        pairs = pairs.map((p) => ({ ...p, item: { ...p.item, rank: opts.scale(p.item.rank ?? 0) } }));
      }
      pairCache.set(key, pairs);
    }
    return pairs;
  }

  function trimMaps<T extends LinkProfileWire>(wire: T, limit: number): T {
    const out = { ...wire };
    for (const map of PROFILE_MAP_FIELDS) if (map in out) out[map] = topEntries(out[map], limit);
    return out;
  }

  function checkKeys(endpoint: string, task: Record<string, unknown>): void {
    const allowed = ALLOWED_KEYS[endpoint] ?? [];
    for (const key of Object.keys(task)) if (!allowed.includes(key)) throw invalidField(key, 'Unknown field.');
  }

  function summary(task: Record<string, unknown>): EndpointAnswer {
    if (task.target === undefined) throw invalidField('target', 'The field is required.');
    const profile = graph.profileOf(readTarget(task.target, 'target'));
    const opts = readOptions(task);
    const result: SummaryResult = graph.summary(profile, pairsOf(profile, opts), typeof task.target === 'string' ? task.target : '');
    result.rank = opts.scale(result.rank ?? 0);
    return { result: trimMaps(result, opts.listLimit), rows: 1 };
  }

  function window<T>(task: Record<string, unknown>, rows: readonly T[]) {
    const limit = readInteger(task, 'limit', 100, 1, 1000);
    const offset = readInteger(task, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    return rows.slice(offset, offset + limit);
  }

  function referringDomains(task: Record<string, unknown>): EndpointAnswer {
    if (task.target === undefined) throw invalidField('target', 'The field is required.');
    const profile = graph.profileOf(readTarget(task.target, 'target'));
    const opts = readOptions(task);
    const listKey = `${profile.key}\n${opts.cacheKey}\n${JSON.stringify(task.filters ?? null)}\n${JSON.stringify(task.order_by ?? null)}`;
    let rows = listCache.get(listKey) as ReferringDomainItem[] | undefined;
    if (!rows) {
      const resolve: ResolveField<ReferringDomainItem> = (field) => profileField(field, (row) => row, { domain: 'domain', type: 'type' });
      let items = pairsOf(profile, opts).map((p) => p.item);
      if (task.filters !== undefined && task.filters !== null) items = items.filter(compileFilter('filters', task.filters, resolve));
      const byDomain = (a: ReferringDomainItem, b: ReferringDomainItem) => ((a.domain ?? '') < (b.domain ?? '') ? -1 : 1);
      const order = compileOrder('order_by', task.order_by ?? ['rank,desc'], resolve, byDomain);
      rows = [...items].sort(order);
      listCache.set(listKey, rows);
    }
    const page = window(task, rows);
    return {
      result: {
        target: typeof task.target === 'string' ? task.target : '',
        total_count: rows.length,
        items_count: page.length,
        items: page.map((i) => trimMaps(i, opts.listLimit)),
      },
      rows: page.length,
    };
  }

  interface IntersectionRow {
    domain: string;
    entries: Record<string, ReferringDomainItem | undefined>;
    count: number;
  }

  function domainIntersection(task: Record<string, unknown>): EndpointAnswer {
    if (!isRecord(task.targets)) throw invalidField('targets', 'Expected an object such as {"1": "a.com", "2": "b.com"}.');
    const numbered = Object.entries(task.targets);
    if (numbered.length < 2 || numbered.length > 20) throw invalidField('targets', 'Give from 2 to 20 targets.');
    for (const [k] of numbered)
      if (!/^(?:[1-9]|1\d|20)$/.test(k)) throw invalidField('targets', `Key '${k}' is not a number from 1 to 20.`);
    const opts = readOptions(task);
    const mode = readEnum(task, 'intersection_mode', ['all', 'partial'] as const, 'all');
    const excludes = task.exclude_targets ?? [];
    if (!Array.isArray(excludes) || excludes.length > 10) throw invalidField('exclude_targets', 'Expected at most 10 targets.');
    const excludeKeys = excludes.map((e) => readTarget(e, 'exclude_targets'));
    const keys = numbered.map(([k, v]) => [k, readTarget(v, 'targets')] as const).sort((a, b) => Number(a[0]) - Number(b[0]));

    const listKey = `${JSON.stringify(keys)}\n${JSON.stringify(excludeKeys)}\n${mode}\n${opts.cacheKey}\n${JSON.stringify(task.filters ?? null)}\n${JSON.stringify(task.order_by ?? null)}`;
    let rows = listCache.get(listKey) as IntersectionRow[] | undefined;
    if (!rows) {
      const byNumber = new Map(
        keys.map(([k, key]) => [k, new Map(pairsOf(graph.profileOf(key), opts).map((p) => [p.item.domain, p.item]))]),
      );
      const excluded = new Set<string>();
      for (const key of excludeKeys) for (const p of pairsOf(graph.profileOf(key), opts)) excluded.add(p.item.domain);
      const candidates = new Set<string>();
      for (const items of byNumber.values()) for (const domain of items.keys()) candidates.add(domain);
      rows = [];
      for (const domain of candidates) {
        if (excluded.has(domain)) continue;
        const entries: IntersectionRow['entries'] = {};
        let count = 0;
        for (const [k, items] of byNumber) {
          const item = items.get(domain);
          entries[k] = item;
          if (item) count += 1;
        }
        if (mode === 'all' ? count === keys.length : count >= 1) rows.push({ domain, entries, count });
      }
      const resolve: ResolveField<IntersectionRow> = (field) => {
        if (field === 'intersections_count') return { type: 'num', sortable: true, get: (row: IntersectionRow) => row.count };
        const m = /^(\d+)\.(.+)$/.exec(field);
        if (!m || !byNumber.has(m[1] ?? '')) return undefined;
        const k = m[1] ?? '';
        return profileField(m[2] ?? '', (row: IntersectionRow) => row.entries[k], { target: 'domain', type: 'type' });
      };
      if (task.filters !== undefined && task.filters !== null) rows = rows.filter(compileFilter('filters', task.filters, resolve));
      const first = keys[0]?.[0] ?? '1';
      const order = compileOrder('order_by', task.order_by ?? ['intersections_count,desc', `${first}.rank,desc`], resolve, (a, b) =>
        a.domain < b.domain ? -1 : 1,
      );
      rows.sort(order);
      listCache.set(listKey, rows);
    }
    const page = window(task, rows);
    const items: DomainIntersectionItem[] = page.map((row) => {
      const domainIntersection: Record<string, DomainIntersectionEntry> = {};
      for (const [k, item] of Object.entries(row.entries)) {
        if (!item) continue;
        const { type: _type, domain, ...profile } = trimMaps(item, opts.listLimit);
        domainIntersection[k] = { type: 'backlinks_domain_intersection', target: domain ?? row.domain, ...profile };
      }
      return { domain_intersection: domainIntersection, summary: { intersections_count: row.count } };
    });
    return {
      result: { targets: Object.fromEntries(numbered), total_count: rows.length, items_count: items.length, items },
      rows: items.length,
    };
  }

  /** What bulk endpoints count: every link of the given status, subdomains and indirect links included. */
  function bulkOptions(status: GraphOptions['status'], includeSubdomains = true): ReturnType<typeof readOptions> {
    return readOptions({ backlinks_status_type: status, include_subdomains: includeSubdomains });
  }

  function bulkTargets(task: Record<string, unknown>): string[] {
    const targets = task.targets;
    if (!Array.isArray(targets) || targets.length === 0 || targets.length > 1000) {
      throw invalidField('targets', 'Expected an array of 1 to 1000 targets.');
    }
    for (const t of targets) readTarget(t, 'targets');
    return targets as string[];
  }

  /**
   * The profile a bulk endpoint answers for a target. The one difference from the summary of the same target: a
   * subdomain ("blog.x.com") is rolled up to its root domain ("x.com", with all its subdomains); a root domain, an
   * IP address and a page are answered as themselves. Every bulk figure then counts what the summary of that profile
   * counts with the default options (live links, subdomains and indirect links included, internal links excluded),
   * so for a root domain or a page bulk and summary agree exactly.
   */
  function bulkProfile(target: string): TargetProfile {
    const n = normalizeTarget(target);
    return graph.profileOf(n.kind === 'domain' ? bulkRootOf(n.host) : n.value);
  }

  function bulkSummary(profile: TargetProfile, target: string, includeSubdomains = true): SummaryResult {
    return graph.summary(profile, pairsOf(profile, bulkOptions('live', includeSubdomains)), target);
  }

  function utcDay(ms: number): string {
    return new Date(ms).toISOString().slice(0, 10);
  }

  /** The real day (UTC) the clock is in; answers of the new/lost endpoints depend on it, and only they. */
  function today(): { ms: number; day: string } {
    const ms = Math.floor(clock() / DAY_MS) * DAY_MS;
    return { ms, day: utcDay(ms) };
  }

  /**
   * Reads `date_from` as the upstream does (a real calendar date "yyyy-mm-dd" from today − 1 year to today, UTC, by
   * the real clock; default today − 1 month; anything else 40501) and returns the instant the sandbox counts from.
   *
   * The graph's dates all lie before SANDBOX_NOW_MS, the sandbox's own today, while the real today is later: read
   * literally, the default date_from would find nothing new or lost. So the sandbox reads date_from relative to its
   * own clock: the instant counted from is date_from shifted by (SANDBOX_NOW_MS − start of the real today, UTC), so
   * "today − 30 days" counts the 30 days before the sandbox's today and "today" counts nothing. The answer depends
   * only on how many days date_from lies before the real today, hence the same from one day to the next.
   */
  function readDateFrom(task: Record<string, unknown>): number {
    const now = new Date(today().ms);
    const [y, m, d] = [now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()];
    const shift = SANDBOX_NOW_MS - now.getTime();
    const min = Date.UTC(y - 1, m, d);
    const max = now.getTime();
    const v = task.date_from;
    if (v === undefined || v === null) return Date.UTC(y, m - 1, d) + shift;
    const refuse = () =>
      invalidField('date_from', `Expected a date "yyyy-mm-dd" from ${utcDay(min)} to ${utcDay(max)} (today − 1 year to today, UTC).`);
    const parts = typeof v === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v) : null;
    if (!parts) throw refuse();
    const ms = Date.UTC(Number(parts[1]), Number(parts[2]) - 1, Number(parts[3]));
    // Date.UTC rolls "2026-02-30" over to March: a real calendar date is one that reads back the same.
    if (Number.isNaN(ms) || utcDay(ms) !== v || ms < min || ms > max) throw refuse();
    return ms + shift;
  }

  /**
   * What changed since an instant, over every link of the profile (live and lost, internal links excluded):
   * - new backlinks: the backlinks first seen at or after it; lost backlinks: those whose lost date is at or after it;
   * - a referring domain (a host, subdomains apart) or main domain is new when its first link was first seen at or
   *   after it, and lost when every link from it is lost, the last at or after it: exactly the referring_domains
   *   items (status all) whose first_seen, or lost_date, is on or after date_from.
   * A link found and lost since then counts in both, so that backlinks live now = backlinks live at date_from + new −
   * lost, exactly. (The upstream's docs say lost links "were present before" the date; what it does with a link
   * found and lost within the range is not documented.)
   */
  function changesSince(profile: TargetProfile, sinceMs: number) {
    const out = {
      new_backlinks: 0,
      lost_backlinks: 0,
      new_referring_domains: 0,
      lost_referring_domains: 0,
      new_referring_main_domains: 0,
      lost_referring_main_domains: 0,
    };
    const hosts = new Map<string, { first: number; lastLost: number; live: boolean }>();
    const mains = new Map<string, { first: number; lastLost: number; live: boolean }>();
    const track = (map: typeof hosts, key: string, g: LinkGroup) => {
      const e = map.get(key) ?? { first: Infinity, lastLost: -Infinity, live: false };
      e.first = Math.min(e.first, g.firstSeenMs);
      if (g.lostDateMs === null) e.live = true;
      else e.lastLost = Math.max(e.lastLost, g.lostDateMs);
      map.set(key, e);
    };
    for (const g of graph.keptGroups(profile, bulkOptions('all').options)) {
      if (g.firstSeenMs >= sinceMs) out.new_backlinks += g.count;
      if (g.lostDateMs !== null && g.lostDateMs >= sinceMs) out.lost_backlinks += g.count;
      track(hosts, g.host, g);
      track(mains, g.referrer.domain, g);
    }
    const count = (map: typeof hosts) => {
      let fresh = 0;
      let gone = 0;
      for (const e of map.values()) {
        if (e.first >= sinceMs) fresh += 1;
        if (!e.live && e.lastLost >= sinceMs) gone += 1;
      }
      return [fresh, gone] as const;
    };
    [out.new_referring_domains, out.lost_referring_domains] = count(hosts);
    [out.new_referring_main_domains, out.lost_referring_main_domains] = count(mains);
    return out;
  }

  function bulk(endpoint: string, task: Record<string, unknown>): EndpointAnswer {
    const targets = bulkTargets(task);
    const scale =
      readEnum(task, 'rank_scale', ['one_hundred', 'one_thousand'] as const, 'one_thousand') === 'one_hundred'
        ? (r: number) => Math.round(r / 10)
        : (r: number) => r;
    if (task.tag !== undefined && (typeof task.tag !== 'string' || task.tag.length > 255)) {
      throw invalidField('tag', 'Expected a string of at most 255 characters.');
    }
    let items: unknown[];
    switch (endpoint) {
      case 'bulk_ranks':
        items = targets.map((target) => ({ target, rank: scale(bulkProfile(target).rank) }));
        break;
      case 'bulk_backlinks':
        items = targets.map((target) => ({ target, backlinks: bulkSummary(bulkProfile(target), target).backlinks }));
        break;
      case 'bulk_spam_score':
        // The target's own spam score: the summary's info.target_spam_score, not its backlinks_spam_score.
        items = targets.map((target) => ({ type: 'backlinks_bulk_spam_score', target, spam_score: bulkProfile(target).spamScore }));
        break;
      case 'bulk_referring_domains':
        items = targets.map((target) => {
          const s = bulkSummary(bulkProfile(target), target);
          return {
            target,
            referring_domains: s.referring_domains,
            referring_domains_nofollow: s.referring_domains_nofollow,
            referring_main_domains: s.referring_main_domains,
            referring_main_domains_nofollow: s.referring_main_domains_nofollow,
          };
        });
        break;
      case 'bulk_new_lost_backlinks':
      case 'bulk_new_lost_referring_domains': {
        const since = readDateFrom(task);
        items = targets.map((target) => {
          const c = changesSince(bulkProfile(target), since);
          return endpoint === 'bulk_new_lost_backlinks'
            ? { target, new_backlinks: c.new_backlinks, lost_backlinks: c.lost_backlinks }
            : {
                target,
                new_referring_domains: c.new_referring_domains,
                lost_referring_domains: c.lost_referring_domains,
                new_referring_main_domains: c.new_referring_main_domains,
                lost_referring_main_domains: c.lost_referring_main_domains,
              };
        });
        break;
      }
      case 'bulk_pages_summary': {
        const roots = new Set(targets.map((t) => bulkRootOf(normalizeTarget(t).host)));
        if (roots.size > 100) throw invalidField('targets', 'At most 100 distinct root domains are allowed.');
        const includeSubdomains = readBoolean(task, 'include_subdomains', true);
        items = targets.map((target) => {
          const profile = bulkProfile(target);
          const {
            target: _t,
            info: _i,
            crawled_pages: _c,
            internal_links_count: _in,
            external_links_count: _ex,
            ...profile_
          } = trimMaps(bulkSummary(profile, target, includeSubdomains), 10);
          return {
            type: 'backlinks_bulk_pages_summary',
            url: target,
            ...profile_,
            rank: scale(profile.rank),
            main_domain_rank: scale(graph.profileOf(profile.isIp ? profile.host : profile.root).rank),
          };
        });
        return { result: { total_count: items.length, items_count: items.length, items }, rows: items.length };
      }
      default:
        throw new SandboxTaskError(40400, 'Not Found.');
    }
    return { result: { items_count: items.length, items }, rows: items.length };
  }

  /**
   * What an answer of `endpoint` depends on besides its task, for caches of answers: the real day for the new/lost
   * endpoints (date_from is read against it), nothing for the others.
   */
  function answerScope(endpoint: string): string {
    return endpoint === 'bulk_new_lost_backlinks' || endpoint === 'bulk_new_lost_referring_domains' ? today().day : '';
  }

  /** Answers one task of `endpoint`, or throws `SandboxTaskError` with the upstream's status code. */
  function handle(endpoint: string, task: unknown): EndpointAnswer {
    if (!isRecord(task)) throw new SandboxTaskError(40503, 'POST Data Is Invalid.');
    if (!ALLOWED_KEYS[endpoint]) throw new SandboxTaskError(40400, 'Not Found.');
    checkKeys(endpoint, task);
    if (endpoint === 'summary') return summary(task);
    if (endpoint === 'referring_domains') return referringDomains(task);
    if (endpoint === 'domain_intersection') return domainIntersection(task);
    return bulk(endpoint, task);
  }

  return { handle, answerScope, graph };
}

export type SandboxEndpoints = ReturnType<typeof createEndpoints>;
