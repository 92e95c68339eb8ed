import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeTarget, rootDomainOf } from '../../src/dataforseo/target.js';
import { createLinkGraph, SANDBOX_NOW_MS } from '../../src/sandbox/graph.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { responseErrors } from '../helpers/openapi.js';
import { allReferringDomains, callSandbox, resultOf, startSandbox } from '../helpers/sandbox.js';

/**
 * The bulk endpoints agree with the rest of the sandbox, over many targets: for a root domain, an IP address or a
 * page, each bulk figure is the summary's with the default options; a subdomain is answered as its root domain (the
 * one documented difference); new and lost counts are what the link graph says, computed here another way, through
 * referring_domains items and summaries with backlinks_filters; and date_from is read like the upstream, relative to
 * the sandbox's own today.
 */

const DAY_MS = 86_400_000;
/** The real clock the sandbox is pinned to: 2026-12-01, 15:30 UTC. */
const CLOCK_MS = Date.UTC(2026, 11, 1, 15, 30);
const TODAY_MS = Date.UTC(2026, 11, 1);

let sandbox: Sandbox;
let url: string;
beforeAll(async () => ({ sandbox, url } = await startSandbox({ clock: () => CLOCK_MS, maxPerMinute: 1_000_000, maxConcurrency: 1000 })));
afterAll(() => sandbox.close());

/** 200 root domains and some subdomains drawn by fast-check (seeded), a few domains of the graph's universe. */
function drawTargets() {
  const roots = new Set<string>();
  const subdomains = new Set<string>();
  for (const raw of fc.sample(fc.domain(), { seed: 20261201, numRuns: 1000 })) {
    let host: string;
    try {
      host = normalizeTarget(raw).value;
    } catch {
      continue;
    }
    const root = rootDomainOf(host);
    if (roots.size < 200) roots.add(root);
    if (host !== root && roots.has(root) && subdomains.size < 30) subdomains.add(host);
  }
  return { roots: [...roots], subdomains: [...subdomains] };
}
const drawn = drawTargets();
const ROOTS = drawn.roots;
const SUBDOMAINS = [...drawn.subdomains, ...ROOTS.slice(0, 20).map((r) => `blog.${r}`)];
const PAGES = ROOTS.slice(20, 50).map((r, i) => `https://${i % 3 === 0 ? 'www.' : ''}${r}/${['blog/', 'about', 'p?id=3'][i % 3]}`);
const IPS = ['93.184.216.34', '8.8.8.8'];
/** Domains of the graph's universe: their profiles are the large ones (thousands of referring domains). */
const UNIVERSE = createLinkGraph().universe;
const KNOWN = [20, 150, 2000].map((i) => UNIVERSE[i]?.domain ?? '');
const isIp = (host: string) => /^\d+\.\d+\.\d+\.\d+$/.test(host);
/** Other spellings of roots: the same target once normalised. */
const SPELLINGS = ROOTS.slice(50, 60).flatMap((r) => [`www.${r}`, r.toUpperCase(), `https://${r}`, `${r}.`]);

/** What a bulk endpoint answers a target as: a subdomain rolled up to its root domain, the rest as themselves. */
function answeredAs(target: string): string {
  const n = normalizeTarget(target);
  if (n.kind === 'page' || isIp(n.host)) return n.value;
  return rootDomainOf(n.host);
}

/** Runs `fn` over `items`, at most `width` at once (the sandbox refuses more than its concurrency). */
async function pool<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

async function bulkItems(endpoint: string, targets: readonly string[], extra: Record<string, unknown> = {}): Promise<any[]> {
  const { body } = await callSandbox(url, endpoint, { targets, ...extra });
  expect(body.tasks[0].status_code, JSON.stringify(body.tasks[0].status_message)).toBe(20000);
  expect(responseErrors(endpoint, body)).toEqual([]);
  const items = body.tasks[0].result[0].items as any[];
  expect(items.map((i) => i.target ?? i.url)).toEqual(targets);
  return items;
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The wire form of an instant, as first_seen and lost_date are written. */
function wireTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' +00:00');
}

describe('bulk figures are the summary’s', () => {
  const ALL = [...ROOTS, ...KNOWN, ...SUBDOMAINS, ...PAGES, ...IPS, ...SPELLINGS];
  const summaries = new Map<string, { thousand: any; hundred: any }>();

  beforeAll(async () => {
    expect(ROOTS).toHaveLength(200);
    expect(SUBDOMAINS.length).toBeGreaterThanOrEqual(30);
    const asked = [...new Set([...ALL.map(answeredAs), ...SUBDOMAINS])];
    await pool(asked, 32, async (t) => {
      const [thousand, hundred] = await Promise.all([
        resultOf(url, 'summary', { target: t }),
        resultOf(url, 'summary', { target: t, rank_scale: 'one_hundred' }),
      ]);
      summaries.set(t, { thousand, hundred });
    });
  });

  it('for every target: rank (both scales), backlinks, the four referring-domain counts, the target spam score', async () => {
    const [ranks, ranks100, backlinks, spam, referring] = await Promise.all([
      bulkItems('bulk_ranks', ALL),
      bulkItems('bulk_ranks', ALL, { rank_scale: 'one_hundred' }),
      bulkItems('bulk_backlinks', ALL),
      bulkItems('bulk_spam_score', ALL),
      bulkItems('bulk_referring_domains', ALL),
    ]);
    ALL.forEach((target, i) => {
      const { thousand: s, hundred } = summaries.get(answeredAs(target)) ?? {};
      expect({
        rank: ranks[i].rank,
        rank100: ranks100[i].rank,
        backlinks: backlinks[i].backlinks,
        spam: spam[i].spam_score,
        referring_domains: referring[i].referring_domains,
        referring_domains_nofollow: referring[i].referring_domains_nofollow,
        referring_main_domains: referring[i].referring_main_domains,
        referring_main_domains_nofollow: referring[i].referring_main_domains_nofollow,
      }).toEqual({
        rank: s.rank,
        rank100: hundred.rank,
        backlinks: s.backlinks,
        // The target's own spam score (info.target_spam_score), not the average over its backlinks.
        spam: s.info.target_spam_score,
        referring_domains: s.referring_domains,
        referring_domains_nofollow: s.referring_domains_nofollow,
        referring_main_domains: s.referring_main_domains,
        referring_main_domains_nofollow: s.referring_main_domains_nofollow,
      });
    });
    // The figures are not trivially equal: they vary across targets, and most targets have links.
    expect(new Set(backlinks.map((b) => b.backlinks)).size).toBeGreaterThan(100);
    expect(ROOTS.filter((_, i) => backlinks[i].backlinks > 0).length).toBe(ROOTS.length);
  });

  it('a subdomain is the one difference: it is answered as its root domain, not as its own summary', async () => {
    const items = await bulkItems('bulk_backlinks', SUBDOMAINS);
    SUBDOMAINS.forEach((sub, i) => expect(items[i].backlinks).toBe(summaries.get(rootDomainOf(sub))?.thousand.backlinks));
    // The rollup is visible: a subdomain's own summary counts other links.
    const own = SUBDOMAINS.filter((sub, i) => items[i].backlinks !== summaries.get(sub)?.thousand.backlinks);
    expect(own.length).toBeGreaterThan(SUBDOMAINS.length / 2);
  });

  it('bulk_pages_summary: each item is the summary of the same target, with main_domain_rank its root’s rank', async () => {
    const targets = [...ROOTS.slice(0, 60), ...PAGES.slice(0, 20), ...SUBDOMAINS.slice(0, 10), IPS[0] ?? ''];
    for (const includeSubdomains of [true, false]) {
      const items = await bulkItems('bulk_pages_summary', targets, { include_subdomains: includeSubdomains, rank_scale: 'one_hundred' });
      const expected = await pool(targets, 16, (t) =>
        resultOf(url, 'summary', { target: answeredAs(t), include_subdomains: includeSubdomains, rank_scale: 'one_hundred' }),
      );
      targets.forEach((target, i) => {
        const { target: _t, info: _i, crawled_pages: _c, internal_links_count: _in, external_links_count: _ex, ...profile } = expected[i];
        const host = normalizeTarget(answeredAs(target)).host;
        const root = isIp(host) ? host : rootDomainOf(host);
        expect(items[i]).toEqual({
          type: 'backlinks_bulk_pages_summary',
          url: target,
          ...profile,
          main_domain_rank: summaries.get(root)?.hundred.rank,
        });
      });
    }
  });
});

describe('new and lost links are the graph’s', () => {
  /** The instant the sandbox counts from for a date_from `daysBack` days before the real today. */
  const sinceFor = (daysBack: number) => SANDBOX_NOW_MS - daysBack * DAY_MS;
  const dateFor = (daysBack: number) => day(TODAY_MS - daysBack * DAY_MS);
  const OFFSETS = [1, 7, 30, 90, 365];
  const KEYS = [
    'new_backlinks',
    'lost_backlinks',
    'new_referring_domains',
    'lost_referring_domains',
    'new_referring_main_domains',
    'lost_referring_main_domains',
  ] as const;
  // What the new/lost endpoints answer for: the root domains, the pages, and the subdomains (rolled up).
  const TARGETS = [...ROOTS, ...KNOWN, ...PAGES, ...SUBDOMAINS.slice(0, 10), ...IPS];
  const items = new Map<string, any[]>();

  beforeAll(async () => {
    await pool([...new Set(TARGETS.map(answeredAs))], 32, async (t) => {
      items.set(t, await allReferringDomains(url, { target: t, backlinks_status_type: 'all' }));
    });
  });

  async function answers(daysBack: number | undefined) {
    const extra = daysBack === undefined ? {} : { date_from: dateFor(daysBack) };
    const [backlinks, domains] = await Promise.all([
      bulkItems('bulk_new_lost_backlinks', TARGETS, extra),
      bulkItems('bulk_new_lost_referring_domains', TARGETS, extra),
    ]);
    return TARGETS.map((target, i) => ({ target, ...backlinks[i], ...domains[i] }));
  }

  it.each(OFFSETS)(
    'main domains %i days back: new = items (status all) first seen since, lost = items whose lost_date is since',
    async (daysBack) => {
      const from = wireTime(sinceFor(daysBack));
      for (const a of await answers(daysBack)) {
        const list = items.get(answeredAs(a.target)) ?? [];
        expect([a.new_referring_main_domains, a.lost_referring_main_domains], a.target).toEqual([
          list.filter((i) => i.first_seen >= from).length,
          list.filter((i) => i.lost_date !== null && i.lost_date >= from).length,
        ]);
      }
    },
  );

  it.each([30, 365])(
    'backlinks and referring domains %i days back equal summaries filtered on first_seen and lost_date',
    async (daysBack) => {
      const since = sinceFor(daysBack);
      const at = wireTime(since);
      const justBefore = wireTime(since - 1000);
      const notLostBefore = [['is_lost', '=', false], 'or', ['lost_date', '>', justBefore]];
      const answered = await answers(daysBack);
      // Seven summaries each: the large known domains, the IP addresses, and samples of the drawn domains and pages.
      const sample = new Set([...ROOTS.slice(0, 60), ...KNOWN, ...PAGES.slice(0, 10), ...IPS]);
      const subjects = answered.filter((a) => sample.has(a.target));
      expect(subjects).toHaveLength(sample.size);
      const expected = await pool(subjects, 32, async (a) => {
        const s = (extra: Record<string, unknown>) => resultOf(url, 'summary', { target: a.target, ...extra });
        const [live, all, fresh, gone, old, present, liveThen] = await Promise.all([
          s({}),
          s({ backlinks_status_type: 'all' }),
          s({ backlinks_status_type: 'all', backlinks_filters: ['first_seen', '>', justBefore] }),
          s({ backlinks_status_type: 'lost', backlinks_filters: ['lost_date', '>', justBefore] }),
          s({ backlinks_status_type: 'all', backlinks_filters: ['first_seen', '<', at] }),
          s({ backlinks_status_type: 'all', backlinks_filters: notLostBefore }),
          s({ backlinks_status_type: 'all', backlinks_filters: [['first_seen', '<', at], 'and', notLostBefore] }),
        ]);
        return { live, all, fresh, gone, old, present, liveThen };
      });
      subjects.forEach((a, i) => {
        const { live, all, fresh, gone, old, present, liveThen } = expected[i] ?? ({} as any);
        expect(
          {
            new_backlinks: a.new_backlinks,
            lost_backlinks: a.lost_backlinks,
            new_referring_domains: a.new_referring_domains,
            lost_referring_domains: a.lost_referring_domains,
            new_referring_main_domains: a.new_referring_main_domains,
            lost_referring_main_domains: a.lost_referring_main_domains,
          },
          a.target,
        ).toEqual({
          new_backlinks: fresh.backlinks,
          lost_backlinks: gone.backlinks,
          // Hosts with no link before, and hosts with a link that was live then or since but none live now.
          new_referring_domains: all.referring_domains - old.referring_domains,
          lost_referring_domains: present.referring_domains - live.referring_domains,
          new_referring_main_domains: all.referring_main_domains - old.referring_main_domains,
          lost_referring_main_domains: present.referring_main_domains - live.referring_main_domains,
        });
        // Backlinks live now = backlinks live at date_from + new − lost: a link found and lost since counts in both.
        expect(live.backlinks, a.target).toBe(liveThen.backlinks + a.new_backlinks - a.lost_backlinks);
      });
    },
  );

  it('counts grow as date_from moves back, and date_from = today counts nothing', async () => {
    const rows = await Promise.all([0, ...OFFSETS].map((d) => answers(d)));
    for (const a of rows[0] ?? []) for (const k of KEYS) expect(a[k], `${a.target} ${k}`).toBe(0);
    for (let r = 1; r < rows.length; r++) {
      (rows[r] ?? []).forEach((a, i) => {
        for (const k of KEYS) expect(a[k], `${a.target} ${k}`).toBeGreaterThanOrEqual(rows[r - 1]?.[i]?.[k] ?? Infinity);
      });
    }
  });

  it('a new user sees changes: most domains have new and lost links in the default month, all in a year', async () => {
    const share = (rows: any[], key: string) => rows.filter((a) => a[key] > 0).length / rows.length;
    const roots = (rows: any[]) => rows.filter((a) => ROOTS.includes(a.target));
    const month = roots(await answers(undefined));
    const year = roots(await answers(365));
    // What a month back finds on the first 200 drawn domains: 98–99.5 % have new links and referring domains and
    // lost links, 90 % a lost referring domain, 84 % a lost main domain; a year back, all of them save 1 %.
    for (const key of ['new_backlinks', 'lost_backlinks', 'new_referring_domains', 'new_referring_main_domains']) {
      expect(share(month, key), key).toBeGreaterThanOrEqual(0.95);
    }
    for (const key of ['lost_referring_domains', 'lost_referring_main_domains']) expect(share(month, key), key).toBeGreaterThanOrEqual(0.8);
    for (const key of KEYS) expect(share(year, key), key).toBeGreaterThanOrEqual(0.98);
  });
});

describe('date_from', () => {
  const call = (extra: Record<string, unknown>, endpoint = 'bulk_new_lost_backlinks', at = url) =>
    callSandbox(at, endpoint, { targets: [ROOTS[0], ROOTS[1]], ...extra });

  it.each([
    ['a year back (the minimum)', '2025-12-01'],
    ['today (the maximum)', '2026-12-01'],
    ['the last day of February', '2026-02-28'],
  ])('accepts %s', async (_name, dateFrom) => {
    for (const endpoint of ['bulk_new_lost_backlinks', 'bulk_new_lost_referring_domains']) {
      const { body } = await call({ date_from: dateFrom }, endpoint);
      expect(body.tasks[0].status_code).toBe(20000);
    }
  });

  it.each([
    ['a day before the minimum', '2025-11-30'],
    ['tomorrow', '2026-12-02'],
    ['a day February lacks', '2026-02-29'],
    ['month 13', '2026-13-01'],
    ['day 0', '2026-11-00'],
    ['an unpadded month', '2026-1-01'],
    ['no dashes', '20261101'],
    ['a time', '2026-11-01 00:00:00'],
    ['an ISO instant', '2026-11-01T00:00:00Z'],
    ['padding', ' 2026-11-01'],
    ['an empty string', ''],
    ['a number', 20261101],
    ['a boolean', true],
    ['an array', ['2026-11-01']],
  ])('refuses %s with 40501 "Invalid Field: \'date_from\'.", for free', async (_name, dateFrom) => {
    for (const endpoint of ['bulk_new_lost_backlinks', 'bulk_new_lost_referring_domains']) {
      const { body } = await call({ date_from: dateFrom }, endpoint);
      expect(body.tasks[0].status_code).toBe(40501);
      expect(body.tasks[0].status_message).toMatch(/^Invalid Field: 'date_from'\./);
      expect(body.tasks[0].cost).toBe(0);
      expect(responseErrors(endpoint, body)).toEqual([]);
    }
  });

  it('defaults to today − 1 month', async () => {
    for (const endpoint of ['bulk_new_lost_backlinks', 'bulk_new_lost_referring_domains']) {
      const [absent, monthBack] = await Promise.all([call({}, endpoint), call({ date_from: '2026-11-01' }, endpoint)]);
      expect(absent.body.tasks[0].result).toEqual(monthBack.body.tasks[0].result);
    }
  });

  it('is read against the real today: the same offset gives the same answer on another day, a year back from a leap day too', async () => {
    const later = await startSandbox({ clock: () => Date.UTC(2028, 1, 29, 23, 59) });
    try {
      for (const [here, there] of [
        ['2026-11-01', '2028-01-30'],
        ['2025-12-01', '2027-03-01'],
        ['2026-12-01', '2028-02-29'],
      ] as const) {
        const [a, b] = await Promise.all([call({ date_from: here }), call({ date_from: there }, undefined, later.url)]);
        expect(b.body.tasks[0].result).toEqual(a.body.tasks[0].result);
      }
      // A year back from 2028-02-29 is 2027-03-01 (as the GraphQL layer counts it): the day before is refused.
      expect((await call({ date_from: '2027-02-28' }, undefined, later.url)).body.tasks[0].status_code).toBe(40501);
    } finally {
      await later.sandbox.close();
    }
  });

  it('an answer repeated after midnight is computed again, not replayed from the day before', async () => {
    let clock = CLOCK_MS;
    const moving = await startSandbox({ clock: () => clock });
    const nextDay = await startSandbox({ clock: () => CLOCK_MS + DAY_MS });
    try {
      const task = { targets: [...ROOTS.slice(0, 5), ...KNOWN], date_from: '2026-11-01' };
      const first = await callSandbox(moving.url, 'bulk_new_lost_referring_domains', task);
      clock += DAY_MS;
      const again = await callSandbox(moving.url, 'bulk_new_lost_referring_domains', task);
      const fresh = await callSandbox(nextDay.url, 'bulk_new_lost_referring_domains', task);
      expect(again.body.tasks[0].result).toEqual(fresh.body.tasks[0].result);
      expect(again.body.tasks[0].result).not.toEqual(first.body.tasks[0].result);
      clock += 365 * DAY_MS;
      expect((await callSandbox(moving.url, 'bulk_new_lost_referring_domains', task)).body.tasks[0].status_code).toBe(40501);
    } finally {
      await moving.sandbox.close();
      await nextDay.sandbox.close();
    }
  });
});

describe('bulk task validation', () => {
  const ENDPOINTS = [
    'bulk_ranks',
    'bulk_backlinks',
    'bulk_spam_score',
    'bulk_referring_domains',
    'bulk_new_lost_backlinks',
    'bulk_new_lost_referring_domains',
    'bulk_pages_summary',
  ];

  it.each(ENDPOINTS)('%s takes 1000 targets and refuses 1001, an empty list, an invalid target', async (endpoint) => {
    // Pages of 50 root domains (100 distinct, repeated), so that bulk_pages_summary's 100-root rule is not what refuses.
    const targets = Array.from({ length: 1001 }, (_, i) => `https://${ROOTS[i % 50]}/p${i % 100}`);
    const ok = await callSandbox(url, endpoint, { targets: targets.slice(0, 1000) });
    expect(ok.body.tasks[0].status_code).toBe(20000);
    expect(ok.body.tasks[0].result[0].items).toHaveLength(1000);
    for (const bad of [targets, [], ['not a domain'], 'a.com']) {
      const { body } = await callSandbox(url, endpoint, { targets: bad });
      expect(body.tasks[0].status_code).toBe(40501);
      expect(body.tasks[0].status_message).toMatch(/^Invalid Field: 'targets'\./);
      expect(responseErrors(endpoint, body)).toEqual([]);
    }
  });

  it('bulk_pages_summary refuses targets of more than 100 distinct root domains', async () => {
    const ok = await callSandbox(url, 'bulk_pages_summary', {
      targets: [...ROOTS.slice(0, 100), `blog.${ROOTS[0]}`, `https://${ROOTS[1]}/x`],
    });
    expect(ok.body.tasks[0].status_code).toBe(20000);
    const { body } = await callSandbox(url, 'bulk_pages_summary', { targets: ROOTS.slice(0, 101) });
    expect(body.tasks[0].status_code).toBe(40501);
    expect(body.tasks[0].cost).toBe(0);
    expect(responseErrors('bulk_pages_summary', body)).toEqual([]);
  });
});
